/**
 * Offensive tooling (`offensive_tool`): attack frameworks and payload generators (Metasploit,
 * Empire, Cobalt Strike, Sliver …), Active Directory attack-path collectors (SharpHound,
 * PowerView, Rubeus …), lateral-movement and relay kits, EDR killers, and evasive scans.
 * Blocked whatever the trust: an RMM console is not a red-team platform.
 *
 * Ordinary discovery (whoami, net user, Get-ADUser, nmap of a host) is not matched here.
 */
import type { Document } from '../analysis/document';
import { CREDENTIAL_TOOLS, OFFENSIVE_EXECUTABLES, OFFENSIVE_FUNCTIONS, OFFENSIVE_SCRIPTS } from '../catalog/offensive-tools';
import {
  FindingCollector,
  NeedleGroup,
  commandWord,
  docHasAny,
  invocations,
  optionValue,
  programName,
  scriptToolName,
  searchFirst,
  type FindingSpec,
  type Invocation,
} from './command-match';
import type { RuleContext, RuleFamily } from './rule';

function spec(ruleId: string, message: string): FindingSpec {
  return {
    code: 'offensive_tool',
    ruleId,
    standard: 'block',
    extended: 'block',
    message: `${message} Offensive tooling has no place in administering a customer's machine.`,
  };
}

/** Commands whose (script) argument is what actually runs. */
const LOADERS = new Set([
  'import-module',
  'ipmo',
  '.',
  '&',
  'invoke-expression',
  'start-process',
  'python',
  'python2',
  'python3',
  'py',
  'powershell',
  'pwsh',
  'bash',
  'sh',
  'perl',
  'ruby',
  'cmd',
  'call',
  'sudo',
]);

const METASPLOIT_PAYLOADS = new NeedleGroup([
  '/meterpreter/',
  'meterpreter_reverse',
  'windows/x64/shell_reverse_tcp',
  'windows/shell_reverse_tcp',
  'linux/x64/shell_reverse_tcp',
  'cmd/unix/reverse',
]);

export const offensiveToolRules: RuleFamily = (doc: Document, _ctx: RuleContext) => {
  const out = new FindingCollector();
  for (const inv of invocations(doc)) {
    checkNamedTool(inv, out);
    checkInstalledTool(inv, out);
    checkLoadedScript(inv, out);
    checkEvasiveScan(inv, out);
  }
  const payload = docHasAny(doc, METASPLOIT_PAYLOADS);
  if (payload) out.add(spec('offensive.payload', `"${payload}" names a Metasploit reverse-shell payload.`), searchFirst(doc, payload));
  checkSystemParentSpoofing(doc, out);
  return out.findings;
};

/** Starting a process under a chosen parent, or duplicating another process's token. */
const PARENT_OR_TOKEN_THEFT = new NeedleGroup([
  'createprocessfromparent',
  'proc_thread_attribute_parent_process',
  'updateprocthreadattribute',
  'processunderspecificparent',
  '-parentpid',
  '-parentid',
  'duplicatetokenex',
  'impersonateloggedonuser',
  // NtObjectManager (`$cfg.ParentProcess = …; New-Win32Process -Config $cfg`) and token-stealing helpers by their names.
  '.parentprocess',
  'duplicateandimpersonate',
  'tokensteal',
  'impersonatetoken',
  'stealtoken',
]);
/** SYSTEM processes whose children (or tokens) run as SYSTEM. */
const SYSTEM_PARENTS = new NeedleGroup(['lsass', 'winlogon']);

/**
 * `[MyProcess]::CreateProcessFromParent((Get-Process lsass).Id, "cmd.exe")`, `-ParentPID` of
 * winlogon, DuplicateTokenEx on lsass: a shell that inherits SYSTEM from lsass or winlogon
 * (parent-PID spoofing and token theft, T1134.002/.004). Classed as offensive tooling, not
 * credential access: nothing is read from lsass, its identity is borrowed to escalate.
 * Listing processes with their ParentProcessId stays allowed.
 */
function checkSystemParentSpoofing(doc: Document, out: FindingCollector): void {
  const how = docHasAny(doc, PARENT_OR_TOKEN_THEFT);
  if (!how) return;
  const parent = docHasAny(doc, SYSTEM_PARENTS);
  if (!parent) return;
  out.add(
    spec(
      'offensive.system-parent-spoof',
      `Starts a process under ${parent} or with its token (${how}), a privilege escalation to SYSTEM used by attack tools.`,
    ),
    searchFirst(doc, how, parent),
  );
}

/** Release builds carry their target in the name (`GodPotato-NET4`, `Rubeus_x64`, `SharpHound-v2.3`): the tool without it. */
const BUILD_SUFFIX = /[-_.](?:net\d{1,2}|x64|x86|amd64|arm64|win64|win32|v?\d{1,3}(?:\.\d{1,3}){0,3})$/;

function withoutBuildSuffix(name: string): string {
  return name.length > 64 ? name : name.replace(BUILD_SUFFIX, '');
}

