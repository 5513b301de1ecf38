/**
 * Persistence (`persistence`, ATT&CK TA0003): anything that makes code run again later or leaves
 * a standing way in — services, scheduled tasks, cron/at, systemd units and timers, launchd,
 * Run keys and the other autostart registry locations, shell profiles, authorized_keys, new or
 * re-enabled (admin) accounts, firewall openings, WMI event subscriptions.
 *
 * Flagged (recorded and highlighted for review) whatever the trust, never blocked by this family:
 * ordinary administration does some of this. Reading and listing (`crontab -l`, `reg query`,
 * `schtasks /query`, `Get-ScheduledJob`) and enabling an installed service (`systemctl enable
 * nginx`) are not persistence and stay allowed. A persistence entry that carries a download
 * cradle or an encoded payload is blocked by the download/encoded families.
 */
import type { Document, SimpleCommand, Word } from '../analysis/document';
import {
  ACCESSIBILITY_BINARIES,
  AUTOSTART_PATHS,
  GROUP_POLICY_FILES,
  AUTOSTART_REGISTRY,
  MODPROBE_RULE,
  PACKAGE_MANAGER_HOOK,
  BOOT_MODULE_LIST,
  PAM_MODULE_LINE,
  STOCK_KERNEL_MODULES,
  SHELL_PROFILE_FILES,
  UNIT_FILE_SUFFIXES,
  type AutostartLocation,
} from '../catalog/autostart';
import { SECURITY_REGISTRY } from '../catalog/security-software';
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
  hasParam,
  invocations,
  needlesInDocument,
  optionValue,
  positionals,
  registryValueWrite,
  searchFirst,
  writeTargets,
  type FindingSpec,
  type Invocation,
  trimQuotes,
  FILE_COPIERS,
  inStagingFolder,
} from './command-match';
import { resolvePath } from '../analysis/directories';
import { pipelineNeighbours } from '../analysis/semantics';
import { optionClusterHas } from '../analysis/names';
import { NeedleSet } from '../analysis/needles';
import type { RuleContext, RuleFamily } from './rule';

const REVIEW = 'Persistence survives the session and reboots; it is recorded for review.';

function spec(ruleId: string, message: string): FindingSpec {
  return { code: 'persistence', ruleId, standard: 'flag', extended: 'flag', message: `${message} ${REVIEW}` };
}
export { spec as persistenceSpec };

export const persistenceRules: RuleFamily = (doc: Document, _ctx: RuleContext) => {
  const out = new FindingCollector();
  // INVOCATION_CHECKS is at the end of this file: it names constants of the checks.
  // `schtasks /create /?` prints help and changes nothing.
  INVOCATION_CHECKS.runOver(doc, out, asksForHelp);
  checkDocumentLevel(doc, out);
  return out.findings;
};

/** `schtasks /create /?`, `useradd --help`: a help switch prints and changes nothing (defense-evasion reuses it). */
export function asksForHelp(inv: Invocation): boolean {
  for (const w of inv.args) {
    // Every help switch starts with '-' or '/': other words are not lower-cased for nothing.
    const c = w.value.charCodeAt(0);
    if (c !== 45 && c !== 47) continue;
    const l = w.lower;
    if (l === '/?' || l === '-?' || l === '--help' || l === '/help' || l === '-help') return true;
  }
  return false;
}

// --- Scheduled tasks, cron, at ----------------------------------------------------------------

const PS_TASK_CREATORS = new Set(['register-scheduledtask', 'register-scheduledjob', 'add-jobtrigger', 'register-clusterscheduledtask']);

function checkScheduledTasks(inv: Invocation, out: FindingCollector): void {
  if (inv.name === 'schtasks') {
    const create = findOption(inv.args, 'create');
    const change = findOption(inv.args, 'change');
    if (create || (change && findOption(inv.args, 'tr', 'ru'))) {
      out.add(
        spec('persist.schtasks', 'schtasks creates or re-points a scheduled task, which runs a program on a schedule or at logon/boot.'),
        [commandWord(inv), create ?? change],
      );
    }
    return;
  }
  if (PS_TASK_CREATORS.has(inv.name)) {
    out.add(spec('persist.scheduled-task', `${inv.name} registers a scheduled task/job or adds a trigger to one.`), [commandWord(inv)]);
    return;
  }
  if (inv.name === 'set-scheduledjob' || inv.name === 'set-scheduledtask') {
    const w = hasParam(inv.args, 'filepath', 'scriptblock', 'initializationscript', 'trigger', 'action');
    if (w) out.add(spec('persist.scheduled-task', `${inv.name} changes what a scheduled job/task runs or when.`), [commandWord(inv), w]);
  }
}

function checkCronAndAt(inv: Invocation, out: FindingCollector): void {
  if (inv.name === 'crontab') {
    // crontab -l (list) and -r (remove) are not persistence.
    if (inv.args.some((w) => w.lower === '-l' || w.lower === '-r' || w.lower === '--list')) return;
    out.add(spec('persist.crontab', 'crontab installs or edits a cron table: its commands run on a schedule.'), [commandWord(inv)]);
    return;
  }
  if (inv.name === 'at') {
    if (inv.args.length === 0) return;
    if (inv.args.some((w) => ['-l', '-r', '-d', '-c', '/delete', '-q'].includes(w.lower)) && inv.args.length <= 2) return;
    out.add(spec('persist.at', 'at schedules a command to run later.'), [commandWord(inv)]);
    return;
  }
  if (inv.name === 'systemd-run') {
    const w = inv.args.find((x) => x.lower.startsWith('--on-') || x.lower.startsWith('--timer-property'));
    if (w)
      out.add(spec('persist.systemd-timer', 'systemd-run creates a transient timer that runs a command on a schedule.'), [
        commandWord(inv),
        w,
      ]);
  }
}

// --- Files in autostart locations ------------------------------------------------------------

/** Writers whose written text is in the command line (or a pipeline neighbour / here-doc of it). */
const VISIBLE_TEXT_WRITERS: ReadonlySet<string> = new Set([
  'echo',
  'printf',
  'tee',
  'cat',
  'sed',
  'add-content',
  'set-content',
  'out-file',
]);

/**
 * `echo 'blacklist nouveau' | tee /etc/modprobe.d/blacklist-nouveau.conf`, `options kvm nested=1`:
 * a modprobe.d file whose visible text has no `install`/`remove` line runs nothing. Copies (content
 * not visible) and any text with such a line stay flagged.
 */
function inertModprobeRule(inv: Invocation, doc: Document): boolean {
  return VISIBLE_TEXT_WRITERS.has(inv.name) && !docHas(doc, 'install ') && !docHas(doc, 'remove ');
}

/**
 * `echo 'APT::Update::Pre-Invoke {"…"};' > /etc/apt/apt.conf.d/01x`: a command APT runs at every update. Proxy,
 * periodic-update and other settings written there (or copied, content unseen) are ordinary configuration.
 */
function writesInvokeHook(inv: Invocation, doc: Document): boolean {
  const texts = visibleWrittenText(inv, doc);
  return texts !== undefined && texts.some((text) => /-invoke|pre-install-pkgs/i.test(text));
}

/**
 * `echo br_netfilter >> /etc/modules-load.d/k8s.conf`, `cat <<EOF > /etc/modules-load.d/containerd.conf` with
 * `overlay` and `br_netfilter`: every module named is one Linux ships (STOCK_KERNEL_MODULES), so the boot loads the
 * distribution's code. A copied file (content not visible), an empty text or any other name stays flagged.
 */
function loadsStockModulesOnly(inv: Invocation, doc: Document): boolean {
  const texts = visibleWrittenText(inv, doc);
  if (texts === undefined) return false;
  let names = 0;
  for (const text of texts) {
    for (const line of text.replaceAll('\\n', '\n').split('\n')) {
      const content = line.split('#')[0]!.trim();
      if (content === '') continue;
      for (const name of content.split(/\s+/)) {
        if (!STOCK_KERNEL_MODULES.has(trimQuotes(name).toLowerCase().replaceAll('-', '_'))) return false;
        names++;
      }
    }
  }
  return names > 0;
}

/** The word that writes `needle` into the file: an argument, a here-document, or what echo/printf feed the writer. */
function writtenWordWith(inv: Invocation, doc: Document, needle: string): Word | undefined {
  const has = (w: Word) => w.lower.includes(needle);
  const inCommand = (c: SimpleCommand) =>
    c.words.slice(1).find(has) ?? c.redirects.find((r) => r.heredoc === true && has(r.target))?.target;
  const own = inCommand(inv.command);
  if (own !== undefined) return own;
  const feeder = pipelineNeighbours(doc, inv.command, 'before', 1)[0];
  return feeder === undefined ? undefined : inCommand(feeder);
}

/**
 * The text a writer puts in its file when the command line shows it: echo/printf's words, a here-document, or what
 * echo/printf feed a tee or cat through the pipeline. Undefined when the text comes from elsewhere (a copy, a file).
 */
function visibleWrittenText(inv: Invocation, doc: Document): string[] | undefined {
  const printed = (c: SimpleCommand): string[] | undefined => {
    const body = c.redirects.filter((r) => r.heredoc === true).map((r) => r.target.value);
    if (body.length > 0) return body;
    if (c.name !== 'echo' && c.name !== 'printf') return undefined;
    return c.words
      .slice(1)
      .filter((w) => !/^-[a-z]+$/i.test(w.value))
      .map((w) => w.value);
  };
  const own = printed(inv.command);
  if (own !== undefined) return own;
  if (inv.name !== 'tee' && inv.name !== 'cat') return undefined;
  if (inv.name === 'cat' && positionals(inv.args).length > 0) return undefined;
  const feeder = pipelineNeighbours(doc, inv.command, 'before', 1)[0];
  return feeder === undefined ? undefined : printed(feeder);
}

/**
 * `New-Item -Path $item.Path`: in PowerShell a property of a variable whose value is unknown, not a file named `….path`
 * (`$PROFILE.AllUsersAllHosts` is known: a profile).
 */
function unknownMemberValue(inv: Invocation, target: Word): boolean {
  return inv.command.shell === 'powershell' && !target.lower.startsWith('$profile.') && /^\$[\w:]+(\.\w+)+$/.test(target.lower);
}

function checkFileLocations(inv: Invocation, out: FindingCollector, doc: Document): void {
  const targets = writeTargets(inv);
  if (targets.length === 0) return;
  if (checkPathInterception(inv, targets, out)) return;
  for (const target of targets) {
    const t = resolvedTarget(inv, intoFolder(inv, target) ?? target);
    if (removesLinesOf(inv, t) || unknownMemberValue(inv, t)) continue;
    const what = autostartFile(t);
    if (what === 'the PowerShell profile' && !writesExecution(inv)) continue;
    if (what === MODPROBE_RULE && inertModprobeRule(inv, doc)) continue;
    if (what === PACKAGE_MANAGER_HOOK && !writesInvokeHook(inv, doc)) continue;
    if (what === BOOT_MODULE_LIST && loadsStockModulesOnly(inv, doc)) continue;
    const authtok = what === PAM_MODULE_LINE ? writtenWordWith(inv, doc, 'expose_authtok') : undefined;
    if (authtok !== undefined) {
      // pam_exec's expose_authtok hands each user's password to the program on the line: a password logger.
      out.add(
        {
          code: 'credential_access',
          ruleId: 'cred.pam-password-capture',
          standard: 'block',
          extended: 'block',
          message: `Writes a PAM line with expose_authtok into ${t.value}: the program it names receives the password of everyone who logs in or uses sudo there.`,
          remedy: 'Remove the line; PAM password hooks are reviewed outside remote sessions.',
        },
        [commandWord(inv), authtok, t],
      );
      return;
    }
    if (what) {
      if (writesCradle(inv))
        out.add(
          {
            code: 'persistence',
            ruleId: 'persist.file.cradle',
            standard: 'block',
            extended: 'block',
            message: `Writes ${what} (${t.value}) with a line that downloads code and runs it: every later run fetches whatever the remote host serves. ${REVIEW.split(';')[0]}.`,
          },
          [commandWord(inv), t],
        );
      else out.add(spec('persist.file', `Writes ${what} (${t.value}).`), [commandWord(inv), t]);
      return;
    }
  }
}

/** A written path resolved against the directory the text moved to (`cd /etc/cron.d; printf … > sync`). */
function resolvedTarget(inv: Invocation, target: Word): Word {
  if (inv.command.directory === undefined) return target;
  const value = resolvePath(inv.command, target.value);
  return value === target.value ? target : { value, lower: value.toLowerCase(), span: target.span };
}

/**
 * `grep -v 'old-laptop' "$f.bak" > "$f"`, `sed -i '/old-laptop/d' ~/.ssh/authorized_keys`: the file is
 * written with its own lines minus some (from itself or its set-aside copy), which removes an entry
 * and can add none.
 */
