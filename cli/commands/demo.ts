import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { startWebhookReceiver } from '../../examples/webhook-receiver';
import type { PolicyConfig } from '../../shared/core/config/policy-config';
import { JobStatus } from '../../shared/core/domain/job';
import { selectTarget } from '../target';
import { type Io, loadPolicyFile, printSummary, runReplication } from './run';

export const DEMO_POLICY = 'examples/policy.yaml';
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
 * `npm start`: the whole workflow on one machine with no cloud account. The embedded simulator
 * holds a few golden images in cn-hangzhou; one arrives as an ActionTrail CreateImage event, the
 * nightly sweep finds the rest; copies run to three regions (one encrypted); a local receiver
 * checks every webhook's signature. Exit 0 when every job is available and notified exactly once.
 */
export const runDemo = async (io: Io, options: { stateDir: string; signal?: AbortSignal }): Promise<number> => {
  const started = Date.now();
  const stateDir = join(options.stateDir, 'demo');
  rmSync(stateDir, { recursive: true, force: true });
  const policyFile = loadPolicyFile(DEMO_POLICY);
  const secretEnv = policyFile.policies.flatMap((p) => p.webhooks.map((h) => h.secretEnv));
  const secret = randomBytes(24).toString('hex');
  const env = { ...io.env, ...Object.fromEntries(secretEnv.map((name) => [name, io.env[name] ?? secret])) };

  // The demo never touches a cloud account, whatever the environment holds.
  const target = await selectTarget({}, policyFile, { speed: DEMO_SPEED });
  const receiver = await startWebhookReceiver({
    secret: env[secretEnv[0] ?? ''] ?? secret,
    onNotification: (n) =>
      io.out(`  webhook ${n.duplicate ? 'duplicate' : 'received '} ${String(n.body.type).padEnd(22)} ${String((n.body.source as { imageId: string }).imageId)} → ${String((n.body.destination as { region: string }).region)}  (event ${n.eventId.slice(0, 18)}…)\n`),
  });
  try {
    const config = withReceiver(policyFile, receiver.url);
    io.out(`image-replicator demo: policy ${DEMO_POLICY}, copies on ${target.description}\n`);
    io.out(`state in ${stateDir}, webhooks to ${receiver.url}\n\n`);
    const golden = target.simulator?.inspect.images('cn-hangzhou').find((image) => image.tags.some(([key, value]) => key === 'role' && value === 'golden'));
    const result = await runReplication({ ...io, env }, {
      config,
      stateDir,
      target,
      json: false,
      sweep: false,
      signal: options.signal,
      beforeLoop: async (runtime) => {
        if (golden !== undefined) {
          io.out(`ActionTrail: CreateImage ${golden.id} (${golden.name}) in cn-hangzhou\n`);
          await runtime.imageCreated('cn-hangzhou', golden.id);
        }
        io.out('Nightly sweep: looking for images whose copies are missing\n\n');
        await runtime.sweep();
      },
    });
    printSummary(io, result);
    const unique = new Set(receiver.received.map((n) => n.eventId));
    const available = result.jobs.filter((job) => job.status === JobStatus.Available).length;
    // Counted in the simulators, not in our records: every copy ever made, deleted ones included.
    const copies = target.simulator?.inspect.copyCounts() ?? [];
    const huaweiCopies = result.jobs
      .filter((job) => job.provider === 'huawei')
      .map((job) => target.huaweiSimulator?.inspect.copiesCreated(job.destination.region, job.destination.imageName) ?? 0);
    const duplicates = copies.filter((c) => c.copies > 1).length + huaweiCopies.filter((n) => n > 1).length;
    io.out(
      `\n${available}/${result.jobs.length} copies available, ${duplicates} duplicate copies; ` +
        `webhooks: ${receiver.received.length} received, ${unique.size} distinct events, ${receiver.rejected()} rejected signatures; ` +
        `${result.jobs.filter((job) => job.route === 'snapshots').length} through snapshots, ${result.jobs.filter((job) => (job.sharedWith?.length ?? 0) > 0).length} shared; ` +
        `${((Date.now() - started) / 1000).toFixed(1)} s wall time\n`,
    );
    if (result.outcome === 'stopped') {
      io.out('stopped before the end; run `npm start` again for a fresh demo\n');
      return 130;
    }
    const ok = result.jobs.length > 0 && available === result.jobs.length && unique.size === result.jobs.length && duplicates === 0;
    return ok ? 0 : 1;
  } finally {
    await receiver.close();
    await target.close();
  }
};
