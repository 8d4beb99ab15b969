import { z } from 'zod';
import { type Plan, type PlanItem, PlanAction } from '../shared/core/use-cases/plan';
import { table } from './render/table';

/**
 * The JSON `plan --json` prints: one object, versioned, every key always present (null when
 * unknown). Scripts and CI parse it, like `terraform show -json` of a plan.
 */
const Money = z.object({ amount: z.number(), currency: z.string() }).strict();

export const PlanViewV1 = z
  .object({
    version: z.literal(1),
    policyFile: z.string(),
    /** Where the copies would happen (the embedded simulators, an endpoint, the clouds). */
    target: z.string(),
    stateDir: z.string(),
    /** False before the first run: every job would be new. */
    stateFound: z.boolean(),
    changesPending: z.boolean(),
    /** Why the plan is incomplete (a region that could not be read); exit 1 when any. */
    problems: z.array(z.string()),
    items: z.array(
      z
        .object({
          policy: z.string(),
          provider: z.string(),
          account: z.string(),
          sourceRegion: z.string(),
          imageId: z.string(),
          imageName: z.string(),
          destinationRegion: z.string(),
          action: z.enum(Object.values(PlanAction) as [PlanAction, ...PlanAction[]]),
          route: z.string().nullable(),
          reason: z.string().nullable(),
          sizeGiB: z.number(),
          jobId: z.string().nullable(),
          expectedHours: z.number().nullable(),
        })
        .strict(),
    ),
    regions: z.array(
      z
        .object({
          provider: z.string(),
          region: z.string(),
          gainGiB: z.number(),
          loseGiB: z.number(),
          monthlyCostChange: Money.nullable(),
          priceSource: z.string(),
        })
        .strict(),
    ),
    totals: z
      .object({
        copies: z.number().int(),
        copyGiB: z.number(),
        shares: z.number().int(),
        prunes: z.number().int(),
        pruneGiB: z.number(),
        exists: z.number().int(),
        inProgress: z.number().int(),
        skipped: z.number().int(),
        unreadable: z.number().int(),
        /** Per currency; regions without a known price are left out (their priceSource says so). */
        monthlyCostChange: z.array(Money),
        priceSources: z.array(z.string()),
        expectedHours: z.number(),
        speedSource: z.string(),
      })
      .strict(),
  })
  .strict();
export type PlanViewV1 = z.infer<typeof PlanViewV1>;

export interface PlanContext {
  readonly policyFile: string;
  readonly target: string;
  readonly stateDir: string;
  readonly stateFound: boolean;
  readonly problems: readonly string[];
}

const count = (items: readonly PlanItem[], action: PlanAction): number => items.filter((i) => i.action === action).length;
const sum = (values: readonly number[]): number => Math.round(values.reduce((a, b) => a + b, 0) * 100) / 100;

/** Grouped per policy and source image (retention's rows join their image's), the order within kept. */
const byImage = (items: readonly PlanItem[]): PlanItem[] => {
  const key = (i: PlanItem) => [i.policy, i.provider, i.account, i.sourceRegion, i.imageName, i.imageId].join('\u0000');
  const first = new Map<string, number>();
  items.forEach((item, index) => first.has(key(item)) || first.set(key(item), index));
  return items.map((item, index) => ({ item, index })).sort((a, b) => (first.get(key(a.item)) ?? 0) - (first.get(key(b.item)) ?? 0) || a.index - b.index).map(({ item }) => item);
};

export const planView = (plan: Plan, context: PlanContext): PlanViewV1 => {
  const costs = new Map<string, number>();
  for (const region of plan.regions) {
    if (region.monthlyCostChange === undefined) continue;
    costs.set(region.monthlyCostChange.currency, (costs.get(region.monthlyCostChange.currency) ?? 0) + region.monthlyCostChange.amount);
  }
  const copies = plan.items.filter((i) => i.action === PlanAction.Copy);
  const prunes = plan.items.filter((i) => i.action === PlanAction.Prune);
  return {
    version: 1,
    policyFile: context.policyFile,
    target: context.target,
    stateDir: context.stateDir,
    stateFound: context.stateFound,
    changesPending: plan.changesPending,
    problems: [...context.problems],
    items: byImage(plan.items).map((item) => ({
      policy: item.policy,
      provider: item.provider,
      account: item.account,
      sourceRegion: item.sourceRegion,
      imageId: item.imageId,
      imageName: item.imageName,
      destinationRegion: item.destinationRegion,
      action: item.action,
      route: item.route ?? null,
      reason: item.reason ?? null,
      sizeGiB: item.sizeGiB,
      jobId: item.jobId ?? null,
      expectedHours: item.expectedHours ?? null,
    })),
    regions: plan.regions.map((region) => ({
      provider: region.provider,
      region: region.region,
      gainGiB: region.gainGiB,
      loseGiB: region.loseGiB,
      monthlyCostChange: region.monthlyCostChange === undefined ? null : { amount: region.monthlyCostChange.amount, currency: region.monthlyCostChange.currency },
      priceSource: region.priceSource,
    })),
    totals: {
      copies: copies.length,
      copyGiB: sum(copies.map((i) => i.sizeGiB)),
      shares: count(plan.items, PlanAction.Share),
      prunes: prunes.length,
      pruneGiB: sum(prunes.map((i) => i.sizeGiB)),
      exists: count(plan.items, PlanAction.Exists),
      inProgress: count(plan.items, PlanAction.InProgress),
      skipped: count(plan.items, PlanAction.Skip),
      unreadable: count(plan.items, PlanAction.Unreadable),
      monthlyCostChange: [...costs].map(([currency, amount]) => ({ amount: Math.round(amount * 100) / 100, currency })),
      priceSources: [...new Set(plan.regions.map((r) => r.priceSource))],
      expectedHours: plan.expectedHours,
      speedSource: plan.speedSource,
    },
  };
};

