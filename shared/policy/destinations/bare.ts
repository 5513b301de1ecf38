/**
 * Destinations written without a scheme, in the argument positions of network tools
 * (`curl evil.com/x`, `ssh root@host`, `ping 3232235777`, `scp f user@host:/tmp`).
 * Only these positions are considered: elsewhere a dotted word is usually a file name.
 */
import { isPlausibleBareDomain, normalizeHost, type HostInfo } from './host';
import { parseIPv6 } from './ip';
import { buildUrl } from './url';

/** Commands (lower case, no extension, aliases included) whose arguments name hosts or URLs. */
export const NETWORK_COMMANDS: ReadonlySet<string> = new Set([
  'curl',
  'wget',
  'wget2',
  'aria2c',
  'axel',
  'http',
  'https',
  'xh',
  'curlie',
  'lftp',
  'ncftp',
  'ncftpget',
  'invoke-webrequest',
  'invoke-restmethod',
  'iwr',
  'irm',
  'start-bitstransfer',
  'bitsadmin',
  'certutil',
  'ping',
  'ping6',
  'fping',
  'arping',
  'hping3',
  'tracert',
  'traceroute',
  'traceroute6',
  'tracepath',
  'mtr',
  'pathping',
  'nslookup',
  'dig',
  'host',
  'drill',
  'whois',
  'resolve-dnsname',
  'test-netconnection',
  'tnc',
  'test-connection',
  'ssh',
  'autossh',
  'mosh',
  'scp',
  'sftp',
  'rsync',
  'ftp',
  'tftp',
  'telnet',
  'plink',
  'pscp',
  'psftp',
  'putty',
  'winscp',
  'nc',
  'ncat',
  'netcat',
  'socat',
  'ssh-keyscan',
  'nmap',
  'masscan',
  'chisel',
  'smbclient',
  'git',
  'openssl',
  'links',
  'lynx',
  'w3m',
  'elinks',
  'mshta',
  'msiexec',
  'regsvr32',
  'rundll32',
]);

/**
 * Options whose value is a local output path, not a destination. Case matters for the short
 * forms (curl `-O` takes no value); PowerShell parameters are case-insensitive.
 */
const OUTPUT_OPTIONS: ReadonlySet<string> = new Set(['-o', '--output', '--output-document', '--directory-prefix', '--config']);
const PS_OUTPUT_OPTIONS: ReadonlySet<string> = new Set(['-outfile', '-destination', '-literalpath', '-path']);

/** Words that precede the real command (`sudo curl …`). */
export const COMMAND_PREFIXES: ReadonlySet<string> = new Set([
  'sudo',
  'doas',
  'env',
  'nohup',
  'time',
  'exec',
  'command',
  'builtin',
  'nice',
  'call',
  'start',
  '&',
  '.',
  'xargs',
  'torsocks',
  'proxychains',
  'proxychains4',
]);

export function isOutputOption(word: string): boolean {
  return OUTPUT_OPTIONS.has(word) || PS_OUTPUT_OPTIONS.has(word.toLowerCase());
}
export function isCommandPrefix(name: string): boolean {
  return COMMAND_PREFIXES.has(name);
}

/** `C:\Windows\System32\curl.exe` → `curl`. */
export function normalizeCommandName(word: string): string {
  let s = stripQuotes(word).toLowerCase();
  const slash = Math.max(s.lastIndexOf('/'), s.lastIndexOf('\\'));
  if (slash >= 0) s = s.slice(slash + 1);
  for (const ext of ['.exe', '.com', '.bat', '.cmd', '.ps1']) {
    if (s.endsWith(ext) && s.length > ext.length) return s.slice(0, -ext.length);
  }
  return s;
}

function isQuote(c: number): boolean {
  return c === 34 || c === 39 || c === 96;
}
function stripQuotes(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && isQuote(s.charCodeAt(a))) a++;
  while (b > a && isQuote(s.charCodeAt(b - 1))) b--;
  return s.slice(a, b);
}

export interface BareMatch {
  kind: 'host' | 'ip' | 'url';
  hostInfo: HostInfo;
  url?: string;
  /** Offsets into the word given to `bareDestination`. */
  start: number;
  end: number;
}

