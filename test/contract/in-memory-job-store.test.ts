import { InMemoryJobStore } from '../fakes/in-memory-job-store';
import { describeJobStoreContract } from './job-store.contract';

// The fake the use-case tests rely on must keep the same promises as the real stores.
describeJobStoreContract('in-memory fake', async () => {
  await Promise.resolve();
  return { store: new InMemoryJobStore(), close: async () => Promise.resolve() };
});
