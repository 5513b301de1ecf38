/**
 * Credential access (`credential_access`, ATT&CK TA0006): dumping LSASS memory, exporting the
 * SAM/SECURITY/SYSTEM hives or NTDS.dit, mimikatz and other dumpers, password crackers and
 * online guessers, reading /etc/shadow, dumping the macOS keychain, process-memory scraping.
 *
 * Blocked whatever the trust: stolen credentials outlive any session and any audit, and none of
 * this is needed to administer a machine. Benign look-alikes stay allowed: `Get-Process lsass`,
 * `ls -l /etc/shadow`, `chmod 640 /etc/shadow`, `cmdkey /list`, `security find-certificate`.
 */
import { pipelineNeighbours, referencedVariables } from '../analysis/semantics';
import { firstAtLeast } from '../analysis/builder';
import { resolvePath } from '../analysis/directories';
import { awkProgram } from '../analysis/unwrap';
import type { Assignment, Document, SimpleCommand, Word } from '../analysis/document';
import type { Span } from '../types';
import { CREDENTIAL_FUNCTIONS, CREDENTIAL_TOOLS, MIMIKATZ_MODULES } from '../catalog/offensive-tools';
import {
  argLowers,
  ChecksByName,
  FindingCollector,
  NeedleGroup,
  baseName,
  commandWord,
  docHas,
  docHasAny,
  DocumentCache,
  findOption,
  invocations,
  optionValue,
  scriptToolName,
  programName,
  searchFirst,
  TEXT_FILTERS,
  trimQuotes,
  inStagingFolder,
  positionals,
  writeTargets,
  type FindingSpec,
  type Invocation,
  FILE_COPIERS,
} from './command-match';
import { checkCredentialExfiltration, uploadedFiles, UPLOADING_PROGRAMS } from './credential-exfiltration';
import type { RuleContext, RuleFamily } from './rule';

function spec(ruleId: string, message: string): FindingSpec {
  return {
    code: 'credential_access',
    ruleId,
    standard: 'block',
    extended: 'block',
    message: `${message} Stolen credentials outlive any session and let an attacker return without Bulwark.`,
  };
}
export { spec as credentialAccessSpec };
function flagSpec(ruleId: string, message: string): FindingSpec {
  return { code: 'credential_access', ruleId, standard: 'flag', extended: 'flag', message: `${message} Recorded for review.` };
}

export const credentialAccessRules: RuleFamily = (doc: Document, _ctx: RuleContext) => {
  const out = new FindingCollector();
  // INVOCATION_CHECKS is at the end of this file: it names constants of the checks.
  INVOCATION_CHECKS.runOver(doc, out);
  checkDocumentLevel(doc, out);
  // Last: an upload counts when what it sends was gathered by a command the checks above judged.
  checkCredentialExfiltration(doc, out);
  return out.findings;
};

const PYTHON_LIKE = new Set(['python', 'python2', 'python3', 'py', 'pwsh', 'powershell', 'import-module', 'ipmo', '.', '&', 'bash', 'sh']);

/**
 * Password crackers and guessers do nothing without input (hash files, targets, word lists): run
 * bare they print their usage. A bare `John` line is far more often a name in pasted output.
 */
const CRACKERS_NEEDING_INPUT: ReadonlySet<string> = new Set([
  'john',
  'hashcat',
  'ophcrack',
  'hydra',
  'medusa',
  'ncrack',
  'patator',
  'unshadow',
  'aircrack-ng',
  'fcrackzip',
  'pdfcrack',
  'rarcrack',
  'cowpatty',
  'bkcrack',
]);

function checkTools(inv: Invocation, out: FindingCollector): void {
  const n = scriptToolName(inv.name) ?? inv.name;
  if (CRACKERS_NEEDING_INPUT.has(n) && inv.args.length === 0 && inv.command.redirects.length === 0 && inv.command.position === 0) return;
  if (CREDENTIAL_TOOLS.has(n) || CREDENTIAL_FUNCTIONS.has(n)) {
    out.add(spec('cred.tool', `${n} is a credential dumping or password cracking tool.`), [commandWord(inv)]);
    return;
  }
  // `python secretsdump.py …`, `Import-Module .\Invoke-Mimikatz.ps1`: the tool is the script argument.
  if (PYTHON_LIKE.has(n)) {
    const script = inv.args.find(
      (w) => !w.lower.startsWith('-') && (CREDENTIAL_TOOLS.has(programName(w.value)) || CREDENTIAL_FUNCTIONS.has(programName(w.value))),
    );
    if (script) out.add(spec('cred.tool', `${programName(script.value)} is a credential dumping tool.`), [commandWord(inv), script]);
  }
  // evil-winrm -H: pass-the-hash.
  if (n === 'evil-winrm' && inv.args.some((w) => w.value === '-H' || w.lower === '--hash')) {
    out.add(spec('cred.pass-the-hash', 'evil-winrm logs in with an NTLM hash instead of a password (pass-the-hash).'), [commandWord(inv)]);
  }
}

const HIVES = ['\\sam', '\\security', '\\system'];

function isHive(lower: string): boolean {
  let l = lower.endsWith('\\') ? lower.slice(0, -1) : lower;
  // `\\SQL01\HKLM\SAM`: the hive of another computer, through the remote registry.
  if (l.startsWith('\\\\')) l = l.slice(Math.max(l.indexOf('\\', 2) + 1, 2));
  if (!(l.startsWith('hklm') || l.startsWith('hkey_local_machine'))) return false;
  if (HIVES.some((h) => l.endsWith(h) || l.includes(h + '\\'))) return true;
  // `foreach ($h in 'SAM','SYSTEM') { reg save "HKLM\$h" … }`: a loop variable reads as its items joined by commas.
  const last = l.lastIndexOf('\\');
  return (
    l.includes(',') &&
    l
      .slice(last + 1)
      .split(',')
      .some((item) => HIVES.includes('\\' + item.trim()))
  );
}

/** reg save/export HKLM\SAM|SECURITY|SYSTEM: offline password-hash extraction. */
function checkHiveExport(inv: Invocation, out: FindingCollector): void {
  if (inv.name !== 'reg' || !inv.args[0]) return;
  const sub = inv.args[0].lower;
  if (sub !== 'save' && sub !== 'export' && sub !== 'copy') return;
  const hive = inv.args.slice(1).find((w) => isHive(w.lower));
  if (hive)
    out.add(
      spec(
        'cred.hive-export',
        `reg ${sub} copies the ${baseName(hive.value).toUpperCase()} hive, from which local password hashes and LSA secrets are extracted offline.`,
      ),
      [commandWord(inv), hive],
    );
}

/** The hive files under `…\System32\config\` (and its RegBack copies) that `reg save` would export. */
const HIVE_FILE_NAMES: ReadonlySet<string> = new Set(['sam', 'security', 'system']);

/**
 * `C:\Windows\System32\config\SAM`, `$s\Windows\System32\config\SYSTEM`,
 * `\\?\GLOBALROOT\Device\HarddiskVolumeShadowCopy1\Windows\System32\config\SECURITY`: the hive file
 * named (upper case), or undefined. `config\systemprofile\…` and other files in the folder are not hives.
 */
function hiveFile(lower: string): string | undefined {
  let a = 0;
  let b = lower.length;
  while (a < b && (lower[a] === '"' || lower[a] === "'")) a++;
  while (b > a && (lower[b - 1] === '"' || lower[b - 1] === "'")) b--;
  let path = lower.slice(a, b);
  if (path.includes('/')) path = path.replaceAll('/', '\\');
  const cut = path.lastIndexOf('\\');
  if (cut < 0 || !HIVE_FILE_NAMES.has(path.slice(cut + 1))) return undefined;
  const folder = path.slice(0, cut);
  const inConfig = folder.endsWith('system32\\config') || folder.endsWith('system32\\config\\regback');
  return inConfig || (folder.includes('harddiskvolumeshadowcopy') && folder.endsWith('\\config'))
    ? path.slice(cut + 1).toUpperCase()
    : undefined;
}

/** Programs that copy a file by name (esentutl /y is handled with its /vss form in checkMisc). */
const HIVE_COPIERS = ['copy', 'xcopy', 'copy-item', 'cpi', 'cp', 'move', 'mv', 'move-item', 'mi', 'robocopy', 'expand', 'makecab'];

/**
 * `copy \\?\GLOBALROOT\Device\HarddiskVolumeShadowCopy1\Windows\System32\config\SAM C:\temp\`,
 * `Copy-Item "$s\Windows\System32\config\SYSTEM" …`, `robocopy $s\Windows\System32\config C:\t SAM SYSTEM`:
 * the SAM/SECURITY/SYSTEM hive files copied, from a shadow copy (the live files are locked) or
 * directly, the file-level form of `reg save HKLM\SAM`. Reading their size or ACL (Get-Item,
 * icacls) is not this.
 */
function checkHiveFileCopy(inv: Invocation, out: FindingCollector): void {
  let hit: Word | undefined;
  let hive: string | undefined;
  for (const w of inv.args) {
    hive = hiveFile(w.lower);
    if (hive) {
      hit = w;
      break;
    }
  }
  if (!hit && inv.name === 'robocopy') {
    // robocopy SOURCE_DIR DEST_DIR FILE…: the folder and the file names are separate words.
    const [source, , ...files] = positionals(inv.args);
    const named = files.find((f) => HIVE_FILE_NAMES.has(f.lower));
    if (source && named && hiveFile(source.lower + '\\' + named.lower)) {
      hit = named;
      hive = named.value.toUpperCase();
    }
  }
  if (!hit || !hive) return;
  out.add(
    spec(
      'cred.hive-export',
      `${inv.name} copies the ${hive} hive file, from which local password hashes and LSA secrets are extracted offline (the file-level form of reg save).`,
    ),
    [commandWord(inv), hit],
  );
}

/** `[IO.File]::Copy("$vss\Windows\System32\config\SAM", …)`: the .NET copy of a hive file (the path ends quoted). */
const DOTNET_COPY_NEEDLES = new NeedleGroup(['file]::copy(', 'file]::move(', 'file]::readallbytes(']);
const QUOTED_HIVE_NEEDLES = new NeedleGroup(
  ['sam', 'security', 'system'].flatMap((h) => [`system32\\config\\${h}"`, `system32\\config\\${h}'`]),
);

// --- Kubernetes secrets (T1552.007) ------------------------------------------------------------------

/** kubectl output formats that print a secret's data (base64 only, i.e. clear text). */
function printsSecretData(format: string): boolean {
  let f = format;
  while (f.startsWith('"') || f.startsWith("'") || f.startsWith('=')) f = f.slice(1);
  if (f.startsWith('jsonpath')) return jsonPathSelectsSecretData(f);
  return (
    f.startsWith('json') ||
    f.startsWith('yaml') ||
    f.startsWith('go-template') ||
    f.startsWith('template') ||
    (f.startsWith('custom-columns') && f.includes('data'))
  );
}

/**
 * Whether a jsonpath output prints a secret's data: some `.data` field other than a public certificate
 * (`{.data.tls\\.crt}`, `{.data['ca.crt']}` only show certificates; `{.metadata.name}` shows no data at all).
 */
