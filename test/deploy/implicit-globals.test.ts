import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { declarationFor, implicitGlobalsOf } from '../../scripts/implicit-globals';

describe('implicitGlobalsOf (what the build declares for sloppy dependencies)', () => {
  it('finds variables a module assigns without declaring, and only those', () => {
    // Prepare
    const source = `var declared = 1;\nfor (key in obj) { size = key; }\nmodule.exports = declared + performance.now();`;
    // Act
    const names = implicitGlobalsOf(source);
    // Assess
    expect(names).toEqual(['key', 'size']);
  });

  it('is not fooled by a package disabling ESLint inline', () => {
    // Act
    const names = implicitGlobalsOf(`/* eslint-disable */\nfor (pro in x) {}`);
    // Assess
    expect(names).toEqual(['pro']);
  });

  it('leaves strict modules alone: they cannot rely on implicit globals', () => {
    // Act
    const names = implicitGlobalsOf(`'use strict';\nexports.a = 1;`);
    // Assess
    expect(names).toEqual([]);
  });

  it('declares with var at module scope, which is what sloppy mode did implicitly', () => {
    // Act
    const line = declarationFor(['key', 'size']);
    // Assess
    expect(line).toBe('var key, size;\n');
    expect(runInNewContext(`'use strict'; ${line} for (key in { a: 1 }) size = key; size;`)).toBe('a');
  });
});