/** `about 21 min`, `about 3 h 05 min`, `under a minute`. */
export const formatHours = (hours: number): string => {
  const minutes = Math.round(hours * 60);
  if (minutes < 1) return 'under a minute';
  if (minutes < 60) return `about ${minutes} min`;
  return `about ${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
};

const gib = (n: number): string => `${Math.round(n * 100) / 100} GiB`;
const money = (m: { amount: number; currency: string }): string => `${m.amount >= 0 ? '+' : ''}${m.amount.toFixed(2)} ${m.currency}/month`;
const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

const detailOf = (item: PlanViewV1['items'][number]): string => {
  switch (item.action) {
    case PlanAction.Copy:
      return [item.route, item.expectedHours === null ? undefined : formatHours(item.expectedHours), gib(item.sizeGiB)].filter((p) => p !== undefined && p !== null).join(', ');
    case PlanAction.Exists:
      return [item.route, item.reason].filter((p) => p !== null).join(', ');
    case PlanAction.InProgress:
      return `${item.reason ?? 'under way'}${item.jobId === null ? '' : ` (${item.jobId})`}`;
    case PlanAction.Prune:
      return `${item.reason ?? ''}${item.sizeGiB > 0 ? `, frees ${gib(item.sizeGiB)}` : ''}`;
    default:
      return item.reason ?? '';
  }
};

/** The plan for a person: per policy, source image and destination what would happen, then the totals. */
export const planText = (view: PlanViewV1): string => {
  const lines: string[] = [`plan for ${view.policyFile} on ${view.target}`];
  lines.push(view.stateFound ? `jobs from ${view.stateDir}` : `no local state in ${view.stateDir} yet: every job would be new`);
  lines.push('');
  if (view.items.length === 0) lines.push('no image is selected by the policies');
  else {
    lines.push(
      table(
        ['policy', 'cloud', 'source image', 'destination', 'action', 'detail'],
        view.items.map((item) => [
          item.policy,
          item.provider,
          item.imageId === '' ? `(${item.sourceRegion})` : `${item.imageName} (${item.imageId}, ${item.sourceRegion})`,
          item.destinationRegion,
          item.action,
          detailOf(item),
        ]),
      ),
    );
  }
  const t = view.totals;
  const changed = view.regions.filter((r) => r.gainGiB !== 0 || r.loseGiB !== 0);
  if (changed.length > 0) {
    lines.push('', 'storage per destination region:');
    lines.push(
      table(
        ['cloud', 'region', 'adds', 'frees', 'monthly cost'],
        changed.map((r) => [r.provider, r.region, gib(r.gainGiB), gib(r.loseGiB), r.monthlyCostChange === null ? 'no price known' : money(r.monthlyCostChange)]),
      )
        .split('\n')
        .map((line) => `  ${line}`)
        .join('\n'),
    );
    lines.push(`  prices: ${t.priceSources.join('; ')}`);
  }
  lines.push('');
  const cost = t.monthlyCostChange.length === 0 ? '' : `; storage ${t.monthlyCostChange.map(money).join(', ')}`;
  lines.push(
    `${plural(t.copies, 'copy', 'copies')} to make (${gib(t.copyGiB)} to move), ${plural(t.shares, 'share')}, ${plural(t.prunes, 'copy', 'copies')} to prune (${gib(t.pruneGiB)} freed)${cost}`,
  );
  if (t.copies > 0) lines.push(`time: ${formatHours(t.expectedHours)} until every copy is made, at ${t.speedSource}`);
  lines.push(`${t.exists} in place, ${t.inProgress} under way, ${t.skipped} skipped`);
  if (view.problems.length > 0) lines.push(`incomplete: ${plural(view.problems.length, 'part')} could not be read and ${view.problems.length === 1 ? 'is' : 'are'} left out (exit 1)`);
  else lines.push(view.changesPending ? 'changes pending: `image-replicator run` makes them (exit 3)' : 'nothing to do: every selected image is where the policies want it');
  return `${lines.join('\n')}\n`;
};