/**
 * In argument position a short number is a count, timeout or port, not an address, so
 * the legacy IPv4 forms count only when unambiguous: four parts, an explicit 0x/octal
 * marker, or a single number ≥ 2^24 (`ping 3232235777`).
 */
function plausibleBareIp(text: string, info: HostInfo): boolean {
  if (info.type !== 'ip' || info.ip.version === 6) return true;
  const parts = text.split('.').filter((p) => p !== '');
  if (parts.length === 4) return true;
  if (parts.some((p) => p.length > 1 && p.charCodeAt(0) === 48)) return true;
  return parts.length === 1 && info.ip.value >= 0x1000000;
}

/**
 * HTTP download clients: their positional arguments are URLs, so there a dotted word is a host even
 * when its last label is also a file extension (`curl evil.sh` fetches http://evil.sh/).
 */
const DOWNLOAD_CLIENTS: ReadonlySet<string> = new Set([
  'curl',
  'wget',
  'wget2',
  'aria2c',
  'axel',
  'http',
  'https',
  'xh',
  'curlie',
  'invoke-webrequest',
  'invoke-restmethod',
  'iwr',
  'irm',
]);

/** Short options that take a value (the next word, or the rest of the cluster): `curl -o f`, `wget -O- …`. */
const SHORT_WITH_VALUE: Readonly<Record<string, string>> = {
  curl: 'AbcCdDeEFHKmoPQrtTuUwxXyYz',
  wget: 'aABDeiIlOoPQRtTUwX',
  wget2: 'aABDeiIlOoPQRtTUwX',
};
/** Long options known to take no value; any other long option without `=` is assumed to take the next word. */
const LONG_FLAGS: ReadonlySet<string> = new Set([
  '--silent',
  '--show-error',
  '--location',
  '--fail',
  '--fail-with-body',
  '--insecure',
  '--compressed',
  '--remote-name',
  '--remote-name-all',
  '--remote-header-name',
  '--progress-bar',
  '--verbose',
  '--include',
  '--head',
  '--ipv4',
  '--ipv6',
  '--http1.1',
  '--http2',
  '--create-dirs',
  '--no-check-certificate',
  '--quiet',
  '--no-verbose',
  '--continue',
  '--no-clobber',
  '--spider',
  '--server-response',
  '--content-disposition',
  '--https-only',
]);
/** PowerShell switches of Invoke-WebRequest / Invoke-RestMethod; every other parameter takes a value. */
const PS_WEB_SWITCHES: ReadonlySet<string> = new Set([
  '-usebasicparsing',
  '-usedefaultcredentials',
  '-disablekeepalive',
  '-passthru',
  '-skipcertificatecheck',
  '-skipheadervalidation',
  '-skiphttperrorcheck',
  '-allowunencryptedauthentication',
  '-allowinsecureredirect',
  '-resume',
  '-nodefaultcredentials',
]);
const PS_WEB_CLIENTS: ReadonlySet<string> = new Set(['invoke-webrequest', 'invoke-restmethod', 'iwr', 'irm']);

/**
 * Which arguments of a download client (`command` normalised, `args` as written, after the command
 * word) stand where the tool expects a URL: positional words, and the value of `--url` / `-Uri`.
 * Option values (output files, data, headers) are excluded. Empty for any other command.
 */
export function urlArgumentPositions(command: string, args: readonly string[]): Set<number> {
  const positions = new Set<number>();
  if (!DOWNLOAD_CLIENTS.has(command)) return positions;
  const powershell = PS_WEB_CLIENTS.has(command);
  const shortWithValue = SHORT_WITH_VALUE[command] ?? '';
  for (let i = 0; i < args.length; i++) {
    const w = args[i] as string;
    if (w === '--') {
      for (let j = i + 1; j < args.length; j++) positions.add(j);
      break;
    }
    if (w.length < 2 || w.charCodeAt(0) !== 45 /* - */) {
      if (!w.startsWith('@') && w !== '-') positions.add(i);
      continue;
    }
    const lower = w.toLowerCase();
    if (powershell) {
      const colon = lower.indexOf(':');
      const name = colon > 0 ? lower.slice(0, colon) : lower;
      if (PS_WEB_SWITCHES.has(name) || colon > 0) continue;
      if (name === '-uri' || name === '-ur') positions.add(i + 1);
      i++; // the parameter's value
      continue;
    }
    if (w.startsWith('--')) {
      if (w.includes('=') || LONG_FLAGS.has(lower)) continue;
      if (lower === '--url') positions.add(i + 1);
      i++;
      continue;
    }
    // A cluster of short options: the first one that takes a value takes the rest of the cluster, or the next word.
    for (let k = 1; k < w.length; k++) {
      if (shortWithValue.includes(w[k] as string) || (shortWithValue === '' && k === w.length - 1)) {
        if (k === w.length - 1) i++;
        break;
      }
    }
  }
  return positions;
}

