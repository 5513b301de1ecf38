/**
 * Finds text that a command will itself run, so it can be analysed as a layer of its own:
 * `bash -c '…'`, `cmd /c …`, `powershell -Command …` / `-EncodedCommand …`, `Invoke-Expression`
 * and `eval` of constants, text piped into a shell (`echo … | sh`, `… | base64 -d | sh`),
 * here-documents fed to a shell, decoded `FromBase64String` constants, and command lines stored
 * in arguments (`schtasks /tr "…"`, Run-key values, `Start-Process powershell -ArgumentList …`), and command
 * lines other programs carry and run (`find -exec`, `ssh -o ProxyCommand=`, `git -c core.pager=`,
 * `python -c "os.system('…')"`, …: see CARRIERS).
 */
import { DELAYED_EXPANSION_LAYERS, firstAtLeast, LIMITS, makeWord, type DerivedText, type DocBuilder } from './builder';
import { decodeBase64Text, findBase64Runs } from './decode';
import type { Assignment, Layer, SimpleCommand, Word } from './document';
import { cimMethodCmdlet, GPO_REGISTRY_SETTERS, gpoRegistryCmdlet, wmiMethodCall, type CmdletPiece } from './equivalent-cmdlets';
import { derivedLayer, offsetLayer, PieceTextBuilder } from './layer';
import { hashtableEntry, type HashtableEntry } from './lex-powershell';
import { cmdStartProgramIndex, optionClusterHas, ownValue, programName } from './names';
import type { Platform, Shell, Span } from '../types';

export interface NestedText {
  layer: Layer;
  /** Whether the layer is lexed into commands (false: decoded data, searchable only). */
  lex: boolean;
}

export const POSIX_SHELLS = new Set(['sh', 'bash', 'dash', 'zsh', 'ksh', 'ash', 'mksh', 'busybox', 'fish']);
// sqlps: SQL Server's PowerShell host (same -Command and -EncodedCommand).
export const POWERSHELL_HOSTS = new Set(['powershell', 'pwsh', 'powershell_ise', 'sqlps']);
/** Script interpreters that execute program text read from stdin or `-c`/`-e`. */
export const INTERPRETERS = new Set([
  'python',
  'python2',
  'python3',
  'perl',
  'ruby',
  'php',
  'node',
  'nodejs',
  'lua',
  'osascript',
  'tclsh',
  'wish',
  'jrunscript',
]);
/** Programs whose name at the start of a quoted argument marks it as a command line. */
/** Programs whose argument is program text: an item of their argument list is kept whole (`'-c','irm … | iex'`). */
const TEXT_TAKING_PROGRAMS: ReadonlySet<string> = new Set(['cmd', 'powershell', 'pwsh', 'mshta', 'wscript', 'cscript']);

/**
 * Start-Process joins the items of `-ArgumentList` with spaces into one command line, so an item with spaces is
 * several arguments: `'/i agent.msi', '/quiet'` gives msiexec `/i`, `agent.msi`, `/quiet`. Items for programs that
 * take program text stay whole, so that text is read as one command.
 */
function joinedListItems(program: Word, items: readonly Word[]): Word[] {
  if (TEXT_TAKING_PROGRAMS.has(programName(program.value))) return [...items];
  const out: Word[] = [];
  for (const item of items) {
    const parts = item.value.length > 4096 ? [item.value] : item.value.split(/\s+/).filter((part) => part.length > 0);
    if (parts.length <= 1) out.push(item);
    else for (const part of parts.slice(0, 64)) out.push(makeWord(part, item.span));
  }
  return out;
}

const COMMAND_LINE_PROGRAMS = new Set([
  'cmd',
  'powershell',
  'pwsh',
  'mshta',
  'rundll32',
  'regsvr32',
  'wscript',
  'cscript',
  'msiexec',
  'certutil',
  'bitsadmin',
  'curl',
  'wget',
  'bash',
  'sh',
  'start',
  'python',
  'python3',
  'forfiles',
  'conhost',
]);

/** Commands that store or schedule a command line given as an argument (autostart entries, services, tasks, WMI). */
const STORING_COMMANDS = new Set([
  'schtasks',
  'reg',
  'sc',
  'at',
  'wmic',
  'setx',
  'set-itemproperty',
  'new-itemproperty',
  'new-service',
  'set-service',
  'new-scheduledtaskaction',
  'register-scheduledtask',
  'invoke-wmimethod',
  'invoke-cimmethod',
  'set-wmiinstance',
  'new-ciminstance',
  'crontab',
  'launchctl',
  'systemd-run',
  'runas',
]);
/** Remote/elevated runners whose trailing arguments are a command line (`psexec \\host -s cmd /c …`). */
const RUNNER_PREFIXES = new Set(['psexec', 'psexec64', 'paexec', 'runas', 'csexec', 'sudo', 'winrs']);
/** Options of those runners that take the next word as their value (PsExec `-u user`, `-w dir`; sudo for Windows `-D dir`). */
const RUNNER_VALUE_OPTIONS = /^[-/](u|p|w|n|r|g|a|user|d|chdir)$/i;

/**
 * Programs that run a command line carried in one of their arguments, and how it is carried. The
 * carried text becomes a nested layer, lexed (and unwrapped again) like `sh -c '…'`.
 * - `argv`: the words after a marker option (or after the program's own options) are a command's argv:
 *   `find … -exec sh -c '…' \;`, `xargs -I{} bash -c '…'`, `wsl -e sh -c '…'`.
 * - `option`: an option's value (or the part of it after a key) is a command line run by a shell:
 *   `ssh -o ProxyCommand=…`, `git -c core.pager=…`, `rsync -e '…'`, `tar --checkpoint-action=exec=…`.
 * - `code`: inline program text whose system-like calls run string literals with the shell:
 *   `python -c "os.system('…')"`, `perl -e 'system("…")'`, `awk 'BEGIN{system("…")}'`.
 */
type Carrier =
  | {
      kind: 'argv';
      /** Options that start the command (absent: it starts at the first word that is not an option). */
      markers?: ReadonlySet<string>;
      /** Words that end the command (`;` and `+` for find). */
      terminators?: ReadonlySet<string>;
      /** The program's own options that take the next word as their value. */
      withValue?: ReadonlySet<string>;
    }
  | { kind: 'option'; options: readonly CarriedOption[] }
  | {
      kind: 'code';
      language: ScriptLanguage;
      options: ReadonlySet<string>;
      /** Code may be the first non-option word (awk). */ bare?: boolean;
    };

interface CarriedOption {
  /** Option spellings (case matters): `-e` also matches `-eVALUE`, `--rsh` also `--rsh=VALUE`. */
  names: readonly string[];
  /** Where the command line starts inside the value, or -1 when this value carries none. */
  command: (value: string) => number;
  /** The command line is program text in this language rather than a shell command line. */
  language?: ScriptLanguage;
  /** The shell that runs the command line, when it is not the platform's own (cmd or sh). */
  shell?: (cmd: SimpleCommand) => Shell;
}

/** `az vm run-command invoke --command-id RunPowerShellScript --scripts '…'`: PowerShell, else a shell script. */
const azRunCommandShell = (cmd: SimpleCommand): Shell => (cmd.words.some((w) => w.lower.includes('powershell')) ? 'powershell' : 'sh');

type ScriptLanguage = 'python' | 'perl' | 'ruby' | 'php' | 'node' | 'awk';

const whole = (value: string): number => (value.trim() === '' ? -1 : 0);
/** The command after `KEY=` (or `KEY value`, as ssh also reads it) for one of the keys (lower case). */
const afterKey =
  (keys: readonly string[], separators = '=') =>
  (value: string): number => {
    const lower = value.toLowerCase();
    for (const key of keys) {
      if (!lower.startsWith(key)) continue;
      const sep = value[key.length];
      if (sep !== undefined && separators.includes(sep)) return key.length + 1;
    }
    return -1;
  };
/** git configuration keys whose value git runs with the shell (aliases and helpers only when they start with `!`). */
const gitCommandKey = (value: string): number => {
  const eq = value.indexOf('=');
  if (eq < 0) return -1;
  const key = value.slice(0, eq).toLowerCase();
  if (GIT_COMMAND_KEYS.has(key) || key.startsWith('pager.')) return eq + 1;
  if ((key.startsWith('alias.') || key.startsWith('credential.')) && value[eq + 1] === '!') return eq + 2;
  return -1;
};
const GIT_COMMAND_KEYS = new Set([
  'core.pager',
  'core.sshcommand',
  'core.editor',
  'core.fsmonitor',
  'core.gitproxy',
  'sequence.editor',
  'diff.external',
  'uploadpack.packobjectshook',
]);
/** vim's `:!cmd` / `!cmd` ex commands run the rest with the shell. */
const vimShellCommand = (value: string): number => {
  let i = 0;
  while (value[i] === ':' || value[i] === ' ') i++;
  return value[i] === '!' ? i + 1 : -1;
};
/** gdb's `-ex '!cmd'` / `-ex 'shell cmd'` run a shell command. */
const gdbShellCommand = (value: string): number => {
  if (value.startsWith('!')) return 1;
  return /^shell[ \t]/i.test(value) ? 6 : -1;
};
/** gdb's `-ex 'python …'`: Python code. */
const gdbPython = (value: string): number => {
  const m = /^py(?:thon)?3?[ \t]+/i.exec(value);
  return m ? m[0].length : -1;
};

const VIM_COMMANDS: Carrier = { kind: 'option', options: [{ names: ['-c', '--cmd', '+'], command: vimShellCommand }] };
/** ssh's options that take the next word as their value (`man ssh`). */
const SSH_OPTIONS_WITH_VALUE = new Set([
  'B',
  'b',
  'c',
  'D',
  'E',
  'e',
  'F',
  'I',
  'i',
  'J',
  'L',
  'l',
  'm',
  'O',
  'o',
  'p',
  'Q',
  'R',
  'S',
  'W',
  'w',
]);

