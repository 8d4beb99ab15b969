import { describe, expect, it } from 'vitest';
import { JobViewV1, jobView } from '../../cli/job-view';
import { finishedJob } from '../notifications/finished-jobs';

describe('the job as the CLI prints it', () => {
  it('names what the provider kept of a pruned copy, and null for a copy nothing was left of', () => {
    // Prepare
    const kept = [{ id: 's-bp1data0001', why: 'ECS DeleteSnapshot in cn-shanghai failed: SnapshotCreatedDisk: The snapshot has been used to create disks.' }];
    const leaving = finishedJob({ outcome: 'pruned', id: 'p1', leftBehind: kept });
    const clean = finishedJob({ outcome: 'pruned', id: 'p2' });

    // Act
    const views = [jobView(leaving), jobView(clean)];

    // Assess
    expect(views.map((view) => [view.status, view.destination.leftBehind])).toEqual([
      ['pruned', kept],
      ['pruned', null],
    ]);
    for (const view of views) expect(JobViewV1.safeParse(view).success).toBe(true);
  });
});
