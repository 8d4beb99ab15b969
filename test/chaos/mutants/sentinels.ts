import { ProviderId } from '../../../shared/core/domain/provider';
import type { ScenarioSpec } from '../scenario';
import { copyServerError, crashesDuringRecovery, lostCopyAnswer, mixedFaults, poisonBatch, strangerWithOurName } from '../scenarios';

/**
 * The suite's own scenarios every mutant is run against (the same set for each, none written for
 * a mutant): the report names the ones that caught it. Fast ones, one or two seconds each.
 */
export const SENTINELS: Readonly<Record<string, (seed: number) => ScenarioSpec>> = {
  'alibaba: copy call answers 5xx': (seed) => copyServerError(ProviderId.Alibaba, seed),
  'alibaba: copy answer lost': (seed) => lostCopyAnswer(ProviderId.Alibaba, seed, 'lostAnswer'),
  "alibaba: stranger's image has our name": (seed) => strangerWithOurName(ProviderId.Alibaba, seed),
  'alibaba: poison batch, dead-letter queue down': (seed) => poisonBatch(ProviderId.Alibaba, seed, 'always'),
  'alibaba: mixed faults': (seed) => mixedFaults(ProviderId.Alibaba, seed),
  'huawei: copy answer lost': (seed) => lostCopyAnswer(ProviderId.Huawei, seed, 'lostAnswer'),
  "huawei: stranger's image has our name": (seed) => strangerWithOurName(ProviderId.Huawei, seed),
  'huawei: crash after submit, then during recovery': (seed) => crashesDuringRecovery(ProviderId.Huawei, seed)[0] as ScenarioSpec,
  'huawei: mixed faults': (seed) => mixedFaults(ProviderId.Huawei, seed),
};
