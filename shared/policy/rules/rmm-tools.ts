/**
 * Third-party remote-access / RMM software (`rmm_tool`). Bulwark is the remote-access channel;
 * a second, unaudited one (AnyDesk, ScreenConnect, a VNC server …) is exactly how attackers keep
 * access after abusing an RMM. Installing or starting one is blocked whatever the trust.
 *
 * Deliberately allowed: status checks and removal (`Get-Service AnyDesk`, `sc query`,
 * `Stop-Service`, `winget uninstall`, `msiexec /x`) — technicians must be able to find and remove
 * such tools. A download from a vendor's site with nothing run is flagged, not blocked.
 */
import { scanUrlAt } from '../destinations/url';
import type { Document, Word } from '../analysis/document';
import {
  isRemoteToolSwitch,
  remoteToolByDomain,
  remoteToolByExecutable,
  remoteToolByService,
  remoteToolBySwitches,
  remoteToolByToken,
  type RemoteAccessTool,
} from '../catalog/remote-access-tools';
import {
  ChecksByName,
  FindingCollector,
  baseName,
  commandWord,
  definedFunctions,
  isPowerShellValueStatement,
  invocations,
  optionKey,
  optionValue,
  positionals,
  type FindingSpec,
  type Invocation,
} from './command-match';
import type { RuleContext, RuleFamily } from './rule';

const REMEDY =
  'Install remote-access tools only through a script whose hash a supervisor has permitted; Bulwark itself is the supported remote-access channel.';

function spec(ruleId: string, standard: 'block' | 'flag', tool: RemoteAccessTool, what: string): FindingSpec {
  return {
    code: 'rmm_tool',
    ruleId,
    standard,
    extended: standard,
    message: `${what} ${tool.name}, third-party remote-access software. A second remote-access channel bypasses Bulwark's audit and is a common way attackers keep access.`,
    remedy: REMEDY,
  };
}

/** Arguments that mean the tool is being removed or only asked about. */
const REMOVAL_ARGS = new Set([
  '--kill',
  '-kill',
  '--stop',
  '-stop',
  '--remove',
  '--uninstall',
  '/uninstall',
  '-uninstall',
  'uninstall',
  '/remove',
  '--version',
  '-version',
  '/version',
  '--help',
  '/?',
  '-h',
]);

const PACKAGE_MANAGERS = new Set([
  'winget',
  'choco',
  'scoop',
  'apt',
  'apt-get',
  'yum',
  'dnf',
  'zypper',
  'pacman',
  'snap',
  'flatpak',
  'brew',
  'dpkg',
  'rpm',
  'install-package',
  'installer',
  'pkg',
  'port',
  'nix-env',
  'mas',
]);
const INSTALL_VERBS = new Set([
  'install',
  'add',
  'in',
  'reinstall',
  '-i',
  '--install',
  '-s',
  '-u',
  'upgrade',
  'localinstall',
  '-pkg',
  '-ivh',
  '-uvh',
]);

/** Program → the verbs with which it starts or installs a service (a Map: program names are untrusted text). */
const SERVICE_START_VERBS: ReadonlyMap<string, ReadonlySet<string>> = new Map([
  ['sc', new Set(['start', 'create', 'config'])],
  ['net', new Set(['start'])],
  ['net1', new Set(['start'])],
  ['systemctl', new Set(['start', 'enable', 'restart', 'reenable', 'reload-or-restart'])],
  ['service', new Set(['start', 'restart'])],
  ['launchctl', new Set(['load', 'bootstrap', 'kickstart', 'start', 'enable', 'submit'])],
]);
const PS_SERVICE_CMDLETS = new Set(['start-service', 'restart-service', 'new-service', 'set-service', 'resume-service']);

