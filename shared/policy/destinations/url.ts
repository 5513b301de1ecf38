/**
 * A small URL reader for destinations: enough of the URL standard to find the host an
 * HTTP client would contact and to build a canonical URL for prefix rules. Not a general
 * URL parser (no global `URL` in shared code, and we must be lenient with text in scripts).
 */
import { normalizeHost, type HostInfo } from './host';

/** Schemes whose URLs name a network destination. */
export const URL_SCHEMES: ReadonlySet<string> = new Set([
  'http',
  'https',
  'ftp',
  'ftps',
  'sftp',
  'tftp',
  'ws',
  'wss',
  'file',
  'smb',
  'scp',
  'ssh',
  'telnet',
  'ldap',
  'ldaps',
  'rtsp',
  'gopher',
  'dav',
  'davs',
  'webdav',
  'webdavs',
]);

/** Schemes where the URL standard (and browsers, .NET, curl) treat '\' like '/' and accept 1 slash. */
const SPECIAL_SCHEMES: ReadonlySet<string> = new Set(['http', 'https', 'ftp', 'ws', 'wss']);

const DEFAULT_PORTS: Readonly<Record<string, string>> = { http: '80', https: '443', ws: '80', wss: '443', ftp: '21' };

/** Longest scheme we look back for ("webdavs" plus a "git+"-style prefix). */
const MAX_SCHEME_LOOKBACK = 16;

function isAlpha(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
}
function isSchemeChar(c: number): boolean {
  return isAlpha(c) || (c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46;
}
function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
function isSlash(c: number): boolean {
  return c === 47 || c === 92;
}

/**
 * Characters that end a URL written in a command line or script: whitespace, quotes, shell
 * metacharacters. Conservative: a URL cut short still yields its host.
 */
export function isUrlTerminator(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  if (c <= 0x20 || c === 0x7f) return true;
  switch (c) {
    case 0x22: // "
    case 0x27: // '
    case 0x60: // `
    case 0x3c: // <
    case 0x3e: // >
    case 0x7c: // |
    case 0x28: // (
    case 0x29: // )
    case 0x7b: // {
    case 0x7d: // }
    case 0x5e: // ^ (cmd escape)
    case 0x3b: // ;
      return true;
    case 0x26: {
      // '&' is common in query strings; as a shell separator it is followed by space, '&' or the end.
      const n = text.charCodeAt(i + 1);
      return Number.isNaN(n) || n <= 0x20 || n === 0x26;
    }
    default:
      return (
        c === 0x85 ||
        c === 0xa0 ||
        c === 0x1680 ||
        (c >= 0x2000 && c <= 0x200a) ||
        c === 0x2028 ||
        c === 0x2029 ||
        c === 0x202f ||
        c === 0x205f ||
        c === 0x3000 ||
        c === 0xfeff
      );
  }
}

export interface ScannedUrl {
  /** Offsets in the scanned text of the whole URL. */
  start: number;
  end: number;
  scheme: string;
  hostInfo: HostInfo;
  /** Normalised URL. */
  url: string;
}

/** Decodes percent-escapes of unreserved characters and upper-cases the rest, so equivalent paths compare equal. */
function normalizePercent(s: string): string {
  if (s.indexOf('%') < 0) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i] ?? '';
    if (ch === '%' && i + 2 < s.length && isHex(s.charCodeAt(i + 1)) && isHex(s.charCodeAt(i + 2))) {
      const code = parseInt(s.slice(i + 1, i + 3), 16);
      if (isAlpha(code) || isDigit(code) || code === 45 || code === 46 || code === 95 || code === 126) out += String.fromCharCode(code);
      else out += '%' + s.slice(i + 1, i + 3).toUpperCase();
      i += 2;
    } else {
      out += ch;
    }
  }
  return out;
}
function isHex(c: number): boolean {
  return isDigit(c) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
}

/** RFC 3986 remove_dot_segments on a path that starts with '/'. Linear. */
function removeDotSegments(path: string): string {
  const segs = path.split('/');
  const out: string[] = [];
  for (let i = 1; i < segs.length; i++) {
    const seg = segs[i] ?? '';
    const last = i === segs.length - 1;
    if (seg === '.') {
      if (last) out.push('');
    } else if (seg === '..') {
      out.pop();
      if (last) out.push('');
    } else {
      out.push(seg);
    }
  }
  return '/' + out.join('/');
}

