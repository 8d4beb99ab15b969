import { checkTag } from '../naming-rules';
import { booleanParam, repeatList, scalarList } from '../params';
import { SimApiError } from '../sim-errors';
import type { ActionHandler } from './action';
import { MAX_TAGS_PER_RESOURCE, tagTargets } from './tag-targets';

const MAX_TAGS_PER_CALL = 20;

const missingTags = (): SimApiError => new SimApiError(404, 'MissingParameter.Tags', 'The parameter - Tags should not be null');

/** Adds tags (a key already on a resource gets the new value); all-or-nothing across the resources. */
export const tagResources: ActionHandler = ({ state, params }) => {
  const targets = tagTargets(state, params);
  const tags = repeatList(params, 'Tag', MAX_TAGS_PER_CALL, 'NumberExceed.Tags').map((entry): [string, string] => {
    if (entry.Key === undefined || entry.Key === '') throw new SimApiError(400, 'InvalidTagKey.Malformed', 'The specified Tag.n.Key is not valid.');
    checkTag(entry.Key, entry.Value);
    return [entry.Key, entry.Value ?? ''];
  });
  if (tags.length === 0) throw missingTags();
  if (new Set(tags.map(([key]) => key)).size !== tags.length) throw new SimApiError(400, 'Duplicate.TagKey', 'The Tag.N.Key contain duplicate key.');
  const merged = targets.map((target) => {
    const next = new Map(target.tags);
    for (const [key, value] of tags) next.set(key, value);
    if (next.size > MAX_TAGS_PER_RESOURCE) {
      throw new SimApiError(400, 'OperationDenied.QuotaExceed', 'The quota of tags on resource is beyond permitted range.');
    }
    return [...next.entries()];
  });
  targets.forEach((target, i) => {
    target.tags = merged[i] ?? target.tags;
  });
  return {};
};

/** Removes the given TagKey.N, or every tag with All=true (which counts only without TagKey.N). */
export const untagResources: ActionHandler = ({ state, params }) => {
  const targets = tagTargets(state, params);
  const keys = scalarList(params, 'TagKey', MAX_TAGS_PER_CALL, 'NumberExceed.Tags');
  const all = booleanParam(params, 'All') === true && keys.length === 0;
  if (keys.length === 0 && !all) throw missingTags();
  for (const target of targets) target.tags = all ? [] : target.tags.filter(([key]) => !keys.includes(key));
  return {};
};