export const rmmToolRules: RuleFamily = (doc: Document, _ctx: RuleContext) => {
  const out = new FindingCollector();
  // INVOCATION_CHECKS is at the end of this file: it names constants of the checks.
  INVOCATION_CHECKS.runOver(doc, out, removesOrAsks);
  checkVendorDownload(doc, invocations(doc), out);
  return out.findings;
};

/** First characters of REMOVAL_ARGS: every argument of every command is tested, most fail on their first character. */
const REMOVAL_ARG_STARTS: ReadonlySet<number> = new Set(
  [...REMOVAL_ARGS].flatMap((a) => [a.charCodeAt(0), a[0]!.toUpperCase().charCodeAt(0)]),
);

function removesOrAsks(inv: Invocation): boolean {
  for (const w of inv.args) {
    // winget's `-h` is --silent, not help.
    if (REMOVAL_ARG_STARTS.has(w.value.charCodeAt(0)) && REMOVAL_ARGS.has(w.lower) && !(w.lower === '-h' && inv.name === 'winget'))
      return true;
  }
  return false;
}

/** Running the tool's own executable, or any program from its install directory / installer. */
function checkLaunch(inv: Invocation, out: FindingCollector, doc: Document): void {
  if (!inv.nameWord && !inv.name) return;
  // A list of the tool's paths kept in a variable, or a function of this script named after the tool, starts nothing
  // (a function is called by name; Start-Process would still start the program of that name).
  if (isPowerShellValueStatement(inv)) return;
  if (inv.command.shell === 'powershell' && !inv.launched && definedFunctions(doc).has(inv.nameWord?.lower ?? '')) return;
  // "C:\Program Files\TeamViewer\uninstall.exe" /S removes the tool; a renamed installer is still caught by its switches.
  if (isUninstaller(inv.name) && !remoteToolByExecutable(inv.name)) return;
  const byName = remoteToolByExecutable(inv.name);
  const byPath = byName ? undefined : inv.nameWord ? remoteToolByToken(inv.nameWord.lower) : undefined;
  const tool = byName ?? byPath;
  if (!tool || tool.dataClis?.includes(inv.name) === true) return;
  out.add(spec('rmm.launch', 'block', tool, 'Starts or installs'), [commandWord(inv)]);
}

/** uninstall.exe, uninst.exe, unins000.exe (Inno Setup), Uninstaller.exe. */
function isUninstaller(name: string): boolean {
  return name.startsWith('unins') || name.endsWith('uninstall') || name.endsWith('uninstaller');
}

/** A vendor's own switch combination (AnyDesk `--install C:\dir --start-with-win`), whatever the executable is called. */
function checkVendorSwitches(inv: Invocation, out: FindingCollector): void {
  if (out.has('rmm.')) return;
  let candidate = false;
  for (const w of inv.args) {
    if (isRemoteToolSwitch(w.lower)) {
      candidate = true;
      break;
    }
  }
  if (!candidate) return;
  const tool = remoteToolBySwitches(inv.args.map((w) => w.lower));
  if (tool) out.add(spec('rmm.vendor-switches', 'block', tool, 'Runs, with its own installer switches,'), [commandWord(inv)]);
}

function checkMsiInstall(inv: Invocation, out: FindingCollector): void {
  if (inv.name !== 'msiexec') return;
  let installing = false;
  for (const w of inv.args) {
    const k = optionKey(w);
    if (k === 'x' || k === 'uninstall') return;
    if (k === 'i' || k === 'package' || k === 'a' || k === 'j' || k === 'update' || k === 'p') installing = true;
  }
  if (!installing) return;
  for (const w of inv.args) {
    const tool = remoteToolByToken(w.lower);
    if (tool) {
      out.add(spec('rmm.install', 'block', tool, 'Installs'), [commandWord(inv), w]);
      return;
    }
  }
}

