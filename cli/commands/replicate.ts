import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { ZodError } from 'zod';
import { systemClock } from '../../shared/core/domain/clock';
import { DEFAULT_ACCOUNT, ProviderId } from '../../shared/core/domain/provider';
import { encodeMessage, ReplicationRequestedV2 } from '../../shared/core/messages/messages';
import { formatIssues } from '../../shared/core/config/load-policy-config';
import { SqliteMessageQueue } from '../../shared/stores/sqlite/sqlite-message-queue';
import { LOCAL_MAX_RECEIVES, QueueName } from '../../runtime/local-runtime';
import type { CommandContext } from '../command-context';
import { usageFailure } from '../errors';
import { ExitCode } from '../exit-codes';
import { withExamples } from '../help';
import { providerOption } from '../job-filter';
import { stateDirOf } from '../paths';
import { STATE_FILE } from '../local/local-backend';

interface ReplicateFlags {
  readonly policy?: string;
  readonly provider: string;
  readonly account: string;
  readonly stateDir?: string;
}

/** The request as the contract has it; a bad region or image id is a usage error naming the field. */
const requestBody = (region: string, imageId: string, flags: ReplicateFlags): string => {
  try {
    return encodeMessage(ReplicationRequestedV2, {
      type: 'replication.requested',
      version: 2,
      origin: 'cli',
      source: { provider: flags.provider as ProviderId, account: flags.account, region, imageId },
      ...(flags.policy === undefined ? {} : { policy: flags.policy }),
    });
  } catch (error) {
    if (error instanceof ZodError) throw usageFailure(`not a valid request:\n${formatIssues(error.issues)}`);
    throw error;
  }
};

export const registerReplicate = (program: Command, ctx: CommandContext, done: (code: number) => void): void => {
  const command = program
    .command('replicate')
    .description('queue a request to replicate one image; the next `run --no-sweep` (or `run`) takes it')
    .argument('<region>', 'the region the image is in')
    .argument('<image-id>', 'the image')
    .option('--policy <name>', 'only this policy (a failed job of it is started again)')
    .option('--provider <id>', 'the cloud the image is in', providerOption, ProviderId.Alibaba)
    .option('--account <name>', 'the account of that cloud', DEFAULT_ACCOUNT)
    .option('--state-dir <dir>', 'local state folder (default: $IMAGE_REPLICATOR_STATE_DIR or ./.image-replicator)');
  withExamples(command, ['image-replicator replicate cn-hangzhou m-bp1abc… && image-replicator run --no-sweep', 'image-replicator replicate cn-north-4 4f1c… --provider huawei']).action(
    async (region: string, imageId: string, flags: ReplicateFlags) => {
      const { io } = ctx;
      const body = requestBody(region, imageId, flags);
      const stateDir = stateDirOf(io.cwd, io.env, flags.stateDir);
      mkdirSync(stateDir, { recursive: true });
      const queue = new SqliteMessageQueue(join(stateDir, STATE_FILE), QueueName.StartCopy, { clock: systemClock, maxReceives: LOCAL_MAX_RECEIVES, deadLetterQueue: QueueName.DeadLetters });
      try {
        const { messageId } = await queue.send(body);
        io.out(`queued ${imageId} (${flags.provider} ${region}) as message ${messageId}; \`image-replicator run --no-sweep\` processes it\n`);
        done(ExitCode.Ok);
      } finally {
        queue.close();
      }
    },
  );
};
