/**
 * A steady workload for profiling the policy engine (not a benchmark: `npm run bench:policy` is).
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx bench/policy-profile.ts [powershell|bash|cmd|lines] [runs]
 * `lines` evaluates the corpus lines (or the synthetic set); the shells evaluate a 1 MB generated script.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { evaluatePolicy } from '../shared/policy/index';
import { useNativeSha256 } from '../shared/policy/hash';
import type { PolicyInput } from '../shared/policy/types';
import { parseCorpus } from '../tools/policy/score';
import { CONTEXT } from './policy-bench-lib';
import { benignScript, SYNTHETIC_LINES } from './policy-inputs';

useNativeSha256(createHash);

const workload = process.argv[2] ?? 'powershell';
const runs = Number(process.argv[3] ?? 5);
const corpus = fileURLToPath(new URL('../../shared/corpus/commands.dev.jsonl', import.meta.url));

function inputs(): PolicyInput[] {
  if (workload === 'lines') {
    const lines = existsSync(corpus) ? parseCorpus(readFileSync(corpus, 'utf8')).items : SYNTHETIC_LINES;
    return lines.map((l) => ({ text: l.text, shell: l.shell, platform: l.platform, context: CONTEXT }));
  }
  if (workload !== 'powershell' && workload !== 'bash' && workload !== 'cmd') throw new Error(`unknown workload ${workload}`);
  return [
    { text: benignScript(workload, 1_000_000), shell: workload, platform: workload === 'bash' ? 'linux' : 'windows', context: CONTEXT },
  ];
}

const all = inputs();
for (const input of all) evaluatePolicy(input); // warm-up
const started = performance.now();
for (let r = 0; r < runs; r++) for (const input of all) evaluatePolicy(input);
const ms = (performance.now() - started) / runs;
console.log(
  `${workload}: ${ms.toFixed(1)} ms per run of ${all.length} input(s)${all.length > 1 ? `, ${((ms * 1000) / all.length).toFixed(1)} µs each` : ''}`,
);