function checkPackageInstall(inv: Invocation, out: FindingCollector): void {
  if (!PACKAGE_MANAGERS.has(inv.name)) return;
  if (!inv.args.some((w) => INSTALL_VERBS.has(w.lower))) return;
  // The package is named positionally or by `--id=X` / `--id X` / `--name X` (winget).
  const named = optionValue(inv.args, 'id', 'name', 'query');
  for (const w of named ? [...positionals(inv.args), named] : positionals(inv.args)) {
    const tool = remoteToolByToken(w.lower) ?? remoteToolByExecutable(w.lower);
    if (tool) {
      out.add(spec('rmm.package-install', 'block', tool, 'Installs (through a package manager)'), [commandWord(inv), w]);
      return;
    }
  }
}

const CONTAINER_ENGINES = ['docker', 'podman', 'nerdctl'];
const CONTAINER_START_VERBS = new Set(['run', 'pull', 'create', 'start']);

/** `docker run … rustdesk/rustdesk-server hbbs`: a remote-access server or agent shipped as a container image. */
function checkContainerImage(inv: Invocation, out: FindingCollector): void {
  const args = positionals(inv.args);
  const verb = args.findIndex((w) => CONTAINER_START_VERBS.has(w.lower));
  if (verb < 0) return;
  for (const w of args.slice(verb + 1)) {
    const tool = remoteToolByToken(w.lower);
    if (tool) {
      out.add(spec('rmm.container', 'block', tool, `Runs a container image of`), [commandWord(inv), w]);
      return;
    }
  }
}

function checkServiceStart(inv: Invocation, out: FindingCollector): void {
  const verbs = SERVICE_START_VERBS.get(inv.name);
  let candidates: Word[] = [];
  if (verbs) {
    const verbAt = inv.args.findIndex((w) => verbs.has(w.lower));
    if (verbAt < 0) return;
    candidates = inv.args.slice(verbAt + 1);
    // `service NAME start`: the name precedes the verb.
    if (inv.name === 'service') candidates = inv.args.slice(0, verbAt);
  } else if (PS_SERVICE_CMDLETS.has(inv.name)) {
    if (inv.name === 'set-service' && !inv.args.some((w) => w.lower === 'running' || w.lower === 'automatic')) return;
    candidates = inv.args;
  } else if (inv.name === 'open' && inv.args.some((w) => w.lower === '-a')) {
    candidates = inv.args;
  } else return;
  if (inv.args.some((w) => w.lower === 'disabled' || w.lower === 'stop')) return;
  for (const w of candidates) {
    if (w.lower.startsWith('-') && !w.lower.includes('\\')) continue;
    const tool = remoteToolByService(w.lower);
    if (tool) {
      out.add(spec('rmm.service-start', 'block', tool, 'Starts the service of'), [commandWord(inv), w]);
      return;
    }
  }
}

/** macOS programs that copy an app bundle into place. */
const APP_COPIERS = ['cp', 'ditto', 'mv', 'rsync'];

/** `cp -R /Volumes/AnyDesk/AnyDesk.app /Applications/`: installing a tool's app bundle is copying it into an Applications folder. */
function checkAppCopy(inv: Invocation, out: FindingCollector): void {
  const args = positionals(inv.args);
  const target = args[args.length - 1];
  if (args.length < 2 || !target || !/^(~|\/users\/[^/]+)?\/applications(\/|$)/.test(target.lower)) return;
  for (const w of args.slice(0, -1)) {
    if (!w.lower.includes('.app')) continue;
    const tool = remoteToolByToken(w.lower);
    if (tool) {
      out.add(spec('rmm.install', 'block', tool, 'Installs (copies the app into Applications)'), [commandWord(inv), w]);
      return;
    }
  }
}

/** Programs that run something downloaded a line earlier (by path or variable). */
const EXECUTORS = new Set([
  'start-process',
  'msiexec',
  'invoke-item',
  'ii',
  'dpkg',
  'rpm',
  'installer',
  'sh',
  'bash',
  'chmod',
  'cmd',
  'call',
  'start',
]);

