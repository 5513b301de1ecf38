/**
 * The policy benchmark, with the evaluator passed in. Prints figures and whether each
 * target is met; asserts nothing (timings depend on the machine).
 *
 * Targets (issue 3, 2-core machine): p50 ≤ 20 µs for a typical line, ≥ 50 MB/s on scripts,
 * adversarial input ≤ 3× the time of benign input of the same size and shell.
 */
import type { PolicyContext, PolicyInput, PolicyResult } from '../shared/policy/types';
import { adversarialCases, benignScript, type BenchLine } from './policy-inputs';

export type Evaluator = (input: PolicyInput) => PolicyResult;

const MB = 1 << 20;

export const CONTEXT: PolicyContext = {
  tenantState: 'active',
  trust: { level: 'standard' },
  now: 1_700_000_000_000,
  blockedDestinations: [{ id: 'b1', kind: 'domain', value: 'blocked.example' }],
  destinationAllowlist: null,
  permittedScriptHashes: [],
  history: [],
};

function nowNs(): bigint {
  return process.hrtime.bigint();
}

function quantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}

function fmtUs(ns: number): string {
  return `${(ns / 1000).toFixed(1)} µs`;
}

function met(ok: boolean): string {
  return ok ? 'met' : 'NOT met';
}

/** Best-of-`runs` wall time in ms, plus the last result (for sanity: decision, reasons). */
function timeIt(evaluate: Evaluator, input: PolicyInput, runs: number): { ms: number; result?: PolicyResult; error?: string } {
  let best = Infinity;
  let result: PolicyResult | undefined;
  for (let r = 0; r < runs; r++) {
    const t0 = nowNs();
    try {
      result = evaluate(input);
    } catch (e) {
      return { ms: NaN, error: (e as Error).message };
    }
    best = Math.min(best, Number(nowNs() - t0) / 1e6);
  }
  return result ? { ms: best, result } : { ms: best };
}

/** The words of `text` split at blanks, each as an object with its offsets: a floor under any lexer that hands words to rules. */
function splitIntoWords(text: string): { value: string; start: number; end: number }[] {
  const words: { value: string; start: number; end: number }[] = [];
  const n = text.length;
  let i = 0;
  while (i < n) {
    while (i < n && isBlank(text.charCodeAt(i))) i++;
    const start = i;
    while (i < n && !isBlank(text.charCodeAt(i))) i++;
    if (i > start) words.push({ value: text.slice(start, i), start, end: i });
  }
  return words;
}

function isBlank(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d;
}

function bestOf(run: () => unknown[], runs: number): { ms: number; words: number } {
  let best = Infinity;
  let words = 0;
  for (let r = 0; r < runs; r++) {
    const t0 = nowNs();
    words = run().length;
    best = Math.min(best, Number(nowNs() - t0) / 1e6);
  }
  return { ms: best, words };
}

function summary(result: PolicyResult | undefined): string {
  if (!result) return '';
  const codes = [...new Set(result.reasons.map((r) => r.code))];
  return `${result.decision}${codes.length ? ` [${codes.slice(0, 4).join(', ')}${codes.length > 4 ? ', …' : ''}]` : ''}`;
}

export interface BenchOptions {
  lines: readonly BenchLine[];
  linesSource: string;
  /** Sizes of the large-script runs, in MB (default 1 and 10). */
  scriptSizesMb?: readonly number[];
  adversarialSize?: number;
  log?: (line: string) => void;
}

