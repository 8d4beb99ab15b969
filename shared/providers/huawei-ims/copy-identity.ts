/**
 * How we recognise our own copy in a destination region. A cross-region copy takes no client token
 * and no tags, so the only things it carries from the request are its name and description: the
 * name is deterministic per job, and the description ends with a marker naming the job.
 */
const MARKER_PREFIX = 'image-replicator job ';
/** IMS limit on descriptions. */
export const MAX_DESCRIPTION_LENGTH = 1024;
export const MAX_NAME_LENGTH = 128;

/** Job ids we put in a description: no spaces, CR or angle brackets, bounded. */
const JOB_ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;
const MARKER_PATTERN = /(?:^|\s)image-replicator job ([A-Za-z0-9._-]{1,64})$/;
/** IMS image names: letters, digits, `-`, `.`, `_`, spaces and CJK; no space at either end. */
const NAME_PATTERN = /^[A-Za-z0-9\-._\u4e00-\u9fff](?:[A-Za-z0-9\-._ \u4e00-\u9fff]*[A-Za-z0-9\-._\u4e00-\u9fff])?$/;

export const isMarkableJobId = (jobId: string): boolean => JOB_ID_PATTERN.test(jobId);

/** Why IMS would refuse this name, or undefined. */
export const nameProblem = (name: string): string | undefined => {
  if (name.length === 0 || name.length > MAX_NAME_LENGTH) return `the image name must be 1–${MAX_NAME_LENGTH} characters, got ${name.length}`;
  if (!NAME_PATTERN.test(name)) return 'the image name may hold only letters, digits, "-", ".", "_", spaces and CJK, and no space at either end';
  return undefined;
};

/**
 * The description to send: the caller's, without what IMS refuses (CR, LF, `<`, `>`), cut so the
 * job marker always fits at the end.
 */
export const markedDescription = (description: string | undefined, jobId: string): string => {
  const marker = `${MARKER_PREFIX}${jobId}`;
  const clean = (description ?? '').replace(/[\r\n]+/g, ' ').replace(/[<>]/g, '').trim();
  if (clean === '') return marker;
  const room = MAX_DESCRIPTION_LENGTH - marker.length - 1;
  return `${clean.slice(0, room).trimEnd()} ${marker}`;
};

/** The job a description names, if it carries our marker. */
export const markedJobId = (description: string | null | undefined): string | undefined =>
  description === null || description === undefined ? undefined : MARKER_PATTERN.exec(description)?.[1];