/** A URL from a vendor's domain (or whose path names the tool) anywhere in the text. */
function checkVendorDownload(doc: Document, invs: readonly Invocation[], out: FindingCollector): void {
  if (out.has('rmm.')) return;
  for (const cmd of doc.commands) {
    for (const w of cmd.words) {
      // `value` rather than `lower`: lower-casing changes no ':' or '/', and most words need no lower-case copy here.
      if (!w.value.includes('://')) continue;
      const tool = toolOfUrlsIn(w.lower);
      if (!tool) continue;
      const downloaded = downloadOutputs(invs);
      const runs = invs.some(
        (inv) =>
          EXECUTORS.has(inv.name) || runsVariableOrLocalFile(inv) || (!!inv.nameWord && downloaded.has(baseName(inv.nameWord.lower))),
      );
      if (runs) out.add(spec('rmm.download-install', 'block', tool, 'Downloads and runs an installer of'), [w]);
      else out.add(spec('rmm.download', 'flag', tool, 'Downloads an installer of'), [w]);
      return;
    }
  }
}

/** File names written by downloads in the text (`curl -o x`, `wget -O x`, `iwr -OutFile x`). */
function downloadOutputs(invs: readonly Invocation[]): Set<string> {
  const out = new Set<string>();
  for (const inv of invs) {
    const v = optionValue(inv.args, 'o', 'output', 'outfile', 'output-document');
    if (v) out.add(baseName(v.lower));
  }
  return out;
}

/**
 * The tool of the first web or FTP URL in a word that names one. Only the URL itself is read: a here-string
 * holding a VBScript `GetObject("WinNT://…")` is not a download, and its later words (`strAdministratorsGroup`)
 * are no URL path.
 */
function toolOfUrlsIn(lower: string): RemoteAccessTool | undefined {
  for (let at = lower.indexOf('://'); at >= 0; at = lower.indexOf('://', at + 3)) {
    const url = scanUrlAt(lower, at);
    if (url === null || !DOWNLOAD_SCHEMES.has(url.scheme)) continue;
    const tool = toolOfUrl(lower.slice(url.start, url.end));
    if (tool) return tool;
  }
  return undefined;
}
const DOWNLOAD_SCHEMES: ReadonlySet<string> = new Set(['http', 'https', 'ftp', 'ftps']);

function toolOfUrl(url: string): RemoteAccessTool | undefined {
  const schemeEnd = url.indexOf('://');
  let rest = url.slice(schemeEnd + 3);
  const slash = rest.indexOf('/');
  let host = slash >= 0 ? rest.slice(0, slash) : rest;
  rest = slash >= 0 ? rest.slice(slash) : '';
  const at = host.lastIndexOf('@');
  if (at >= 0) host = host.slice(at + 1);
  const colon = host.indexOf(':');
  if (colon >= 0) host = host.slice(0, colon);
  while (host.endsWith('.')) host = host.slice(0, -1);
  return remoteToolByDomain(host) ?? remoteToolByToken(rest);
}

function runsVariableOrLocalFile(inv: Invocation): boolean {
  const w = inv.nameWord;
  if (!w) return false;
  return (
    w.value.startsWith('$') || w.value.startsWith('%') || w.value.startsWith('./') || w.value.startsWith('.\\') || inv.name.endsWith('.msi')
  );
}

/** The per-invocation checks, in order, each with the programs it acts on (none: every program). */
const INVOCATION_CHECKS = new ChecksByName([
  // The tool's own executable, by name or path.
  { check: checkLaunch },
  { check: checkVendorSwitches },
  { check: checkMsiInstall, names: ['msiexec'] },
  { check: checkPackageInstall, names: PACKAGE_MANAGERS },
  { check: checkContainerImage, names: CONTAINER_ENGINES },
  { check: checkAppCopy, names: APP_COPIERS },
  { check: checkServiceStart, names: [...SERVICE_START_VERBS.keys(), ...PS_SERVICE_CMDLETS, 'open'] },
]);
