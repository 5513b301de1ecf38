/**
 * Credential access (`credential_access`, ATT&CK TA0006): dumping LSASS memory, exporting the
 * SAM/SECURITY/SYSTEM hives or NTDS.dit, mimikatz and other dumpers, password crackers and
 * online guessers, reading /etc/shadow, dumping the macOS keychain, process-memory scraping.
 *
 * Blocked whatever the trust: stolen credentials outlive any session and any audit, and none of
 * this is needed to administer a machine. Benign look-alikes stay allowed: `Get-Process lsass`,
 * `ls -l /etc/shadow`, `chmod 640 /etc/shadow`, `cmdkey /list`, `security find-certificate`.
 */
import type { Document, Word } from '../analysis/document';
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
  findOption,
  invocations,
  programName,
  searchFirst,
  type FindingSpec,
  type Invocation,
} from './command-match';
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
function flagSpec(ruleId: string, message: string): FindingSpec {
  return { code: 'credential_access', ruleId, standard: 'flag', extended: 'flag', message: `${message} Recorded for review.` };
}

export const credentialAccessRules: RuleFamily = (doc: Document, _ctx: RuleContext) => {
  const out = new FindingCollector();
  // INVOCATION_CHECKS is at the end of this file: it names constants of the checks.
  for (const inv of invocations(doc)) for (const check of INVOCATION_CHECKS.for(inv.name)) check(inv, out, doc);
  checkDocumentLevel(doc, out);
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
]);

function checkTools(inv: Invocation, out: FindingCollector): void {
  const n = inv.name;
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
  const l = lower.endsWith('\\') ? lower.slice(0, -1) : lower;
  if (!(l.startsWith('hklm') || l.startsWith('hkey_local_machine'))) return false;
  return HIVES.some((h) => l.endsWith(h) || l.includes(h + '\\'));
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

const SHADOW_FILES = ['/etc/shadow', '/etc/master.passwd', '/etc/gshadow', '/etc/security/passwd', '/etc/spwd.db'];
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
function checkShadowFile(inv: Invocation, out: FindingCollector): void {
  if (METADATA_ONLY.has(inv.name)) return;
  const w = inv.args.find(
    (a) => a.lower.includes('/etc/') && SHADOW_FILES.some((f) => a.lower === f || a.lower.startsWith(f + ' ') || a.lower.endsWith(f)),
  );
  // Most commands have no redirection: no search (and no callback) for them.
  const r =
    inv.command.redirects.length > 0 ? inv.command.redirects.find((x) => x.op === '<' && SHADOW_FILES.includes(x.target.lower)) : undefined;
  const hit: Word | undefined = w ?? r?.target;
  if (!hit) return;
  out.add(spec('cred.shadow-file', `${inv.name} reads ${hit.value}, which holds the password hashes of local accounts.`), [
    commandWord(inv),
    hit,
  ]);
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

function checkMisc(inv: Invocation, out: FindingCollector): void {
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
    findOption(inv.args, 'vss') &&
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
    out.add(flagSpec('cred.wifi-keys', 'netsh shows or exports saved Wi-Fi passwords in clear text.'), [commandWord(inv)]);
  } else if (n === 'procdump' || n === 'procdump64') {
    if (lowers.some((l) => l.includes('lsass')))
      out.add(spec('cred.lsass-dump', "procdump dumps the memory of lsass.exe, which holds logged-on users' credentials."), [
        commandWord(inv),
      ]);
  }
}

const MIMIKATZ_NEEDLES = new NeedleGroup(MIMIKATZ_MODULES);
const SHADOW_FILE_NEEDLES = new NeedleGroup(['/etc/shadow', '/etc/master.passwd']);
const BROWSER_STORE_NEEDLES = new NeedleGroup(['\\login data', '/login data', 'logins.json', 'key4.db', 'key3.db']);

const LSASS_DUMP_MARKERS = [
  'minidump',
  'procdump',
  '-ma ',
  '-mm ',
  'createdump',
  'rdrleakdiag',
  '.dmp',
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

function checkDocumentLevel(doc: Document, out: FindingCollector): void {
  const mimi = docHasAny(doc, MIMIKATZ_NEEDLES);
  if (mimi)
    out.add(
      spec('cred.mimikatz', `"${mimi}" is a mimikatz command (credential theft, ticket forging or log clearing).`),
      searchFirst(doc, mimi),
    );
  if (docHas(doc, 'lsass')) {
    const marker = docHasAny(doc, LSASS_DUMP_MARKERS);
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
}

/** The per-invocation checks, in order, each with the programs it acts on (none: every program). */
const INVOCATION_CHECKS = new ChecksByName([
  { check: checkTools, names: [...CREDENTIAL_TOOLS, ...CREDENTIAL_FUNCTIONS, ...PYTHON_LIKE, 'evil-winrm'] },
  { check: checkHiveExport, names: ['reg'] },
  // Any program can be given the password-hash file.
  { check: checkShadowFile },
  { check: checkKeychain, names: ['security'] },
  { check: checkMisc, names: ['ntdsutil', 'esentutl', 'vaultcmd', 'netsh', 'procdump', 'procdump64'] },
]);