/** Package managers that install a tool by name: installing an offensive tool is the tool (`scoop install mimikatz`). */
const TOOL_INSTALLERS: ReadonlySet<string> = new Set([
  'winget',
  'choco',
  'scoop',
  'pip',
  'pip3',
  'pipx',
  'gem',
  'go',
  'cargo',
  'brew',
  'apt',
  'apt-get',
]);

function checkInstalledTool(inv: Invocation, out: FindingCollector): void {
  if (!TOOL_INSTALLERS.has(inv.name) || !inv.args.some((w) => w.lower === 'install')) return;
  const isTool = (lower: string) => {
    const name = withoutBuildSuffix(lower.slice(lower.lastIndexOf('/') + 1));
    return OFFENSIVE_EXECUTABLES.has(name) || CREDENTIAL_TOOLS.has(name);
  };
  const tool = inv.args.find((w) => !w.lower.startsWith('-') && isTool(w.lower));
  if (tool) out.add(spec('offensive.tool', `${inv.name} installs ${tool.value}, an offensive security tool.`), [commandWord(inv), tool]);
}

function checkNamedTool(inv: Invocation, out: FindingCollector): void {
  // A tool run as a script by its own name (`wmiexec.py`, `ntlmrelayx.py`) is the tool.
  let n = OFFENSIVE_EXECUTABLES.has(inv.name) ? inv.name : (scriptToolName(inv.name) ?? inv.name);
  if (!OFFENSIVE_EXECUTABLES.has(n)) n = withoutBuildSuffix(n);
  if (OFFENSIVE_EXECUTABLES.has(n)) {
    // msfvenom -l only lists payloads; still an attack framework, but listing is harmless.
    if (
      n === 'msfvenom' &&
      inv.args.every(
        (w) => w.value === '-l' || w.lower === '--list' || w.lower === 'payloads' || w.lower === 'formats' || w.lower === 'encoders',
      )
    )
      return;
    out.add(
      spec(
        'offensive.tool',
        `${n} is an offensive security tool (attack framework, AD attack-path collector, lateral movement or EDR tampering).`,
      ),
      [commandWord(inv)],
    );
    return;
  }
  // `./mimipenguin.sh`, `bash LinEnum.sh`'s first form: an offensive script run by its own name.
  if (n !== inv.name && OFFENSIVE_SCRIPTS.has(n)) {
    out.add(spec('offensive.script', `Runs ${inv.nameWord?.value ?? n}, an offensive toolkit.`), [commandWord(inv)]);
    return;
  }
  // AADInternals (`Get-AADIntAccessTokenForMSGraph`, `Export-AADIntAzureCliTokens` …): Entra ID token theft and tenant takeover.
  if (OFFENSIVE_FUNCTIONS.has(n) || (n.includes('-aadint') && n.length > 8)) {
    out.add(
      spec(
        'offensive.function',
        `${inv.nameWord?.value ?? n} is a function of an offensive PowerShell toolkit (PowerSploit, PowerView, Nishang, Empire …).`,
      ),
      [commandWord(inv)],
    );
  }
}

function checkLoadedScript(inv: Invocation, out: FindingCollector): void {
  if (!LOADERS.has(inv.name)) return;
  for (const w of inv.args) {
    if (w.lower.startsWith('-')) continue;
    const name = programName(stripModuleExt(w.lower));
    if (OFFENSIVE_SCRIPTS.has(name) || OFFENSIVE_EXECUTABLES.has(name)) {
      out.add(spec('offensive.script', `Loads ${name}, an offensive toolkit.`), [commandWord(inv), w]);
      return;
    }
  }
}

const MODULE_EXTENSIONS = ['.psm1', '.psd1', '.ps1', '.py', '.exe'];

/** `lower` (a lower-case word) without a module or script extension. */
function stripModuleExt(lower: string): string {
  for (const e of MODULE_EXTENSIONS) if (lower.endsWith(e)) return lower.slice(0, -e.length);
  return lower;
}

/** Scans shaped to evade detection or sweep the whole Internet (decoys, fragmentation, 0.0.0.0/0 at millions of packets/s). */
function checkEvasiveScan(inv: Invocation, out: FindingCollector): void {
  if (inv.name === 'nmap') {
    const evasive = inv.args.find(
      (w) =>
        w.value === '-D' ||
        w.value === '-f' ||
        w.value === '-S' ||
        w.lower === '--mtu' ||
        w.lower.startsWith('--spoof-mac') ||
        w.lower === '--badsum' ||
        w.lower === '--data-length',
    );
    if (evasive)
      out.add(
        spec('offensive.scan.evasive', `nmap ${evasive.value} disguises the scan (decoys, fragmentation or spoofing) to evade detection.`),
        [commandWord(inv), evasive],
      );
    return;
  }
  if (inv.name === 'masscan') {
    const internet = inv.args.find((w) => w.lower === '0.0.0.0/0' || w.lower === '::/0');
    const rate = optionValue(inv.args, 'rate', 'max-rate');
    const fast = rate ? Number(rate.value) >= 1_000_000 : false;
    if (internet || fast)
      out.add(spec('offensive.scan.internet', 'masscan sweeps the whole Internet or at millions of packets per second.'), [
        commandWord(inv),
        internet ?? rate,
      ]);
  }
}
