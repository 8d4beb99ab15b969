/**
 * Just enough XML for MNS's answers (a root element holding text elements, or a list of such
 * elements) and for its requests (escaped text elements). Strict: anything malformed throws, so
 * an odd answer is never half read.
 */

export interface XmlElement {
  readonly name: string;
  readonly children: readonly XmlElement[];
  readonly text: string;
}

export class XmlError extends Error {
  override readonly name = 'XmlError';
}

const ENTITIES: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

const decodeText = (raw: string): string =>
  raw.replace(/&(#x[0-9a-fA-F]+|#\d+|\w+);|&/g, (match, entity: string | undefined) => {
    if (entity === undefined) throw new XmlError('a bare "&" in text');
    if (entity.startsWith('#x')) return String.fromCodePoint(Number.parseInt(entity.slice(2), 16));
    if (entity.startsWith('#')) return String.fromCodePoint(Number.parseInt(entity.slice(1), 10));
    const named = ENTITIES[entity];
    if (named === undefined) throw new XmlError(`unknown entity ${match}`);
    return named;
  });

export const escapeXml = (text: string): string =>
  text.replace(/[<>&"']/g, (char) => `&${Object.keys(ENTITIES).find((name) => ENTITIES[name] === char) ?? 'amp'};`);

/** Parses one document: an optional declaration, then exactly one root element. */
export const parseXml = (source: string): XmlElement => {
  let pos = 0;
  const skipSpace = (): void => {
    while (pos < source.length && /\s/.test(source[pos] ?? '')) pos += 1;
  };
  const expect = (text: string): void => {
    if (!source.startsWith(text, pos)) throw new XmlError(`expected "${text}" at ${pos}`);
    pos += text.length;
  };
  const element = (): XmlElement => {
    expect('<');
    const name = /^[A-Za-z_][\w.-]*/.exec(source.slice(pos))?.[0];
    if (!name) throw new XmlError(`expected an element name at ${pos}`);
    pos += name.length;
    // Attributes (only xmlns in MNS answers) are skipped, quotes respected.
    const tagEnd = /^(?:\s+[\w:.-]+\s*=\s*(?:"[^"<]*"|'[^'<]*'))*\s*(\/?)>/.exec(source.slice(pos));
    if (!tagEnd) throw new XmlError(`malformed tag <${name}>`);
    pos += tagEnd[0].length;
    if (tagEnd[1] === '/') return { name, children: [], text: '' };
    const children: XmlElement[] = [];
    let text = '';
    for (;;) {
      if (pos >= source.length) throw new XmlError(`<${name}> is not closed`);
      if (source.startsWith('</', pos)) {
        expect(`</${name}`);
        skipSpace();
        expect('>');
        return { name, children, text };
      }
      if (source.startsWith('<![CDATA[', pos)) {
        const end = source.indexOf(']]>', pos);
        if (end < 0) throw new XmlError('unterminated CDATA');
        text += source.slice(pos + 9, end);
        pos = end + 3;
      } else if (source.startsWith('<', pos)) children.push(element());
      else {
        const next = source.indexOf('<', pos);
        const end = next < 0 ? source.length : next;
        text += decodeText(source.slice(pos, end));
        pos = end;
      }
    }
  };
  skipSpace();
  if (source.startsWith('<?xml', pos)) {
    const end = source.indexOf('?>', pos);
    if (end < 0) throw new XmlError('unterminated declaration');
    pos = end + 2;
  }
  skipSpace();
  const root = element();
  skipSpace();
  if (pos !== source.length) throw new XmlError('content after the root element');
  return root;
};

/** A flat element's children as name → text (the shape of every MNS answer record). */
export const childTexts = (element: XmlElement): Record<string, string> =>
  Object.fromEntries(element.children.map((child) => [child.name, child.text]));

/** `<root xmlns="…"><k>v</k>…</root>` with every value escaped. */
export const renderXml = (root: string, fields: Readonly<Record<string, string | number | undefined>>): string =>
  `<?xml version="1.0" encoding="UTF-8"?><${root} xmlns="http://mns.aliyuncs.com/doc/v1/">${Object.entries(fields)
    .filter((entry): entry is [string, string | number] => entry[1] !== undefined)
    .map(([name, value]) => `<${name}>${escapeXml(String(value))}</${name}>`)
    .join('')}</${root}>`;
