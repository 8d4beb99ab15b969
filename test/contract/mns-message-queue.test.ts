import { MNS_MAX_BODY_BYTES } from '../../shared/stores/mns/mns-message-queue';
import { startMnsWire } from '../fakes/mns-wire/harness';
import { describeMessageQueueContract } from './message-queue.contract';

describeMessageQueueContract(
  'MNS adapter (our own client against the wire-level fake that @alicloud/mns proves)',
  async () => {
    const wire = await startMnsWire();
    const queue = wire.queue();
    return {
      producer: queue,
      consumer: queue,
      advance: (seconds: number) => wire.clock.advance(seconds * 1000),
      close: () => wire.close(),
    };
  },
  { maxBodyBytes: MNS_MAX_BODY_BYTES },
);
