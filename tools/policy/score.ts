/**
 * Scoring of a labelled corpus (format of ../shared/corpus/README.md): recall on `block`,
 * recall on `block`+`flag` (a block counts as a flag), false-positive rate on `allow`,
 * per category, and the misses. `unsure` items are not scored (in a session they are still evaluated, as history for later lines).
 */
import { z } from 'zod';
import type { Decision } from '../../shared/policy/types';

export const CorpusItemSchema = z.object({
  id: z.string(),
  text: z.string(),
  expect: z.enum(['block', 'flag', 'allow', 'unsure']),
  category: z.string().default('uncategorised'),
  shell: z.enum(['powershell', 'cmd', 'bash', 'sh', 'zsh']),
  platform: z.enum(['windows', 'linux', 'macos']),
  source: z.string().optional(),
  /** Items with the same session id are evaluated in order, each with the earlier ones as the session's history. */
  session: z.string().optional(),
});
export type CorpusItem = z.infer<typeof CorpusItemSchema>;

/** Parses a JSONL corpus; bad lines are reported, not fatal. */
export function parseCorpus(content: string): { items: CorpusItem[]; errors: string[] } {
  const items: CorpusItem[] = [];
  const errors: string[] = [];
  content.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    try {
      const r = CorpusItemSchema.safeParse(JSON.parse(line));
      if (r.success) items.push(r.data);
      else errors.push(`line ${i + 1}: ${r.error.issues.map((x) => `${x.path.join('.')}: ${x.message}`).join('; ')}`);
    } catch (e) {
      errors.push(`line ${i + 1}: ${(e as Error).message}`);
    }
  });
  return { items, errors };
}

export interface Ratio {
  hit: number;
  total: number;
}
export interface Scores {
  recallBlock: Ratio;
  recallBlockFlag: Ratio;
  fprAllow: Ratio;
}
export interface Miss {
  id: string;
  expected: CorpusItem['expect'];
  got: Decision | 'error';
  category: string;
  text: string;
}
export interface Report {
  overall: Scores;
  byCategory: Map<string, Scores>;
  misses: Miss[];
  unsure: number;
  scored: number;
}

const empty = (): Scores => ({ recallBlock: { hit: 0, total: 0 }, recallBlockFlag: { hit: 0, total: 0 }, fprAllow: { hit: 0, total: 0 } });

function add(s: Scores, expected: CorpusItem['expect'], got: Decision | 'error'): void {
  const detected = got === 'block' || got === 'flag';
  if (expected === 'block') {
    s.recallBlock.total++;
    if (got === 'block') s.recallBlock.hit++;
  }
  if (expected === 'block' || expected === 'flag') {
    s.recallBlockFlag.total++;
    if (detected) s.recallBlockFlag.hit++;
  }
  if (expected === 'allow') {
    s.fprAllow.total++;
    if (detected) s.fprAllow.hit++;
  }
}

/** A miss: a block not blocked, a flag not detected, an allow not allowed (or any evaluation error). */
function isMiss(expected: CorpusItem['expect'], got: Decision | 'error'): boolean {
  if (got === 'error') return true;
  if (expected === 'block') return got !== 'block';
  if (expected === 'flag') return got === 'allow';
  return got !== 'allow';
}

export function scoreCorpus(items: readonly CorpusItem[], decide: (item: CorpusItem) => Decision | 'error'): Report {
  const overall = empty();
  const byCategory = new Map<string, Scores>();
  const misses: Miss[] = [];
  let unsure = 0;
  let scored = 0;
  for (const item of items) {
    if (item.expect === 'unsure') {
      unsure++;
      // Not scored, but still typed in its session: later lines see it as history.
      if (item.session !== undefined) decide(item);
      continue;
    }
    scored++;
    const got = decide(item);
    add(overall, item.expect, got);
    let cat = byCategory.get(item.category);
    if (!cat) byCategory.set(item.category, (cat = empty()));
    add(cat, item.expect, got);
    if (isMiss(item.expect, got)) misses.push({ id: item.id, expected: item.expect, got, category: item.category, text: item.text });
  }
  return { overall, byCategory, misses, unsure, scored };
}

function pct(r: Ratio): string {
  return r.total === 0 ? '     –' : `${((100 * r.hit) / r.total).toFixed(1).padStart(5)}%`;
}
function frac(r: Ratio): string {
  return r.total === 0 ? '' : `${r.hit}/${r.total}`;
}

/** One line per text, cut to `n` characters, control characters shown escaped. */
export function preview(text: string, n = 120): string {
  const flat = JSON.stringify(text.slice(0, n)).slice(1, -1);
  return text.length > n ? `${flat}…` : flat;
}

export function formatReport(report: Report, options: { targets?: boolean } = {}): string {
  const o = report.overall;
  const out: string[] = [];
  out.push(`Scored ${report.scored} items (${report.unsure} unsure not scored).`, '');
  const rate = (r: Ratio) => (r.total === 0 ? 0 : r.hit / r.total);
  const target = (ok: boolean, t: string) => (options.targets === false ? '' : `   target ${t}: ${ok ? 'met' : 'NOT met'}`);
  out.push(`recall(block)       ${pct(o.recallBlock)}  ${frac(o.recallBlock).padEnd(11)}${target(rate(o.recallBlock) >= 0.97, '≥ 97%')}`);
  out.push(
    `recall(block+flag)  ${pct(o.recallBlockFlag)}  ${frac(o.recallBlockFlag).padEnd(11)}${target(rate(o.recallBlockFlag) >= 0.95, '≥ 95%')}`,
  );
  out.push(`FPR(allow)          ${pct(o.fprAllow)}  ${frac(o.fprAllow).padEnd(11)}${target(rate(o.fprAllow) <= 0.01, '≤ 1%')}`);
  out.push('', 'Per category:', `  ${'category'.padEnd(20)} ${'recall(block)'.padEnd(22)} ${'recall(block+flag)'.padEnd(22)} FPR(allow)`);
  for (const [cat, s] of [...report.byCategory].sort(([a], [b]) => a.localeCompare(b))) {
    out.push(
      `  ${cat.padEnd(20)} ${`${pct(s.recallBlock)} ${frac(s.recallBlock)}`.padEnd(22)} ${`${pct(s.recallBlockFlag)} ${frac(s.recallBlockFlag)}`.padEnd(22)} ${pct(s.fprAllow)} ${frac(s.fprAllow)}`,
    );
  }
  out.push('', `Misses (${report.misses.length}):`);
  for (const m of report.misses)
    out.push(`  ${m.id}  expected ${m.expected.padEnd(5)} got ${m.got.padEnd(5)} ${m.category.padEnd(18)} ${preview(m.text)}`);
  return out.join('\n');
}