function removesLinesOf(inv: Invocation, target: Pick<Word, 'lower'>): boolean {
  const file = trimQuotes(target.lower);
  const fromItself = (w: Word) => {
    const source = trimQuotes(w.lower);
    return source === file || SET_ASIDE_SUFFIXES.some((suffix) => source === file + suffix);
  };
  if (inv.name === 'grep') return inv.args.some((w) => optionClusterHas(w.value, 'v')) && positionals(inv.args).some(fromItself);
  if (inv.name === 'sed') {
    const script = positionals(inv.args)[0]?.value ?? '';
    // Only `/pattern/d` deletions: any other sed command could write new text.
    const deletes = script.startsWith('/') && script.endsWith('/d');
    return deletes && (inv.args.some((w) => optionClusterHas(w.value, 'i')) || positionals(inv.args).slice(1).some(fromItself));
  }
  return false;
}

/**
 * `Copy-Item .\VbaProject.OTM "$env:APPDATA\Microsoft\Outlook\"`: a copy into a folder (a target
 * that ends with a separator) writes the file under its own name there.
 */
function intoFolder(inv: Invocation, target: Word): Word | undefined {
  let l = target.lower;
  while (l.endsWith('"') || l.endsWith("'")) l = l.slice(0, -1);
  if (!(l.endsWith('\\') || l.endsWith('/'))) return undefined;
  const source = positionals(inv.args)[0];
  if (!source || source === target) return undefined;
  const name = baseName(source.lower);
  if (name.length === 0) return undefined;
  return { value: target.value + name, lower: l + name, span: target.span };
}

const FETCH_SHAPES = ['http://', 'https://', 'curl ', 'wget ', 'irm ', 'iwr ', 'invoke-webrequest', 'invoke-restmethod', 'downloadstring'];
const RUN_SHAPES = ['|sh', '| sh', '|bash', '| bash', 'iex', 'invoke-expression', '| python', '|python'];

/** The written text fetches content and runs it (`curl …|sh`, `iex (irm …)`): a download cradle made persistent. */
function writesCradle(inv: Invocation): boolean {
  const text = inv.args.map((w) => w.lower).join(' ');
  return FETCH_SHAPES.some((s) => text.includes(s)) && RUN_SHAPES.some((s) => text.includes(s));
}

const EXECUTION_SHAPES = ['start-process', '.exe', 'invoke-expression', 'iex ', 'http', 'powershell', 'cmd ', 'saps ', '& '];

/**
 * Creating or extending the PowerShell profile with aliases and functions is routine; a profile
 * line that starts a program or fetches content is the persistence technique (T1546.013).
 */
function writesExecution(inv: Invocation): boolean {
  const text = inv.args.map((w) => w.lower).join(' ');
  return EXECUTION_SHAPES.some((s) => text.includes(s));
}

/** All autostart path needles in one automaton: one pass over a path instead of one `includes` per location. */
const AUTOSTART_PATH_NEEDLES = new NeedleSet(AUTOSTART_PATHS.map((loc) => loc.needle));

/** A copy set aside (`authorized_keys.disabled`, `crontab.bak`): no autostart mechanism reads it. */
const SET_ASIDE_SUFFIXES = ['.bak', '.old', '.orig', '.disabled', '.backup', '~'];

/** Folders whose property lists launchd loads as jobs. */
const LAUNCHD_JOB_FOLDERS = ['/library/launchagents/', '/library/launchdaemons/'];

/** What writing this path creates, if it is a persistence location. */
export function autostartFile(target: Word): string | undefined {
  const raw = target.lower;
  if (SET_ASIDE_SUFFIXES.some((suffix) => raw.endsWith(suffix))) return undefined;
  const p = raw.includes('\\') ? raw.replaceAll('\\', '/') : raw;
  // The first location (in list order) found in either spelling of the path.
  const inPath = AUTOSTART_PATH_NEEDLES.firstIndex(p);
  const inRaw = p === raw ? inPath : AUTOSTART_PATH_NEEDLES.firstIndex(raw);
  const first = inPath < 0 ? inRaw : inRaw < 0 ? inPath : Math.min(inPath, inRaw);
  if (first >= 0) return AUTOSTART_PATHS[first]!.what;
  const name = baseName(p);
  if (SHELL_PROFILE_FILES.has(name)) return 'a shell start-up file';
  const policyFile = GROUP_POLICY_FILES.get(name);
  if (policyFile !== undefined) return policyFile;
  if (raw === '$profile' || raw.startsWith('$profile.') || raw.startsWith('$profile:')) return 'the PowerShell profile';
  for (const suffix of UNIT_FILE_SUFFIXES) if (name.endsWith(suffix) && name.length > suffix.length) return 'a systemd unit file';
  if (name.endsWith('.pth') && name.length > 4) return 'a Python .pth start-up hook';
  if (ACCESSIBILITY_BINARIES.has(name)) return 'over an accessibility binary (logon-screen backdoor)';
  return undefined;
}

// --- Path interception (T1574.007/.008/.009) ----------------------------------------------------

/** Extensions a bare command name resolves to through PATH/PATHEXT in cmd and PowerShell. */
const SEARCHED_EXTENSIONS: ReadonlySet<string> = new Set([
  '.exe',
  '.com',
  '.bat',
  '.cmd',
  '.ps1',
  '.vbs',
  '.vbe',
  '.js',
  '.jse',
  '.wsf',
  '.wsh',
  '.msc',
]);
/**
 * Folders that hold only application subfolders. Windows resolves an unquoted service path such as
 * `C:\Program Files\Common Files\x\svc.exe` by trying `C:\Program.exe`, `C:\Program Files\Common.exe` …
 * first, so an .exe placed directly in one of them is the T1574.009 hijack; installers never put one there.
 */
const UNQUOTED_PATH_PARENTS: readonly string[] = [
  '/program files/',
  '/program files (x86)/',
  '/common files/',
  '$env:programfiles/',
  '${env:programfiles(x86)}/',
  '%programfiles%/',
  '%programfiles(x86)%/',
  '$env:commonprogramfiles/',
  '%commonprogramfiles%/',
];
/** Drive-root names tried for the usual spaced folders (`C:\Program Files`, `C:\Documents and Settings`). */
const UNQUOTED_ROOT_NAMES: ReadonlySet<string> = new Set(['program.exe', 'documents.exe', 'system.exe']);

/** Why writing an executable to this path intercepts another program's start, if it does. */
export function interceptionPlace(target: Word): string | undefined {
  const p = target.lower.includes('\\') ? target.lower.replaceAll('\\', '/') : target.lower;
  const name = baseName(p);
  const dot = name.lastIndexOf('.');
  if (dot <= 0 || !SEARCHED_EXTENSIONS.has(name.slice(dot))) return undefined;
  const dir = p.slice(0, p.length - name.length);
  if (dir.endsWith('/microsoft/windowsapps/'))
    return 'the per-user WindowsApps folder, which is on PATH: the name (even a PowerShell command name) now starts this file (T1574.008)';
  if (!name.endsWith('.exe')) return undefined;
  if (UNQUOTED_PATH_PARENTS.some((parent) => dir.endsWith(parent)))
    return 'directly in a Program Files folder, where Windows tries it first for an unquoted service or program path (T1574.009)';
  const isDriveRoot = dir.length === 3 && dir[1] === ':' && dir[2] === '/';
  if (isDriveRoot && UNQUOTED_ROOT_NAMES.has(name))
    return 'the drive root, where Windows tries it first for an unquoted path such as C:\\Program Files\\… (T1574.009)';
  return undefined;
}

function reportInterception(inv: Invocation, target: Word, place: string, out: FindingCollector): void {
  out.add(spec('persist.path-interception', `Writes an executable (${target.value}) into ${place}.`), [commandWord(inv), target]);
}

/** Copies, moves and writes (any command's write targets) into a path-interception place. */
function checkPathInterception(inv: Invocation, targets: readonly Word[], out: FindingCollector): boolean {
  for (const t of targets) {
    const place = interceptionPlace(t);
    if (place) {
      reportInterception(inv, t, place, out);
      return true;
    }
  }
  return false;
}

/** Compilers and link makers whose output file is not a copy target: `csc /out:X`, `Add-Type -OutputAssembly X`, `mklink X target`. */
function checkBuiltExecutable(inv: Invocation, out: FindingCollector): void {
  const output =
    inv.name === 'add-type'
      ? optionValue(inv.args, 'outputassembly')
      : inv.name === 'mklink'
        ? positionals(inv.args)[0]
        : optionValue(inv.args, 'out');
  if (!output) return;
  const place = interceptionPlace(output);
  if (place) reportInterception(inv, output, place, out);
}

// --- setuid/setgid and file capabilities (T1548.001) ---------------------------------------------

/** Which special bit a chmod mode sets: `4755`, `u+s`, `+s`, `a+s` → setuid; `2755`, `g+s` → setgid. */
export function specialBitOfMode(mode: string): 'setuid' | 'setgid' | undefined {
  if (mode.length >= 4 && mode.length <= 5 && [...mode].every((c) => c >= '0' && c <= '7')) {
    const special = mode.charCodeAt(mode.length - 4) - 48;
    return special & 4 ? 'setuid' : special & 2 ? 'setgid' : undefined;
  }
  let result: 'setuid' | 'setgid' | undefined;
  for (const clause of mode.split(',')) {
    let i = 0;
    while (i < clause.length && 'ugoa'.includes(clause[i]!)) i++;
    const who = clause.slice(0, i);
    let op = '';
    for (; i < clause.length; i++) {
      const c = clause[i]!;
      if (c === '+' || c === '-' || c === '=') op = c;
      // A clause is `who` then an operator: `sus` (a file name) is no mode.
      else if (op === '') return result;
      else if (c === 's' && op !== '-') {
        if (who === '' || who.includes('u') || who.includes('a')) return 'setuid';
        if (who.includes('g')) result = 'setgid';
      } else if (!'rwxXtugo'.includes(c)) return result;
    }
  }
  return result;
}

/** Places any user can write to: a setgid file there is not an administrator's shared folder. */
const USER_WRITABLE_PREFIXES = ['/tmp/', '/var/tmp/', '/dev/shm/', '/home/', '~/', '$home/', '/users/'];

/** Capabilities that amount to root (change uid, read or write any file, load kernel code, debug any process). */
const ROOT_EQUIVALENT_CAPABILITIES = [
  'cap_setuid',
  'cap_setgid',
  'cap_sys_admin',
  'cap_dac_override',
  'cap_dac_read_search',
  'cap_sys_ptrace',
  'cap_sys_module',
  'cap_sys_rawio',
  'cap_chown',
  'cap_fowner',
  'cap_setfcap',
  'cap_setpcap',
  'all=',
  'all+',
];

const SETUID_REVIEW = 'A setuid/setgid or capability-carrying program gives root rights to whoever runs it (a standing way back to root).';

function checkSpecialBits(inv: Invocation, out: FindingCollector): void {
  if (inv.name === 'setcap') {
    const [caps, file] = positionals(inv.args);
    if (!caps || !file) return;
    const text = caps.lower;
    // `=ep` with no names grants every capability.
    const grantsAll = text.startsWith('=') || text.startsWith('+');
    if (grantsAll || ROOT_EQUIVALENT_CAPABILITIES.some((c) => text.includes(c))) {
      if (!text.includes('+') && !text.includes('=')) return;
      out.add(spec('persist.capability', `setcap gives ${file.value} root-equivalent capabilities (${caps.value}). ${SETUID_REVIEW}`), [
        commandWord(inv),
        caps,
      ]);
    }
    return;
  }
  const mode = inv.name === 'install' ? optionValue(inv.args, 'm', 'mode') : positionals(inv.args)[0];
  if (!mode) return;
  const bit = specialBitOfMode(mode.lower);
  if (!bit) return;
  const files = positionals(inv.args).filter((w) => w !== mode);
  const file = files[files.length - 1];
  if (!file) return;
  // setgid on a shared directory (`chmod g+s /srv/team`, `chmod 2775 /var/www`) is routine administration.
  if (bit === 'setgid' && !USER_WRITABLE_PREFIXES.some((prefix) => file.lower.startsWith(prefix))) return;
  out.add(
    spec(
      'persist.setuid',
      `${inv.name} makes ${file.value} ${bit}: it runs with its owner's rights (root's when root owns it). ${SETUID_REVIEW}`,
    ),
    [commandWord(inv), mode],
  );
}

// --- Registry ----------------------------------------------------------------------------------

const REG_WRITE_SUBCOMMANDS = new Set(['add', 'copy', 'restore', 'load']);
const PS_REGISTRY_WRITERS = new Set([
  'set-itemproperty',
  'new-itemproperty',
  'new-item',
  'set-item',
  'copy-itemproperty',
  'rename-itemproperty',
  'sp',
  'ni',
]);

/** Every program `registryWriteText` can find a registry write in. */
export const REGISTRY_WRITER_NAMES: readonly string[] = ['reg', ...PS_REGISTRY_WRITERS];

