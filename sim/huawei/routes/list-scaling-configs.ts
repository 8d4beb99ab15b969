import { imsError } from '../errors';
import type { SimScalingConfig } from '../model';
import type { Route, RouteContext } from './route';
import { queryValue } from './route';
import { checkPathProject } from './show-job';

/** AS documents 0–100 for `limit`, 20 when absent. */
const MAX_LIMIT = 100;
const DEFAULT_LIMIT = 20;

const configView = (config: SimScalingConfig): Record<string, unknown> => ({
  scaling_configuration_id: config.id,
  scaling_configuration_name: `as-config-${config.id.slice(0, 8)}`,
  scaling_group_id: config.groupId ?? null,
  create_time: new Date(config.createdAt).toISOString().replace(/\.\d{3}Z$/, 'Z'),
  instance_config: {
    imageRef: config.imageRef ?? null,
    disk: [{ size: 40, volume_type: 'SSD', disk_type: 'SYS' }, ...config.dataDiskImageIds.map((id) => ({ size: 100, volume_type: 'SSD', disk_type: 'DATA', data_disk_image_id: id }))],
  },
});

/** A non-negative integer query value, or AS's parameter error. */
const integerQuery = (context: RouteContext, name: string, fallback: number, max: number): number => {
  const raw = queryValue(context, name);
  if (raw === undefined) return fallback;
  const value = /^\d{1,6}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isInteger(value) || value > max) throw imsError(400, 'AS.2019', `The value of ${name} is invalid.`);
  return value;
};

/**
 * GET /autoscaling-api/v1/{project_id}/scaling_configuration (Auto Scaling): the tenant's AS
 * configurations in the region, oldest first, `start_number` an offset and `limit` at most 100.
 * `image_id` filters on the system disk's image only, as AS documents it.
 */
export const listScalingConfigs: Route = {
  action: 'ListScalingConfigs',
  method: 'GET',
  pattern: /^\/autoscaling-api\/v1\/(?<projectId>[^/]+)\/scaling_configuration$/,
  handle(context) {
    checkPathProject(context);
    const start = integerQuery(context, 'start_number', 0, Number.MAX_SAFE_INTEGER);
    const limit = integerQuery(context, 'limit', DEFAULT_LIMIT, MAX_LIMIT);
    const image = queryValue(context, 'image_id');
    const all = [...context.state.scalingConfigs.values()]
      .filter((config) => config.region === context.region && (image === undefined || config.imageRef === image))
      .sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
    return { status: 200, body: { total_number: all.length, start_number: start, limit, scaling_configurations: all.slice(start, start + limit).map(configView) } };
  },
};