const FIND_EXEC: Carrier = {
  kind: 'argv',
  markers: new Set(['-exec', '-execdir', '-ok', '-okdir']),
  terminators: new Set([';', '+']),
};
const CARRIERS = new Map<string, Carrier>([
  ['find', FIND_EXEC],
  ['gfind', FIND_EXEC],
  ['fd', { kind: 'argv', markers: new Set(['-x', '--exec', '-X', '--exec-batch']), terminators: new Set([';']) }],
  [
    'xargs',
    {
      kind: 'argv',
      withValue: new Set([
        '-I',
        '-L',
        '-n',
        '-P',
        '-s',
        '-d',
        '-E',
        '-a',
        '--arg-file',
        '--delimiter',
        '--max-args',
        '--max-procs',
        '--max-chars',
        '--replace',
        '--max-lines',
        '--eof',
        '--process-slot-var',
      ]),
    },
  ],
  // `nsenter -t 1 -m -u -i -n -p -- bash -c '…'`: the program runs inside another process's namespaces (PID 1's: the host).
  [
    'nsenter',
    {
      kind: 'argv',
      markers: new Set(['--']),
      withValue: new Set(['-t', '--target', '-S', '--setuid', '-G', '--setgid']),
    },
  ],
  [
    'wsl',
    {
      kind: 'argv',
      markers: new Set(['-e', '--exec', '--']),
      withValue: new Set(['-d', '--distribution', '-u', '--user', '--cd', '--shell-type']),
    },
  ],
  [
    'ssh',
    { kind: 'option', options: [{ names: ['-o'], command: afterKey(['proxycommand', 'localcommand', 'knownhostscommand'], '= \t') }] },
  ],
  ['git', { kind: 'option', options: [{ names: ['-c'], command: gitCommandKey }] }],
  // `ansible all -m shell -a 'wget … | bash'`: the module's arguments, a command line run on every host (shell, command, raw).
  ['ansible', { kind: 'option', options: [{ names: ['-a', '--args'], command: whole, shell: () => 'sh' }] }],
  // `gcloud compute ssh HOST --command '…'`: run by the VM's shell.
  ['gcloud', { kind: 'option', options: [{ names: ['--command'], command: whole, shell: () => 'sh' }] }],
  // Cloud run-command: the script runs on a cloud VM, as the VM's agent (SYSTEM or root).
  ['az', { kind: 'option', options: [{ names: ['--scripts'], command: whole, shell: azRunCommandShell }] }],
  [
    'invoke-azvmruncommand',
    {
      kind: 'option',
      options: [{ names: ['-ScriptString', '-scriptstring', '-Scriptstring'], command: whole, shell: () => 'powershell' }],
    },
  ],
  ['rsync', { kind: 'option', options: [{ names: ['-e', '--rsh'], command: whole }] }],
  [
    'tar',
    {
      kind: 'option',
      options: [
        { names: ['--checkpoint-action'], command: afterKey(['exec']) },
        { names: ['--to-command', '--use-compress-program', '-I', '--info-script', '--new-volume-script', '-F'], command: whole },
      ],
    },
  ],
  ['zip', { kind: 'option', options: [{ names: ['-TT', '--unzip-command'], command: whole }] }],
  ['vim', VIM_COMMANDS],
  ['vi', VIM_COMMANDS],
  ['nvim', VIM_COMMANDS],
  ['view', VIM_COMMANDS],
  ['ex', VIM_COMMANDS],
  [
    'gdb',
    {
      kind: 'option',
      options: [
        { names: ['-ex', '--ex', '-eval-command', '--eval-command'], command: gdbShellCommand },
        { names: ['-ex', '--ex', '-eval-command', '--eval-command'], command: gdbPython, language: 'python' },
      ],
    },
  ],
  ['python', { kind: 'code', language: 'python', options: new Set(['-c']) }],
  ['python2', { kind: 'code', language: 'python', options: new Set(['-c']) }],
  ['python3', { kind: 'code', language: 'python', options: new Set(['-c']) }],
  ['perl', { kind: 'code', language: 'perl', options: new Set(['-e', '-E']) }],
  ['ruby', { kind: 'code', language: 'ruby', options: new Set(['-e']) }],
  ['php', { kind: 'code', language: 'php', options: new Set(['-r']) }],
  ['node', { kind: 'code', language: 'node', options: new Set(['-e', '--eval', '-p', '--print']) }],
  ['nodejs', { kind: 'code', language: 'node', options: new Set(['-e', '--eval', '-p', '--print']) }],
  ['awk', { kind: 'code', language: 'awk', options: new Set(['-e', '--source']), bare: true }],
  ['gawk', { kind: 'code', language: 'awk', options: new Set(['-e', '--source']), bare: true }],
  ['mawk', { kind: 'code', language: 'awk', options: new Set(['-e', '--source']), bare: true }],
  ['nawk', { kind: 'code', language: 'awk', options: new Set(['-e', '--source']), bare: true }],
]);
/** awk options that take the next word as their value (the program text is the first other word). */
const AWK_WITH_VALUE = new Set(['-f', '-v', '-F', '--file', '--assign', '--field-separator']);

/** awk's program text as given on its command line (the first word that is not an option); undefined when it is read from a file (`-f`). */
export function awkProgram(args: readonly Word[]): Word | undefined {
  for (let k = 0; k < args.length; k++) {
    const v = args[k]!.value;
    if (v === '-f' || v === '--file' || v.startsWith('--file=')) return undefined;
    if (AWK_WITH_VALUE.has(v)) k++;
    else if (!v.startsWith('-')) return args[k];
  }
  return undefined;
}

