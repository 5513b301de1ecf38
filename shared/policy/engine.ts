/**
 * The command policy engine: `evaluatePolicy(input)` → allow / flag / block with reasons.
 *
 * Order of concerns:
 * 1. the input itself (size limit) and the tenant's state,
 * 2. analysis of the text (and of earlier session lines, for cross-line techniques),
 * 3. rule families and destination checks → findings,
 * 4. permit-by-hash (keeps only destination findings) and trust (extended → each finding's
 *    `extended` severity),
 * 5. reasons: merged, de-duplicated, deterministically ordered.
 *
 * Never throws: any internal failure yields a `block` with `analysis_failed` (fail closed).
 */
import { analyse } from './analysis/analyse';
import type { Document } from './analysis/document';
import { destinationFindings, findDestinations } from './destinations/index';
import { sha256Hex } from './hash';
import { releaseLastDocument } from './rules/command-match';
import { RULE_FAMILIES } from './rules/index';
import type { Finding } from './rules/rule';
import {
  REASON_CODES,
  type Decision,
  type FoundDestination,
  type PolicyInput,
  type PolicyResult,
  type Reason,
  type ReasonCode,
  type Shell,
  type ShellOrAuto,
  type Span,
} from './types';

/** Larger inputs are refused without analysis. */
export const MAX_INPUT_CHARS = 16 * 1024 * 1024;
/** How many earlier session lines are taken into account. */
export const MAX_HISTORY_LINES = 500;

const SHELLS: readonly ShellOrAuto[] = ['powershell', 'cmd', 'bash', 'sh', 'zsh', 'auto'];
const TRUST_REMEDY = 'A supervisor can grant extended trust, or save the script and have its hash permitted.';

// ------------------------------------------------------------------ history cache

/** Earlier session lines are analysed once and reused (the same lines come back with every new line). */
const HISTORY_CACHE_LIMIT = 512;
/** Lines longer than this are analysed without caching (bounds the cache's memory). */
const HISTORY_CACHED_LINE_LIMIT = 16 * 1024;
/** Only the start of an earlier line this long is looked at. */
const HISTORY_LINE_LIMIT = 256 * 1024;
const historyCache = new Map<string, Document>();

function analyseHistoryLine(line: string, shell: ShellOrAuto, platform: PolicyInput['platform']): Document {
  if (line.length > HISTORY_CACHED_LINE_LIMIT) return analyse(line.slice(0, HISTORY_LINE_LIMIT), shell, platform);
  const key = shell + '\u0000' + platform + '\u0000' + line;
  const hit = historyCache.get(key);
  if (hit) {
    historyCache.delete(key);
    historyCache.set(key, hit);
    return hit;
  }
  const doc = analyse(line, shell, platform);
  historyCache.set(key, doc);
  if (historyCache.size > HISTORY_CACHE_LIMIT) {
    const oldest = historyCache.keys().next().value;
    if (oldest !== undefined) historyCache.delete(oldest);
  }
  return doc;
}

/** Variables with constant values assigned by earlier lines (last assignment wins). */
function historyVariables(history: readonly Document[]): Map<string, string> {
  const vars = new Map<string, string>();
  for (const doc of history) {
    for (const a of doc.assignments ?? []) {
      if (a.value !== undefined) vars.set(a.name, a.value);
      else vars.delete(a.name);
    }
  }
  return vars;
}

// ------------------------------------------------------------------ the session as one script

/** At most this much of the session's earlier text (its most recent lines) is read again with each new line. */
const SESSION_SCRIPT_CHARS = 16 * 1024;

/**
 * The session read as one script: the earlier lines, then this one. What only the whole session shows (an alias,
 * function or macro defined earlier, a name built in steps, a script written line by line, `cd` before `./x`) is
 * then found as it is in a script. A finding counts for this line when it points into this line and the earlier lines
 * alone did not give it (same rule, same first span: they were judged when they were sent); only its spans in this
 * line are kept. A rule that fired on an earlier line still counts when it fires again at this line (a second file
 * downloaded and run, a second upload of gathered credentials).
 */
function sessionFindings(historyLines: readonly string[], text: string, shell: Shell, platform: PolicyInput['platform']): Finding[] {
  let first = historyLines.length;
  let size = text.length;
  while (first > 0 && size + (historyLines[first - 1] as string).length + 1 <= SESSION_SCRIPT_CHARS) {
    first--;
    size += (historyLines[first] as string).length + 1;
  }
  if (first === historyLines.length) return [];
  const earlier = historyLines.slice(first).join('\n');
  const offset = earlier.length + 1;
  const before = sessionFindingKeys(earlier, shell, platform) ?? new Set(familyFindings(analyse(earlier, shell, platform)).map(findingKey));
  const joined = earlier + '\n' + text;
  const found = familyFindings(analyse(joined, shell, platform));
  rememberSessionFindingKeys(joined, shell, platform, found);
  const out: Finding[] = [];
  for (const f of found) {
    if (before.has(findingKey(f))) continue;
    const spans: Span[] = [];
    for (const span of f.spans) if (span.end > offset) spans.push({ start: Math.max(0, span.start - offset), end: span.end - offset });
    if (spans.length > 0) out.push({ ...f, spans });
  }
  return out;
}

