/** What a lexer works on: one layer, plus the document builder it reports into. */
import type { Layer } from './document';
import type { DocBuilder, VariableTable } from './builder';

export interface LexTarget {
  text: string;
  layer: Layer;
  layerIndex: number;
  depth: number;
  builder: DocBuilder;
  vars: VariableTable;
}

export function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0b || c === 0x0c;
}

export function isAlnum(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

export function isIdentChar(c: number): boolean {
  return isAlnum(c) || c === 0x5f;
}

/** indexOf bounded to `maxDistance` characters (keeps repeated look-aheads linear overall). */
export function indexWithin(text: string, ch: string, from: number, maxDistance: number, stopAt = ''): number {
  const limit = Math.min(text.length, from + maxDistance);
  for (let i = from; i < limit; i++) {
    const c = text[i] as string;
    if (c === ch) return i;
    if (stopAt.includes(c)) return -1;
  }
  return -1;
}