/** Canonical URL text: scheme://host[:port]/path[?query]; no user info, no fragment, default port dropped. */
export function buildUrl(scheme: string, hostInfo: HostInfo, port: string, rawPath: string): string {
  const special = SPECIAL_SCHEMES.has(scheme) || scheme === 'file';
  let path = rawPath;
  let query = '';
  const hash = path.indexOf('#');
  if (hash >= 0) path = path.slice(0, hash);
  const q = path.indexOf('?');
  if (q >= 0) {
    query = path.slice(q);
    path = path.slice(0, q);
  }
  if (special && path.indexOf('\\') >= 0) path = path.split('\\').join('/');
  path = normalizePercent(path);
  if (path.length === 0 || path.charCodeAt(0) !== 47) path = '/' + path;
  path = removeDotSegments(path);
  const host = hostInfo.type === 'ip' && hostInfo.ip.version === 6 ? `[${hostInfo.host}]` : hostInfo.host;
  const p = port !== '' && port !== DEFAULT_PORTS[scheme] ? ':' + port.replace(/^0+(?=\d)/, '') : '';
  return `${scheme}://${host}${p}${path}${normalizePercent(query)}`;
}

/** Host and port of an authority (user info already removed). */
function splitHostPort(auth: string): { host: string; port: string } {
  if (auth.charCodeAt(0) === 91) {
    const close = auth.indexOf(']');
    if (close < 0) return { host: auth, port: '' };
    const rest = auth.slice(close + 1);
    return { host: auth.slice(0, close + 1), port: rest.charCodeAt(0) === 58 ? digitsOnly(rest.slice(1)) : '' };
  }
  const colon = auth.indexOf(':');
  if (colon < 0) return { host: auth, port: '' };
  return { host: auth.slice(0, colon), port: digitsOnly(auth.slice(colon + 1)) };
}
function digitsOnly(s: string): string {
  for (let i = 0; i < s.length; i++) if (!isDigit(s.charCodeAt(i))) return '';
  return s;
}

/**
 * Reads the URL whose scheme ends at the ':' at `colon` in `text`. Returns null when the
 * word before the colon is not a known scheme or no valid host follows. O(length of the URL).
 */
export function scanUrlAt(text: string, colon: number, limit = text.length, trimPunctuation = true): ScannedUrl | null {
  let j = colon;
  while (j > 0 && colon - j < MAX_SCHEME_LOOKBACK && isSchemeChar(text.charCodeAt(j - 1))) j--;
  if (j > 0 && isSchemeChar(text.charCodeAt(j - 1))) return null; // longer word: not a scheme
  if (j === colon) return null;
  // Skip a leading non-letter run (e.g. "1http:"), then take the part after a '+' ("git+https" → https).
  while (j < colon && !isAlpha(text.charCodeAt(j))) j++;
  let scheme = text.slice(j, colon).toLowerCase();
  const plus = scheme.lastIndexOf('+');
  if (plus >= 0) scheme = scheme.slice(plus + 1);
  if (!URL_SCHEMES.has(scheme)) return null;

  let p = colon + 1;
  let slashes = 0;
  while (p < limit && isSlash(text.charCodeAt(p))) {
    p++;
    slashes++;
  }
  if (scheme === 'file') {
    // file://host/… and file:////host/… (UNC) name a host; file:/// and file:/ are local.
    if (slashes !== 2 && slashes < 4) return null;
  } else if (SPECIAL_SCHEMES.has(scheme) ? slashes < 1 : slashes < 2) {
    return null;
  }
  const authStart = p;
  const special = SPECIAL_SCHEMES.has(scheme) || scheme === 'file';
  while (p < limit && !isUrlTerminator(text, p)) {
    const c = text.charCodeAt(p);
    if (c === 47 || c === 63 || c === 35 || (special && c === 92)) break;
    p++;
  }
  let auth = text.slice(authStart, p);
  const at = auth.lastIndexOf('@');
  if (at >= 0) auth = auth.slice(at + 1); // http://good.com@evil.com/ goes to evil.com
  const { host, port } = splitHostPort(auth);
  const hostInfo = normalizeHost(host);
  if (!hostInfo) return null;
  const pathStart = p;
  while (p < limit && !isUrlTerminator(text, p)) p++;
  // Sentence punctuation after a path is not part of the URL.
  if (trimPunctuation) while (p > pathStart && isTrailingPunct(text.charCodeAt(p - 1))) p--;
  return { start: j, end: p, scheme, hostInfo, url: buildUrl(scheme, hostInfo, port, text.slice(pathStart, p)) };
}

function isTrailingPunct(c: number): boolean {
  return c === 46 || c === 44 || c === 58 || c === 33 || c === 93;
}

/** Parses a whole string as a URL (single values, url_prefix rules); null unless all of it is one URL. */
export function parseUrl(value: string): ScannedUrl | null {
  const colon = value.indexOf(':');
  if (colon <= 0) return null;
  for (let i = 0; i < colon; i++) if (!isSchemeChar(value.charCodeAt(i))) return null;
  const u = scanUrlAt(value, colon, value.length, false);
  return u && u.start === 0 && u.end === value.length ? u : null;
}