/** A finding of a session text: its rule and where it starts (earlier lines keep their offsets in the joined text). */
function findingKey(f: Finding): string {
  return f.ruleId + '@' + (f.spans[0]?.start ?? -1);
}

/**
 * The findings of the last session text read: the next line of the same session reads that text again as its
 * earlier lines (while the window does not slide), so they need not be found a second time.
 */
let lastSession: { key: string; findings: ReadonlySet<string> } | null = null;

function sessionKey(text: string, shell: Shell, platform: PolicyInput['platform']): string {
  return shell + '\u0000' + platform + '\u0000' + text;
}

function sessionFindingKeys(text: string, shell: Shell, platform: PolicyInput['platform']): ReadonlySet<string> | undefined {
  return lastSession !== null && lastSession.key === sessionKey(text, shell, platform) ? lastSession.findings : undefined;
}

function rememberSessionFindingKeys(text: string, shell: Shell, platform: PolicyInput['platform'], found: readonly Finding[]): void {
  lastSession = { key: sessionKey(text, shell, platform), findings: new Set(found.map(findingKey)) };
}

/** Every family's findings on a session text (a family that fails is reported by the line's own evaluation). */
function familyFindings(doc: Document): Finding[] {
  const out: Finding[] = [];
  for (const family of RULE_FAMILIES) {
    try {
      for (const f of family.run(doc, { history: [] })) out.push(f);
    } catch {
      continue;
    }
  }
  return out;
}

// ------------------------------------------------------------------ helpers

function severityRank(s: Decision): number {
  return s === 'block' ? 2 : s === 'flag' ? 1 : 0;
}

function codeRank(code: ReasonCode): number {
  return REASON_CODES.indexOf(code);
}

function clampSpans(spans: readonly Span[], length: number): Span[] {
  const out: Span[] = [];
  for (const s of spans) {
    if (!s || !Number.isFinite(s.start) || !Number.isFinite(s.end)) continue;
    const start = Math.max(0, Math.min(length, Math.floor(s.start)));
    const end = Math.max(start, Math.min(length, Math.floor(s.end)));
    if (!out.some((o) => o.start === start && o.end === end)) out.push({ start, end });
  }
  out.sort((a, b) => a.start - b.start || a.end - b.end);
  return out.slice(0, 32);
}

function reason(code: ReasonCode, severity: 'block' | 'flag', ruleId: string, message: string, spans: Span[], remedy?: string): Reason {
  const r: Reason = { code, severity, ruleId, message, spans };
  if (remedy !== undefined) r.remedy = remedy;
  return r;
}

/** Merge findings of the same code whose spans are identical (families overlap on purpose), and same-rule repeats. */
function toReasons(findings: readonly Finding[], extended: boolean, length: number): Reason[] {
  const byKey = new Map<string, Reason>();
  for (const f of findings) {
    const severity = extended ? f.extended : f.standard;
    const spans = clampSpans(f.spans, length);
    const remedy = f.remedy ?? (f.standard !== f.extended || severity === 'flag' ? TRUST_REMEDY : undefined);
    const ruleKey = f.code + '|' + f.ruleId;
    const spanKey = f.code + '|' + spans.map((s) => s.start + '-' + s.end).join(',');
    const existing = byKey.get(ruleKey) ?? byKey.get(spanKey);
    if (existing) {
      if (severityRank(severity) > severityRank(existing.severity)) existing.severity = severity;
      existing.spans = clampSpans([...existing.spans, ...spans], length);
      continue;
    }
    const r = reason(f.code, severity, f.ruleId, f.message, spans, remedy);
    byKey.set(ruleKey, r);
    if (spans.length > 0) byKey.set(spanKey, r);
  }
  return [...new Set(byKey.values())];
}

function sortReasons(reasons: Reason[]): Reason[] {
  return reasons.sort(
    (a, b) =>
      severityRank(b.severity) - severityRank(a.severity) ||
      codeRank(a.code) - codeRank(b.code) ||
      (a.spans[0]?.start ?? -1) - (b.spans[0]?.start ?? -1) ||
      (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0),
  );
}

function decide(reasons: readonly Reason[]): Decision {
  let d: Decision = 'allow';
  for (const r of reasons) if (severityRank(r.severity) > severityRank(d)) d = r.severity;
  return d;
}

