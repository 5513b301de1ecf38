/**
 * Destination rules: validation of admin-entered values, and matching of normalised
 * destinations against a rule list. Rules are compiled once per list (cached by identity)
 * into indexes, so matching costs O(labels + CIDRs + prefixes), not O(rules × text).
 */
import type { DestinationRule, DestinationRuleKind } from '../types';
import { normalizeHost } from './host';
import { cidrContains, formatIp, networkOf, parseIp, type Cidr, type Ip } from './ip';
import { parseUrl } from './url';

export const DESTINATION_RULE_KINDS: readonly DestinationRuleKind[] = ['domain', 'ip', 'cidr', 'url_prefix'];

export type ParsedDestinationRule = { ok: true; kind: DestinationRuleKind; value: string } | { ok: false; error: string };

function fail(error: string): ParsedDestinationRule {
  return { ok: false, error };
}

function hasWhitespace(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) <= 0x20) return true;
  return false;
}

/**
 * Validates a rule value an administrator entered and returns its normalised form (the form
 * to store), or a message saying what is wrong and what to enter instead.
 */
export function parseDestinationRule(kind: string, rawValue: string): ParsedDestinationRule {
  const value = (rawValue ?? '').trim();
  if (value.length === 0) return fail('The value is empty.');
  if (value.length > 2048) return fail('The value is too long (at most 2048 characters).');
  if (hasWhitespace(value)) return fail('The value must not contain spaces.');
  switch (kind) {
    case 'domain':
      return parseDomainValue(value);
    case 'ip': {
      if (value.indexOf('/') >= 0) return fail(`"${value}" is a network range; use the kind "cidr" for it.`);
      const ip = parseIp(value);
      if (!ip) return fail(`"${value}" is not an IP address (expected e.g. 203.0.113.7 or 2001:db8::7).`);
      return { ok: true, kind, value: formatIp(ip) };
    }
    case 'cidr': {
      const c = parseCidrValue(value);
      return typeof c === 'string' ? fail(c) : { ok: true, kind, value: formatCidr(c) };
    }
    case 'url_prefix': {
      const u = parseUrl(value);
      if (!u) {
        const schemes = ['http', 'https', 'ftp', 'ws', 'wss', 'file'].join(', ');
        return fail(
          `"${value}" is not a URL with a host; a URL prefix starts with a scheme (${schemes}, …), e.g. https://example.com/downloads/.`,
        );
      }
      return { ok: true, kind, value: u.url };
    }
    default:
      return fail(`Unknown rule kind "${kind}"; expected one of ${DESTINATION_RULE_KINDS.join(', ')}.`);
  }
}

function parseDomainValue(value: string): ParsedDestinationRule {
  if (value.indexOf('://') >= 0 || value.indexOf('/') >= 0) {
    return fail(`"${value}" looks like a URL; enter only the domain (e.g. example.com), or use the kind "url_prefix".`);
  }
  if (value.startsWith('*.')) {
    return fail(`Wildcards are not needed: a domain rule already covers all subdomains. Enter "${value.slice(2)}".`);
  }
  if (value.indexOf('*') >= 0) return fail('Wildcards are not supported in domain rules.');
  if (value.indexOf('@') >= 0) return fail(`"${value}" looks like an email address; enter only the part after "@".`);
  if (value.indexOf(':') >= 0 && !parseIp(value)) return fail(`"${value}" contains a port or ':'; enter only the domain.`);
  const info = normalizeHost(value);
  if (!info) return fail(`"${value}" is not a valid domain name (letters, digits and hyphens, labels separated by dots).`);
  if (info.type === 'ip') return fail(`"${value}" is an IP address; use the kind "ip" (or "cidr" for a range).`);
  return { ok: true, kind: 'domain', value: info.host };
}

function parseCidrValue(value: string): Cidr | string {
  const slash = value.indexOf('/');
  if (slash < 0)
    return `"${value}" has no prefix length; write it as address/length, e.g. 10.0.0.0/8 (or use the kind "ip" for one address).`;
  const addr = value.slice(0, slash);
  const len = value.slice(slash + 1);
  const ip = parseIp(addr);
  if (!ip) return `"${addr}" is not an IP address.`;
  if (!/^\d{1,3}$/.test(len)) return `"${len}" is not a prefix length.`;
  // An IPv4-mapped v6 network (::ffff:10.0.0.0/104) is the v4 network it stands for.
  let prefix = Number(len);
  const mappedV6 = addr.indexOf(':') >= 0 && ip.version === 4;
  if (mappedV6) {
    if (prefix < 96)
      return `Prefix /${prefix} is wider than the IPv4-mapped range ::ffff:0:0/96; write it as an IPv6 range without the dotted part.`;
    prefix -= 96;
  }
  const max = ip.version === 4 ? 32 : 128;
  if (prefix > max) return `Prefix length /${len} is out of range for IPv${ip.version} (0–${max}).`;
  return { ip: networkOf(ip, prefix), prefix };
}

