import { tablestoreCallsForProgress } from '../../test/fakes/tablestore-wire/progress-calls';
import type { Scenario } from '../scenario';

const COPIES = 10_000;

/**
 * Tablestore requests of one poll pass while 10,000 copies progress, counted at the Tablestore
 * wire fake (test/fakes/tablestore-wire): a fresh store lists the jobs in flight and writes every
 * job's progress, as poll-status does. The request count is what Tablestore bills and throttles.
 */
export const progressTableCallsScenario: Scenario = {
  id: 'progress-table-calls',
  title: `Tablestore calls of a poll pass, ${COPIES.toLocaleString('en-US')} copies progressing`,
  produces: ['poll_pass_10k_progress_table_calls'],
  async run(progress) {
    progress(`table calls: ${COPIES} copies progressing`);
    const result = await tablestoreCallsForProgress(COPIES);
    if (result.stored !== COPIES) throw new Error(`only ${result.stored} of ${COPIES} progress writes were stored`);
    const byOperation = Object.entries(result.byOperation)
      .map(([operation, count]) => `${operation} ${count}`)
      .join(', ');
    return {
      metrics: { poll_pass_10k_progress_table_calls: result.calls },
      details: [`${result.calls} requests for ${result.jobs} jobs (${byOperation}); ${result.stored} writes stored`],
    };
  },
};