function defaultShell(platform: PolicyInput['platform']): Shell {
  return platform === 'windows' ? 'powershell' : 'bash';
}

// ------------------------------------------------------------------ engine

export function evaluatePolicy(input: PolicyInput): PolicyResult {
  const text = typeof input?.text === 'string' ? input.text : '';
  try {
    return evaluate(input, text);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return {
      decision: 'block',
      reasons: [
        reason(
          'analysis_failed',
          'block',
          'engine.failure',
          `The policy engine could not analyse this text (${message.slice(0, 200)}); it is blocked to be safe.`,
          [],
        ),
      ],
      destinations: [],
      sha256: safeHash(text),
      shell: SHELLS.includes(input?.shell) && input.shell !== 'auto' ? input.shell : defaultShell(input?.platform ?? 'windows'),
      permittedByHash: false,
      trustInForce: 'standard',
    };
  }
}

function safeHash(text: string): string {
  try {
    return sha256Hex(text);
  } catch {
    return '';
  }
}

function evaluate(input: PolicyInput, text: string): PolicyResult {
  const platform = input.platform === 'linux' || input.platform === 'macos' ? input.platform : 'windows';
  const shell: ShellOrAuto = SHELLS.includes(input.shell) ? input.shell : 'auto';
  const ctx = input.context;
  const now = typeof ctx?.now === 'number' ? ctx.now : 0;
  const trust = ctx?.trust;
  const extended = trust?.level === 'extended' && typeof trust.expiresAt === 'number' && now < trust.expiresAt;
  const trustInForce = extended ? 'extended' : 'standard';
  const blockedRules = Array.isArray(ctx?.blockedDestinations) ? ctx.blockedDestinations : [];
  const allowlist = Array.isArray(ctx?.destinationAllowlist) ? ctx.destinationAllowlist : null;
  const permitted = Array.isArray(ctx?.permittedScriptHashes) ? ctx.permittedScriptHashes : [];

  const tenantReasons: Reason[] = [];
  if (ctx?.tenantState === 'restricted') {
    tenantReasons.push(
      reason(
        'tenant_restricted',
        'block',
        'tenant.restricted',
        'This tenant is restricted: nothing can be sent to its endpoints until an administrator lifts the restriction.',
        [],
      ),
    );
  } else if (ctx?.tenantState === 'blocked') {
    tenantReasons.push(
      reason('tenant_blocked', 'block', 'tenant.blocked', 'This tenant is blocked: nothing can be sent to its endpoints.', []),
    );
  }

  if (text.length > MAX_INPUT_CHARS) {
    const reasons = sortReasons([
      ...tenantReasons,
      reason(
        'input_too_large',
        'block',
        'input.too_large',
        `The text is ${text.length} characters long; the limit is ${MAX_INPUT_CHARS}. Split it into smaller scripts.`,
        [],
      ),
    ]);
    return {
      decision: 'block',
      reasons,
      destinations: [],
      sha256: safeHash(text),
      shell: shell === 'auto' ? defaultShell(platform) : shell,
      permittedByHash: false,
      trustInForce,
    };
  }

  const sha256 = sha256Hex(text);
  const permittedByHash = permitted.some((h) => typeof h === 'string' && h.toLowerCase() === sha256);

  // The most recent earlier lines only: bounds the work per evaluation in long sessions.
  const historyLines = Array.isArray(ctx?.history)
    ? ctx.history.slice(-MAX_HISTORY_LINES).filter((l): l is string => typeof l === 'string')
    : [];
  const history = historyLines.map((line) => analyseHistoryLine(line, shell, platform));
  const variables = historyVariables(history);
  const doc = analyse(text, shell, platform, variables.size > 0 ? { variables } : {});

  const findings: Finding[] = [];
  if (!permittedByHash) {
    for (const family of RULE_FAMILIES) {
      try {
        for (const f of family.run(doc, { history })) findings.push(f);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        findings.push({
          code: 'analysis_failed',
          ruleId: `engine.family-failed.${family.name}`,
          standard: 'block',
          extended: 'block',
          message: `The ${family.name} rules failed on this text (${message.slice(0, 200)}); it is blocked to be safe.`,
          spans: [],
        });
      }
    }
    if (historyLines.length > 0) for (const f of sessionFindings(historyLines, text, doc.shell, platform)) findings.push(f);
    releaseLastDocument();
  }

  // Destinations apply whatever the trust and even to permitted scripts.
  const destinations: FoundDestination[] = findDestinations(doc, { mentionRules: blockedRules });
  for (const f of destinationFindings(destinations, blockedRules, allowlist)) findings.push(f);

  const reasons = sortReasons([...tenantReasons, ...toReasons(findings, extended, text.length)]);
  return { decision: decide(reasons), reasons, destinations, sha256, shell: doc.shell, permittedByHash, trustInForce };
}