function formatCidr(c: Cidr): string {
  return `${formatIp(c.ip)}/${c.prefix}`;
}

/** What a rule is compared with: a normalised host (and normalised URL when there is one). */
export interface DestinationLike {
  host: string;
  url?: string;
}

interface PrefixRule {
  index: number;
  prefix: string;
  /** True when a match must end at a path boundary ("/foo" matches "/foo/x", not "/foobar"). */
  boundary: boolean;
}

interface CompiledRules {
  rules: readonly DestinationRule[];
  domains: Map<string, number>;
  ips: Map<string, number>;
  cidrs: { index: number; cidr: Cidr }[];
  prefixes: PrefixRule[];
}

const cache = new WeakMap<readonly DestinationRule[], CompiledRules>();

/**
 * Compiles a rule list. Values are normalised again here so rules stored before validation
 * existed still work; a value that cannot be understood is skipped (it can match nothing).
 */
function compile(rules: readonly DestinationRule[]): CompiledRules {
  const cached = cache.get(rules);
  if (cached) return cached;
  const c: CompiledRules = { rules, domains: new Map(), ips: new Map(), cidrs: [], prefixes: [] };
  rules.forEach((rule, index) => {
    const parsed = parseDestinationRule(rule.kind, rule.value);
    if (!parsed.ok) return;
    switch (parsed.kind) {
      case 'domain':
        if (!c.domains.has(parsed.value)) c.domains.set(parsed.value, index);
        break;
      case 'ip':
        if (!c.ips.has(parsed.value)) c.ips.set(parsed.value, index);
        break;
      case 'cidr': {
        const cidr = parseCidrValue(parsed.value);
        if (typeof cidr !== 'string') c.cidrs.push({ index, cidr });
        break;
      }
      case 'url_prefix': {
        const prefix = parsed.value.toLowerCase();
        const last = prefix.charAt(prefix.length - 1);
        const boundary = !(last === '/' || last === '?' || last === '&' || last === '=' || prefix.indexOf('?') >= 0);
        c.prefixes.push({ index, prefix, boundary });
        break;
      }
    }
  });
  cache.set(rules, c);
  return c;
}

function prefixMatches(url: string, p: PrefixRule): boolean {
  if (!url.startsWith(p.prefix)) return false;
  if (!p.boundary || url.length === p.prefix.length) return true;
  const next = url.charCodeAt(p.prefix.length);
  return next === 47 || next === 63 || next === 35;
}

/**
 * The first rule (in list order) that matches the destination, or undefined.
 * domain: the host or any subdomain (label boundary, so evil-example.com ≠ example.com);
 * ip / cidr: the host's address (IPv4-mapped and NAT64 IPv6 addresses also match v4 rules);
 * url_prefix: the normalised URL, compared case-insensitively (over-matching is the safe side for blocking).
 */
export function matchDestinationRule(dest: DestinationLike, rules: readonly DestinationRule[]): DestinationRule | undefined {
  if (rules.length === 0) return undefined;
  const c = compile(rules);
  let best = Infinity;
  const ip: Ip | null = parseIp(dest.host);
  if (ip) {
    const hit = c.ips.get(formatIp(ip));
    if (hit !== undefined) best = hit;
    for (const { index, cidr } of c.cidrs) if (index < best && cidrContains(cidr, ip)) best = index;
  } else if (c.domains.size > 0) {
    // Walk the label suffixes: a.b.example.com, b.example.com, example.com, com.
    let from = 0;
    for (;;) {
      const hit = c.domains.get(from === 0 ? dest.host : dest.host.slice(from));
      if (hit !== undefined && hit < best) best = hit;
      const dot = dest.host.indexOf('.', from);
      if (dot < 0) break;
      from = dot + 1;
    }
  }
  if (dest.url !== undefined && c.prefixes.length > 0) {
    const url = dest.url.toLowerCase();
    for (const p of c.prefixes) if (p.index < best && prefixMatches(url, p)) best = p.index;
  }
  return best === Infinity ? undefined : rules[best];
}
