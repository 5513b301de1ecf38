/**
 * Engine glue: destinations of an analysed Document (every layer, so destinations inside
 * decoded or unwrapped content count), and the findings blocked rules and an allowlist
 * produce for them.
 */
import type { Document, Layer } from '../analysis/document';
import type { Finding } from '../rules/rule';
import type { DestinationRule, FoundDestination, Span } from '../types';
import { bareDestination, isCommandPrefix, isOutputOption, NETWORK_COMMANDS, normalizeCommandName, urlArgumentPositions } from './bare';
import { destinationsNotAllowed } from './check';
import { extractDestinations } from './extract';
import { domainToUnicode } from './host';
import { matchDestinationRule, parseDestinationRule } from './rules';

export interface FindDestinationsOptions {
  /**
   * Blocked rules whose domains are also searched for as plain mentions in the text
   * (`$h = "evil.com"; iwr "http://$h/x"`), so a destination hidden behind a variable the
   * analysis could not resolve is still caught. Optional.
   */
  mentionRules?: readonly DestinationRule[];
}

function clampSpan(span: Span, length: number): Span {
  const start = Math.max(0, Math.min(length, span.start));
  const end = Math.max(start, Math.min(length, span.end));
  return { start, end };
}

function fromLayer(layer: Layer, d: FoundDestination, originalLength: number): FoundDestination {
  const span = clampSpan(layer.toOriginal(d.span.start, d.span.end), originalLength);
  const out: FoundDestination = { kind: d.kind, value: d.value, host: d.host, span };
  if (d.url !== undefined) out.url = d.url;
  return out;
}

/** Destinations in every layer of `doc`, spans in the original text, de-duplicated, in text order. */
export function findDestinations(doc: Document, options: FindDestinationsOptions = {}): FoundDestination[] {
  const found: FoundDestination[] = [];
  const n = doc.original.length;
  // Scheme-less hosts come from the analysed command words when there are any (precise, and
  // it spares a pass over every layer); the rough text-level pass is the fallback.
  const extractOptions = { bareHosts: doc.commands.length === 0 };
  let sawOriginal = false;
  for (const layer of doc.layers) {
    if (layer.origin === 'original') sawOriginal = true;
    for (const d of extractDestinations(layer.text, extractOptions)) found.push(fromLayer(layer, d, n));
  }
  if (!sawOriginal) found.push(...extractDestinations(doc.original, extractOptions));
  findInCommandWords(doc, found);
  if (options.mentionRules) findMentions(doc, options.mentionRules, found);
  return dedupe(found);
}

/**
 * Scheme-less hosts in the words of network commands, using the analysis's view of words
 * (aliases resolved, quotes and escapes removed), which the raw-text pass cannot see through.
 */
function findInCommandWords(doc: Document, found: FoundDestination[]): void {
  for (const cmd of doc.commands) {
    // `sudo -E curl …`, `env X=1 wget …`: the network tool is the first word after the prefixes.
    let first = 0;
    let name = cmd.name;
    while (isCommandPrefix(name) && first + 1 < cmd.words.length) {
      first++;
      const w = cmd.words[first]?.value ?? '';
      if (w.startsWith('-') || /^\w+=/.test(w)) {
        name = 'sudo'; // an option or assignment of the prefix: keep looking
        continue;
      }
      name = normalizeCommandName(w);
    }
    if (!NETWORK_COMMANDS.has(name)) continue;
    const urlPositions = urlArgumentPositions(
      name,
      cmd.words.slice(first + 1).map((w) => w.value),
    );
    let skipNext = false;
    for (let w = first + 1; w < cmd.words.length; w++) {
      const word = cmd.words[w];
      if (!word) continue;
      if (skipNext) {
        skipNext = false;
        continue;
      }
      if (isOutputOption(word.value)) {
        skipNext = true;
        continue;
      }
      const m = bareDestination(word.value, { urlPosition: urlPositions.has(w - first - 1) });
      if (!m) continue;
      const value = word.value.slice(m.start, m.end);
      const d: FoundDestination = { kind: m.kind, value, host: m.hostInfo.host, span: narrowSpan(doc.original, word.span, value) };
      if (m.url !== undefined) d.url = m.url;
      found.push(d);
    }
  }
}

/** The exact span of `value` inside a word's span when it is written there verbatim, else the word's span. */
function narrowSpan(original: string, span: Span, value: string): Span {
  const s = clampSpan(span, original.length);
  const at = original.slice(s.start, s.end).indexOf(value);
  return at >= 0 ? { start: s.start + at, end: s.start + at + value.length } : s;
}

function isHostChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 45 || c === 95 || c > 0x7f;
}

/** Parsed domain rules (the same rules come with every evaluation), bounded. */
const mentionCache = new Map<string, { host: string; unicode: string | null } | null>();
const MENTION_CACHE_LIMIT = 4096;

/** The normalised host a domain rule is searched for as, and its Unicode spelling when it differs. */
function domainMention(value: string): { host: string; unicode: string | null } | null {
  const cached = mentionCache.get(value);
  if (cached !== undefined) return cached;
  let mention: { host: string; unicode: string | null } | null = null;
  const parsed = parseDestinationRule('domain', value);
  // A bare TLD or single label would match ordinary words.
  if (parsed.ok && parsed.value.indexOf('.') >= 0) {
    const uni = domainToUnicode(parsed.value);
    mention = { host: parsed.value, unicode: uni !== parsed.value ? uni.toLowerCase() : null };
  }
  if (mentionCache.size >= MENTION_CACHE_LIMIT) mentionCache.clear();
  mentionCache.set(value, mention);
  return mention;
}

