/**
 * Finds destinations in text, each with the exact span it occupies. Several independent
 * linear passes (URLs, UNC and `//host` paths, IP literals, bare hosts after network
 * commands); later passes skip what earlier ones covered. No regular expressions: every
 * pass advances monotonically, so the whole is O(n) on any input.
 */
import type { FoundDestination } from '../types';
import { bareDestination, COMMAND_PREFIXES, isCommandPrefix, isOutputOption, NETWORK_COMMANDS, normalizeCommandName } from './bare';
import { normalizeHost, type HostInfo } from './host';
import { formatIp, parseIPv4, parseIPv6, ipFromV6 } from './ip';
import { buildUrl, isUrlTerminator, scanUrlAt } from './url';

export interface ExtractOptions {
  /** Also look for scheme-less hosts in the arguments of network commands (default true). */
  bareHosts?: boolean;
}

interface Hit {
  kind: FoundDestination['kind'];
  start: number;
  end: number;
  hostInfo: HostInfo;
  url?: string;
}

function toFound(text: string, h: Hit): FoundDestination {
  const d: FoundDestination = {
    kind: h.kind,
    value: text.slice(h.start, h.end),
    host: h.hostInfo.host,
    span: { start: h.start, end: h.end },
  };
  if (h.url !== undefined) d.url = h.url;
  return d;
}

/** Extracts every destination in `text`, sorted by position; spans are offsets into `text`. */
export function extractDestinations(text: string, options: ExtractOptions = {}): FoundDestination[] {
  // Each pass yields hits in text order; merging (not sorting) keeps dense inputs linear.
  const urls: Hit[] = [];
  const uncs: Hit[] = [];
  const slashes: Hit[] = [];
  scanUrls(text, urls);
  scanUnc(text, uncs);
  scanSlashSlash(text, slashes);
  let hits = merge(merge(urls, uncs), slashes);
  const ips: Hit[] = [];
  scanIps(text, hits, ips);
  hits = merge(hits, ips);
  if (options.bareHosts !== false) {
    const bare: Hit[] = [];
    scanBareHosts(text, hits, bare);
    hits = merge(hits, bare);
  }
  return hits.map((h) => toFound(text, h));
}

function merge(a: Hit[], b: Hit[]): Hit[] {
  if (b.length === 0) return a;
  if (a.length === 0) return b;
  const out: Hit[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a[i] as Hit;
    const y = b[j] as Hit;
    if (x.start < y.start || (x.start === y.start && x.end >= y.end)) {
      out.push(x);
      i++;
    } else {
      out.push(y);
      j++;
    }
  }
  while (i < a.length) out.push(a[i++] as Hit);
  while (j < b.length) out.push(b[j++] as Hit);
  return out;
}

/** Every URL we accept has a slash or backslash right after the scheme's ':'. A two-character pattern: linear. */
const SCHEME_COLON = /:[/\\]/g;

/** Scheme URLs: each ':/' or ':\' is a candidate; the scheme is read backwards (bounded). */
function scanUrls(text: string, out: Hit[]): void {
  SCHEME_COLON.lastIndex = 0;
  for (let m = SCHEME_COLON.exec(text); m !== null; m = SCHEME_COLON.exec(text)) {
    const colon = m.index;
    const u = scanUrlAt(text, colon);
    if (u) {
      out.push({ kind: 'url', start: u.start, end: u.end, hostInfo: u.hostInfo, url: u.url });
      SCHEME_COLON.lastIndex = Math.max(u.end, colon + 1);
    }
  }
}

/** Characters after which a path can begin (start of a word or argument). */
function isPathBoundary(text: string, i: number): boolean {
  if (i === 0) return true;
  const c = text.charCodeAt(i - 1);
  return (
    c <= 0x20 ||
    c === 34 ||
    c === 39 ||
    c === 96 ||
    c === 40 ||
    c === 61 ||
    c === 44 ||
    c === 62 ||
    c === 60 ||
    c === 124 ||
    c === 59 ||
    c === 38 ||
    c === 123 ||
    c === 91 ||
    c === 0xa0 ||
    c === 0x3000
  );
}

