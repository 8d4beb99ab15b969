import { describe, expect, it } from 'vitest';
import { EtaTracker, formatEta } from '../../cli/render/eta';
import { humanLogLines } from '../../cli/render/log-lines';
import { jobTable } from '../../cli/render/job-lines';
import { liveFrame, outcomeLine } from '../../cli/render/live-view';
import { ImageState } from '../../shared/core/domain/image';
import { type Job, JobStatus } from '../../shared/core/domain/job';
import { newJob } from '../../shared/core/domain/job-transitions';
import { planJob } from '../../shared/core/domain/policy';
import { testPolicyConfig } from '../helpers/policy';

const job = (overrides: Partial<Job> = {}, index = 0): Job => {
  const policy = testPolicyConfig().policies[0];
  const destination = policy?.destinations[index];
  if (policy === undefined || destination === undefined) throw new Error('no test policy');
  const planned = planJob(policy, destination, { id: `m-r${index}`, region: policy.source.region, name: `golden-${index}`, state: ImageState.Available, sizeGiB: 10, tags: {} });
  return { ...newJob(planned.id, planned.spec, ImageState.Available, new Date('2026-11-01T00:00:00Z')), ...overrides };
};

describe('the ETA of a copy', () => {
  it('follows the rate its progress moved at, in wall time', () => {
    // Prepare
    let now = 0;
    const eta = new EtaTracker(() => now);
    // Act
    eta.observe(job({ status: JobStatus.Copying, progressPercent: 10 }));
    now = 10_000;
    eta.observe(job({ status: JobStatus.Copying, progressPercent: 30 }));
    // Assess: 20 % in 10 s, 70 % left.
    expect(eta.secondsLeft(job())).toBe(35);
    expect(formatEta(35)).toBe('ETA 35s');
    expect(formatEta(3725)).toBe('ETA 1h02m');
  });

  it('has none before the copy moved, and starts again with a new attempt', () => {
    // Prepare
    let now = 0;
    const eta = new EtaTracker(() => now);
    eta.observe(job({ status: JobStatus.Copying, progressPercent: 10 }));
    now = 5_000;
    eta.observe(job({ status: JobStatus.Copying, progressPercent: 50 }));
    // Act
    eta.observe(job({ status: JobStatus.Copying, progressPercent: 2, attempt: 2 }));
    // Assess
    expect(eta.secondsLeft(job())).toBeUndefined();
    expect(formatEta(undefined)).toBe('ETA --');
  });
});

describe('the live region', () => {
  it('shows the jobs under way, as many as fit, and a count', () => {
    // Prepare
    const jobs = [job({ status: JobStatus.Copying, progressPercent: 40 }, 0), job({ status: JobStatus.Available }, 1)];
    // Act
    const frame = liveFrame(jobs, new EtaTracker(), { columns: 100, rows: 24 });
    // Assess
    expect(frame.split('\n')).toEqual([expect.stringMatching(/^golden-0 → \S+ \(alibaba\) +\[########------------\]  40%  copying  ETA --$/), '1/2 jobs finished, 1 under way']);
  });

  it('never grows taller than the terminal', () => {
    // Prepare
    const jobs = Array.from({ length: 30 }, () => job({ status: JobStatus.Queued }));
    // Act
    const frame = liveFrame(jobs, new EtaTracker(), { columns: 60, rows: 10 });
    // Assess
    expect(frame.split('\n')).toHaveLength(9);
    expect(frame).toContain('… and 23 more under way');
  });
});

describe('the statuses a copy can be in once made, stopped or retired', () => {
  const at = (iso: string) => new Date(iso).toISOString();
  const copied = {
    copyStartedAt: at('2026-11-01T00:00:00Z'),
    destinationImageId: 'm-copy0001',
    history: [
      { at: at('2026-11-01T00:00:00Z'), event: 'copy.accepted', from: JobStatus.Dispatching, status: JobStatus.Copying, round: 1, attempt: 1 },
      { at: at('2026-11-01T00:10:00Z'), event: 'copy.observed', from: JobStatus.Copying, status: JobStatus.Available, round: 1, attempt: 1 },
    ],
  };

  it('are told apart in the status table: why a copy stops, that a pruned copy is gone, why one was kept', () => {
    // Prepare: retention ran days after the copy; the copy time is still the copy's.
    const jobs = [
      job({ status: JobStatus.Stopping, progressPercent: 40, stop: { outcome: JobStatus.Cancelled, since: at('2026-11-01T00:05:00Z') } }),
      job({ status: JobStatus.Stopping, progressPercent: 40, stop: { outcome: JobStatus.TimedOut, since: at('2026-11-01T06:00:00Z') } }),
      job({ ...copied, status: JobStatus.Sharing }),
      job({ ...copied, status: JobStatus.Deprecated, finishedAt: at('2026-11-01T00:10:00Z') }),
      job({ ...copied, status: JobStatus.Pruning, finishedAt: at('2026-11-01T00:10:00Z') }),
      job({ ...copied, status: JobStatus.Pruned, finishedAt: at('2026-11-09T00:00:00Z') }),
      job({ ...copied, status: JobStatus.Available, finishedAt: at('2026-11-01T00:10:00Z'), lastError: { code: 'CopyInUse', message: 'instances run from the copy; it is kept', at: at('2026-11-09T00:00:00Z') } }),
    ];
    // Act
    const rows = jobTable(jobs).split('\n').slice(2);
    // Assess
    const cells = rows.map((row) => row.split(/ {2,}/).slice(5, 8));
    expect(cells).toEqual([
      ['stopping (cancel)', 'none'],
      ['stopping (timed out)', 'none'],
      ['sharing', 'm-copy0001', '10.0 min'],
      ['deprecated', 'm-copy0001', '10.0 min'],
      ['pruning', 'm-copy0001', '10.0 min'],
      ['pruned', 'm-copy0001 (deleted)', '10.0 min'],
      ['available, not pruned: CopyInUse', 'm-copy0001', '10.0 min'],
    ]);
  });

  it('mark a copy retired by retention apart from one that failed when it ends', () => {
    // Act
    const lines = [JobStatus.Available, JobStatus.Pruned, JobStatus.Deprecated, JobStatus.Cancelled].map((status) => outcomeLine(job({ ...copied, status })));
    // Assess
    expect(lines.map((line) => line.slice(0, 1))).toEqual(['✓', '·', '·', '✗']);
  });
});

describe('log lines for a person', () => {
  it('print the error text once, then say it is the same, then stop repeating the same message', () => {
    // Prepare
    const shown: string[] = [];
    const show = humanLogLines((line) => shown.push(line));
    const line = (jobId: string) => JSON.stringify({ level: 'warn', message: 'webhook failed, will retry', function: 'notify', jobId, error: 'connect ECONNREFUSED' });
    // Act
    for (const id of ['rj-1', 'rj-2', 'rj-3', 'rj-4', 'rj-5']) show(line(id));
    show('not json at all');
    // Assess
    expect(shown).toEqual([
      'warn  notify: webhook failed, will retry [rj-1]: connect ECONNREFUSED',
      'warn  notify: webhook failed, will retry [rj-2] (same error)',
      'warn  notify: webhook failed, will retry [rj-3] (same error) (shown no more; the log file has every one)',
      'not json at all',
    ]);
  });
});
