import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildFunctions } from '../../scripts/build';
import { measureBundles } from '../../scripts/measure-bundles';
import type { Scenario } from '../scenario';

/** Rounds of measure-bundles (after its warm-up): each round starts node and every bundle once. */
const RUNS = 9;

/**
 * Cold start of each function bundle against a bare `node -e ''` measured in the same rounds
 * (scripts/measure-bundles.ts: median wall time of a fresh node loading the bundle offline, with a
 * complete fake environment). The bundles are built here, by scripts/build.ts, into a folder of
 * their own, so the figure is of the code as it is now and dist/ is left alone.
 */
export const coldStartScenario: Scenario = {
  id: 'cold-start',
  title: 'bundle cold start against bare node',
  produces: ['cold_start_ratio_max'],
  async run(progress) {
    const root = mkdtempSync(join(tmpdir(), 'ir-bench-bundles-'));
    try {
      progress('cold start: building the bundles');
      await buildFunctions({ outDir: join(root, 'dist') });
      progress(`cold start: measuring (${RUNS} rounds)`);
      const report = measureBundles({ root, runs: RUNS });
      const baseline = report.measurements.find((m) => m.bytes === undefined);
      const bundles = report.measurements.filter((m) => m.bytes !== undefined);
      if (baseline === undefined || bundles.length === 0) throw new Error('measure-bundles measured no baseline or no bundle');
      const ratios = bundles.map((m) => ({ name: m.name, ratio: m.medianMs / baseline.medianMs, ms: m.medianMs, cpuRatio: m.medianCpuMs / baseline.medianCpuMs }));
      const worst = ratios.reduce((a, b) => (b.ratio > a.ratio ? b : a));
      return {
        metrics: { cold_start_ratio_max: worst.ratio, cold_start_cpu_ratio_max: Math.max(...ratios.map((r) => r.cpuRatio)), cold_start_node_ms: baseline.medianMs },
        details: [
          `bare node ${baseline.medianMs.toFixed(0)} ms; ${ratios.map((r) => `${r.name} ${r.ms.toFixed(0)} ms (${r.ratio.toFixed(2)}×, cpu ${r.cpuRatio.toFixed(2)}×)`).join(', ')}`,
          `worst: ${worst.name}; median of ${RUNS} rounds, load average ${report.loadAverage.map((l) => l.toFixed(1)).join(' ')} when measuring began (wall time suffers from a busy machine; the CPU ratio less)`,
        ],
      };
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  },
};