/** Reads a host in a path (`\\host\…`, `//host/…`) starting at `p`; stops at a separator, terminator or '@'. */
function readPathHost(text: string, p: number): number {
  while (p < text.length && !isUrlTerminator(text, p)) {
    const c = text.charCodeAt(p);
    if (c === 92 || c === 47 || c === 64) break;
    p++;
  }
  return p;
}

/** End of a UNC or `//` path. ',' ends it too: `rundll32 \\host\x.dll,Entry`. */
function readToTerminator(text: string, p: number): number {
  while (p < text.length && !isUrlTerminator(text, p) && text.charCodeAt(p) !== 44) p++;
  return p;
}

/** Windows UNC paths `\\host\share\…`, including WebDAV forms `\\host@SSL@443\…`. */
function scanUnc(text: string, out: Hit[]): void {
  let from = 0;
  for (;;) {
    const i = text.indexOf('\\\\', from);
    if (i < 0) return;
    from = i + 2;
    if (!isPathBoundary(text, i)) continue;
    const hs = i + 2;
    const he = readPathHost(text, hs);
    let p = he;
    let ssl = false;
    if (text.charCodeAt(p) === 64) {
      // @SSL, @443, @SSL@443
      const suffixStart = p;
      while (p < text.length && !isUrlTerminator(text, p) && text.charCodeAt(p) !== 92 && text.charCodeAt(p) !== 47) p++;
      ssl = text.slice(suffixStart, p).toLowerCase().indexOf('@ssl') >= 0;
    }
    const info = he > hs ? normalizeHost(text.slice(hs, he)) : null;
    if (!info) continue;
    const end = trimTrailingPunct(text, p, readToTerminator(text, p));
    const path = text.slice(p, end);
    out.push({ kind: 'url', start: i, end, hostInfo: info, url: buildUrl(ssl ? 'https' : 'file', info, '', path) });
    from = end;
  }
}

/** `//host/share` (smbclient, mount.cifs, protocol-relative URLs). */
function scanSlashSlash(text: string, out: Hit[]): void {
  let from = 0;
  for (;;) {
    const i = text.indexOf('//', from);
    if (i < 0) return;
    from = i + 2;
    if (!isPathBoundary(text, i)) continue;
    const hs = i + 2;
    const he = readPathHost(text, hs);
    if (he === hs) continue;
    const info = normalizeHost(text.slice(hs, he));
    // A single label is a host only when a share follows (`//fileserver/share`), not in `// comment`.
    if (!info || (info.type === 'domain' && info.host.indexOf('.') < 0 && text.charCodeAt(he) !== 47)) continue;
    const end = trimTrailingPunct(text, he, readToTerminator(text, he));
    out.push({ kind: 'url', start: i, end, hostInfo: info, url: buildUrl('file', info, '', text.slice(he, end)) });
    from = end;
  }
}

function trimTrailingPunct(text: string, min: number, end: number): number {
  while (end > min) {
    const c = text.charCodeAt(end - 1);
    if (c === 46 || c === 44 || c === 58 || c === 33 || c === 93) end--;
    else break;
  }
  return end;
}

function isWordChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}
function isIpRunChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102) || c === 46 || c === 58 || c === 120 || c === 88;
}

/** Every IP literal contains '.' or ':'; jumping between those (native regex search) keeps the pass fast. */
const IP_ANCHOR = /[.:]/g;

/**
 * Bare IP literals outside URLs: dotted quads (any radix per part, as inet_aton accepts),
 * optionally with :port, and IPv6 (must contain '::' or all 8 groups, and a digit).
 */
