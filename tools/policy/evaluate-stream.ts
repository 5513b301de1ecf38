/**
 * The logic behind `policy evaluate`: JSON lines in, one JSON line out per input line.
 * The evaluator is passed in (normally `evaluatePolicy`), so this module is testable alone.
 */
import { z } from 'zod';
import { parseDestinationRule } from '../../shared/policy/destinations/rules';
import type { DestinationRule, Platform, PolicyContext, PolicyInput, PolicyResult } from '../../shared/policy/types';

export type Evaluator = (input: PolicyInput) => PolicyResult;

const SHELLS = ['powershell', 'cmd', 'bash', 'sh', 'zsh', 'auto'] as const;
const PLATFORMS = ['windows', 'linux', 'macos'] as const;

/** One input line. `shell` defaults to auto, `platform` to what the shell implies. */
export const InputLineSchema = z.object({
  id: z.union([z.string(), z.number()]),
  text: z.string(),
  shell: z.enum(SHELLS).default('auto'),
  platform: z.enum(PLATFORMS).optional(),
  /** Optional: lines with the same session id are evaluated with the earlier ones as history. */
  session: z.string().optional(),
});
export type InputLine = z.infer<typeof InputLineSchema>;

export interface OutputReason {
  code: string;
  start: number;
  end: number;
}
export type OutputLine =
  | { id: string | number | null; decision: PolicyResult['decision']; reasons: OutputReason[] }
  | { id: string | number | null; error: string };

export interface EvaluateOptions {
  trust: 'standard' | 'extended';
  blockedDestinations: readonly DestinationRule[];
  destinationAllowlist?: readonly DestinationRule[] | null;
  /** Epoch ms used as `context.now` (fixed per run so results are reproducible). */
  now: number;
}

function defaultPlatform(shell: InputLine['shell']): Platform {
  return shell === 'powershell' || shell === 'cmd' ? 'windows' : 'linux';
}

export function buildContext(options: EvaluateOptions, history: readonly string[] = []): PolicyContext {
  return {
    tenantState: 'active',
    trust: options.trust === 'extended' ? { level: 'extended', expiresAt: options.now + 3_600_000 } : { level: 'standard' },
    now: options.now,
    blockedDestinations: options.blockedDestinations,
    destinationAllowlist: options.destinationAllowlist ?? null,
    permittedScriptHashes: [],
    history,
  };
}

/** Reasons flattened to one entry per span; a reason without spans gets the empty span 0–0. */
export function flattenReasons(result: PolicyResult): OutputReason[] {
  const out: OutputReason[] = [];
  for (const r of result.reasons) {
    if (r.spans.length === 0) out.push({ code: r.code, start: 0, end: 0 });
    for (const s of r.spans) out.push({ code: r.code, start: s.start, end: s.end });
  }
  return out;
}

function idOf(value: unknown): string | number | null {
  if (value && typeof value === 'object' && 'id' in value) {
    const id = value.id;
    if (typeof id === 'string' || typeof id === 'number') return id;
  }
  return null;
}

function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.length ? i.path.join('.') : 'line'}: ${i.message}`).join('; ');
}

/** Evaluates a run of input lines; keeps per-session history across calls. */
export class LineEvaluator {
  private readonly sessions = new Map<string, string[]>();
  constructor(
    private readonly evaluate: Evaluator,
    private readonly options: EvaluateOptions,
  ) {}

  /** Returns null for a blank line (nothing to answer), else exactly one output line. */
  line(raw: string): OutputLine | null {
    if (raw.trim() === '') return null;
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch (e) {
      return { id: null, error: `invalid JSON: ${(e as Error).message}` };
    }
    const parsed = InputLineSchema.safeParse(json);
    if (!parsed.success) return { id: idOf(json), error: `invalid input: ${describeIssues(parsed.error)}` };
    const item = parsed.data;
    const history = item.session !== undefined ? (this.sessions.get(item.session) ?? []) : [];
    try {
      const result = this.evaluate({
        text: item.text,
        shell: item.shell,
        platform: item.platform ?? defaultPlatform(item.shell),
        action: 'terminal_line',
        context: buildContext(this.options, history.slice()),
      });
      if (item.session !== undefined) this.sessions.set(item.session, [...history, item.text]);
      return { id: item.id, decision: result.decision, reasons: flattenReasons(result) };
    } catch (e) {
      return { id: item.id, error: `evaluation failed: ${(e as Error).message}` };
    }
  }
}

/** Reads lines from `input`, writes one JSON line per non-blank input line. Returns counts. */
export async function evaluateStream(
  input: AsyncIterable<string>,
  write: (line: string) => void,
  evaluate: Evaluator,
  options: EvaluateOptions,
): Promise<{ lines: number; errors: number }> {
  const ev = new LineEvaluator(evaluate, options);
  let lines = 0;
  let errors = 0;
  for await (const raw of input) {
    const out = ev.line(raw);
    if (!out) continue;
    lines++;
    if ('error' in out) errors++;
    write(JSON.stringify(out));
  }
  return { lines, errors };
}

/**
 * Destination rules from a file: a JSON array of `{kind, value, reason?, id?}`, JSON lines of
 * the same, or plain lines `kind value [reason…]` (`#` comments). Every value is validated;
 * the first bad one throws with its line number, since a silently ignored rule is a hole.
 */
export function parseRulesFile(content: string, source = 'rules file'): DestinationRule[] {
  const trimmed = content.trim();
  if (trimmed === '') return [];
  const RuleSchema = z.object({
    id: z.union([z.string(), z.number()]).optional(),
    kind: z.string(),
    value: z.string(),
    reason: z.string().optional(),
  });
  const raw: { line: number; rule: z.infer<typeof RuleSchema> }[] = [];
  if (trimmed.startsWith('[')) {
    const parsed = z.array(RuleSchema).safeParse(JSON.parse(trimmed));
    if (!parsed.success) throw new Error(`${source}: ${describeIssues(parsed.error)}`);
    parsed.data.forEach((rule, i) => raw.push({ line: i + 1, rule }));
  } else {
    content.split(/\r?\n/).forEach((text, i) => {
      const line = text.trim();
      if (line === '' || line.startsWith('#')) return;
      if (line.startsWith('{')) {
        const parsed = RuleSchema.safeParse(JSON.parse(line));
        if (!parsed.success) throw new Error(`${source}:${i + 1}: ${describeIssues(parsed.error)}`);
        raw.push({ line: i + 1, rule: parsed.data });
        return;
      }
      const [kind = '', value = '', ...reason] = line.split(/\s+/);
      const rule: z.infer<typeof RuleSchema> = { kind, value };
      if (reason.length) rule.reason = reason.join(' ');
      raw.push({ line: i + 1, rule });
    });
  }
  return raw.map(({ line, rule }) => {
    const parsed = parseDestinationRule(rule.kind, rule.value);
    if (!parsed.ok) throw new Error(`${source}:${line}: ${parsed.error}`);
    const out: DestinationRule = { id: String(rule.id ?? `rule-${line}`), kind: parsed.kind, value: parsed.value };
    if (rule.reason !== undefined) out.reason = rule.reason;
    return out;
  });
}
