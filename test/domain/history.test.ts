import { describe, expect, it } from 'vitest';
import { ImageState } from '../../shared/core/domain/image';
import { type Job, JobStatus } from '../../shared/core/domain/job';
import { MAX_HISTORY_ENTRIES } from '../../shared/core/domain/history';
import { advance, newJob } from '../../shared/core/domain/job-transitions';

const spec = {
  policy: 'golden',
  provider: 'alibaba',
  account: 'default',
  source: { region: 'cn-hangzhou', imageId: 'm-1', imageName: 'golden' },
  destination: { region: 'cn-shanghai', imageName: 'golden', tags: {} },
  copyTimeoutSeconds: 3600,
  maxAttempts: 100,
  webhooks: [],
} as const;
const at = (minute: number) => new Date(Date.UTC(2026, 2, 1, 0, minute));

describe('a job keeps its history', () => {
  it('records what happened, when, why and which call, but not progress alone', () => {
    // Prepare
    let job: Job = newJob('rj-1', spec, ImageState.Available, at(0));
    // Act
    job = advance(job, { type: 'dispatch.claimed' }, at(1));
    job = advance(job, { type: 'dispatch.deferred', reason: { code: 'Busy', message: 'another copy of the image runs' } }, at(2));
    job = advance(job, { type: 'dispatch.claimed' }, at(3));
    job = advance(job, { type: 'copy.accepted', handle: 'm-c', destinationImageId: 'm-c' }, at(4));
    job = advance(job, { type: 'copy.observed', state: 'running', progressPercent: 40 }, at(5));
    job = advance(job, { type: 'copy.observed', state: 'available' }, at(6));
    // Assess
    expect(job.history?.map((e) => [e.event, e.from ?? '', e.status, e.call ?? '', e.code ?? ''])).toEqual([
      ['created', '', JobStatus.Queued, '', ''],
      ['dispatch.claimed', JobStatus.Queued, JobStatus.Dispatching, '', ''],
      ['dispatch.deferred', JobStatus.Dispatching, JobStatus.Queued, 'startCopy', 'Busy'],
      ['dispatch.claimed', JobStatus.Queued, JobStatus.Dispatching, '', ''],
      ['copy.accepted', JobStatus.Dispatching, JobStatus.Copying, 'startCopy', ''],
      ['copy.observed', JobStatus.Copying, JobStatus.Available, 'observeCopies', ''],
    ]);
  });

  it('stays bounded over many rounds, keeping the first entry and the latest ones', () => {
    // Prepare
    let job: Job = newJob('rj-1', spec, ImageState.Available, at(0));
    // Act
    for (let i = 0; i < 60; i += 1) {
      job = advance(job, { type: 'dispatch.claimed' }, at(i * 2 + 1));
      job = advance(job, { type: 'dispatch.deferred', reason: { code: `Busy${i}`, message: 'later' } }, at(i * 2 + 2));
    }
    // Assess
    expect(job.history).toHaveLength(MAX_HISTORY_ENTRIES);
    expect(job.history?.[0]?.event).toBe('created');
    expect(job.history?.at(-1)?.code).toBe('Busy59');
    expect(job.historyDropped).toBe(121 - MAX_HISTORY_ENTRIES);
  });
});