/** Plain-text mentions of blocked domains (label-bounded), in every layer. */
function findMentions(doc: Document, rules: readonly DestinationRule[], found: FoundDestination[]): void {
  const needles = new Map<string, string>();
  for (const r of rules) {
    if (r.kind !== 'domain') continue;
    const mention = domainMention(r.value);
    if (!mention) continue;
    needles.set(mention.host, mention.host);
    if (mention.unicode !== null) needles.set(mention.unicode, mention.host);
  }
  if (needles.size === 0) return;
  for (const layer of doc.layers) {
    for (const [needle, host] of needles) {
      let from = 0;
      for (;;) {
        const at = layer.lower.indexOf(needle, from);
        if (at < 0) break;
        from = at + 1;
        const end = at + needle.length;
        const before = at > 0 ? layer.lower.charCodeAt(at - 1) : 32;
        const after = end < layer.lower.length ? layer.lower.charCodeAt(end) : 32;
        const afterNext = end + 1 < layer.lower.length ? layer.lower.charCodeAt(end + 1) : 32;
        // Label boundaries: "xevil.com" and "evil.com.attacker.net" are other hosts; "a.evil.com" is a subdomain (caught by the suffix).
        if (isHostChar(before) || isHostChar(after) || (after === 46 && isHostChar(afterNext))) continue;
        const span = clampSpan(layer.toOriginal(at, end), doc.original.length);
        found.push({ kind: 'host', value: layer.text.slice(at, end), host, span });
      }
    }
  }
}

/** Removes repeats of the same destination at overlapping spans (the same URL seen in two layers). */
function dedupe(found: FoundDestination[]): FoundDestination[] {
  if (found.length < 2) return found; // most texts: nothing to compare
  found.sort((a, b) => a.span.start - b.span.start || a.span.end - b.span.end);
  const out: FoundDestination[] = [];
  const lastByKey = new Map<string, FoundDestination>();
  for (const d of found) {
    const key = `${d.kind}\u0000${d.host}\u0000${d.url ?? ''}`;
    const prev = lastByKey.get(key);
    if (prev && d.span.start < prev.span.end) continue;
    if (prev && d.span.start === prev.span.start && d.span.end === prev.span.end) continue;
    // A mention inside an already found URL or host of the same host adds nothing.
    if (d.kind === 'host' && out.length > 0) {
      const last = out[out.length - 1];
      if (last && last.host === d.host && d.span.start >= last.span.start && d.span.end <= last.span.end) continue;
    }
    lastByKey.set(key, d);
    out.push(d);
  }
  return out;
}

function describeRule(rule: DestinationRule): string {
  const kind = rule.kind === 'url_prefix' ? 'URL prefix' : rule.kind === 'cidr' ? 'CIDR' : rule.kind === 'ip' ? 'IP' : 'domain';
  return `${kind} rule "${rule.value}"${rule.reason ? ` (reason: ${rule.reason})` : ''}`;
}

function listValues(ds: readonly FoundDestination[]): string {
  const names = [...new Set(ds.map((d) => d.url ?? d.host))];
  const shown = names.slice(0, 3).join(', ');
  return names.length > 3 ? `${shown} and ${names.length - 3} more` : shown;
}

/**
 * Findings for found destinations: one `blocked_destination` per matching blocked rule
 * (block under every trust level: a blocked destination is never reachable), and, when an
 * allowlist is in force, one `destination_not_allowed` per destination it does not list.
 */
export function destinationFindings(
  found: readonly FoundDestination[],
  rules: readonly DestinationRule[],
  allowlist?: readonly DestinationRule[] | null,
): Finding[] {
  const findings: Finding[] = [];
  const byRule = new Map<DestinationRule, FoundDestination[]>();
  const blocked = new Set<FoundDestination>();
  for (const d of found) {
    const rule = matchDestinationRule(d, rules);
    if (!rule) continue;
    blocked.add(d);
    const list = byRule.get(rule);
    if (list) list.push(d);
    else byRule.set(rule, [d]);
  }
  for (const [rule, ds] of byRule) {
    findings.push({
      code: 'blocked_destination',
      ruleId: 'destination.blocked',
      standard: 'block',
      extended: 'block',
      message: `Reaches a blocked destination: ${listValues(ds)} matches the ${describeRule(rule)}. Blocked destinations apply whatever the trust level.`,
      spans: ds.map((d) => d.span),
      remedy: 'remove the destination',
    });
  }
  const denied = destinationsNotAllowed(
    found.filter((d) => !blocked.has(d)),
    allowlist,
  );
  const byHost = new Map<string, FoundDestination[]>();
  for (const d of denied) {
    const list = byHost.get(d.host);
    if (list) list.push(d);
    else byHost.set(d.host, [d]);
  }
  for (const [host, ds] of byHost) {
    findings.push({
      code: 'destination_not_allowed',
      ruleId: 'destination.not_allowed',
      standard: 'block',
      extended: 'block',
      message: `Reaches ${host}, which is not on this tenant's destination allowlist; only listed destinations may be reached.`,
      spans: ds.map((d) => d.span),
      remedy: "remove the destination, or have an administrator add it to the tenant's allowlist",
    });
  }
  return findings;
}
