import { describe, expect, it } from 'vitest';
import { RetryableError, TerminalError } from '../../../shared/core/domain/errors';
import { deleteSnapshots } from '../../../shared/providers/alibaba-ecs/delete-snapshots';

/** ECS answering DeleteSnapshot per snapshot id: deleted, or the error given. */
const ecsAnswering = (errors: Record<string, Error>) => {
  const deleted: string[] = [];
  return {
    deleted,
    extras: {
      async deleteSnapshot(_region: string, snapshotId: string): Promise<void> {
        await Promise.resolve();
        const error = errors[snapshotId];
        if (error !== undefined) throw error;
        deleted.push(snapshotId);
      },
    },
  };
};

describe('deleting a gone copy’s snapshots on ECS', () => {
  it('leaves behind only what ECS keeps for somebody else (a disk made from it), and goes on with the others', async () => {
    // Prepare
    const ecs = ecsAnswering({ 's-disk': new TerminalError('SnapshotCreatedDisk', 'ECS DeleteSnapshot in cn-shanghai failed: SnapshotCreatedDisk: The snapshot has been used to create disks.') });

    // Act
    const left = await deleteSnapshots(ecs.extras, 'cn-shanghai', ['s-disk', 's-free']);

    // Assess
    expect(left.map((part) => part.id)).toEqual(['s-disk']);
    expect(ecs.deleted).toEqual(['s-free']);
  });

  it('does not give up a snapshot ECS says an image still holds: right after our DeleteImage that may be ECS catching up', async () => {
    // Prepare
    const ecs = ecsAnswering({ 's-image': new TerminalError('SnapshotCreatedImage', 'ECS DeleteSnapshot in cn-shanghai failed: SnapshotCreatedImage: The snapshot has been used to create user defined image(s).') });

    // Act
    const error = await deleteSnapshots(ecs.extras, 'cn-shanghai', ['s-image']).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );

    // Assess
    expect(error).toMatchObject({ code: 'CopyPartlyDeleted', details: { snapshot: 's-image', code: 'SnapshotCreatedImage' } });
  });

  it('does not record as done a snapshot a missing permission kept: the deletion is partly done, terminal, and tried again', async () => {
    // Prepare
    const ecs = ecsAnswering({ 's-2': new TerminalError('Forbidden.RAM', 'ECS DeleteSnapshot in cn-shanghai failed: Forbidden.RAM: User not authorized to operate on the specified resource.') });

    // Act
    const error = await deleteSnapshots(ecs.extras, 'cn-shanghai', ['s-1', 's-2', 's-3']).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );

    // Assess
    expect(error).toMatchObject({ code: 'CopyPartlyDeleted', retryable: false, remaining: ['s-2', 's-3'], details: { snapshot: 's-2', code: 'Forbidden.RAM' } });
    expect(ecs.deleted).toEqual(['s-1']);
  });

  it('keeps a throttled deletion retryable, as partly done', async () => {
    // Prepare
    const ecs = ecsAnswering({ 's-1': new RetryableError('Throttling.User', 'Request was denied due to user flow control.') });

    // Act
    const error = await deleteSnapshots(ecs.extras, 'cn-shanghai', ['s-1']).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );

    // Assess
    expect(error).toMatchObject({ code: 'CopyPartlyDeleted', retryable: true });
  });
});
