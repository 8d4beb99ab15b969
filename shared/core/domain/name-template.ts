/**
 * Destination names and descriptions are templates: `{sourceName}-sg`, `Copy of {sourceId}`. A
 * placeholder may be cut to a length, `{sourceName:100}`, so a template can add text and still fit
 * a provider's limit whatever the source name is. Rendering and the checks that a template can
 * only render valid names live here, once.
 */

export const TEMPLATE_FIELDS = ['sourceName', 'sourceId', 'sourceRegion', 'destinationRegion', 'policy'] as const;
export type TemplateField = (typeof TEMPLATE_FIELDS)[number];
export type TemplateValues = Readonly<Record<TemplateField, string>>;

const PLACEHOLDER = /\{([a-zA-Z]+)(?::(\d{1,3}))?\}/g;

type Part = { readonly literal: string } | { readonly field: TemplateField; readonly maxLength?: number | undefined };

/** The template's parts, or the first problem with it. */
export const parseTemplate = (template: string): { parts: Part[] } | { problem: string } => {
  const parts: Part[] = [];
  let last = 0;
  for (const match of template.matchAll(PLACEHOLDER)) {
    const field = match[1] ?? '';
    if (!(TEMPLATE_FIELDS as readonly string[]).includes(field)) {
      return { problem: `placeholders must be one of ${TEMPLATE_FIELDS.map((f) => `{${f}}`).join(', ')}; got {${field}}` };
    }
    const maxLength = match[2] === undefined ? undefined : Number(match[2]);
    if (maxLength === 0) return { problem: `{${field}:0} keeps nothing` };
    if (match.index > last) parts.push({ literal: template.slice(last, match.index) });
    parts.push({ field: field as TemplateField, maxLength });
    last = match.index + match[0].length;
  }
  if (last < template.length) parts.push({ literal: template.slice(last) });
  const stray = parts.find((part) => 'literal' in part && /[{}]/.test(part.literal));
  if (stray !== undefined) return { problem: 'a brace that is not part of a placeholder such as {sourceName}' };
  return { parts };
};

/** Renders a template that parseTemplate accepted. */
export const renderTemplate = (template: string, values: TemplateValues): string =>
  template.replace(PLACEHOLDER, (_, field: string, max: string | undefined) => {
    const value = values[field as TemplateField] ?? '';
    // Cut by code point, so a name is never left with half a character.
    return max === undefined ? value : [...value].slice(0, Number(max)).join('');
  });

/** What a provider accepts as a name (or description), and what each placeholder can hold. */
export interface TextRule {
  /** "an ECS image name": used in messages. */
  readonly what: string;
  readonly minLength: number;
  readonly maxLength: number;
  /** Every character must match (one character, no anchors); undefined = anything printable. */
  readonly allowedChar?: RegExp | undefined;
  readonly firstChar?: RegExp | undefined;
  /** Text the value may not start with (case-insensitive prefixes such as `aliyun`, `http://`). */
  readonly forbiddenPrefixes?: readonly string[] | undefined;
  /** Forbidden anywhere. */
  readonly forbiddenChars?: RegExp | undefined;
  /** The longest value each placeholder can take, and a character it can start with. */
  readonly fields: Readonly<Record<TemplateField, { readonly maxLength: number; readonly startsWith: 'letter' | 'letter-or-digit' }>>;
}

/** Every problem a template can have against a rule, for the longest value each placeholder can take. */
export const templateProblems = (template: string, rule: TextRule): string[] => {
  const parsed = parseTemplate(template);
  if ('problem' in parsed) return [parsed.problem];
  const problems: string[] = [];
  let longest = 0;
  for (const part of parsed.parts) {
    if ('literal' in part) {
      longest += [...part.literal].length;
      const bad = [...part.literal].find((ch) => (rule.allowedChar !== undefined && !rule.allowedChar.test(ch)) || rule.forbiddenChars?.test(ch) === true);
      if (bad !== undefined) problems.push(`${JSON.stringify(bad)} is not allowed in ${rule.what}`);
    } else {
      longest += Math.min(rule.fields[part.field].maxLength, part.maxLength ?? Number.POSITIVE_INFINITY);
    }
  }
  const first = parsed.parts[0];
  if (first !== undefined && rule.firstChar !== undefined) {
    if ('literal' in first) {
      if (!rule.firstChar.test([...first.literal][0] ?? '')) problems.push(`${rule.what} must start with a letter`);
    } else if (rule.fields[first.field].startsWith !== 'letter' && !rule.firstChar.test('0')) {
      problems.push(`{${first.field}} can start with a digit, and ${rule.what} must start with a letter: put a letter before it`);
    }
  }
  const literalStart = first !== undefined && 'literal' in first ? first.literal.toLowerCase() : '';
  const prefix = rule.forbiddenPrefixes?.find((p) => literalStart.startsWith(p.toLowerCase()));
  if (prefix !== undefined) problems.push(`${rule.what} cannot start with ${JSON.stringify(prefix)}`);
  if (longest > rule.maxLength) {
    const cut = parsed.parts.find((part) => 'field' in part && part.maxLength === undefined && rule.fields[part.field].maxLength > 32);
    const hint = cut !== undefined && 'field' in cut ? `; cut a placeholder, e.g. {${cut.field}:${Math.max(1, rule.fields[cut.field].maxLength - (longest - rule.maxLength))}}` : '';
    problems.push(`can render up to ${longest} characters and ${rule.what} allows ${rule.maxLength}${hint}`);
  }
  const shortest = parsed.parts.reduce((n, part) => n + ('literal' in part ? [...part.literal].length : 1), 0);
  if (shortest < rule.minLength && longest < rule.minLength) problems.push(`${rule.what} needs at least ${rule.minLength} characters`);
  return problems;
};
