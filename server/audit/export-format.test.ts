import { describe, expect, it } from 'vitest';
import type { ApiError } from '../errors';
import { containsPattern, decodeCursor, encodeCursor } from './cursor';
import { csvCell, csvRow, jsonLine } from './export-format';
import { boundedText, storableText } from './text';

describe('CSV cells', () => {
  it('quotes every cell and doubles quotes', () => {
    expect(csvCell('plain')).toBe('"plain"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\r\nlines, with comma')).toBe('"two\r\nlines, with comma"');
    expect(csvCell(null)).toBe('""');
    expect(csvCell(['a', 'b'])).toBe('"a;b"');
    expect(csvCell(true)).toBe('"true"');
  });

  it('neutralises spreadsheet formulas (= + - @ tab CR at the start)', () => {
    for (const start of ['=', '+', '-', '@', '\t', '\r']) {
      expect(csvCell(`${start}HYPERLINK("x")`)).toBe(`"'${start}HYPERLINK(""x"")"`);
    }
    expect(csvCell('a=b')).toBe('"a=b"');
    expect(csvCell(-5)).toBe(`"'-5"`);
  });

  it('ends rows with CRLF', () => {
    expect(csvRow(['a', 1])).toBe('"a","1"\r\n');
  });

  it('JSON Lines: one record per line even with newlines inside', () => {
    const line = jsonLine({ text: 'a\nb\u2028c' });
    expect(line.split('\n')).toHaveLength(2);
    expect(JSON.parse(line)).toEqual({ text: 'a\nb\u2028c' });
  });
});

describe('cursors and search patterns', () => {
  it('round-trips a keyset position and refuses anything else', () => {
    const at = new Date('2030-01-02T03:04:05.678Z');
    expect(decodeCursor(encodeCursor({ at, seq: '42' }))).toEqual({ at, seq: '42' });
    expect(decodeCursor(encodeCursor({ at, seq: 7, source: 'login' }), { withSource: true })).toEqual({ at, seq: '7', source: 'login' });
    for (const bad of [
      '',
      'x',
      Buffer.from('["2030-01-02T03:04:05.678Z","1; drop"]').toString('base64url'),
      encodeCursor({ at, seq: 1, source: 'audit' }),
    ]) {
      let fields: Record<string, string> | undefined;
      try {
        decodeCursor(bad);
      } catch (error) {
        fields = (error as ApiError).fields;
      }
      expect(fields?.['query.cursor']).toMatch(/cursor/);
    }
  });

  it('escapes LIKE wildcards and the escape character', () => {
    expect(containsPattern('50%_off\\')).toBe('%50\\%\\_off\\\\%');
  });
});

describe('storable text', () => {
  it('replaces NUL and lone surrogates, keeping the length', () => {
    const text = 'a\u0000b\uD800c\uDC00d\uD83D\uDE00';
    expect(storableText(text)).toBe('a\uFFFDb\uFFFDc\uFFFDd\uD83D\uDE00');
    expect(storableText(text)).toHaveLength(text.length);
  });

  it('bounds text without splitting a surrogate pair', () => {
    expect(boundedText('ab\uD83D\uDE00', 3)).toBe('ab');
    expect(boundedText('abc', 5)).toBe('abc');
  });
});