export function runBenchmark(evaluate: Evaluator, options: BenchOptions): void {
  const log = options.log ?? ((l: string) => console.log(l));
  const lines = options.lines;
  const input = (l: BenchLine): PolicyInput => ({
    text: l.text,
    shell: l.shell,
    platform: l.platform,
    action: 'terminal_line',
    context: CONTEXT,
  });
  const inputs = lines.map(input);

  log(`Bulwark policy benchmark (node ${process.version}, ${process.platform}/${process.arch})`);
  log('');
  log(`Lines: ${lines.length} from ${options.linesSource}`);
  // Warm-up so the JIT has compiled the hot paths before anything is measured.
  let errors = 0;
  for (let w = 0; w < 3; w++) {
    for (const i of inputs) {
      try {
        evaluate(i);
      } catch {
        if (w === 0) errors++;
      }
    }
  }
  const rounds = Math.max(3, Math.ceil(20_000 / Math.max(1, inputs.length)));
  const all = new Float64Array(inputs.length * rounds);
  const typical: number[] = [];
  let k = 0;
  const t0 = nowNs();
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < inputs.length; i++) {
      const inp = inputs[i] as PolicyInput;
      const s = nowNs();
      try {
        evaluate(inp);
      } catch {
        /* counted in the warm-up */
      }
      const ns = Number(nowNs() - s);
      all[k++] = ns;
      if (inp.text.length <= 200 && inp.text.indexOf('\n') < 0) typical.push(ns);
    }
  }
  const totalS = Number(nowNs() - t0) / 1e9;
  all.sort();
  const typ = Float64Array.from(typical).sort();
  const p50Typical = quantile(typ, 0.5);
  log(`  commands/s            ${Math.round(all.length / totalS).toLocaleString('en-US')}  (${rounds} rounds)`);
  log(
    `  latency, all items    p50 ${fmtUs(quantile(all, 0.5))}   p99 ${fmtUs(quantile(all, 0.99))}   max ${fmtUs(all[all.length - 1] ?? NaN)}`,
  );
  log(
    `  latency, single lines p50 ${fmtUs(p50Typical)}   p99 ${fmtUs(quantile(typ, 0.99))}   (${typ.length / rounds} lines ≤ 200 chars)   target p50 ≤ 20 µs: ${met(p50Typical <= 20_000)}`,
  );
  if (errors) log(`  evaluation errors      ${errors} item(s) threw`);

  log('');
  log('Large scripts (benign, generated):');
  let worstMbps = Infinity;
  for (const sizeMb of options.scriptSizesMb ?? [1, 10]) {
    for (const shell of ['powershell', 'bash', 'cmd'] as const) {
      const text = benignScript(shell, sizeMb * MB);
      const t = timeIt(
        evaluate,
        { text, shell, platform: shell === 'bash' ? 'linux' : 'windows', action: 'script', context: CONTEXT },
        sizeMb >= 10 ? 2 : 3,
      );
      if (t.error) {
        log(`  ${`${sizeMb} MB ${shell}`.padEnd(18)} threw: ${t.error}`);
        continue;
      }
      const mbps = sizeMb / (t.ms / 1000);
      worstMbps = Math.min(worstMbps, mbps);
      log(
        `  ${`${sizeMb} MB ${shell}`.padEnd(18)} ${t.ms.toFixed(1).padStart(8)} ms   ${mbps.toFixed(1).padStart(7)} MB/s   ${summary(t.result)}`,
      );
    }
  }
  log(`  slowest               ${worstMbps.toFixed(1)} MB/s   target ≥ 50 MB/s: ${met(worstMbps >= 50)}`);
  // What the figures are measured against: no analysis at all, only the words every lexer must hand to rules.
  const reference = benignScript('powershell', MB);
  const floor = bestOf(() => splitIntoWords(reference), 5);
  log(
    `  reference             ${floor.ms.toFixed(1).padStart(8)} ms   ${(1 / (floor.ms / 1000)).toFixed(1).padStart(7)} MB/s   only splitting 1 MB at blanks into ${floor.words.toLocaleString('en-US')} word objects`,
  );

  const size = options.adversarialSize ?? MB;
  log('');
  log(`Adversarial inputs (${(size / MB).toFixed(2)} MB each) vs benign script of the same shell and size:`);
  const benignMs = new Map<string, number>();
  let worstRatio = 0;
  for (const c of adversarialCases(size)) {
    const shellKey = c.shell === 'powershell' || c.shell === 'cmd' ? c.shell : 'bash';
    if (!benignMs.has(shellKey)) {
      const b = timeIt(
        evaluate,
        { text: benignScript(shellKey, size), shell: c.shell, platform: c.platform, action: 'script', context: CONTEXT },
        3,
      );
      benignMs.set(shellKey, b.ms);
    }
    const base = benignMs.get(shellKey) ?? NaN;
    const t = timeIt(evaluate, { text: c.text, shell: c.shell, platform: c.platform, action: 'script', context: CONTEXT }, 3);
    if (t.error) {
      log(`  ${c.name.padEnd(44)} threw: ${t.error}`);
      continue;
    }
    const ratio = t.ms / base;
    worstRatio = Math.max(worstRatio, ratio);
    log(
      `  ${c.name.padEnd(44)} ${t.ms.toFixed(1).padStart(8)} ms   benign ${base.toFixed(1).padStart(7)} ms   ratio ${ratio.toFixed(2).padStart(5)}×  ${ratio <= 3 ? 'ok ' : 'SLOW'}  ${summary(t.result)}`,
    );
  }
  log(`  worst ratio           ${worstRatio.toFixed(2)}×   target ≤ 3×: ${met(worstRatio <= 3)}`);
  log('');
  log(
    'Targets: ' +
      [`p50 ≤ 20 µs ${met(p50Typical <= 20_000)}`, `≥ 50 MB/s ${met(worstMbps >= 50)}`, `adversarial ≤ 3× ${met(worstRatio <= 3)}`].join(
        ' · ',
      ),
  );
}