function jsonPathSelectsSecretData(format: string): boolean {
  for (let at = format.indexOf('.data'); at >= 0; at = format.indexOf('.data', at + 5)) {
    const start = at + 5;
    // `.data['tls.crt']` up to its bracket, `.data.tls\\.crt` up to the end of the expression.
    let end = format[start] === '[' ? format.indexOf(']', start) : start;
    if (end < 0) end = format.length;
    else if (end === start) while (end < format.length && !'} \'"'.includes(format[end]!)) end++;
    const key = format.slice(start, end).replace(/[\\[\]'"]/g, '');
    if (!(key.endsWith('.crt') || key.endsWith('.cert'))) return true;
  }
  return false;
}

/** The value of `-o json`, `-ojson`, `-o=json`, `--output json`, `--output=json`, or undefined. */
function kubectlOutput(args: readonly Word[]): Word | undefined {
  for (let i = 0; i < args.length; i++) {
    const w = args[i]!;
    const l = w.lower;
    if (l === '-o' || l === '--output') return args[i + 1];
    if (l.startsWith('--output=')) return { value: w.value.slice(9), lower: l.slice(9), span: w.span };
    if (l.startsWith('-o') && !l.startsWith('--') && l.length > 2) return { value: w.value.slice(2), lower: l.slice(2), span: w.span };
  }
  return undefined;
}

/** `secret`, `secrets`, `secret/app-tls`, `secrets.v1`, `configmaps,secrets`. */
function namesSecrets(lower: string): boolean {
  for (const part of lower.split(',')) {
    const slash = part.indexOf('/');
    const kind = slash >= 0 ? part.slice(0, slash) : part;
    if (kind === 'secret' || kind === 'secrets' || kind.startsWith('secret.') || kind.startsWith('secrets.')) return true;
  }
  return false;
}

/**
 * `kubectl get secrets -A -o json`, `kubectl get secret db -o jsonpath='{.data.password}'`, `oc get
 * secrets -o yaml`: prints the data of Kubernetes secrets (base64, i.e. clear text): service-account
 * tokens, registry and database passwords, TLS keys. Listing names (`kubectl get secrets`, `-o name`,
 * `-o wide`) and `kubectl describe secret` (sizes only) show no values and stay allowed.
 */
function checkKubeSecrets(inv: Invocation, out: FindingCollector): void {
  let args = inv.args;
  if (inv.name === 'k3s' || inv.name === 'microk8s') {
    if (args[0]?.lower !== 'kubectl') return;
    args = args.slice(1);
  }
  const get = args.findIndex((w) => w.lower === 'get');
  if (get < 0) return;
  const resource = args.slice(get + 1).find((w) => !w.lower.startsWith('-') && namesSecrets(w.lower));
  if (!resource) return;
  const format = kubectlOutput(args);
  if (!format || !printsSecretData(format.lower)) return;
  out.add(
    spec(
      'cred.k8s-secrets',
      `${inv.name} get ${resource.value} -o ${format.value} prints the data of Kubernetes secrets (service-account tokens, passwords, keys: base64 is not encryption). Listing their names is allowed.`,
    ),
    [commandWord(inv), resource, format],
  );
}

// --- Cloud instance-metadata credentials (T1552.005) ----------------------------------------------

/**
 * Paths of the metadata services that hand out the instance's (or container's) cloud credentials.
 * AWS/Alibaba `…/meta-data/iam|ram/security-credentials/ROLE` and `identity-credentials/ec2/…`, Azure
 * `/metadata/identity/oauth2/token`, GCP `computeMetadata/v1/instance/service-accounts/…/token|identity`,
 * Oracle `opc/v2/identity/`, the ECS task-role endpoint at 169.254.170.2.
 */
const IMDS_CREDENTIAL_NEEDLES = new NeedleGroup(['security-credentials', '/identity/oauth2/token', 'opc/v1/identity/', 'opc/v2/identity/']);
const IMDS_MARKERS = new NeedleGroup(['meta-data', '169.254.169.254', '/metadata/', '[fd00:ec2::254]', '100.100.100.200']);
const GCP_SERVICE_ACCOUNTS = new NeedleGroup([
  'computemetadata/v1/instance/service-accounts/',
  'computemetadata/v1beta1/instance/service-accounts/',
]);
const GCP_CREDENTIAL_LEAVES = new NeedleGroup(['/token', '/identity']);
const ECS_CREDENTIALS = new NeedleGroup([
  'aws_container_credentials_relative_uri',
  'aws_container_credentials_full_uri',
  '169.254.170.2/v2/credentials',
]);

function checkMetadataCredentials(doc: Document, out: FindingCollector): void {
  let needle = docHasAny(doc, IMDS_CREDENTIAL_NEEDLES);
  if (needle && !docHasAny(doc, IMDS_MARKERS)) needle = undefined;
  if (!needle) {
    const gcp = docHasAny(doc, GCP_SERVICE_ACCOUNTS);
    if (gcp && docHasAny(doc, GCP_CREDENTIAL_LEAVES)) needle = gcp;
  }
  if (!needle) {
    const ecs = docHasAny(doc, ECS_CREDENTIALS);
    if (ecs && docHas(doc, '169.254.170.2')) needle = ecs;
  }
  if (!needle) return;
  out.add(
    spec(
      'cred.cloud-metadata',
      "Reads the cloud instance's role credentials or access token from the metadata service; they act as the machine's cloud identity from anywhere. Instance id, region and tags stay allowed.",
    ),
    searchFirst(doc, needle),
  );
}

const SHADOW_FILES = ['/etc/shadow', '/etc/master.passwd', '/etc/gshadow', '/etc/security/passwd', '/etc/spwd.db'];
/** Their file names, which a relative path after `cd /etc` ends with. */
const SHADOW_FILE_NAMES = SHADOW_FILES.map((f) => f.slice(f.lastIndexOf('/') + 1));
/** Commands that touch a file's metadata, never its content. */
const METADATA_ONLY = new Set([
  'ls',
  'stat',
  'chmod',
  'chown',
  'chgrp',
  'chattr',
  'lsattr',
  'test',
  '[',
  '[[',
  'file',
  'getfacl',
  'setfacl',
  'pwck',
  'grpck',
  'vipw',
  'touch',
  'restorecon',
  'ls.exe',
  'sha256sum',
  'md5sum',
  'auditctl',
  'aide',
]);

/** Reading /etc/shadow (cat, cp, ed, `< /etc/shadow`, unshadow …). */
function isInterpreter(name: string): boolean {
  return name.startsWith('python') || name === 'perl' || name === 'ruby' || name === 'php' || name === 'node' || name === 'lua';
}

/** Interpreter code that opens a shadow file as a string literal (`open("/etc/shadow").read()`). */
function namesShadowInCode(w: Word): boolean {
  if (w.value.length > 16_384 || !w.value.includes('/etc/')) return false;
  return SHADOW_FILES.some((f) => {
    const at = w.lower.indexOf(f);
    const after = at < 0 ? '' : w.lower[at + f.length];
    return at > 0 && (after === '"' || after === "'") && (w.lower[at - 1] === '"' || w.lower[at - 1] === "'");
  });
}

/** A path as written, with what it resolves to after a `cd` when that differs (`shadow (/etc/shadow)`). */
function shownPath(inv: Invocation, w: Word): string {
  const resolved = resolvePath(inv.command, w.value);
  return resolved === w.value ? w.value : `${w.value} (${resolved})`;
}

function checkShadowFile(inv: Invocation, out: FindingCollector): void {
  if (METADATA_ONLY.has(inv.name)) return;
  // POSIX paths are case-sensitive: only a word that spells /etc/ can name the file (no lower-casing of every word).
  // A relative name after `cd /etc` is resolved against it (`cd /etc; cp shadow /tmp/s`).
  const relative = inv.command.directory !== undefined;
  const w = inv.args.find((a) => {
    const value = relative && SHADOW_FILE_NAMES.some((f) => a.lower.endsWith(f)) ? resolvePath(inv.command, a.value) : a.value;
    const lower = relative ? value.toLowerCase() : a.lower;
    return value.includes('/etc/') && SHADOW_FILES.some((f) => lower === f || lower.startsWith(f + ' ') || lower.endsWith(f));
  });
  // Most commands have no redirection: no search (and no callback) for them.
  const r =
    inv.command.redirects.length > 0 ? inv.command.redirects.find((x) => x.op === '<' && SHADOW_FILES.includes(x.target.lower)) : undefined;
  const hit: Word | undefined = w ?? r?.target ?? (isInterpreter(inv.name) ? inv.args.find(namesShadowInCode) : undefined);
  if (!hit || (AWKS.has(inv.name) && awkShowsNoHash(inv))) return;
  out.add(spec('cred.shadow-file', `${inv.name} reads ${shownPath(inv, hit)}, which holds the password hashes of local accounts.`), [
    commandWord(inv),
    hit,
  ]);
}

const AWKS: ReadonlySet<string> = new Set(['awk', 'gawk', 'mawk', 'nawk']);

/**
 * An audit over the password-hash file that shows no hash (`awk -F: '($2 == "") {print $1}' /etc/shadow`, the CIS
 * empty-password check): the hash field is only compared, never printed, and no whole line is (`$0`, a bare
 * `print`). Fields chosen at run time (`$NF`, `$i`), getline and system() count as showing it.
 */
function awkShowsNoHash(inv: Invocation): boolean {
  const program = awkProgram(inv.args);
  if (program === undefined || program.value.length > 4096) return false;
  const p = program.lower;
  if (p.includes('getline') || p.includes('system(') || /\bprint(f)?\s*(;|}|$|>)/.test(p)) return false;
  for (let at = p.indexOf('$'); at >= 0; at = p.indexOf('$', at + 1)) {
    let end = at + 1;
    while (end < p.length && p.charCodeAt(end) >= 48 && p.charCodeAt(end) <= 57) end++;
    const field = p.slice(at + 1, end);
    if (field === '' || field === '0') return false;
    if (field !== '2') continue;
    const after = p.slice(end, end + 4).trimStart();
    const before = p.slice(Math.max(0, at - 4), at).trimEnd();
    const compared = /^(==|!=|~|!~)/.test(after) || /(==|!=|~|\()$/.test(before);
    if (!compared) return false;
  }
  return true;
}

function checkKeychain(inv: Invocation, out: FindingCollector): void {
  if (inv.name !== 'security') return;
  const sub = inv.args[0]?.lower;
  // -w prints the password, -g the whole item; both may sit in a cluster such as -wa.
  const reveals = inv.args.some(
    (w) => w.value.startsWith('-') && !w.value.startsWith('--') && (w.value.includes('w') || w.value.includes('g')),
  );
  if (
    sub === 'dump-keychain' ||
    (sub === 'export' && inv.args.some((w) => w.value === '-k')) ||
    ((sub === 'find-generic-password' || sub === 'find-internet-password') && reveals)
  ) {
    out.add(spec('cred.keychain', `security ${sub} reads secrets out of the macOS keychain.`), [commandWord(inv), inv.args[0]]);
  }
}

function checkMisc(inv: Invocation, out: FindingCollector, doc: Document): void {
  const n = inv.name;
  const lowers = argLowers(inv);
  if (n === 'ntdsutil' && lowers.some((l) => l.includes('ifm'))) {
    out.add(
      spec(
        'cred.ntds',
        'ntdsutil "ifm" creates a copy of the Active Directory database (NTDS.dit), which holds every domain password hash.',
      ),
      [commandWord(inv)],
    );
  } else if (
    n === 'esentutl' &&
    (findOption(inv.args, 'vss') || findOption(inv.args, 'y')) &&
    lowers.some(
      (l) =>
        l.includes('\\config\\sam') ||
        l.includes('/config/sam') ||
        l.includes('ntds.dit') ||
        l.includes('\\config\\system') ||
        l.includes('\\config\\security'),
    )
  ) {
    out.add(spec('cred.hive-export', 'esentutl copies a locked credential store (SAM/SYSTEM/NTDS.dit) through a shadow copy.'), [
      commandWord(inv),
    ]);
  } else if (n === 'vaultcmd' && lowers.some((l) => l.startsWith('/listcreds'))) {
    out.add(spec('cred.vault', 'vaultcmd lists the Windows Credential Manager vault.'), [commandWord(inv)]);
  } else if (n === 'netsh' && lowers.includes('wlan') && lowers.includes('key=clear')) {
    // Blocked like every other credential read: a Wi-Fi key is shared by everyone on the network and,
    // once printed, sits in the session transcript. A user who forgot it can read it at the machine.
    out.add(spec('cred.wifi-keys', 'netsh prints or exports saved Wi-Fi passwords in clear text (key=clear).'), [commandWord(inv)]);
  } else if (n === 'procdump' || n === 'procdump64') {
    if (lowers.some((l) => l.includes('lsass')))
      out.add(spec('cred.lsass-dump', "procdump dumps the memory of lsass.exe, which holds logged-on users' credentials."), [
        commandWord(inv),
      ]);
    else checkProcdumpByPid(inv, out, doc);
  }
}

/**
 * `procdump -ma 624`: a full dump of a process named only by its number hides the target; that is
 * how lsass dumps avoid the word "lsass". A dump of a named process (`procdump -ma w3wp.exe`) stays allowed.
 */
function checkProcdumpByPid(inv: Invocation, out: FindingCollector, doc: Document): void {
  // ProcDump for Linux: `procdump -p $(pgrep securityd)`, `procdump $(pidof gnome-keyring-daemon)`.
  const secret = secretProcessTarget(inv, doc);
  if (secret) {
    out.add(spec('cred.process-dump', `procdump writes the memory of ${secret}, a process that holds secrets.` + DUMP_PRIMITIVE), [
      commandWord(inv),
    ]);
    return;
  }
  const full = inv.args.find((w) => w.lower === '-ma' || w.lower === '/ma' || w.lower === '-mp' || w.lower === '-mm');
  if (!full) return;
  const pid = inv.args.find((w) => isNumber(w.lower));
  if (pid)
    out.add(
      spec(
        'cred.process-dump',
        `procdump writes the memory of process ${pid.value}, named only by its number (the usual way to dump lsass without naming it).`,
      ),
      [commandWord(inv), full, pid],
    );
}

function isNumber(text: string): boolean {
  if (text.length === 0 || text.length > 10) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

const SECRET_HOLDING_PROCESSES = [
  'keyring',
  'ssh-agent',
  'sshd',
  'gpg-agent',
  'kwallet',
  'lsass',
  // macOS keychain daemon, password managers
  'securityd',
  'keepass',
  '1password',
  'bitwarden',
  'lastpass',
];

function secretHolder(lower: string): string | undefined {
  return SECRET_HOLDING_PROCESSES.find((p) => lower.includes(p));
}

/** Programs that look a process up by name and print its id. */
const PID_LOOKUPS: ReadonlySet<string> = new Set(['pgrep', 'pidof']);

/** The secret-holding process a word names: outright, or through `$(pgrep -x securityd)` / `$(pidof sshd)`. */
function secretInWord(w: Word, doc: Document): string | undefined {
  const direct = secretHolder(w.lower);
  if (direct) return direct;
  for (const k of w.nested ?? []) {
    const lookup = doc.commands[k];
    if (!lookup || !PID_LOOKUPS.has(lookup.name)) continue;
    for (let i = 1; i < lookup.words.length; i++) {
      const hit = secretHolder(lookup.words[i]!.lower);
      if (hit) return hit;
    }
  }
  return undefined;
}

/** `PID=$(pgrep -x securityd)`, `$p = pidof sshd`: variable (`$pid`) → the secret-holding process it looks up. */
const LOOKED_UP_SECRETS = new DocumentCache((doc: Document): Map<string, string> => {
  const vars = new Map<string, string>();
  for (const c of doc.commands) {
    if (c.assignTo === undefined || !PID_LOOKUPS.has(c.name)) continue;
    for (let i = 1; i < c.words.length; i++) {
      const hit = secretHolder(c.words[i]!.lower);
      if (hit) vars.set('$' + c.assignTo.toLowerCase(), hit);
    }
  }
  return vars;
});

/** A dump or debugger target that is a secret-holding process, named, looked up, or held in a variable set from a lookup. */
function secretProcessTarget(inv: Invocation, doc: Document): string | undefined {
  for (const w of inv.args) {
    const hit = secretInWord(w, doc);
    if (hit) return hit;
    if (w.lower.startsWith('$')) {
      const key = w.lower.startsWith('${') && w.lower.endsWith('}') ? '$' + w.lower.slice(2, -1) : w.lower;
      const via = LOOKED_UP_SECRETS.of(doc).get(key);
      if (via) return via;
    }
  }
  return undefined;
}

/** Debugger switches that attach to a running process (whose memory the debugger can then save). */
const ATTACH_OPTIONS: ReadonlyMap<string, ReadonlySet<string>> = new Map([
  ['gdb', new Set(['-p', '--pid', '-pid', 'attach'])],
  ['lldb', new Set(['-p', '--attach-pid', '--attach-name', '-n', '--waitfor', '-w'])],
]);

const DUMP_PRIMITIVE = ' Memory dumps are how credentials are taken from lsass without naming it; this is blocked whatever the target.';

/** Memory-dump tools and switches that need no "lsass" on the line: createdump, rdrleakdiag /fullmemdmp, sqldumper, tttracer -dumpFull, comsvcs MiniDump by ordinal. */
function checkDumpPrimitives(inv: Invocation, out: FindingCollector, doc: Document): void {
  const n = inv.name;
  const lowers = argLowers(inv);
  let what = '';
  if (n === 'gcore' || n === 'gdb' || n === 'lldb') {
    // gdb/lldb only read memory once attached; gcore always dumps its target.
    const attached = n === 'gcore' || lowers.some((l) => ATTACH_OPTIONS.get(n)?.has(l));
    const secret = attached ? secretProcessTarget(inv, doc) : undefined;
    if (secret)
      out.add(
        spec(
          'cred.process-dump',
          `${n} attaches to or writes the memory of ${secret}, a process that holds secrets (keychain, keyring, agent keys, vault).` +
            DUMP_PRIMITIVE,
        ),
        [commandWord(inv)],
      );
    return;
  }
  if (n === 'createdump' && inv.args.length > 0) what = 'createdump (the .NET dump tool) writes the memory of a process.';
  else if (n === 'rdrleakdiag' && lowers.some((l) => l.endsWith('fullmemdmp')))
    what = 'rdrleakdiag /fullmemdmp writes the full memory of a process.';
  else if (n === 'sqldumper' && lowers.some((l) => isNumber(l))) what = 'sqldumper writes the memory of a process given by number.';
  else if (n === 'tttracer' && lowers.some((l) => l.endsWith('dumpfull'))) what = 'tttracer -dumpFull writes the full memory of a process.';
  else if (n === 'rundll32' && comsvcsMiniDump(inv))
    what = "rundll32 calls MiniDump in comsvcs.dll (by name or by ordinal), which writes a process's memory.";
  if (what) out.add(spec('cred.process-dump', what + DUMP_PRIMITIVE), [commandWord(inv)]);
  else if (n === 'mklink' && lowers.some((l) => l.includes('harddiskvolumeshadowcopy')))
    // Flagged, not blocked: a link into a shadow copy is also how old file versions are restored; naming SAM/NTDS.dit blocks (cred.shadow-copy-hives).
    out.add(
      flagSpec(
        'cred.shadow-copy-link',
        'mklink exposes a shadow copy as a folder, the way locked SAM, SYSTEM and NTDS.dit files are copied out.',
      ),
      [commandWord(inv)],
    );
}

/** `rundll32 comsvcs.dll, MiniDump …`, `… comsvcs.dll,#24 …`, `#+000024`, `#-4294967272`: every form of the export. */
function comsvcsMiniDump(inv: Invocation): boolean {
  let comsvcs = false;
  for (const word of argLowers(inv)) {
    // Carets survive in some nested cmd bodies (`for … do rundll32 c^omsvcs.dll, M^iniDump`).
    const l = word.includes('^') ? word.split('^').join('') : word;
    if (l.includes('comsvcs')) comsvcs = true;
    if (comsvcs && (l.includes('minidump') || l.includes('#'))) return true;
  }
  return false;
}

// --- Secret stores ------------------------------------------------------------------------------

/** Files that hold secrets outright; `.pub` keys and the directories' other files are not listed. */
const ANSWER_FILE = 'a Windows setup answer file with the administrator password';
const WALLET = 'a cryptocurrency wallet (its keys or recovery seed)';
const SECRET_FILES: readonly { needle: string; what: string }[] = [
  { needle: '.aws/credentials', what: 'AWS access keys' },
  { needle: '.aws\\credentials', what: 'AWS access keys' },
  { needle: '.git-credentials', what: 'stored git passwords and tokens' },
  { needle: '.docker/config.json', what: 'Docker registry credentials' },
  { needle: '.docker\\config.json', what: 'Docker registry credentials' },
  { needle: '.config/gcloud/credentials.db', what: 'Google Cloud credentials' },
  { needle: '.azure/accesstokens.json', what: 'Azure access tokens' },
  { needle: '.ssh/id_', what: 'an SSH private key' },
  { needle: '.ssh\\id_', what: 'an SSH private key' },
  // Plain-text password files of ftp/curl/git (`.netrc`, Windows `_netrc`) and PostgreSQL.
  { needle: '.netrc', what: 'stored FTP/HTTP/git passwords' },
  { needle: '_netrc', what: 'stored FTP/HTTP/git passwords' },
  { needle: '.pgpass', what: 'stored PostgreSQL passwords' },
  // macOS keychains (saved passwords, decryptable with the user's password) and SSSD's cache of domain password hashes.
  { needle: 'library/keychains/', what: 'a macOS keychain (saved passwords)' },
  { needle: '/var/lib/sss/db/', what: "SSSD's cache of domain users' password hashes" },
  // Windows' Web Account Manager cache of Entra ID / Microsoft 365 tokens.
  { needle: 'microsoft\\tokenbroker\\cache', what: 'cached Microsoft 365 / Entra ID sign-in tokens' },
  // A pod's own API credential, mounted into every container.
  { needle: 'serviceaccount/token', what: "a Kubernetes service-account token (the pod's API credential)" },
  // Windows setup answer files keep the local administrator's password (often only base64-encoded).
  { needle: 'unattend.xml', what: ANSWER_FILE },
  { needle: 'sysprep.inf', what: ANSWER_FILE },
  // macOS auto-login keeps the user's password here, only XOR-ed with a fixed key.
  { needle: '/etc/kcpassword', what: 'the macOS auto-login password (XOR-ed with a fixed key, trivially decoded)' },
  // Cryptocurrency wallets, the first thing infostealers copy: desktop wallets' key stores and wallet extensions' vaults.
  { needle: 'exodus.wallet', what: WALLET },
  { needle: 'application support/exodus', what: WALLET },
  { needle: 'electrum/wallets', what: WALLET },
  { needle: 'electrum\\wallets', what: WALLET },
  { needle: 'wallet.dat', what: WALLET },
  { needle: 'coinomi/wallets', what: WALLET },
  { needle: 'coinomi\\wallets', what: WALLET },
  { needle: 'application support/atomic', what: WALLET },
  { needle: 'appdata\\roaming\\atomic', what: WALLET },
  { needle: 'application support/guarda', what: WALLET },
  { needle: 'application support/ledger live', what: WALLET },
  // Browser wallet extensions' storage, by extension id: MetaMask, Coinbase Wallet, Phantom, Trust Wallet, Ronin.
  { needle: 'nkbihfbeogaeaoehlefnkodbefgpgknn', what: WALLET },
  { needle: 'hnfanknocfeofbddgcijnmhnfnkdnaad', what: WALLET },
  { needle: 'bfnaelmomeimhlpmgjnjophhpkkoljpa', what: WALLET },
  { needle: 'egjidjbpglichdcondbcbdnbeeppgdph', what: WALLET },
  { needle: 'fnjhmkhhmkbjkkabndcnnogagogbneec', what: WALLET },
];

const SECRET_FILE_NEEDLES = new NeedleGroup([...new Set(SECRET_FILES.map((f) => f.needle)), '.ssh', '.gnupg']);

/** Commands that read, copy, pack or send a file's content (editors, `ssh -i` and metadata tools are not among them). */
const CONTENT_READERS: ReadonlySet<string> = new Set([
  'cat',
  'tac',
  'less',
  'more',
  'head',
  'tail',
  'strings',
  'base64',
  'xxd',
  'od',
  'hexdump',
  'type',
  'get-content',
  'gc',
  'cp',
  'copy',
  'copy-item',
  'cpi',
  'xcopy',
  'mv',
  'tar',
  'zip',
  '7z',
  'gzip',
  'curl',
  'wget',
  'nc',
  'ncat',
  'scp',
  'rsync',
  'grep',
  'findstr',
  'select-string',
  'awk',
  'sed',
  'jq',
  'python',
  'python3',
  'invoke-webrequest',
  'invoke-restmethod',
]);
/** Copiers and archivers: a whole `.ssh` directory is as good as its keys. */
const BULK_COPIERS: ReadonlySet<string> = new Set(['cp', 'copy', 'copy-item', 'cpi', 'xcopy', 'tar', 'zip', '7z', 'scp', 'rsync']);

/** Directories that are nothing but private keys: `~/.ssh` (SSH keys) and `~/.gnupg` (GnuPG secret keyring). */
const KEY_DIRECTORIES: readonly { name: string; what: string }[] = [
  { name: '.ssh', what: 'a directory of SSH private keys' },
  { name: '.gnupg', what: 'the GnuPG secret keyring' },
];

function secretIn(lower: string): { needle: string; what: string } | undefined {
  // The last segment decides for keys: `id_ed25519.pub` is the public half.
  if (lower.endsWith('.pub')) return undefined;
  for (const f of SECRET_FILES) if (lower.includes(f.needle)) return f;
  return undefined;
}

/** `~/.ssh`, `/home/USER/.gnupg/`, `.ssh/*`: the whole key directory (a single `.ssh/config` is not). */
function keyDirectory(lower: string): string | undefined {
  for (const d of KEY_DIRECTORIES) {
    const n = d.name;
    if (lower === n || lower.endsWith('/' + n) || lower.endsWith('/' + n + '/') || lower.endsWith('/' + n + '/*')) return d.what;
  }
  return undefined;
}

/** A path argument in lower case, resolved against the directory the text moved to (after `cd ~/.ssh`, `id_rsa` is the key). */
function resolvedLower(inv: Invocation, w: Word): string {
  return inv.command.directory === undefined ? w.lower : resolvePath(inv.command, w.value).toLowerCase();
}

/** `cat ~/.aws/credentials`, `curl -F f=@~/.ssh/id_rsa …`, `tar czf k.tgz /home/USER/.ssh`. */
function checkSecretFiles(inv: Invocation, out: FindingCollector, doc: Document): void {
  // cat, cp, grep … run on most texts; almost none mention a secret store.
  if (!docHasAny(doc, SECRET_FILE_NEEDLES)) return;
  const n = inv.name;
  // `scp -i ~/.ssh/id_rsa file host:` uses the key to log in, and so does rsync's remote shell (`-e "ssh -i key"`,
  // `--rsh=…`); only other arguments are sent.
  const keyOption = n === 'scp' || n === 'rsync' ? inv.args.findIndex((w) => w.lower === '-i') : -1;
  const shellOption = n === 'rsync' ? inv.args.findIndex((w) => w.lower === '-e' || w.lower === '--rsh') : -1;
  for (let i = 0; i < inv.args.length; i++) {
    if ((keyOption >= 0 && i === keyOption + 1) || (shellOption >= 0 && i === shellOption + 1)) continue;
    const w = inv.args[i]!;
    if (n === 'rsync' && w.lower.startsWith('--rsh=')) continue;
    // After `cd ~/.ssh`, `id_rsa` is the key: relative names are resolved against the directory moved to.
    const lower = resolvedLower(inv, w);
    const secret = secretIn(lower);
    // An answer file is copied for deployment and backups; only reading it out is the theft (copies to a staging
    // folder are judged by checkSecretFileStaging).
    if (secret && !(secret.what === ANSWER_FILE && BULK_COPIERS.has(n))) {
      out.add(spec('cred.secret-file', `${n} reads ${shownPath(inv, w)}, which holds ${secret.what}.`), [commandWord(inv), w]);
      return;
    }
    const keys = BULK_COPIERS.has(n) ? keyDirectory(lower) : undefined;
    if (keys) {
      out.add(spec('cred.secret-file', `${n} copies or packs ${w.value}, ${keys}.`), [commandWord(inv), w]);
      return;
    }
  }
  // `Get-ChildItem …\TokenBroker\Cache | Copy-Item -Destination …`: the files a listing names, copied.
  if (BULK_COPIERS.has(n) && inv.command.position > 0) {
    for (const lister of pipelineNeighbours(doc, inv.command, 'before', 2)) {
      if (!LISTERS.has(lister.name)) continue;
      const w = lister.words.find((x, k) => k > 0 && secretIn(x.lower) !== undefined);
      if (w) {
        out.add(spec('cred.secret-file', `${lister.name} lists ${w.value} and ${n} copies it: ${secretIn(w.lower)!.what}.`), [
          commandWord(inv),
          w,
        ]);
        return;
      }
    }
  }
}

/** Upload tools that are not content readers (those are judged by checkSecretFiles on every argument). */
const SECRET_UPLOADERS: ReadonlySet<string> = new Set([...UPLOADING_PROGRAMS].filter((n) => !CONTENT_READERS.has(n)));

/**
 * `aws s3 cp ~/.aws/credentials s3://b/`, `rclone copy ~/.ssh remote:k`, `az storage blob upload --file ~/.git-credentials …`:
 * a secret store sent off the machine by a cloud copy tool. Only the files the tool uploads count: `gcloud compute ssh
 * --ssh-key-file ~/.ssh/id_rsa` and `az ssh vm --private-key-file …` use a key, they do not send it.
 */
function checkSecretFileUploads(inv: Invocation, out: FindingCollector, doc: Document): void {
  if (!docHasAny(doc, SECRET_FILE_NEEDLES)) return;
  for (const w of uploadedFiles(inv, doc)) {
    const lower = resolvedLower(inv, w);
    const secret = secretIn(lower);
    const what = secret?.what ?? keyDirectory(lower);
    if (what !== undefined) {
      out.add(spec('cred.secret-file', `${inv.name} sends ${w.value} to another machine: ${what}.`), [commandWord(inv), w]);
      return;
    }
  }
}

/** Names `find -name` looks for when it hunts keys and password files (prefixes: `id_rsa*` counts). */
const PRIVATE_KEY_NAMES = [
  'id_rsa',
  'id_dsa',
  'id_ecdsa',
  'id_ed25519',
  '*.pem',
  '*.ppk',
  '*.kdbx',
  '.netrc',
  '_netrc',
  '.git-credentials',
  '.pgpass',
  '.gnupg',
  'secring.gpg',
];

/** `find / -name id_rsa`, `grep -rl 'PRIVATE KEY' /home`, `findstr /si password *.xml`, `findstr /S cpassword \\\\dom\\sysvol`. */
function checkSecretSearches(inv: Invocation, out: FindingCollector): void {
  const n = inv.name;
  const lowers = argLowers(inv);
  if (n === 'find') {
    // `find / -path "*/.aws/credentials" -exec cat {} \;`: every secret file of that name, read.
    const exec = lowers.findIndex((l) => l === '-exec' || l === '-execdir' || l === '-ok');
    const reader = exec >= 0 ? lowers[exec + 1] : undefined;
    if (reader !== undefined && CONTENT_READERS.has(baseName(reader))) {
      const named = inv.args.slice(0, exec).find((w) => secretIn(trimQuotes(w.lower)) !== undefined);
      if (named) {
        out.add(
          spec(
            'cred.secret-file',
            `find looks for ${named.value} everywhere and ${reader} reads what it finds: ${secretIn(trimQuotes(named.lower))!.what}.`,
          ),
          [commandWord(inv), named],
        );
        return;
      }
    }
    const at = lowers.findIndex((l) => l === '-name' || l === '-iname');
    const pattern = at >= 0 ? lowers[at + 1] : undefined;
    const name = pattern === undefined ? undefined : PRIVATE_KEY_NAMES.find((k) => trimQuotes(pattern).startsWith(k));
    if (name !== undefined) {
      const what = name.startsWith('id_') || name.startsWith('*') ? 'private keys' : 'password files and secret keyrings';
      out.add(spec('cred.secret-search', `find searches the file system for ${what} (${inv.args[at + 1]!.value}).`), [
        commandWord(inv),
        inv.args[at + 1],
      ]);
    }
    return;
  }
  const pattern = inv.args.find((w) => w.lower.includes('private key') || w.lower.includes('cpassword'));
  if (pattern) {
    out.add(spec('cred.secret-search', `${n} searches files for ${pattern.value} (private keys or Group Policy passwords).`), [
      commandWord(inv),
      pattern,
    ]);
    return;
  }
  // findstr /s (or /si …) password *.xml: every file below here that mentions a password.
  if (n === 'findstr') {
    const recursive = inv.args.some(
      (w) => (w.lower.startsWith('/') || w.lower.startsWith('-')) && w.lower.length <= 6 && w.lower.includes('s'),
    );
    const word = inv.args.find((w) => w.lower.includes('password') || w.lower === 'pass' || w.lower === 'pwd');
    if (recursive && word)
      out.add(spec('cred.secret-search', `findstr searches every file below a folder for "${word.value}" (stored passwords).`), [
        commandWord(inv),
        word,
      ]);
  }
}

/** Packet capture tools: capturing is routine diagnosis; searching the capture for credentials is not. */
const SNIFFERS = ['tcpdump', 'windump', 'tshark', 'ngrep', 'snoop'];
/** tshark's display filter, capture filter and field options (its own search terms; case matters: `-r` reads a file). */
const TSHARK_FILTER_OPTIONS = new Set(['-Y', '-R', '-f', '-e']);
/** What cleartext protocols carry credentials as (FTP/POP3/IMAP `PASS`, HTTP `Authorization:`, form fields). */
const CREDENTIAL_TERMS = ['pass', 'pwd', 'login', 'authorization', 'credential', 'cookie', 'token', 'secret'];

/**
 * `tcpdump -A port 21 | grep -i pass`, `ngrep -q -i 'pass|user' port 110`: a capture searched for
 * credentials in transit (ATT&CK T1040). The search terms are the sniffer's own match expression
 * (ngrep; tshark's filters and fields) or those of a text filter later in the same pipeline.
 */
function checkCredentialSniffing(inv: Invocation, out: FindingCollector, doc: Document): void {
  const credentialWord = (args: readonly Word[]): Word | undefined =>
    args.find((w) => !w.lower.startsWith('-') && CREDENTIAL_TERMS.some((t) => w.lower.includes(t)));
  let term =
    inv.name === 'ngrep'
      ? credentialWord(inv.args)
      : inv.name === 'tshark'
        ? credentialWord(inv.args.filter((_, k) => TSHARK_FILTER_OPTIONS.has(inv.args[k - 1]?.value ?? '')))
        : undefined;
  let filter: SimpleCommand | undefined;
  if (!term) {
    for (const other of pipelineNeighbours(doc, inv.command, 'after')) {
      if (!TEXT_FILTERS.has(other.name)) continue;
      term = credentialWord(other.words.slice(1));
      if (term) {
        filter = other;
        break;
      }
    }
  }
  if (!term) return;
  const how = filter ? `and ${filter.name} picks out "${term.value}"` : `for "${term.value}"`;
  out.add(spec('cred.sniff', `${inv.name} captures network traffic ${how}: credentials sent in clear text.`), [
    commandWord(inv),
    filter?.words[0],
    term,
  ]);
}

/** `getent shadow`, `dscl . -read /Users/x ShadowHashData`, `reg query HKLM /f password /t REG_SZ /s`. */
function checkSystemSecrets(inv: Invocation, out: FindingCollector): void {
  const n = inv.name;
  const lowers = argLowers(inv);
  if (n === 'getent' && (lowers.includes('shadow') || lowers.includes('gshadow'))) {
    out.add(spec('cred.shadow-file', 'getent shadow prints the password hashes of local accounts.'), [commandWord(inv)]);
  } else if ((n === 'dscl' || n === 'defaults' || n === 'plutil') && lowers.some((l) => l.includes('shadowhashdata'))) {
    out.add(spec('cred.shadow-file', `${n} reads ShadowHashData, the password hash of a macOS account.`), [commandWord(inv)]);
  } else if (n === 'reg' && lowers[0] === 'query') {
    const f = lowers.indexOf('/f');
    const term = f >= 0 ? lowers[f + 1] : undefined;
    if (term !== undefined && (term.includes('password') || term.includes('pwd')) && lowers.includes('/s'))
      out.add(spec('cred.registry-search', 'reg query searches the whole registry for values named or holding "password".'), [
        commandWord(inv),
      ]);
    const key = lowers[1] ?? '';
    const store = REGISTRY_CREDENTIAL_STORES.find((k) => key.includes(k.key));
    if (store) out.add(spec('cred.registry-search', `reg query reads ${store.what}.`), [commandWord(inv), inv.args[1]]);
  }
}

/** Registry keys where remote-access clients keep saved logons and passwords (T1552.002). */
const REGISTRY_CREDENTIAL_STORES: readonly { key: string; what: string }[] = [
  { key: '\\simontatham\\putty\\sessions', what: 'PuTTY saved sessions (proxy passwords, user names and hosts)' },
  { key: '\\martin prikryl\\winscp 2\\sessions', what: 'WinSCP saved sessions (stored passwords)' },
  { key: '\\orl\\winvnc3', what: 'the VNC server password' },
  { key: '\\realvnc\\winvnc4', what: 'the VNC server password' },
  { key: '\\tightvnc\\server', what: 'the VNC server password' },
];

/** Commands that set a registry value (configuring auto-logon is not reading its password). */
const REGISTRY_SETTERS: ReadonlySet<string> = new Set(['set-itemproperty', 'sp', 'new-itemproperty']);

/** Reading Winlogon's DefaultPassword (`reg query …\\Winlogon /v DefaultPassword`, `Get-ItemProperty …Winlogon | select DefaultPassword`). */
function checkAutologonPassword(doc: Document, out: FindingCollector): void {
  if (!docHas(doc, 'defaultpassword') || !docHas(doc, '\\winlogon')) return;
  for (const c of doc.commands) {
    if (REGISTRY_SETTERS.has(c.name) || (c.name === 'reg' && c.words[1]?.lower === 'add')) return;
  }
  out.add(
    spec('cred.autologon-password', 'Reads DefaultPassword, the auto-logon password Windows keeps in clear text under Winlogon.'),
    searchFirst(doc, 'defaultpassword'),
  );
}

const MIMIKATZ_NEEDLES = new NeedleGroup(MIMIKATZ_MODULES);
const KERBEROAST_NEEDLES = new NeedleGroup(['kerberosrequestorsecuritytoken', 'kerberoast', 'asreproast']);
const SHADOW_FILE_NEEDLES = new NeedleGroup(['/etc/shadow', '/etc/master.passwd']);
const BROWSER_STORE_NEEDLES = new NeedleGroup(['\\login data', '/login data', 'logins.json', 'key4.db', 'key3.db']);

const LSASS_DUMP_MARKERS = [
  'minidump',
  'procdump',
  '-ma ',
  '-mm ',
  'createdump',
  'rdrleakdiag',
  'sqldumper',
  'comsvcs',
  'minidumpwritedump',
  'dumpert',
  'nanodump',
  'tttracer',
  'processdump',
  'dump64',
  'fullmemdmp',
  'out-minidump',
];

const PASS_THE_HASH_NEEDLES = new NeedleGroup(['-hashes', '/pth:', '--pw-nt-hash']);

/**
 * Pass-the-hash with any tool: Impacket's `-hashes LMHASH:NTHASH` / `-hashes :NTHASH` (psexec.py,
 * wmiexec.py, smbexec.py, mssqlclient.py, secretsdump.py, getTGT.py …), xfreerdp `/pth:NTHASH`,
 * smbclient `--pw-nt-hash`: a stolen hash used as the password. Looked for only in documents
 * that hold one of the switches.
 */
function checkPassTheHash(doc: Document, out: FindingCollector): void {
  if (out.has('cred.pass-the-hash') || !docHasAny(doc, PASS_THE_HASH_NEEDLES)) return;
  for (const inv of invocations(doc)) {
    const args = inv.args;
    for (let i = 0; i < args.length; i++) {
      const w = args[i]!;
      const l = w.lower;
      let how = '';
      if (l === '-hashes' || l === '--hashes') {
        if (args[i + 1]?.lower.includes(':')) how = `${w.value} ${args[i + 1]!.value}`;
      } else if (l.startsWith('-hashes=') || l.startsWith('--hashes=')) {
        if (l.includes(':')) how = w.value;
      } else if (l.startsWith('/pth:') && l.length > 5) how = w.value;
      else if (l === '--pw-nt-hash') how = w.value;
      if (how) {
        out.add(
          spec('cred.pass-the-hash', `${inv.name} logs in with an NTLM password hash instead of a password (pass-the-hash: ${how}).`),
          [commandWord(inv), w],
        );
        return;
      }
    }
  }
}

/** Commands that delete or only look at files. */
const FILE_CLEANERS: ReadonlySet<string> = new Set([
  'remove-item',
  'ri',
  'del',
  'erase',
  'rm',
  'test-path',
  'get-item',
  'get-childitem',
  'dir',
  'ls',
]);

/**
 * `Remove-Item $env:TEMP\lsass.dmp`, `Select-String -Pattern 'mimikatz|procdump|lsass'`: every command naming lsass deletes
 * or lists a file (the clean-up after a test) or searches text for the word.
 */
function onlyCleansUpLsassFiles(doc: Document): boolean {
  let named = false;
  for (const c of doc.commands) {
    if (!c.words.some((w) => w.lower.includes('lsass'))) continue;
    if (!FILE_CLEANERS.has(c.name) && !TEXT_FILTERS.has(c.name)) return false;
    named = true;
  }
  return named;
}

/**
 * A command that names a `.dmp` file on a line that names lsass (`tool lsass C:\t\l.dmp`,
 * `$p = Get-Process lsass; .\x.exe $p.Id C:\t\l.dmp`): lines apart, a process listed and a file named dump nothing.
 */
function namesLsassDumpFile(doc: Document): boolean {
  const lower = doc.original.toLowerCase();
  // Line starts once, then lines found by binary search: linear however many commands share one long line.
  const lineStarts = [0];
  for (let i = lower.indexOf('\n'); i >= 0; i = lower.indexOf('\n', i + 1)) lineStarts.push(i + 1);
  // The line holding `offset` is the last that starts at or before it.
  const lineOf = (offset: number): number => firstAtLeast(lineStarts, offset + 1) - 1;
  const lsassLines = new Set<number>();
  for (let i = lower.indexOf('lsass'); i >= 0; i = lower.indexOf('lsass', i + 5)) lsassLines.add(lineOf(i));
  return doc.commands.some((c) => lsassLines.has(lineOf(c.span.start)) && c.words.some((w) => w.lower.includes('.dmp')));
}

function checkDocumentLevel(doc: Document, out: FindingCollector): void {
  const mimi = docHasAny(doc, MIMIKATZ_NEEDLES);
  if (mimi)
    out.add(
      spec('cred.mimikatz', `"${mimi}" is a mimikatz command (credential theft, ticket forging or log clearing).`),
      searchFirst(doc, mimi),
    );
  checkAutologonPassword(doc, out);
  checkPassTheHash(doc, out);
  checkBruteForceLoops(doc, out);
  checkPasswordVault(doc, out);
  const roast = docHasAny(doc, KERBEROAST_NEEDLES);
  if (roast && !out.has('cred.tool'))
    out.add(
      spec(
        'cred.kerberoast',
        "Requests Kerberos service tickets to crack the service accounts' passwords offline (Kerberoasting / AS-REP roasting). Listing SPNs (setspn -Q) is not this.",
      ),
      searchFirst(doc, roast),
    );
  if (docHas(doc, 'lsass') && !onlyCleansUpLsassFiles(doc)) {
    // A dump tool anywhere in the text; a bare `.dmp` file name only in a command that names lsass too
    // (`Get-Process lsass` and, later, `$d = 'C:\Temp\l.dmp'` dump nothing).
    const marker = docHasAny(doc, LSASS_DUMP_MARKERS) ?? (docHas(doc, '.dmp') && namesLsassDumpFile(doc) ? '.dmp' : undefined);
    if (marker && !out.has('cred.lsass-dump'))
      out.add(
        spec('cred.lsass-dump', 'Dumps the memory of lsass.exe, which holds the credentials of logged-on users.'),
        searchFirst(doc, 'lsass', marker),
      );
  }
  // rundll32 comsvcs.dll MiniDump of any process (RDP credentials in svchost, lsass by PID).
  if (docHas(doc, 'comsvcs') && docHas(doc, 'minidump') && !out.has('cred.lsass-dump')) {
    out.add(
      spec(
        'cred.process-dump',
        "rundll32 comsvcs.dll MiniDump dumps a process's memory, the usual way to steal credentials from lsass or RDP sessions.",
      ),
      searchFirst(doc, 'comsvcs', 'minidump'),
    );
  }
  const vssStore = docHasAny(doc, ['harddiskvolumeshadowcopy']);
  if (vssStore) {
    const target = docHasAny(doc, ['\\config\\sam', '\\config\\system', '\\config\\security', 'ntds.dit', '/config/sam']);
    if (target)
      out.add(
        spec('cred.shadow-copy-hives', 'Copies SAM/SYSTEM/SECURITY or NTDS.dit out of a shadow copy to extract password hashes offline.'),
        searchFirst(doc, vssStore, target),
      );
  }
  if (!out.has('cred.shadow-copy-hives') && docHasAny(doc, DOTNET_COPY_NEEDLES)) {
    const hive = docHasAny(doc, QUOTED_HIVE_NEEDLES);
    if (hive)
      out.add(
        spec('cred.hive-export', 'A .NET file copy takes a SAM/SECURITY/SYSTEM hive file, to extract password hashes offline.'),
        searchFirst(doc, hive),
      );
  }
  checkMetadataCredentials(doc, out);
  if (docHas(doc, 'ntds.dit') && docHasAny(doc, ['copy ', 'copy-item', 'esentutl', 'ntdsutil', 'invoke-ninjacopy']) && !out.has('cred.')) {
    out.add(
      spec('cred.ntds', 'Copies the Active Directory database (NTDS.dit), which holds every domain password hash.'),
      searchFirst(doc, 'ntds.dit'),
    );
  }
  if (docHas(doc, '/proc/') && docHasAny(doc, ['/mem', '/maps']) && docHasAny(doc, ['dd ', 'dd if', 'dump', 'heap', 'python'])) {
    out.add(
      spec('cred.process-memory', "Reads another process's memory through /proc (credential scraping from memory)."),
      searchFirst(doc, '/proc/'),
    );
  }
  const shadowInScript = docHasAny(doc, SHADOW_FILE_NEEDLES);
  if (shadowInScript && !out.has('cred.shadow-file') && doc.commands.some((c) => c.name === 'ed' || c.name === 'ex')) {
    out.add(spec('cred.shadow-file', 'An editor script prints the password-hash file.'), searchFirst(doc, shadowInScript));
  }
  if (docHas(doc, '\\networkprovider\\order') && !out.has('cred.')) {
    out.add(
      spec('cred.network-provider', 'Registers a network provider DLL, which receives every logon password in clear text.'),
      searchFirst(doc, '\\networkprovider\\order'),
    );
  }
  const browserStore = docHasAny(doc, BROWSER_STORE_NEEDLES);
  if (browserStore && docHasAny(doc, ['copy', 'sqlite3', 'cp ', 'decrypt', 'cryptunprotectdata', 'protecteddata'])) {
    out.add(spec('cred.browser-store', "Copies or decrypts a browser's saved-password store."), searchFirst(doc, browserStore));
  }
  if (!out.has('cred.browser-store')) checkCookieStoreRead(doc, out);
  checkFakeCredentialPrompt(doc, out);
}

// --- Browser session cookies (T1539) ------------------------------------------------------------

/** The cookie databases of Firefox and the Chromium family, and their tables and encrypted column. */
const COOKIE_STORE_NEEDLES = new NeedleGroup([
  'moz_cookies',
  'encrypted_value',
  'cookies.sqlite',
  '\\network\\cookies',
  '/network/cookies',
  '\\default\\cookies',
  '/default/cookies',
]);
/** Table and column names only a query of a browser's cookie or password database uses. */
const COOKIE_QUERY_NEEDLES: ReadonlySet<string> = new Set(['moz_cookies', 'encrypted_value']);
/** Something that opens, reads or copies the database: sqlite (CLI, Python module, .NET), a file reader or a copier. */
const COOKIE_READER_NEEDLES = new NeedleGroup([
  // Not bare "sqlite": cookies.sqlite itself contains it.
  'sqlite3',
  'sqlitequery',
  'sqliteconnection',
  'system.data.sqlite',
  'select ',
  'get-content',
  'readallbytes',
  'copy',
  'cp ',
  'cat ',
  'strings ',
  'base64',
  'decrypt',
  'cryptunprotectdata',
  'protecteddata',
]);

/**
 * `sqlite3 "$CookieDBLocation" "select … from moz_cookies"`, `… encrypted_value from Cookies` on
 * `User Data\Default\Network\Cookies`: the browser's session cookies read out to replay the
 * user's logged-in sessions (T1539), by whatever tool and through variables the per-invocation
 * check cannot follow. Deleting or listing the cookie file stays allowed.
 */
function checkCookieStoreRead(doc: Document, out: FindingCollector): void {
  const store = docHasAny(doc, COOKIE_STORE_NEEDLES);
  if (!store) return;
  const reader = COOKIE_QUERY_NEEDLES.has(store) ? store : docHasAny(doc, COOKIE_READER_NEEDLES);
  if (!reader) return;
  out.add(
    spec(
      'cred.browser-cookies',
      "Reads a browser's cookie database, whose session cookies let an attacker take over the user's logged-in accounts (T1539).",
    ),
    searchFirst(doc, store),
  );
}

// --- Fake credential prompts (T1056.002) --------------------------------------------------------

/** AppleScript/JXA dialog that asks for a typed secret (`with hidden answer`, `hiddenAnswer: true`). */
const HIDDEN_ANSWER_NEEDLES = new NeedleGroup(['hidden answer', 'hiddenanswer']);
const DIALOG_NEEDLES = new NeedleGroup(['display dialog', 'displaydialog']);
const CREDENTIAL_PROMPT_NEEDLES = new NeedleGroup(['promptforcredential', 'get-credential']);
/** Commands that print, save or send what they are given. */
const PLAINTEXT_SINKS: ReadonlySet<string> = new Set([
  'write-host',
  'write-warning',
  'write-output',
  'write',
  'echo',
  'write-verbose',
  'write-error',
  'write-information',
  'out-file',
  'set-content',
  'sc',
  'add-content',
  'ac',
  'tee-object',
  'tee',
  'set-clipboard',
  'scb',
  'clip',
  'invoke-webrequest',
  'iwr',
  'invoke-restmethod',
  'irm',
  'send-mailmessage',
  'curl',
  'wget',
]);
/** .NET calls that write or upload a string. */
const PLAINTEXT_SINK_METHODS = ['writealltext', 'appendalltext', 'writealllines', 'uploadstring', 'uploadvalues', '.writeline('];

function mentionsPlainPassword(command: SimpleCommand): boolean {
  for (const w of command.words) if (w.lower.includes('getnetworkcredential')) return true;
  return false;
}

/** A statement that prints, saves or sends `….GetNetworkCredential().Password` (variables are already substituted). */
function plaintextPasswordLeaves(doc: Document): boolean {
  const leaking = new Set<number>();
  const sinking = new Set<number>();
  for (const c of doc.commands) {
    if (c.statement === undefined || !mentionsPlainPassword(c)) continue;
    leaking.add(c.statement);
    if (c.redirects.length > 0 || c.words.some((w) => PLAINTEXT_SINK_METHODS.some((m) => w.lower.includes(m)))) return true;
  }
  if (leaking.size === 0) return false;
  for (const c of doc.commands) {
    if (!PLAINTEXT_SINKS.has(c.name)) continue;
    if (c.statement !== undefined) sinking.add(c.statement);
    // `Invoke-RestMethod -Body @{p=$pw}`: the hashtable is a command of its own, nested in the sink's word.
    for (const w of c.words)
      if (
        w.nested?.some((i) => {
          const nested = doc.commands[i];
          return nested !== undefined && mentionsPlainPassword(nested);
        })
      )
        return true;
  }
  for (const st of sinking) if (leaking.has(st)) return true;
  return false;
}

/** Options after which sysadminctl takes a password. */
const SYSADMINCTL_PASSWORD_OPTIONS: ReadonlySet<string> = new Set(['-password', '-adminpassword', '-newpassword', '-oldpassword']);

/**
 * Whether a command checks or uses the password in `word` on the Mac itself, the way FileVault and
 * secure-token scripts do: `dscl . -authonly`/`-passwd`, `sysadminctl -adminPassword …`, `fdesetup`,
 * or a test (`[ -z "$pass" ]`). Not `dscl . -create … RealName "$pass"`, which stores it readable.
 */
function usesPasswordLocally(c: SimpleCommand, word: Word): boolean {
  const args = c.words.slice(1);
  switch (c.name) {
    case 'fdesetup':
    case '[':
    case '[[':
    case 'test':
      return true;
    case 'dscl':
      return args.some((w) => w.lower === '-authonly' || w.lower === '-passwd' || w.lower === '-changepasswd');
    case 'sysadminctl': {
      const at = c.words.indexOf(word);
      return at > 0 && SYSADMINCTL_PASSWORD_OPTIONS.has(c.words[at - 1]!.lower);
    }
    default:
      return false;
  }
}
/** Commands that write the answer into a file (a plist for `fdesetup add -i`), and those that may remove it afterwards. */
const ANSWER_FILE_WRITERS: ReadonlySet<string> = new Set(['echo', 'printf', 'cat']);
const FILE_REMOVERS: ReadonlySet<string> = new Set(['rm', 'srm', 'shred']);
/** Layers that are the text as written (with its substitutions): a decoded or unwrapped one could read the answer unseen. */
const WRITTEN_LAYERS: ReadonlySet<string> = new Set(['original', 'substitution', 'deobfuscated']);

/**
 * Whether `text` reads one of the POSIX variables `names` (`$name`, `${name}`, `${name:-…}`); one pass over the text.
 * Not `referencedVariables`: POSIX names keep their case, which it lowers.
 */
function readsVariable(text: string, names: ReadonlySet<string>): boolean {
  for (let at = text.indexOf('$'); at >= 0; at = text.indexOf('$', at + 1)) {
    const from = text.charCodeAt(at + 1) === 123 /* { */ ? at + 2 : at + 1;
    let end = from;
    while (end < text.length && isWordChar(text.charCodeAt(end))) end++;
    if (end > from && names.has(text.slice(from, end))) return true;
  }
  return false;
}

/** `pass=…` or `pass` itself, as `export`, `declare` and `local` take it: the variable handed on by name. */
function namesVariable(value: string, names: ReadonlySet<string>): boolean {
  const eq = value.indexOf('=');
  return names.has(eq < 0 ? value : value.slice(0, eq));
}

function asksHiddenAnswer(inv: Invocation): boolean {
  if (inv.name !== 'osascript') return false;
  const asks = (lower: string) => lower.includes('hidden answer') || lower.includes('hiddenanswer');
  return inv.args.some((w) => asks(w.lower)) || inv.command.redirects.some((r) => r.heredoc === true && asks(r.target.lower));
}

/** The one file a command's output goes to (`echo '…' > /tmp/fv.plist`), or undefined. */
function outputFile(command: SimpleCommand): string | undefined {
  const outputs = command.redirects.filter((r) => r.op !== '<' && r.heredoc !== true);
  const only = outputs.length === 1 ? outputs[0] : undefined;
  if (only === undefined || (only.op !== '>' && only.op !== '>>') || only.target.value.startsWith('/dev/')) return undefined;
  return only.target.value;
}

/**
 * The text of an assignment outside the commands whose output it takes: `ok=$(dscl … -authonly u "$pass")`
 * stores what dscl prints (dscl's own words are judged as a command), `copy="$pass"` stores the password.
 */
function assignedText(doc: Document, a: Assignment): string {
  const text = doc.original.slice(a.span.start, a.span.end);
  if (a.pipeline === undefined) return text;
  const chars = text.split('');
  for (const index of doc.pipelines[a.pipeline] ?? []) {
    const span = doc.commands[index]?.span;
    if (span === undefined) continue;
    for (let i = Math.max(span.start, a.span.start); i < Math.min(span.end, a.span.end); i++) chars[i - a.span.start] = ' ';
  }
  return chars.join('');
}

/** Where a prompted password leaves local use (the reader, when there is one to show). */
interface AnswerLeak {
  at?: Word | Span;
}

/** Where the answer leaves local use; undefined when it is used, and only locally (the files it was written to are added to `files`). */
function answerReaderLeak(
  doc: Document,
  answers: ReadonlySet<string>,
  askers: ReadonlySet<SimpleCommand>,
  files: Set<string>,
): AnswerLeak | undefined {
  // `q=$pass`, `arr=($pass)`: a copy under another name, followed no further.
  for (const a of doc.assignments ?? []) {
    if (answers.has(a.name)) continue;
    const text = assignedText(doc, a);
    if (readsVariable(text, answers)) return { at: a.span };
  }
  let used = false;
  for (const c of doc.commands) {
    if (askers.has(c)) continue;
    const file = ANSWER_FILE_WRITERS.has(c.name) ? outputFile(c) : undefined;
    for (const w of c.words) {
      // `export pass`, `declare -x pass`, `local z=$pass`: handed on to other programs or names.
      if (namesVariable(w.value, answers)) return { at: w };
      if (!readsVariable(w.value, answers)) continue;
      if (usesPasswordLocally(c, w)) {
        used = true;
        continue;
      }
      if (file === undefined) return { at: w };
      files.add(file);
    }
    for (const r of c.redirects) {
      if (r.heredoc !== true || !readsVariable(r.target.value, answers)) continue;
      if (file === undefined) return { at: c.span };
      files.add(file);
    }
  }
  // An answer nobody checks may be read later (a session's next line): only a local use vouches for it.
  return used || files.size > 0 ? undefined : {};
}

/** Where a file the answer was written to is read by anything but `fdesetup` (or removed); undefined when none is. One pass over the commands. */
function answerFileLeak(doc: Document, files: ReadonlySet<string>): AnswerLeak | undefined {
  if (files.size === 0) return undefined;
  const read = new Set<string>();
  for (const c of doc.commands) {
    const mention =
      c.words.find((w) => files.has(w.value)) ??
      c.redirects.find((r) => r.op === '<' && r.heredoc !== true && files.has(r.target.value))?.target;
    if (mention === undefined) continue;
    if (c.name === 'fdesetup') read.add(mention.value);
    else if (!FILE_REMOVERS.has(c.name)) return { at: mention };
  }
  return read.size === files.size ? undefined : {};
}

/**
 * A FileVault or secure-token script's password dialog is not a fake prompt: every hidden answer is
 * captured in a variable (not printed), and that variable is only checked or used locally (see
 * `usesPasswordLocally`), directly or through a file only `fdesetup` reads (the plist of `fdesetup
 * add -i`, then removed). Anything else that reads the answer (echo to the console, curl, a copy,
 * export, a function) is a leak, shown with the dialog.
 */
function hiddenAnswerLeak(doc: Document): AnswerLeak | undefined {
  if (doc.layers.some((l) => !WRITTEN_LAYERS.has(l.origin))) return {};
  const answers = new Set<string>();
  const askers = new Set<SimpleCommand>();
  for (const inv of invocations(doc)) {
    if (!asksHiddenAnswer(inv)) continue;
    const c = inv.command;
    if (c.assignTo === undefined || (doc.pipelines[c.pipeline]?.length ?? 0) !== 1 || outputFile(c) !== undefined) return {};
    answers.add(c.assignTo);
    askers.add(c);
  }
  if (answers.size === 0) return {};
  const files = new Set<string>();
  return answerReaderLeak(doc, answers, askers, files) ?? answerFileLeak(doc, files);
}

/** Programs that ask for a password on the terminal: a function of the same name is what the user's typing reaches instead. */
const PASSWORD_ASKING_PROGRAMS: ReadonlySet<string> = new Set([
  'sudo',
  'su',
  'doas',
  'passwd',
  'ssh',
  'scp',
  'sftp',
  'kinit',
  'pkexec',
  'mysql',
  'psql',
]);

/**
 * `sudo() { read -rsp "[sudo] password for $USER: " pw; echo "$pw" >> /tmp/.c; command sudo -S "$@" <<< "$pw"; }`
 * (written to a shell start-up file or typed): a function that takes the place of a program that asks for a
 * password, and reads the password silently itself (T1056.001/.002). A wrapper that only passes its arguments on reads nothing.
 */
function checkImpostorFunctions(doc: Document, out: FindingCollector): void {
  for (const f of doc.shellFunctions ?? []) {
    if (!f.readsSilently || !PASSWORD_ASKING_PROGRAMS.has(f.name)) continue;
    out.add(
      spec(
        'cred.fake-prompt',
        `Defines a function named ${f.name} that reads the password typed to it silently: the real ${f.name} is impersonated and the password captured (T1056).`,
      ),
      [f.span],
    );
    return;
  }
}

/**
 * Phishing for the user's own password (T1056.002): an AppleScript dialog with a hidden answer,
 * or a PowerShell credential prompt whose password is turned back into plain text and printed,
 * saved or sent. Passing the prompted PSCredential to a cmdlet (`-Credential (Get-Credential)`)
 * or to `net use` stays allowed.
 */
function checkFakeCredentialPrompt(doc: Document, out: FindingCollector): void {
  checkImpostorFunctions(doc, out);
  const hidden = docHasAny(doc, HIDDEN_ANSWER_NEEDLES);
  const dialog = hidden ? docHasAny(doc, DIALOG_NEEDLES) : undefined;
  const leak = hidden && dialog ? hiddenAnswerLeak(doc) : undefined;
  if (hidden && dialog && leak) {
    out.add(
      spec('cred.fake-prompt', 'Shows a dialog that asks the user to type a hidden password (a fake credential prompt, T1056.002).'),
      // The reader first: in a session, each new line that reads the answer is a finding of its own.
      [leak.at, ...searchFirst(doc, dialog, hidden)],
    );
    return;
  }
  if (!docHas(doc, 'getnetworkcredential')) return;
  const prompt = docHasAny(doc, CREDENTIAL_PROMPT_NEEDLES);
  if (!prompt || !plaintextPasswordLeaves(doc)) return;
  out.add(
    spec(
      'cred.fake-prompt',
      'Prompts the user for credentials and prints, saves or sends the password in plain text (a fake credential prompt, T1056.002).',
    ),
    searchFirst(doc, prompt, 'getnetworkcredential'),
  );
}

// --- Credential files gathered by name (T1552.001, T1005) --------------------------------------

/**
 * Extensions of files that are a secret in themselves: password databases (KeePass, Password
 * Safe), certificates with private keys, PuTTY and PEM keys, VPN and RDP profiles (saved
 * credentials), Java keystores.
 */
const SECRET_FILE_EXTENSIONS: ReadonlySet<string> = new Set([
  '.kdbx',
  '.kdb',
  '.psafe3',
  '.pfx',
  '.p12',
  '.ppk',
  '.pem',
  '.ovpn',
  '.rdp',
  '.jks',
  '.keystore',
]);
/**
 * Names of files that hold passwords or keys: SSH keys, Windows setup answer files (local
 * administrator password), Group Policy Preferences and Jenkins credential stores, plain-text
 * password files, wallets.
 */
const SECRET_FILE_NAMES: ReadonlySet<string> = new Set([
  'id_rsa',
  'id_dsa',
  'id_ecdsa',
  'id_ed25519',
  'unattend.xml',
  'autounattend.xml',
  'unattended.xml',
  'sysprep.xml',
  'sysprep.inf',
  'groups.xml',
  'credentials.xml',
  '.git-credentials',
  '.netrc',
  '_netrc',
  '.pgpass',
  'wallet.dat',
  'secring.gpg',
]);

/**
 * What a file-name pattern of a search names when it names secrets: `*.kdbx`, `id_rsa*`,
 * `unattend.xml`, `*password*`. A pattern is read as a name: quotes, directories and leading or
 * trailing wildcards removed.
 */
function secretFilePattern(pattern: string): string | undefined {
  let p = baseName(trimQuotes(pattern));
  let a = 0;
  let b = p.length;
  while (a < b && (p[a] === '*' || p[a] === '?')) a++;
  while (b > a && (p[b - 1] === '*' || p[b - 1] === '?')) b--;
  p = p.slice(a, b);
  if (p.length === 0) return undefined;
  // `*.kdbx` keeps its dot; `id_rsa*` (the key and its backups) loses only the star.
  if (SECRET_FILE_EXTENSIONS.has(p) || SECRET_FILE_NAMES.has(p)) return p;
  if (p.includes('password') || p.includes('passwd') || p.includes('credential')) return p;
  return undefined;
}

/** Where a hunt covers many users' files: a drive root, the profiles folder or a profile, a network share. */
function isBroadRoot(path: string): boolean {
  let l = trimQuotes(path);
  while (l.length > 1 && (l.endsWith('*') || l.endsWith('\\') || l.endsWith('/'))) l = l.slice(0, -1);
  if (l === '/' || l === '~' || l === '*' || l.startsWith('~/') || l.startsWith('\\\\')) return true;
  // `C:`, `C:\` (trailing separators and stars are gone).
  if (l.length === 2 && l[1] === ':') return true;
  const rest = l.length > 2 && l[1] === ':' ? l.slice(2) : l;
  if (
    rest === '\\users' ||
    rest.startsWith('\\users\\') ||
    rest === '\\documents and settings' ||
    rest.startsWith('\\documents and settings\\')
  )
    return true;
  if (rest === '/home' || rest.startsWith('/home/') || rest === '/users' || rest.startsWith('/users/') || rest === '/root') return true;
  return PROFILE_VARIABLES.some((v) => l === v || l.startsWith(v + '\\') || l.startsWith(v + '/'));
}

const PROFILE_VARIABLES = [
  '$env:userprofile',
  '%userprofile%',
  '$home',
  '$env:home',
  '$env:systemdrive',
  '%systemdrive%',
  '$env:homedrive',
  '%homedrive%',
  '$env:public',
  '%public%',
];

/** PowerShell parameters of Get-ChildItem that name the files sought, and those that name where to look. */
const PATTERN_PARAMETERS = ['include', 'filter'];
const PATH_PARAMETERS = ['path', 'literalpath', 'lp', 'pspath'];

/** A PowerShell parameter word's name when it is `-name` or an unambiguous abbreviation (3+ letters) of one of `names`. */
function parameterOf(word: Word, names: readonly string[]): string | undefined {
  if (!word.lower.startsWith('-')) return undefined;
  const n = word.lower.slice(1);
  if (n.length < 2) return undefined;
  return names.find((name) => name === n || (n.length >= 3 && name.startsWith(n)));
}

interface HuntShape {
  patterns: Word[];
  paths: Word[];
}

/** Patterns and paths of `Get-ChildItem C:\ -Recurse -Include *.kdbx,*.pfx` (the values of a list parameter run to the next parameter). */
function childItemShape(args: readonly Word[]): HuntShape {
  const shape: HuntShape = { patterns: [], paths: [] };
  let into: Word[] | null = null;
  for (const w of args) {
    if (w.lower.startsWith('-')) {
      into = parameterOf(w, PATTERN_PARAMETERS) ? shape.patterns : parameterOf(w, PATH_PARAMETERS) ? shape.paths : null;
      continue;
    }
    if (w.value === ',') continue;
    (into ?? shape.paths).push(w);
  }
  // A path may itself carry the pattern: `gci C:\Users\*.kdbx -Recurse`.
  for (const p of shape.paths) if (p.lower.includes('*')) shape.patterns.push(p);
  return shape;
}

/** cmd `dir /s C:\*.kdbx` (a path with its pattern) and `where /r C:\Users *.ppk` (the root after /r). */
function cmdListerShape(inv: Invocation): HuntShape {
  const shape: HuntShape = { patterns: [], paths: [] };
  const args = inv.args;
  for (let i = 0; i < args.length; i++) {
    const w = args[i]!;
    if (w.lower.startsWith('/') && w.lower.length <= 3) {
      if (inv.name === 'where' && w.lower === '/r' && args[i + 1]) shape.paths.push(args[++i]!);
      continue;
    }
    shape.patterns.push(w);
    if (inv.name === 'dir') shape.paths.push(w);
  }
  return shape;
}

/** Commands that copy, pack or send what a listing produced (directly or inside `ForEach-Object { … }`). */
const COLLECTING_SINKS: ReadonlySet<string> = new Set([
  'copy-item',
  'cpi',
  'copy',
  'xcopy',
  'robocopy',
  'move-item',
  'compress-archive',
  'invoke-webrequest',
  'invoke-restmethod',
  'start-bitstransfer',
  'curl',
  'tar',
  '7z',
  'zip',
]);

/** Commands that are, or enclose in a script block, a collecting sink (computed once per document). */
const COLLECTING_COMMANDS = new DocumentCache((doc: Document): Set<SimpleCommand> => {
  const found = new Set<SimpleCommand>();
  for (const c of doc.commands) {
    if (!COLLECTING_SINKS.has(c.name)) continue;
    // A sink and the few blocks around it (`% { if (…) { Copy-Item … } }`).
    let at: SimpleCommand | undefined = c;
    for (let depth = 0; at !== undefined && depth < 4; depth++) {
      found.add(at);
      at = at.parent === undefined ? undefined : doc.commands[at.parent];
    }
  }
  return found;
});

/** Variable → the last collecting sink that uses it (`Compress-Archive -Path $f.FullName`), computed once per document. */
const SINK_VARIABLES = new DocumentCache((doc: Document): Map<string, SimpleCommand> => {
  const used = new Map<string, SimpleCommand>();
  for (const c of doc.commands) {
    if (!COLLECTING_SINKS.has(c.name)) continue;
    for (let k = 1; k < c.words.length; k++) {
      const w = c.words[k] as Word;
      if (w.value.includes('$')) for (const v of referencedVariables(w)) used.set(v, c);
    }
  }
  return used;
});

/**
 * The command that copies, packs or sends what a listing lists: after it in its pipeline, or, when the listing is kept in a
 * variable (`$f = Get-ChildItem …`), a later command that uses the variable (`Compress-Archive -Path $f.FullName …`).
 */
function collectingNeighbour(doc: Document, command: SimpleCommand): SimpleCommand | undefined {
  const sinks = COLLECTING_COMMANDS.of(doc);
  if (sinks.size === 0) return undefined;
  const next = pipelineNeighbours(doc, command, 'after').find((c) => sinks.has(c));
  if (next !== undefined || command.assignTo === undefined) return next;
  const user = SINK_VARIABLES.of(doc).get(command.assignTo.toLowerCase());
  return user !== undefined && user.span.start > command.span.end ? user : undefined;
}

const LISTING_FOR_SECRETS = ' (T1552.001: KeePass databases, certificates with private keys, SSH/PuTTY keys, answer files with passwords)';

/**
 * `Get-ChildItem C:\ -Recurse -Include *.kdbx,*.pfx | Copy-Item …`, `dir /s /b C:\*.kdbx`,
 * `where /r C:\Users *.ppk`: every user's secret files found by name across a drive, the profiles
 * or a share. Copying, packing or sending the result is credential theft (blocked); the listing
 * alone is how that starts and is flagged. A search below one application's folder
 * (`gci 'C:\Program Files\App\certs' -Filter *.pfx`), a non-recursive listing, the certificate
 * store (`Cert:\`) and searches for other files (`-Filter *.log`) stay allowed.
 */
function checkCredentialFileHunt(inv: Invocation, out: FindingCollector, doc: Document): void {
  const n = inv.name;
  const cmdLister = inv.command.shell === 'cmd' && (n === 'dir' || n === 'where');
  if (!cmdLister && n !== 'get-childitem') return;
  const recursive = cmdLister ? inv.args.some((w) => w.lower === '/s' || w.lower === '/r') : walksTree(inv.command) || hasDepth(inv.args);
  if (!recursive) return;
  const shape = cmdLister ? cmdListerShape(inv) : childItemShape(inv.args);
  const pattern = shape.patterns.find((w) => w.value.split(',').some((part) => secretFilePattern(part) !== undefined));
  if (!pattern) return;
  const root = shape.paths.find((w) => isBroadRoot(cmdLister && n === 'dir' ? directoryOf(w.lower) : w.lower));
  if (!root) return;
  const sink = collectingNeighbour(doc, inv.command);
  if (sink)
    out.add(
      spec(
        'cred.secret-file-collect',
        `${n} searches ${root.value} for secret files (${pattern.value}) and ${sink.name} copies, packs or sends them${LISTING_FOR_SECRETS}.`,
      ),
      [commandWord(inv), pattern, sink.words[0]],
    );
  else
    out.add(
      flagSpec(
        'cred.secret-file-hunt',
        `${n} searches ${root.value} recursively for secret files (${pattern.value})${LISTING_FOR_SECRETS}.`,
      ),
      [commandWord(inv), pattern],
    );
}

/** What a file (`C:\\x\\db.kdbx`) or a name pattern (`*.kdbx`, `unattend.xml`) names when it is a secret in itself. */
function secretFileName(path: string): string | undefined {
  const name = baseName(trimQuotes(path));
  const dot = name.lastIndexOf('.');
  if (dot > 0 && SECRET_FILE_EXTENSIONS.has(name.slice(dot))) return name;
  return secretFilePattern(name);
}

/**
 * Secret files that administrators also hand out, and so copy into shared places themselves: certificates
 * to import, RDP and VPN profiles for users' desktops, keystores for an application.
 */
const DEPLOYED_SECRET_EXTENSIONS: ReadonlySet<string> = new Set(['.pfx', '.p12', '.pem', '.rdp', '.ovpn', '.jks', '.keystore']);

/** A secret file (see secretFileName) that nobody deploys: a password database, a private key, an answer file. */
function stagedSecret(path: string): boolean {
  const name = secretFileName(path);
  if (name === undefined) return false;
  const dot = name.lastIndexOf('.');
  return dot < 0 || !DEPLOYED_SECRET_EXTENSIONS.has(name.slice(dot));
}

/** A destination where files are gathered to be taken away: a staging folder, or another machine's share. */
function isStagingDestination(lower: string): boolean {
  if (lower.startsWith('\\\\')) return true;
  const separator = lower.includes('/') && !lower.includes('\\') ? '/' : '\\';
  return inStagingFolder(lower.endsWith(separator) ? lower : lower + separator);
}

/**
 * `copy C:\Windows\Panther\unattend.xml C:\Users\Public`, `Copy-Item .\db.kdbx \\10.0.0.5\drop`,
 * `for /r C:\ %f in (unattend.xml) do copy %f %PUBLIC%`: a file that is a secret in itself copied to a
 * staging folder or another machine, ready to be taken. Copies to a backup disk, copies from a share
 * (deployment) and files that are handed out (DEPLOYED_SECRET_EXTENSIONS) are not this.
 */
function checkSecretFileStaging(inv: Invocation, out: FindingCollector): void {
  const target = writeTargets(inv).find((t) => isStagingDestination(t.lower));
  if (!target) return;
  const source = positionals(inv.args).find(
    (w) => w !== target && !w.lower.startsWith('\\\\') && w.lower.split(',').some((part) => stagedSecret(part)),
  );
  if (!source) return;
  out.add(
    spec(
      'cred.secret-file-collect',
      `${inv.name} copies ${source.value}, a file that holds secrets, to ${target.value}${LISTING_FOR_SECRETS}.`,
    ),
    [commandWord(inv), source, target],
  );
}

/** Options of copy and sync tools that pick the files copied by name: `--include '*.pem'`, azcopy's `--include-pattern 'a;b'`. */
const INCLUDE_OPTIONS: ReadonlySet<string> = new Set(['--include', '--include-pattern', '--filter', '-f']);

/** The name patterns a copy tool's include options give (`--include=*.kdbx`, `--filter '+ id_*'`). */
function includedPatterns(args: readonly Word[]): Word[] {
  const out: Word[] = [];
  for (let i = 0; i < args.length; i++) {
    const w = args[i] as Word;
    const equals = w.lower.indexOf('=');
    const option = equals > 0 ? w.lower.slice(0, equals) : w.lower;
    if (!INCLUDE_OPTIONS.has(option)) continue;
    const holder = equals > 0 ? w : args[++i];
    if (holder === undefined) break;
    const value = equals > 0 ? w.value.slice(equals + 1) : holder.value;
    // A filter rule includes with `+ ` (rsync, rclone); its other rules exclude or merge.
    const pattern = option === '--filter' || option === '-f' ? /^\+\s+(.*)$/.exec(trimQuotes(value))?.[1] : value;
    if (pattern !== undefined)
      for (const part of pattern.split(';')) out.push({ value: part, lower: part.toLowerCase(), span: holder.span });
  }
  return out;
}

/**
 * `rclone copy / remote:dump --include '*.pem' --include 'id_*'`, `rsync -a --include='*.kdbx' --exclude='*' /home host:x`,
 * `aws s3 sync ~ s3://b --exclude '*' --include '*.ppk'`: every secret file under a drive, the profiles or a home picked by
 * name and copied to another machine in one command (a hunt and its collection at once).
 */
function checkSecretFileSync(inv: Invocation, out: FindingCollector, doc: Document): void {
  const pattern = includedPatterns(inv.args).find((w) => secretFilePattern(w.value) !== undefined);
  if (!pattern) return;
  const root = uploadedFiles(inv, doc).find((w) => isBroadRoot(w.lower));
  if (!root) return;
  out.add(
    spec(
      'cred.secret-file-collect',
      `${inv.name} copies the files named ${pattern.value} from all of ${root.value} to another machine${LISTING_FOR_SECRETS}.`,
    ),
    [commandWord(inv), pattern, root],
  );
}

function hasDepth(args: readonly Word[]): boolean {
  return args.some((w) => parameterOf(w, ['depth']) !== undefined);
}

/** `c:\*.kdbx` → `c:\`; a word without a directory is relative (''). */
function directoryOf(lower: string): string {
  const cut = Math.max(lower.lastIndexOf('\\'), lower.lastIndexOf('/'));
  return cut >= 0 ? lower.slice(0, cut + 1) : '';
}

// --- Memory images searched for passwords (T1003, T1212) ------------------------------------------

/** Files that are a process or system memory image: minidumps, core files, /proc/PID/mem, hibernation and page files, VM memory. */
function isMemoryImage(lower: string): boolean {
  const v = trimQuotes(lower);
  const b = baseName(v);
  // `core`, `core.1234` (a `core.log` is not one).
  if (b === 'core' || (b.startsWith('core.') && isNumber(b.slice(5))) || b === 'hiberfil.sys' || b === 'pagefile.sys') return true;
  if (v.startsWith('/proc/') && (v.endsWith('/mem') || v.endsWith('/environ'))) return true;
  // Swap holds paged-out memory: `/swapfile`, `/swap.img`, macOS `/private/var/vm/swapfile0`, and swap volumes (`/dev/mapper/vg-swap`).
  if (b.startsWith('swapfile') || b === 'swap.img' || (v.startsWith('/dev/') && b.includes('swap'))) return true;
  const dot = b.lastIndexOf('.');
  const ext = dot >= 0 ? b.slice(dot) : '';
  return ext === '.dmp' || ext === '.mdmp' || ext === '.hdmp' || ext === '.core' || ext === '.vmem';
}

/**
 * Files a dump tool of the same text writes: `gcore -o /tmp/dump PID` writes `/tmp/dump.PID`,
 * `createdump -f /tmp/x.bin PID` writes `/tmp/x.bin` (computed once per document).
 */
const DUMP_OUTPUTS = new DocumentCache((doc: Document): string[] => {
  const prefixes: string[] = [];
  for (const inv of invocations(doc)) {
    const out =
      inv.name === 'gcore' ? optionValue(inv.args, 'o') : inv.name === 'createdump' ? optionValue(inv.args, 'f', 'name') : undefined;
    if (out && out.lower.length > 1) prefixes.push(trimQuotes(out.lower));
  }
  return prefixes;
});

function isDumpOutput(doc: Document, lower: string): boolean {
  const prefixes = DUMP_OUTPUTS.of(doc);
  return prefixes.length > 0 && prefixes.some((p) => trimQuotes(lower).startsWith(p));
}

/** Readers that pass a memory image on to a filter (`strings core.1234 | grep -i pass`). */
const IMAGE_READERS: ReadonlySet<string> = new Set(['strings', 'cat', 'type', 'get-content', 'xxd', 'hexdump', 'od', 'dd']);

/**
 * `strings core.1234 | grep -i pass`, `grep -a PASS /proc/1234/mem`, `Select-String -Path *.dmp
 * -Pattern password`: a process's memory searched for passwords. The memory may have been dumped
 * by anything (a crash, `gcore`, Task Manager), so the search itself is what takes the
 * credentials. Searching a dump for an error string, or `strings` of a binary, stays allowed.
 */
function checkMemoryPasswordSearch(inv: Invocation, out: FindingCollector, doc: Document): void {
  const term = credentialPattern(inv);
  if (!term) return;
  const memory = (w: Word): boolean => isMemoryImage(w.lower) || isDumpOutput(doc, w.lower);
  let image = inv.args.find((w) => w !== term && memory(w));
  let reader: SimpleCommand | undefined;
  if (!image) {
    for (const before of pipelineNeighbours(doc, inv.command, 'before', 4)) {
      if (!IMAGE_READERS.has(before.name)) continue;
      image = before.words.find((w, k) => k > 0 && memory(w));
      if (image) {
        reader = before;
        break;
      }
    }
  }
  if (!image) return;
  out.add(
    spec(
      'cred.memory-search',
      `${reader ? reader.name + ' reads' : inv.name + ' searches'} the memory image ${image.value} for "${term.value}": passwords scraped from process memory.`,
    ),
    [commandWord(inv), reader?.words[0], image, term],
  );
}

// --- Credential hunting in files (T1552.001/.003) ------------------------------------------------

/** What a search for stored passwords looks for; a pattern alternative must be one of these exactly. */
const CREDENTIAL_SEARCH_TERMS: ReadonlySet<string> = new Set([
  'password',
  'passwords',
  'passwd',
  'pass',
  'passw',
  'pwd',
  'passphrase',
  'secret',
  'secrets',
  'credential',
  'credentials',
  'creds',
]);

/**
 * The credential term a search pattern consists of: `password`, `'pass|pwd'`, `"password\|secret"`,
 * `-pattern pass,pwd`. Only whole alternatives count, so `PasswordAuthentication` or
 * `"Failed password"` (an sshd setting, a log search) are not a hunt for stored passwords.
 */
function credentialTerm(lower: string, spaceSeparates: boolean): string | undefined {
  let letters = '';
  for (let i = 0; i <= lower.length; i++) {
    const c = i < lower.length ? lower.charCodeAt(i) : 124; // '|' closes the last alternative
    if (c >= 97 && c <= 122) letters += lower[i];
    else if (c === 124 || c === 44 || c === 40 || c === 41 || (c === 32 && spaceSeparates)) {
      // '|', ',', '(' and ')' separate alternatives (`pass(word)?` reads as pass, word); spaces only for findstr.
      if (CREDENTIAL_SEARCH_TERMS.has(letters)) return letters;
      letters = '';
    }
  }
  return undefined;
}

/** The first argument of a search that is (or whose pattern alternatives include) a credential term. */
function credentialPattern(inv: Invocation): Word | undefined {
  const args = inv.args;
  // findstr "pass pwd" searches for either word; elsewhere a space makes a phrase ("Failed password").
  const findstrWords = inv.name === 'findstr';
  for (let i = 0; i < args.length; i++) {
    const w = args[i]!;
    const option = w.lower.startsWith('-') || (w.lower.startsWith('/') && w.lower.length <= 3);
    if (option) continue;
    if (credentialTerm(w.lower, findstrWords) !== undefined) return w;
  }
  return undefined;
}

const RECURSIVE_GREPS: ReadonlySet<string> = new Set(['grep', 'egrep', 'fgrep']);
/** Searchers that descend into directories by default. */
const TREE_SEARCHERS: ReadonlySet<string> = new Set(['rg', 'ag', 'ack']);

function grepIsRecursive(inv: Invocation): boolean {
  for (const w of inv.args) {
    const l = w.lower;
    if (l === '--recursive' || l === '--dereference-recursive' || l === 'recurse') return true;
    if (l.length > 1 && l[0] === '-' && l[1] !== '-' && (w.value.includes('r') || w.value.includes('R'))) return true;
  }
  return false;
}

/** Listings that walk a tree: `Get-ChildItem -Recurse`, `ls -R`, `dir /s`. */
const LISTERS: ReadonlySet<string> = new Set(['get-childitem', 'gci', 'ls', 'dir', 'childitem']);

function walksTree(command: SimpleCommand): boolean {
  if (!LISTERS.has(command.name)) return false;
  return command.words.some((w, k) => {
    if (k === 0) return false;
    const l = w.lower;
    return l === '-r' || l === '/s' || (l.length > 2 && l.startsWith('-r') && 'recurse'.startsWith(l.slice(1)));
  });
}

/**
 * `grep -ri password /`, `rg -i 'passw|secret' /home`, `ls -R | Select-String -Pattern password`:
 * every file of a tree searched for stored passwords (T1552.001). Blocked like other credential
 * theft. A search for a setting or log line that merely contains the word stays allowed
 * (`grep -r PasswordAuthentication /etc/ssh`, `grep "Failed password" /var/log/auth.log`).
 */
function checkCredentialGrep(inv: Invocation, out: FindingCollector, doc: Document): void {
  const n = inv.name;
  const term = credentialPattern(inv) ?? (docHasAny(doc, HISTORY_NEEDLES) ? passwordCommandPattern(inv) : undefined);
  if (!term) return;
  let how = '';
  if (TREE_SEARCHERS.has(n) || (RECURSIVE_GREPS.has(n) && grepIsRecursive(inv))) how = `${n} searches every file below a folder`;
  else if (n === 'select-string' || n === 'sls') {
    const lister = pipelineNeighbours(doc, inv.command, 'before').find(walksTree);
    if (lister) how = `${lister.name} lists a whole tree and Select-String searches every file`;
  }
  if (how)
    out.add(spec('cred.secret-search', `${how} for "${term.value}": hunting for passwords stored in files (credential access, blocked).`), [
      commandWord(inv),
      term,
    ]);
  else checkHistorySearch(inv, out, doc, term);
}

/** Commands that take a password on their command line, searched for in a history (`grep "mysql -p" .bash_history`). */
const PASSWORD_COMMANDS = [
  'mysql -p',
  'mysql -u',
  'mysqldump -p',
  'sshpass',
  'psql postgres',
  'curl -u',
  '--password',
  'net use',
  'runas /',
];

function passwordCommandPattern(inv: Invocation): Word | undefined {
  return inv.args.find((w) => !w.lower.startsWith('-') && PASSWORD_COMMANDS.some((c) => w.lower.includes(c)));
}

/** Shell and client history files, where passwords typed on command lines (`mysql -pX`, `sshpass -p`) stay. */
const HISTORY_FILES = [
  'bash_history',
  'zsh_history',
  '.sh_history',
  '.history',
  'fish_history',
  'consolehost_history',
  'historysavepath',
  '.mysql_history',
  '.psql_history',
  '.python_history',
];
const HISTORY_NEEDLES = new NeedleGroup(HISTORY_FILES);

function historyFileIn(args: readonly Word[]): Word | undefined {
  return args.find((w) => HISTORY_FILES.some((h) => w.lower.includes(h)));
}

/**
 * `cat ~/.bash_history | grep -e pass -e ssh`, `grep -i passw /home/USER/.bash_history`,
 * `Get-Content (Get-PSReadLineOption).HistorySavePath | Select-String password`: passwords typed on
 * command lines, harvested from history (T1552.003). Reading or tailing history stays allowed.
 */
function checkHistorySearch(inv: Invocation, out: FindingCollector, doc: Document, term: Word): void {
  if (!docHasAny(doc, HISTORY_NEEDLES)) return;
  let file = historyFileIn(inv.args);
  if (!file) {
    for (const other of pipelineNeighbours(doc, inv.command, 'before')) {
      file = historyFileIn(other.words.slice(1));
      if (file) break;
    }
  }
  if (file)
    out.add(
      spec(
        'cred.history-search',
        `${inv.name} searches the command history ${file.value} for "${term.value}": passwords typed on command lines (credential access, blocked).`,
      ),
      [commandWord(inv), file, term],
    );
}

// --- Browser password stores (T1555.003) ---------------------------------------------------------

/** Where browsers keep profiles (paths with `/` for `\`), Windows, Linux and macOS. */
const BROWSER_ROOTS: readonly { root: string; browser: string }[] = [
  { root: 'mozilla/firefox/profiles', browser: 'Firefox' },
  { root: '.mozilla/firefox', browser: 'Firefox' },
  { root: 'application support/firefox/profiles', browser: 'Firefox' },
  { root: 'google/chrome/user data', browser: 'Chrome' },
  { root: 'microsoft/edge/user data', browser: 'Edge' },
  { root: 'bravesoftware/brave-browser/user data', browser: 'Brave' },
  { root: 'vivaldi/user data', browser: 'Vivaldi' },
  { root: 'chromium/user data', browser: 'Chromium' },
  { root: 'yandex/yandexbrowser/user data', browser: 'Yandex' },
  { root: 'opera software/opera stable', browser: 'Opera' },
  { root: 'opera software/opera gx stable', browser: 'Opera GX' },
  { root: '.config/google-chrome', browser: 'Chrome' },
  { root: '.config/chromium', browser: 'Chromium' },
  { root: '.config/microsoft-edge', browser: 'Edge' },
  { root: '.config/bravesoftware/brave-browser', browser: 'Brave' },
  { root: '.config/vivaldi', browser: 'Vivaldi' },
  { root: 'application support/google/chrome', browser: 'Chrome' },
  { root: 'application support/microsoft edge', browser: 'Edge' },
  { root: 'application support/bravesoftware/brave-browser', browser: 'Brave' },
];
/** Cheap pre-check on the raw text (where `Application\\ Support` may still carry its escape). */
const BROWSER_ROOT_NEEDLES = new NeedleGroup([
  'firefox',
  'user data',
  'opera software',
  'google-chrome',
  'google/chrome',
  '.config/chromium',
  'microsoft-edge',
  'microsoft edge',
  'brave-browser',
  '.config/vivaldi',
]);
/** Files holding saved passwords, cookies or the key that decrypts them. */
const BROWSER_SECRET_FILES: ReadonlySet<string> = new Set([
  'login data',
  'login data for account',
  'cookies',
  'local state',
  'web data',
  'logins.json',
  'key4.db',
  'key3.db',
  'signons.sqlite',
  'cookies.sqlite',
]);
/** Programs that copy, pack, read or send a browser profile (deleting a cache is none of them). */
const BROWSER_STORE_READERS: ReadonlySet<string> = new Set([
  ...CONTENT_READERS,
  'robocopy',
  'move',
  'move-item',
  'mi',
  'compress-archive',
  'esentutl',
  'sqlite3',
  'ditto',
]);

/** The browser whose saved passwords a path reaches: a whole profile folder, or a password/cookie/key file in it. */
function browserStoreIn(lower: string): string | undefined {
  const path = lower.includes('\\') ? lower.split('\\').join('/') : lower;
  for (const b of BROWSER_ROOTS) {
    const at = path.indexOf(b.root);
    if (at < 0) continue;
    const segments = path
      .slice(at + b.root.length)
      .split('/')
      .filter((x) => x !== '' && x !== '*');
    // The profiles folder or one profile (`Default`, `Profile 1`, `x1y2.default-release`): everything in it.
    if (segments.length <= 1) return b.browser;
    const last = segments[segments.length - 1]!;
    if (BROWSER_SECRET_FILES.has(last.endsWith('*') ? last.slice(0, -1) : last)) return b.browser;
  }
  return undefined;
}

/**
 * `Copy-Item "$env:APPDATA\Mozilla\Firefox\Profiles\" $env:TEMP -Recurse`, `robocopy "…\Edge\User Data\Default" …`,
 * `cp ~/.config/google-chrome/Default/Login\ Data /tmp`: saved passwords and cookies taken for
 * offline decryption (T1555.003). Blocked like credential dumping; clearing a browser cache stays allowed.
 */
function checkBrowserProfileCopy(inv: Invocation, out: FindingCollector, doc: Document): void {
  if (!docHasAny(doc, BROWSER_ROOT_NEEDLES)) return;
  for (const w of inv.args) {
    // After `cd …/Chrome/Default`, `"Login Data"` is the password store: relative names are resolved against it.
    const browser = browserStoreIn(resolvedLower(inv, w));
    if (browser && CONTENT_READERS.has(inv.name) && writtenBack(doc, w.lower)) continue;
    if (browser) {
      out.add(
        spec(
          'cred.browser-store',
          `${inv.name} copies or reads ${w.value}, the ${browser} profile with its saved passwords and cookies (credential theft, blocked).`,
        ),
        [commandWord(inv), w],
      );
      return;
    }
  }
}

/** What an in-place edit does with the file: test for it, create it, read it, write it back. */
const IN_PLACE_EDITORS: ReadonlySet<string> = new Set(['test-path', 'new-item', 'get-content', 'gc', 'out-file', 'set-content']);

/**
 * `$cfg = Get-Content $localState | ConvertFrom-Json` … `$cfg | ConvertTo-Json | Out-File $localState`: a browser
 * setting edited in place (a flag in Local State). The file goes back where it was and nothing else touches it.
 */
function writtenBack(doc: Document, lowerPath: string): boolean {
  return IN_PLACE_EDITS.of(doc).get(lowerPath) === 'written back';
}

/**
 * Each argument of the document (lower case) → how it is used: only by in-place edits (read, or also written back)
 * or by something else too. Computed once per document: a script may read the same store many times.
 */
const IN_PLACE_EDITS = new DocumentCache((doc: Document): Map<string, 'read' | 'written back' | 'other'> => {
  const uses = new Map<string, 'read' | 'written back' | 'other'>();
  for (const c of doc.commands) {
    const use = !IN_PLACE_EDITORS.has(c.name) ? 'other' : c.name === 'out-file' || c.name === 'set-content' ? 'written back' : 'read';
    for (let k = 1; k < c.words.length; k++) {
      const lower = (c.words[k] as Word).lower;
      const seen = uses.get(lower);
      if (seen === undefined || seen === 'read' || use === 'other') uses.set(lower, seen === 'other' ? 'other' : use);
    }
  }
  return uses;
});

// --- Password guessing built into scanners (T1110) ------------------------------------------------

/**
 * `wpscan --url … --passwords list.txt` and nmap's brute-force scripts (`--script ssh-brute`,
 * `--script brute`): online password guessing run from a scanner. The scans without them stay allowed.
 */
function checkScannerBruteForce(inv: Invocation, out: FindingCollector): void {
  if (inv.name === 'wpscan') {
    const list = inv.args.find((w) => w.value === '-P' || w.lower === '--passwords' || w.lower.startsWith('--passwords='));
    if (list)
      out.add(spec('cred.scanner-brute-force', 'wpscan guesses WordPress passwords from a list (online password guessing).'), [
        commandWord(inv),
        list,
      ]);
    return;
  }
  const scripts = optionValue(inv.args, 'script');
  if (scripts?.lower.includes('brute'))
    out.add(spec('cred.scanner-brute-force', `nmap --script ${scripts.value} runs brute-force password guessing against the target.`), [
      commandWord(inv),
      scripts,
    ]);
}

// --- Password filters (T1556.002) ---------------------------------------------------------------

/** Windows' own password-notification packages; anything else receives every new password in clear text. */
const DEFAULT_NOTIFICATION_PACKAGES: ReadonlySet<string> = new Set(['scecli', 'rassfm']);

/** True when every package the value names is a Windows default; false for any other name or a variable (`$packages`). */
function onlyDefaultPackages(value: string): boolean {
  for (const raw of value.split(/[\s,;"'()@]+|\\0/)) {
    const name = raw.endsWith('.dll') ? raw.slice(0, -4) : raw;
    if (name !== '' && !DEFAULT_NOTIFICATION_PACKAGES.has(name)) return false;
  }
  return true;
}

/**
 * `reg add HKLM\SYSTEM\CurrentControlSet\Control\Lsa /v "Notification Packages" /d scecli\0evil`,
 * `Set-ItemProperty HKLM:\…\Lsa "Notification Packages" $packages`: a password filter DLL sees every
 * password set or changed in clear text (T1556.002). Blocked as credential access, like NPPSpy; putting
 * back the default (`scecli`) stays allowed.
 */
function checkPasswordFilter(inv: Invocation, out: FindingCollector, doc: Document): void {
  if (!docHas(doc, 'notification packages')) return;
  const args = inv.args;
  let value: Word | undefined;
  if (inv.name === 'reg') {
    if (args[0]?.lower !== 'add' || !args.some((w) => w.lower.endsWith('\\lsa') || w.lower.endsWith('\\lsa\\'))) return;
    if (!trimQuotes(optionValue(args, 'v')?.lower ?? '').startsWith('notification packages')) return;
    value = optionValue(args, 'd');
  } else {
    if (!args.some((w) => w.lower.includes('\\lsa'))) return;
    const name = args.findIndex((w) => trimQuotes(w.lower) === 'notification packages');
    if (name < 0) return;
    value = optionValue(args, 'value') ?? args.slice(name + 1).find((w) => !w.lower.startsWith('-'));
  }
  if (!value || onlyDefaultPackages(value.lower)) return;
  out.add(
    spec(
      'cred.password-filter',
      `${inv.name} registers ${value.value} as an LSA notification package (password filter), which receives every new password in clear text.`,
    ),
    [commandWord(inv), value],
  );
}

// --- Brute force and password spraying (T1110.001/.003/.004) ------------------------------------

/** cmd `FOR … %n IN (…)`, PowerShell `foreach ($user in …)`, POSIX `for pass in …` and `while read user pass`. */
const CMD_LOOP_VARIABLE = /%%?([a-z])\s+in\s*\(/g;
const PS_LOOP_VARIABLE = /\bforeach\s*\(\s*\$([a-z_][a-z0-9_]*)\s+in\b/g;
const SH_LOOP_VARIABLE = /\bfor\s+([a-z_][a-z0-9_]*)\s+in\b/g;
const SH_READ_VARIABLES = /\bread\s+(?:-r\s+)?([a-z_][a-z0-9_]*(?:[ \t]+[a-z_][a-z0-9_]*)*)/g;

interface LoopVariables {
  /** Single-letter cmd FOR variables. */
  cmd: Set<string>;
  /** PowerShell and POSIX variable names (`$_` when a ForEach-Object block is present). */
  dollar: Set<string>;
}

function findLoopVariables(doc: Document): LoopVariables {
  const vars: LoopVariables = { cmd: new Set(), dollar: new Set() };
  for (const layer of doc.layers) {
    const text = layer.lower;
    if (text.includes('%')) for (const m of text.matchAll(CMD_LOOP_VARIABLE)) vars.cmd.add(m[1]!);
    if (text.includes('foreach')) {
      for (const m of text.matchAll(PS_LOOP_VARIABLE)) vars.dollar.add(m[1]!);
      if (text.includes('foreach-object')) vars.dollar.add('_');
    }
    if (text.includes('% {') || text.includes('%{')) vars.dollar.add('_');
    if (text.includes('for ')) for (const m of text.matchAll(SH_LOOP_VARIABLE)) vars.dollar.add(m[1]!);
    if (text.includes('read ')) for (const m of text.matchAll(SH_READ_VARIABLES)) for (const v of m[1]!.split(/[ \t]+/)) vars.dollar.add(v);
  }
  return vars;
}

const LOOP_VARIABLES = new DocumentCache(findLoopVariables);

function isWordChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 95 || (c >= 65 && c <= 90);
}

/** True when `text` uses a loop variable: `%n` / `%%n` (not `%userdomain%`), `$user`, `${user}`, `$_`. */
function usesLoopVariable(text: string, vars: LoopVariables): boolean {
  for (let i = 0; i < text.length - 1; i++) {
    const c = text[i];
    if (c === '%' && vars.cmd.has(text[i + 1]!.toLowerCase())) {
      if (i + 2 >= text.length || !isWordChar(text.charCodeAt(i + 2))) return true;
    } else if (c === '$') {
      let a = i + 1;
      if (text[a] === '{') a++;
      let b = a;
      while (b < text.length && isWordChar(text.charCodeAt(b))) b++;
      if (b > a && vars.dollar.has(text.slice(a, b).toLowerCase())) return true;
    }
  }
  return false;
}

const BRUTE_FORCE_NEEDLES = new NeedleGroup(['/user:', 'directoryentry', 'ldapconnection', 'validatecredentials']);
/** Directory logons that test a user name and password: a bind with explicit credentials. */
const DIRECTORY_BINDS: readonly { call: string; minCommas: number }[] = [
  { call: 'directoryentry(', minCommas: 2 }, // (path, user, password)
  { call: 'ldapconnection(', minCommas: 1 }, // (identifier, credential …) and a later .Bind()
  { call: '.validatecredentials(', minCommas: 1 }, // (user, password)
];

/** Commas at the top level of the argument list that starts just after `open` (bounded scan). */
function topLevelCommas(text: string, open: number): number {
  let depth = 0;
  let commas = 0;
  for (let i = open; i < text.length && i < open + 400; i++) {
    const c = text[i];
    if (c === '(') depth++;
    else if (c === ')') {
      if (depth === 0) break;
      depth--;
    } else if (c === ',' && depth === 0) commas++;
  }
  return commas;
}

/** `net use \\dc\IPC$ /user:DOM\%n %p` or `/user:$u $p` where the user or password is a loop variable. */
function netUseGuess(text: string, vars: LoopVariables): number {
  for (let at = text.indexOf('/user:'); at >= 0; at = text.indexOf('/user:', at + 1)) {
    // The command before it, on the same line (looking back a bounded stretch keeps this linear).
    let from = at;
    while (from > 0 && at - from < 300 && text[from - 1] !== '\n') from--;
    const before = text.slice(from, at);
    if (!before.includes('net use') && !before.includes('net.exe use') && !before.includes('net1 use')) continue;
    // The user name and the password after it (two words), up to the end of the command.
    let end = at + 6;
    let words = 0;
    let quoted = false;
    for (; end < text.length && end < at + 300; end++) {
      const c = text[end];
      if (c === '"') quoted = !quoted;
      else if (!quoted && (c === '\n' || c === '&' || c === '|' || c === '>')) break;
      else if (!quoted && c === ' ' && text[end - 1] !== ' ' && ++words === 2) break;
    }
    if (usesLoopVariable(text.slice(at + 6, end), vars)) return at;
  }
  return -1;
}

/**
 * Password guessing with built-in means: `FOR /F %n IN (users.txt) DO net use \\dc\IPC$ /user:%n %p`,
 * PowerShell loops over `DirectoryEntry(path, $user, $password)` or `LdapConnection.Bind()`,
 * `for up in $(cat list); do sshpass -p … ssh …`. Blocked as credential access (brute force / spraying):
 * it locks accounts and is never administration. One drive mapping (`net use Z: \\fs\share /user:CORP\alice`)
 * or a single bind to check a service account stays allowed.
 */
function checkBruteForceLoops(doc: Document, out: FindingCollector): void {
  const hit = docHasAny(doc, BRUTE_FORCE_NEEDLES);
  if (!hit) return;
  const vars = LOOP_VARIABLES.of(doc);
  if (vars.cmd.size === 0 && vars.dollar.size === 0) return;
  for (const layer of doc.layers) {
    const text = layer.lower;
    if (hit === '/user:' && netUseGuess(text, vars) >= 0) {
      out.add(
        spec(
          'cred.brute-force',
          'net use logs on over SMB in a loop with user names or passwords from a list: password guessing or spraying (brute force, blocked).',
        ),
        searchFirst(doc, '/user:'),
      );
      return;
    }
    if (vars.dollar.size === 0) continue;
    for (const bind of DIRECTORY_BINDS) {
      const at = text.indexOf(bind.call);
      if (at < 0 || topLevelCommas(text, at + bind.call.length) < bind.minCommas) continue;
      if (bind.call === 'ldapconnection(' && !text.includes('.bind(')) continue;
      out.add(
        spec(
          'cred.brute-force',
          'Tries directory logons (LDAP bind with a user name and password) in a loop: password guessing or spraying (brute force, blocked).',
        ),
        searchFirst(doc, bind.call),
      );
      return;
    }
  }
}

/** `sshpass -p "$pass"` where the password changes with each turn of a loop (credential stuffing over SSH). */
function checkSshpassLoop(inv: Invocation, out: FindingCollector, doc: Document): void {
  const password = optionValue(inv.args, 'p');
  if (!password || !password.lower.includes('$')) return;
  if (!usesLoopVariable(password.lower, LOOP_VARIABLES.of(doc))) return;
  out.add(
    spec(
      'cred.brute-force',
      'sshpass tries a different password from a list on each turn of a loop: SSH password guessing or credential stuffing (brute force, blocked).',
    ),
    [commandWord(inv), password],
  );
}

// --- Windows Credential Locker (T1555) -----------------------------------------------------------

const PASSWORD_VAULT_ENUMERATION = new NeedleGroup(['retrieveall', 'findallbyresource', 'findallbyusername']);

/**
 * `[Windows.Security.Credentials.PasswordVault]` enumerated and every password revealed
 * (`RetrieveAll() | % { $_.RetrievePassword() }`). A script fetching its own entry with
 * `Retrieve(resource, user)` stays allowed, as does listing names (cmdkey /list).
 */
function checkPasswordVault(doc: Document, out: FindingCollector): void {
  if (!docHas(doc, 'passwordvault') || !docHas(doc, 'retrievepassword')) return;
  const enumerate = docHasAny(doc, PASSWORD_VAULT_ENUMERATION);
  if (!enumerate) return;
  out.add(
    spec(
      'cred.vault',
      'Enumerates the Windows Credential Locker (PasswordVault) and reveals every saved password (credential store dump, blocked).',
    ),
    searchFirst(doc, enumerate, 'retrievepassword'),
  );
}

// --- Backup-server credential stores (T1555) ------------------------------------------------------

/** Databases of backup products that keep the credentials of every host they back up (reversibly encrypted). */
const BACKUP_DATABASES = ['veeambackup', 'veeam', 'bedb', 'commserv', 'arcserve_db', 'vbr'];

/** SQL clients and the options that carry the query text. */
const SQL_QUERY_OPTIONS = new Map<string, readonly string[]>([
  ['sqlcmd', ['q', 'query']],
  ['osql', ['q']],
  ['isql', ['q']],
  ['invoke-sqlcmd', ['query']],
  ['psql', ['c', 'command']],
  ['mysql', ['e', 'execute']],
]);
const SQL_CLIENTS = [...SQL_QUERY_OPTIONS.keys()];

/** Table names that hold stored credentials (`[dbo].[Credentials]`, `public.credentials`). */
const CREDENTIAL_TABLES: ReadonlySet<string> = new Set(['credentials', 'credential']);

/** Whether an SQL text selects from a table named like a credential store (one left-to-right pass). */
function selectsFromCredentialTable(lower: string): boolean {
  if (!lower.includes('select')) return false;
  let at = lower.indexOf('from');
  while (at >= 0) {
    let i = at + 4;
    const before = at === 0 ? 32 : lower.charCodeAt(at - 1);
    if (before === 32 || before === 10 || before === 9 || before === 41) {
      while (i < lower.length && (lower[i] === ' ' || lower[i] === '\n' || lower[i] === '\t')) i++;
      let end = i;
      while (end < lower.length && !' ,;)\n\t'.includes(lower[end]!)) end++;
      const name = lower.slice(i, end);
      const last = name
        .slice(name.lastIndexOf('.') + 1)
        .replaceAll('[', '')
        .replaceAll(']', '')
        .replaceAll('"', '')
        .replaceAll('`', '');
      if (CREDENTIAL_TABLES.has(last)) return true;
      i = end;
    }
    at = lower.indexOf('from', Math.max(i, at + 4));
  }
  return false;
}

/**
 * `sqlcmd -d VeeamBackup -Q "SELECT user_name,password FROM [dbo].[Credentials]"`, the same through
 * `Invoke-Sqlcmd` or `psql`: the credentials a backup server keeps for every host it reaches, read out
 * to be decrypted offline (a ransomware crew's route to the whole estate). A query against a backup
 * product's database, or one selecting a password column, from a credentials table is blocked; other
 * queries (`SELECT @@VERSION`, job tables, `sys.databases`) stay allowed.
 */
function checkBackupCredentialQuery(inv: Invocation, out: FindingCollector): void {
  const options = SQL_QUERY_OPTIONS.get(inv.name);
  if (!options) return;
  const query = optionValue(inv.args, ...options);
  if (!query || !selectsFromCredentialTable(query.lower)) return;
  const text = argLowers(inv).join(' ');
  const backupDb = BACKUP_DATABASES.some((db) => text.includes(db));
  if (!backupDb && !query.lower.includes('password')) return;
  out.add(
    spec(
      'cred.backup-store',
      `${inv.name} reads a credentials table${backupDb ? " from a backup product's database" : ' with its passwords'}: the stored logins of the hosts it reaches.`,
    ),
    [commandWord(inv), query],
  );
}

// --- Windows Credential Manager through the CredentialManager module (T1555.004) -----------------

/** Pipeline stages that write or serialise what reaches them (a dump, not a use). */
const CREDENTIAL_SINKS: ReadonlySet<string> = new Set([
  'export-csv',
  'export-clixml',
  'out-file',
  'convertto-json',
  'convertto-csv',
  'convertto-xml',
  'convertto-html',
  'set-content',
  'add-content',
  'tee-object',
  'out-string',
  'format-table',
  'format-list',
  'ft',
  'fl',
  'out-gridview',
]);

/**
 * `Get-StoredCredential | Export-Csv …`, `Get-StoredCredential -AsCredentialObject` (its output shows
 * each password in clear text), `Get-StoredCredential … .GetNetworkCredential().Password`: saved
 * Windows credentials (RDP, file shares, Outlook) revealed or written out. A script passing its own
 * saved credential on (`$c = Get-StoredCredential -Target share; New-PSDrive -Credential $c`) and
 * `cmdkey /list`, which shows no secrets, stay allowed.
 */
function checkStoredCredential(inv: Invocation, out: FindingCollector, doc: Document): void {
  const target = optionValue(inv.args, 'target');
  const assigned = inv.command.assignTo !== undefined;
  const after = pipelineNeighbours(doc, inv.command, 'after', 4);
  const sink = after.find((c) => CREDENTIAL_SINKS.has(c.name));
  const asObject = findOption(inv.args, 'ascredentialobject');
  const reveals = docHas(doc, 'getnetworkcredential');
  let why: string | undefined;
  if (sink) why = `passes the saved Windows credentials to ${sink.name}`;
  else if (asObject && (!target || (!assigned && after.length === 0)))
    why = 'with -AsCredentialObject returns each saved password in clear text';
  else if (reveals && (!target || !assigned)) why = 'reveals saved Windows passwords with GetNetworkCredential()';
  if (!why) return;
  out.add(spec('cred.vault', `Get-StoredCredential ${why} (Credential Manager dump, blocked).`), [commandWord(inv)]);
}

/** The per-invocation checks, in order, each with the programs it acts on (none: every program). */
const INVOCATION_CHECKS = new ChecksByName([
  {
    check: checkTools,
    // Also run by script name: `secretsdump.py`, `pypykatz.py`.
    names: [...CREDENTIAL_TOOLS, ...CREDENTIAL_FUNCTIONS, ...PYTHON_LIKE, 'evil-winrm', ...[...CREDENTIAL_TOOLS].map((t) => t + '.py')],
  },
  { check: checkHiveExport, names: ['reg'] },
  { check: checkHiveFileCopy, names: HIVE_COPIERS },
  { check: checkKubeSecrets, names: ['kubectl', 'oc', 'microk8s.kubectl', 'microk8s', 'k3s'] },
  // Any program can be given the password-hash file.
  { check: checkShadowFile },
  { check: checkKeychain, names: ['security'] },
  { check: checkMisc, names: ['ntdsutil', 'esentutl', 'vaultcmd', 'netsh', 'procdump', 'procdump64'] },
  { check: checkBackupCredentialQuery, names: SQL_CLIENTS },
  { check: checkStoredCredential, names: ['get-storedcredential'] },
  {
    check: checkDumpPrimitives,
    names: ['createdump', 'rdrleakdiag', 'sqldumper', 'tttracer', 'rundll32', 'gcore', 'gdb', 'lldb', 'mklink'],
  },
  { check: checkSecretFiles, names: CONTENT_READERS },
  { check: checkSecretFileUploads, names: SECRET_UPLOADERS },
  { check: checkSecretFileSync, names: ['rclone', 'rsync', 'aws', 'azcopy', 'gsutil'] },
  { check: checkSecretSearches, names: ['find', 'grep', 'egrep', 'rg', 'findstr', 'select-string', 'sls'] },
  { check: checkCredentialSniffing, names: SNIFFERS },
  { check: checkSystemSecrets, names: ['getent', 'dscl', 'defaults', 'plutil', 'reg'] },
  {
    check: checkCredentialGrep,
    names: [...RECURSIVE_GREPS, ...TREE_SEARCHERS, 'select-string', 'sls', 'findstr', 'awk', 'sed'],
  },
  { check: checkBrowserProfileCopy, names: BROWSER_STORE_READERS },
  { check: checkSshpassLoop, names: ['sshpass'] },
  { check: checkScannerBruteForce, names: ['wpscan', 'nmap'] },
  { check: checkPasswordFilter, names: ['reg', 'set-itemproperty', 'sp', 'new-itemproperty', 'set-itempropertyvalue'] },
  { check: checkCredentialFileHunt, names: ['get-childitem', 'dir', 'where'] },
  { check: checkSecretFileStaging, names: FILE_COPIERS },
  { check: checkMemoryPasswordSearch, names: [...TEXT_FILTERS] },
]);
