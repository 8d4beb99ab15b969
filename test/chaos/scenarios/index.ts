import { ProviderId } from '../../../shared/core/domain/provider';
import type { ScenarioSpec } from '../scenario';
import { duplicateStorm, mixedFaults } from './faults';
import { crashAfterTimeoutCancel, policyScenarios } from './policy';
import { poisonBatch } from './poison';
import { redeliveryRace, skewedPolls } from './races';
import { crashesDuringRecovery } from './crash';

export * from './crash';
export * from './faults';
export * from './poison';
export * from './policy';
export * from './races';

export const PROVIDERS: readonly ProviderId[] = [ProviderId.Alibaba, ProviderId.Huawei];

/** Everything but the crash menus (which need their clean runs first), for one cloud. */
export const fixedScenarios = (provider: ProviderId, seed: number, counts: { readonly faults: number; readonly duplicates: number }): ScenarioSpec[] => [
  ...policyScenarios(provider, seed),
  ...Array.from({ length: counts.faults }, (_, i) => mixedFaults(provider, seed + i)),
  ...Array.from({ length: counts.duplicates }, (_, i) => duplicateStorm(provider, seed + i)),
  ...crashesDuringRecovery(provider, seed),
  crashAfterTimeoutCancel(provider, seed),
  redeliveryRace(provider, seed),
  skewedPolls(provider, seed),
  poisonBatch(provider, seed, 'always'),
  poisonBatch(provider, seed, 1),
];
