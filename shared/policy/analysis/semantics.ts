/**
 * What commands do, as far as policy cares: fetch from the network (to stdout, a variable or a
 * file), decode, execute text (stdin, arguments) or execute files. Shared by rule families.
 */
import type { Document, SimpleCommand, Word } from './document';
import { baseName, cmdStartProgramIndex, optionClusterHas, programAndSwitches, programName, trimQuotes } from './names';
import { BASE64_DECODERS, INTERPRETERS, isTrCipher, POSIX_SHELLS, POWERSHELL_HOSTS } from './unwrap';

// ------------------------------------------------------------------ values

/** A URL (http, https, ftp) or a UNC/WebDAV path (`\\host\share`, `\\host@SSL\…`) anywhere in the value. */
export function containsUrl(value: string): boolean {
  return containsUrlLower(value.toLowerCase(), value);
}

function containsUrlLower(lower: string, value: string): boolean {
  if (
    lower.indexOf('://') >= 0 &&
    (lower.includes('http://') || lower.includes('https://') || lower.includes('ftp://') || lower.includes('ftps://'))
  )
    return true;
  const c = value.charCodeAt(0) === 0x5c ? 0 : value.charCodeAt(1) === 0x5c ? 1 : -1;
  if (c < 0) return false;
  return /^["']?\\\\[a-z0-9_.-]+(@ssl)?(@[0-9]+)?\\/i.test(value) && !/^["']?\\\\(localhost|127\.0\.0\.1|\.|\?)\\/i.test(value);
}

export function isUrlWord(w: Word): boolean {
  return containsUrlLower(w.lower, w.value);
}

/** Lower-case file name used to follow a file from download to execution. */
export function fileKey(path: string): string {
  let p = path.length > 4096 ? path.slice(-4096) : path;
  if (p.indexOf('"') >= 0 || p.indexOf("'") >= 0) p = p.replace(/["']/g, '');
  // `(Join-Path $env:TEMP x.exe)`: the file is the last part joined.
  if (p.charCodeAt(0) === 40 /* ( */ && p.slice(1, 10).toLowerCase() === 'join-path') {
    let end = p.length;
    while (end > 0 && (p.charCodeAt(end - 1) === 41 /* ) */ || p.charCodeAt(end - 1) === 32)) end--;
    p = p.slice(Math.max(p.lastIndexOf(' ', end - 1), p.lastIndexOf('\t', end - 1)) + 1, end);
  }
  // Query or fragment: cut at the first `?` or `#`.
  const question = p.indexOf('?');
  const hash = p.indexOf('#');
  const q = question < 0 ? hash : hash < 0 ? question : Math.min(question, hash);
  if (q >= 0) p = p.slice(0, q);
  return baseName(p).toLowerCase();
}

/** File name a URL would be saved as (`curl -O`, `wget URL`). */
export function urlFileName(url: string): string {
  const m = /^[a-z]+:\/\/[^/]+(\/[^?#]*)?/i.exec(url.replace(/["']/g, ''));
  const path = m?.[1] ?? '';
  const name = path.slice(path.lastIndexOf('/') + 1);
  return name.toLowerCase();
}

function optionValue(words: readonly Word[], names: readonly string[], prefixMatch = false): Word | undefined {
  for (let k = 1; k < words.length; k++) {
    const l = (words[k] as Word).lower;
    for (const n of names) {
      if (l === n || (prefixMatch && n.startsWith(l) && l.length >= 3 && l.startsWith('-'))) return words[k + 1];
      if (n.startsWith('--') && l.startsWith(n + '='))
        return { value: (words[k] as Word).value.slice(n.length + 1), lower: l.slice(n.length + 1), span: (words[k] as Word).span };
    }
  }
  return undefined;
}

function hasOption(words: readonly Word[], test: (lower: string) => boolean): boolean {
  for (let k = 1; k < words.length; k++) if (test((words[k] as Word).lower)) return true;
  return false;
}

// ------------------------------------------------------------------ fetching

/** POSIX/cmd programs that download. */
export const DOWNLOADERS = new Set([
  'curl',
  'wget',
  'fetch',
  'http',
  'https',
  'xh',
  'aria2c',
  'lwp-download',
  'lwp-request',
  'get',
  'axel',
  'tftp',
]);

/** In-memory download calls in PowerShell/.NET, matched on deobfuscated word text. */
export const POWERSHELL_FETCH_TERMS = [
  'downloadstring',
  'downloaddata',
  'openread',
  'getstringasync',
  'getbytearrayasync',
  'getstreamasync',
  '.responsetext',
  '.responsebody',
  '.responsestream',
  '.getresponse(',
  'downloadfile',
  'uploadstring',
  'xmlhttp',
  'winhttprequest',
  'system.net.webclient',
  'net.webclient',
];

function isPowerShellFetchCommand(cmd: SimpleCommand): boolean {
  return cmd.name === 'invoke-webrequest' || cmd.name === 'invoke-restmethod' || cmd.name === 'start-bitstransfer';
}

/** Does any word of the command contain an in-memory .NET download call? */
/** One pass over a word for all terms (a literal alternation: linear, no backtracking). */
function termPattern(terms: readonly string[]): RegExp {
  return new RegExp(terms.map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'));
}
const POWERSHELL_FETCH_PATTERN = termPattern([...POWERSHELL_FETCH_TERMS, 'xmldocument']);

export function hasPowerShellFetchTerm(cmd: SimpleCommand): boolean {
  for (const w of cmd.words) {
    const l = w.lower;
    if (l.length < 6) continue;
    if (POWERSHELL_FETCH_PATTERN.test(l)) return true;
    if (l.includes('.load(') && containsUrl(l)) return true;
  }
  return false;
}

/** The command's output (stdout / pipeline / value) is content fetched from the network. */
/** Programs that print a file (`type \\198.51.100.7\s\p.ps1 | powershell -`). */
const FILE_PRINTERS = new Set(['type', 'cat', 'get-content', 'gc', 'more']);

/**
 * A share on an IP literal or reached over WebDAV (`\\198.51.100.7\s\x`, `\\host@SSL\…`,
 * `\\host\DavWWWRoot\…`): a remote server, not a file server of the organisation's own.
 */
const REMOTE_SHARE = /^["']?\\\\(?:[0-9]{1,3}(?:\.[0-9]{1,3}){3}\\|[a-z0-9_.-]+@(?:ssl|[0-9]+)\b|[a-z0-9_.-]+\\davwwwroot\\)/;

/** Printing a file on a remote share: its content comes from the network like a download's. */
function readsRemoteShare(cmd: SimpleCommand): boolean {
  if (!FILE_PRINTERS.has(cmd.name)) return false;
  for (let k = 1; k < cmd.words.length; k++) {
    const l = (cmd.words[k] as Word).lower;
    if (l.length > 4 && (l.charCodeAt(0) === 0x5c || l.charCodeAt(1) === 0x5c) && REMOTE_SHARE.test(l) && !l.startsWith('\\\\127.'))
      return true;
  }
  return false;
}

/**
 * An object read from cloud storage to standard output: `aws s3 cp s3://b/k -`, `gsutil cat gs://b/k`,
 * `gcloud storage cat gs://…`, `az storage blob download … --file /dev/stdout`, `rclone cat remote:path`.
 */
function cloudObjectToOutput(cmd: SimpleCommand): boolean {
  const n = cmd.name;
  if (n !== 'aws' && n !== 'gsutil' && n !== 'gcloud' && n !== 'az' && n !== 'rclone') return false;
  const lowers = cmd.words.map((w) => w.lower);
  if (n === 'aws') return lowers[1] === 's3' && lowers[2] === 'cp' && lowers.some((l) => l.startsWith('s3://')) && lowers.includes('-');
  if (n === 'gsutil' || n === 'rclone') return lowers[1] === 'cat';
  if (n === 'gcloud') return lowers[1] === 'storage' && lowers[2] === 'cat';
  return lowers.includes('download') && lowers.includes('/dev/stdout');
}

export function fetchesToOutput(cmd: SimpleCommand): boolean {
  const name = cmd.name;
  const words = cmd.words;
  if (readsRemoteShare(cmd)) return true;
  if (cloudObjectToOutput(cmd)) return true;
  if (cmd.shell === 'powershell' && name === 'resolve-dnsname') return words.some((w) => w.lower === 'txt');
  if (cmd.shell === 'powershell' && name === 'nslookup') return words.some((w) => /(^|[=-])txt$/i.test(w.value));
  // In PowerShell a bare `curl`/`wget` is Invoke-WebRequest (resolved as such); `curl.exe` is curl, judged as below.
  if (cmd.shell === 'powershell' && name !== 'curl' && name !== 'wget') {
    if (name === 'invoke-webrequest' || name === 'invoke-restmethod') return !hasOption(words, (l) => l.startsWith('-outf') || l === '-o');
    return hasPowerShellFetchTerm(cmd) && !cmd.words.some((w) => w.lower.includes('downloadfile'));
  }
  if (name === 'curl') {
    return (
      !hasOption(
        words,
        (l) =>
          l === '-o' ||
          l === '-O' ||
          l === '--output' ||
          l.startsWith('--output=') ||
          l === '--remote-name' ||
          l === '--remote-name-all' ||
          l === '-t' ||
          l === '--upload-file' ||
          // Bundled short options (`-sSLo`, `-fsSLO`).
          optionClusterHas(l, 'o'),
      ) || hasStdoutOutput(words, ['-o', '--output'])
    );
  }
  if (name === 'wget') {
    for (let k = 1; k < words.length; k++) {
      const l = (words[k] as Word).lower;
      if (l === '-o-' || l === '-qo-' || /^-[a-z]*o-$/.test(l) || l === '--output-document=-' || l === '-o/dev/stdout') return true;
      if ((/^-[a-z]*o$/.test(l) && (words[k] as Word).value.endsWith('O')) || l === '--output-document') {
        const v = words[k + 1]?.value;
        if (v === '-' || v === '/dev/stdout') return true;
      }
    }
    return false;
  }
  if (name === 'fetch') return hasStdoutOutput(words, ['-o']);
  if (name === 'http' || name === 'https' || name === 'xh' || name === 'lwp-request' || name === 'get')
    return words.some(isUrlWord) || words.length > 1;
  // DNS TXT records used to stage payloads.
  if (
    (name === 'nslookup' || name === 'dig' || name === 'host' || name === 'resolve-dnsname' || name === 'drill') &&
    words.some((w) => /(^|[=\s-])txt$/i.test(w.value) || w.lower === 'txt')
  )
    return true;
  if (
    name === 'nc' ||
    name === 'ncat' ||
    name === 'netcat' ||
    name === 'socat' ||
    (name === 'openssl' && words.some((w) => w.lower === 's_client'))
  )
    return true;
  if (cmd.redirects.some((r) => r.op === '<' && r.target.lower.includes('/dev/tcp/'))) return true;
  // `finger user@host` prints whatever that host's finger server sends: a way to stage commands (ClickFix lures).
  if (name === 'finger') return words.some((w, k) => k > 0 && w.value.lastIndexOf('@') < w.value.length - 1 && w.value.includes('@'));
  return false;
}

function hasStdoutOutput(words: readonly Word[], options: readonly string[]): boolean {
  for (let k = 1; k < words.length; k++) {
    const l = (words[k] as Word).value;
    if (options.includes(l) && (words[k + 1]?.value === '-' || words[k + 1]?.value === '/dev/stdout')) return true;
  }
  return false;
}

/** Is this command a network download of any kind (to output, variable or file)? */
/** Programs that copy files over SSH: a source written `[user@]host:path` is on another machine. */
const REMOTE_COPIERS: ReadonlySet<string> = new Set(['scp', 'sftp', 'rsync', 'pscp']);
/** Options of scp, sftp, rsync and pscp that take the next word as their value. */
const REMOTE_COPY_VALUE_OPTIONS: ReadonlySet<string> = new Set([
  '-c',
  '-F',
  '-i',
  '-J',
  '-l',
  '-o',
  '-P',
  '-S',
  '-e',
  '-pw',
  '-b',
  '-D',
  '-X',
]);

/** `user@host:/path` or `host:path` (not `C:\x`, not a URL). */
function isRemoteCopyPath(value: string): boolean {
  const colon = value.indexOf(':');
  if (colon < 1 || value.startsWith('-')) return false;
  if (colon === 1 && (value[2] === '\\' || value[2] === '/')) return false;
  if (value.startsWith('//', colon + 1)) return false;
  const host = value.slice(value.lastIndexOf('@', colon) + 1, colon);
  return host.length > 0 && /^[A-Za-z0-9._[\]-]+$/.test(host);
}

/** A copy pulled from another machine over SSH (`scp ops@h:/srv/a /tmp/a`): the local file it writes, or null. */
function remoteCopyTarget(cmd: SimpleCommand): string | null {
  if (!REMOTE_COPIERS.has(cmd.name)) return null;
  const positional: string[] = [];
  for (let k = 1; k < cmd.words.length; k++) {
    const v = (cmd.words[k] as Word).value;
    if (REMOTE_COPY_VALUE_OPTIONS.has(v)) k++;
    else if (!v.startsWith('-')) positional.push(v);
  }
  if (positional.length < 2) return null;
  const target = positional[positional.length - 1] as string;
  if (isRemoteCopyPath(target)) return null;
  const source = positional.slice(0, -1).find(isRemoteCopyPath);
  if (source === undefined) return null;
  // Into a directory, the file keeps the source's name.
  return target === '.' || target.endsWith('/') || target.endsWith('\\') || target === '~' ? source.slice(source.indexOf(':') + 1) : target;
}

/** Interpreter calls that save a URL to a file: `urllib.request.urlretrieve(URL, FILE)`, Perl's `getstore(URL, FILE)`. */
const SAVING_CALLS = ['urlretrieve(', 'getstore(', 'mirror(', 'wget.download('];

/** The file interpreter code saves a download into (`python3 -c 'urlretrieve("http://…", "/tmp/x.py")'`), or null. */
function interpreterSavedFile(cmd: SimpleCommand): string | null {
  const n = cmd.name;
  if (!(n.startsWith('python') || n === 'perl' || n === 'ruby' || n === 'php')) return null;
  for (const w of cmd.words) {
    if (w.value.length > 16_384 || !containsUrl(w.lower)) continue;
    for (const call of SAVING_CALLS) {
      const at = w.lower.indexOf(call);
      if (at < 0) continue;
      // The second argument, a string literal: up to the closing parenthesis of the call.
      const close = w.value.indexOf(')', at);
      const args = w.value.slice(at + call.length, close < 0 ? undefined : close).split(',');
      const file = args[1]?.trim().replace(/^(?:out\s*=\s*)?["']|["']$/g, '');
      if (file && !file.includes('(') && !file.includes(' ')) return file;
    }
  }
  return null;
}

export function isFetch(cmd: SimpleCommand): boolean {
  if (readsRemoteShare(cmd)) return true;
  if (REMOTE_COPIERS.has(cmd.name)) return remoteCopyTarget(cmd) !== null;
  if (interpreterSavedFile(cmd) !== null) return true;
  if (cmd.shell === 'powershell') {
    if (isPowerShellFetchCommand(cmd)) return true;
    if ((cmd.name === 'curl' || cmd.name === 'wget') && cmd.words.some(isUrlWord)) return true;
    return hasPowerShellFetchTerm(cmd);
  }
  if (DOWNLOADERS.has(cmd.name)) return cmd.words.some(isUrlWord) || cmd.name === 'curl' || cmd.name === 'wget';
  if (cmd.name === 'certutil')
    return cmd.words.some(
      (w) => w.lower === '-urlcache' || w.lower === '/urlcache' || w.lower === '-verifyctl' || w.lower === '/verifyctl',
    );
  if (cmd.name === 'bitsadmin') return cmd.words.some((w) => w.lower === '/transfer' || w.lower === '/addfile' || w.lower === '/download');
  return fetchesToOutput(cmd);
}

/** The file key of downloads whose names are only known at run time (`wget -i urls.txt`): a pattern may name them. */
export const UNNAMED_DOWNLOAD = '*';

/** Files (as fileKey) a command writes with content fetched from the network. */
export function downloadedFiles(cmd: SimpleCommand, doc: Document): string[] {
  const words = cmd.words;
  const out: string[] = [];
  const url = words.find(isUrlWord)?.value ?? '';
  const name = cmd.name;
  const add = (v: string | undefined) => {
    if (v && v !== '-' && v !== '/dev/stdout' && v !== '/dev/null') {
      const k = fileKey(v);
      if (k) out.push(k);
    }
  };
  if (cmd.shell === 'powershell' && (name === 'invoke-webrequest' || name === 'invoke-restmethod')) {
    // `-o` is taken for -OutFile (as by fetchesToOutput).
    add((optionValue(words, ['-outfile'], true) ?? optionValue(words, ['-o']))?.value);
  } else if (cmd.shell === 'powershell' && name === 'start-bitstransfer') {
    const dest = optionValue(words, ['-destination'], true)?.value;
    if (dest) add(dest);
    else {
      const positional = words.slice(1).filter((w) => !w.value.startsWith('-'));
      add(positional[1]?.value ?? urlFileName(url));
    }
  } else if (cmd.shell === 'powershell') {
    for (const w of words) {
      // `.DownloadFile(url, file)`, or the method object invoked: `.DownloadFile.Invoke(url, file)`.
      let i = w.lower.indexOf('downloadfile(');
      let skip = 13;
      if (i < 0) {
        i = w.lower.indexOf('downloadfile.invoke(');
        skip = 20;
      }
      if (i >= 0) {
        const args = w.value.slice(i + skip).split(',');
        add(args[1]?.replace(/\).*$/, '').trim());
      }
    }
  } else if (name === 'curl') {
    const o = optionValue(words, ['-o', '--output']);
    if (o) add(o.value);
    for (let k = 1; k < words.length; k++) {
      const v = (words[k] as Word).value;
      if (/^-[a-zA-Z]*O$/.test(v) || v === '--remote-name' || optionClusterHas(v, 'O')) add(urlFileName(url));
      else if (/^-[a-zA-Z]*o$/.test(v) && v !== '-o') add(words[k + 1]?.value);
    }
  } else if (name === 'wget') {
    if (!fetchesToOutput(cmd)) {
      let explicit: string | undefined;
      let listed = false;
      for (let k = 1; k < words.length; k++) {
        const w = words[k] as Word;
        if (/^-[a-zA-Z]*O$/.test(w.value) || w.value === '--output-document') explicit = words[k + 1]?.value;
        else if (w.value.startsWith('--output-document=')) explicit = w.value.slice(18);
        else if (w.value === '--input-file' || w.value.startsWith('--input-file=') || optionClusterHas(w.value, 'i')) listed = true;
      }
      // `… | wget -qi -`: URLs read from a list, saved under names only known at run time.
      add(explicit ?? (url === '' && listed ? UNNAMED_DOWNLOAD : urlFileName(url)));
    }
  } else if (name === 'certutil' || name === 'bitsadmin') {
    if (isFetch(cmd)) {
      const positional = words.slice(1).filter((w) => !w.value.startsWith('-') && !w.value.startsWith('/'));
      const urlIndex = positional.findIndex(isUrlWord);
      add(urlIndex >= 0 ? (positional[urlIndex + 1]?.value ?? urlFileName(url)) : undefined);
    }
  } else if (REMOTE_COPIERS.has(name)) {
    add(remoteCopyTarget(cmd) ?? undefined);
  } else if (interpreterSavedFile(cmd) !== null) {
    add(interpreterSavedFile(cmd) ?? undefined);
  } else if (DOWNLOADERS.has(name)) {
    const o = optionValue(words, ['-o', '--out', '--output', '-O']);
    add(o?.value ?? (url ? urlFileName(url) : undefined));
  }
  // Output redirected to a file: `curl URL > x.sh`, `iwr … | Out-File x`.
  if (fetchesToOutput(cmd)) for (const t of redirectOrPipeTargets(cmd, doc)) add(t);
  return out;
}

/**
 * Variables referenced in a word, lower case (`$x`, `${x}`, `$x.Content`, `%x%`, a splatted `@p`). All of them:
 * a cap would let decoys placed before the one that matters hide it. The list is at most half the word's length.
 */
export function referencedVariables(w: Word): string[] {
  const out: string[] = [];
  const v = w.value;
  // `Invoke-Expression @p`: splatting passes the hashtable's values (`@{Command=(irm …)}`) as the arguments.
  if (v.length > 1 && v.charCodeAt(0) === 0x40 && /^@[A-Za-z_][A-Za-z0-9_]*$/.test(v)) out.push(v.slice(1).toLowerCase());
  for (let i = v.indexOf('$'); i >= 0 && i < v.length; i = v.indexOf('$', i + 1)) {
    let j = i + 1;
    if (v[j] === '{') j++;
    const start = j;
    while (j < v.length && /[A-Za-z0-9_:]/.test(v[j] as string)) j++;
    if (j > start)
      out.push(
        v
          .slice(start, j)
          .replace(/^(script|global|local|private):/i, '')
          .toLowerCase(),
      );
  }
  for (let i = v.indexOf('%'); i >= 0;) {
    const j = v.indexOf('%', i + 1);
    if (j < 0) break;
    if (j > i + 1) out.push(v.slice(i + 1, j).toLowerCase());
    i = v.indexOf('%', j + 1);
  }
  return out;
}

/** Whether any word of the command references one of `variables` (lower-case names). */
export function referencesAny(cmd: SimpleCommand, variables: ReadonlySet<string> | ReadonlyMap<string, unknown>): boolean {
  return cmd.words.some((w) => referencedVariables(w).some((v) => variables.has(v)));
}

/**
 * Files that receive what a command outputs or is given to write: its redirects and those of the writers
 * after it in the pipeline (see redirectOrPipeTargets), and, for Out-File / Set-Content / Add-Content
 * themselves, the path they write (`Set-Content x.ps1 -Value $code`).
 */
export function contentWriteTargets(cmd: SimpleCommand, doc: Document): string[] {
  const targets = redirectOrPipeTargets(cmd, doc);
  if (cmd.name === 'out-file' || cmd.name === 'set-content' || cmd.name === 'add-content') {
    const path = cmd.words
      .slice(1)
      .find(
        (w, k, all) =>
          !w.value.startsWith('-') &&
          !referencedVariables(w).length &&
          !/^-(v|va|val|valu|value|inputobject|encoding)$/i.test(all[k - 1]?.value ?? ''),
      );
    if (path) targets.push(path.value);
  }
  return targets;
}

/** How many later pipeline members may write what a command outputs (`base64 -d | gunzip | tee x`). */
const MAX_PIPED_WRITERS = 16;

/**
 * Files written from the output of `cmd` (redirects on it or later pipeline members, `Out-File`, `tee`, `Set-Content`).
 * The members looked at are bounded: asked of every decoder in a pipeline of thousands, an unbounded walk is quadratic.
 */
export function redirectOrPipeTargets(cmd: SimpleCommand, doc: Document): string[] {
  const out: string[] = [];
  for (const r of cmd.redirects) if (r.op === '>' || r.op === '>>') out.push(r.target.value);
  const members = doc.pipelines[cmd.pipeline] ?? [];
  const end = Math.min(members.length, cmd.position + 1 + MAX_PIPED_WRITERS);
  for (let p = cmd.position + 1; p < end; p++) {
    const next = doc.commands[members[p] as number];
    if (!next) break;
    for (const r of next.redirects) if (r.op === '>' || r.op === '>>') out.push(r.target.value);
    if (
      next.name === 'out-file' ||
      next.name === 'set-content' ||
      next.name === 'add-content' ||
      next.name === 'tee' ||
      next.name === 'tee-object'
    ) {
      const target =
        optionValue(next.words, ['-filepath', '-path', '-literalpath', '-file'], true) ??
        next.words.slice(1).find((w) => !w.value.startsWith('-'));
      if (target) out.push(target.value);
    }
  }
  return out;
}

// ------------------------------------------------------------------ decoding

/** Command decodes base64/hex/other encodings (to stdout or a file). */
export function isDecoder(cmd: SimpleCommand): boolean {
  const n = cmd.name;
  // Asked for every command: no closure or word scan unless the name can decode.
  if (!DECODER_NAMES.has(n)) return false;
  const words = cmd.words;
  if (BASE64_DECODERS.has(n))
    return (
      n !== 'base64' ||
      hasWord(words, '-d') ||
      hasWord(words, '--decode') ||
      words.some((w) => optionClusterHas(w.value, 'd', true) && w.value !== '-d0')
    );
  if (n === 'openssl')
    return (
      (hasWord(words, 'base64') || hasWord(words, '-base64') || hasWord(words, 'enc')) &&
      (hasWord(words, '-d') || hasWord(words, '-a') || hasWord(words, '-base64'))
    );
  if (n === 'xxd') return hasWord(words, '-r') || hasWord(words, '-r -p') || words.some((w) => /^-r/.test(w.lower));
  if (n === 'uudecode' || n === 'basenc' || n === 'base32' || n === 'base58') return true;
  // Reversed text and a rotation cipher read back (`rev <<< 'imaohw'`, `tr 'A-Za-z' 'N-ZA-Mn-za-m'`).
  if (n === 'rev') return true;
  if (n === 'tr') return isTrCipher(cmd);
  if (n === 'certutil')
    return hasWord(words, '-decode') || hasWord(words, '/decode') || hasWord(words, '-decodehex') || hasWord(words, '/decodehex');
  return false;
}

/** Every name `isDecoder` can answer true for. */
const DECODER_NAMES: ReadonlySet<string> = new Set([
  ...BASE64_DECODERS,
  'openssl',
  'xxd',
  'uudecode',
  'basenc',
  'base32',
  'base58',
  'certutil',
  'rev',
  'tr',
]);

function hasWord(words: readonly Word[], lower: string): boolean {
  for (const w of words) if (w.lower === lower) return true;
  return false;
}

// ------------------------------------------------------------------ executing

/** Executes program text read from stdin (`| sh`, `| python3 -`, `| iex`, `| powershell -`). */
export function executesStdin(cmd: SimpleCommand): boolean {
  return executesStdinAs(cmd.name, cmd);
}

/** `executesStdin` for the command as if its program were `n` (for a program name the text computes). */
export function executesStdinAs(n: string, cmd: SimpleCommand): boolean {
  if (!STDIN_EXECUTORS.has(n)) return false;
  const args = cmd.words.slice(1);
  if (POSIX_SHELLS.has(n)) {
    if (args.some((w) => optionClusterHas(w.value, 'c', true) && !w.quoted)) return false;
    const script = args.find((w) => !w.value.startsWith('-') && !(n === 'busybox' && POSIX_SHELLS.has(w.value)));
    return script === undefined || script.value === '/dev/stdin' || args.some((w) => w.value === '-s' || w.value === '-');
  }
  if (INTERPRETERS.has(n)) {
    if (args.some((w) => /^-[a-z]*[ceEr]$/.test(w.value) && n !== 'python' && n !== 'python3' && n !== 'python2')) return false;
    if (args.some((w) => w.value === '-c' || w.value === '-m')) return false;
    // The value of an option is not the script (`osascript -l JavaScript`, `ruby -r json`, `node -r dotenv/config`).
    const script = args.find((w, k) => !w.value.startsWith('-') && !(k > 0 && VALUED_INTERPRETER_OPTIONS.has(args[k - 1]!.value)));
    return script === undefined || script.value === '-' || script.value === '/dev/stdin' || args.some((w) => w.value === '-');
  }
  if ((n === 'source' || n === '.') && args[0]?.value === '/dev/stdin') return true;
  if (n === 'invoke-expression')
    return args.filter((w) => !w.value.startsWith('-')).length === 0 || args.some((w) => /^\$_$|^\$psitem$|^\$input$/i.test(w.value));
  if (POWERSHELL_HOSTS.has(n)) return args.some((w) => w.value === '-');
  if (n === 'cmd') return args.length === 0 || args.every((w) => /^\/[a-z]$/i.test(w.value) && !/^\/[ckr]$/i.test(w.value));
  return false;
}

const VALUED_INTERPRETER_OPTIONS: ReadonlySet<string> = new Set(['-l', '-r', '-W', '-X', '--require', '-I']);

/** Every name `executesStdin` can answer true for (one lookup: it is asked for every command). */
const STDIN_EXECUTORS: ReadonlySet<string> = new Set([
  ...POSIX_SHELLS,
  ...INTERPRETERS,
  ...POWERSHELL_HOSTS,
  'source',
  '.',
  'invoke-expression',
  'cmd',
]);
/** Every name `executesArguments` can find program text for (one lookup: it is asked for every command). */
const ARGUMENT_EXECUTORS: ReadonlySet<string> = new Set([
  ...POSIX_SHELLS,
  ...INTERPRETERS,
  ...POWERSHELL_HOSTS,
  'eval',
  'invoke-expression',
  'su',
  'source',
  '.',
  'add-type',
]);
const NO_WORDS: readonly Word[] = [];

/** Text-executing commands that take the program text as an argument. */
export function executesArguments(cmd: SimpleCommand): readonly Word[] {
  return executesArgumentsAs(cmd.name, cmd);
}

/** `executesArguments` for the command as if its program were `n` (for a program name the text computes). */
export function executesArgumentsAs(n: string, cmd: SimpleCommand): readonly Word[] {
  // Asked for every command: most names run no text, so nothing is copied for them.
  if (!ARGUMENT_EXECUTORS.has(n)) return NO_WORDS;
  const args = cmd.words.slice(1);
  if (n === 'eval' || n === 'invoke-expression') return args.filter((w) => !/^-c(o(m(m(a(nd?)?)?)?)?)?$/i.test(w.value));
  if (POSIX_SHELLS.has(n) || n === 'su') {
    const c = args.findIndex((w) => optionClusterHas(w.value, 'c', true) && !w.quoted);
    if (c >= 0) return args.slice(c + 1, c + 2);
    // `bash <(curl …)`: the script argument is a process substitution.
    return args.filter((w) => w.value.startsWith('<(') || w.value.startsWith('$('));
  }
  if (n === 'source' || n === '.') return args.slice(0, 1);
  if (INTERPRETERS.has(n)) {
    const c = args.findIndex((w) => /^-[a-z]*[ceEr]$/.test(w.value));
    if (c >= 0) return args.slice(c + 1, c + 2);
    return args.filter((w) => w.value.startsWith('<(') || w.value.startsWith('$('));
  }
  if (POWERSHELL_HOSTS.has(n)) {
    const c = args.findIndex((w) => /^[-/]c(o(m(m(a(nd?)?)?)?)?)?$/i.test(w.value));
    return c >= 0 ? args.slice(c + 1) : args.filter((w) => !w.value.startsWith('-'));
  }
  if (n === 'add-type') return args;
  return NO_WORDS;
}

// ------------------------------------------------------------------ programs named at run time

/** Environment variables that conventionally name the user's viewer or editor (the text cannot set them unseen: assignments in the text or the session are resolved). */
const VIEWER_VARIABLES: ReadonlySet<string> = new Set(['pager', 'manpager', 'git_pager', 'editor', 'visual']);
/** Programs whose output, as the command word, names another program (`$(which bash)`). */
const PROGRAM_LOCATORS: ReadonlySet<string> = new Set(['which', 'command', 'type', 'whereis', 'where', 'get-command']);
/** What a program the text does not name is judged as: a program of the shell that runs the text it is given. */
const STAND_IN: Readonly<Record<SimpleCommand['shell'], string>> = {
  powershell: 'invoke-expression',
  cmd: 'cmd',
  bash: 'sh',
  sh: 'sh',
  zsh: 'sh',
};
/** `computedProgram` of a command whose program the text does not say. */
export const UNKNOWN_PROGRAM = '';

/**
 * The program a command runs when the text does not name it as a constant: PowerShell's call or dot
 * operator on a computed target (`& $x …`, `. (gv 1).Value …`), a POSIX command word that is an unset
 * variable (`$SHELL`, `"$sh"`) or a substitution (`$(which bash)`), a cmd `%X%`. Returns the program
 * as far as the text says (`bash` for `$(which bash)`), UNKNOWN_PROGRAM, or null when the name is a
 * constant (or a variable that conventionally names a viewer: `$PAGER`, `$EDITOR`).
 */
export function computedProgram(doc: Document, cmd: SimpleCommand): string | null {
  const head = cmd.words[0];
  if (!head) return null;
  const n = cmd.name;
  if (cmd.shell === 'powershell') {
    if (cmd.invocation === undefined || n !== '') return null;
    // `& "$env:ProgramFiles\Git\bin\git.exe"`: only the directory is computed.
    return isConstantProgramName(programName(head.value)) ? null : UNKNOWN_PROGRAM;
  }
  const c = n.charCodeAt(0);
  if (c === 0x25 /* % */) return cmd.shell === 'cmd' && n.length > 2 && n.endsWith('%') ? UNKNOWN_PROGRAM : null;
  if (c !== 0x24 /* $ */ && c !== 0x60 /* ` */) return null;
  if (n.startsWith('$(') || c === 0x60) {
    // `$(which bash)`, `$(command -v python3)`: the program the locator names.
    const located = head.nested?.length === 1 ? doc.commands[head.nested[0]!] : undefined;
    if (located && PROGRAM_LOCATORS.has(located.name)) {
      const target = located.words.slice(1).find((w) => !w.value.startsWith('-'));
      if (target) return programName(target.value);
    }
    return UNKNOWN_PROGRAM;
  }
  const variable = n.replace(/^\$\{?|\}$/g, '');
  return VIEWER_VARIABLES.has(variable) ? null : UNKNOWN_PROGRAM;
}

/** The program `computedProgram` found, or the shell's stand-in for one the text does not say. */
export function judgedProgram(computed: string, cmd: SimpleCommand): string {
  return computed === UNKNOWN_PROGRAM ? STAND_IN[cmd.shell] : computed;
}

/** `[a-z0-9._+-]+`: a program name as written (no expansion, expression or wildcard left in it). */
function isConstantProgramName(name: string): boolean {
  if (name.length === 0) return false;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (!((c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 46 || c === 95 || c === 45 || c === 43)) return false;
  }
  return true;
}

/**
 * Whether a pipeline member runs what it reads: a program that executes stdin (`| sh`), or one the text
 * does not name (`| $SHELL`, `| & $x`) invoked the way such a program would be. Returns 'named',
 * 'computed' or null.
 */
export function runsPipedInput(doc: Document, cmd: SimpleCommand): 'named' | 'computed' | null {
  const computed = computedProgram(doc, cmd);
  if (computed === null) return executesStdin(cmd) ? 'named' : null;
  if (executesStdinAs(judgedProgram(computed, cmd), cmd)) return computed === UNKNOWN_PROGRAM ? 'computed' : 'named';
  const launched = computed === UNKNOWN_PROGRAM ? launchedByComputed(cmd) : null;
  return launched && executesStdin(launched) ? 'named' : null;
}

/**
 * `$SUDO bash -s`: a computed word in front of a program name is taken for a launcher (sudo, env, a
 * wrapper script), and the command for the program it starts. Null when no word after its options is a name.
 */
export function launchedByComputed(cmd: SimpleCommand): SimpleCommand | null {
  if (cmd.shell === 'powershell') return null;
  // The launcher's own options (`$SUDO -E bash`) come first.
  let k = 1;
  while (k < cmd.words.length && cmd.words[k]!.value.startsWith('-')) k++;
  const next = cmd.words[k];
  if (!next) return null;
  const name = programName(next.value);
  return isConstantProgramName(name) ? { ...cmd, name, words: cmd.words.slice(k) } : null;
}

/** Deobfuscated PowerShell/.NET constructs that run text or bytes as code. */
export const POWERSHELL_EXEC_TERMS = [
  'scriptblock]::create',
  'newscriptblock(',
  'invokescript(',
  // `[PowerShell]::Create().AddScript($text).Invoke()`: a runspace runs the text like `[ScriptBlock]::Create`.
  '.addscript(',
  'assembly]::load(',
  'assembly]::loadfrom(',
  'assembly]::unsafeloadfrom(',
  '.invokecommand.invokescript',
  'invoke-expression',
  'iex ',
  'iex(',
  'iex$',
];

const POWERSHELL_EXEC_PATTERN = termPattern(POWERSHELL_EXEC_TERMS);

export function hasPowerShellExecTerm(cmd: SimpleCommand): boolean {
  for (const w of cmd.words) {
    const l = w.lower;
    // Quoted words are data (`Write-Host "iex …"`); code that runs text is written unquoted.
    if (l.length >= 4 && !w.quoted && POWERSHELL_EXEC_PATTERN.test(l)) return true;
  }
  return false;
}

/**
 * For each command of the document (by index), 1 when it is a PowerShell command that runs text as
 * code (`Invoke-Expression`, or a word with `[ScriptBlock]::Create`, `iex(` …). Several families ask:
 * they keep the result per document (rules/command-match.ts `POWERSHELL_TEXT_RUNNERS`).
 */
export function powerShellTextRunners(doc: Document): readonly number[] {
  // A plain array: a typed array costs more to create than a one-line text takes to check.
  const flags: number[] = [];
  for (const cmd of doc.commands)
    flags.push(cmd.shell === 'powershell' && (cmd.name === 'invoke-expression' || hasPowerShellExecTerm(cmd)) ? 1 : 0);
  return flags;
}

/** Programs that run a file given as an argument (or, for the file's own name, as the command). */
const FILE_RUNNERS = new Set([
  'start-process',
  'start',
  'invoke-item',
  'cmd',
  'powershell',
  'pwsh',
  'bash',
  'sh',
  'zsh',
  'dash',
  'ksh',
  'python',
  'python3',
  'python2',
  'perl',
  'ruby',
  'node',
  'php',
  'source',
  '.',
  'msiexec',
  // macOS `installer -pkg x.pkg -target /`: a package's scripts run as root.
  'installer',
  'rundll32',
  'regsvr32',
  'mshta',
  'wscript',
  'cscript',
  'import-module',
  'installutil',
  'regasm',
  'regsvcs',
  'msbuild',
  'java',
  'dotnet',
  'open',
  'xdg-open',
  'invoke-expression',
  'mount-diskimage',
  'sudo',
  'exec',
  'nohup',
  'osascript',
  'wmic',
  'schtasks',
  'sc',
  'explorer',
  'forfiles',
  'pcalua',
  'conhost',
  'mono',
  'hh',
  'at',
]);

/**
 * macOS `open`: runs a file as its type says (an app, a package, a script), but with `-a App`, `-e`, `-t`, `-b id` or
 * `-R` the file is shown in (or revealed by) another application, which alone runs.
 */
const DOCUMENT_OPENERS: ReadonlySet<string> = new Set(['open']);
/** File keys a command executes: itself when invoked by path, or its file argument for runners. */
export function executedFiles(cmd: SimpleCommand): string[] {
  const out: string[] = [];
  for (const path of executedPaths(cmd)) {
    const k = fileKey(path);
    if (k) out.push(k);
  }
  return out;
}

/** The paths (as written) a command executes: its command word, or the file arguments of runners. */
export function executedPaths(cmd: SimpleCommand): string[] {
  if (LOCAL_PACKAGE_INSTALLERS.has(cmd.name)) return installedPackageFiles(cmd);
  const out: string[] = [];
  const first = cmd.words[0];
  // A PowerShell expression statement (`$path`, `"C:\x.exe"`, a method call's argument) outputs its value; only `&`/`.` run it.
  const expression = cmd.shell === 'powershell' && cmd.name === '' && cmd.invocation === undefined;
  if (first && !expression) out.push(first.value);
  const n = cmd.name;
  // `bash < job.sh`, `cmd < steps.txt`: a program that runs what it reads runs the file given as its input.
  if (cmd.redirects.length > 0 && STDIN_EXECUTORS.has(n) && executesStdin(cmd)) {
    for (const r of cmd.redirects) if (r.op === '<' && !r.heredoc && r.target.nested === undefined) out.push(r.target.value);
  }
  if (runsFileArguments(n)) {
    const words = cmd.words;
    // A shell or interpreter runs its script; what follows the script is the script's arguments (`parse.py data.csv`).
    const scriptFirst = POSIX_SHELLS.has(n) || INTERPRETERS.has(n) || n === 'source' || n === '.';
    const opener = DOCUMENT_OPENERS.has(n);
    const starter = n === 'start-process' || n === 'start';
    // cmd's `start "Title" /d C:\dir prog.exe`: the window title and start's own options come before the program.
    const cmdStart = n === 'start' && cmd.shell === 'cmd';
    const firstArgument = cmdStart ? cmdStartProgramIndex(words, 1) : 1;
    if (firstArgument < 0) return out;
    let started: string | undefined;
    for (let i = firstArgument; i < words.length; i++) {
      let value = words[i]!.value;
      // `Start-Process "$ExePath /s /e"`: the program is the string's part up to its switches.
      if (starter && started === undefined) value = programAndSwitches(value)?.[0] ?? value;
      if (cmdStart && i > firstArgument && value.startsWith('/')) continue;
      // `Start-Process msedge.exe C:\Temp\manual.pdf`: what follows the program is its arguments, run only when the
      // program itself runs files (`Start-Process powershell.exe x.ps1`).
      if (starter && !(value.startsWith('-') && value.length > 1)) {
        if (started !== undefined && !runsFileArguments(started)) break;
        started ??= programName(value);
      }
      // `open -a Preview f.pdf`, `open -e notes.txt`: the file is shown in an application, only `-a`'s application runs.
      if (opener && (value === '-e' || value === '-t' || value === '-R' || value === '-b')) break;
      if (opener && value === '-a') {
        const app = words[i + 1]?.value;
        if (app !== undefined) out.push(app);
        break;
      }
      if (value.startsWith('-') && value.length > 1) continue;
      if (scriptFirst && (value.includes('/') || value.includes('\\') || value.includes('.'))) {
        out.push(value);
        break;
      }
      // `rundll32 x.dll,Entry` / `regsvr32 /s x.dll`: the file is before the first comma, after a `/x:` option prefix.
      const comma = value.indexOf(',');
      let v = comma >= 0 ? value.slice(0, comma) : value;
      if (v.startsWith('/')) v = v.replace(/^\/[a-z]+:/i, '');
      out.push(v);
    }
  }
  return out;
}

/** Whether a program run with file arguments runs them (a shell, an interpreter, a runner) rather than opening them. */
function runsFileArguments(program: string): boolean {
  return FILE_RUNNERS.has(program) || POWERSHELL_HOSTS.has(program) || POSIX_SHELLS.has(program) || INTERPRETERS.has(program);
}

/** systemctl verbs that start a unit now (`enable` and `reenable` only with `--now`). */
const SYSTEMCTL_STARTS: ReadonlySet<string> = new Set(['start', 'restart', 'try-restart', 'reload-or-restart', 'try-reload-or-restart']);
/** Units one command starts that a text may have written; more are not followed. */
const MAX_STARTED_UNITS = 8;

/**
 * The unit files (as file keys: `ne.service`) a command starts now: `systemctl start ne`, `systemctl enable --now
 * ne.service`, `service ne restart`.
 */
export function startedUnitFiles(cmd: SimpleCommand): string[] {
  const words = cmd.words;
  if (cmd.name === 'service') {
    const verb = words[2]?.lower;
    return words[1] !== undefined && (verb === 'start' || verb === 'restart') ? [unitFileKey(words[1].lower)] : [];
  }
  if (cmd.name !== 'systemctl') return [];
  let verb: string | undefined;
  let now = false;
  const units: string[] = [];
  for (let k = 1; k < words.length && units.length < MAX_STARTED_UNITS; k++) {
    const l = words[k]!.lower;
    if (l === '--now') now = true;
    else if (l.startsWith('-')) continue;
    else if (verb === undefined) verb = l;
    else units.push(unitFileKey(l));
  }
  const starts = verb !== undefined && (SYSTEMCTL_STARTS.has(verb) || (now && (verb === 'enable' || verb === 'reenable')));
  return starts ? units : [];
}

/** `ne` and `ne.service` name the same unit file; other unit types (`.timer`, `.socket`) keep their suffix. */
function unitFileKey(name: string): string {
  const key = fileKey(name);
  return key.includes('.') ? key : `${key}.service`;
}

/** PowerShell cmdlets (and aliases) that read a file's text. */
const POWERSHELL_READERS: ReadonlySet<string> = new Set(['get-content', 'gc', 'cat', 'type']);
/** .NET calls that read a file's text or bytes: their argument is the file. */
const DOTNET_READS = ['::readalltext(', '::readallbytes(', '::readalllines(', '::opentext('];

/** .NET and COM calls that load or run the file they are given (an Excel add-in, an assembly, a process). */
const DOTNET_LOADS = [
  '.registerxll(',
  '::loadfrom(',
  '::loadfile(',
  '::unsafeloadfrom(',
  'process]::start(',
  '.shellexecute(',
  '.run(',
  '.exec(',
];

/**
 * Files a PowerShell command runs through a method call (`$excel.RegisterXLL(f)`, `[Reflection.Assembly]::LoadFile(f)`),
 * or whose contents it reads into code that is then evaluated: `iex (gc f -Raw)`,
 * `gc f | iex`, `[ScriptBlock]::Create([IO.File]::ReadAllText(f))`. Keys as `executedFiles` gives them.
 */
export function evaluatedFiles(doc: Document, cmd: SimpleCommand): string[] {
  if (cmd.shell !== 'powershell') return posixEvaluatedFiles(doc, cmd);
  let read: string | undefined;
  if (POWERSHELL_READERS.has(cmd.name)) {
    const path = cmd.words.find((w, k) => k > 0 && !w.value.startsWith('-') && (k === 1 || !cmd.words[k - 1]!.value.startsWith('-')));
    read = path?.value;
  } else if (cmd.name === '' && cmd.invocation === undefined && cmd.parent !== undefined) {
    // `('f')` is the argument group of a call: `[IO.File]::ReadAllText(…)` reads it, `.RegisterXLL(…)` runs it.
    const call = doc.commands[cmd.parent]?.words[0]?.lower;
    const path = cmd.words[0]?.value;
    if (call === undefined || path === undefined) return [];
    if (DOTNET_LOADS.some((r) => call.includes(r))) {
      const key = fileKey(path);
      return key ? [key] : [];
    }
    if (DOTNET_READS.some((r) => call.includes(r))) read = path;
  }
  if (read === undefined || !evaluatesOutput(doc, cmd)) return [];
  const key = fileKey(read);
  return key ? [key] : [];
}

/** Programs whose arguments a POSIX shell runs as code: `eval "$(cat f)"`, `source <(cat f)`, `sh -c "$(cat f)"`. */
const POSIX_CODE_RUNNERS: ReadonlySet<string> = new Set(['eval', 'source', '.', ...POSIX_SHELLS]);

/** `sh -c "$(cat f)"`, `source <(cat f)`, `eval "$(< f)"`-style: a file whose text a substitution hands to a shell as code. */
function posixEvaluatedFiles(doc: Document, cmd: SimpleCommand): string[] {
  if (cmd.name !== 'cat' || cmd.parent === undefined) return [];
  const parent = doc.commands[cmd.parent];
  if (parent === undefined || !POSIX_CODE_RUNNERS.has(parent.name)) return [];
  const out: string[] = [];
  for (let k = 1; k < cmd.words.length; k++) {
    const v = (cmd.words[k] as Word).value;
    if (v.startsWith('-') && v.length > 1) continue;
    const key = fileKey(v);
    if (key) out.push(key);
  }
  return out;
}

/** Whether a command's output becomes code: inside Invoke-Expression or `[ScriptBlock]::Create(…)`, or piped into Invoke-Expression. */
export function evaluatesOutput(doc: Document, cmd: SimpleCommand): boolean {
  let c: SimpleCommand | undefined = cmd;
  for (let depth = 0; c !== undefined && depth < 8; depth++) {
    if (c.name === 'invoke-expression' || (c.words[0]?.lower.includes('[scriptblock]::create') ?? false)) return true;
    c = c.parent !== undefined ? doc.commands[c.parent] : undefined;
  }
  // The next few commands of the pipeline (`gc f | Out-String | iex`).
  return pipelineNeighbours(doc, cmd, 'after', 4).some((other) => other.name === 'invoke-expression');
}

/** The commands written inside these words (`(…)`, `$(…)`, script blocks), at most 256 of them. */
export function commandsNestedIn(doc: Document, words: readonly Word[]): SimpleCommand[] {
  const out: SimpleCommand[] = [];
  for (const w of words) {
    for (const k of w.nested ?? []) {
      const nested = doc.commands[k];
      if (nested !== undefined && out.length < 256) out.push(nested);
    }
  }
  return out;
}

/**
 * The commands of `command`'s pipeline after it (or before it), nearest first, at most `limit`: a
 * filter sits a step or two away (`tcpdump -A | grep -i pass`); the bound keeps a pathological
 * 100,000-stage pipeline linear.
 */
export function pipelineNeighbours(doc: Document, command: SimpleCommand, direction: 'after' | 'before', limit = 8): SimpleCommand[] {
  const members = doc.pipelines[command.pipeline] ?? [];
  const out: SimpleCommand[] = [];
  const step = direction === 'after' ? 1 : -1;
  for (let k = command.position + step; k >= 0 && k < members.length && out.length < limit; k += step) {
    const other = doc.commands[members[k] as number];
    if (other !== undefined) out.push(other);
  }
  return out;
}

/** Package tools that install a local package file, whose maintainer scripts then run as root. */
const LOCAL_PACKAGE_INSTALLERS = new Set(['dpkg', 'rpm', 'apt', 'apt-get', 'yum', 'dnf', 'zypper', 'gdebi']);
const PACKAGE_INSTALL_VERBS = new Set(['install', 'localinstall', 'reinstall', 'upgrade', 'update']);

/** `dpkg -i x.deb`, `rpm -Uvh x.rpm`, `apt install ./x.deb`, `yum localinstall x.rpm`: the package files installed. */
function installedPackageFiles(cmd: SimpleCommand): string[] {
  const words = cmd.words;
  let installs = false;
  for (let i = 1; i < words.length; i++) {
    const v = words[i]!.value;
    if (PACKAGE_INSTALL_VERBS.has(v) || v === '--install' || v === '--upgrade') installs = true;
    // dpkg -i / rpm -i, -U, -F (also bundled: -ivh, -Uvh).
    else if ((cmd.name === 'dpkg' || cmd.name === 'rpm') && v.length <= 8 && /^-[a-zA-Z]+$/.test(v)) {
      if (v.includes('i') || (cmd.name === 'rpm' && (v.includes('U') || v.includes('F')))) installs = true;
    }
  }
  if (!installs) return [];
  const out: string[] = [];
  for (let i = 1; i < words.length; i++) {
    const v = words[i]!.value;
    if (!v.startsWith('-') && (v.endsWith('.deb') || v.endsWith('.rpm') || v.includes('/'))) out.push(v);
  }
  return out;
}

/** Whether `name` looks like a file one can run (has a path or a runnable extension). */
export function looksRunnable(key: string): boolean {
  return key.length > 0 && !/^(con|nul|prn|aux)$/.test(key);
}

export { programName };

// ------------------------------------------------------------------ archives

/** What an unpacking command reads and where it writes. */
export interface Extraction {
  /** The archive file; undefined when the archive is read from stdin (`curl … | tar xz`). */
  archive: string | undefined;
  /** Where the contents go: a directory (as written), '' for the working directory. */
  directory: string;
  /** For single-file decompressors (`gunzip x.gz`), the file written. */
  file?: string;
}

/** Every name `archiveExtraction` can answer for (one lookup: it is asked for every command after a download). */
const UNPACKERS: ReadonlySet<string> = new Set([
  'ditto',
  'hdiutil',
  'tar',
  'bsdtar',
  'unzip',
  '7z',
  '7za',
  '7zr',
  'unrar',
  'expand-archive',
  'expand',
  'gunzip',
  'gzip',
  'unxz',
  'xz',
  'bunzip2',
  'bzip2',
  'unzstd',
  'zstd',
]);
const DECOMPRESSED_EXTENSIONS = ['.gz', '.xz', '.bz2', '.zst', '.z'];

/** Whether a program name can unpack an archive (PowerShell's `ZipFile]::ExtractToDirectory` aside). */
export function isUnpacker(name: string): boolean {
  return UNPACKERS.has(name);
}

/**
 * The archive a command unpacks and where (`tar -xzf a.tgz -C /opt`, `unzip a.zip -d x`, `7z x a.7z -ox`,
 * `Expand-Archive a.zip -DestinationPath x`, `[IO.Compression.ZipFile]::ExtractToDirectory('a.zip', 'x')`,
 * `gunzip a.gz`), or null when it unpacks nothing.
 */
export function archiveExtraction(cmd: SimpleCommand): Extraction | null {
  const extraction = findArchiveExtraction(cmd);
  if (extraction !== null && CURRENT_DIRECTORY_SPELLINGS.has(trimQuotes(extraction.directory.toLowerCase()))) extraction.directory = '';
  return extraction;
}

/** Ways to name the working directory as a destination (`"$PWD"`, `(Get-Location).Path`, `.`): the same as naming none. */
const CURRENT_DIRECTORY_SPELLINGS: ReadonlySet<string> = new Set([
  '.',
  './',
  '.\\',
  '$pwd',
  '${pwd}',
  '$pwd.path',
  '$(pwd)',
  '`pwd`',
  '(pwd)',
  '(get-location)',
  '$(get-location)',
  '(get-location).path',
  '$(get-location).path',
  '(gl)',
  '$(gl)',
]);

function findArchiveExtraction(cmd: SimpleCommand): Extraction | null {
  const n = cmd.name;
  const words = cmd.words;
  if (!UNPACKERS.has(n)) {
    if (cmd.shell !== 'powershell') return null;
    for (const w of words) {
      const at = w.lower.indexOf('extracttodirectory(');
      if (at < 0) continue;
      const args = w.value
        .slice(at + 19)
        .replace(/\).*$/s, '')
        .split(',');
      return { archive: args[0]?.trim().replace(/^["']|["']$/g, ''), directory: args[1]?.trim().replace(/^["']|["']$/g, '') ?? '' };
    }
    return null;
  }
  const args = words.slice(1);
  if (n === 'hdiutil') {
    // `hdiutil attach x.dmg [-mountpoint dir]`: a disk image's contents appear under /Volumes (or the mount point).
    const verb = args[0]?.lower;
    if (verb !== 'attach' && verb !== 'mount') return null;
    let image: string | undefined;
    let directory = '/Volumes';
    for (let k = 1; k < args.length; k++) {
      const v = args[k]!.value;
      if (v === '-mountpoint') directory = args[++k]?.value ?? directory;
      else if (v === '-mountroot') directory = args[++k]?.value ?? directory;
      else if (!v.startsWith('-') && image === undefined) image = v;
    }
    return image === undefined ? null : { archive: image, directory };
  }
  if (n === 'tar' || n === 'bsdtar') {
    let extracting = false;
    let archive: string | undefined;
    let directory = '';
    for (let k = 0; k < args.length; k++) {
      const v = args[k]!.value;
      if (v === '--extract' || v === '--get') extracting = true;
      else if (v.startsWith('--file=')) archive = v.slice(7);
      else if (v === '--file') archive = args[k + 1]?.value;
      else if (v.startsWith('--directory=')) directory = v.slice(12);
      else if (v === '-C' || v === '--directory') directory = args[k + 1]?.value ?? '';
      else if (v.startsWith('-C') && !v.startsWith('--')) directory = v.slice(2);
      else if (/^-?[a-zA-Z]+$/.test(v) && !v.startsWith('--') && (k === 0 || v.startsWith('-'))) {
        // `-xzf a.tgz`, old style `xzf a.tgz` or `xvfz a.tgz`: x extracts, f takes the archive as the next word (in a
        // dashed cluster only as its last letter: `-xfz a.tgz` names the archive `z`).
        if (v.includes('x')) extracting = true;
        if (v.startsWith('-') ? v.endsWith('f') : v.includes('f')) archive = args[k + 1]?.value;
      }
    }
    if (!extracting) return null;
    return { archive: archive === '-' ? undefined : archive, directory };
  }
  if (n === 'unzip') {
    let archive: string | undefined;
    let directory = '';
    for (let k = 0; k < args.length; k++) {
      const v = args[k]!.value;
      // List, test, print or comment: nothing is written.
      if (v === '-l' || v === '-t' || v === '-v' || v === '-c' || v === '-p' || v === '-z' || v === '-Z') return null;
      if (v === '-d') directory = args[++k]?.value ?? '';
      else if (v.startsWith('-d') && v.length > 2) directory = v.slice(2);
      else if (v === '-x' || v === '-O' || v === '-I' || v === '-P') k++;
      else if (!v.startsWith('-') && archive === undefined) archive = v;
    }
    return archive === undefined ? null : { archive, directory };
  }
  if (n === 'ditto') {
    // macOS `ditto -x -k a.zip /Applications/` (`-xk`): extract an archive; without -x it copies.
    if (!args.some((w) => optionClusterHas(w.value, 'x'))) return null;
    const positional = args.filter((w) => !w.value.startsWith('-'));
    return positional.length >= 2 ? { archive: positional[0]!.value, directory: positional[1]!.value } : null;
  }
  if (n === '7z' || n === '7za' || n === '7zr' || n === 'unrar') {
    const verb = args[0]?.lower;
    if (verb !== 'x' && verb !== 'e') return null;
    const positional = args.slice(1).filter((w) => !w.value.startsWith('-'));
    const out = args.find((w) => w.value.startsWith('-o') && w.value.length > 2);
    const directory = n === 'unrar' ? (positional[1]?.value ?? '') : out ? out.value.slice(2) : '';
    return positional[0] ? { archive: positional[0].value, directory } : null;
  }
  if (n === 'expand-archive') {
    let archive: string | undefined;
    let directory: string | undefined;
    for (let k = 0; k < args.length; k++) {
      const l = args[k]!.lower;
      if (l === '-path' || l === '-literalpath' || l === '-lp') archive = args[++k]?.value;
      else if (l.startsWith('-d') && '-destinationpath'.startsWith(l)) directory = args[++k]?.value;
      else if (l.startsWith('-')) continue;
      else if (archive === undefined) archive = args[k]!.value;
      else directory ??= args[k]!.value;
    }
    return archive === undefined ? null : { archive, directory: directory ?? '' };
  }
  if (n === 'expand') {
    // Windows `expand a.cab -F:* C:\dest`.
    if (cmd.shell !== 'cmd' && cmd.shell !== 'powershell') return null;
    const positional = args.filter((w) => !w.value.startsWith('-') && !w.value.startsWith('/'));
    return positional.length >= 2 ? { archive: positional[0]!.value, directory: positional[positional.length - 1]!.value } : null;
  }
  // Single-file decompressors: `gunzip x.gz` writes x.
  if (
    (n === 'gzip' || n === 'xz' || n === 'bzip2' || n === 'zstd') &&
    !args.some((w) => optionClusterHas(w.value, 'd') || w.value === '--decompress')
  )
    return null;
  if (args.some((w) => w.value === '-c' || w.value === '--stdout' || w.value === '-l' || w.value === '-t')) return null;
  const file = args.find((w) => !w.value.startsWith('-'));
  if (!file) return { archive: undefined, directory: '' };
  const lower = file.lower;
  const ext = DECOMPRESSED_EXTENSIONS.find((e) => lower.endsWith(e));
  return { archive: file.value, directory: '', file: ext ? file.value.slice(0, file.value.length - ext.length) : undefined };
}

/** A path as compared by `isInsideDirectory`: lower case, `/` separators, no quotes, no `./` segments or trailing `/`. */
export function normalisedPath(path: string): string {
  let p = path.toLowerCase();
  if (p.indexOf('"') >= 0 || p.indexOf("'") >= 0) p = p.replace(/["']/g, '');
  p = p
    .replace(/\\/g, '/')
    .replace(/\/{2,}/g, '/')
    .replace(/\/(\.\/)+/g, '/');
  while (p.startsWith('./')) p = p.slice(2);
  if (p === '.') p = '';
  while (p.length > 1 && p.endsWith('/')) p = p.slice(0, -1);
  return p;
}

/**
 * Whether `path` (as written) lies inside `directory` (as `normalisedPath` gives it, '' for the working
 * directory). A bare name is not inside the working directory: a shell looks it up on the PATH.
 */
export function isInsideDirectory(path: string, directory: string): boolean {
  const p = normalisedPath(path);
  if (directory === '') {
    const written = path.replace(/\\/g, '/');
    return written.includes('/') && !/^["']?([/~$%]|[a-z]:)/i.test(written);
  }
  return p === directory || p.startsWith(directory.endsWith('/') ? directory : directory + '/');
}
