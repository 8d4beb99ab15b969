import type { Route } from './route';
import { queryValue } from './route';
import { checkPathProject } from './show-job';

/**
 * GET /v2.1/{project_id}/servers (ECS, the OpenStack Nova API): the tenant's servers in the region,
 * `id`, `name` and `links` each. With `image`, only those started from that image, and then no
 * other filter or paging applies (as ECS documents it): how the product tells whether an image
 * retention would delete is still in use.
 */
export const listServers: Route = {
  action: 'NovaListServers',
  method: 'GET',
  pattern: /^\/v2\.1\/(?<projectId>[^/]+)\/servers$/,
  handle(context) {
    checkPathProject(context);
    const image = queryValue(context, 'image');
    const servers = [...context.state.servers.values()]
      .filter((server) => server.region === context.region && (image === undefined || server.imageId === image))
      .map((server) => ({ id: server.id, name: server.name, links: [] }));
    return { status: 200, body: { servers } };
  },
};
