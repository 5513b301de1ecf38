/**
 * `npm run policy:fingerprint -- --save FILE | --compare FILE`: the engine's full results (decision,
 * reasons with rule ids and spans, destinations) over a fixed set of inputs, saved and compared.
 * For refactoring the engine for speed: a change that should not alter behaviour must compare
 * equal. Inputs: the corpus lines (when ../shared/corpus is present), the benchmark's synthetic
 * lines, the corpus lines again as session history of one another, generated scripts of each shell
 * and the adversarial inputs, both at 64 KiB.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { evaluatePolicy } from '../../shared/policy/index';
import { useNativeSha256 } from '../../shared/policy/hash';
import type { PolicyInput, PolicyResult } from '../../shared/policy/types';
import { adversarialCases, benignScript, SYNTHETIC_LINES, type BenchLine } from '../../bench/policy-inputs';
import { parseCorpus } from './score';

useNativeSha256(createHash);

const CORPUS = fileURLToPath(new URL('../../../shared/corpus/commands.dev.jsonl', import.meta.url));
const CONTEXT = {
  tenantState: 'active',
  trust: { level: 'standard' },
  blockedDestinations: [{ kind: 'domain', value: 'blocked.example' }],
  permittedScriptHashes: [],
  now: 0,
} as const;

function inputs(): { id: string; input: PolicyInput }[] {
  const out: { id: string; input: PolicyInput }[] = [];
  const lines: (BenchLine & { id: string })[] = SYNTHETIC_LINES.map((l, i) => ({ ...l, id: `synthetic-${i}` }));
  if (existsSync(CORPUS)) {
    for (const item of parseCorpus(readFileSync(CORPUS, 'utf8')).items) lines.push({ ...item, id: item.id });
  }
  const context = CONTEXT as unknown as PolicyInput['context'];
  for (const l of lines) out.push({ id: l.id, input: { text: l.text, shell: l.shell, platform: l.platform, context } });
  // Each line with the three lines before it (same shell) as its session history.
  for (let i = 3; i < lines.length; i++) {
    const l = lines[i]!;
    const history = lines
      .slice(i - 3, i)
      .filter((h) => h.shell === l.shell)
      .map((h) => h.text);
    if (history.length === 0) continue;
    out.push({ id: `${l.id}+history`, input: { text: l.text, shell: l.shell, platform: l.platform, context: { ...context, history } } });
  }
  for (const shell of ['powershell', 'bash', 'cmd'] as const) {
    const platform = shell === 'bash' ? 'linux' : 'windows';
    out.push({ id: `script-${shell}`, input: { text: benignScript(shell, 65536), shell, platform, context } });
  }
  for (const c of adversarialCases(65536)) {
    out.push({ id: `adversarial-${c.name}`, input: { text: c.text, shell: c.shell, platform: c.platform, context } });
  }
  return out;
}

function summary(r: PolicyResult): string {
  return JSON.stringify({
    d: r.decision,
    r: r.reasons.map((x) => [x.code, x.ruleId, x.severity, x.spans.map((s) => `${s.start}-${s.end}`).join(',')]),
    dest: r.destinations,
    shell: r.shell,
  });
}

const [mode, file] = process.argv.slice(2).filter((a) => a !== '--');
if ((mode !== '--save' && mode !== '--compare') || !file) {
  console.log('Usage: npm run policy:fingerprint -- --save FILE | --compare FILE');
  process.exit(2);
}
const started = performance.now();
const results: Record<string, string> = {};
for (const { id, input } of inputs()) results[id] = summary(evaluatePolicy(input));
const ms = performance.now() - started;
if (mode === '--save') {
  writeFileSync(file, JSON.stringify(results));
  console.log(`${Object.keys(results).length} results saved to ${file} (${ms.toFixed(0)} ms)`);
} else {
  const saved = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
  let differences = 0;
  for (const id of new Set([...Object.keys(saved), ...Object.keys(results)])) {
    if (saved[id] === results[id]) continue;
    differences++;
    if (differences <= 20) console.log(`${id}\n  saved: ${saved[id] ?? '(none)'}\n  now:   ${results[id] ?? '(none)'}`);
  }
  console.log(`${differences} of ${Object.keys(results).length} results differ (${ms.toFixed(0)} ms)`);
  process.exitCode = differences > 0 ? 1 : 0;
}