function scanIps(text: string, covered: readonly Hit[], out: Hit[]): void {
  const n = text.length;
  let k = 0;
  let runFloor = 0; // runs never reach back into a run already read
  IP_ANCHOR.lastIndex = 0;
  for (let m = IP_ANCHOR.exec(text); m !== null; m = IP_ANCHOR.exec(text)) {
    const a = m.index;
    while (k < covered.length && (covered[k]?.end ?? 0) <= a) k++;
    const cov = covered[k];
    if (cov && cov.start <= a) {
      IP_ANCHOR.lastIndex = runFloor = cov.end;
      continue;
    }
    let i = a;
    while (i > runFloor && isIpRunChar(text.charCodeAt(i - 1))) i--;
    let j = a + 1;
    while (j < n && isIpRunChar(text.charCodeAt(j))) j++;
    IP_ANCHOR.lastIndex = runFloor = j;
    const prev = i > 0 ? text.charCodeAt(i - 1) : 32;
    const next = j < n ? text.charCodeAt(j) : 32;
    // Must stand alone: not inside a word, version string, member access (`[x]::Foo`) or path segment.
    if (
      isWordChar(prev) ||
      prev === 46 ||
      prev === 58 ||
      prev === 93 ||
      prev === 45 ||
      prev === 36 ||
      prev === 92 ||
      isWordChar(next) ||
      next === 45
    )
      continue;
    let e = j;
    while (e > i && (text.charCodeAt(e - 1) === 46 || text.charCodeAt(e - 1) === 58)) e--;
    if (e <= i) continue;
    const hit = classifyIpRun(text, i, e);
    if (hit) out.push(hit);
  }
}

function classifyIpRun(text: string, s: number, e: number): Hit | null {
  const run = text.slice(s, e);
  const colon = run.indexOf(':');
  const dot = run.indexOf('.');
  if (dot >= 0 && (colon < 0 || dot < colon)) {
    // IPv4, maybe with :port
    const v4Text = colon < 0 ? run : run.slice(0, colon);
    if (countChar(v4Text, 46) !== 3) return null;
    if (colon >= 0 && !allDigits(run, colon + 1)) return null;
    const v = parseIPv4(v4Text);
    if (v === null) return null;
    return {
      kind: 'ip',
      start: s,
      end: s + v4Text.length,
      hostInfo: { type: 'ip', host: formatIp({ version: 4, value: v }), ip: { version: 4, value: v } },
    };
  }
  if (colon < 0 || countChar(run, 58) < 2) return null;
  if (run.indexOf('::') < 0 && countChar(run, 58) !== 7) return null;
  if (!hasDigit(run)) return null;
  const g = parseIPv6(run);
  if (!g) return null;
  const ip = ipFromV6(g);
  return { kind: 'ip', start: s, end: e, hostInfo: { type: 'ip', host: formatIp(ip), ip } };
}

function countChar(s: string, code: number): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) === code) n++;
  return n;
}
function allDigits(s: string, from: number): boolean {
  if (from >= s.length) return false;
  for (let i = from; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}
function hasDigit(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) return true;
  }
  return false;
}

function isBlank(c: number): boolean {
  return c === 32 || c === 9 || c === 11 || c === 12 || c === 0xa0;
}

/** Assignment words before a command (`HTTPS_PROXY=x curl …`). */
function isAssignment(word: string): boolean {
  const eq = word.indexOf('=');
  if (eq <= 0) return false;
  for (let i = 0; i < eq; i++) if (!isWordChar(word.charCodeAt(i))) return false;
  return true;
}

/** Cheap pre-filter: the first two letters (lower case) of every network command and command prefix. */
const FIRST_TWO: ReadonlySet<number> = (() => {
  const set = new Set<number>();
  for (const name of [...NETWORK_COMMANDS, ...COMMAND_PREFIXES]) {
    set.add(name.charCodeAt(0) * 65536 + (name.length > 1 ? name.charCodeAt(1) : 0));
  }
  return set;
})();

function isAsciiLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/** `NAME=` at `i` (a POSIX assignment before the command). */
function isAssignmentStart(text: string, i: number, end: number): boolean {
  let p = i;
  while (p < end && isWordChar(text.charCodeAt(p))) p++;
  return p > i && p < end && text.charCodeAt(p) === 61;
}

function hasCharIn(text: string, code: number, from: number, to: number): boolean {
  for (let p = from; p < to; p++) if (text.charCodeAt(p) === code) return true;
  return false;
}

function lowerAscii(c: number): number {
  return c >= 65 && c <= 90 ? c + 32 : c;
}

/**
 * Scheme-less hosts in the arguments of network commands. Statements are split at separators
 * (quotes ignored: a rough cut), and only statements whose command is a network tool are read
 * word by word. The engine's Document gives a precise view of commands (see findings.ts);
 * this pass makes `extractDestinations` useful on raw text too.
 */
