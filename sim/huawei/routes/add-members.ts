import { badRequest, imageNotFound, imsError } from '../errors';
import { ImsJobStatus, SHARE_JOB_TYPE, type SimImsImage } from '../model';
import { type Route, type RouteContext, isRecord } from './route';

/** The images (this region's, ours, not deleted) and projects of a batch member call's body. */
export const memberBatch = (context: RouteContext): { images: SimImsImage[]; projects: string[] } => {
  const body = context.body;
  if (!isRecord(body) || !Array.isArray(body.images) || !Array.isArray(body.projects)) throw badRequest();
  const ids = body.images.filter((id): id is string => typeof id === 'string');
  const projects = body.projects.filter((id): id is string => typeof id === 'string');
  if (ids.length !== body.images.length || projects.length !== body.projects.length || ids.length === 0 || projects.length === 0) throw badRequest();
  const images = ids.map((id) => {
    const image = context.state.images.get(id);
    if (image === undefined || image.region !== context.region || image.owner !== context.projectId || image.deletedAt !== undefined) throw imageNotFound();
    return image;
  });
  return { images, projects };
};

/** POST /v1/cloudimages/members: shares images of this region with other projects; a job. */
export const addMembers: Route = {
  action: 'BatchAddMembers',
  method: 'POST',
  pattern: /^\/v1\/cloudimages\/members$/,
  handle(context) {
    const { state } = context;
    const { images, projects } = memberBatch(context);
    for (const image of images) if (image.cmkId !== undefined) throw imsError(400, 'IMG.0098', 'An encrypted image cannot be shared.');
    if (projects.includes(context.projectId)) throw imsError(400, 'IMG.0076', 'You cannot share an image with yourself.');
    for (const image of images) for (const project of projects) image.members.add(project);
    const id = state.newJobId();
    state.jobs.set(id, { id, type: SHARE_JOB_TYPE, region: context.region, projectId: context.projectId, submittedAt: state.nowMs(), status: ImsJobStatus.Init });
    return { status: 200, body: { job_id: id } };
  },
};
