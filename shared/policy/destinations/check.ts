/**
 * Single-value checks for the server (a registration email's domain, a configured server
 * URL, a host) and the allowlist test. Same normalisation and matching as command text.
 */
import type { DestinationKind, DestinationRule, FoundDestination } from '../types';
import { normalizeHost, type HostInfo } from './host';
import { isLoopback, parseIp } from './ip';
import { matchDestinationRule, type DestinationLike } from './rules';
import { buildUrl, parseUrl } from './url';

export interface DestinationCheck {
  blocked: boolean;
  /** The first matching rule when blocked. */
  rule?: DestinationRule;
  /** Normalised URL (for URLs) or host; empty when the value could not be understood. */
  normalized: string;
  kind?: DestinationKind;
  /** Set when the value is not a URL, host, IP or email address; callers should reject such input. */
  error?: string;
}

/** Parses one value: a URL, a UNC path, `user@host` / an email address, `host[:port][/path]` or an IP. */
export function parseDestinationValue(value: string): { dest: DestinationLike; kind: DestinationKind } | { error: string } {
  const v = value.trim();
  if (v.length === 0) return { error: 'empty value' };
  if (v.length > 8192) return { error: 'value too long' };
  const u = parseUrl(v);
  if (u) return { dest: { host: u.hostInfo.host, url: u.url }, kind: 'url' };
  if (v.startsWith('\\\\')) {
    let p = 2;
    while (p < v.length && v[p] !== '\\' && v[p] !== '/' && v[p] !== '@') p++;
    const info = normalizeHost(v.slice(2, p));
    if (!info) return { error: `not a valid UNC path: ${v}` };
    const rest = v.slice(p).replace(/^@[^\\/]*/, '');
    return { dest: { host: info.host, url: buildUrl('file', info, '', rest) }, kind: 'url' };
  }
  if (v.indexOf('://') >= 0) return { error: `unsupported or malformed URL: ${v}` };
  // user@host (email): the host is what follows the last '@'.
  const at = v.lastIndexOf('@');
  let rest = at >= 0 ? v.slice(at + 1) : v;
  let hostText: string;
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    hostText = close > 0 ? rest.slice(0, close + 1) : rest;
    rest = rest.slice(hostText.length);
  } else if (parseIp(rest)) {
    hostText = rest; // bare IPv6 contains ':'
    rest = '';
  } else {
    let p = 0;
    while (p < rest.length && rest[p] !== ':' && rest[p] !== '/') p++;
    hostText = rest.slice(0, p);
    rest = rest.slice(p);
  }
  const info: HostInfo | null = normalizeHost(hostText);
  if (!info) return { error: `not a valid host: ${hostText || v}` };
  if (rest === '' || (rest.charCodeAt(0) === 58 && /^:\d{1,5}$/.test(rest))) {
    return { dest: { host: info.host }, kind: info.type === 'ip' ? 'ip' : 'host' };
  }
  // host[:port]/path without a scheme: read it as http://, the default of curl and wget.
  const bare = at < 0 ? parseUrl(`http://${v}`) : null;
  if (!bare) return { error: `unexpected text after the host: ${rest}` };
  return { dest: { host: bare.hostInfo.host, url: bare.url }, kind: 'url' };
}

/** Checks one value (server URL, host, IP, email address) against blocked-destination rules. */
export function checkDestinationValue(value: string, rules: readonly DestinationRule[]): DestinationCheck {
  const parsed = parseDestinationValue(value);
  if ('error' in parsed) return { blocked: false, normalized: '', error: parsed.error };
  const rule = matchDestinationRule(parsed.dest, rules);
  const result: DestinationCheck = { blocked: rule !== undefined, normalized: parsed.dest.url ?? parsed.dest.host, kind: parsed.kind };
  if (rule) result.rule = rule;
  return result;
}

/** Checks the domain of an email address (or a bare domain) against domain, ip and cidr rules. */
export function checkEmailDomain(email: string, rules: readonly DestinationRule[]): DestinationCheck {
  const v = email.trim();
  const at = v.lastIndexOf('@');
  let domain = at >= 0 ? v.slice(at + 1) : v;
  if (domain.startsWith('[') && domain.endsWith(']')) domain = domain.slice(1, -1); // user@[192.0.2.1]
  if (domain.toLowerCase().startsWith('ipv6:')) domain = domain.slice(5);
  const info = domain.length > 0 ? normalizeHost(domain) : null;
  if (!info) return { blocked: false, normalized: '', error: `not a valid email domain: ${domain || v}` };
  const rule = matchDestinationRule({ host: info.host }, rules);
  const result: DestinationCheck = { blocked: rule !== undefined, normalized: info.host, kind: info.type === 'ip' ? 'ip' : 'host' };
  if (rule) result.rule = rule;
  return result;
}

/** Loopback never leaves the endpoint, so an allowlist does not need to list it. */
export function isLocalDestination(host: string): boolean {
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  const ip = parseIp(host);
  return ip !== null && isLoopback(ip);
}

/**
 * Whether a destination may be reached under an allowlist: `null`/`undefined` means no
 * allowlist (everything may), an empty list means nothing may (except loopback).
 */
export function isDestinationAllowed(dest: DestinationLike, allowlist: readonly DestinationRule[] | null | undefined): boolean {
  if (allowlist === null || allowlist === undefined) return true;
  if (isLocalDestination(dest.host)) return true;
  return matchDestinationRule(dest, allowlist) !== undefined;
}

/** The found destinations an allowlist does not permit. */
export function destinationsNotAllowed(
  found: readonly FoundDestination[],
  allowlist: readonly DestinationRule[] | null | undefined,
): FoundDestination[] {
  if (allowlist === null || allowlist === undefined) return [];
  return found.filter((d) => !isDestinationAllowed(d, allowlist));
}