function scanBareHosts(text: string, covered: readonly Hit[], out: Hit[]): void {
  const n = text.length;
  let i = 0;
  while (i < n) {
    let end = i;
    for (; end < n; end++) {
      const c = text.charCodeAt(end);
      if (c < 128 && SEPARATOR_TABLE[c] === 1) break;
    }
    if (end > i) scanStatement(text, i, end, covered, out);
    i = end + 1;
  }
}

const SEPARATOR_TABLE: Uint8Array = (() => {
  const t = new Uint8Array(128);
  for (const ch of '|;&(){}\n\r') t[ch.charCodeAt(0)] = 1;
  return t;
})();

/** A command word longer than this (a path included) is not a command we recognise. */
const MAX_COMMAND_WORD = 1024;

/** Index of the first covered hit that ends after `pos` (hits sorted by start, non-nested in practice). */
function firstCoveredAfter(covered: readonly Hit[], pos: number): number {
  let lo = 0;
  let hi = covered.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((covered[mid]?.end ?? 0) <= pos) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** End of the word starting at `i` (quote-aware, bounded by `end`). */
function wordEnd(text: string, i: number, end: number): number {
  let quote = 0;
  let j = i;
  for (; j < end; j++) {
    const d = text.charCodeAt(j);
    if (quote !== 0) {
      if (d === quote) quote = 0;
    } else if (d === 34 || d === 39) {
      quote = d;
    } else if (isBlank(d)) {
      break;
    }
  }
  return j;
}

function scanStatement(text: string, start: number, end: number, covered: readonly Hit[], out: Hit[]): void {
  let i = start;
  // The command word, after prefixes (sudo, env) and assignments (X=1).
  for (;;) {
    while (i < end && isBlank(text.charCodeAt(i))) i++;
    if (i >= end) return;
    // Fast exit for the common case: a plain word (no path, quote or drive) that starts unlike any network command.
    const c0 = text.charCodeAt(i);
    const c1 = i + 1 < end ? text.charCodeAt(i + 1) : 0;
    if (isAsciiLetter(c0)) {
      if (c1 !== 58 && !FIRST_TWO.has(lowerAscii(c0) * 65536 + lowerAscii(c1)) && !isAssignmentStart(text, i, end)) return;
    } else if (!(c0 === 34 || c0 === 39 || c0 === 46 || c0 === 47 || c0 === 92 || c0 === 126 || c0 > 127)) {
      return; // $var, -option, digits, [type], # comment …: not a command word we know
    }
    const j = wordEnd(text, i, Math.min(end, i + MAX_COMMAND_WORD + 1));
    if (j - i > MAX_COMMAND_WORD) return;
    let s = j;
    while (s > i && text.charCodeAt(s - 1) !== 47 && text.charCodeAt(s - 1) !== 92) s--;
    while (s < j && (text.charCodeAt(s) === 34 || text.charCodeAt(s) === 39)) s++;
    const key = lowerAscii(text.charCodeAt(s)) * 65536 + (s + 1 < j ? lowerAscii(text.charCodeAt(s + 1)) : 0);
    const word = FIRST_TWO.has(key) || hasCharIn(text, 61, i, j) ? text.slice(i, j) : '';
    i = j;
    if (word === '') return;
    const name = normalizeCommandName(word);
    if (isCommandPrefix(name) || isAssignment(word)) continue;
    if (!NETWORK_COMMANDS.has(name)) return;
    break;
  }
  let skipNext = false;
  let k = firstCoveredAfter(covered, i);
  while (i < end) {
    while (i < end && isBlank(text.charCodeAt(i))) i++;
    if (i >= end) return;
    const j = wordEnd(text, i, end);
    const word = text.slice(i, j);
    if (word.charCodeAt(0) === 35) return; // comment
    if (skipNext) {
      skipNext = false;
    } else if (isOutputOption(word)) {
      skipNext = true;
    } else {
      while (k < covered.length && (covered[k]?.end ?? 0) <= i) k++;
      const cov = covered[k];
      const m = cov !== undefined && cov.start < j ? null : bareDestination(word);
      if (m) {
        const hit: Hit = { kind: m.kind, start: i + m.start, end: i + m.end, hostInfo: m.hostInfo };
        if (m.url !== undefined) hit.url = m.url;
        out.push(hit);
      }
    }
    i = j;
  }
}
