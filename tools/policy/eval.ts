/**
 * `npm run policy:eval -- FILE.jsonl`: scores the engine on a labelled corpus (standard
 * trust, active tenant, no destination rules; items of a `session` see its earlier items as history) and lists
 * the misses.
 * Always exits 0 once the corpus is read: it reports, it does not gate.
 */
import { readFileSync } from 'node:fs';
import { corpusEvaluator } from './corpus-evaluator';
import { formatReport, parseCorpus, scoreCorpus } from './score';
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

const failures: string[] = [];
const started = performance.now();
const report = scoreCorpus(
  items,
  corpusEvaluator(Date.now(), (item, e) => failures.push(`${item.id}: ${e.message}`)),
);
const ms = performance.now() - started;

console.log(`Corpus: ${file}`);
console.log(formatReport(report));
if (failures.length) console.log(`\nEvaluation errors (${failures.length}):\n  ${failures.join('\n  ')}`);
console.log(`\nEvaluated ${report.scored} items in ${ms.toFixed(0)} ms.`);
