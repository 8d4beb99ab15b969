import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Command } from 'commander';
import { startWebhookReceiver } from '../../examples/webhook-receiver';
import type { PolicyConfig } from '../../shared/core/config/policy-config';
import { JobStatus } from '../../shared/core/domain/job';
import type { CommandContext } from '../command-context';
import { ExitCode } from '../exit-codes';
import { withExamples } from '../help';
import { DEFAULT_POLICY, packagePath, stateDirOf } from '../paths';
import { loadPolicyFile } from '../policy/load';
import { jobTable } from '../render/job-lines';
import { progressSinkFor } from '../render/sink-for';
import { runReplication } from '../run/replication';
import { selectTarget } from '../target';

export const DEMO_SPEED = 600;

/** The example policy, its loopback webhooks pointed at the demo's own receiver. */
const withReceiver = (config: PolicyConfig, url: string): PolicyConfig => ({
  ...config,
  policies: config.policies.map((policy) => ({
    ...policy,
    webhooks: policy.webhooks.map((hook) => (new URL(hook.url).hostname === '127.0.0.1' ? { ...hook, url } : hook)),
  })),
});

/**
 * `npm start`: the whole workflow on one machine with no cloud account. The embedded simulators
 * hold a few golden images; one arrives as an ActionTrail CreateImage event, the nightly sweep finds
 * the rest; copies run on both clouds; a local receiver checks every webhook's signature. Exit 0
 * when every job is available and notified exactly once. Its state is kept in `<state>/demo`, away
 * from real state, and `status` finds it there.
 */
export const registerDemo = (program: Command, ctx: CommandContext, done: (code: number) => void): void => {
  const command = program
    .command('demo')
    .description('replicate the demo images on the embedded simulators, no cloud account needed (what `npm start` runs)')
    .option('--state-dir <dir>', 'the demo keeps its state in DIR/demo (default ./.image-replicator/demo)');
  withExamples(command, ['npm start', 'image-replicator demo && image-replicator status']).action(async (flags: { stateDir?: string }) => {
    const { io, stop } = ctx;
    const started = Date.now();
    const stateDir = join(stateDirOf(io.cwd, io.env, flags.stateDir), 'demo');
    rmSync(stateDir, { recursive: true, force: true });
    const policyFile = loadPolicyFile(packagePath(DEFAULT_POLICY));
    const secretEnv = policyFile.policies.flatMap((p) => p.webhooks.map((h) => h.secretEnv));
    const secret = randomBytes(24).toString('hex');
    const env = { ...io.env, ...Object.fromEntries(secretEnv.map((name) => [name, io.env[name] ?? secret])) };

    // The demo never touches a cloud account, whatever the environment holds.
    const target = await selectTarget({}, policyFile, { speed: DEMO_SPEED });
    const sink = progressSinkFor(io, false);
    const receiver = await startWebhookReceiver({
      secret: env[secretEnv[0] ?? ''] ?? secret,
      onNotification: (n) =>
        sink.message(
          `  webhook ${n.duplicate ? 'duplicate' : 'received '} ${String(n.body.type).padEnd(22)} ${String((n.body.source as { imageId: string }).imageId)} → ${String((n.body.destination as { region: string }).region)}  (event ${n.eventId.slice(0, 18)}…)`,
        ),
    });
    try {
      const config = withReceiver(policyFile, receiver.url);
      sink.message(`image-replicator demo: policy ${DEFAULT_POLICY}, copies on ${target.description}`);
      sink.message(`state in ${stateDir}, webhooks to ${receiver.url}\n`);
      const golden = target.simulator?.inspect.images('cn-hangzhou').find((image) => image.tags.some(([key, value]) => key === 'role' && value === 'golden'));
      const report = await runReplication(
        { ...io, env },
        {
          config,
          stateDir,
          target,
          json: false,
          sweep: false,
          sink,
          signal: stop.signal,
          stopCode: stop.exitCode,
          beforeLoop: async (runtime) => {
            if (golden !== undefined) {
              sink.message(`ActionTrail: CreateImage ${golden.id} (${golden.name}) in cn-hangzhou`);
              await runtime.imageCreated('cn-hangzhou', golden.id);
            }
            sink.message('Nightly sweep: looking for images whose copies are missing\n');
            await runtime.sweep();
          },
        },
      );
      const jobs = report.jobs;
      io.out(`\n${jobTable(jobs)}\n`);
      const unique = new Set(receiver.received.map((n) => n.eventId));
      const available = jobs.filter((job) => job.status === JobStatus.Available).length;
      // Counted in the simulators, not in our records: every copy ever made, deleted ones included.
      const copies = target.simulator?.inspect.copyCounts() ?? [];
      const huaweiCopies = jobs
        .filter((job) => job.provider === 'huawei')
        .map((job) => target.huaweiSimulator?.inspect.copiesCreated(job.destination.region, job.destination.imageName) ?? 0);
      const duplicates = copies.filter((c) => c.copies > 1).length + huaweiCopies.filter((n) => n > 1).length;
      io.out(
        `\n${available}/${jobs.length} copies available, ${duplicates} duplicate copies; ` +
          `webhooks: ${receiver.received.length} received, ${unique.size} distinct events, ${receiver.rejected()} rejected signatures; ` +
          `${jobs.filter((job) => job.route === 'snapshots').length} through snapshots, ${jobs.filter((job) => (job.sharedWith?.length ?? 0) > 0).length} shared; ` +
          `${((Date.now() - started) / 1000).toFixed(1)} s wall time\n`,
      );
      const shown = relative(io.cwd, stateDir) || '.';
      io.out(`the jobs stay in ${stateDir}: \`npx image-replicator status --state-dir ${shown.startsWith('..') ? stateDir : shown}\` shows them (plain \`status\` does too while no run of your own has state here)\n`);
      if (report.facts.outcome === 'stopped') {
        io.out('stopped before the end; run `npm start` again for a fresh demo\n');
        return done(stop.exitCode());
      }
      const ok = jobs.length > 0 && available === jobs.length && unique.size === jobs.length && duplicates === 0;
      done(ok ? ExitCode.Ok : ExitCode.Failed);
    } finally {
      await receiver.close();
      await target.close();
    }
  });
};
