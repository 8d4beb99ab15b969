import { RE2JS } from 're2js';

/**
 * Policies select images by a pattern on their name. The names come from the cloud, and anybody
 * who can create an image in the account chooses them: a backtracking engine (JavaScript's own
 * RegExp) can spend seconds on one crafted name for a pattern such as `^([a-z0-9]+-?)+$`. Patterns
 * are therefore RE2 syntax, matched by RE2JS in time linear in the name: no look-around and no
 * back-references, which RE2 refuses at validation with a clear message.
 */
const compiled = new Map<string, RE2JS>();

/** The RE2 reason a pattern is refused, or undefined when it compiles. */
export const namePatternProblem = (pattern: string): string | undefined => {
  try {
    RE2JS.compile(pattern);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
};

/** Does the pattern occur in the name (like RegExp.test, anchors as written). */
export const matchesNamePattern = (pattern: string, name: string): boolean => {
  let re = compiled.get(pattern);
  if (re === undefined) {
    re = RE2JS.compile(pattern);
    compiled.set(pattern, re);
  }
  return re.matcher(name).find();
};
