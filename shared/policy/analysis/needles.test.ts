import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NeedleSet } from './needles';

/** The obvious implementation the automaton must agree with. */
function naiveFirst(needles: readonly string[], text: string): number {
  return needles.findIndex((n) => text.includes(n));
}

describe('NeedleSet', () => {
  it('finds the first-listed needle, not the first occurrence', () => {
    const set = new NeedleSet(['anydesk', 'desk', 'any']);
    expect(set.first('c:\\tools\\anydesk.exe')).toBe('anydesk');
    expect(set.first('my desk and any')).toBe('desk');
    expect(set.first('nothing here')).toBeUndefined();
  });

  it('reports needles that are suffixes or inner parts of other needles', () => {
    const set = new NeedleSet(['he', 'she', 'his', 'hers']);
    expect(set.presentIn(['ushers']).sort()).toEqual([0, 1, 3]);
    expect(set.presentIn(['ahishe']).sort()).toEqual([0, 1, 2]);
  });

  it('matches non-ASCII needles (zero-width characters, accented letters)', () => {
    const set = new NeedleSet(['\u200b', 'café']);
    expect(set.first('a\u200bb')).toBe('\u200b');
    expect(set.first('le café')).toBe('café');
    expect(set.test('cafe')).toBe(false);
  });

  it('an empty needle matches every text', () => {
    expect(new NeedleSet(['x', '']).firstIndex('abc')).toBe(1);
    expect(new NeedleSet(['']).presentIn([''])).toEqual([0]);
  });

  it('agrees with includes() on any needles and text', () => {
    const alphabet = fc.constantFrom('a', 'b', 'c', '.', '\\', 'é', '\u200b');
    const word = fc.array(alphabet, { maxLength: 6 }).map((cs) => cs.join(''));
    fc.assert(
      fc.property(fc.array(word, { maxLength: 12 }), fc.array(word, { maxLength: 3 }), (needles, texts) => {
        const set = new NeedleSet(needles);
        for (const t of texts) expect(set.firstIndex(t)).toBe(naiveFirst(needles, t));
        const expected = new Set<number>();
        needles.forEach((n, i) => {
          if (texts.some((t) => t.includes(n))) expected.add(i);
        });
        expect(new Set(set.presentIn(texts))).toEqual(expected);
        // Scratch state is cleared: a second call gives the same answer.
        expect(new Set(set.presentIn(texts))).toEqual(expected);
      }),
    );
  });
});