/** The key text (plus value names) a registry-writing command targets, lower case; undefined when it writes no registry. */
export function registryWriteText(inv: Invocation): { text: string; word: Word | undefined; viaVariable: boolean } | undefined {
  if (inv.name === 'reg') {
    const sub = inv.args[0];
    if (!sub || !REG_WRITE_SUBCOMMANDS.has(sub.lower)) return undefined;
    const key = inv.args[1];
    return {
      text: inv.args.map((w) => w.lower).join(' '),
      word: key,
      viaVariable: !!key && (key.value.startsWith('%') || key.value.startsWith('$')),
    };
  }
  if (PS_REGISTRY_WRITERS.has(inv.name)) {
    // `New-Item … -ItemType File|Directory`: a file-system item, whatever the path.
    const itemType = optionValue(inv.args, 'itemtype', 'type')?.lower.replace(/["']/g, '');
    if (itemType !== undefined && FILE_SYSTEM_ITEM_TYPES.has(itemType)) return undefined;
    const path = optionValue(inv.args, 'path', 'literalpath') ?? positionals(inv.args)[0];
    const text = inv.args.map((w) => w.lower).join(' ');
    const isRegistry = text.includes('hk') || text.includes('registry::');
    const viaVariable = !!path && path.value.startsWith('$');
    if (!isRegistry && !viaVariable) return undefined;
    return { text, word: path, viaVariable };
  }
  return undefined;
}

const AUTOSTART_NEEDLES: readonly string[] = AUTOSTART_REGISTRY.map((l) => l.needle);
const FILE_SYSTEM_ITEM_TYPES: ReadonlySet<string> = new Set(['file', 'directory', 'symboliclink', 'junction', 'hardlink']);

function securityKey(text: string): boolean {
  return SECURITY_REGISTRY.some((s) => text.includes(s.needle));
}

const SERVICES_KEY = '\\services\\';
/** Service values that name the code it runs or the command run when it fails. */
const SERVICE_CODE_VALUES = ['imagepath', 'servicedll', 'failurecommand'];

/** A registry write under `…\Services\` that creates a service key or sets what a service runs. */
function startsServiceCode(inv: Invocation, text: string): boolean {
  return inv.name === 'new-item' || inv.name === 'ni' || SERVICE_CODE_VALUES.some((v) => text.includes(v));
}

const ENVIRONMENT_KEY = '\\environment';

/** Environment variables that make every new process (or logon) load or run something (T1574.012, T1037.001). */
const CODE_RUNNING_VARIABLES = [
  'userinitmprlogonscript',
  'cor_profiler',
  'cor_enable_profiling',
  'coreclr_profiler',
  'coreclr_enable_profiling',
  'dotnet_startup_hooks',
  'complus_',
  // `windir`/`systemroot` in HKCU\Environment: scheduled tasks that expand them run something else (the SilentCleanup UAC bypass).
  'windir',
  'systemroot',
  'psmodulepath',
];

/**
 * Whether setting an environment variable (its name and value, lower case) makes processes run something: a logon
 * script, a CLR profiler or startup hook, or a user-writable folder put first on PATH. Other variables (a PATH entry
 * for a tool, TEMP, a proxy) are configuration.
 */
export function environmentRunsCode(name: string, value: string): boolean {
  if (CODE_RUNNING_VARIABLES.some((v) => name.startsWith(v))) return true;
  if (name !== 'path') return false;
  const first = value.replace(/^["']/, '').split(';')[0] ?? '';
  return inStagingFolder(first.endsWith('\\') ? first : first + '\\');
}

/** Whether a write at a location that runs only some of its values (see AutostartLocation) sets one of those. */
function writesCodeValue(loc: AutostartLocation, inv: Invocation): boolean {
  if (loc.codeValues === undefined && loc.runsCode === undefined) return true;
  const set = registryValueWrite(inv);
  if (set === undefined) return loc.codeValues === undefined; // a key created: a new registration, unless the key always exists
  if (loc.codeValues !== undefined && !loc.codeValues.includes(set.name)) return false;
  return loc.runsCode === undefined || loc.runsCode(set.name, set.value ?? '');
}

/** `setx COR_PROFILER {…} /M`, `[Environment]::SetEnvironmentVariable('Path', 'C:\Users\Public\bin;…', 'Machine')`. */
function checkEnvironmentVariable(inv: Invocation, out: FindingCollector): void {
  let name: string | undefined;
  let value = '';
  if (inv.name === 'setx') {
    const args = inv.args.filter((w) => !w.lower.startsWith('/'));
    name = args[0]?.lower;
    value = args[1]?.lower ?? '';
  } else if (inv.command.assignTo?.startsWith('env:') === true) {
    // `$env:COR_PROFILER_PATH = 'C:\x.dll'`: the variable for this process and the programs it starts.
    name = inv.command.assignTo.slice(4);
    value = inv.command.words[0]?.lower ?? '';
  } else {
    for (const w of inv.command.words) {
      const at = w.lower.indexOf('setenvironmentvariable(');
      if (at < 0) continue;
      const parts = w.lower.slice(at + 23).split(',');
      name = parts[0]?.trim().replace(/["']/g, '');
      value = parts[1]?.trim() ?? '';
      break;
    }
  }
  if (name === undefined || !environmentRunsCode(name, value)) return;
  out.add(spec('persist.environment', `Sets the environment variable ${name.toUpperCase()} so that processes load or run code it names.`), [
    commandWord(inv),
  ]);
}

function checkRegistry(inv: Invocation, out: FindingCollector, doc: Document): void {
  const write = registryWriteText(inv);
  if (!write) return;
  const text = write.text;
  // `Set-ItemProperty -Path $RunKey …`: look for the key anywhere in the script.
  const inDoc = write.viaVariable ? needlesInDocument(doc, AUTOSTART_NEEDLES) : undefined;
  if (securityKey(text) && !write.viaVariable) return; // defence evasion reports security settings
  for (const loc of AUTOSTART_REGISTRY) {
    if (!text.includes(loc.needle) && !inDoc?.has(loc.needle)) continue;
    if (loc.unless !== undefined && (loc.unless.some((u) => text.includes(u)) || (write.viaVariable && docHasAny(doc, loc.unless))))
      continue;
    // Under a service's key only what it runs (or a new service) is persistence; `LanmanServer\Parameters /v SMB1` is configuration.
    if (loc.needle === SERVICES_KEY && !startsServiceCode(inv, text)) continue;
    // Under an Environment key only variables that make processes run something (a logon script, a profiler).
    if (loc.needle === ENVIRONMENT_KEY && !write.viaVariable) {
      const set = registryValueWrite(inv);
      if (set !== undefined && !environmentRunsCode(set.name, set.value ?? '')) continue;
    }
    if (!writesCodeValue(loc, inv)) continue;
    const spans = write.viaVariable ? searchFirst(doc, loc.needle) : [];
    out.add(spec('persist.registry', `Writes ${loc.what} in the registry.`), [commandWord(inv), write.word, ...spans]);
    return;
  }
}

// --- Services and launchd -----------------------------------------------------------------------

function checkServices(inv: Invocation, out: FindingCollector, doc: Document): void {
  if (inv.name === 'sc') {
    const sub = inv.args.find((w) => !w.lower.startsWith('\\\\'));
    if (!sub) return;
    if (sub.lower === 'create') {
      out.add(spec('persist.service', 'sc creates a Windows service, which runs a program at boot as SYSTEM.'), [commandWord(inv), sub]);
    } else if (
      (sub.lower === 'config' || sub.lower === 'failure') &&
      inv.args.some((w) => w.lower.startsWith('binpath') || w.lower.startsWith('command='))
    ) {
      out.add(spec('persist.service', 'sc changes the program a Windows service runs.'), [commandWord(inv), sub]);
    }
    return;
  }
  if (inv.name === 'new-service' || (inv.name === 'nssm' && inv.args[0]?.lower === 'install')) {
    out.add(spec('persist.service', `${inv.name} creates a Windows service, which runs a program at boot as SYSTEM.`), [commandWord(inv)]);
    return;
  }
  if (inv.name === 'set-service' && hasParam(inv.args, 'binarypathname')) {
    out.add(spec('persist.service', 'Set-Service changes the program a Windows service runs.'), [commandWord(inv)]);
    return;
  }
  if (inv.name === 'systemctl') {
    // Enabling a unit by path (not an installed name) links in a unit file from anywhere.
    const sub = inv.args.find((w) => !w.lower.startsWith('-'));
    if (sub?.lower === 'edit') {
      checkSystemctlEdit(inv, out);
      return;
    }
    if (!sub || !(sub.lower === 'enable' || sub.lower === 'link')) return;
    const unit = inv.args.find(
      (w) => w !== sub && !w.lower.startsWith('-') && (w.lower.startsWith('/') || w.lower.startsWith('.') || w.lower.startsWith('~')),
    );
    if (unit) {
      out.add(spec('persist.systemd', 'systemctl enables a unit file from an arbitrary path.'), [commandWord(inv), unit]);
      return;
    }
    // Enabling an installed service is administration; enabling the unit this text (or session) wrote is the persistence it set up.
    const written = sub.lower === 'enable' ? writtenUnits(doc) : null;
    const named = written?.size ? inv.args.find((w) => w !== sub && written.has(unitFileName(w.lower))) : undefined;
    if (named)
      out.add(
        spec(
          'persist.systemd-written',
          `systemctl enables ${named.value}, a unit file written just before: it now starts with the system.`,
        ),
        [commandWord(inv), named],
      );
  }
}

/** The unit file a name refers to: `khelper` and `khelper.service` are the same unit. */
function unitFileName(lower: string): string {
  const name = trimQuotes(lower);
  return name.includes('.') ? name : `${name}.service`;
}

const WRITTEN_UNITS = new WeakMap<Document, ReadonlySet<string>>();

/** The systemd unit files the document writes (by file name), found once per document. */
function writtenUnits(doc: Document): ReadonlySet<string> {
  let units = WRITTEN_UNITS.get(doc);
  if (units !== undefined) return units;
  const found = new Set<string>();
  for (const inv of invocations(doc)) {
    for (const target of writeTargets(inv)) {
      const what = autostartFile(target);
      if (what === 'a systemd unit' || what === 'a user systemd unit') found.add(baseName(trimQuotes(target.lower)));
    }
  }
  units = found;
  WRITTEN_UNITS.set(doc, units);
  return units;
}

/**
 * `systemctl edit --force --full x.service` (`-lf`): writes a whole unit file, a new one with
 * --force, so whatever it runs starts with the system. A plain `systemctl edit x` (a drop-in that
 * tunes an installed unit: limits, environment, restart policy) stays allowed: it is ordinary
 * administration and cannot create a unit.
 */
function checkSystemctlEdit(inv: Invocation, out: FindingCollector): void {
  const whole = inv.args.find((w) => w.lower === '--full' || w.lower === '--force' || shortCluster(w.lower, 'l', 'f'));
  if (whole)
    out.add(spec('persist.systemd', `systemctl edit ${whole.value} creates or rewrites a whole systemd unit file.`), [
      commandWord(inv),
      whole,
    ]);
}

/** `-lf`, `-f`, `-l`: a cluster of single-letter options that holds one of the letters. */
function shortCluster(lower: string, ...letters: string[]): boolean {
  if (lower.length < 2 || lower.charCodeAt(0) !== 45 || lower.charCodeAt(1) === 45) return false;
  for (let i = 1; i < lower.length; i++) {
    const c = lower.charCodeAt(i);
    if (c < 97 || c > 122) return false;
  }
  return letters.some((l) => lower.includes(l, 1));
}

/** pm2 and its Windows helpers install a boot service that resurrects the saved process list. */
function checkPm2Startup(inv: Invocation, out: FindingCollector): void {
  let args = inv.args;
  let name = inv.name;
  // `npx pm2 startup`: the package run is the program.
  if (name === 'npx') {
    const at = args.findIndex((w) => !w.lower.startsWith('-'));
    if (at < 0 || args[at]!.lower !== 'pm2') return;
    name = 'pm2';
    args = args.slice(at + 1);
  }
  const sub = args.find((w) => !w.lower.startsWith('-'));
  if (name === 'pm2' ? sub?.lower === 'startup' : name === 'pm2-service-install' || sub?.lower === 'install')
    out.add(
      spec('persist.pm2-startup', `${name}${sub ? ' ' + sub.value : ''} installs a boot service that restarts the saved pm2 processes.`),
      [commandWord(inv)],
    );
}

// --- Server components (T1505) and dylib insertion (T1546.006) -----------------------------------

const SERVER_COMPONENT_CMDLETS: ReadonlyMap<string, string> = new Map([
  ['install-transportagent', 'installs an Exchange transport agent, a DLL that Exchange runs on every message'],
  ['enable-transportagent', 'enables an Exchange transport agent, a DLL that Exchange runs on every message'],
  ['new-webglobalmodule', 'registers a native IIS module, a DLL that IIS loads into every worker process'],
  ['enable-webglobalmodule', 'enables a native IIS module, a DLL that IIS loads into every worker process'],
  ['new-webmanagedmodule', 'adds a managed IIS module that runs on every request'],
]);

/** Exchange transport agents and IIS modules: code a server loads on every message or request. */
function checkServerComponents(inv: Invocation, out: FindingCollector): void {
  const what = SERVER_COMPONENT_CMDLETS.get(inv.name);
  if (what) {
    out.add(spec('persist.server-component', `${inv.nameWord?.value ?? inv.name} ${what}.`), [commandWord(inv)]);
    return;
  }
  // `appcmd install module /name:x /image:x.dll`, `appcmd add module /name:x /type:…`; `list modules` reads.
  const lowers = argLowers(inv);
  if (inv.name === 'appcmd' && (lowers[0] === 'install' || lowers[0] === 'add') && lowers[1] === 'module')
    out.add(spec('persist.server-component', `appcmd ${lowers[0]} module adds a module that IIS runs on every request.`), [
      commandWord(inv),
      inv.args[0],
    ]);
}

/** Folders any user (or a download) can write: a library loaded from there can be swapped at will. */
const DYLIB_DROP_PREFIXES = [...USER_WRITABLE_PREFIXES, '/users/shared/', '/private/tmp/', '$tmpdir', '${tmpdir}'];

function userWritable(lower: string): boolean {
  const l = lower.charCodeAt(0) === 34 || lower.charCodeAt(0) === 39 ? lower.slice(1) : lower;
  return DYLIB_DROP_PREFIXES.some((p) => l.startsWith(p));
}

/**
 * Adding a load command to a Mach-O binary (`optool install -c load -p x.dylib -t BIN`,
 * `insert_dylib x.dylib BIN`), or pointing one at a library or rpath in a user-writable folder
 * (`install_name_tool -change /usr/lib/libz.dylib /tmp/libz.dylib BIN`): the library then runs
 * every time the program starts. Build steps (`install_name_tool -id @rpath/…`, `-change` to
 * `@loader_path`) stay allowed.
 */
function checkDylibInsertion(inv: Invocation, out: FindingCollector): void {
  const n = inv.name;
  if (n === 'optool') {
    const sub = inv.args[0];
    if (sub?.lower === 'install')
      out.add(
        spec('persist.dylib-insert', 'optool install adds a load command to a program, which then loads the library at every start.'),
        [commandWord(inv), sub],
      );
    return;
  }
  if (n === 'insert_dylib') {
    if (positionals(inv.args).length >= 2)
      out.add(spec('persist.dylib-insert', 'insert_dylib adds a load command to a program, which then loads the library at every start.'), [
        commandWord(inv),
      ]);
    return;
  }
  // install_name_tool -change OLD NEW BIN | -add_rpath NEW BIN | -rpath OLD NEW BIN
  const args = inv.args;
  for (let i = 0; i < args.length; i++) {
    const l = args[i]!.lower;
    const newAt = l === '-change' || l === '-rpath' ? i + 2 : l === '-add_rpath' || l === '-prepend_rpath' ? i + 1 : -1;
    const target = newAt > 0 ? args[newAt] : undefined;
    if (target && userWritable(target.lower)) {
      out.add(
        spec('persist.dylib-insert', `install_name_tool points a program at a library path in a user-writable folder (${target.value}).`),
        [commandWord(inv), target],
      );
      return;
    }
  }
}

// --- Standing access: root SSH logins, cluster-admin bindings, Redis writing into cron ----------------------------

/** Whether a path is the SSH server's configuration (`/etc/ssh/sshd_config`, a drop-in under `sshd_config.d/`). */
function isSshdConfig(lower: string): boolean {
  const path = trimQuotes(lower);
  return path.endsWith('sshd_config') || path.includes('/sshd_config.d/');
}

/** What a sed substitution writes (`s/^PermitRootLogin yes/PermitRootLogin no/` writes `PermitRootLogin no`); other words whole. */
function sedReplacement(lower: string): string {
  const expression = trimQuotes(lower);
  if (expression.length < 4 || expression[0] !== 's') return lower;
  const delimiter = expression[1]!;
  let parts = 0;
  for (let i = 2; i < expression.length; i++) {
    if (expression[i] === '\\') i++;
    else if (expression[i] === delimiter && ++parts === 1) return expression.slice(i + 1);
  }
  return lower;
}

/**
 * `sed -i 's/^#PermitRootLogin no/PermitRootLogin yes/' /etc/ssh/sshd_config`, `echo "PermitRootLogin yes" | tee -a …`:
 * the root account opened to password logins over SSH, a standing way in (T1098.004).
 */
function checkSshRootLogin(inv: Invocation, out: FindingCollector, doc: Document): void {
  const target = writeTargets(inv).find((w) => isSshdConfig(w.lower));
  if (target === undefined) return;
  const words = [
    ...inv.args,
    ...inv.command.redirects.filter((r) => r.heredoc === true).map((r) => r.target),
    ...pipelineNeighbours(doc, inv.command, 'before').flatMap((c) => c.words),
  ];
  const setting = words.find((w) => /permitrootlogin\s+yes/.test(inv.name === 'sed' ? sedReplacement(w.lower) : w.lower));
  if (setting === undefined) return;
  out.add(spec('persist.ssh-root-login', `${inv.name} sets PermitRootLogin yes in ${target.value}: root may log in over SSH.`), [
    commandWord(inv),
    setting,
  ]);
}

/** `kubectl create clusterrolebinding x --clusterrole=cluster-admin --serviceaccount=…`: full control of the cluster granted to an account. */
function checkClusterAdminBinding(inv: Invocation, out: FindingCollector): void {
  const create = inv.args.findIndex((w) => w.lower === 'create');
  const kind = inv.args[create + 1]?.lower;
  if (create < 0 || (kind !== 'clusterrolebinding' && kind !== 'rolebinding')) return;
  const role = optionValue(inv.args, 'clusterrole');
  if (role === undefined || trimQuotes(role.lower) !== 'cluster-admin') return;
  out.add(spec('persist.cluster-admin', `kubectl binds cluster-admin to an account: full control of the Kubernetes cluster.`), [
    commandWord(inv),
    role,
  ]);
}

/** `redis-cli config set dir /var/spool/cron`: the Redis dump file pointed at a cron or SSH folder, which writes a job or key there. */
function checkRedisDumpLocation(inv: Invocation, out: FindingCollector): void {
  const lowers = inv.args.map((w) => trimQuotes(w.lower));
  const at = lowers.findIndex((l, i) => l === 'config' && lowers[i + 1] === 'set' && lowers[i + 2] === 'dir');
  const dir = at < 0 ? undefined : inv.args[at + 3];
  if (dir === undefined) return;
  const path = trimQuotes(dir.lower);
  if (!AUTOSTART_PATHS.some((l) => path.includes(l.needle)) && !path.includes('/.ssh') && !path.includes('/cron')) return;
  out.add(
    spec('persist.redis-dump', `redis-cli sets the Redis dump folder to ${dir.value}: the next save writes a file that runs there.`),
    [commandWord(inv), dir],
  );
}

/** Apple's own jobs that open the Mac to remote access: turning one on is not a restored default. */
const REMOTE_ACCESS_SYSTEM_JOBS = ['screensharing', 'remotedesktop', 'remotemanagement', 'telnetd', 'ftpd', 'smbd'];

/**
 * `launchctl enable system/com.apple.auditd`, `launchctl bootstrap system /System/Library/LaunchDaemons/com.apple.auditd.plist`:
 * a job macOS itself ships (its plist under /System, which System Integrity Protection keeps read-only) turned
 * back on, like `systemctl enable` of an installed service. Not the remote-access ones.
 */
function startsSystemJobsOnly(inv: Invocation): boolean {
  const targets = inv.args.slice(1).filter((w) => !w.value.startsWith('-') && !/^(system|user\/\d+|gui\/\d+)$/.test(w.lower));
  if (targets.length === 0) return false;
  return targets.every((w) => {
    const job = trimQuotes(w.lower);
    const system = job.startsWith('/system/library/launch') || /^(system|user\/\d+|gui\/\d+)\/com\.apple\./.test(job);
    return system && !REMOTE_ACCESS_SYSTEM_JOBS.some((r) => job.includes(r));
  });
}

function checkLaunchd(inv: Invocation, out: FindingCollector): void {
  if (inv.name !== 'launchctl') return;
  const sub = inv.args[0];
  if (!sub) return;
  if (['load', 'bootstrap', 'submit', 'enable'].includes(sub.lower)) {
    if (sub.lower !== 'submit' && startsSystemJobsOnly(inv)) return;
    out.add(spec('persist.launchd', `launchctl ${sub.lower} registers a launchd agent/daemon that runs at login or boot.`), [
      commandWord(inv),
      sub,
    ]);
  }
}

// --- Accounts ---------------------------------------------------------------------------------------

export const PRIVILEGED_GROUPS = [
  'administrators',
  // The local Administrators group under its localised names (Spanish/Portuguese, French, German, Italian, Dutch,
  // Polish, Swedish/Danish/Norwegian, Czech, Russian, Ukrainian, Turkish); its SID is the same everywhere.
  'administradores',
  'administrateurs',
  'administratoren',
  'amministratori',
  'beheerders',
  'administratorzy',
  'administratörer',
  'administratorer',
  'administrátoři',
  'администраторы',
  'адміністратори',
  'yöneticiler',
  'remote desktop users',
  'remote management users',
  'backup operators',
  'domain admins',
  'enterprise admins',
  'schema admins',
  'account operators',
  'server operators',
  'hyper-v administrators',
  'dnsadmins',
  'group policy creator owners',
  'power users',
  'print operators',
  'key admins',
  'enterprise key admins',
];
const POSIX_PRIVILEGED_GROUPS = new Set(['sudo', 'wheel', 'admin', 'root', 'adm', 'docker', 'lxd', 'disk', 'shadow', 'staff']);
const SYSTEM_ACCOUNTS = new Set([
  'nobody',
  'daemon',
  'bin',
  'sys',
  'sync',
  'games',
  'man',
  'lp',
  'mail',
  'news',
  'uucp',
  'proxy',
  'www-data',
  'backup',
  'list',
  'irc',
  'gnats',
  'nfsnobody',
  'ftp',
  'operator',
]);
const INTERACTIVE_SHELL_SUFFIXES = ['/sh', '/bash', '/zsh', '/dash', '/ksh', '/csh', '/tcsh', '/fish'];

/**
 * The accounts whose enabling the corpus rules flag: Guest, the built-in Administrator and the other disabled-by-default
 * accounts, or one the text computes. Re-enabling an ordinary user who came back (`net user j.chen /active:yes`) is not.
 */
const BUILT_IN_ACCOUNTS: ReadonlySet<string> = new Set([
  'guest',
  'administrator',
  'admin',
  'defaultaccount',
  'wdagutilityaccount',
  'krbtgt',
  'support_388945a0',
]);
function enablesBuiltInAccount(account: Word | undefined): boolean {
  if (account === undefined) return true;
  const l = account.lower.replace(/["']/g, '');
  return BUILT_IN_ACCOUNTS.has(l) || l.startsWith('/') || l.includes('%') || l.includes('$') || l.includes('!');
}

function checkAccounts(inv: Invocation, out: FindingCollector): void {
  const n = inv.name;
  const lowers = argLowers(inv);
  if (n === 'net' || n === 'net1') {
    const sub = lowers[0];
    const add = inv.args.find((w) => w.lower === '/add' || w.lower === '-add');
    const activate = inv.args.find((w) => w.lower === '/active:yes');
    if (sub === 'user' || sub === 'users') {
      if (add)
        out.add(spec('persist.account.create', 'net user /add creates an account: a standing way to log in.'), [commandWord(inv), add]);
      else if (activate && enablesBuiltInAccount(inv.args[1]))
        out.add(spec('persist.account.enable', 'net user /active:yes enables a disabled account (often Guest or Administrator).'), [
          commandWord(inv),
          activate,
        ]);
    } else if ((sub === 'localgroup' || sub === 'group') && add) {
      const text = lowers.join(' ');
      if (PRIVILEGED_GROUPS.some((g) => text.includes(g)))
        out.add(
          spec(
            'persist.account.privileged-group',
            'net adds an account to a privileged group (Administrators, Remote Desktop Users, Domain Admins …).',
          ),
          [commandWord(inv), add],
        );
    }
    return;
  }
  if (n === 'new-localuser' || n === 'new-aduser' || n === 'new-mguser' || n === 'new-azureaduser') {
    out.add(spec('persist.account.create', `${n} creates an account: a standing way to log in.`), [commandWord(inv)]);
    return;
  }
  if (n === 'enable-localuser' || n === 'enable-adaccount') {
    out.add(spec('persist.account.enable', `${n} re-enables a disabled account.`), [commandWord(inv)]);
    return;
  }
  if (n === 'add-localgroupmember' || n === 'add-adgroupmember' || n === 'add-adprincipalgroupmembership') {
    const text = lowers.join(' ');
    // The group itself may be a variable (`-Group $g`): flagged, as it cannot be told apart from Administrators.
    // A variable member (`-Members $user`) or a group with a written-out name (`"GG-$dept"`) is not.
    const group = optionValue(inv.args, 'group', 'identity', 'memberof', 'name') ?? positionals(inv.args)[0];
    if (PRIVILEGED_GROUPS.some((g) => text.includes(g)) || (group?.value.startsWith('$') ?? false) || text.includes('-sid s-1-5-32-544')) {
      out.add(spec('persist.account.privileged-group', `${n} adds a member to a privileged group.`), [commandWord(inv)]);
    }
    return;
  }
  if (n === 'useradd' || n === 'adduser' || n === 'luseradd' || n === 'newusers' || (n === 'pw' && lowers[0] === 'useradd')) {
    out.add(spec('persist.account.create', `${n} creates a local account (or adds one to a group).`), [commandWord(inv)]);
    return;
  }
  if (n === 'homectl') {
    // `homectl create NAME` creates a systemd-homed user with its home; list, inspect, passwd, remove do not.
    if (lowers[0] === 'create')
      out.add(spec('persist.account.create', 'homectl create creates a local account (systemd-homed).'), [commandWord(inv)]);
    return;
  }
  if (n === 'systemd-sysusers') {
    // With a file, standard input or --inline it creates the accounts the given lines describe. Bare, it
    // re-applies the installed sysusers.d files (as package scripts do); --cat-config, --dry-run and --tldr change nothing.
    if (lowers.some((l) => l === '--cat-config' || l === '--dry-run' || l === '--tldr')) return;
    const inline = inv.args.find((w) => w.lower === '--inline');
    if (inline || positionals(inv.args).length > 0)
      out.add(spec('persist.account.create', 'systemd-sysusers creates the accounts described by the given lines.'), [commandWord(inv)]);
    return;
  }
  if (n === 'usermod' || n === 'gpasswd' || (n === 'pw' && (lowers[0] === 'usermod' || lowers[0] === 'groupmod'))) {
    checkGroupOrShellChange(inv, lowers, out);
    return;
  }
  if (n === 'chsh') {
    checkGroupOrShellChange(inv, lowers, out);
    return;
  }
  if (n === 'dscl') {
    checkDirectoryServiceEdit(inv, lowers, out);
    return;
  }
  if (n === 'dseditgroup' && lowers.includes('-a') && lowers.some((l) => l === 'admin' || l === 'wheel')) {
    out.add(spec('persist.account.privileged-group', 'dseditgroup adds an account to the macOS admin group.'), [commandWord(inv)]);
    return;
  }
  if (n === 'sysadminctl') {
    const w = inv.args.find((x) => x.lower === '-adduser' || x.lower === '-guestaccount');
    if (w && (w.lower === '-adduser' || lowers.includes('on')))
      out.add(spec('persist.account.create', 'sysadminctl creates an account or enables the Guest account.'), [commandWord(inv), w]);
    return;
  }
  if (n === 'dsenableroot' && !lowers.includes('-d')) {
    out.add(spec('persist.account.enable', 'dsenableroot enables the macOS root account.'), [commandWord(inv)]);
  }
}

/** Entra ID authentication-method kinds an administrator can register for a user through Microsoft Graph. */
const GRAPH_AUTH_METHODS = [
  'phone',
  'email',
  'fido2',
  'softwareoath',
  'hardwareoath',
  'temporaryaccesspass',
  'microsoftauthenticator',
  'windowshelloforbusiness',
  'platformcredential',
];

/**
 * `New-MgUserAuthenticationPhoneMethod`, `…Fido2Method`, `…SoftwareOathMethod`, `…TemporaryAccessPassMethod`
 * (v1.0 and beta modules) and `Update-MgUserAuthenticationPhoneMethod`: a sign-in factor registered
 * for someone else's account (T1098.005). Reading methods (`Get-MgUserAuthenticationMethod`) and
 * removing one (`Remove-…`, offboarding or a lost phone) add no way in and stay allowed.
 */
export const GRAPH_AUTH_METHOD_WRITERS: readonly string[] = ['new-mg', 'new-mgbeta', 'update-mg', 'update-mgbeta'].flatMap((verb) =>
  GRAPH_AUTH_METHODS.map((kind) => `${verb}userauthentication${kind}method`),
);
const GRAPH_AUTH_METHOD_WRITER_SET: ReadonlySet<string> = new Set(GRAPH_AUTH_METHOD_WRITERS);

/**
 * `dscl . -create /Users/x`, `dscl . create /Users/x UniqueID 550` (dscl takes its command with or without the dash),
 * `dscl /Local/Default -append /Groups/admin GroupMembership x`: an account made or put in the admin group.
 */
const DSCL_EDITS: ReadonlySet<string> = new Set(['create', 'append', 'merge']);

function checkDirectoryServiceEdit(inv: Invocation, lowers: readonly string[], out: FindingCollector): void {
  // The data source (`.`, `localhost`, `/Local/Default`) and options (`-u admin -P pw`) come first; then the command.
  const at = lowers.findIndex((l, k) => k > 0 && DSCL_EDITS.has(l.replace(/^-/, '')));
  if (at < 0) return;
  const command = lowers[at]!.replace(/^-/, '');
  const record = (lowers[at + 1] ?? '').replace(/^\/local\/default(?=\/)/, '');
  if ((command === 'create' || command === 'merge') && record.startsWith('/users/') && record.length > '/users/'.length) {
    out.add(spec('persist.account.create', 'dscl creates or changes a macOS account.'), [commandWord(inv)]);
  } else if ((command === 'append' || command === 'merge') && (record === '/groups/admin' || record === '/groups/wheel')) {
    out.add(spec('persist.account.privileged-group', 'dscl adds an account to the macOS admin group.'), [commandWord(inv)]);
  }
}

/** Graph request senders: a POST/PATCH/PUT to `/users/{id}/authentication/<kind>Methods` is the same act. */
const GRAPH_REQUEST_SENDERS = ['invoke-mggraphrequest', 'invoke-restmethod', 'irm', 'invoke-webrequest', 'iwr', 'az'];
const GRAPH_WRITE_METHODS: ReadonlySet<string> = new Set(['post', 'patch', 'put']);

function checkAuthenticationMethods(inv: Invocation, out: FindingCollector): void {
  if (GRAPH_AUTH_METHOD_WRITER_SET.has(inv.name)) {
    const tap = inv.name.includes('temporaryaccesspass');
    out.add(
      spec(
        'persist.account.auth-method',
        tap
          ? `${inv.name} issues a Temporary Access Pass: whoever holds it signs in as that user.`
          : `${inv.name} registers an authentication method (a sign-in factor) for a user's Entra ID account.`,
      ),
      [commandWord(inv)],
    );
    return;
  }
  // `az rest --method post --url …`, `Invoke-MgGraphRequest -Method POST -Uri …`.
  if (inv.name === 'az' && argLowers(inv)[0] !== 'rest') return;
  const method = optionValue(inv.args, 'method', 'm');
  if (!method || !GRAPH_WRITE_METHODS.has(method.lower)) return;
  const uri = optionValue(inv.args, 'uri', 'url', 'u') ?? positionals(inv.args).find((w) => w.lower.includes('/authentication/'));
  if (!uri) return;
  const at = uri.lower.indexOf('/authentication/');
  if (at < 0 || !GRAPH_AUTH_METHODS.some((kind) => uri.lower.startsWith(kind + 'methods', at + 16))) return;
  out.add(spec('persist.account.auth-method', `${inv.name} registers an authentication method for a user through the Graph API.`), [
    commandWord(inv),
    uri,
  ]);
}

function checkGroupOrShellChange(inv: Invocation, lowers: readonly string[], out: FindingCollector): void {
  // usermod -aG sudo x / gpasswd -a x wheel: adding to a root-equivalent group.
  const groupValue = optionValue(inv.args, 'g', 'ag', 'a', 'groups', 'append');
  const groups = new Set<string>();
  if (groupValue) for (const g of groupValue.lower.split(',')) groups.add(g.trim());
  for (const l of lowers) groups.add(l);
  const privileged = [...groups].find((g) => POSIX_PRIVILEGED_GROUPS.has(g));
  const adding = lowers.some((l) => l === '-a' || l === '-ag' || l === '-g' || l === '--append' || l === '--groups' || l.startsWith('-a'));
  if (privileged && adding) {
    out.add(spec('persist.account.privileged-group', `${inv.name} adds an account to the root-equivalent group "${privileged}".`), [
      commandWord(inv),
    ]);
    return;
  }
  // Giving a system account (nobody, daemon …) an interactive shell turns it into a hidden login.
  const shell = optionValue(inv.args, 's', 'shell');
  const account = lowers.find((l) => SYSTEM_ACCOUNTS.has(l));
  if (shell && account && INTERACTIVE_SHELL_SUFFIXES.some((s) => shell.lower.endsWith(s))) {
    out.add(
      spec(
        'persist.account.system-shell',
        `${inv.name} gives the system account "${account}" an interactive shell, turning it into a hidden login.`,
      ),
      [commandWord(inv), shell],
    );
  }
}

// --- Firewall openings and remote-access enabling ---------------------------------------------------

function checkFirewallOpenings(inv: Invocation, out: FindingCollector): void {
  const n = inv.name;
  const lowers = argLowers(inv);
  // The joined text is only read for these two tools.
  const text = n === 'netsh' || n === 'firewall-cmd' ? lowers.join(' ') : '';
  if (n === 'netsh') {
    const firewall = lowers.includes('firewall');
    if (!firewall) return;
    if (lowers.includes('add') && lowers.includes('rule') && text.includes('action=allow')) {
      out.add(
        spec('persist.firewall.open', 'netsh adds an allow rule to the Windows Firewall, opening the machine to inbound connections.'),
        [commandWord(inv)],
      );
    } else if (lowers.includes('set') && lowers.includes('rule') && text.includes('enable=yes')) {
      out.add(spec('persist.firewall.open', 'netsh enables a firewall rule group (e.g. Remote Desktop, file sharing).'), [
        commandWord(inv),
      ]);
    } else if (
      lowers.includes('portopening') ||
      lowers.includes('allowedprogram') ||
      (lowers.includes('service') && text.includes('enable'))
    ) {
      out.add(spec('persist.firewall.open', 'netsh opens a port or program in the firewall.'), [commandWord(inv)]);
    }
    return;
  }
  if (n === 'new-netfirewallrule') {
    const action = optionValue(inv.args, 'action');
    if (action && action.lower === 'block') return;
    out.add(
      spec('persist.firewall.open', 'New-NetFirewallRule adds an allow rule (the default action), opening the machine to connections.'),
      [commandWord(inv)],
    );
    return;
  }
  if (n === 'set-netfirewallrule' || n === 'enable-netfirewallrule') {
    const remote = optionValue(inv.args, 'remoteaddress');
    const enabled = optionValue(inv.args, 'enabled');
    if (n === 'enable-netfirewallrule' || (remote && remote.lower === 'any') || (enabled && enabled.lower === 'true')) {
      out.add(spec('persist.firewall.open', `${n} enables a firewall rule or opens it to any address.`), [commandWord(inv)]);
    }
    return;
  }
  if (n === 'ufw' && (lowers[0] === 'allow' || (lowers[0] === 'route' && lowers[1] === 'allow'))) {
    out.add(spec('persist.firewall.open', 'ufw allow opens a port or source in the firewall.'), [commandWord(inv), inv.args[0]]);
    return;
  }
  if (n === 'firewall-cmd') {
    const w = inv.args.find(
      (x) =>
        x.lower.startsWith('--add-port') ||
        x.lower.startsWith('--add-service') ||
        x.lower.startsWith('--add-source') ||
        (x.lower.startsWith('--add-rich-rule') &&
          !text.includes('forward-port') &&
          (text.includes('accept') || (!text.includes('reject') && !text.includes('drop')))),
    );
    if (w) out.add(spec('persist.firewall.open', 'firewall-cmd opens a port, service or source.'), [commandWord(inv), w]);
    return;
  }
  if (
    (n === 'iptables' || n === 'ip6tables') &&
    (lowers.includes('-a') || lowers.includes('-i') || lowers.includes('--append') || lowers.includes('--insert')) &&
    lowers.includes('accept') &&
    (lowers.includes('input') || lowers.includes('forward'))
  ) {
    out.add(spec('persist.firewall.open', `${n} appends an ACCEPT rule.`), [commandWord(inv)]);
    return;
  }
  if (n === 'nft' && (lowers.includes('add') || lowers.includes('insert')) && lowers.includes('rule') && lowers.includes('accept')) {
    out.add(spec('persist.firewall.open', 'nft adds an accept rule.'), [commandWord(inv)]);
    return;
  }
  if (
    n === 'systemsetup' &&
    inv.args.some((w) => w.lower === '-setremotelogin' || w.lower === '-setremoteappleevents') &&
    lowers.includes('on')
  ) {
    out.add(spec('persist.remote-access.enable', 'systemsetup enables remote login (SSH) or remote Apple events.'), [commandWord(inv)]);
    return;
  }
  if (n === 'kickstart' && lowers.includes('-activate')) {
    out.add(spec('persist.remote-access.enable', 'kickstart activates Apple Remote Desktop / Remote Management for remote control.'), [
      commandWord(inv),
    ]);
    return;
  }
  if (n === 'winrm' && (lowers[0] === 'quickconfig' || lowers[0] === 'qc')) {
    out.add(spec('persist.remote-access.enable', 'winrm quickconfig starts a WinRM listener and opens the firewall for it.'), [
      commandWord(inv),
    ]);
  }
}

// --- ESXi hosts (esxcli, vim-cmd) ------------------------------------------------------------------

/** esxcli's top-level namespaces: the command path starts at the first of them, after global options (`--server h`, `--formatter=csv`). */
const ESXCLI_NAMESPACES: ReadonlySet<string> = new Set([
  'system',
  'network',
  'software',
  'storage',
  'hardware',
  'vm',
  'vsan',
  'iscsi',
  'device',
  'sched',
  'esxcli',
  'fcoe',
  'graphics',
  'nvme',
  'rdma',
]);

/** The command path of an esxcli/localcli line, lower case (`system account add`), or '' when it names none. */
export function esxcliPath(inv: Invocation): string {
  const lowers = argLowers(inv);
  let start = 0;
  while (start < lowers.length && !ESXCLI_NAMESPACES.has(lowers[start]!)) start++;
  let end = start;
  while (end < lowers.length && !lowers[end]!.startsWith('-')) end++;
  return lowers.slice(start, end).join(' ');
}

/** Values of a boolean esxcli option that turn it on. */
const ESXCLI_TRUE: ReadonlySet<string> = new Set(['true', '1', 'yes', 'on', 't']);

/** vim-cmd host-service operations that enable or start remote shell access. */
const VIM_CMD_SHELL_ENABLERS: ReadonlySet<string> = new Set([
  'hostsvc/enable_ssh',
  'hostsvc/start_ssh',
  'hostsvc/enable_esx_shell',
  'hostsvc/start_esx_shell',
  'hostsvc/enable_remote_tsm',
  'hostsvc/start_remote_tsm',
  'hostsvc/enable_local_tsm',
  'hostsvc/start_local_tsm',
]);

/**
 * ESXi hypervisors: a local account (`esxcli system account add`), the Admin role given to an
 * account (`esxcli system permission set -r Admin`, `vim-cmd vimsvc/auth/entity_permission_add … Admin`),
 * SSH or the ESXi Shell enabled (`vim-cmd hostsvc/enable_ssh`) and firewall rule sets opened
 * (`esxcli network firewall ruleset set -r sshServer -e true`, `… allowedip add`): the standing ways in
 * that ransomware crews set up before encrypting the datastores. Listing accounts, permissions and
 * rule sets, removing an account and disabling SSH stay allowed.
 */
function checkEsxi(inv: Invocation, out: FindingCollector): void {
  if (inv.name === 'vim-cmd') {
    const op = inv.args.find((w) => !w.lower.startsWith('-'));
    if (!op) return;
    const l = op.lower.startsWith('/') ? op.lower.slice(1) : op.lower;
    if (VIM_CMD_SHELL_ENABLERS.has(l)) {
      out.add(spec('persist.remote-access.enable', `vim-cmd ${l} enables or starts SSH / the ESXi Shell on the hypervisor.`), [
        commandWord(inv),
        op,
      ]);
    } else if (l === 'vimsvc/auth/entity_permission_add' && argLowers(inv).includes('admin')) {
      out.add(spec('persist.account.privileged-group', 'vim-cmd gives an account the Admin role on the ESXi host.'), [
        commandWord(inv),
        op,
      ]);
    }
    return;
  }
  const path = esxcliPath(inv);
  if (path === 'system account add') {
    out.add(spec('persist.account.create', `${inv.name} system account add creates a local ESXi account.`), [commandWord(inv)]);
  } else if (path === 'system permission set') {
    const role = optionValue(inv.args, 'r', 'role');
    if (role && role.lower === 'admin')
      out.add(
        spec('persist.account.privileged-group', `${inv.name} system permission set gives an account the Admin role on the ESXi host.`),
        [commandWord(inv), role],
      );
  } else if (path === 'network firewall ruleset set') {
    const enabled = optionValue(inv.args, 'e', 'enabled');
    const allowedAll = optionValue(inv.args, 'a', 'allowed-all');
    const opens = (enabled && ESXCLI_TRUE.has(enabled.lower)) || (allowedAll && ESXCLI_TRUE.has(allowedAll.lower));
    if (opens)
      out.add(spec('persist.firewall.open', `${inv.name} enables an ESXi firewall rule set or opens it to every address.`), [
        commandWord(inv),
        enabled ?? allowedAll,
      ]);
  } else if (path === 'network firewall ruleset allowedip add') {
    out.add(spec('persist.firewall.open', `${inv.name} adds an allowed source address to an ESXi firewall rule set.`), [commandWord(inv)]);
  }
}

// --- Cloud and Kubernetes persistence (T1053.007, T1098.001, T1098.004) -----------------------------

/** A CronJob manifest in the text (a here-doc or piped YAML/JSON given to `kubectl apply -f -`). */
const CRONJOB_MANIFEST = new NeedleGroup(['kind: cronjob', 'kind: "cronjob"', "kind: 'cronjob'", '"kind": "cronjob"', '"kind":"cronjob"']);
/** Metadata keys that add an SSH login or a boot script to GCE instances. */
const GCE_PERSISTENT_KEYS = ['ssh-keys', 'sshkeys', 'startup-script', 'shutdown-script'];
/**
 * `aws iam …` subcommands that give an identity new standing credentials. `create-user` alone is not
 * here: a user without keys or a password cannot sign in (the credential step that follows is flagged).
 */
const AWS_IAM_CREDENTIALS: ReadonlySet<string> = new Set([
  'create-access-key',
  'create-login-profile',
  'create-service-specific-credential',
  'upload-ssh-public-key',
]);

function cloudFinding(inv: Invocation, out: FindingCollector, what: string): void {
  if (writesCradle(inv))
    out.add(
      {
        code: 'persistence',
        ruleId: 'persist.cloud.cradle',
        standard: 'block',
        extended: 'block',
        message: `${inv.name} ${what}, with a command that downloads code and runs it. ${REVIEW.split(';')[0]}.`,
      },
      [commandWord(inv)],
    );
  else out.add(spec('persist.cloud', `${inv.name} ${what}.`), [commandWord(inv)]);
}

/** Microsoft Graph / MSOnline / AzureAD cmdlets that put a member into a directory role. */
const ENTRA_ROLE_GRANTS: ReadonlySet<string> = new Set([
  'new-mgdirectoryrolememberbyref',
  'new-mgrolemanagementdirectoryroleassignment',
  'add-msolrolemember',
  'add-azureaddirectoryrolemember',
]);
/** Tenant-wide roles, by name or by their well-known template id (Global Administrator is 62e90394-…). */
const ENTRA_ADMIN_ROLES = [
  'company administrator',
  'global administrator',
  'privileged role administrator',
  'privileged authentication administrator',
  '62e90394-69f5-4237-9190-012177145e10',
  'e8611ab8-c189-46e8-94e1-60213ab1f814',
];

/** Cloud roles that administer the whole account or subscription (T1098.003): AWS managed policies and Azure roles (GCP's are matched in place). */
const ADMIN_ROLES = ['administratoraccess', 'iamfullaccess', 'poweruseraccess', 'owner', 'contributor', 'user access administrator'];

/**
 * Standing access in a cluster or cloud account: `kubectl create cronjob`, a CronJob manifest applied
 * from the text, GCE `add-metadata` of ssh-keys or a startup-script, `gcloud compute os-login ssh-keys
 * add`, new service-account keys, `aws iam create-access-key`, `az ad sp|app credential reset`. Flagged
 * like any other persistence. Listing (`kubectl get cronjobs`, `aws iam list-access-keys`) and other
 * metadata (`enable-oslogin=TRUE`) stay allowed.
 */
function checkCloudPersistence(inv: Invocation, out: FindingCollector, doc: Document): void {
  const words = positionals(inv.args).map((w) => w.lower);
  const n = inv.name;
  if (n === 'kubectl' || n === 'oc' || n === 'microk8s.kubectl') {
    const verb = words.findIndex((w) => w === 'create' || w === 'apply' || w === 'replace');
    if (verb < 0) return;
    if (words[verb] === 'create' && (words[verb + 1] === 'cronjob' || words[verb + 1] === 'cj'))
      cloudFinding(inv, out, 'creates a Kubernetes CronJob, which runs a container on a schedule in the cluster');
    else if (findOption(inv.args, 'f', 'filename') && docHasAny(doc, CRONJOB_MANIFEST))
      cloudFinding(inv, out, `${words[verb]} -f installs a Kubernetes CronJob, which runs a container on a schedule in the cluster`);
    return;
  }
  if (n === 'gcloud') {
    if (words.includes('add-metadata')) {
      const key = inv.args.find((w) => GCE_PERSISTENT_KEYS.some((k) => w.lower.includes(k)));
      if (key) cloudFinding(inv, out, 'adds SSH keys or a boot script to the metadata of Compute Engine instances');
    } else if (words.includes('os-login') && words.includes('ssh-keys') && words.includes('add')) {
      cloudFinding(inv, out, 'adds an SSH key to an OS Login profile (a standing way into every instance)');
    } else if (words.includes('service-accounts') && words.includes('keys') && words.includes('create')) {
      cloudFinding(inv, out, 'creates a key for a service account: standing credentials that work from anywhere');
    } else if (words.includes('add-iam-policy-binding')) {
      const role = optionValue(inv.args, 'role');
      // `roles/owner`, `roles/editor`, `roles/iam.*`, `roles/resourcemanager.*` (a bucket's `objectOwner` is not one).
      const name = role === undefined ? '' : trimQuotes(role.lower);
      if (
        role &&
        (name === 'roles/owner' || name === 'roles/editor' || name.startsWith('roles/iam.') || name.startsWith('roles/resourcemanager.'))
      )
        cloudFinding(inv, out, `grants ${role.value} to an identity: standing administrative access`);
    }
    return;
  }
  if (n === 'aws') {
    if (words[0] === 'iam' && words[1] !== undefined && AWS_IAM_CREDENTIALS.has(words[1]))
      cloudFinding(inv, out, `iam ${words[1]} gives an identity new standing credentials`);
    else if (words[0] === 'iam' && words[1]?.startsWith('attach-') && words[1].endsWith('-policy')) {
      const policy = optionValue(inv.args, 'policy-arn');
      if (policy && ADMIN_ROLES.some((r) => policy.lower.includes(r)))
        cloudFinding(inv, out, `iam ${words[1]} grants ${policy.value}: standing administrative access`);
    }
    return;
  }
  // The role may be named here or looked up earlier (`$role = Get-MgDirectoryRole -Filter "DisplayName eq 'Global Administrator'"`).
  if (ENTRA_ROLE_GRANTS.has(n) && ENTRA_ADMIN_ROLES.some((r) => docHas(doc, r))) {
    cloudFinding(inv, out, 'makes an identity an Entra ID administrator: standing control of the whole tenant');
    return;
  }
  if ((n === 'az' && words[0] === 'role' && words[1] === 'assignment' && words[2] === 'create') || n === 'new-azroleassignment') {
    const role = optionValue(inv.args, 'role', 'roledefinitionname');
    if (role && ADMIN_ROLES.some((r) => trimQuotes(role.lower) === r || role.lower.includes(r + ' '))) {
      cloudFinding(inv, out, `role assignment create grants ${role.value}: standing administrative access`);
    }
    return;
  }
  if (n === 'az' && words[0] === 'ad') {
    const reset = (words[1] === 'sp' || words[1] === 'app') && words[2] === 'credential' && words[3] === 'reset';
    const created = (words[1] === 'sp' && words[2] === 'create-for-rbac') || (words[1] === 'user' && words[2] === 'create');
    if (reset || created) cloudFinding(inv, out, `ad ${words.slice(1, 4).join(' ')} creates an identity or new credentials for one`);
  }
}

// --- Other mechanisms ---------------------------------------------------------------------------

function checkMisc(inv: Invocation, out: FindingCollector): void {
  const n = inv.name;
  const lowers = argLowers(inv);
  if (n === 'netsh' && lowers[0] === 'add' && lowers[1] === 'helper') {
    out.add(spec('persist.netsh-helper', 'netsh add helper registers a DLL that netsh loads every time it runs.'), [
      commandWord(inv),
      inv.args[1],
    ]);
  } else if (n === 'sdbinst' && inv.args.length > 0 && !lowers.includes('-u') && !lowers.includes('/u')) {
    out.add(spec('persist.shim', 'sdbinst installs an application-compatibility shim database, which can inject code into programs.'), [
      commandWord(inv),
    ]);
  } else if (n === 'mofcomp' && inv.args.some((w) => w.lower.endsWith('.mof'))) {
    out.add(spec('persist.wmi-subscription', 'mofcomp compiles a MOF file, the classic way to install a WMI event subscription.'), [
      commandWord(inv),
    ]);
  } else if ((n === 'takeown' || n === 'icacls') && inv.args.some((w) => ACCESSIBILITY_BINARIES.has(baseName(w.lower)))) {
    out.add(
      spec(
        'persist.accessibility',
        `${n} takes over an accessibility binary (sethc, utilman, osk …) so it can be replaced: a logon-screen backdoor.`,
      ),
      [commandWord(inv)],
    );
  } else if (n === 'defaults' && lowers[0] === 'write' && LAUNCHD_JOB_FOLDERS.some((f) => lowers[1]?.includes(f))) {
    // `defaults write ~/Library/LaunchAgents/x.plist ProgramArguments -array …`: a launchd job built key by key.
    // (Other preference files, com.apple.loginwindow's display settings included, are ordinary configuration.)
    out.add(spec('persist.file', `defaults write edits ${inv.args[1]!.value}, a launchd job definition.`), [
      commandWord(inv),
      inv.args[1]!,
    ]);
  } else if (n === 'defaults' && lowers[0] === 'write' && lowers.some((l) => l === 'loginhook' || l === 'logouthook')) {
    out.add(spec('persist.login-hook', 'defaults write sets a macOS login/logout hook script.'), [commandWord(inv)]);
  } else if (
    n === 'defaults' &&
    lowers[0] === 'write' &&
    lowers.some((l) => l === 'autolaunchedapplicationdictionary' || l.includes('com.apple.loginitems'))
  ) {
    // The login window's list of apps to open, and the older login-items preference file.
    out.add(spec('persist.login-item', 'defaults write adds an app to what macOS opens at every login.'), [commandWord(inv)]);
  } else if (n === 'visudo' && inv.command.position > 0) {
    // `echo "x ALL=(ALL) NOPASSWD: ALL" | sudo EDITOR='tee -a' visudo`: a rule written into sudoers through visudo.
    out.add(spec('persist.file', 'Writes a sudo rule through visudo, fed from a pipe.'), [commandWord(inv)]);
  } else if (n === 'insmod' || n === 'kextload') {
    out.add(spec('persist.kernel-module', `${n} loads a kernel module, code that runs with full control of the machine.`), [
      commandWord(inv),
    ]);
  } else if (n === 'wmic' && createsWmiSubscription(lowers)) {
    out.add(
      spec(
        'persist.wmi-subscription',
        'wmic creates an instance in the root\\subscription namespace (an event filter, consumer or binding).',
      ),
      [commandWord(inv)],
    );
  } else if (n === 'set-wmiinstance' || n === 'new-ciminstance') {
    const ns = lowers.join(' ');
    if (
      ns.includes('__eventfilter') ||
      ns.includes('eventconsumer') ||
      ns.includes('__filtertoconsumerbinding') ||
      ns.includes('root\\subscription') ||
      ns.includes('root/subscription')
    ) {
      out.add(spec('persist.wmi-subscription', `${n} creates a WMI event subscription that runs a command when an event fires.`), [
        commandWord(inv),
      ]);
    }
  } else if (n === 'bitsadmin' && findOption(inv.args, 'setnotifycmdline')) {
    out.add(spec('persist.bits-job', 'bitsadmin makes a BITS job run a command (BITS jobs survive reboots).'), [commandWord(inv)]);
  }
}

/** `wmic /namespace:\\\\root\\subscription path __EventFilter create …` (a `get` or `list` only reads). */
function createsWmiSubscription(lowers: readonly string[]): boolean {
  if (!lowers.some((l) => l.includes('subscription'))) return false;
  return lowers.some((l) => l === 'create' || l === 'call' || l === 'set');
}

// --- Event-triggered execution and WinRM trust ---------------------------------------------------

/** Cmdlets that subscribe to a WMI/CIM event and can run a script block (`-Action`) whenever it fires. */
const EVENT_SUBSCRIBERS = ['register-wmievent', 'register-cimindicationevent'];

/** Commands inside an event action that start another program. */
const PROGRAM_STARTERS: ReadonlySet<string> = new Set([
  'start-process',
  'invoke-expression',
  'invoke-item',
  'cmd',
  'powershell',
  'pwsh',
  'wscript',
  'cscript',
  'mshta',
  'rundll32',
  'regsvr32',
]);
const PROGRAM_EXTENSIONS = ['.exe', '.bat', '.cmd', '.ps1', '.vbs', '.js', '.hta', '.scr'];

function startsProgram(command: SimpleCommand): boolean {
  if (PROGRAM_STARTERS.has(command.name) || command.invocation !== undefined) return true;
  const first = command.words[0]?.lower ?? '';
  return PROGRAM_EXTENSIONS.some((e) => first.endsWith(e));
}

/**
 * Cmdlet verbs and commands that only read, show or record: what an action that merely logs the event uses.
 * Anything else in an action (a copy, a registry write, a native program) acts on the system.
 */
const RECORDING_VERBS: ReadonlySet<string> = new Set([
  'get',
  'write',
  'out',
  'format',
  'select',
  'where',
  'sort',
  'measure',
  'convertto',
  'convertfrom',
  'export',
  'test',
  'compare',
  'group',
  'foreach',
]);
const RECORDING_COMMANDS: ReadonlySet<string> = new Set([
  '',
  'if',
  'else',
  'elseif',
  'switch',
  'return',
  'break',
  'continue',
  'try',
  'catch',
  'finally',
  'throw',
  'add-content',
  'new-guid',
  'new-timespan',
  'new-event',
  'add-member',
  'set-variable',
  'clear-variable',
  'start-sleep',
  'wait-event',
  'unregister-event',
  'remove-event',
]);
/** Static calls an expression may make and stay a recording (`[Console]::WriteLine`, `[Math]::Round`). */
const VALUE_TYPES = [
  '[console]::',
  '[math]::',
  '[string]::',
  '[datetime]::',
  '[timespan]::',
  '[convert]::',
  '[int]::',
  '[guid]::',
  '[environment]::',
];

function actsOnSystem(command: SimpleCommand): boolean {
  if (startsProgram(command)) return true;
  const name = command.name;
  if (name === '') {
    // An expression acts when it calls a static method of anything but a value type (`[IO.File]::Copy(…)`).
    return command.words.some((w) => {
      const at = w.lower.indexOf(']::');
      return at >= 0 && !VALUE_TYPES.some((t) => w.lower.startsWith(t, w.lower.lastIndexOf('[', at)));
    });
  }
  if (RECORDING_COMMANDS.has(name)) return false;
  const dash = name.indexOf('-');
  return dash < 0 || !RECORDING_VERBS.has(name.slice(0, dash));
}

interface ActingBlocks {
  /** Commands that enclose (in a script block) a command acting on the system. */
  enclosing: Set<SimpleCommand>;
  /** Variables assigned a script block that acts on the system (`$action = { Start-Process … }`). */
  variables: Set<string>;
}

/** Where the text's nested commands that act on the system sit, found once per document by walking each one's enclosing blocks. */
const ACTING_BLOCKS = new DocumentCache((doc: Document): ActingBlocks => {
  const found: ActingBlocks = { enclosing: new Set(), variables: new Set() };
  for (const c of doc.commands) {
    if (c.parent === undefined || !actsOnSystem(c)) continue;
    let at: SimpleCommand | undefined = c;
    for (let depth = 0; at !== undefined && depth < 4; depth++) {
      found.enclosing.add(at);
      if (at.assignTo !== undefined) found.variables.add(at.assignTo);
      at = at.parent === undefined ? undefined : doc.commands[at.parent];
    }
  }
  return found;
});

/**
 * `Register-WmiEvent -Query "… __InstanceCreationEvent …" -Action { Start-Process x.exe }`,
 * `Register-CimIndicationEvent -ClassName Win32_ProcessStartTrace -Action $action`: a program run
 * whenever a WMI event fires (T1546.003 in its session form; the permanent form, filter bound to a
 * consumer, is persist.wmi-subscription). Subscribing to watch events, or an action that only
 * records them (`Write-Host`, `Out-File`, `Export-CliXml`), stays allowed; copying files (USB collection)
 * or writing settings from the action acts on the system like starting a program does.
 */
function checkEventAction(inv: Invocation, out: FindingCollector, doc: Document): void {
  const action = optionValue(inv.args, 'action');
  if (!action) return;
  const acting = ACTING_BLOCKS.of(doc);
  const acts = action.lower.startsWith('$') ? acting.variables.has(action.lower.slice(1)) : acting.enclosing.has(inv.command);
  if (!acts) return;
  out.add(
    spec(
      'persist.wmi-event-action',
      `${inv.name} runs commands from its -Action block (starting programs or changing files, settings or services) every time the WMI event fires (event-triggered execution).`,
    ),
    [commandWord(inv), action],
  );
}

const TRUSTED_HOSTS_PATH = 'wsman:\\localhost\\client\\trustedhosts';

/** A TrustedHosts value that trusts more than named hosts: `*`, `*.corp.local`, `10.0.0.*`. */
function trustsAnyHost(value: string): boolean {
  return value.includes('*');
}

/** The TrustedHosts value of `@{TrustedHosts="*"}` (winrm, Set-WSManInstance -ValueSet), or undefined. */
function trustedHostsInHash(lower: string): string | undefined {
  const at = lower.indexOf('trustedhosts');
  if (at < 0) return undefined;
  const eq = lower.indexOf('=', at);
  return eq < 0 ? undefined : lower.slice(eq + 1);
}

/** TrustedHosts entries of hash tables, by the command the table is an argument of (computed once per document). */
const HASH_TRUSTED_HOSTS = new DocumentCache((doc: Document): Map<SimpleCommand, string> => {
  const found = new Map<SimpleCommand, string>();
  for (const c of doc.commands) {
    if (c.parent === undefined || !c.name.startsWith('trustedhosts')) continue;
    const value = trustedHostsInHash(c.words.map((w) => w.lower).join(''));
    const owner = doc.commands[c.parent];
    if (value !== undefined && owner) found.set(owner, value);
  }
  return found;
});

/**
 * `Set-Item WSMan:\localhost\Client\TrustedHosts *`, `winrm set winrm/config/client
 * @{TrustedHosts="*"}`: the WinRM client trusts every host, so NTLM credentials go to any
 * machine that answers; with `Enable-PSRemoting` it is the usual set-up for lateral movement.
 * Flagged. Reading the list and trusting one named host (how a workgroup server is reached)
 * stay allowed.
 */
function checkTrustedHosts(inv: Invocation, out: FindingCollector, doc: Document): void {
  let value: string | undefined;
  if (inv.name === 'set-item') {
    const lowers = argLowers(inv);
    const path = lowers.findIndex((l) => l.endsWith(TRUSTED_HOSTS_PATH) || l.endsWith('wsman:/localhost/client/trustedhosts'));
    if (path < 0) return;
    const named = optionValue(inv.args, 'value');
    // Positional form: `Set-Item WSMan:\…\TrustedHosts * -Force`.
    const next = lowers[path + 1];
    value = named?.lower ?? (next !== undefined && !next.startsWith('-') ? next : undefined);
  } else if (inv.name === 'winrm') {
    // winrm set|s winrm/config/client @{TrustedHosts="*"}: the hash table is one word.
    for (const l of argLowers(inv)) {
      value = trustedHostsInHash(l);
      if (value !== undefined) break;
    }
  } else {
    // Set-WSManInstance -ValueSet @{TrustedHosts="*"}: the hash table's entries are parsed inside it.
    value = HASH_TRUSTED_HOSTS.of(doc).get(inv.command);
  }
  if (value === undefined || !trustsAnyHost(value)) return;
  out.add(
    spec(
      'persist.remote-access.trust-all',
      `${inv.name} sets the WinRM TrustedHosts list to ${value}: credentials are sent to any host that matches, opening the way for lateral movement.`,
    ),
    [commandWord(inv)],
  );
}

// --- Whole-text shapes (assembled over several statements) --------------------------------------

// The first keyword lists of the checks below, asked about for every text.
const WMI_SUBSCRIPTION_NEEDLES = new NeedleGroup(['commandlineeventconsumer', 'activescripteventconsumer', '__filtertoconsumerbinding']);
/**
 * What makes a text naming a consumer class create one: a consumer named in `Get-CimInstance …
 * -ClassName CommandLineEventConsumer` or `Remove-WmiObject` is being read or removed.
 */
const WMI_WRITE_NEEDLES = new NeedleGroup([
  'set-wmiinstance',
  'new-ciminstance',
  'spawninstance',
  'createinstance',
  '.put(',
  '.put()',
  'instance of',
  'mofcomp',
  ' create ',
  '[wmiclass]',
  'register-wmievent',
]);
const STARTUP_FOLDER_NEEDLES = new NeedleGroup(['\\start menu\\programs\\startup', '\\microsoft\\windows\\start menu\\programs\\startup']);
const ACCOUNT_MANAGEMENT_NEEDLES = new NeedleGroup(['accountmanagement.userprincipal', 'directoryservices.accountmanagement']);
const LDAP_USER_NEEDLES = new NeedleGroup(['objectclass: user', 'objectclass: person', 'objectclass=user']);
// Making one (`make login item`, `make new login item`); reading or deleting the list is not persistence.
const LOGIN_ITEM_NEEDLES = new NeedleGroup(['make login item', 'make new login item', 'login_item', 'backgrounditems.btm']);
const REGISTRY_API_NEEDLES = new NeedleGroup(['win32.registry]::setvalue', 'stdregprov']);
/** StdRegProv methods that write; EnumKey, GetStringValue and the other readers only look (a pending-reboot check reads `…\Services\Netlogon`). */
const STDREGPROV_WRITES = new NeedleGroup([
  'setstringvalue',
  'setexpandedstringvalue',
  'setdwordvalue',
  'setqwordvalue',
  'setmultistringvalue',
  'setbinaryvalue',
  'createkey',
]);
/**
 * Local accounts through ADSI's WinNT provider: `$g = [ADSI]"WinNT://./Administrators,group"; $g.Add(…)` (or
 * `.Invoke("Add", …)`) puts a member in the group, as `net localgroup … /add` does; `[ADSI]"WinNT://$host"` then
 * `.Create("User", name)` makes an account. The variable's value is in the call's word (`[adsi]winnt://…,group.add(…)`).
 */
function checkAdsiAccounts(doc: Document, out: FindingCollector): void {
  for (const c of doc.commands) {
    for (const w of c.words) {
      const lower = w.lower;
      const provider = lower.indexOf('winnt://');
      if (provider < 0) continue;
      const call = lower.slice(provider);
      if ((call.includes('.add(') || call.includes('.invoke(add')) && PRIVILEGED_GROUPS.some((g) => call.includes(g))) {
        out.add(spec('persist.account.privileged-group', 'Adds a member to a privileged local group through ADSI (WinNT://).'), [w]);
        return;
      }
      if (call.includes('.create(user')) {
        out.add(spec('persist.account.create', 'Creates a local account through ADSI (WinNT://): a standing way to log in.'), [w]);
        return;
      }
    }
  }
}

/** Writing VBA into a document through the Office object model (`$doc.VBProject.VBComponents.Add(1).CodeModule.AddFromString(…)`). */
const VBA_PROJECT_NEEDLES = new NeedleGroup(['.vbcomponents']);
const VBA_CODE_WRITERS = new NeedleGroup(['addfromstring', 'addfromfile', 'insertlines', '.vbcomponents.import']);

/** What puts an item in a folder: a shortcut made, a copy, a new item, a file written. */
const STARTUP_PLACERS: readonly string[] = ['createshortcut', 'copy-item', 'copy ', 'new-item', 'out-file', 'set-content'];

/**
 * Whether a command that places an item names the Startup folder, or a variable assigned a text that names it
 * (`$s = Join-Path $p '…\Startup'; $wsh.CreateShortcut("$s\x.lnk")`). A Startup folder only listed and
 * cleaned (`Get-ChildItem $startup | Remove-Item`) while an unrelated file is written elsewhere places nothing.
 */
function placesInStartupFolder(doc: Document, needle: string): boolean {
  const holders: string[] = [];
  for (const a of doc.assignments ?? []) {
    // Also one assigned from a holder (`$lnk = "$startup\x.lnk"`), the assignments being in order.
    const text = (a.value ?? doc.original.slice(a.span.start, a.span.end)).toLowerCase();
    if ((text.includes(needle) || holders.some((h) => text.includes(h))) && holders.length < 64) holders.push('$' + a.name);
  }
  return doc.commands.some((c) => {
    const text = c.words.map((w) => w.lower).join(' ') + ' ';
    if (!STARTUP_PLACERS.some((p) => c.name === p || text.includes(p))) return false;
    return text.includes(needle) || holders.some((h) => text.includes(h));
  });
}

function checkDocumentLevel(doc: Document, out: FindingCollector): void {
  if (docHas(doc, 'winnt://')) checkAdsiAccounts(doc, out);
  // The firewall's COM API (`New-Object -ComObject HNetCfg.FwPolicy2`): a rule added or a rule group switched on.
  const firewallChange = docHas(doc, 'hnetcfg.fwpolicy2') ? docHasAny(doc, ['.rules.add(', 'enablerulegroup(']) : undefined;
  if (firewallChange && !out.has('persist.firewall.open')) {
    out.add(
      spec('persist.firewall.open', 'Adds or enables a Windows Firewall rule through its COM API (HNetCfg.FwPolicy2).'),
      searchFirst(doc, firewallChange),
    );
  }
  const wmi = docHasAny(doc, WMI_SUBSCRIPTION_NEEDLES);
  if (wmi && !out.has('persist.wmi-subscription') && docHasAny(doc, WMI_WRITE_NEEDLES)) {
    out.add(
      spec(
        'persist.wmi-subscription',
        'Creates a WMI event subscription (event filter bound to a consumer) that runs a command when an event fires.',
      ),
      searchFirst(doc, wmi),
    );
  }
  const startup = docHasAny(doc, STARTUP_FOLDER_NEEDLES);
  if (startup && docHasAny(doc, STARTUP_PLACERS) && !out.has('persist.file') && placesInStartupFolder(doc, startup)) {
    out.add(spec('persist.file', 'Places an item in a Startup folder, so it runs at every logon.'), searchFirst(doc, startup));
  }
  if (docHasAny(doc, ['ps_scheduledtask']) && docHasAny(doc, ['registerbyxml', 'register'])) {
    out.add(
      spec('persist.scheduled-task', 'Registers a scheduled task through the Task Scheduler WMI provider.'),
      searchFirst(doc, 'ps_scheduledtask'),
    );
  }
  if (docHasAny(doc, ['schedule.service']) && docHasAny(doc, ['registertaskdefinition'])) {
    out.add(
      spec('persist.scheduled-task', 'Registers a scheduled task through the Task Scheduler COM API.'),
      searchFirst(doc, 'registertaskdefinition'),
    );
  }
  if (docHasAny(doc, ACCOUNT_MANAGEMENT_NEEDLES) && docHasAny(doc, ['.save()'])) {
    out.add(
      spec('persist.account.create', 'Creates an account through System.DirectoryServices.AccountManagement.'),
      searchFirst(doc, '.save()'),
    );
  }
  const ldap = docHasAny(doc, LDAP_USER_NEEDLES);
  if (ldap && docHasAny(doc, ['ldapadd', 'changetype: add', 'ldifde'])) {
    out.add(spec('persist.account.create', 'Adds a user object to the directory over LDAP.'), searchFirst(doc, ldap));
  }
  const loginItem = docHasAny(doc, LOGIN_ITEM_NEEDLES);
  if (loginItem) out.add(spec('persist.login-item', 'Adds a macOS login item, which starts at every login.'), searchFirst(doc, loginItem));
  if (docHasAny(doc, VBA_PROJECT_NEEDLES)) {
    const writer = docHasAny(doc, VBA_CODE_WRITERS);
    if (writer)
      out.add(
        spec(
          'persist.office-macro',
          'Writes VBA code into an Office document or template through the VBProject object model (a macro in Normal.dotm or PERSONAL.XLSB runs at every start).',
        ),
        searchFirst(doc, '.vbcomponents', writer),
      );
  }
  const regApi = docHasAny(doc, REGISTRY_API_NEEDLES);
  const regApiWrites = regApi === 'stdregprov' ? docHasAny(doc, STDREGPROV_WRITES) !== undefined : regApi !== undefined;
  if (regApi !== undefined && regApiWrites && AUTOSTART_REGISTRY.some((l) => docHasAny(doc, [l.needle])) && !out.has('persist.registry')) {
    const loc = AUTOSTART_REGISTRY.find((l) => docHasAny(doc, [l.needle]))!;
    out.add(spec('persist.registry', `Writes ${loc.what} through the registry API.`), searchFirst(doc, regApi, loc.needle));
  }
}

/** The per-invocation checks, in order, each with the programs it acts on (none: every program). */
// --- DLL hijacking and replaced programs (T1574.001/.002/.010) -----------------------------------------

/** Windows DLLs that programs and services look for in their own folder (or that do not exist): a copy placed there is loaded. */
const HIJACKED_DLL_NAMES: ReadonlySet<string> = new Set([
  'version.dll',
  'cryptbase.dll',
  'winmm.dll',
  'dbghelp.dll',
  'dbgcore.dll',
  'dwmapi.dll',
  'uxtheme.dll',
  'wlbsctrl.dll',
  'wbemcomn.dll',
  'tsmsisrv.dll',
  'tsvipsrv.dll',
  'ualapi.dll',
  'profapi.dll',
  'secur32.dll',
  'sspicli.dll',
  'netapi32.dll',
  'iphlpapi.dll',
  'userenv.dll',
  'dxgi.dll',
  'amsi.dll',
  'winhttp.dll',
  'wininet.dll',
  'cryptsp.dll',
  'wtsapi32.dll',
  'winappxrt.dll',
  'edgegdi.dll',
  'windowscoredeviceinfo.dll',
  'wow64log.dll',
]);
const SYSTEM_FOLDERS = [
  '\\windows\\system32\\',
  '\\windows\\syswow64\\',
  '%windir%\\system32\\',
  '%systemroot%\\system32\\',
  '$env:windir\\system32\\',
];
const SERVICE_RESTARTERS = ['sc', 'net', 'start-service', 'restart-service', 'stop-service'];

/**
 * A DLL copied into System32 (a phantom DLL a service loads by name, T1574.001), a DLL named like a Windows one put
 * anywhere else (a program's folder loads it first, T1574.002), or a program from a staging folder copied over one
 * in Program Files with its service restarted (T1574.010). Each runs code inside a trusted program or service.
 */
function checkHijackPlacement(inv: Invocation, out: FindingCollector, doc: Document): void {
  const targets = writeTargets(inv);
  if (targets.length === 0) return;
  const sources = positionals(inv.args).filter((w) => !targets.includes(w));
  for (const target of targets) {
    const path = trimQuotes(target.lower);
    const written = path.endsWith('\\') || !path.includes('.') ? baseName(trimQuotes(sources[0]?.lower ?? '')) : baseName(path);
    if (written.endsWith('.dll') && SYSTEM_FOLDERS.some((f) => path.includes(f))) {
      out.add(
        spec('persist.dll-hijack', `Places ${written} in the Windows system folder, where services and programs load DLLs by name.`),
        [commandWord(inv), target],
      );
      return;
    }
    if (HIJACKED_DLL_NAMES.has(written)) {
      out.add(
        spec(
          'persist.dll-hijack',
          `Places ${written}, named like a Windows DLL, where a program loads it instead of the real one (DLL side-loading).`,
        ),
        [commandWord(inv), target],
      );
      return;
    }
    const fromStaging = sources.some((w) => inStagingFolder(w.lower));
    if (fromStaging && written.endsWith('.exe') && path.includes('\\program files') && restartsService(doc)) {
      out.add(
        spec(
          'persist.program-replaced',
          `Replaces ${written} in Program Files with a file from a staging folder and restarts a service: the service now runs it.`,
        ),
        [commandWord(inv), target],
      );
      return;
    }
  }
}

function restartsService(doc: Document): boolean {
  return invocations(doc).some(
    (i) =>
      SERVICE_RESTARTERS.includes(i.name) && (i.name.endsWith('-service') || i.args.some((w) => w.lower === 'start' || w.lower === 'stop')),
  );
}

const INVOCATION_CHECKS = new ChecksByName([
  { check: checkScheduledTasks, names: ['schtasks', ...PS_TASK_CREATORS, 'set-scheduledjob', 'set-scheduledtask'] },
  { check: checkCronAndAt, names: ['crontab', 'at', 'systemd-run'] },
  // Redirections of any command can write an autostart file.
  { check: checkFileLocations },
  { check: checkBuiltExecutable, names: ['csc', 'vbc', 'jsc', 'add-type', 'mklink'] },
  { check: checkHijackPlacement, names: [...FILE_COPIERS, 'robocopy'] },
  // `[Environment]::SetEnvironmentVariable(…)` is an expression: a command with no name.
  { check: checkEnvironmentVariable, names: ['setx', ''] },
  { check: checkSpecialBits, names: ['chmod', 'install', 'setcap'] },
  { check: checkRegistry, names: REGISTRY_WRITER_NAMES },
  { check: checkServices, names: ['sc', 'new-service', 'nssm', 'set-service', 'systemctl'] },
  { check: checkLaunchd, names: ['launchctl'] },
  { check: checkSshRootLogin, names: ['sed', 'perl', 'tee', 'echo', 'printf', 'cat', 'set-content', 'add-content', 'out-file'] },
  { check: checkClusterAdminBinding, names: ['kubectl', 'oc'] },
  { check: checkRedisDumpLocation, names: ['redis-cli'] },
  { check: checkPm2Startup, names: ['pm2', 'pm2-startup', 'pm2-service-install', 'npx'] },
  { check: checkServerComponents, names: [...SERVER_COMPONENT_CMDLETS.keys(), 'appcmd'] },
  { check: checkDylibInsertion, names: ['optool', 'insert_dylib', 'install_name_tool'] },
  {
    check: checkAccounts,
    names: [
      'net',
      'net1',
      'new-localuser',
      'new-aduser',
      'new-mguser',
      'new-azureaduser',
      'enable-localuser',
      'enable-adaccount',
      'add-localgroupmember',
      'add-adgroupmember',
      'add-adprincipalgroupmembership',
      'useradd',
      'adduser',
      'luseradd',
      'newusers',
      'pw',
      'usermod',
      'gpasswd',
      'chsh',
      'dscl',
      'dseditgroup',
      'sysadminctl',
      'dsenableroot',
      'homectl',
      'systemd-sysusers',
    ],
  },
  {
    check: checkFirewallOpenings,
    names: [
      'netsh',
      'new-netfirewallrule',
      'set-netfirewallrule',
      'enable-netfirewallrule',
      'ufw',
      'firewall-cmd',
      'iptables',
      'ip6tables',
      'nft',
      'systemsetup',
      'kickstart',
      'winrm',
    ],
  },
  {
    check: checkMisc,
    names: [
      'netsh',
      'sdbinst',
      'mofcomp',
      'takeown',
      'icacls',
      'visudo',
      'defaults',
      'insmod',
      'kextload',
      'set-wmiinstance',
      'new-ciminstance',
      'bitsadmin',
      'wmic',
    ],
  },
  { check: checkEventAction, names: EVENT_SUBSCRIBERS },
  { check: checkTrustedHosts, names: ['set-item', 'winrm', 'set-wsmaninstance'] },
  { check: checkEsxi, names: ['esxcli', 'localcli', 'vim-cmd'] },
  {
    check: checkCloudPersistence,
    names: ['kubectl', 'oc', 'microk8s.kubectl', 'gcloud', 'aws', 'az', 'new-azroleassignment', ...ENTRA_ROLE_GRANTS],
  },
  { check: checkAuthenticationMethods, names: [...GRAPH_AUTH_METHOD_WRITERS, ...GRAPH_REQUEST_SENDERS] },
]);
