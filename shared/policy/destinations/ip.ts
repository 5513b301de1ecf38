/**
 * IP literals: parsing (including the legacy IPv4 forms resolvers still accept), canonical
 * formatting and CIDR containment. Pure, linear-time, no regular expressions.
 *
 * Why the legacy forms: `http://3232235777/`, `http://0xC0A80101/` and `http://0300.0250.1.1/`
 * all reach 192.168.1.1 through browsers, curl and inet_aton(), so a rule for 192.168.1.1
 * must see them as that address.
 */

export type Ip = { readonly version: 4; readonly value: number } | { readonly version: 6; readonly groups: readonly number[] };

const MAX_V4 = 0xffffffff;

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** One part of a WHATWG/inet_aton IPv4 address: decimal, octal (leading 0) or hex (0x). Null if invalid or > 2^32-1. */
function parseV4Part(p: string): number | null {
  if (p.length === 0) return null;
  let radix = 10;
  let i = 0;
  if (p.length >= 2 && p.charCodeAt(0) === 48 && (p.charCodeAt(1) | 32) === 120) {
    radix = 16;
    i = 2;
  } else if (p.length >= 2 && p.charCodeAt(0) === 48) {
    radix = 8;
    i = 1;
  }
  let value = 0;
  for (; i < p.length; i++) {
    const d = hexValue(p.charCodeAt(i));
    if (d < 0 || d >= radix) return null;
    value = value * radix + d;
    if (value > MAX_V4) return null; // stop early: keeps huge digit runs cheap and exact
  }
  return value;
}

