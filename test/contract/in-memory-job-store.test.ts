import { InMemoryJobStore } from '../fakes/in-memory-job-store';
import { describeJobStoreContract } from './job-store.contract';

// The fake the use-case tests rely on must keep the same promises as the real stores.
describeJobStoreContract('in-memory fake', async () => {
  await Promise.resolve();
  const store = new InMemoryJobStore();
  return { store, corrupt: async (id) => store.corrupt(id), close: async () => Promise.resolve() };
});
