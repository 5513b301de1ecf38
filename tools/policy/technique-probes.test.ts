/**
 * Regression gate on the technique probes (tools/policy/probes/): attack and look-alike administration
 * lines written for Bulwark, not taken from ../shared/corpus, with rules since written for the
 * techniques they exposed. Thresholds sit a little under today's scores, so a change that loses a
 * technique (or starts blocking ordinary administration) fails here.
 * `npm run policy:eval -- tools/policy/probes/<file>` prints the full report.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { corpusEvaluator } from './corpus-evaluator';
import { parseCorpus, scoreCorpus } from './score';

/** Each set with its size and the recall(block+flag) it must keep (round 4's long scripts still miss a few flags). */
const PROBE_SETS = [
  { file: 'technique-probes.jsonl', items: 1000, detectMin: 0.98 },
  { file: 'technique-probes-round3.jsonl', items: 408, detectMin: 0.98 },
  { file: 'technique-probes-round4.jsonl', items: 496, detectMin: 0.95 },
  { file: 'technique-probes-round6.jsonl', items: 400, detectMin: 0.98 },
  { file: 'technique-probes-round7.jsonl', items: 483, detectMin: 0.97 },
  { file: 'technique-probes-gaps.jsonl', items: 474, detectMin: 0.97 },
];
const RECALL_BLOCK_MIN = 0.97;
const FPR_MAX = 0.01;

describe.each(PROBE_SETS)('technique probes: $file', ({ file, items: count, detectMin }) => {
  const { items, errors } = parseCorpus(readFileSync(new URL(`./probes/${file}`, import.meta.url), 'utf8'));
  const report = scoreCorpus(items, corpusEvaluator(0));
  const rate = (r: { hit: number; total: number }) => r.hit / r.total;
  const missList = () =>
    report.misses
      .slice(0, 40)
      .map((m) => `${m.id} expected ${m.expected} got ${m.got}: ${m.text.slice(0, 100)}`)
      .join('\n');

  it('parses every line', () => {
    expect(errors).toEqual([]);
    expect(items.length).toBe(count);
  });

  it('blocks what must be blocked', () => {
    expect(rate(report.overall.recallBlock), missList()).toBeGreaterThanOrEqual(RECALL_BLOCK_MIN);
  });

  it('detects what must be flagged or blocked', () => {
    expect(rate(report.overall.recallBlockFlag), missList()).toBeGreaterThanOrEqual(detectMin);
  });

  it('lets ordinary administration through', () => {
    expect(rate(report.overall.fprAllow), missList()).toBeLessThanOrEqual(FPR_MAX);
  });
});