/** Splits off one trailing empty label ("1.2.3.4." → 4 parts), as the URL standard does. */
function v4Parts(s: string): string[] {
  const parts = s.split('.');
  if (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
  return parts;
}

/**
 * The URL standard's "ends in a number" check: a host whose last label is numeric (decimal,
 * or 0x-hex) must be an IPv4 address, never a domain.
 */
export function endsInNumber(host: string): boolean {
  const parts = v4Parts(host);
  const last = parts[parts.length - 1] ?? '';
  if (last.length === 0) return false;
  let allDigits = true;
  for (let i = 0; i < last.length; i++) {
    if (!isDigit(last.charCodeAt(i))) {
      allDigits = false;
      break;
    }
  }
  if (allDigits) return true;
  return last.length >= 2 && last.charCodeAt(0) === 48 && (last.charCodeAt(1) | 32) === 120 && parseV4Part(last) !== null;
}

/** Parses 1–4 dotted parts in any radix (WHATWG host parser rules). Returns the 32-bit value. */
export function parseIPv4(s: string): number | null {
  if (s.length === 0 || s.length > 256) return null;
  const parts = v4Parts(s);
  if (parts.length === 0 || parts.length > 4) return null;
  let value = 0;
  for (let i = 0; i < parts.length; i++) {
    const n = parseV4Part(parts[i] ?? '');
    if (n === null) return null;
    if (i < parts.length - 1) {
      if (n > 255) return null;
      value = value * 256 + n;
    } else {
      // The last part fills all remaining bytes: "127.1" is 127.0.0.1.
      const remaining = 5 - parts.length;
      if (n >= 256 ** remaining) return null;
      value = value * 256 ** remaining + n;
    }
  }
  return value;
}

/** Strict dotted-quad decimal (the form inside IPv6 literals). */
function parseStrictQuad(s: string, from: number, to: number, out: number[]): boolean {
  let seen = 0;
  let i = from;
  while (i < to) {
    if (seen > 0) {
      if (s.charCodeAt(i) !== 46 || seen >= 4) return false;
      i++;
    }
    if (i >= to || !isDigit(s.charCodeAt(i))) return false;
    let piece = -1;
    while (i < to && isDigit(s.charCodeAt(i))) {
      const d = s.charCodeAt(i) - 48;
      if (piece === -1) piece = d;
      else if (piece === 0) return false;
      else piece = piece * 10 + d;
      if (piece > 255) return false;
      i++;
    }
    out.push(piece);
    seen++;
  }
  return seen === 4;
}

/** IPv6 parser following the URL standard (zone id after '%' ignored). Returns 8 16-bit groups. */
export function parseIPv6(input: string): number[] | null {
  const pct = input.indexOf('%');
  const n = pct >= 0 ? pct : input.length;
  if (n === 0 || n > 64) return null;
  const addr = [0, 0, 0, 0, 0, 0, 0, 0];
  let piece = 0;
  let compress = -1;
  let i = 0;
  if (input.charCodeAt(0) === 58) {
    if (input.charCodeAt(1) !== 58 || n < 2) return null;
    i = 2;
    piece = 1;
    compress = 1;
  }
  while (i < n) {
    if (piece === 8) return null;
    if (input.charCodeAt(i) === 58) {
      if (compress !== -1) return null;
      i++;
      piece++;
      compress = piece;
      continue;
    }
    let value = 0;
    let length = 0;
    while (length < 4 && i < n && hexValue(input.charCodeAt(i)) >= 0) {
      value = value * 16 + hexValue(input.charCodeAt(i));
      i++;
      length++;
    }
    if (i < n && input.charCodeAt(i) === 46) {
      // Embedded dotted quad, e.g. ::ffff:192.168.1.1
      if (length === 0 || piece > 6) return null;
      const quad: number[] = [];
      if (!parseStrictQuad(input, i - length, n, quad)) return null;
      addr[piece] = (quad[0] ?? 0) * 256 + (quad[1] ?? 0);
      addr[piece + 1] = (quad[2] ?? 0) * 256 + (quad[3] ?? 0);
      piece += 2;
      i = n;
      break;
    } else if (i < n && input.charCodeAt(i) === 58) {
      i++;
      if (i >= n) return null;
    } else if (i < n) {
      return null;
    }
    if (length === 0) return null;
    addr[piece] = value;
    piece++;
  }
  if (compress !== -1) {
    let swaps = piece - compress;
    piece = 7;
    while (piece !== 0 && swaps > 0) {
      const k = compress + swaps - 1;
      const t = addr[piece] ?? 0;
      addr[piece] = addr[k] ?? 0;
      addr[k] = t;
      piece--;
      swaps--;
    }
  } else if (piece !== 8) {
    return null;
  }
  return addr;
}

/** The IPv4 address inside an IPv4-mapped (::ffff:0:0/96) IPv6 address, else null. */
export function mappedIPv4(groups: readonly number[]): number | null {
  for (let i = 0; i < 5; i++) if (groups[i] !== 0) return null;
  if (groups[5] !== 0xffff) return null;
  return (groups[6] ?? 0) * 65536 + (groups[7] ?? 0);
}

/**
 * IPv4 reachable through an IPv6 address: mapped (::ffff:a.b.c.d) or NAT64 well-known prefix
 * (64:ff9b::a.b.c.d), so v4 rules still apply on IPv6-only networks.
 */
export function embeddedIPv4(groups: readonly number[]): number | null {
  const mapped = mappedIPv4(groups);
  if (mapped !== null) return mapped;
  if (groups[0] === 0x64 && groups[1] === 0xff9b && groups[2] === 0 && groups[3] === 0 && groups[4] === 0 && groups[5] === 0) {
    return (groups[6] ?? 0) * 65536 + (groups[7] ?? 0);
  }
  return null;
}

export function formatIPv4(value: number): string {
  return `${Math.floor(value / 16777216) & 255}.${(value >>> 16) & 255}.${(value >>> 8) & 255}.${value & 255}`;
}

/** RFC 5952 canonical text: lower-case hex, no leading zeros, the longest run (≥ 2) of zero groups as '::'. */
export function formatIPv6(groups: readonly number[]): string {
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (i === bestStart) {
      out += i === 0 ? '::' : ':';
      i += bestLen - 1;
      continue;
    }
    out += (groups[i] ?? 0).toString(16);
    if (i < 7) out += ':';
  }
  return out;
}

/** An IPv6 address that is IPv4-mapped is normalised to the IPv4 address it stands for. */
export function ipFromV6(groups: readonly number[]): Ip {
  const v4 = mappedIPv4(groups);
  return v4 !== null ? { version: 4, value: v4 } : { version: 6, groups };
}

