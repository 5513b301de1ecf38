/**
 * `npm run bench:policy`: throughput and latency of the command policy engine.
 * Uses the corpus lines from ../shared/corpus when present (never required), else a
 * built-in synthetic set of typical admin lines. Prints figures; asserts nothing.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { evaluatePolicy } from '../shared/policy/index';
import type { Platform, Shell } from '../shared/policy/types';
import { runBenchmark } from './policy-bench-lib';
import { SYNTHETIC_LINES, type BenchLine } from './policy-inputs';
import { createHash } from 'node:crypto';
import { useNativeSha256 } from '../shared/policy/hash';

// Measured as the Node processes run it: with node:crypto's sha256 installed.
useNativeSha256(createHash);

const corpusPath = fileURLToPath(new URL('../../shared/corpus/commands.dev.jsonl', import.meta.url));

function corpusLines(): BenchLine[] | null {
  if (!existsSync(corpusPath)) return null;
  const lines: BenchLine[] = [];
  for (const raw of readFileSync(corpusPath, 'utf8').split('\n')) {
    if (!raw.trim()) continue;
    try {
      const o = JSON.parse(raw) as { text?: unknown; shell?: unknown; platform?: unknown };
      if (typeof o.text === 'string' && typeof o.shell === 'string' && typeof o.platform === 'string') {
        lines.push({ text: o.text, shell: o.shell as Shell, platform: o.platform as Platform });
      }
    } catch {
      /* a broken line is not worth failing a benchmark over */
    }
  }
  return lines.length ? lines : null;
}

const fromCorpus = corpusLines();
runBenchmark(evaluatePolicy, {
  lines: fromCorpus ?? SYNTHETIC_LINES,
  linesSource: fromCorpus ? corpusPath : 'the built-in synthetic set (../shared/corpus not found)',
});
