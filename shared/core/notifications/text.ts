/**
 * Bounded, inert text. Everything a chat message shows from a job (image names, provider error
 * messages) is user- or provider-chosen: it may be megabytes long, carry control characters that
 * reorder or hide text, or look like a link. These helpers make it one short line of plain text;
 * each channel then escapes it for its own markup.
 */

const segmenter = new Intl.Segmenter('en', { granularity: 'grapheme' });

/** Counted without encoding: this runs once per grapheme while clipping. */
export const utf8Bytes = (text: string): number => Buffer.byteLength(text, 'utf8');

export const ELLIPSIS = '…';

/**
 * C0/C1 controls, line and paragraph separators, bidi embeddings/overrides/isolates (they can make
 * "m-123" read as "321-m"), zero-width spaces and the BOM. The zero-width joiner stays: emoji
 * sequences need it. Built from code points so this file itself holds no invisible characters.
 */
const INVISIBLE = new RegExp(
  `[${[
    '\\u0000-\\u001f',
    '\\u007f-\\u009f',
    '\\u00ad',
    '\\u061c',
    '\\u180e',
    '\\u200b',
    '\\u200e\\u200f',
    '\\u2028-\\u202e',
    '\\u2060-\\u206f',
    '\\ufeff',
    '\\ufff9-\\ufffb',
  ].join('')}]`,
  'g',
);
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * Chat clients turn `scheme://…` and `www.…` into links. Job text must never become a link, so the
 * separators are swapped for look-alikes (the text stays readable, no client recognises a URL).
 */
const defuseLinks = (text: string): string =>
  text.replace(/:\/\//g, ':\u2215\u2215').replace(/\bwww\./gi, (match) => `${match.slice(0, 3)}\u2024`);

/** Grapheme clusters, so a cut never splits an emoji, a combining accent or a surrogate pair. */
export const graphemes = (text: string): string[] => Array.from(segmenter.segment(text), (part) => part.segment);

/**
 * The longest prefix of whole graphemes whose size, as `sizeOf` counts it, stays within `max`, an
 * ellipsis included when something was cut. A single grapheme wider than the budget (a
 * pathological combining sequence) is dropped rather than split.
 */
const clipWith = (text: string, max: number, sizeOf: (part: string) => number): string => {
  if (sizeOf(text) <= max) return text;
  const budget = max - sizeOf(ELLIPSIS);
  if (budget < 0) return '';
  // The longest prefix of whole code points within budget…
  let end = 0;
  let used = 0;
  for (const codePoint of text) {
    const size = sizeOf(codePoint);
    if (used + size > budget) break;
    used += size;
    end += codePoint.length;
  }
  // …backed off to the start of the grapheme it would split. ICU finds that boundary locally,
  // so a long text is not segmented from its beginning.
  const cluster = segmenter.segment(text).containing(end);
  const cut = cluster === undefined ? end : cluster.index;
  return `${text.slice(0, cut).trimEnd()}${ELLIPSIS}`;
};

/** At most `maxBytes` UTF-8 bytes (WeCom, Feishu and DingTalk count bytes). */
export const clipBytes = (text: string, maxBytes: number): string => clipWith(text, maxBytes, utf8Bytes);

/**
 * At most `maxChars` UTF-16 code units. Slack counts "characters"; code units are never fewer
 * than code points or graphemes, so this stays within the limit however Slack counts.
 */
export const clipChars = (text: string, maxChars: number): string => clipWith(text, maxChars, (part) => part.length);

/** Like clipBytes, counted in graphemes (what Slack and Feishu limits roughly count). */
export const clipGraphemes = (text: string, maxGraphemes: number): string => {
  const parts = graphemes(text);
  if (parts.length <= maxGraphemes) return text;
  if (maxGraphemes < 1) return '';
  return `${parts.slice(0, maxGraphemes - 1).join('').trimEnd()}${ELLIPSIS}`;
};

/**
 * One line of inert plain text of at most `maxBytes` UTF-8 bytes: invisible and control
 * characters removed, whitespace runs (newlines included) collapsed, links defused.
 */
export const boundedLine = (raw: unknown, maxBytes: number): string => {
  // Only strings and numbers are text; an object's toString is not something to show anyone.
  let text = typeof raw === 'string' ? raw : typeof raw === 'number' || typeof raw === 'boolean' ? String(raw) : '';
  // Work on a bounded prefix: a 10 MB provider message must not cost 10 MB of regex work.
  const prefixUnits = maxBytes * 2 + 16;
  const cut = text.length > prefixUnits;
  if (cut) text = text.slice(0, prefixUnits);
  text = text
    .replace(LONE_SURROGATE, cut ? '' : '\ufffd')
    .replace(/[\t\n\r\v\f\u0085\u2028\u2029]+/g, ' ')
    .replace(INVISIBLE, '')
    .replace(/\s+/g, ' ')
    .trim();
  text = defuseLinks(text.normalize('NFC'));
  const clipped = clipBytes(text, maxBytes);
  if (!cut || clipped !== text) return clipped;
  // Cut before cleaning yet short enough now: the reader must still see that something is missing.
  return utf8Bytes(text) + utf8Bytes(ELLIPSIS) <= maxBytes ? `${text}${ELLIPSIS}` : clipBytes(text, utf8Bytes(text) - 1);
};