/** Calls that run their string argument with the shell, per language (sticky scan, no backtracking). */
const SHELL_SINKS: Readonly<Record<ScriptLanguage, RegExp>> = {
  python:
    /\b(?:os\.(?:system|popen)|subprocess\.(?:call|run|Popen|check_output|check_call|getoutput|getstatusoutput)|commands\.getoutput|pty\.spawn)[ \t]*\(/g,
  perl: /\b(?:system|exec)\b[ \t]*\(?|\bqx[ \t]*[({[/|!]|`/g,
  ruby: /\b(?:system|exec|spawn|IO\.popen|Open3\.(?:capture2e?|capture3|popen2e?|popen3))\b[ \t]*\(?|%x[({[/|!]|`/g,
  php: /\b(?:system|exec|shell_exec|passthru|popen|proc_open)[ \t]*\(|`/g,
  node: /\b(?:exec|execSync)[ \t]*\(/g,
  awk: /\bsystem[ \t]*\(/g,
};
/** Environment variables whose value git, rsync and others run as a command line. */
const COMMAND_VARIABLES = new Set([
  'git_ssh_command',
  'git_pager',
  'git_editor',
  'git_sequence_editor',
  'git_external_diff',
  'git_proxy_command',
  'rsync_rsh',
]);

export const BASE64_DECODERS = new Set(['base64', 'b64decode', 'gbase64']);

/** Every command name unwrapCommand or storedCommandLines treats specially (others need neither). */
/** Container engines whose `exec`/`run` start a command inside a container. */
const CONTAINER_TOOLS = ['docker', 'podman', 'nerdctl'];
/** Their global options (before the subcommand) that take a value. */
const CONTAINER_GLOBAL_WITH_VALUE = new Set(['-H', '--host', '-c', '--context', '--config', '-l', '--log-level', '--url', '--connection']);
/** Options of `run`/`exec`/`create` that take the next word as their value (`-v /:/host`, `-e K=V`). */
const CONTAINER_OPTIONS_WITH_VALUE = new Set([
  '-v',
  '--volume',
  '-e',
  '--env',
  '--env-file',
  '--name',
  '-p',
  '--publish',
  '--pid',
  '--network',
  '--net',
  '--entrypoint',
  '-w',
  '--workdir',
  '-u',
  '--user',
  '--mount',
  '-l',
  '--label',
  '--add-host',
  '--cap-add',
  '--cap-drop',
  '--device',
  '--security-opt',
  '-h',
  '--hostname',
  '--ipc',
  '--restart',
  '--cpus',
  '-m',
  '--memory',
  '--platform',
  '--ulimit',
  '--gpus',
  '--tmpfs',
  '--volumes-from',
  '--dns',
  '--log-driver',
  '--log-opt',
  '--runtime',
  '--userns',
  '--uts',
  '--group-add',
  '--health-cmd',
  '--stop-signal',
  '--cidfile',
  '--detach-keys',
  '--pull',
]);

/**
 * The words of the command a container tool runs inside the container: `docker exec [opts] CONTAINER
 * CMD …`, `docker run [opts] IMAGE CMD …` (after global options such as `-H unix:///…`), `kubectl exec
 * POD -- CMD …`, `kubectl run NAME --image=X -- CMD …`. Empty when there is none.
 */
export function containerCommandWords(cmd: SimpleCommand): readonly Word[] {
  const words = cmd.words;
  if (cmd.name === 'kubectl' || cmd.name === 'oc') {
    const sub = words.findIndex((w, k) => k > 0 && !w.value.startsWith('-'));
    const verb = words[sub]?.lower;
    if (verb !== 'exec' && verb !== 'run' && verb !== 'debug') return [];
    const dashes = words.findIndex((w, k) => k > sub && w.value === '--');
    return dashes > 0 ? words.slice(dashes + 1) : [];
  }
  if (!CONTAINER_TOOLS.includes(cmd.name)) return [];
  let k = 1;
  while (k < words.length && (words[k] as Word).value.startsWith('-'))
    k += CONTAINER_GLOBAL_WITH_VALUE.has((words[k] as Word).value) ? 2 : 1;
  let verb = words[k]?.lower;
  if (verb === 'container') verb = words[++k]?.lower;
  if (verb !== 'exec' && verb !== 'run' && verb !== 'create') return [];
  for (k++; k < words.length; k++) {
    const v = (words[k] as Word).value;
    if (v === '--') continue;
    if (!v.startsWith('-')) break;
    if (CONTAINER_OPTIONS_WITH_VALUE.has(v)) k++;
  }
  // words[k] is the container (exec) or the image (run): what follows is the command, unless it is only
  // options for the image's own entrypoint (`node-exporter --path.rootfs=/host`).
  const inside = words.slice(k + 1);
  return inside.length > 0 && !(inside[0] as Word).value.startsWith('-') ? inside : [];
}

/** One cron time field: minutes, hours, days, months or weekdays (`*`, `1-5`, `0,30`, `mon`, steps such as every 5). */
const CRON_FIELD = /^[0-9a-z*][0-9a-z*/,-]{0,31}$/i;

/**
 * Tools that run one command line on many hosts over ssh (`pssh -h hosts.txt -i 'cmd'`, `pdsh -w web[1-4] cmd`,
 * `clush -a cmd`), with their options that take a value; the words after the options are the command line.
 */
const PSSH_OPTIONS_WITH_VALUE: ReadonlySet<string> = new Set([
  '-h',
  '-H',
  '-l',
  '-p',
  '-o',
  '-e',
  '-t',
  '-x',
  '-X',
  '-O',
  '--hosts',
  '--host',
  '--user',
  '--par',
]);
const PARALLEL_SHELLS: ReadonlyMap<string, ReadonlySet<string>> = new Map([
  ['pssh', PSSH_OPTIONS_WITH_VALUE],
  ['parallel-ssh', PSSH_OPTIONS_WITH_VALUE],
  ['pdsh', new Set(['-w', '-x', '-g', '-X', '-l', '-t', '-u', '-f', '-R'])],
  ['clush', new Set(['-w', '-x', '-g', '-X', '-l', '-t', '-u', '-f', '-R', '-o', '--nodes', '--group'])],
]);

const UNWRAPPED_NAMES = new Set([
  ...POSIX_SHELLS,
  'su',
  'runuser',
  ...INTERPRETERS,
  'cmd',
  ...POWERSHELL_HOSTS,
  'invoke-expression',
  'eval',
  'start-process',
  'start',
  ...RUNNER_PREFIXES,
  ...STORING_COMMANDS,
  'forfiles',
  ...CARRIERS.keys(),
  ...CONTAINER_TOOLS,
  'kubectl',
  'oc',
  'aws',
  'defaults',
  ...PARALLEL_SHELLS.keys(),
]);

function shellOfProgram(name: string): Shell {
  if (name === 'zsh') return 'zsh';
  if (name === 'bash') return 'bash';
  return 'sh';
}

/**
 * Where the command carried as argv by `xargs [options] CMD …` or `wsl [-d X] -e CMD …` starts: the word
 * after a marker option, else the first word that is not an option; -1 when there is none.
 */
function argvStart(words: readonly Word[], carrier: Carrier & { kind: 'argv' }): number {
  const { markers, withValue } = carrier;
  for (let k = 1; k < words.length; k++) {
    const w = words[k] as Word;
    const v = w.value;
    if (markers?.has(v)) return k + 1 < words.length ? k + 1 : -1;
    if (withValue?.has(v)) {
      k++;
      continue;
    }
    if (v.startsWith('-') && v.length > 1 && !w.quoted) continue;
    return k;
  }
  return -1;
}

/** The program word of the command `wsl` is given to run (`wsl -d Ubuntu -e /mnt/c/x/tool`), if any. */
export function wslProgram(cmd: SimpleCommand): Word | undefined {
  const carrier = CARRIERS.get('wsl');
  if (cmd.name !== 'wsl' || carrier?.kind !== 'argv') return undefined;
  const start = argvStart(cmd.words, carrier);
  return start > 0 ? cmd.words[start] : undefined;
}

export class Unwrapper {
  /** How many of the builder's assignments and carried layers were already looked at. */
  private assignmentsSeen = 0;
  private carriedSeen = 0;
  /** Process-starting method calls turned into layers so far (see `processStartingCalls`). */
  private processCalls = 0;
  /** Commands read as the cmdlet they amount to so far (see `equivalentCmdletLayer`). */
  private equivalentCmdlets = 0;
  /** PowerShell variables last assigned a hashtable (`$a = @{…}`): the commands its entries were read as. */
  private readonly hashtables = new Map<string, readonly number[]>();

  constructor(
    private readonly b: DocBuilder,
    private readonly original: string,
    private readonly platform: Platform,
  ) {}

  /** Nested texts for the commands [from, to) of the builder, parsed at `depth`. */
  find(from: number, to: number, depth: number): NestedText[] {
    const out: NestedText[] = [];
    const b = this.b;
    if (this.assignmentsSeen < b.assignments.length) this.commandVariables(depth, out);
    const carried = b.carriedLayers;
    if (carried !== null) {
      for (; this.carriedSeen < carried.length; this.carriedSeen++) out.push({ layer: carried[this.carriedSeen] as Layer, lex: true });
    }
    const derived = b.derivedCommandLines;
    // The commands that may decode base64, in order: a cursor instead of a look at every word.
    const base64Calls = b.base64CallCommands;
    let nextBase64Call = firstAtLeast(base64Calls, from);
    for (let i = from; i < to; i++) {
      const cmd = b.commands[i] as SimpleCommand;
      if (cmd.assignTo !== undefined && cmd.shell === 'powershell') this.noteHashtable(cmd);
      const line = derived !== null ? derived.get(i) : undefined;
      if (line !== undefined) this.derivedCommandLine(cmd, line, depth, out);
      while (nextBase64Call < base64Calls.length && (base64Calls[nextBase64Call] as number) < i) nextBase64Call++;
      if (isSourcedStdin(cmd)) {
        this.stdinText(cmd, cmd.shell, depth, out);
        continue;
      }
      if (isSourcing(cmd)) {
        const script = cmd.words[1];
        if (script !== undefined) this.processSubstitutionScript(i, script, cmd.shell, depth, out);
        continue;
      }
      if (!UNWRAPPED_NAMES.has(cmd.name)) {
        // The common case: a command that runs or stores no command line; only a PowerShell word can still decode base64.
        if (base64Calls[nextBase64Call] === i) this.fromBase64Constants(cmd, depth, out);
        else if (cmd.name === 'new-object') this.processStartInfo(cmd, depth, out);
        else if (GPO_REGISTRY_SETTERS.has(cmd.name)) this.equivalentCmdletLayer(gpoRegistryCmdlet(cmd), cmd, depth, out);
        else if ((cmd.name === 'echo' || cmd.name === 'printf') && cmd.shell !== 'powershell' && cmd.shell !== 'cmd' && this.mentionsCron())
          this.cronEntryCommand(cmd, depth, out);
        // A method call is an expression: it stands as a command of its own, with no name (also when it is an argument).
        if (cmd.shell === 'powershell' && cmd.name === '') {
          this.processStartingCalls(cmd, depth, out);
          if (cmd.parent !== undefined && cmd.words.length === 1) this.scriptBlockConstant(cmd, i, depth, out);
        }
        continue;
      }
      const before = out.length;
      this.unwrapCommand(cmd, i, depth, out);
      if (out.length === before) this.storedCommandLines(cmd, depth, out);
    }
    return out;
  }

  private unwrapCommand(cmd: SimpleCommand, index: number, depth: number, out: NestedText[]): void {
    const name = cmd.name;
    const words = cmd.words;
    if (POSIX_SHELLS.has(name) || name === 'su' || name === 'runuser') {
      const shell = shellOfProgram(name === 'su' || name === 'runuser' ? 'sh' : name);
      let sawC = false;
      let hasScript = false;
      for (let k = 1; k < words.length; k++) {
        const w = words[k] as Word;
        if (sawC) {
          out.push(this.wordsLayer([w], shell, depth, 'nested_shell'));
          return;
        }
        if (optionClusterHas(w.value, 'c', true) && !w.quoted) sawC = true;
        else if (w.value === '-s' || w.value === '-') continue;
        else if (!w.value.startsWith('-')) {
          if (!hasScript && !(name === 'busybox' && k === 1)) this.processSubstitutionScript(index, w, shell, depth, out);
          hasScript = true;
        }
        if (name === 'busybox' && k === 1) continue;
      }
      if (!hasScript) this.stdinText(cmd, shell, depth, out);
      return;
    }
    if (name === 'osascript') {
      this.appleScriptShellScripts(cmd, depth, out);
      return;
    }
    if (name === 'defaults') {
      this.launchdProgramArguments(cmd, depth, out);
      return;
    }
    if (CONTAINER_TOOLS.includes(name) || name === 'kubectl' || name === 'oc') {
      const inside = containerCommandWords(cmd);
      // Run by the container's own shell when given one (`sh -c '…'`); argv otherwise.
      if (inside.length > 0) out.push(this.argvLayer(inside, 'sh', depth));
      return;
    }
    if (name === 'aws') {
      this.ssmCommands(cmd, depth, out);
      return;
    }
    const carrier = CARRIERS.get(name);
    if (carrier) {
      this.carried(cmd, carrier, depth, out);
      if (name === 'ssh') this.sshRemoteCommand(cmd, depth, out);
      return;
    }
    const parallel = PARALLEL_SHELLS.get(name);
    if (parallel !== undefined) {
      const words = cmd.words;
      let k = 1;
      while (k < words.length && (words[k] as Word).value.startsWith('-')) k += parallel.has((words[k] as Word).value) ? 2 : 1;
      if (k < words.length) out.push(this.wordsLayer(words.slice(k), 'sh', depth, 'nested_shell'));
      return;
    }
    if (INTERPRETERS.has(name)) return;
    if (name === 'forfiles') {
      this.forfilesCommand(cmd, depth, out);
      return;
    }
    if (name === 'cmd' && cmd.shell !== 'powershell') {
      this.cmdSlashC(cmd, depth, out);
      return;
    }
    if (name === 'cmd') {
      this.cmdSlashC(cmd, depth, out);
      return;
    }
    if (POWERSHELL_HOSTS.has(name)) {
      this.powershellHost(cmd, depth, out);
      return;
    }
    if (name === 'invoke-expression' && cmd.shell === 'powershell') {
      const arg = words.slice(1).find((w) => !/^-c(o(m(m(a(nd?)?)?)?)?)?$/i.test(w.value));
      if (arg && (isConstantWord(arg) || this.singleQuoted(arg))) out.push(this.wordsLayer([arg], 'powershell', depth, 'constant_string'));
      else if (!arg) this.pipedConstant(cmd, 'powershell', depth, out);
      return;
    }
    if (name === 'eval' && cmd.shell !== 'powershell' && cmd.shell !== 'cmd') {
      const args = words.slice(1);
      if (args.length > 0 && args.every((w) => isConstantWord(w) || this.singleQuoted(w))) {
        out.push(this.wordsLayer(args, cmd.shell, depth, 'constant_string'));
      }
      return;
    }
    if (cmd.shell === 'powershell') this.fromBase64Constants(cmd, depth, out);
  }

  /**
   * A command whose command word's output was derived (`$(echo B64 | base64 -d) args`): that output
   * followed by the other words is what runs. The shell only splits the output into words; lexing it
   * as a command line also sees what it would take for `eval` (`curl … | sh` inside the payload).
   */
  private derivedCommandLine(cmd: SimpleCommand, line: DerivedText, depth: number, out: NestedText[]): void {
    if (cmd.words.length === 1 || line.complete === true) {
      out.push({ layer: derivedLayer(line.span, line.text, cmd.shell, depth, line.origin), lex: true });
      return;
    }
    const builder = new PieceTextBuilder();
    builder.append(line.text, line.span);
    // The arguments are values already: in a POSIX shell they are quoted again, so that `f -c 'import os; …'` stays one word.
    const posix = cmd.shell !== 'powershell' && cmd.shell !== 'cmd';
    for (let k = 1; k < cmd.words.length; k++) {
      const w = cmd.words[k] as Word;
      builder.separator(' ');
      builder.append(posix && !PLAIN_POSIX_WORD.test(w.value) ? shellQuoted(w.value) : w.value, w.span);
    }
    out.push({ layer: builder.build(cmd.shell, depth, line.origin), lex: true });
  }

  /** `cmd /c …`, `cmd /k …`, `cmd /r …`: the rest of the line is a cmd command line. */
  private cmdSlashC(cmd: SimpleCommand, depth: number, out: NestedText[]): void {
    const words = cmd.words;
    // `cmd /v:on /c …`: `!var!` expands when the command runs (so `set a=x&& !a!` works on one line).
    let delayed = false;
    for (let k = 1; k < words.length; k++) {
      const w = words[k] as Word;
      const lower = w.lower;
      if (lower === '/v' || lower === '/v:on') delayed = true;
      let nested: NestedText | undefined;
      if (lower === '/c' || lower === '/k' || lower === '/r') {
        const rest = words.slice(k + 1);
        // One word is the whole command line (`cmd /c "a & b"`: cmd strips the outer quotes). Of several, a quoted
        // one stays one argument (`cmd /c start /min powershell -c "irm … | iex"`): its `|` is not cmd's pipe.
        if (rest.length === 1) nested = this.wordsLayer(rest, 'cmd', depth, 'nested_shell');
        else if (rest.length > 1) nested = this.commandLineLayer(rest, depth);
      } else if (lower.startsWith('/c') || lower.startsWith('/k') || lower.startsWith('/r')) {
        const first = { ...w, value: w.value.slice(2), lower: lower.slice(2), span: w.span };
        nested = this.wordsLayer([first, ...words.slice(k + 1)], 'cmd', depth, 'nested_shell');
      } else continue;
      if (nested) {
        if (delayed) DELAYED_EXPANSION_LAYERS.add(nested.layer);
        out.push(nested);
      }
      return;
    }
  }

  /**
   * `forfiles … /c "cmd /c …"`: forfiles runs its /c value as a command line for every file it finds,
   * after replacing `0xHH` codes by their characters.
   */
  private forfilesCommand(cmd: SimpleCommand, depth: number, out: NestedText[]): void {
    const words = cmd.words;
    for (let k = 1; k < words.length; k++) {
      const w = words[k] as Word;
      const lower = w.lower;
      if (lower.length < 2 || (lower[0] !== '/' && lower[0] !== '-') || lower[1] !== 'c') continue;
      let command: Word | undefined;
      if (lower.length === 2 && !w.quoted) command = words[k + 1];
      else if (lower.length > 2 && w.quoted) command = { ...w, value: w.value.slice(2), lower: lower.slice(2), span: w.span };
      if (!command) continue;
      const decoded = command.value.replace(/0x([0-9a-fA-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
      if (decoded !== command.value) out.push({ layer: derivedLayer(command.span, decoded, 'cmd', depth, 'char_codes'), lex: true });
      else out.push(this.wordsLayer([command], 'cmd', depth, 'nested_shell'));
      return;
    }
  }

  /**
   * `osascript -e 'do shell script "…"'` (AppleScript) and `-e 'app.doShellScript("…")'` (JavaScript):
   * the string is run by /bin/sh. Its text is built from string literals joined by `&` (AppleScript)
   * or `+` (JavaScript); an operand that is not a literal stands in by its own text.
   */
  private appleScriptShellScripts(cmd: SimpleCommand, depth: number, out: NestedText[]): void {
    const words = cmd.words;
    for (let k = 1; k < words.length - 1; k++) {
      const option = words[k] as Word;
      if (option.quoted || option.value !== '-e') continue;
      const script = words[++k] as Word;
      const base = this.verbatimOffset(script);
      const text = script.value;
      // Terminal's `do script "…"` (JavaScript `doScript(…)`) types the command into a new shell window.
      // JavaScript's `$.system(…)` (the C library's, through `ObjC.import('stdlib')`) runs /bin/sh -c too.
      // JavaScript's NSTask given a shell and `["-c", "…"]` runs that text as a shell command line.
      const starts =
        text.length < 65_536 && text.toLowerCase().includes('nstask')
          ? /\bdo[ \t]+(?:shell[ \t]+)?script\b|\bdo(?:Shell)?Script[ \t]*\(|\$\.system[ \t]*\(|["']-c["'][ \t]*,[ \t]*/gi
          : /\bdo[ \t]+(?:shell[ \t]+)?script\b|\bdo(?:Shell)?Script[ \t]*\(|\$\.system[ \t]*\(/gi;
      // Scanning resumes after the expression just read (linear), for a bounded number of scripts per word.
      let tries = 0;
      for (let m = starts.exec(text); m !== null && tries < 16; m = starts.exec(text)) {
        tries++;
        const { pieces, end } = scriptStringPieces(text, m.index + m[0].length, m[0].endsWith('('));
        starts.lastIndex = Math.max(starts.lastIndex, end);
        if (pieces.length === 0) continue;
        const only = pieces[0] as ScriptPiece;
        if (pieces.length === 1 && base >= 0 && text.slice(only.start, only.end) === only.text) {
          out.push({ layer: offsetLayer(base + only.start, this.original.length, only.text, 'sh', depth, 'nested_shell'), lex: true });
          continue;
        }
        const builder = new PieceTextBuilder();
        for (const piece of pieces)
          builder.append(piece.text, base >= 0 ? { start: base + piece.start, end: base + piece.end } : script.span);
        out.push({ layer: builder.build('sh', depth, 'nested_shell'), lex: true });
      }
      this.appleScriptDeletions(script, base, depth, out);
    }
  }

  /**
   * `tell application "Finder" to delete POSIX file "/var/log/system.log"`: deleting through the Finder is
   * `rm` by other means, and is analysed as one (log destruction, security tools removed …).
   */
  private appleScriptDeletions(script: Word, base: number, depth: number, out: NestedText[]): void {
    const text = script.value;
    const deletions = /\bdelete[ \t]+(?:\([ \t]*)?POSIX[ \t]+file\b/gi;
    let tries = 0;
    for (let m = deletions.exec(text); m !== null && tries < 16; m = deletions.exec(text)) {
      tries++;
      const { pieces, end } = scriptStringPieces(text, m.index + m[0].length, false);
      deletions.lastIndex = Math.max(deletions.lastIndex, end);
      if (pieces.length === 0) continue;
      const at = (start: number, end: number): Span => (base >= 0 ? { start: base + start, end: base + end } : script.span);
      const builder = new PieceTextBuilder();
      builder.append('rm ', at(m.index, m.index + 6));
      builder.append(
        shellQuoted(pieces.map((p) => p.text).join('')),
        at((pieces[0] as ScriptPiece).start, (pieces.at(-1) as ScriptPiece).end),
      );
      out.push({ layer: builder.build('sh', depth, 'nested_shell'), lex: true });
    }
  }

  /** A command line carried in another program's argument (see CARRIERS). */
  private carried(cmd: SimpleCommand, carrier: Carrier, depth: number, out: NestedText[]): void {
    const posixHost = cmd.shell !== 'cmd' && cmd.shell !== 'powershell';
    // What the program hands its command line to: /bin/sh, or cmd.exe on Windows.
    const systemShell: Shell = this.platform === 'windows' ? 'cmd' : 'sh';
    if (carrier.kind === 'argv') {
      if (cmd.name !== 'wsl' && !posixHost && this.platform === 'windows') return; // cmd's find is a text search
      this.carriedArgv(cmd, carrier, cmd.name === 'wsl' || !posixHost ? 'sh' : cmd.shell, depth, out);
      return;
    }
    const words = cmd.words;
    if (carrier.kind === 'code') {
      let bareSeen = false;
      for (let k = 1; k < words.length; k++) {
        const w = words[k] as Word;
        const v = w.value;
        if (carrier.options.has(v)) {
          const code = words[++k];
          if (code) this.codeCommands(code, 0, carrier.language, systemShell, depth, out, true);
          continue;
        }
        // Bundled switches ending in the code option (`perl -le '…'`, `python3 -Ic '…'`).
        if (/^-[A-Za-z]+$/.test(v) && v.length > 2 && carrier.options.has('-' + v[v.length - 1])) {
          const code = words[++k];
          if (code) this.codeCommands(code, 0, carrier.language, systemShell, depth, out, true);
          continue;
        }
        if (!carrier.bare || bareSeen) continue;
        if (AWK_WITH_VALUE.has(v)) k++;
        else if (!v.startsWith('-') || v === '-') {
          bareSeen = true;
          this.codeCommands(w, 0, carrier.language, systemShell, depth, out, true);
        }
      }
      return;
    }
    for (let k = 1; k < words.length; k++) {
      const w = words[k] as Word;
      const v = w.value;
      for (const option of carrier.options) {
        for (const name of option.names) {
          let valueWord: Word | undefined;
          let at = 0;
          if (v === name) valueWord = words[k + 1];
          else if (v.length > name.length && v.startsWith(name) && (!name.startsWith('--') || v[name.length] === '=')) {
            valueWord = w;
            at = name.length + (name.startsWith('--') ? 1 : 0);
          }
          if (!valueWord) continue;
          const start = option.command(valueWord.value.slice(at));
          if (start < 0) continue;
          const runsIn = option.shell ? option.shell(cmd) : systemShell;
          if (option.language) this.codeCommands(valueWord, at + start, option.language, runsIn, depth, out, true);
          else out.push({ layer: this.substringLayer(valueWord, at + start, runsIn, depth), lex: true });
        }
      }
    }
  }

  /** `find … -exec CMD ARGS \;`, `xargs [options] CMD ARGS`, `wsl -e CMD ARGS`: a command given as argv. */
  private carriedArgv(cmd: SimpleCommand, carrier: Carrier & { kind: 'argv' }, shell: Shell, depth: number, out: NestedText[]): void {
    const words = cmd.words;
    const { markers, terminators, withValue } = carrier;
    if (markers && !withValue) {
      // find: every -exec … ; in the expression.
      for (let k = 1; k < words.length; k++) {
        if (!markers.has((words[k] as Word).value)) continue;
        const start = k + 1;
        let end = start;
        while (end < words.length && !(terminators?.has((words[end] as Word).value) && !(words[end] as Word).quoted)) end++;
        if (end > start) out.push(this.argvLayer(words.slice(start, end), shell, depth));
        k = end;
      }
      return;
    }
    const start = argvStart(words, carrier);
    if (start > 0) out.push(this.argvLayer(words.slice(start), shell, depth));
  }

  /**
   * `. <(echo 'sudo msfconsole')`, `source <(printf '%s\n' '…')`, `bash <(cat <<'EOF' … EOF)`: the script read
   * is the constant output of the process substitution.
   */
  private processSubstitutionScript(index: number, script: Word, shell: Shell, depth: number, out: NestedText[]): void {
    const nested = script.nested;
    if (nested === undefined || nested.length === 0 || this.original.slice(script.span.start, script.span.start + 2) !== '<(') return;
    let pipeline = -1;
    let last = -1;
    for (const k of nested) {
      const inner = this.b.commands[k];
      if (inner === undefined || (inner.parent !== undefined && inner.parent !== index)) continue;
      if (pipeline >= 0 && inner.pipeline !== pipeline) return; // a list: its outputs follow one another
      pipeline = inner.pipeline;
      last = Math.max(last, inner.position);
    }
    if (pipeline < 0) return;
    const output = pipelineOutput(this.b, this.b.pipelines[pipeline] ?? [], last);
    if (!output) return;
    this.outputLayer(output, shell, depth, out);
  }

  /**
   * `aws ssm send-command --document-name AWS-RunShellScript --parameters 'commands=["curl … | bash"]'`
   * (also the JSON form `{"commands":[…]}`): each command runs on the instances, in the document's shell.
   */
  private ssmCommands(cmd: SimpleCommand, depth: number, out: NestedText[]): void {
    const words = cmd.words;
    if (words[1]?.lower !== 'ssm' || words[2]?.lower !== 'send-command') return;
    const document = words.find((w, k) => k > 0 && words[k - 1]?.value === '--document-name')?.lower ?? '';
    const shell: Shell = document.includes('powershell') ? 'powershell' : 'sh';
    for (let k = 3; k < words.length; k++) {
      const w = words[k] as Word;
      let value: string | undefined;
      if (w.value === '--parameters') value = words[k + 1]?.value;
      else if (w.value.startsWith('--parameters=')) value = w.value.slice(13);
      if (value === undefined) continue;
      for (const line of ssmParameterCommands(value)) {
        const builder = new PieceTextBuilder();
        builder.append(line, (words[k + 1] ?? w).span);
        out.push({ layer: builder.build(shell, depth, 'nested_shell'), lex: true });
      }
    }
  }

  /**
   * `ssh root@host "cd /tmp && wget … && ./e"`: the words after the destination are joined by spaces and
   * run by the remote account's shell (a POSIX shell on the Linux, ESXi and macOS hosts this is used on).
   */
  private sshRemoteCommand(cmd: SimpleCommand, depth: number, out: NestedText[]): void {
    const words = cmd.words;
    let k = 1;
    while (k < words.length) {
      const v = (words[k] as Word).value;
      if (v === '--') {
        k++;
        break;
      }
      if (!v.startsWith('-') || v.length < 2) break;
      // `-p 2222`, `-i key`: the option's value is the next word; `-p2222`, `-tt`, `-oX=y` carry their own.
      k += v.length === 2 && SSH_OPTIONS_WITH_VALUE.has(v[1] as string) ? 2 : 1;
    }
    const command = words.slice(k + 1);
    if (command.length > 0) out.push(this.wordsLayer(command, 'sh', depth, 'nested_shell'));
  }

  /** A command's words as a command line again, each quoted as the shell needs (spans: each word's own; cmd keeps `"` grouping). */
  private argvLayer(words: readonly Word[], shell: Shell, depth: number): NestedText {
    const builder = new PieceTextBuilder();
    for (let k = 0; k < words.length; k++) {
      const w = words[k] as Word;
      if (k > 0) builder.separator(' ');
      const v = w.value;
      if (shell === 'cmd') builder.append(/[\s&|<>^]/.test(v) && !v.includes('"') ? '"' + v + '"' : v, w.span);
      else builder.append(/^[\w@%+=:,./{}-]+$/.test(v) ? v : "'" + v.replace(/'/g, "'\\''") + "'", w.span);
    }
    return { layer: builder.build(shell, depth, 'nested_shell'), lex: true };
  }

  /**
   * `defaults write ~/Library/LaunchAgents/x.plist ProgramArguments -array /bin/sh -c "…"`: a launchd job's program
   * and arguments, written one array item each; launchd runs them as an argv.
   */
  private launchdProgramArguments(cmd: SimpleCommand, depth: number, out: NestedText[]): void {
    const words = cmd.words;
    if (words[1]?.lower !== 'write') return;
    const key = words.findIndex((w, k) => k > 2 && w.lower === 'programarguments');
    const kind = key > 0 ? words[key + 1]?.lower : undefined;
    if (kind !== '-array' && kind !== '-array-add') return;
    const items = words.slice(key + 2);
    if (items.length > 0) out.push(this.argvLayer(items, 'sh', depth));
  }

  /** The part of a word's value from `offset` on, with exact spans when the value stands verbatim in the original. */
  private substringLayer(w: Word, offset: number, shell: Shell, depth: number): Layer {
    const text = w.value.slice(offset);
    const base = this.verbatimOffset(w);
    if (base >= 0) return offsetLayer(base + offset, this.original.length, text, shell, depth, 'nested_shell');
    // A value quoted after its key (`ProxyCommand='…'`, `--rsh="…"`): the text ends the word, before its closing quote.
    const { start, end } = w.span;
    const close = this.original[end - 1];
    const tailEnd = close === "'" || close === '"' ? end - 1 : end;
    if (tailEnd - start >= text.length && this.original.slice(tailEnd - text.length, tailEnd) === text) {
      return offsetLayer(tailEnd - text.length, this.original.length, text, shell, depth, 'nested_shell');
    }
    const builder = new PieceTextBuilder();
    builder.append(text, w.span);
    return builder.build(shell, depth, 'nested_shell');
  }

  /**
   * Inline program text (`python -c`, `perl -e`, awk programs, gdb's `python …`): the string literals given
   * to its system-like calls are command lines run by `shell`. Constant base64 decoded by the code
   * (`eval decode_base64("…")`) is program text too, scanned once more.
   */
  private codeCommands(
    word: Word,
    offset: number,
    language: ScriptLanguage,
    shell: Shell,
    depth: number,
    out: NestedText[],
    decode: boolean,
  ): void {
    const text = offset > 0 ? word.value.slice(offset) : word.value;
    const verbatim = this.verbatimOffset(word);
    const base = verbatim >= 0 ? verbatim + offset : -1;
    this.scanCode(text, base, word.span, language, shell, depth, out, decode);
  }

  private scanCode(
    text: string,
    base: number,
    fallback: Span,
    language: ScriptLanguage,
    shell: Shell,
    depth: number,
    out: NestedText[],
    decode: boolean,
  ): void {
    const sinks = SHELL_SINKS[language];
    sinks.lastIndex = 0;
    // Scanning resumes after each call read (linear), for a bounded number of calls per code text.
    let tries = 0;
    for (let m = sinks.exec(text); m !== null && tries < 16; m = sinks.exec(text)) {
      tries++;
      const token = m[0];
      const after = m.index + token.length;
      let pieces: ScriptPiece[];
      let end: number;
      if (token === '`' || token.startsWith('qx') || token.startsWith('%x')) {
        // A backquoted or qx/%x-delimited command: the text up to the closing delimiter.
        const open = token[token.length - 1] as string;
        const close = open === '(' ? ')' : open === '{' ? '}' : open === '[' ? ']' : open;
        end = text.indexOf(close, after);
        if (end < 0) break;
        pieces = end > after ? [{ text: text.slice(after, end), start: after, end }] : [];
        end++;
      } else {
        ({ pieces, end } = scriptStringPieces(text, after, true));
      }
      sinks.lastIndex = Math.max(sinks.lastIndex, end);
      if (pieces.length > 0) out.push({ layer: this.piecesLayer(text, pieces, base, fallback, shell, depth), lex: true });
    }
    if (!decode) return;
    const decoders = /\b(?:decode_base64|b64decode|decode64|base64_decode)[ \t]*\(/g;
    tries = 0;
    for (let m = decoders.exec(text); m !== null && tries < 16; m = decoders.exec(text)) {
      tries++;
      const { pieces, end } = scriptStringPieces(text, m.index + m[0].length, true);
      decoders.lastIndex = Math.max(decoders.lastIndex, end);
      const only = pieces[0];
      if (pieces.length !== 1 || !only) continue;
      const decoded = decodeBase64Text(only.text.replace(/\s/g, ''), LIMITS.maxDerivedChars);
      if (!decoded) continue;
      const span = base >= 0 ? { start: base + only.start, end: base + only.end } : fallback;
      this.b.note('base64_decoded', span);
      this.scanCode(decoded.text, -1, span, language, shell, depth, out, false);
    }
  }

  /** A layer over string pieces of `text` (which stands at `base` in the original, or -1: all maps to `fallback`). */
  private piecesLayer(text: string, pieces: readonly ScriptPiece[], base: number, fallback: Span, shell: Shell, depth: number): Layer {
    const only = pieces[0] as ScriptPiece;
    if (pieces.length === 1 && base >= 0 && text.slice(only.start, only.end) === only.text) {
      return offsetLayer(base + only.start, this.original.length, only.text, shell, depth, 'nested_shell');
    }
    const builder = new PieceTextBuilder();
    for (const piece of pieces) builder.append(piece.text, base >= 0 ? { start: base + piece.start, end: base + piece.end } : fallback);
    return builder.build(shell, depth, 'nested_shell');
  }

  /** Variables whose value a program runs as a command line (`GIT_SSH_COMMAND='…' git …`), assigned since the last call. */
  private commandVariables(depth: number, out: NestedText[]): void {
    const assignments = this.b.assignments;
    for (; this.assignmentsSeen < assignments.length; this.assignmentsSeen++) {
      const a = assignments[this.assignmentsSeen] as Assignment;
      const value = a.value;
      if (value === undefined || value.length < 2) continue;
      const lower = a.name.toLowerCase();
      if (!COMMAND_VARIABLES.has(lower.startsWith('env:') ? lower.slice(4) : lower)) continue;
      const shell: Shell = this.platform === 'windows' ? 'cmd' : 'sh';
      const { end } = a.span;
      let at = -1;
      if (this.original.slice(end - value.length, end) === value) at = end - value.length;
      else if (this.original.slice(end - 1 - value.length, end - 1) === value) at = end - 1 - value.length;
      const layer =
        at >= 0
          ? offsetLayer(at, this.original.length, value, shell, depth, 'nested_shell')
          : derivedLayer(a.span, value, shell, depth, 'nested_shell');
      out.push({ layer, lex: true });
    }
  }

  /** Where a word's value stands verbatim in the original (bare or inside one pair of quotes), or -1. */
  private verbatimOffset(w: Word): number {
    const { start, end } = w.span;
    if (end - start === w.value.length && this.original.slice(start, end) === w.value) return start;
    if (end - start === w.value.length + 2 && this.original.slice(start + 1, end - 1) === w.value) return start + 1;
    return -1;
  }

  /** `powershell [options] -EncodedCommand B64 | -Command … | …` */
  private powershellHost(cmd: SimpleCommand, depth: number, out: NestedText[]): void {
    const words = cmd.words;
    const withArg =
      /^[-/](ex(e(c(u(t(i(o(n(p(o(l(i(cy?)?)?)?)?)?)?)?)?)?)?)?)?|ep|w(i(n(d(o(w(s(t(y(le?)?)?)?)?)?)?)?)?)?|v(e(r(s(i(on?)?)?)?)?)?|ps(c(o(n(s(o(l(e(f(i(le?)?)?)?)?)?)?)?)?)?)?|in(p(u(t(f(o(r(m(at?)?)?)?)?)?)?)?)?|o(u(t(p(u(t(f(o(r(m(at?)?)?)?)?)?)?)?)?)?)?|con(f(i(g(u(r(a(t(i(o(n(n(a(me?)?)?)?)?)?)?)?)?)?)?)?)?)?|wd|workingdirectory|settingsfile|custompipename)$/i;
    for (let k = 1; k < words.length; k++) {
      const w = words[k] as Word;
      const lower = w.lower;
      if (!w.quoted && /^[-/]e(n(c(o(d(e(d(c(o(m(m(a(nd?)?)?)?)?)?)?)?)?)?)?)?)?$|^[-/]ec$/.test(lower)) {
        const payload = words[k + 1];
        const span = payload ? { start: w.span.start, end: payload.span.end } : w.span;
        if (!payload) {
          this.b.note('encoded_command', span, 'missing payload');
          return;
        }
        const decoded = decodeBase64Text(payload.value.replace(/^['"]|['"]$/g, ''), LIMITS.maxDerivedChars);
        if (!decoded) {
          this.b.note('encoded_command', span, 'unresolved');
          return;
        }
        this.b.note('encoded_command', span);
        out.push({ layer: derivedLayer(payload.span, decoded.text, 'powershell', depth, 'encoded_command'), lex: true });
        return;
      }
      if (!w.quoted && /^[-/](c(o(m(m(a(nd?)?)?)?)?)?)?$/i.test(lower) && lower.length >= 2) {
        const rest = words.slice(k + 1);
        // `-Command -`: the command is read from stdin.
        if (rest.length === 1 && rest[0]?.value === '-' && !rest[0].quoted) {
          this.pipedConstant(cmd, 'powershell', depth, out);
          return;
        }
        if (rest.length > 0 && !rest[0]?.value.startsWith('{')) out.push(this.wordsLayer(rest, 'powershell', depth, 'nested_shell'));
        return;
      }
      if (!w.quoted && /^[-/]f(i(le?)?)?$/.test(lower)) return;
      if (!w.quoted && withArg.test(lower)) {
        k++;
        continue;
      }
      if (!w.quoted && /^[-/]/.test(lower) && lower.length > 1) continue;
      // `powershell -` reads its commands from stdin (`echo iex(…) | powershell -`).
      if (w.value === '-' && !w.quoted) {
        this.pipedConstant(cmd, 'powershell', depth, out);
        return;
      }
      // First non-option argument: the rest of the line is the command.
      const rest = words.slice(k);
      if (rest.length > 0 && !rest[0]?.value.startsWith('{')) out.push(this.wordsLayer(rest, 'powershell', depth, 'nested_shell'));
      return;
    }
  }

  /** Text fed to a shell on stdin: here-doc/here-string, or a constant `echo`/`printf` (possibly base64-decoded) earlier in the pipeline. */
  private stdinText(cmd: SimpleCommand, shell: Shell, depth: number, out: NestedText[]): void {
    for (const r of cmd.redirects) {
      if (r.op === '<' && r.heredoc) {
        out.push(this.wordsLayer([r.target], shell, depth, 'nested_shell'));
        return;
      }
    }
    this.pipedConstant(cmd, shell, depth, out);
  }

  /** A pipeline's known output, lexed as `shell` code: its words as written when it is a constant, else the derived text. */
  private outputLayer(output: PipelineOutput, shell: Shell, depth: number, out: NestedText[]): void {
    if (output.words) {
      out.push(this.wordsLayer(output.words, shell, depth, 'nested_shell'));
      return;
    }
    if (output.origin === 'base64') this.b.note('base64_decoded', output.span);
    out.push({ layer: derivedLayer(output.span, output.text, shell, depth, output.origin), lex: true });
  }

  private pipedConstant(cmd: SimpleCommand, shell: Shell, depth: number, out: NestedText[]): void {
    if (cmd.position === 0) return;
    const output = pipelineOutput(this.b, this.b.pipelines[cmd.pipeline] ?? [], cmd.position - 1);
    if (!output) return;
    this.outputLayer(output, shell, depth, out);
  }

  /** `[Convert]::FromBase64String('…')` with the payload written out: decode it (text only, not executed by itself). */
  private fromBase64Constants(cmd: SimpleCommand, depth: number, out: NestedText[]): void {
    for (const w of cmd.words) {
      // Cheap exits before `lower` is built: the call is 17 characters, and lower-casing yields the ASCII '6' and '4'
      // only from themselves and lengthens only 'İ' (to 'i' + U+0307, which the call does not contain).
      if (w.value.length < 17 || !w.value.includes('64')) continue;
      const idx = w.lower.indexOf('frombase64string(');
      if (idx < 0) continue;
      const tail = w.value.slice(idx + 17, idx + 17 + 65536);
      for (const [s, e] of findBase64Runs(tail, 16)) {
        const token = tail.slice(s, e);
        const decoded = decodeBase64Text(token, LIMITS.maxDerivedChars);
        if (!decoded) continue;
        this.b.note('base64_decoded', w.span);
        out.push({ layer: derivedLayer(w.span, decoded.text, 'powershell', depth, 'base64'), lex: !this.onlyStoredOrShown(cmd) });
      }
    }
  }

  /**
   * Whether a command's value is only stored or shown: it is (or is nested in) the right-hand side of a plain
   * assignment (`$c = [Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($b))`), or a statement that is only
   * that value, which PowerShell prints. Decoding into a variable or onto the screen runs nothing; a later `iex $c`
   * reads the variable's value, where the decoded text is met again.
   */
  private onlyStoredOrShown(cmd: SimpleCommand): boolean {
    let c: SimpleCommand | undefined = cmd;
    for (let up = 0; c !== undefined && up < 8; up++) {
      const alone = c.name === '' && c.position === 0 && (this.b.pipelines[c.pipeline]?.length ?? 1) === 1;
      if (c.assignTo !== undefined) return alone;
      if (c.parent === undefined) return alone && c.invocation === undefined;
      c = this.b.commands[c.parent];
    }
    return false;
  }

  /**
   * `[ScriptBlock]::Create('irm … | iex').Invoke()`, `$ExecutionContext.InvokeCommand.NewScriptBlock('…')`,
   * `.InvokeScript('…')`, `[PowerShell]::Create().AddScript('…')`: a constant string (the argument group, lexed as a command of its own nested in the
   * call's word) made into code and run like Invoke-Expression's.
   */
  private scriptBlockConstant(cmd: SimpleCommand, index: number, depth: number, out: NestedText[]): void {
    const arg = cmd.words[0] as Word;
    if (!isConstantWord(arg) && !this.singleQuoted(arg)) return;
    const caller = this.b.commands[cmd.parent as number];
    if (caller === undefined) return;
    for (const w of caller.words) {
      if (w.nested === undefined || !w.nested.includes(index)) continue;
      const l = w.lower;
      // `[PowerShell]::Create().AddScript('…')`: the script runs in a new pipeline when it is invoked.
      if (
        l.includes('scriptblock]::create(') ||
        l.includes('newscriptblock(') ||
        l.includes('invokescript(') ||
        l.includes('.addscript(')
      ) {
        out.push(this.wordsLayer([arg], 'powershell', depth, 'constant_string'));
      }
      return;
    }
  }

  /** A word written as one single-quoted literal, which expands nothing whatever it holds (`'$u=''https://…''; iex …'`, `'sh -c "$(curl …)"'`). */
  private singleQuoted(w: Word): boolean {
    return writtenAsLiteral(this.original, w);
  }

  private cronMentioned: boolean | undefined;

  /** Whether the text names crontab or a cron folder at all (looked up once). */
  private mentionsCron(): boolean {
    this.cronMentioned ??= this.original.includes('cron');
    return this.cronMentioned;
  }

  /**
   * `(crontab -l; echo "0 * * * * curl -s http://… | sh") | crontab -`, `echo '@reboot root /tmp/x' >> /etc/crontab`:
   * an entry written for cron holds the command cron will run, analysed as a shell command line like `sh -c`'s.
   * The entry is recognised by its five time fields (or an `@reboot`-style keyword); in /etc/crontab and /etc/cron.d
   * a user name follows them.
   */
  private cronEntryCommand(cmd: SimpleCommand, depth: number, out: NestedText[]): void {
    const words = cmd.words.slice(1).filter((w, i) => !(i === 0 && /^-[neE]+$/.test(w.value)));
    if (words.length !== 1) return;
    const entry = words[0] as Word;
    const text = entry.value;
    if (text.length > 16_384) return;
    const systemTable = cmd.redirects.some((r) => r.target.lower.includes('/etc/crontab') || r.target.lower.includes('/etc/cron.d/'));
    let at = 0;
    const nextToken = (): string => {
      while (at < text.length && (text[at] === ' ' || text[at] === '\t')) at++;
      const start = at;
      while (at < text.length && text[at] !== ' ' && text[at] !== '\t') at++;
      return text.slice(start, at);
    };
    const first = nextToken();
    if (first.startsWith('@')) {
      if (!/^@[a-z]+$/.test(first)) return;
    } else {
      if (!CRON_FIELD.test(first)) return;
      for (let k = 0; k < 4; k++) if (!CRON_FIELD.test(nextToken())) return;
    }
    if (systemTable) nextToken();
    while (at < text.length && (text[at] === ' ' || text[at] === '\t')) at++;
    if (at >= text.length) return;
    const command = text.slice(at);
    const base = this.verbatimOffset(entry);
    const layer =
      base >= 0
        ? offsetLayer(base + at, this.original.length, command, 'sh', depth, 'nested_shell')
        : derivedLayer(entry.span, command, 'sh', depth, 'nested_shell');
    out.push({ layer, lex: true });
  }

  /** Quoted command lines stored in arguments (`schtasks /tr "powershell …"`, `reg add … /d "cmd /c …"`). */
  private storedCommandLines(cmd: SimpleCommand, depth: number, out: NestedText[]): void {
    const words = cmd.words;
    // `Start-Process powershell -ArgumentList '…'` / `start "" cmd /c …`
    if (cmd.name === 'start-process' || cmd.name === 'start') {
      let program: Word | undefined;
      // `-ArgumentList a,b,c` (a list: each item one argument) rather than one string (the raw command line).
      let listed = false;
      const args: Word[] = [];
      if (cmd.shell !== 'powershell') {
        // cmd's `start ["title"] [/d dir] [/b …] program …`: everything after the program is the program's command line.
        const at = cmdStartProgramIndex(words, 1);
        if (at >= 0) {
          program = words[at];
          args.push(...words.slice(at + 1));
        }
      } else
        for (let k = 1; k < words.length; k++) {
          const w = words[k] as Word;
          const l = w.lower;
          if (/^-(f(i(l(e(p(a(th?)?)?)?)?)?)?)$/.test(l)) {
            program = words[++k];
          } else if (/^-a(r(g(u(m(e(n(t(l(i(st?)?)?)?)?)?)?)?)?)?)?$|^-args$/.test(l)) {
            // `-ArgumentList '-nop','-c','irm … | iex'`: a list is its items, each one argument.
            const a = words[++k];
            if (a) args.push(a);
            while (words[k + 1]?.value === ',' && words[k + 2] !== undefined) {
              args.push(words[k + 2] as Word);
              listed = true;
              k += 2;
            }
          } else if (l.startsWith('-')) {
            if (words[k + 1] && !words[k + 1]?.value.startsWith('-')) k++;
          } else if (!program) program = w;
          else args.push(w);
        }
      if (program && COMMAND_LINE_PROGRAMS.has(programName(program.value))) {
        // cmd's `start` passes its arguments on as written: keep the quotes that group them. The items of a Start-Process
        // argument list are separate arguments too (`'-c','irm … | iex'`); one string is the raw command line.
        if (cmd.shell === 'cmd' || listed)
          out.push(this.argvLayer([program, ...(listed ? joinedListItems(program, args) : args)], 'cmd', depth));
        else out.push(this.wordsLayer([program, ...args], this.platform === 'windows' ? 'cmd' : 'sh', depth, 'nested_shell'));
      }
      return;
    }
    if (RUNNER_PREFIXES.has(cmd.name)) {
      // Skip the runner's own options and host, the rest is the command it runs.
      for (let k = 1; k < words.length; k++) {
        const w = words[k] as Word;
        // `psexec @hosts.txt …`: a file listing the computers, like a `\\host`.
        if (w.value.startsWith('\\\\') || /^[-/]/.test(w.value) || (w.value.startsWith('@') && cmd.name !== 'sudo')) {
          // PsExec's -d (do not wait), -h, -c, -s and -i take no value; sudo's only -D/--chdir does.
          const valued =
            cmd.name === 'sudo' ? /^(-D|--chdir)$/.test(w.value) : RUNNER_VALUE_OPTIONS.test(w.value) && !/^[-/]d$/i.test(w.value);
          if (valued && cmd.name !== 'runas') k++;
          continue;
        }
        // winrs (`-r:host`, `-u:user`: values attached) hands its command line to cmd on the remote machine.
        if (cmd.name === 'winrs') out.push(this.wordsLayer(words.slice(k), 'cmd', depth, 'nested_shell'));
        // In cmd the runner passes its arguments on as written: keep the quotes that group them.
        else if (cmd.shell === 'cmd') out.push(this.argvLayer(words.slice(k), 'cmd', depth));
        else out.push(this.wordsLayer(words.slice(k), this.platform === 'windows' ? 'cmd' : 'sh', depth, 'nested_shell'));
        return;
      }
      return;
    }
    if (!STORING_COMMANDS.has(cmd.name)) return;
    if (cmd.name === 'invoke-cimmethod' && cmd.shell === 'powershell') this.cimMethodLayer(cmd, depth, out);
    if (cmd.name === 'invoke-wmimethod' && cmd.shell === 'powershell') {
      const call = wmiMethodCall(cmd);
      // `Invoke-WmiMethod -Class Win32_Process -Name Create -ArgumentList 'schtasks /create …'`: the first item is the command line started.
      if (call.process !== undefined) {
        out.push(this.wordsLayer([makeWord(call.process.value, call.process.span, { quoted: true })], 'cmd', depth, 'nested_shell'));
        return;
      }
      this.equivalentCmdletLayer(call.cmdlet, cmd, depth, out);
    }
    for (let k = 1; k < words.length; k++) {
      const w = words[k] as Word;
      if (w.nested && cmd.shell === 'powershell') this.commandLineEntries(w.nested, depth, out);
      if (!w.quoted || w.value.length < 4 || w.nested) continue;
      const firstToken = w.value.trimStart().split(/[\s"']/, 1)[0] ?? '';
      const prog = programName(firstToken);
      if (!COMMAND_LINE_PROGRAMS.has(prog)) continue;
      if (w.value.trimStart().length === firstToken.length) continue; // a bare program name, no command line
      const shell: Shell = this.platform === 'windows' || cmd.shell === 'cmd' || cmd.shell === 'powershell' ? 'cmd' : 'sh';
      out.push(this.wordsLayer([w], shell, depth, 'nested_shell'));
    }
  }

  /**
   * `Invoke-CimMethod Win32_Process Create -Arguments @{CommandLine='powershell -enc …'}`: a hashtable
   * entry `CommandLine=…` (read as a command of its own inside the table) holds the command line started.
   */
  private commandLineEntries(nested: readonly number[], depth: number, out: NestedText[]): void {
    for (const idx of nested) {
      const entry = this.b.commands[idx];
      if (!entry) continue;
      const found = hashtableEntry(entry.words);
      if (found?.key.lower !== 'commandline') continue;
      // The key says it is a command line (Win32_Process.Create's, an event consumer's): whatever program it starts.
      const line = found.value;
      if (line.value.trim() !== '')
        out.push(this.wordsLayer([makeWord(line.value, line.span, { quoted: true })], 'cmd', depth, 'nested_shell'));
    }
  }

  /** Keeps the hashtable a variable is assigned (its entries are commands nested in the one word), or forgets it. */
  private noteHashtable(cmd: SimpleCommand): void {
    const name = cmd.assignTo as string;
    const only = cmd.words.length === 1 ? cmd.words[0] : undefined;
    if (only?.nested !== undefined && only.value === '{…}') this.hashtables.set(name, only.nested);
    else if (this.hashtables.size > 0) this.hashtables.delete(name);
  }

  /** The entries of a hashtable argument: written in place (`-Arguments @{…}`) or a variable assigned one. */
  private hashtableEntries(w: Word): HashtableEntry[] | undefined {
    const nested = w.nested ?? (w.value.startsWith('$') ? this.hashtables.get(w.lower.slice(1)) : undefined);
    if (nested === undefined) return undefined;
    const entries: HashtableEntry[] = [];
    for (const k of nested) {
      const entry = hashtableEntry(this.b.commands[k]?.words ?? []);
      if (entry !== undefined && entries.push(entry) >= MAX_HASHTABLE_ENTRIES) break;
    }
    return entries;
  }

  /** `Invoke-CimMethod -ClassName MSFT_MpPreference -MethodName Set -Arguments @{…}`: the cmdlet the call amounts to (see equivalent-cmdlets). */
  private cimMethodLayer(cmd: SimpleCommand, depth: number, out: NestedText[]): void {
    const pipeline = this.b.pipelines[cmd.pipeline];
    const piped = cmd.position > 0 && pipeline !== undefined ? this.b.commands[pipeline[cmd.position - 1] as number] : undefined;
    this.equivalentCmdletLayer(
      cimMethodCmdlet(cmd, piped, (w) => this.hashtableEntries(w)),
      cmd,
      depth,
      out,
    );
  }

  /** A layer of the cmdlet command line another command amounts to (see equivalent-cmdlets). */
  private equivalentCmdletLayer(pieces: CmdletPiece[] | undefined, cmd: SimpleCommand, depth: number, out: NestedText[]): void {
    if (pieces === undefined) return;
    if (++this.equivalentCmdlets > MAX_PROCESS_CALLS) {
      this.b.note('budget_exhausted', cmd.span, 'too many WMI method calls or policy settings to analyse');
      return;
    }
    const builder = new PieceTextBuilder();
    pieces.forEach((piece, k) => {
      if (k > 0) builder.separator(' ');
      builder.append(piece.text, piece.span);
    });
    out.push({ layer: builder.build('powershell', depth, 'nested_shell'), lex: true });
  }

  /** `New-Object Diagnostics.ProcessStartInfo 'powershell.exe','-enc …'`: the program and its arguments are started. */
  private processStartInfo(cmd: SimpleCommand, depth: number, out: NestedText[]): void {
    const words = cmd.words;
    const type = words[1];
    if (!type || !type.lower.endsWith('processstartinfo')) return;
    const program = words[2];
    if (!program || !COMMAND_LINE_PROGRAMS.has(programName(program.value))) return;
    const args = words.slice(3).filter((w) => w.value !== ',');
    out.push(this.wordsLayer([program, ...args], 'cmd', depth, 'nested_shell'));
  }

  /**
   * .NET and COM methods that start a process from strings: `[Diagnostics.Process]::Start('prog', 'args')`,
   * `(New-Object -ComObject WScript.Shell).Run('cmd')` / `.Exec(…)`, `Shell.Application`'s
   * `.ShellExecute('prog', 'args')`, `([wmiclass]'win32_process').Create('cmd')`. The command line they
   * start is analysed like any other (as cmd would split it).
   */
  private processStartingCalls(cmd: SimpleCommand, depth: number, out: NestedText[]): void {
    for (const w of cmd.words) {
      if (!mayCallProcessStarter(w.value)) continue;
      const value = w.value.length > PROCESS_CALL_TEXT_LIMIT ? w.value.slice(0, PROCESS_CALL_TEXT_LIMIT) : w.value;
      const calls = PROCESS_STARTING_CALL;
      calls.lastIndex = 0;
      for (let m = calls.exec(value), tries = 0; m !== null && tries < 16; m = calls.exec(value), tries++) {
        const method = (m[1] as string).toLowerCase();
        const receiver = value.slice(Math.max(0, m.index - 64), m.index).toLowerCase();
        if (method === '::start' && !receiver.endsWith('process]')) continue;
        if (method === '.create' && !receiver.includes('win32_process')) continue;
        const { args, end } = callArguments(value, m.index + m[0].length);
        // Searching resumes after the argument list just read: one pass over the word, however calls nest.
        calls.lastIndex = Math.max(calls.lastIndex, end);
        const first = args[0]?.trim();
        if (!first) continue;
        const second = method === '::start' || method === '.shellexecute' ? args[1]?.trim() : undefined;
        const line = second ? first + ' ' + second : first;
        // Each is a layer of its own: a text that starts hundreds of processes this way is abnormal, held for review.
        if (++this.processCalls > MAX_PROCESS_CALLS) {
          this.b.note('budget_exhausted', w.span, 'too many process-starting method calls to analyse');
          return;
        }
        out.push({ layer: derivedLayer(w.span, line, 'cmd', depth, 'nested_shell'), lex: true });
      }
    }
  }

  /** cmd command line of several words, quoted words quoted again where their text holds a blank or an operator. */
  private commandLineLayer(words: Word[], depth: number): NestedText {
    const builder = new PieceTextBuilder();
    for (let k = 0; k < words.length; k++) {
      const w = words[k] as Word;
      if (k > 0) builder.separator(' ');
      const requote = w.quoted === true && !w.value.includes('"') && CMD_SPECIAL.test(w.value);
      builder.append(requote ? `"${w.value}"` : w.value, w.span);
    }
    return { layer: builder.build('cmd', depth, 'nested_shell'), lex: true };
  }

  /** A layer over the values of `words`, with spans as exact as the source allows. */
  private wordsLayer(words: Word[], shell: Shell, depth: number, origin: Layer['origin']): NestedText {
    if (words.length === 1) {
      const w = words[0] as Word;
      const { start, end } = w.span;
      if (this.original.slice(start, end) === w.value)
        return { layer: offsetLayer(start, this.original.length, w.value, shell, depth, origin), lex: true };
      if (end - start === w.value.length + 2 && this.original.slice(start + 1, end - 1) === w.value) {
        return { layer: offsetLayer(start + 1, this.original.length, w.value, shell, depth, origin), lex: true };
      }
    }
    const builder = new PieceTextBuilder();
    words.forEach((w, k) => {
      if (k > 0) builder.separator(' ');
      builder.append(w.value, w.span);
    });
    return { layer: builder.build(shell, depth, origin), lex: true };
  }
}

/** Most commands read from one `--parameters` value. */
const MAX_SSM_COMMANDS = 16;

/** The command lines of an SSM `--parameters` value: `commands=["a","b"]`, `commands=a`, `{"commands":["a"]}`. */
function ssmParameterCommands(value: string): string[] {
  const text = value.trim();
  let list: unknown;
  if (text.startsWith('{')) list = parseJson(text)?.['commands' as keyof object];
  else {
    const at = text.toLowerCase().indexOf('commands=');
    if (at < 0) return [];
    const rest = text.slice(at + 9);
    list = rest.startsWith('[') ? parseJson(rest) : [rest];
  }
  if (!Array.isArray(list)) return [];
  return list.filter((item): item is string => typeof item === 'string').slice(0, MAX_SSM_COMMANDS);
}

function parseJson(text: string): object | undefined {
  if (text.length > 65536) return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** `text` as one single-quoted POSIX shell word. */
/** A word a POSIX shell reads as itself, unquoted (no blanks, quotes, expansions, globs or operators). */
const PLAIN_POSIX_WORD = /^[\w./:=@%+,-]+$/;
/** Characters that split or chain a cmd command line unless quoted. */
const CMD_SPECIAL = /[\s&|<>()^]/;

function shellQuoted(text: string): string {
  return "'" + text.split("'").join("'\\''") + "'";
}

/** Method calls that start a process from a string (see `processStartingCalls`); the receiver is checked separately. */
const PROCESS_STARTING_CALL = /(::start|\.run|\.exec|\.shellexecute|\.create)[ \t]*\(/gi;
/** Most process-starting calls analysed in one text. */
const MAX_PROCESS_CALLS = 64;
/** Most entries read from one hashtable argument (a method's arguments, not a data table). */
const MAX_HASHTABLE_ENTRIES = 32;
/** Only the start of a longer word is searched for such calls. */
const PROCESS_CALL_TEXT_LIMIT = 64 * 1024;

/** Method names `PROCESS_STARTING_CALL` looks for. */
const PROCESS_STARTING_METHODS = new Set(['start', 'run', 'exec', 'shellexecute', 'create']);

/**
 * Whether a word calls a method of one of those names (`.run(`, `::start (`): a cheap look behind each `(`
 * that spares the regular expression the many words that call other methods. Linear: each look stops at
 * the previous `(` at the latest.
 */
function mayCallProcessStarter(text: string): boolean {
  const end = Math.min(text.length, PROCESS_CALL_TEXT_LIMIT);
  for (let p = text.indexOf('('); p >= 0 && p < end; p = text.indexOf('(', p + 1)) {
    let nameEnd = p;
    while (nameEnd > 0 && (text[nameEnd - 1] === ' ' || text[nameEnd - 1] === '\t')) nameEnd--;
    let nameStart = nameEnd;
    while (nameStart > 0 && nameEnd - nameStart <= 12 && isAsciiLetter(text.charCodeAt(nameStart - 1))) nameStart--;
    const separator = text[nameStart - 1];
    if ((separator === '.' || separator === ':') && PROCESS_STARTING_METHODS.has(text.slice(nameStart, nameEnd).toLowerCase())) return true;
  }
  return false;
}

function isAsciiLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/**
 * The top-level, comma-separated arguments of a call whose argument list starts at `from` (quotes are
 * already gone from a word's value; brackets nest), and where reading stopped: after the closing
 * parenthesis, or after the fourth argument.
 */
function callArguments(text: string, from: number): { args: string[]; end: number } {
  const args: string[] = [];
  let nesting = 0;
  let start = from;
  let i = from;
  for (; i < text.length && args.length < 4; i++) {
    const c = text[i];
    if (c === '(' || c === '[' || c === '{') nesting++;
    else if ((c === ')' || c === ']' || c === '}') && nesting > 0) nesting--;
    else if (c === ')' || (c === ',' && nesting === 0)) {
      args.push(text.slice(start, i));
      if (c === ')') return { args, end: i + 1 };
      start = i + 1;
    }
  }
  if (args.length < 4) args.push(text.slice(start));
  return { args, end: i };
}

/** A piece of a script's string expression: its text and where it stands in the script, [start, end). */
interface ScriptPiece {
  text: string;
  start: number;
  end: number;
}

/** AppleScript's text constants, as they may be joined into a string with `&`. */
const APPLESCRIPT_CONSTANTS: Readonly<Record<string, string>> = { space: ' ', tab: '\t', return: '\r', linefeed: '\n', quote: '"' };
/** AppleScript words that start a `do shell script` parameter rather than an operand. */
const APPLESCRIPT_PARAMETERS = new Set(['with', 'without', 'as', 'user', 'password', 'altering', 'administrator']);

/**
 * The operands of the string expression starting at `from`: literals `"…"` (also `'…'` and backquotes in
 * JavaScript) with their escapes resolved, joined by `&` (AppleScript) or `+` (JavaScript). Empty when
 * the expression holds no literal; `end` is where reading stopped.
 */
function scriptStringPieces(text: string, from: number, js: boolean): { pieces: ScriptPiece[]; end: number } {
  const pieces: ScriptPiece[] = [];
  let literals = 0;
  let i = from;
  const join = js ? '+' : '&';
  // Bounded per expression (reading resumes after it): a real script joins a handful of parts.
  while (pieces.length < 256) {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t' || (js && text[i] === '('))) i++;
    const c = text[i];
    if (c === '"' || (js && (c === "'" || c === '`'))) {
      let value = '';
      let run = i + 1;
      let j = run;
      while (j < text.length && text[j] !== c) {
        if (text[j] === '\\' && j + 1 < text.length) {
          const e = text[j + 1] as string;
          value += text.slice(run, j) + (e === 'n' ? '\n' : e === 't' ? '\t' : e === 'r' ? '\r' : e);
          j += 2;
          run = j;
          continue;
        }
        j++;
      }
      value += text.slice(run, j);
      pieces.push({ text: value, start: i + 1, end: j });
      literals++;
      i = Math.min(j + 1, text.length);
    } else {
      // Another operand (a variable, `quoted form of x`): up to the next operator, quote or end of line.
      let j = i;
      while (j < text.length && !'&+"\'`)\n\r,;'.includes(text[j] as string)) j++;
      const operand = text.slice(i, j).trim();
      const first = /^[a-z]+/i.exec(operand)?.[0].toLowerCase() ?? '';
      if (operand === '' || (!js && APPLESCRIPT_PARAMETERS.has(first))) break;
      pieces.push({ text: ownValue(APPLESCRIPT_CONSTANTS, operand.toLowerCase()) ?? operand, start: i, end: j });
      i = j;
    }
    while (i < text.length && (text[i] === ' ' || text[i] === '\t')) i++;
    if (text[i] !== join) break;
    i++;
  }
  return { pieces: literals > 0 ? pieces : [], end: i };
}

/**
 * What a pipeline writes to stdout up to and including its member at `last`, when the text itself
 * determines it: a constant `echo`/`printf`/string (possibly through `tr`, `cat`, `rev`, `Out-String`),
 * base64-decoded, or with printf's backslash escapes interpreted. `words` is set when the output is
 * the constant words as written; otherwise `text` was derived from the words at `span`.
 */
export interface PipelineOutput {
  words: Word[] | null;
  text: string;
  span: Span;
  origin: 'base64' | 'char_codes' | 'nested_shell';
}

export function pipelineOutput(b: DocBuilder, members: readonly number[], last: number): PipelineOutput | null {
  // Transforms between the source and `last`, the one nearest `last` first (applied in reverse).
  let transforms: Transform[] | null = null;
  // A source, a few transforms, the sink: a longer chain is not a decoder's (and each member may ask this again).
  for (let p = last; p >= 0 && last - p <= MAX_TRANSFORM_CHAIN; p--) {
    const prev = b.commands[members[p] as number];
    if (!prev) return null;
    let source: Word[] | null = null;
    const transform: Transform | null =
      BASE64_DECODERS.has(prev.name) || (prev.name === 'openssl' && prev.words.some((w) => w.lower === 'base64' || w.lower === '-base64'))
        ? 'base64'
        : prev.name === 'rev'
          ? 'rev'
          : prev.name === 'tr'
            ? trTranslation(prev)
            : null;
    if (transform !== null) {
      (transforms ??= []).push(transform);
      // `base64 -d <<< B64`, `rev <<< '…'`: the here-string is the transform's input.
      source = hereStringInput(prev);
      if (!source) continue;
    } else {
      source = constantSource(prev, b.layers[0]?.text ?? '');
      if (!source && (prev.name === 'out-string' || prev.name === 'tr' || prev.name === 'cat')) continue;
    }
    if (!source) return null;
    const span: Span = { start: (source[0] as Word).span.start, end: (source[source.length - 1] as Word).span.end };
    if (transforms !== null) return transformedOutput(source, transforms, span);
    if (prev.name === 'printf') {
      // `printf '%b' '\0143url'`, `printf '%s' …`: the format decides what is written.
      const written = printfOutput(source.map((w) => w.value));
      if (written === null) return null;
      return { words: null, text: written, span, origin: 'char_codes' };
    }
    if (prev.name === 'printf' || (prev.name === 'echo' && prev.words.some((w) => optionClusterHas(w.value, 'e', true)))) {
      // printf / echo -e interpret `\xHH` and octal escapes: analyse what the shell will actually read.
      const raw = source.map((w) => w.value).join(' ');
      const decoded = decodeBackslashEscapes(raw);
      if (decoded !== raw) return { words: null, text: decoded, span, origin: 'char_codes' };
    }
    return { words: source, text: '', span, origin: 'nested_shell' };
  }
  return null;
}

/** How far back from a pipeline member its constant source is looked for. */
const MAX_TRANSFORM_CHAIN = 16;

/** What a pipeline member does to the text passing through it: base64 decoding, `rev`, or a `tr` character map. */
type Transform = 'base64' | 'rev' | ReadonlyMap<string, string>;

/**
 * `tr 'A-Za-z' 'N-ZA-Mn-za-m'` (rot13) and `tr -d '='`: each character of the first set becomes the one at the same
 * place in the second (its last one when shorter), or is deleted. Ranges are expanded; classes (`[:upper:]`),
 * escapes and other options leave `tr` unread (null): the text is then taken as it was.
 */
function trTranslation(cmd: SimpleCommand): ReadonlyMap<string, string> | null {
  const args = cmd.words.slice(1).map((w) => w.value);
  const deletes = args[0] === '-d';
  const sets = deletes ? args.slice(1) : args;
  if (sets.length !== (deletes ? 1 : 2) || sets.some((set) => set.startsWith('-'))) return null;
  const from = trSet(sets[0] as string);
  const to = deletes ? [] : trSet(sets[1] as string);
  if (from === null || to === null || (!deletes && to.length === 0)) return null;
  const map = new Map<string, string>();
  for (let i = 0; i < from.length; i++)
    if (!map.has(from[i] as string)) map.set(from[i] as string, deletes ? '' : (to[Math.min(i, to.length - 1)] as string));
  return map;
}

/**
 * Whether `tr` substitutes letters for other letters (`tr 'A-Za-z' 'N-ZA-Mn-za-m'`, a rotation cipher): decoding,
 * unlike changing case (`tr a-z A-Z`), deleting (`tr -d '='`) or mapping punctuation (`tr '+/' '-_'`).
 */
export function isTrCipher(cmd: SimpleCommand): boolean {
  const map = cmd.name === 'tr' ? trTranslation(cmd) : null;
  if (map === null) return false;
  for (const [from, to] of map) if (/[a-z]/i.test(from) && /[a-z]/i.test(to) && from.toLowerCase() !== to.toLowerCase()) return true;
  return false;
}

/** The characters of a `tr` set, ranges expanded (at most 256); null for classes, escapes and equivalence forms. */
function trSet(set: string): string[] | null {
  if (set.includes('[') || set.includes('\\')) return null;
  const out: string[] = [];
  for (let i = 0; i < set.length && out.length <= 256; i++) {
    const c = set.charCodeAt(i);
    if (set[i + 1] === '-' && i + 2 < set.length) {
      const end = set.charCodeAt(i + 2);
      if (end < c) return null;
      for (let k = c; k <= end && out.length <= 256; k++) out.push(String.fromCharCode(k));
      i += 2;
    } else out.push(set[i] as string);
  }
  return out.length > 256 ? null : out;
}

/** The constant source run through base64 decoders, `rev` and `tr` (transforms listed last first). */
function transformedOutput(source: Word[], transforms: readonly Transform[], span: Span): PipelineOutput | null {
  // Base64 read straight from the source ignores the gaps between words and literal `\n`s.
  const first = transforms.length - 1;
  let text = source.map((w) => w.value).join(transforms[first] === 'base64' ? '' : ' ');
  let decoded = false;
  for (let t = first; t >= 0; t--) {
    const transform = transforms[t] as Transform;
    if (transform === 'rev') {
      text = reverseLines(text);
      continue;
    }
    if (transform !== 'base64') {
      let mapped = '';
      for (const ch of text) mapped += transform.get(ch) ?? ch;
      text = mapped;
      continue;
    }
    const result = decodeBase64Text(t === first ? text.replace(/\\n/g, '') : text.replace(/\s/g, ''), LIMITS.maxDerivedChars);
    if (!result) return null;
    text = result.text;
    decoded = true;
  }
  return { words: null, text, span, origin: decoded ? 'base64' : 'char_codes' };
}

/** What `rev` prints: every line with its characters in reverse order. */
function reverseLines(text: string): string {
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++)
    lines[i] = Array.from(lines[i] as string)
      .reverse()
      .join('');
  return lines.join('\n');
}

/** The constant text of a here-string or here-document given to a command as stdin, if any. */
function hereStringInput(cmd: SimpleCommand): Word[] | null {
  for (const r of cmd.redirects) if (r.op === '<' && r.heredoc && isConstantWord(r.target)) return [r.target];
  return null;
}

/**
 * A word written as one single-quoted literal or here-string (`'…'`, `@'…'@`), which expands nothing whatever it holds
 * (`'$u=''https://…''; iex …'`, `'sh -c "$(curl …)"'`). Its span must stand in the original text as written.
 */
function writtenAsLiteral(original: string, w: Word): boolean {
  const { start, end } = w.span;
  if (end - start < 2) return false;
  if (original[start] === "'" && original[end - 1] === "'") return true;
  return original[start] === '@' && original[start + 1] === "'" && original[end - 1] === '@' && original[end - 2] === "'";
}

/** The constant text a command writes to stdout (`echo`, `printf`, a PowerShell string expression), if any. */
function constantSource(cmd: SimpleCommand, original: string): Word[] | null {
  if (cmd.name === '' && cmd.shell === 'powershell') {
    const w = cmd.words[0];
    return cmd.words.length === 1 && w && (isConstantWord(w) || writtenAsLiteral(original, w)) ? [w] : null;
  }
  if (cmd.name === 'echo' || cmd.name === 'printf' || cmd.name === 'write-output') {
    const args = cmd.words.slice(1).filter((w, i) => !(i === 0 && /^-[neE]+$/.test(w.value)));
    // A single-quoted argument is printed as written, `$(…)` and all (`printf '%s' 'procdump -ma $(pgrep lsass)'`).
    if (args.length === 0 || !args.every((w) => isConstantWord(w) || writtenAsLiteral(original, w))) return null;
    return args;
  }
  for (const r of cmd.redirects) if (r.op === '<' && r.heredoc) return [r.target];
  return null;
}

/** `. /dev/stdin <<< '…'`, `echo … | source /dev/fd/0`: the shell reads its own stdin as a script. */
/** `. FILE` / `source FILE` in a POSIX shell. */
function isSourcing(cmd: SimpleCommand): boolean {
  return (cmd.name === '.' || cmd.name === 'source') && cmd.shell !== 'powershell' && cmd.shell !== 'cmd';
}

function isSourcedStdin(cmd: SimpleCommand): boolean {
  if ((cmd.name !== '.' && cmd.name !== 'source') || cmd.shell === 'powershell' || cmd.shell === 'cmd') return false;
  const path = cmd.words[1]?.value;
  return path === '/dev/stdin' || path === '/dev/fd/0' || path === '/proc/self/fd/0';
}

/**
 * What `printf FORMAT ARGS…` writes, when every directive is one of `%s %b %c %d %%` without flags:
 * escapes in the format and in `%b` arguments decoded, the format reused while arguments remain.
 * Null for anything else, or when the output would exceed `limit` characters.
 */
export function printfOutput(args: readonly string[], limit = 65536): string | null {
  const format = args[0];
  if (format === undefined || format.startsWith('-')) return null;
  let out = '';
  let next = 1;
  for (let round = 0; round < args.length; round++) {
    const consumedBefore = next;
    let i = 0;
    while (i < format.length) {
      const percent = format.indexOf('%', i);
      const literalEnd = percent < 0 ? format.length : percent;
      if (literalEnd > i) out += decodeFormatEscapes(format.slice(i, literalEnd));
      if (percent < 0) break;
      const conversion = format[percent + 1];
      if (conversion === '%') out += '%';
      else if (conversion === 's' || conversion === 'b' || conversion === 'c' || conversion === 'd') {
        const arg = args[next] ?? '';
        if (next < args.length) next++;
        if (conversion === 's') out += arg;
        else if (conversion === 'b') out += decodeBackslashEscapes(arg);
        else if (conversion === 'c') out += arg.slice(0, 1);
        else if (/^-?[0-9]{1,15}$/.test(arg)) out += String(Number(arg));
        else return null;
      } else return null;
      if (out.length > limit) return null;
      i = percent + 2;
    }
    if (out.length > limit) return null;
    if (next >= args.length || next === consumedBefore) break;
  }
  return out;
}

/** Escapes in a printf format: octal takes at most three digits (`\0611` is `1` then `1`), unlike `%b`'s `\0NNN`. */
function decodeFormatEscapes(text: string): string {
  return text.includes('\\')
    ? decodeBackslashEscapes(text.replace(/\\([0-7]{1,3})/g, (_m, o: string) => '\\x' + (parseInt(o, 8) & 0xff).toString(16)))
    : text;
}

/** `\xHH`, `\NNN` (octal), `\n`, `\t` as printf and `echo -e` interpret them. */
export function decodeBackslashEscapes(text: string): string {
  return text.replace(/\\(x[0-9a-fA-F]{1,2}|0?[0-7]{1,3}|[ntr\\])/g, (_m, e: string) => {
    if (e[0] === 'x') return String.fromCharCode(parseInt(e.slice(1), 16));
    if (e === 'n') return '\n';
    if (e === 't') return '\t';
    if (e === 'r') return '\r';
    if (e === '\\') return '\\';
    return String.fromCharCode(parseInt(e, 8) & 0xff);
  });
}

/** A word whose value is fully known text (no unresolved variables or substitutions). */
export function isConstantWord(w: Word): boolean {
  if (w.nested && w.nested.length > 0) return false;
  const v = w.value;
  if (v.startsWith('$') || v.startsWith('(') || v.includes('$(')) return false;
  return true;
}