/** A destination in a single command argument, or null. Linear in the word's length. */
export function bareDestination(word: string, options: { urlPosition?: boolean } = {}): BareMatch | null {
  let s = 0;
  let e = word.length;
  while (s < e && isQuote(word.charCodeAt(s))) s++;
  while (e > s && isQuote(word.charCodeAt(e - 1))) e--;
  if (s >= e) return null;
  if (word.charCodeAt(s) === 45) {
    // --url=evil.com
    const eq = word.indexOf('=', s);
    if (eq < 0 || eq >= e) return null;
    s = eq + 1;
  }
  if (e - s > 2048 || s >= e) return null;
  const t = word.slice(s, e);
  if (t.indexOf('://') >= 0) return null; // has a scheme: the URL scanner handles it
  const c0 = t.charCodeAt(0);
  // Paths, variables, redirections, globs.
  if (c0 === 47 || c0 === 92 || c0 === 46 || c0 === 126 || c0 === 36 || c0 === 37 || c0 === 64 || c0 === 42) return null;

  const firstSlash = t.indexOf('/');
  const authEnd = firstSlash < 0 ? t.length : firstSlash;
  const at = t.lastIndexOf('@', authEnd);
  const hs = at >= 0 ? at + 1 : 0;
  let he = hs;
  if (t.charCodeAt(hs) === 91) {
    he = t.indexOf(']', hs) + 1; // [v6] or [v6]:port
    if (he <= 0) return null;
  } else if (countColons(t, hs, authEnd) >= 2 && parseIPv6(t.slice(hs, authEnd))) {
    he = authEnd; // bare IPv6; hostnames never contain ':' so rsync's host::module is not one
  } else {
    while (he < t.length) {
      const c = t.charCodeAt(he);
      if (c === 58 || c === 47 || c === 92) break;
      he++;
    }
  }
  const hostText = t.slice(hs, he);
  const info = normalizeHost(hostText);
  if (!info) return null;
  const plausible =
    info.type === 'domain'
      ? isPlausibleBareDomain(info.host) || (options.urlPosition === true && isDomainInUrlPosition(info.host))
      : plausibleBareIp(hostText, info);
  if (!plausible) return null;

  let port = '';
  let p = he;
  if (t.charCodeAt(p) === 58) {
    let q = p + 1;
    while (q < t.length && t.charCodeAt(q) >= 48 && t.charCodeAt(q) <= 57) q++;
    if (q > p + 1 && (q === t.length || t.charCodeAt(q) === 47)) {
      port = t.slice(p + 1, q);
      p = q;
    }
  }
  if (t.charCodeAt(p) === 47 && hs === 0) {
    // host/path without a scheme: curl and wget default to http://
    return { kind: 'url', hostInfo: info, url: buildUrl('http', info, port, t.slice(p)), start: s, end: e };
  }
  return { kind: info.type === 'ip' ? 'ip' : 'host', hostInfo: info, start: s + hs, end: s + he };
}

/** In a URL position any alphabetic TLD counts, file-extension look-alikes (`.sh`, `.zip`) included. */
function isDomainInUrlPosition(host: string): boolean {
  const dot = host.lastIndexOf('.');
  if (dot <= 0) return false;
  const tld = host.slice(dot + 1);
  if (tld.length < 2 || tld.length > 24) return false;
  for (let i = 0; i < tld.length; i++) {
    const c = tld.charCodeAt(i);
    if (c < 97 || c > 122) return false;
  }
  return true;
}

function countColons(t: string, from: number, end: number): number {
  let n = 0;
  for (let i = from; i < end; i++) if (t.charCodeAt(i) === 58) n++;
  return n;
}
