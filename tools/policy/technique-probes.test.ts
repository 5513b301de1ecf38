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

/**
 * Each set with its size and the scores it must keep: recall(block), recall(block+flag) and the false-positive
 * rate, each a little under today's (round 4's long scripts and a few round 3 and 10 lines still miss).
 */
const PROBE_SETS = [
  { file: 'technique-probes.jsonl', items: 1000, blockMin: 0.99, detectMin: 0.99, fprMax: 0.005 },
  { file: 'technique-probes-round3.jsonl', items: 408, blockMin: 0.98, detectMin: 0.99, fprMax: 0.005 },
  { file: 'technique-probes-round4.jsonl', items: 496, blockMin: 0.99, detectMin: 0.98, fprMax: 0.005 },
  { file: 'technique-probes-round6.jsonl', items: 400, blockMin: 0.99, detectMin: 0.99, fprMax: 0.005 },
  { file: 'technique-probes-round7.jsonl', items: 483, blockMin: 0.99, detectMin: 0.99, fprMax: 0.005 },
  { file: 'technique-probes-round8.jsonl', items: 500, blockMin: 0.98, detectMin: 0.99, fprMax: 0.005 },
  { file: 'technique-probes-round9.jsonl', items: 496, blockMin: 0.99, detectMin: 0.99, fprMax: 0.005 },
  // Round 10 keeps labels we deliberately do not follow (printing one's own cloud access token is allowed; see the README).
  { file: 'technique-probes-round10.jsonl', items: 506, blockMin: 0.9, detectMin: 0.94, fprMax: 0.005 },
  { file: 'technique-probes-round11.jsonl', items: 399, blockMin: 0.98, detectMin: 0.99, fprMax: 0.005 },
  { file: 'technique-probes-round12.jsonl', items: 185, blockMin: 0.99, detectMin: 0.99, fprMax: 0.005 },
  // Round 13 is terminal sessions (each line with the earlier ones as history); one cross-line technique still misses (see the probes README).
  { file: 'technique-probes-round13.jsonl', items: 425, blockMin: 0.97, detectMin: 0.97, fprMax: 0.005 },
  // Rounds 14 (2023–2026 intrusion tradecraft) and 15 (sessions, second round) keep misses and debatable labels listed in the probes README.
  { file: 'technique-probes-round14.jsonl', items: 545, blockMin: 0.94, detectMin: 0.96, fprMax: 0.005 },
  { file: 'technique-probes-round15.jsonl', items: 513, blockMin: 0.93, detectMin: 0.93, fprMax: 0.015 },
  // Round 16 is whole saved scripts, one harmful step inside functions, loops and settings blocks.
  { file: 'technique-probes-round16.jsonl', items: 166, blockMin: 0.93, detectMin: 0.95, fprMax: 0.005 },
  // Round 17 is saved scripts again (package managers, WMI/COM, PAM, TCC, metadata); the misses left are listed in the probes README.
  { file: 'technique-probes-round17.jsonl', items: 165, blockMin: 0.91, detectMin: 0.94, fprMax: 0.015 },
  // Round 18 is paste-and-run lures, macOS infostealers and Linux miner droppers (1–6 lines each).
  { file: 'technique-probes-round18.jsonl', items: 292, blockMin: 0.95, detectMin: 0.96, fprMax: 0.005 },
  // Round 19 is hands-on-keyboard intrusion through admin tooling; round 20 living off the land (startup hooks, ETW,
  // COM, launchd, PAM) and obfuscation styles, with look-alikes of each.
  { file: 'technique-probes-round19.jsonl', items: 308, blockMin: 0.91, detectMin: 0.9, fprMax: 0.005 },
  { file: 'technique-probes-round20.jsonl', items: 293, blockMin: 0.96, detectMin: 0.98, fprMax: 0.005 },
  // Round 21 is ransomware staging, lateral movement, exfiltration and developer tools; its misses are in the probes README.
  { file: 'technique-probes-round21.jsonl', items: 341, blockMin: 0.96, detectMin: 0.97, fprMax: 0.01 },
  // Round 22 is the identity and cloud control planes (AD, Exchange Online, Entra ID, cloud CLIs, MDM); round 23
  // application platforms (databases, web servers, containers, package sources). What they still miss is in the probes README.
  { file: 'technique-probes-round22.jsonl', items: 320, blockMin: 0.9, detectMin: 0.97, fprMax: 0.02 },
  { file: 'technique-probes-round23.jsonl', items: 310, blockMin: 0.72, detectMin: 0.72, fprMax: 0.015 },
  { file: 'technique-probes-gaps.jsonl', items: 474, blockMin: 0.99, detectMin: 0.99, fprMax: 0.005 },
];

describe.each(PROBE_SETS)('technique probes: $file', ({ file, items: count, blockMin, detectMin, fprMax }) => {
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
    expect(rate(report.overall.recallBlock), missList()).toBeGreaterThanOrEqual(blockMin);
  });

  it('detects what must be flagged or blocked', () => {
    expect(rate(report.overall.recallBlockFlag), missList()).toBeGreaterThanOrEqual(detectMin);
  });

  it('lets ordinary administration through', () => {
    expect(rate(report.overall.fprAllow), missList()).toBeLessThanOrEqual(fprMax);
  });
});
