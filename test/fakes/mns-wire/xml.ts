/**
 * A strict, minimal XML reader and writer for the MNS fake. Strict on purpose: the real service
 * rejects a body with a bare `<`, `&` or `]]>` in text, and the fake must too, so that a test can
 * show an unescaped body breaking while a base64 one survives.
 */
export interface XmlElement {
  readonly name: string;
  readonly children: XmlElement[];
  /** Concatenated character data directly inside the element, entities decoded. */
  text: string;
}

export class XmlSyntaxError extends Error {
  constructor(message: string, position: number) {
    super(`${message} at offset ${position}`);
    this.name = 'XmlSyntaxError';
  }
}

const NAME = /[A-Za-z_][\w.:-]*/y;
const ATTRIBUTE = /\s+[A-Za-z_][\w.:-]*\s*=\s*("[^"<&]*"|'[^'<&]*')/y;
const PROLOG = /<\?xml[^?]*\?>/y;
const PREDEFINED: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

export const parseXml = (source: string): XmlElement => {
  let at = 0;
  const fail = (message: string): never => {
    throw new XmlSyntaxError(message, at);
  };
  const skipSpace = (): void => {
    while (at < source.length && /\s/.test(source[at] ?? '')) at += 1;
  };
  const matchSticky = (pattern: RegExp): string | undefined => {
    pattern.lastIndex = at;
    const found = pattern.exec(source);
    if (!found) return undefined;
    at = pattern.lastIndex;
    return found[0];
  };

  const readEntity = (): string => {
    const end = source.indexOf(';', at);
    if (end < 0 || end - at > 10) fail('unterminated entity');
    const ref = source.slice(at + 1, end);
    at = end + 1;
    const numeric = /^#(x[0-9A-Fa-f]+|\d+)$/.exec(ref);
    if (numeric?.[1]) {
      const point = numeric[1].startsWith('x') ? Number.parseInt(numeric[1].slice(1), 16) : Number.parseInt(numeric[1], 10);
      return String.fromCodePoint(point);
    }
    return PREDEFINED[ref] ?? fail(`unknown entity &${ref};`);
  };

  const readElement = (): XmlElement => {
    if (source[at] !== '<') fail('expected an element');
    at += 1;
    const name = matchSticky(NAME) ?? fail('expected an element name');
    while (matchSticky(ATTRIBUTE) !== undefined);
    skipSpace();
    const element: XmlElement = { name, children: [], text: '' };
    if (source.startsWith('/>', at)) {
      at += 2;
      return element;
    }
    if (source[at] !== '>') fail(`malformed start tag <${name}>`);
    at += 1;
    for (;;) {
      if (at >= source.length) fail(`<${name}> is never closed`);
      if (source.startsWith('</', at)) {
        at += 2;
        const closing = matchSticky(NAME);
        skipSpace();
        if (closing !== name || source[at] !== '>') fail(`expected </${name}>`);
        at += 1;
        return element;
      }
      if (source.startsWith('<![CDATA[', at)) {
        const end = source.indexOf(']]>', at);
        if (end < 0) fail('unterminated CDATA');
        element.text += source.slice(at + 9, end);
        at = end + 3;
      } else if (source[at] === '<') {
        element.children.push(readElement());
      } else if (source[at] === '&') {
        element.text += readEntity();
      } else {
        if (source.startsWith(']]>', at)) fail('"]]>" is not allowed in text');
        element.text += source[at];
        at += 1;
      }
    }
  };

  matchSticky(PROLOG);
  skipSpace();
  const root = readElement();
  skipSpace();
  if (at !== source.length) fail('content after the root element');
  return root;
};

/** The text of each direct child, by element name (the MNS bodies are flat). */
export const childTexts = (element: XmlElement): Record<string, string> =>
  Object.fromEntries(element.children.map((child) => [child.name, child.text]));

export const escapeXml = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');

export const MNS_NAMESPACE = 'http://mns.aliyuncs.com/doc/v1/';

/** `<Root xmlns=...><Field>value</Field>...</Root>`; nested arrays become repeated child elements. */
export const renderXml = (root: string, fields: Readonly<Record<string, string>> | readonly (readonly [string, Readonly<Record<string, string>>])[]): string => {
  const flat = (values: Readonly<Record<string, string>>): string =>
    Object.entries(values)
      .map(([key, value]) => `<${key}>${escapeXml(value)}</${key}>`)
      .join('');
  const inner = Array.isArray(fields)
    ? (fields as readonly (readonly [string, Readonly<Record<string, string>>])[]).map(([name, values]) => `<${name}>${flat(values)}</${name}>`).join('')
    : flat(fields as Readonly<Record<string, string>>);
  return `<?xml version="1.0" encoding="UTF-8"?><${root} xmlns="${MNS_NAMESPACE}">${inner}</${root}>`;
};
