import type { Command } from 'commander';
import { createPlan, DEFAULT_GIB_PER_HOUR, PlanAction } from '../../shared/core/use-cases/plan';
import { silentLogger } from '../../shared/platform/logging/json-logger';
import type { CommandContext } from '../command-context';
import { redact } from '../errors';
import { ExitCode } from '../exit-codes';
import { withExamples } from '../help';
import { describeLoggedError, type LoggedError, watchProblems } from '../local/error-watch';
import { openWorkspace, withWorkspaceOptions, type WorkspaceFlags } from '../local/workspace';
import { planText, planView } from '../plan-view';

interface PlanFlags extends WorkspaceFlags {
  readonly json: boolean;
}

/** The logged warning that says retention could not be planned (plan.ts goes on without it). */
const RETENTION_NOT_PLANNED = 'retention could not be planned';

/**
 * What `run` would do now, changing nothing: per policy, source image and destination whether the
 * copy exists, is under way, would be made (and how, and how long it would take), skipped, shared
 * or pruned; the GiB and monthly storage cost per destination, and the time it would all take.
 */
export const registerPlan = (program: Command, ctx: CommandContext, done: (code: number) => void): void => {
  const command = withWorkspaceOptions(
    program
      .command('plan')
      .description('what `run` would do now, changing nothing: copies, shares and prunes, GiB, storage cost and time (exit 3: changes pending)')
      .option('--json', 'one JSON object ({"version": 1, ...}) instead of the table', false),
  ).addHelpText(
    'after',
    `
It asks the providers \`run\` would copy with (the embedded simulators unless the environment names
endpoints or keys, as for \`run\`) what images the policies select and which copies exist, and
reads the local job table; nothing is written, and no state folder is created. Costs come from the
policy's \`prices\`, else built-in list prices (the plan names their source); times from the copy
speeds seen in the job table, else ${DEFAULT_GIB_PER_HOUR} GiB per hour.`,
  );
  withExamples(
    command,
    [
      'image-replicator plan --config my-policy.yaml',
      'image-replicator plan --config my-policy.yaml; [ $? -eq 3 ] && image-replicator run --config my-policy.yaml',
      'image-replicator plan --json | jq ".items[] | select(.action == \\"copy\\")"',
    ],
    { 0: 'nothing to do: every selected image is where the policies want it', 1: 'a region could not be read: the plan is incomplete', 3: 'changes are pending: copies to make, shares or prunes (like `terraform plan -detailed-exitcode`)' },
  ).action(async (flags: PlanFlags) => {
    const { io } = ctx;
    const workspace = await openWorkspace(io, flags, { requireState: false });
    try {
      const { backend, target, config } = workspace;
      const logged: LoggedError[] = [];
      const plan = await createPlan({ config, providers: target.providers, jobs: backend.jobs, queues: backend.queues, clock: target.clock, logger: watchProblems(silentLogger, logged) })();
      const problems = [
        ...plan.items.filter((item) => item.action === PlanAction.Unreadable).map((item) => `could not read ${item.provider} ${item.account} ${item.sourceRegion}: ${item.reason ?? 'unknown error'}`),
        ...logged.filter((entry) => entry.message === RETENTION_NOT_PLANNED).map(describeLoggedError),
      ].map((problem) => redact(problem, target.secrets));
      const view = planView(plan, { policyFile: workspace.configPath, target: target.description, stateDir: workspace.stateDir, stateFound: !workspace.fresh, problems });
      io.out(redact(flags.json ? `${JSON.stringify(view, null, 2)}\n` : planText(view), target.secrets));
      for (const problem of problems) io.err(`${problem}\n`);
      done(problems.length > 0 ? ExitCode.Failed : view.changesPending ? ExitCode.ChangesPending : ExitCode.Ok);
    } finally {
      await workspace.close();
    }
  });
};
