/**
 * `npm run policy:eval -- FILE.jsonl`: scores the engine on a labelled corpus (standard
 * trust, active tenant, no destination rules, each item on its own) and lists the misses.
 * Always exits 0 once the corpus is read: it reports, it does not gate.
 */
import { readFileSync } from 'node:fs';
import { evaluatePolicy } from '../../shared/policy/index';
import type { Decision } from '../../shared/policy/types';
import { buildContext } from './evaluate-stream';
import { formatReport, parseCorpus, scoreCorpus, type CorpusItem } from './score';
import { createHash } from 'node:crypto';
import { useNativeSha256 } from '../../shared/policy/hash';

useNativeSha256(createHash);

const file = process.argv.slice(2).find((a) => a !== '--');
if (!file || file === '--help' || file === '-h') {
  console.log('Usage: npm run policy:eval -- FILE.jsonl   (corpus format: ../shared/corpus/README.md)');
  process.exit(file ? 0 : 2);
}

let content: string;
try {
  content = readFileSync(file, 'utf8');
} catch (e) {
  console.error(`policy:eval: cannot read ${file}: ${(e as Error).message}`);
  process.exit(2);
}
const { items, errors } = parseCorpus(content);
for (const e of errors) console.error(`policy:eval: skipped ${e}`);

const now = Date.now();
const context = buildContext({ trust: 'standard', blockedDestinations: [], now });
const failures: string[] = [];
const started = performance.now();
const report = scoreCorpus(items, (item: CorpusItem): Decision | 'error' => {
  try {
    return evaluatePolicy({ text: item.text, shell: item.shell, platform: item.platform, action: 'terminal_line', context }).decision;
  } catch (e) {
    failures.push(`${item.id}: ${(e as Error).message}`);
    return 'error';
  }
});
const ms = performance.now() - started;

console.log(`Corpus: ${file}`);
console.log(formatReport(report));
if (failures.length) console.log(`\nEvaluation errors (${failures.length}):\n  ${failures.join('\n  ')}`);
console.log(`\nEvaluated ${report.scored} items in ${ms.toFixed(0)} ms.`);
