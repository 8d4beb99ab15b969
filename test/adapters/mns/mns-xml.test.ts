import { describe, expect, it } from 'vitest';
import { XmlError, childTexts, parseXml, renderXml } from '../../../shared/stores/mns/xml';

describe("the MNS client's XML", () => {
  it('escapes every metacharacter it writes, so the fake reads the text back unchanged', () => {
    // Prepare
    const awkward = `a<b & c ]]> "q" 'a'`;

    // Act
    const xml = renderXml('Message', { MessageBody: awkward, DelaySeconds: 0, Priority: undefined });

    // Assess
    expect(xml).not.toContain('<b');
    expect(childTexts(parseXml(xml))).toEqual({ MessageBody: awkward, DelaySeconds: '0' });
  });

  it('reads a batch answer with a namespace, entities and CDATA', () => {
    // Act
    const root = parseXml(
      '<?xml version="1.0" encoding="UTF-8"?>\n<Messages xmlns="http://mns.aliyuncs.com/doc/v1/"><Message><MessageBody>&lt;&#233;<![CDATA[<raw>]]></MessageBody></Message></Messages>',
    );

    // Assess
    expect(root.children.map(childTexts)).toEqual([{ MessageBody: '<é<raw>' }]);
  });

  it.each(['<R><T>a</R>', '<R>x</R><R/>', '<R>&nope;</R>', '<R>a & b</R>', '<R>unterminated'])('refuses %s rather than half read it', (xml) => {
    // Act
    const parse = (): unknown => parseXml(xml);

    // Assess
    expect(parse).toThrow(XmlError);
  });
});
