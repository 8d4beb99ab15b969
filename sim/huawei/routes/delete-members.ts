import { badRequest, imageNotFound } from '../errors';
import { ImsJobStatus } from '../model';
import { type Route, isRecord } from './route';

/** The job type IMS gives a batch removal of members. */
const UNSHARE_JOB_TYPE = 'imsBatchDeleteMembersJob';

/** DELETE /v1/cloudimages/members: takes projects off images of this region; a job, like adding. */
export const deleteMembers: Route = {
  action: 'BatchDeleteMembers',
  method: 'DELETE',
  pattern: /^\/v1\/cloudimages\/members$/,
  handle(context) {
    const { state } = context;
    const body = context.body;
    if (!isRecord(body) || !Array.isArray(body.images) || !Array.isArray(body.projects)) throw badRequest();
    const ids = body.images.filter((id): id is string => typeof id === 'string');
    const projects = body.projects.filter((id): id is string => typeof id === 'string');
    if (ids.length !== body.images.length || projects.length !== body.projects.length || ids.length === 0 || projects.length === 0) throw badRequest();
    const images = ids.map((id) => {
      const image = state.images.get(id);
      if (image === undefined || image.region !== context.region || image.owner !== context.projectId || image.deletedAt !== undefined) throw imageNotFound();
      return image;
    });
    for (const image of images) for (const project of projects) image.members.delete(project);
    const id = state.newJobId();
    state.jobs.set(id, { id, type: UNSHARE_JOB_TYPE, region: context.region, projectId: context.projectId, submittedAt: state.nowMs(), status: ImsJobStatus.Init });
    return { status: 200, body: { job_id: id } };
  },
};
