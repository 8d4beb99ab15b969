import { ImsJobStatus } from '../model';
import { memberBatch } from './add-members';
import type { Route } from './route';

/** The job type IMS gives a batch removal of members. */
const UNSHARE_JOB_TYPE = 'imsBatchDeleteMembersJob';

/** DELETE /v1/cloudimages/members: takes projects off images of this region; a job, like adding. */
export const deleteMembers: Route = {
  action: 'BatchDeleteMembers',
  method: 'DELETE',
  pattern: /^\/v1\/cloudimages\/members$/,
  handle(context) {
    const { state } = context;
    const { images, projects } = memberBatch(context);
    for (const image of images) for (const project of projects) image.members.delete(project);
    const id = state.newJobId();
    state.jobs.set(id, { id, type: UNSHARE_JOB_TYPE, region: context.region, projectId: context.projectId, submittedAt: state.nowMs(), status: ImsJobStatus.Init });
    return { status: 200, body: { job_id: id } };
  },
};
