import { imsError } from '../errors';
import { jobView } from '../views';
import type { Route, RouteContext } from './route';

/** A path project that is not the caller's project. */
export const checkPathProject = (context: RouteContext): void => {
  if (context.params.projectId !== context.projectId) throw imsError(400, 'IMG.0067', 'The project ID is incorrect.');
};

/**
 * GET /v1/{project_id}/jobs/{job_id}: answers only in the region and project the job was
 * submitted to. The body of the 404 for an unknown job is not documented; this one is a guess.
 */
export const showJob: Route = {
  action: 'ShowJob',
  method: 'GET',
  pattern: /^\/v1\/(?<projectId>[^/]+)\/jobs\/(?<jobId>[^/]+)$/,
  handle(context) {
    checkPathProject(context);
    const job = context.state.jobs.get(context.params.jobId ?? '');
    if (job === undefined || job.region !== context.region || job.projectId !== context.projectId) {
      throw imsError(404, 'IMG.0121', 'The object cannot be found.');
    }
    return { status: 200, body: jobView(context.state, job) };
  },
};