export function formatIp(ip: Ip): string {
  return ip.version === 4 ? formatIPv4(ip.value) : formatIPv6(ip.groups);
}

/** Any IP literal: IPv6 (optionally in brackets) or IPv4 in any WHATWG form. */
export function parseIp(text: string): Ip | null {
  let s = text;
  if (s.length >= 2 && s.charCodeAt(0) === 91 && s.charCodeAt(s.length - 1) === 93) s = s.slice(1, -1);
  if (s.indexOf(':') >= 0) {
    const g = parseIPv6(s);
    return g ? ipFromV6(g) : null;
  }
  if (!endsInNumber(s)) return null;
  const v4 = parseIPv4(s);
  return v4 === null ? null : { version: 4, value: v4 };
}

export function ipEquals(a: Ip, b: Ip): boolean {
  if (a.version === 4 && b.version === 4) return a.value === b.value;
  if (a.version === 6 && b.version === 6) return a.groups.every((g, i) => g === b.groups[i]);
  return false;
}

export function isLoopback(ip: Ip): boolean {
  if (ip.version === 4) return Math.floor(ip.value / 16777216) === 127;
  return ip.groups.every((g, i) => g === (i === 7 ? 1 : 0));
}

/**
 * Addresses that stay inside an organisation: private (RFC 1918, unique-local), shared (CGNAT), link-local and
 * loopback. Everything else is reachable from the internet.
 */
export function isPrivateOrLocal(ip: Ip): boolean {
  if (isLoopback(ip)) return true;
  if (ip.version === 4) {
    const v = ip.value;
    return (
      v4InNet(v, 0x0a000000, 8) ||
      v4InNet(v, 0xac100000, 12) ||
      v4InNet(v, 0xc0a80000, 16) ||
      v4InNet(v, 0xa9fe0000, 16) ||
      v4InNet(v, 0x64400000, 10)
    );
  }
  const first = ip.groups[0] ?? 0;
  return (first & 0xfe00) === 0xfc00 || (first & 0xffc0) === 0xfe80;
}

export interface Cidr {
  readonly ip: Ip;
  readonly prefix: number;
}

function v4InNet(value: number, net: number, prefix: number): boolean {
  if (prefix === 0) return true;
  const mask = (0xffffffff << (32 - prefix)) >>> 0;
  return (value & mask) >>> 0 === (net & mask) >>> 0;
}

function v6InNet(groups: readonly number[], net: readonly number[], prefix: number): boolean {
  for (let g = 0; g < 8; g++) {
    const bits = Math.min(16, Math.max(0, prefix - 16 * g));
    if (bits === 0) return true;
    const mask = (0xffff << (16 - bits)) & 0xffff;
    if (((groups[g] ?? 0) & mask) !== ((net[g] ?? 0) & mask)) return false;
  }
  return true;
}

function v4AsMapped(value: number): number[] {
  return [0, 0, 0, 0, 0, 0xffff, Math.floor(value / 65536), value & 0xffff];
}

/** Whether `ip` lies in `cidr`; v4 networks also see v4 addresses embedded in v6 (mapped, NAT64) and vice versa. */
export function cidrContains(cidr: Cidr, ip: Ip): boolean {
  const net = cidr.ip;
  if (net.version === 4) {
    if (ip.version === 4) return v4InNet(ip.value, net.value, cidr.prefix);
    const v4 = embeddedIPv4(ip.groups);
    return v4 !== null && v4InNet(v4, net.value, cidr.prefix);
  }
  const groups = ip.version === 6 ? ip.groups : v4AsMapped(ip.value);
  return v6InNet(groups, net.groups, cidr.prefix);
}

/** Masks host bits so the network is stored canonically ("10.1.2.3/8" → 10.0.0.0/8). */
export function networkOf(ip: Ip, prefix: number): Ip {
  if (ip.version === 4) {
    const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
    return { version: 4, value: (ip.value & mask) >>> 0 };
  }
  const groups = ip.groups.map((g, i) => {
    const bits = Math.min(16, Math.max(0, prefix - 16 * i));
    return g & ((0xffff << (16 - bits)) & 0xffff);
  });
  return { version: 6, groups };
}
