import { clipGraphemes, graphemes } from '../core/notifications/text';
import type { ListSection, MessageDoc } from './layout';

/**
 * Shrinks a document until its rendering fits a platform's size limit. It shortens the plain
 * text and renders again, rather than cutting the rendered output, so the result never ends in
 * half an escape, half a markup pair or half a multi-byte character. Order: the long detail
 * first (binary search on its length), then list items from the end, then every field.
 */
export class MessageTooLargeError extends Error {
  constructor(limit: number) {
    super(`the message cannot be made to fit ${limit} bytes`);
    this.name = 'MessageTooLargeError';
  }
}

/** Fields are cut to this many graphemes as a last resort; the title and facts stay recognisable. */
const LAST_RESORT_GRAPHEMES = 48;

const withDetailLength = (doc: MessageDoc, length: number): MessageDoc =>
  doc.detail === null ? doc : { ...doc, detail: { ...doc.detail, value: clipGraphemes(doc.detail.value, length) } };

const dropLastItem = (sections: readonly ListSection[]): readonly ListSection[] | undefined => {
  const index = sections.findLastIndex((section) => section.items.length > 0);
  if (index < 0) return undefined;
  return sections.map((section, i) => (i === index ? { ...section, items: section.items.slice(0, -1), more: section.more + 1 } : section));
};

export const fitDoc = (doc: MessageDoc, size: (doc: MessageDoc) => number, limit: number): MessageDoc => {
  if (size(doc) <= limit) return doc;

  let current = doc;
  if (doc.detail !== null) {
    // The longest detail that fits; size grows with length, so a binary search finds it.
    let low = 0;
    let high = graphemes(doc.detail.value).length;
    while (low < high) {
      const middle = Math.ceil((low + high) / 2);
      if (size(withDetailLength(doc, middle)) <= limit) low = middle;
      else high = middle - 1;
    }
    current = withDetailLength(doc, low);
    if (size(current) <= limit) return current;
  }

  for (let sections = dropLastItem(current.sections); sections !== undefined; sections = dropLastItem(sections)) {
    current = { ...current, sections };
    if (size(current) <= limit) return current;
  }

  const clip = (text: string) => clipGraphemes(text, LAST_RESORT_GRAPHEMES);
  current = {
    ...current,
    title: clip(current.title),
    facts: current.facts.map((fact) => ({ label: fact.label, value: clip(fact.value) })),
    detail: current.detail === null ? null : { label: clip(current.detail.label), value: clip(current.detail.value) },
    footer: clip(current.footer),
  };
  if (size(current) <= limit) return current;
  throw new MessageTooLargeError(limit);
};
