// The package ships no types; this reference brings in ours wherever host.ts is compiled.
// eslint-disable-next-line @typescript-eslint/triple-slash-reference
/// <reference path="./punycode.d.ts" />
/**
 * Host normalisation: one canonical spelling per destination, so that a rule written once
 * matches every way an attacker might write the same host (case, Unicode/IDN vs punycode,
 * full-width dots, percent-encoding, trailing dots, legacy IPv4 forms, IPv4-mapped IPv6).
 */
// The npm package (pure JS), not Node's deprecated built-in of the same name.
import punycode from 'punycode/punycode.js';
import { endsInNumber, formatIp, parseIPv4, parseIPv6, ipFromV6, type Ip } from './ip';

export type HostInfo = { readonly type: 'ip'; readonly host: string; readonly ip: Ip } | { readonly type: 'domain'; readonly host: string };

/** Raw host text longer than this cannot be a valid DNS name (253) even with encodings; refuse early. */
const MAX_RAW_HOST = 1024;

function hasNonAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return true;
  return false;
}

/** Characters allowed in a normalised (ASCII) host label. Underscore is tolerated: real names use it (_dmarc, srv records). */
function isLabelChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 45 || c === 95;
}

/** Ideographic and full-width full stops separate labels like '.' does (IDNA). */
function mapDots(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    out += c === 0x3002 || c === 0xff0e || c === 0xff61 ? '.' : s[i];
  }
  return out;
}

function validAsciiDomain(host: string): boolean {
  if (host.length === 0 || host.length > 253) return false;
  let labelLen = 0;
  for (let i = 0; i < host.length; i++) {
    const c = host.charCodeAt(i);
    if (c === 46) {
      if (labelLen === 0) return false;
      labelLen = 0;
      continue;
    }
    if (!isLabelChar(c)) return false;
    if (++labelLen > 63) return false;
  }
  return labelLen > 0;
}

/**
 * Normalises a host as written (in a URL, UNC path, command argument or rule) to
 * its canonical form, or returns null when it is not a usable host.
 */
export function normalizeHost(raw: string): HostInfo | null {
  if (raw.length > 255) return computeHost(raw);
  const hit = hostCache.get(raw);
  if (hit !== undefined) return hit;
  // Pure function: a small bounded cache makes texts that repeat one host thousands of times cheap.
  if (hostCache.size >= HOST_CACHE_SIZE) hostCache.clear();
  const info = computeHost(raw);
  hostCache.set(raw, info);
  return info;
}

const HOST_CACHE_SIZE = 2048;
const hostCache = new Map<string, HostInfo | null>();

function computeHost(raw: string): HostInfo | null {
  let s = raw;
  if (s.length === 0 || s.length > MAX_RAW_HOST) return null;
  if (s.charCodeAt(0) === 91) {
    // [v6] literal
    if (s.charCodeAt(s.length - 1) !== 93) return null;
    const g = parseIPv6(s.slice(1, -1));
    if (!g) return null;
    const ip = ipFromV6(g);
    return { type: 'ip', host: formatIp(ip), ip };
  }
  if (s.indexOf('%') >= 0) {
    // Browsers and curl percent-decode hosts: http://ev%69l.com is evil.com.
    try {
      s = decodeURIComponent(s);
    } catch {
      return null;
    }
  }
  if (hasNonAscii(s)) s = mapDots(s.normalize('NFKC'));
  s = s.toLowerCase();
  if (s.indexOf(':') >= 0) {
    const g = parseIPv6(s);
    if (!g) return null;
    const ip = ipFromV6(g);
    return { type: 'ip', host: formatIp(ip), ip };
  }
  let end = s.length;
  while (end > 0 && s.charCodeAt(end - 1) === 46) end--;
  if (end === 0) return null;
  if (end !== s.length) s = s.slice(0, end);
  if (endsInNumber(s)) {
    const v4 = parseIPv4(s);
    if (v4 === null) return null;
    const ip: Ip = { version: 4, value: v4 };
    return { type: 'ip', host: formatIp(ip), ip };
  }
  if (hasNonAscii(s)) {
    try {
      s = punycode.toASCII(s);
    } catch {
      return null;
    }
  }
  if (!validAsciiDomain(s)) return null;
  return { type: 'domain', host: s };
}

/**
 * Extensions that make a dotted bare word a file name rather than a host. Some are real TLDs
 * (.sh, .py, .zip, .md); without a scheme such a word is far more often a file, and URLs with
 * a scheme are still recognised whatever their TLD.
 */
const FILE_EXTENSIONS = new Set(
  (
    'sh bash zsh ps ps1 psm1 psd1 py pyc rb php js mjs cjs ts go c h cpp cs java jar war class ' +
    'exe dll sys bat cmd vbs vbe hta sct wsf wsh lnk inf cpl ocx scr msi msp msu appx cab reg ' +
    'zip gz tgz bz2 xz zst tar rar 7z iso img dmg pkg deb rpm apk ' +
    'txt log md rst csv tsv json jsonl xml yml yaml toml ini conf cfg config properties env ' +
    'html htm css svg png jpg jpeg gif bmp ico pdf doc docx xls xlsx ppt pptx ' +
    'crt cer cert pem key pfx p12 csr der pub gpg asc sig bak tmp old dat db sqlite bin out lock ' +
    'service timer socket plist desktop list repo d mount so dylib a o ko'
  ).split(' '),
);

/**
 * Whether a normalised domain found WITHOUT a scheme plausibly names a network host:
 * at least two labels and a last label that looks like a TLD (letters or xn--), not a file extension.
 */
export function isPlausibleBareDomain(host: string): boolean {
  const dot = host.lastIndexOf('.');
  if (dot <= 0) return false;
  const tld = host.slice(dot + 1);
  if (tld.startsWith('xn--')) return true;
  if (tld.length < 2 || tld.length > 24) return false;
  for (let i = 0; i < tld.length; i++) {
    const c = tld.charCodeAt(i);
    if (c < 97 || c > 122) return false;
  }
  return !FILE_EXTENSIONS.has(tld);
}

/** Unicode form of a punycode domain (for searching text that spells the IDN natively). */
export function domainToUnicode(host: string): string {
  // Only `xn--` labels change; most hosts have none.
  if (!host.includes('xn--')) return host;
  try {
    return punycode.toUnicode(host);
  } catch {
    return host;
  }
}
