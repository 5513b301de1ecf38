/**
 * Proxy execution through signed system binaries (`proxy_execution`, ATT&CK T1218/T1216/T1127/
 * T1220/T1105): LOLBins that fetch or run someone else's code while looking like Windows itself,
 * plus the POSIX equivalents that only matter when abuse-shaped (a shell spawned from `find`,
 * `awk`, `osascript … do shell script`).
 *
 * Blocked for standard trust, flagged under extended trust. The table of binaries and argument
 * shapes lives in catalog/lolbins.ts; this file holds the shapes that need more than one word.
 */
import { sanitiseUnicode } from '../analysis/unicode';
import { resolvePath } from '../analysis/directories';
import { makeWord } from '../analysis/builder';
import { evaluatesOutput, pipelineNeighbours } from '../analysis/semantics';
import { containerCommandWords, INTERPRETERS as SCRIPT_INTERPRETERS, wslProgram } from '../analysis/unwrap';
import type { Document, Word } from '../analysis/document';
import { LOLBINS, PROXY_SCRIPTS, lolbinByName, type Lolbin, type LolbinAbuse } from '../catalog/lolbins';
import {
  argLowers,
  ChecksByName,
  FindingCollector,
  NeedleGroup,
  anyWord,
  baseName,
  commandWord,
  docHas,
  docHasAny,
  DocumentCache,
  extensionOf,
  inStagingFolder,
  findOption,
  isRemote,
  isPowerShellValueStatement,
  lastBefore,
  optionValue,
  positionals,
  programName,
  ranFromWorkingDirectory,
  searchFirst,
  trimQuotes,
  type FindingSpec,
  type Invocation,
} from './command-match';
import type { RuleContext, RuleFamily } from './rule';

const REMEDY =
  'A supervisor can grant extended trust (proxy execution is then only flagged), or save the task as a script and have its hash permitted.';

function blockSpec(ruleId: string, message: string): FindingSpec {
  return { code: 'proxy_execution', ruleId, standard: 'block', extended: 'flag', message, remedy: REMEDY };
}
function flagSpec(ruleId: string, message: string): FindingSpec {
  return { code: 'proxy_execution', ruleId, standard: 'flag', extended: 'flag', message };
}

const WHY =
  'Signed system binaries used this way run or fetch code while looking like ordinary system activity, which is how attackers slip past application control.';

export const proxyExecutionRules: RuleFamily = (doc: Document, _ctx: RuleContext) => {
  const out = new FindingCollector();
  // INVOCATION_CHECKS is at the end of this file: it names constants of the checks.
  INVOCATION_CHECKS.runOver(doc, out);
  checkDcomExecution(doc, out);
  checkWshDownloader(doc, out);
  checkAppInstallerUri(doc, out);
  checkScriptedXslTransform(doc, out);
  return out.findings;
};

/** `New-Object System.Xml.Xsl.XsltSettings($true, $true)`, `XsltSettings.TrustedXslt`, `.EnableScript = $true`. */
const XSLT_SCRIPT_SETTINGS = new NeedleGroup([
  'xsltsettings($true,',
  'xsltsettings($true ,',
  'xsltsettings]::trustedxslt',
  'enablescript = $true',
  'enablescript=$true',
]);

/**
 * `XslCompiledTransform` loading a stylesheet with scripting enabled: the stylesheet's embedded C#/JScript is compiled
 * and run inside PowerShell (T1220, the in-process form of msxsl and wmic /format). Plain transforms stay allowed.
 */
function checkScriptedXslTransform(doc: Document, out: FindingCollector): void {
  if (!docHas(doc, 'xslcompiledtransform')) return;
  const settings = docHasAny(doc, XSLT_SCRIPT_SETTINGS);
  if (!settings) return;
  out.add(
    blockSpec('proxy.xsl-script', `An XSL transform is loaded with scripting enabled, so script embedded in the stylesheet runs. ${WHY}`),
    searchFirst(doc, 'xslcompiledtransform', settings),
  );
}

function checkCatalog(inv: Invocation, out: FindingCollector, doc: Document): void {
  const bin = lolbinByName(inv.name);
  if (!bin) return;
  let matched = false;
  const args = withoutPattern(bin, nativeArguments(inv, doc));
  const remoteCandidates = remoteCandidatesOf(bin, args);
  for (const abuse of bin.abuses) {
    const decisive = matchAbuse(abuse, args, remoteCandidates);
    if (decisive === null) continue;
    matched = true;
    out.add(blockSpec(abuse.ruleId, `${inv.name} ${abuse.what}. ${WHY}`), [commandWord(inv), decisive ?? undefined]);
  }
  if (matched || bin.remoteIsRoutine) return;
  // Whatever the switch: a proxy-execution binary handed a URL or a network path is fetching code or
  // a file from another machine, which is what these binaries are abused for (LOLBAS "Download"/"Execute").
  const remote = remoteArgument(remoteCandidates);
  if (remote)
    out.add(
      blockSpec(
        'proxy.lolbin.remote',
        `${inv.name} is given a URL or network path (${remote.value}): a system binary made to fetch or load content from another machine. ${WHY}`,
      ),
      [commandWord(inv), remote],
    );
}

/**
 * The arguments a program started from PowerShell receives. A script block given to a native program
 * (`odbcconf /a {REGSVR x.dll}`) reaches it as text, which the lexer shows only as `{…}` (its commands are
 * read separately): such a word is taken as written, when it stands in the original text (also inside
 * `powershell -c '…'` or `iex '…'`, whose spans point at the text as written; a decoded layer's do not).
 */
function nativeArguments(inv: Invocation, doc: Document): readonly Word[] {
  if (inv.command.shell !== 'powershell') return inv.args;
  let out: Word[] | null = null;
  for (let i = 0; i < inv.args.length; i++) {
    const w = inv.args[i] as Word;
    if (!w.value.includes('{…}')) continue;
    const asWritten = doc.original.slice(w.span.start, w.span.end);
    // Normalised as the rest of the text was (full-width letters, zero-width characters).
    const written = sanitiseUnicode(asWritten).text;
    if (!written.includes('{') || !written.endsWith('}')) continue;
    out ??= inv.args.slice();
    out[i] = makeWord(written, w.span);
  }
  return out ?? inv.args;
}

/** The arguments without the search string a binary takes first (see Lolbin.patternFirst); unchanged when `/c:` or `/g:` gives it. */
function withoutPattern(bin: Lolbin, args: readonly Word[]): readonly Word[] {
  if (!bin.patternFirst || args.some((w) => /^\/[cg]:/i.test(w.value))) return args;
  const pattern = args.findIndex((w) => !w.value.startsWith('/') && !w.value.startsWith('-'));
  return pattern < 0 ? args : [...args.slice(0, pattern), ...args.slice(pattern + 1)];
}

/** The arguments a URL or network path is looked for in (see Lolbin.networkPathOnlyAsModule). */
function remoteCandidatesOf(bin: Lolbin, args: readonly Word[]): readonly Word[] {
  if (!bin.networkPathOnlyAsModule) return args;
  return args.filter((w, i) => i === 0 || !w.lower.startsWith('\\\\'));
}

/** The first argument that is a URL or UNC path, or an option whose value is one (`/i:http://…`, `-source=\\\\h\\s`). */
function remoteArgument(args: readonly Word[]): Word | undefined {
  for (const w of args) {
    if (isRemote(w.lower)) return w;
    const value = optionValueText(w);
    if (value !== '' && isRemote(value)) return w;
  }
  return undefined;
}

/** The text after the first `:` or `=` of an option word, else ''. */
function optionValueText(w: Word): string {
  const l = w.lower;
  if (l.length < 3 || (l[0] !== '-' && l[0] !== '/')) return '';
  for (let j = 1; j < l.length; j++) if (l[j] === ':' || l[j] === '=') return l.slice(j + 1);
  return '';
}

/** An argument that names something to fetch: not an option, nor the `*` / `delete` of a cache listing or clean-up. */
function namesSource(w: Word): boolean {
  const l = w.lower;
  return l !== '*' && l !== 'delete' && l[0] !== '-' && l[0] !== '/';
}

/** The decisive word when every condition holds (undefined when none names a word), null otherwise. */
function matchAbuse(abuse: LolbinAbuse, args: readonly Word[], remoteCandidates: readonly Word[]): Word | undefined | null {
  let decisive: Word | undefined;
  if (abuse.anyArgument && args.length === 0) return null;
  if (abuse.namesSource && !args.some(namesSource)) return null;
  if (abuse.options) {
    const w = findOption(args, ...abuse.options);
    if (!w) return null;
    decisive = w;
  }
  if (abuse.remote) {
    const w = anyWord(remoteCandidates, (x) => isRemote(x.lower) || isRemote(attached(x)));
    if (!w) return null;
    decisive = w;
  }
  if (abuse.argPrefixes) {
    const prefixes = abuse.argPrefixes;
    const w = anyWord(args, (x) => prefixes.some((p) => x.lower.startsWith(p)));
    if (!w) return null;
    decisive = w;
  }
  if (abuse.argIncludes) {
    const needles = abuse.argIncludes;
    const w = anyWord(args, (x) => needles.some((n) => x.lower.includes(n)));
    if (w) decisive = w;
    else {
      // `rundll32 zipfldr.dll, RouteTheCall` may arrive as separate words: match on the joined arguments.
      const joined = joinedArguments(args);
      if (!needles.some((n) => joined.includes(n))) return null;
      decisive = args[0];
    }
  }
  return decisive;
}

/** Arguments joined with single spaces, spaces around commas removed (`a.dll , Export` → `a.dll,export`). */
function joinedArguments(args: readonly Word[]): string {
  const s = args.map((w) => w.lower).join(' ');
  return s.split(' ,').join(',').split(', ').join(',');
}

function attached(w: Word): string {
  const colon = w.lower.indexOf(':');
  return colon > 0 && colon < 4 ? w.lower.slice(colon + 1) : '';
}

const DLL_LIKE = new Set(['.dll', '.ocx', '.ax', '.cpl', '.acm', '.drv', '.tlb']);

/** regsvr32 /s picture.jpg: a "DLL" that is not one is a disguised payload. */
function checkRegsvr32OddFile(inv: Invocation, out: FindingCollector): void {
  if (inv.name !== 'regsvr32') return;
  for (const w of positionals(inv.args)) {
    const ext = extensionOf(w.lower);
    if (ext && !DLL_LIKE.has(ext)) {
      out.add(
        blockSpec(
          'proxy.regsvr32.disguised',
          `regsvr32 loads "${baseName(w.value)}", which is not a DLL by name: a disguised payload. ${WHY}`,
        ),
        [commandWord(inv), w],
      );
      return;
    }
  }
}

/** rundll32 picture.png,Export: a library with a non-library extension. */
function checkRundll32OddFile(inv: Invocation, out: FindingCollector): void {
  if (inv.name !== 'rundll32') return;
  const first = inv.args[0];
  if (!first) return;
  const comma = first.lower.indexOf(',');
  const lib = comma >= 0 ? first.lower.slice(0, comma) : first.lower;
  const ext = extensionOf(lib);
  if (ext && !DLL_LIKE.has(ext) && ext !== '.exe') {
    out.add(
      blockSpec('proxy.rundll32.disguised', `rundll32 loads "${baseName(lib)}", which is not a DLL by name: a disguised payload. ${WHY}`),
      [commandWord(inv), first],
    );
  }
}

const PROJECT_EXTENSIONS = new Set([
  '.csproj',
  '.vbproj',
  '.fsproj',
  '.vcxproj',
  '.proj',
  '.sln',
  '.slnx',
  '.targets',
  '.props',
  '.msbuildproj',
  '.sqlproj',
  '.wixproj',
  '.nativeproj',
  '.shproj',
  '.esproj',
  '.njsproj',
  '.pyproj',
]);

/** msbuild of something that is not a project: inline tasks in an .xml/.txt file. */
function checkMsbuild(inv: Invocation, out: FindingCollector): void {
  if (inv.name !== 'msbuild') return;
  for (const w of positionals(inv.args)) {
    if (isRemote(w.lower)) {
      out.add(blockSpec('proxy.msbuild.remote', `msbuild builds a project fetched from the network. ${WHY}`), [commandWord(inv), w]);
      return;
    }
    const ext = extensionOf(w.lower);
    if (ext && PROJECT_EXTENSIONS.has(ext) && inStagingFolder(w.lower)) {
      out.add(
        blockSpec(
          'proxy.msbuild.staged',
          `msbuild builds ${w.value}, a project in a folder every user can write to: its build tasks run whatever code was put there. ${WHY}`,
        ),
        [commandWord(inv), w],
      );
      return;
    }
    if (ext && !PROJECT_EXTENSIONS.has(ext)) {
      out.add(
        blockSpec(
          'proxy.msbuild.inline',
          `msbuild builds "${baseName(w.value)}", which is not a project file: inline tasks in it run arbitrary code. ${WHY}`,
        ),
        [commandWord(inv), w],
      );
      return;
    }
  }
}

const CMD_BUILTINS = new Set([
  'echo',
  'del',
  'erase',
  'copy',
  'move',
  'ren',
  'rename',
  'rd',
  'rmdir',
  'md',
  'mkdir',
  'type',
  'dir',
  'attrib',
  'set',
  'if',
  'cd',
  'exit',
]);

/**
 * forfiles /c PROGRAM: forfiles exists to act on the files it finds; a /c command that ignores
 * them (no @file/@path variable) while selecting files is forfiles used as a launcher.
 */
function checkForfiles(inv: Invocation, out: FindingCollector): void {
  if (inv.name !== 'forfiles') return;
  const command = optionValue(inv.args, 'c');
  if (!command) return;
  if (command.lower.includes('@')) return;
  if (!findOption(inv.args, 'm', 'p')) return;
  const words = command.lower.trim().split(' ');
  const program = words[0] ?? '';
  // `cmd /c del …` runs a cmd built-in; `cmd /c C:\\Users\\Public\\p.exe` is a launcher with one more hop.
  if ((program === 'cmd' || program === 'cmd.exe') && CMD_BUILTINS.has(words.find((w, i) => i > 0 && !w.startsWith('/')) ?? '')) return;
  out.add(blockSpec('proxy.forfiles', `forfiles is used to start "${command.value}" rather than to act on the files it finds. ${WHY}`), [
    commandWord(inv),
    command,
  ]);
}

/** wmic process call create …, wmic … /format:<xsl> (script in a stylesheet). */
function checkWmic(inv: Invocation, out: FindingCollector): void {
  if (inv.name !== 'wmic') return;
  const lowers = argLowers(inv);
  const processAt = lowers.indexOf('process');
  if (processAt >= 0 && lowers[processAt + 1] === 'call' && lowers[processAt + 2] === 'create') {
    out.add(
      blockSpec(
        'proxy.wmic.process-create',
        `wmic starts a process through WMI (process call create), which hides the parent and can target other machines. ${WHY}`,
      ),
      [commandWord(inv), inv.args[processAt + 2]],
    );
  }
  const format = optionValue(inv.args, 'format');
  if (format) {
    const v = format.lower;
    if (v.includes('.xsl') || isRemote(v) || v.includes('\\') || v.includes('/')) {
      out.add(
        blockSpec('proxy.wmic.xsl', `wmic formats its output with a custom XSL stylesheet, which can contain script that runs. ${WHY}`),
        [commandWord(inv), format],
      );
    }
  }
}

/** PROXY_SCRIPTS by script name (the first entry of a name, as a search of the list finds). */
const PROXY_SCRIPT_BY_NAME = new Map<string, (typeof PROXY_SCRIPTS)[number]>();
for (const p of PROXY_SCRIPTS) if (!PROXY_SCRIPT_BY_NAME.has(p.script)) PROXY_SCRIPT_BY_NAME.set(p.script, p);

/** cscript/wscript of a signed Windows script that proxies execution (pubprn.vbs script:…, manage-bde.wsf …). */
function checkScriptHost(inv: Invocation, out: FindingCollector): void {
  const direct = inv.nameWord ? PROXY_SCRIPT_BY_NAME.get(baseName(inv.nameWord.lower)) : undefined;
  if (direct) {
    out.add(blockSpec(direct.ruleId, `${direct.what}. ${WHY}`), [commandWord(inv)]);
    return;
  }
  if (inv.name !== 'cscript' && inv.name !== 'wscript' && inv.name !== '.' && inv.name !== 'import-module') return;
  for (const w of inv.args) {
    const p = PROXY_SCRIPT_BY_NAME.get(baseName(w.lower));
    if (!p) continue;
    if (p.argIncludes && !inv.args.some((a) => a.lower.includes(p.argIncludes!))) continue;
    out.add(blockSpec(p.ruleId, `${p.what}. ${WHY}`), [commandWord(inv), w]);
    return;
  }
}

const SHELLS = new Set([
  'sh',
  'bash',
  'zsh',
  'dash',
  'ksh',
  'csh',
  'tcsh',
  'fish',
  '/bin/sh',
  '/bin/bash',
  '/bin/zsh',
  '/bin/dash',
  '/usr/bin/bash',
  '/usr/bin/sh',
]);
const AWKS = new Set(['awk', 'gawk', 'nawk', 'mawk', 'busybox']);
const SHELL_ESCAPE = 'A shell started from inside another program escapes command restrictions and auditing (GTFOBins).';

/** Launchers that run a program as another user (root): a shell escaped from under them is a root shell. */
const PRIVILEGED_LAUNCHERS = new Set(['sudo', 'doas', 'pkexec', 'run0']);

/** Whether text names a shell program (`/bin/sh`, `bash -p`, `zsh`) as a word of its own. */
function namesShell(text: string): boolean {
  for (const part of text.split(/[\s"'();:!=]+/)) {
    if (part.length > 0 && SHELLS.has(programName(part))) return true;
  }
  return false;
}

/**
 * A GTFOBins escape: blocked when it starts an interactive shell or runs under sudo (a root shell
 * outside every restriction), flagged when it runs some other command (`vim -c ':!make'`).
 */
function reportShellEscape(
  inv: Invocation,
  out: FindingCollector,
  interactiveShell: boolean,
  ruleId: string,
  message: string,
  at: Word,
): void {
  // POSIX lexing drops sudo in front of a program and marks the command; elsewhere sudo is a launcher.
  const escalates = inv.command.elevated === true || (inv.launched && PRIVILEGED_LAUNCHERS.has(inv.command.name));
  const why = escalates ? `${message} It runs as root (sudo): the shell has root's rights. ${SHELL_ESCAPE}` : `${message} ${SHELL_ESCAPE}`;
  out.add(interactiveShell || escalates ? blockSpec(ruleId, why) : flagSpec(ruleId, why), [commandWord(inv), at]);
}

/** Interpreters with inline code (`-c`, `-e`, `-r`): the script interpreters, irb and expect, but not osascript or jrunscript (no shell-spawn calls of this form). */
const INLINE_INTERPRETERS = [...SCRIPT_INTERPRETERS].filter((n) => n !== 'osascript' && n !== 'jrunscript').concat(['irb', 'expect']);
/** Tcl and expect run programs with `exec PROGRAM` (no quotes needed): `exec /bin/sh <@stdin >@stdout`, `spawn /bin/sh`. */
const TCL_INTERPRETERS = new Set(['tclsh', 'wish', 'expect']);
const TCL_SHELL_SPAWN = /\b(?:exec|spawn)[ \t]+(?:\/usr)?(?:\/bin\/)?(?:ba|z|da|k)?sh\b/i;
/** A call that starts a bare interactive shell: `os.system("/bin/sh")`, `pty.spawn("/bin/bash")`, `exec "/bin/sh -p"`. */
const SHELL_SPAWN_CALL =
  /(?:os\.system|os\.execute|io\.popen|pty\.spawn|os\.exec[lv]p?e?|subprocess\.(?:call|run|popen)|system|exec|spawn)[ \t]*(?:\([ \t]*)?(?:\[[ \t]*)?["'](?:\/usr)?(?:\/bin\/)?(?:ba|z|da|k)?sh(?:[ \t]+-[pil])?["']/i;

/** `python3 -c 'import os; os.setuid(0); os.system("/bin/sh")'`: an interactive shell spawned from interpreter code (GTFOBins). */
function checkInterpreterShell(inv: Invocation, out: FindingCollector): void {
  const tcl = TCL_INTERPRETERS.has(inv.name);
  const spawns = (w: Word) => w.value.length <= 16_384 && (tcl ? TCL_SHELL_SPAWN : SHELL_SPAWN_CALL).test(w.value);
  // The code may come on stdin too (`tclsh <<< 'exec /bin/sh …'`).
  const code = inv.args.find(spawns) ?? inv.command.redirects.find((r) => r.heredoc === true && spawns(r.target))?.target;
  if (code) reportShellEscape(inv, out, true, 'proxy.gtfobins.interpreter-shell', `${inv.name} code starts an interactive shell.`, code);
}

/** Options whose value zip, gdb and rsync run as a command. */
const SHELL_RUNNING_OPTIONS: ReadonlyMap<string, ReadonlySet<string>> = new Map([
  ['zip', new Set(['-TT', '--unzip-command'])],
  ['gdb', new Set(['-ex', '--ex', '-eval-command', '--eval-command'])],
  ['rsync', new Set(['-e', '--rsh'])],
]);

/** A command text that starts with a shell program (`sh #`, `!sh`, `shell /bin/bash`, `bash -p`). */
function startsShell(text: string): boolean {
  let t = text.trim();
  if (t.startsWith('!')) t = t.slice(1).trim();
  else if (t.toLowerCase().startsWith('shell ')) t = t.slice(6).trim();
  const first = t.split(/[ \t;]/, 1)[0] ?? '';
  return first.length > 0 && SHELLS.has(programName(first));
}

/** GTFOBins shapes: a shell spawned by find/awk/tar/vim, `osascript -e 'do shell script …'`. */
function checkPosixShellEscapes(inv: Invocation, out: FindingCollector): void {
  if (inv.name === 'find') {
    const at = inv.args.findIndex((w) => w.lower === '-exec' || w.lower === '-execdir' || w.lower === '-ok');
    const target = at >= 0 ? inv.args[at + 1] : undefined;
    // `-exec sh -c '… {} …'` is ordinary scripting; `-exec /bin/sh \;` is an interactive shell escape.
    if (target && SHELLS.has(programName(target.value)) && inv.args[at + 2]?.lower !== '-c')
      reportShellEscape(inv, out, true, 'proxy.gtfobins.find-shell', 'find starts an interactive shell through -exec.', target);
    return;
  }
  if (AWKS.has(inv.name)) {
    const program = inv.args.find((w) => w.lower.includes('system(') || w.lower.includes('/inet/'));
    if (program && (program.lower.includes('sh') || program.lower.includes('/inet/')))
      reportShellEscape(inv, out, namesShell(program.value), 'proxy.gtfobins.awk-shell', 'awk runs a shell through system().', program);
    return;
  }
  if (inv.name === 'tar') {
    const w = inv.args.find(
      (x) =>
        x.lower.startsWith('--checkpoint-action=exec') ||
        x.lower.startsWith('--to-command') ||
        x.lower.startsWith('--use-compress-program=sh'),
    );
    if (w) {
      const command = w.value.slice(w.value.indexOf('=') + 1).replace(/^exec=/i, '');
      reportShellEscape(inv, out, namesShell(command), 'proxy.gtfobins.tar-exec', 'tar runs a command through a checkpoint action.', w);
    }
    return;
  }
  if (inv.name === 'vi' || inv.name === 'vim' || inv.name === 'nvim') {
    const w = inv.args.find(
      (x) => x.lower.startsWith(':!') || x.lower.startsWith('!') || x.lower.includes(':shell') || x.lower.includes('system('),
    );
    if (w) {
      const shell = w.lower.includes(':shell') || namesShell(w.value);
      reportShellEscape(inv, out, shell, 'proxy.gtfobins.vim-shell', `${inv.name} runs a shell command from its command line.`, w);
    }
    return;
  }
  // `zip x.zip f -T -TT 'sh #'`, `gdb -nx -ex '!sh'`, `rsync -e 'sh -c "sh 0<&2 1>&2"' x:`: an option that runs a shell.
  const shellOption = SHELL_RUNNING_OPTIONS.get(inv.name);
  if (shellOption) {
    for (let k = 0; k < inv.args.length - 1; k++) {
      if (!shellOption.has((inv.args[k] as Word).value)) continue;
      const value = inv.args[k + 1] as Word;
      if (startsShell(value.value))
        reportShellEscape(
          inv,
          out,
          true,
          `proxy.gtfobins.${inv.name}-shell`,
          `${inv.name} runs a shell through ${inv.args[k]!.value}.`,
          value,
        );
    }
    return;
  }
  if (inv.name === 'osascript') {
    const w = inv.args.find((x) => x.lower.includes('do shell script') || x.lower.includes('doshellscript'));
    if (w) {
      out.add(
        flagSpec(
          'proxy.osascript.shell',
          `osascript runs a shell command through AppleScript ("do shell script"), which can also prompt for administrator rights.`,
        ),
        [commandWord(inv), w],
      );
      return;
    }
    const jxa = inv.args.find((x) => startsProcessFromJxa(x.lower));
    if (jxa)
      out.add(
        flagSpec(
          'proxy.osascript.shell',
          'osascript starts a process from JavaScript for Automation (the Objective-C bridge: NSTask, system, popen).',
        ),
        [commandWord(inv), jxa],
      );
  }
}

/** JavaScript for Automation reaching the Objective-C bridge to start a process: `$.NSTask`, `$.system(…)` after `ObjC.import('stdlib')`. */
function startsProcessFromJxa(code: string): boolean {
  if (!code.includes('objc.import') && !code.includes('$.')) return false;
  return code.includes('nstask') || code.includes('$.system(') || code.includes('$.popen(') || code.includes('$.execve(');
}

const INTERPRETERS = new Set(['python', 'python2', 'python3', 'py', 'perl', 'ruby', 'php', 'node', 'lua']);

/** `python -c` that fetches code from the network and executes it. */
function checkInterpreterFetchExec(inv: Invocation, out: FindingCollector): void {
  const isInterp = INTERPRETERS.has(inv.name) || (inv.name.startsWith('python') && inv.name.length <= 10);
  if (!isInterp) return;
  const code = inv.args.find(
    (w) =>
      w.lower.length > 12 &&
      (w.lower.includes('urlopen') ||
        w.lower.includes('urllib') ||
        w.lower.includes('requests.get') ||
        w.lower.includes('http.client') ||
        w.lower.includes('lwp::simple') ||
        w.lower.includes('open-uri') ||
        w.lower.includes('file_get_contents(')),
  );
  if (!code) return;
  const l = code.lower;
  if (
    l.includes('exec(') ||
    l.includes('eval(') ||
    l.includes('eval ') ||
    l.includes('system(') ||
    l.includes('subprocess') ||
    l.includes('os.popen')
  ) {
    out.add(
      blockSpec(
        'proxy.interpreter.fetch-exec',
        `${inv.name} fetches code from the network and executes it in-process, with nothing written to disk. ${WHY}`,
      ),
      [commandWord(inv), code],
    );
  }
}

const DCOM_EXEC_METHODS = new NeedleGroup([
  'executeshellcommand',
  'activatemicrosoftapp',
  'registerxll',
  'ddeinitiate',
  'shellexecute(',
  '.navigate(',
  'createobject("wscript.shell")',
]);
const COM_BY_ID_NEEDLES = new NeedleGroup(['gettypefromprogid', 'gettypefromclsid']);
const XML_HTTP_NEEDLES = new NeedleGroup(['msxml2.serverxmlhttp', 'msxml2.xmlhttp', 'microsoft.xmlhttp', 'winhttp.winhttprequest']);

/** COM objects instantiated by ProgID/CLSID (optionally on another host) and made to run programs (MMC20, Excel, ShellWindows). */
function checkDcomExecution(doc: Document, out: FindingCollector): void {
  if (!docHasAny(doc, COM_BY_ID_NEEDLES)) return;
  const method = docHasAny(doc, DCOM_EXEC_METHODS);
  if (!method) return;
  out.add(
    blockSpec(
      'proxy.dcom.exec',
      `A COM object (e.g. MMC20.Application, Excel.Application, ShellWindows) is created by ProgID/CLSID and made to start a program. This is a known way to execute commands — locally or on another machine — through a trusted Office or Windows process. ${WHY}`,
    ),
    searchFirst(doc, 'gettypefromprogid', 'gettypefromclsid', method),
  );
}

/** A JScript/VBScript written to disk that downloads through MSXML/WinHTTP (and usually saves with ADODB.Stream). */
function checkWshDownloader(doc: Document, out: FindingCollector): void {
  const http = docHasAny(doc, XML_HTTP_NEEDLES);
  if (!http) return;
  if (!docHas(doc, 'adodb.stream') && !docHasAny(doc, ['cscript', 'wscript', '.run(', '.exec('])) return;
  out.add(
    blockSpec(
      'proxy.wsh.downloader',
      `A Windows Script Host script downloads content with ${http} (and saves or runs it): a script-host download cradle. ${WHY}`,
    ),
    searchFirst(doc, http, 'adodb.stream'),
  );
}

/** `finger user@host | cmd`: the text a finger server returns is run as commands. */
function checkFinger(inv: Invocation, out: FindingCollector, doc: Document): void {
  if (inv.name !== 'finger') return;
  const target = anyWord(inv.args, (w) => w.lower.includes('@'));
  if (!target) return;
  for (const other of pipelineNeighbours(doc, inv.command, 'after')) {
    if (!COMMAND_INTERPRETERS.has(other.name)) continue;
    out.add(
      blockSpec('proxy.finger.download', `finger fetches text from ${target.value} and pipes it into ${other.name}, which runs it. ${WHY}`),
      [commandWord(inv), target],
    );
    return;
  }
}

const COMMAND_INTERPRETERS = new Set(['cmd', 'powershell', 'pwsh', 'sh', 'bash', 'zsh', 'dash', 'invoke-expression']);

const APP_INSTALLER_NEEDLES = new NeedleGroup(['ms-appinstaller:']);

/** `start ms-appinstaller:?source=http://…`: the App Installer protocol downloads (and offers to install) a package. */
function checkAppInstallerUri(doc: Document, out: FindingCollector): void {
  if (!docHasAny(doc, APP_INSTALLER_NEEDLES) || !docHas(doc, 'source=')) return;
  out.add(
    blockSpec(
      'proxy.appinstaller.download',
      `The ms-appinstaller: protocol downloads a package from the URL in ?source= through App Installer, a signed Windows component. ${WHY}`,
    ),
    searchFirst(doc, 'ms-appinstaller:'),
  );
}

// --- Code run from a network share ---------------------------------------------------------------

const NETWORK_SHARE_REMEDY = 'Copy the file to the machine first (the copy is allowed), check it, then run the local copy.';

/** Programs that run the script or module named by their first positional argument. */
// (`cmd /c \\\\host\\a.bat` needs no entry: the analysis unwraps the /c command, whose program is the UNC path.)
const SCRIPT_RUNNERS = new Set(['cscript', 'wscript', 'import-module', 'ipmo', 'powershell', 'pwsh']);
/** PowerShell commands that read a file's text, and the commands that run text. */
const TEXT_READERS = new Set(['get-content', 'gc', 'type', 'cat']);

/**
 * Host of a UNC path and how it is reached: an IP literal or a WebDAV form (`\\\\host@SSL\\…`,
 * `\\\\host@80\\…`, `…\\DavWWWRoot\\…`) is a machine anywhere on the internet; a plain name
 * is usually a file server of the organisation.
 */
function uncHost(path: string): { host: string; remote: boolean } | undefined {
  let start = 0;
  while (start < path.length && (path.charCodeAt(start) === 34 || path.charCodeAt(start) === 39)) start++;
  // Most words are not UNC paths: decided on two characters, before any string is made.
  if (path.charCodeAt(start) !== 92 || path.charCodeAt(start + 1) !== 92) return undefined;
  const s = path.slice(start).toLowerCase();
  if (!s.startsWith('\\\\') || s.startsWith('\\\\?\\') || s.startsWith('\\\\.\\')) return undefined;
  const end = s.indexOf('\\', 2);
  const host = s.slice(2, end < 0 ? s.length : end);
  if (host.length === 0) return undefined;
  const webdav = host.includes('@') || s.includes('\\davwwwroot');
  return { host, remote: webdav || isIpLiteral(host) };
}

function isIpLiteral(host: string): boolean {
  if (host.includes(':') || host.startsWith('[') || host.endsWith('.ipv6-literal.net')) return true;
  let dots = 0;
  for (let i = 0; i < host.length; i++) {
    const c = host.charCodeAt(i);
    if (c === 46) dots++;
    else if (c < 48 || c > 57) return false;
  }
  return dots === 3;
}

/**
 * A program, script or module started straight from a network share (`\\\\203.0.113.5\\s\\p.exe`,
 * `. \\\\host\\s\\p.ps1`, `cmd /c \\\\host\\s\\a.bat`, `iex (gc \\\\host\\s\\p.ps1 -Raw)`). Copying from
 * a share, listing it or mapping it runs nothing and is not looked at.
 */
function checkNetworkShareExecution(inv: Invocation, out: FindingCollector, doc: Document): void {
  let path: Word | undefined;
  let where: string | undefined;
  let how = '';
  // A PowerShell statement that is only a value (`$share`, `$($cfg.Share)`) outputs the path; it runs nothing.
  const named = inv.nameWord && !isPowerShellValueStatement(inv) ? shareLocation(inv, doc, inv.nameWord.value, true) : undefined;
  if (named && inv.nameWord) {
    path = inv.nameWord;
    where = named;
    how = 'runs';
  } else if (SCRIPT_RUNNERS.has(inv.name)) {
    path = scriptArgument(inv, doc);
    how = inv.name === 'import-module' || inv.name === 'ipmo' ? 'imports the module' : `runs (through ${inv.name})`;
  } else if (DLL_LOADERS.has(inv.name)) {
    path = positionals(inv.args)[0];
    how = `loads and runs (through ${inv.name})`;
  } else if (TEXT_READERS.has(inv.name) && evaluatesOutput(doc, inv.command)) {
    path = anyWord(inv.args, (w) => shareLocation(inv, doc, w.value, false) !== undefined);
    how = 'reads and executes (Invoke-Expression)';
  }
  if (!path) return;
  // `rundll32 x.dll,Entry`: the library is the part before the comma.
  where ??= shareLocation(inv, doc, DLL_LOADERS.has(inv.name) ? path.value.split(',')[0]! : path.value, false);
  const unc = where === undefined ? undefined : uncHost(where);
  if (!unc || where === undefined) return;
  // A relative path or mapped drive is shown with the share it stands for.
  const shown = where === path.value ? path.value : `${path.value} (${where})`;
  if (unc.remote) {
    out.add(
      {
        code: 'proxy_execution',
        ruleId: 'proxy.network-share.remote',
        standard: 'block',
        extended: 'flag',
        message: `${how} ${shown} from \\\\${unc.host}, an IP address or WebDAV host: the code is fetched from a remote machine at run time, the same as downloading and running it, with nothing checked on the way.`,
        remedy: NETWORK_SHARE_REMEDY,
      },
      [commandWord(inv), path],
    );
  } else {
    out.add(
      {
        code: 'proxy_execution',
        ruleId: 'proxy.network-share.internal',
        standard: 'flag',
        extended: 'flag',
        message: `${how} ${shown} from the file server \\\\${unc.host}. Running tools from an internal share is common in administration, so this is recorded for review rather than blocked; the code still comes from another machine.`,
      },
      [commandWord(inv), path],
    );
  }
}

/** Programs that load the library their first argument names and run a function of it. */
const DLL_LOADERS: ReadonlySet<string> = new Set(['rundll32', 'regsvr32']);

/**
 * Where a path a command names lies on a network share, as a UNC path, or undefined when it is not on one: the
 * path itself (`\\host\s\x.ps1`), a relative path in the share the text moved to (`pushd \\host@SSL\d` then
 * `start update.exe` or `rundll32 x.dll,Entry`), or a path on a drive letter mapped to a share or a WebDAV URL
 * earlier (`net use Q: https://host/dav` then `Q:\invoice.exe`). A bare program name counts as a file of the
 * working directory only where cmd would look there first (`ranFromWorkingDirectory`).
 */
function shareLocation(inv: Invocation, doc: Document, value: string, asProgram: boolean): string | undefined {
  if (uncHost(value)) return value;
  const mapped = mappedDriveShare(doc, value, inv.command.span.start);
  if (mapped !== undefined) return mapped;
  const share = directoryShare(inv.command.directory);
  if (share === undefined) return undefined;
  const bare = trimQuotes(value);
  const explicitlyHere = bare.startsWith('.\\') || bare.startsWith('./');
  if (asProgram && !explicitlyHere && !(inv.command.shell === 'cmd' && ranFromWorkingDirectory(bare, { evenLolbins: share.remote })))
    return undefined;
  if (!asProgram && /^[a-z]:|^[\\/~$%]/i.test(bare)) return undefined;
  const resolved = resolvePath(inv.command, bare);
  return uncHost(resolved) ? resolved : undefined;
}

/**
 * `uncHost` of the working directory, remembered for the last one: commands after the same `cd` share its string,
 * and every path of every command may be asked about (up to 256 characters each time otherwise).
 */
let lastDirectory: { directory: string; share: ReturnType<typeof uncHost> } | undefined;
function directoryShare(directory: string | undefined): ReturnType<typeof uncHost> {
  if (directory === undefined) return undefined;
  if (lastDirectory?.directory !== directory) lastDirectory = { directory, share: uncHost(directory) };
  return lastDirectory.share;
}

/** Drive letters mapped to a share or WebDAV URL (`net use Q: https://host/dav`, `New-PSDrive -Name Q -Root \\\\host\\s`): per drive, in text order. */
const DRIVE_MAPPINGS = new DocumentCache((doc: Document): ReadonlyMap<string, { share: string; at: number }[]> => {
  const byDrive = new Map<string, { share: string; at: number }[]>();
  for (const cmd of doc.commands) {
    let drive: string | undefined;
    let target: string | undefined;
    if ((cmd.name === 'net' || cmd.name === 'net1') && cmd.words[1]?.lower === 'use') {
      const args = cmd.words.slice(2).filter((w) => !w.value.startsWith('/'));
      if (/^[a-z]:$/.test(args[0]?.lower ?? '')) [drive, target] = [args[0]!.lower.charAt(0), args[1]?.value];
    } else if (cmd.name === 'new-psdrive' || cmd.name === 'ndr') {
      const args = cmd.words.slice(1);
      drive = optionValue(args, 'name', 'n')?.lower.replace(/:$/, '');
      target = optionValue(args, 'root', 'r')?.value;
    }
    const share = target === undefined ? undefined : asSharePath(trimQuotes(target));
    if (drive === undefined || drive.length !== 1 || share === undefined) continue;
    const list = byDrive.get(drive) ?? [];
    list.push({ share, at: cmd.span.start });
    byDrive.set(drive, list);
  }
  for (const list of byDrive.values()) list.sort((x, y) => x.at - y.at);
  return byDrive;
});

/** A UNC path as is; an http(s) URL as the WebDAV share Windows opens for it (`https://h/d` is `\\\\h@SSL\\d`). */
function asSharePath(target: string): string | undefined {
  if (uncHost(target)) return target;
  const url = /^(https?):\/\/([^/\s]+)(.*)$/i.exec(target);
  if (!url) return undefined;
  const [, scheme, host, rest] = url;
  return `\\\\${host}@${scheme!.toLowerCase() === 'https' ? 'SSL' : '80'}${rest!.replace(/\//g, '\\')}`;
}

/** `Q:\\x.exe` on a drive mapped to a share before `at` (the last such mapping, by binary search): the same path on the share. */
function mappedDriveShare(doc: Document, value: string, at: number): string | undefined {
  const bare = trimQuotes(value);
  if (bare.length < 3 || bare.charCodeAt(1) !== 58 /* : */ || (bare[2] !== '\\' && bare[2] !== '/')) return undefined;
  const list = DRIVE_MAPPINGS.of(doc).get(bare.charAt(0).toLowerCase());
  const share = list === undefined ? undefined : lastBefore(list, at, (m) => m.at)?.share;
  return share === undefined ? undefined : `${share.replace(/[\\/]+$/, '')}\\${bare.slice(3)}`;
}

/** The script a runner is given: `-File X`, `/c X`, or its first positional argument. */
function scriptArgument(inv: Invocation, doc: Document): Word | undefined {
  const file = optionValue(inv.args, 'file', 'f', 'name');
  if (file && shareLocation(inv, doc, file.value, false)) return file;
  if (inv.name === 'powershell' || inv.name === 'pwsh') return undefined;
  return positionals(inv.args)[0];
}

/** Programs a ProxyCommand normally runs: they relay the connection to the next hop. */
const SSH_RELAYS = new Set([
  'ssh',
  'nc',
  'ncat',
  'netcat',
  'connect',
  'connect-proxy',
  'corkscrew',
  'proxytunnel',
  'socat',
  'openssl',
  'cloudflared',
  'websocat',
  'gcloud',
  'aws',
  'az',
  'tsh',
  'sshpass',
  'none',
]);

/**
 * `ssh -o ProxyCommand=calc.exe .` (LOLBAS: ssh.exe), `-o LocalCommand=…`: ssh starts a local program of
 * the caller's choosing. A relay to the next hop (`ssh -W %h:%p bastion`, `nc -X connect …`) is routine.
 */
function checkSshLocalCommand(inv: Invocation, out: FindingCollector): void {
  for (let k = 0; k < inv.args.length; k++) {
    const w = inv.args[k] as Word;
    const option = w.lower === '-o' ? inv.args[k + 1] : w.lower.startsWith('-o') ? w : undefined;
    if (!option) continue;
    const text = option === w ? w.value.slice(2) : option.value;
    const lower = text.toLowerCase();
    const key = lower.startsWith('proxycommand') ? 'ProxyCommand' : lower.startsWith('localcommand') ? 'LocalCommand' : undefined;
    if (!key) continue;
    const words = text
      .slice(key.length)
      .split(/[\s="']+/)
      .filter((x) => x.length > 0);
    const program = words[0] === 'exec' ? words[1] : words[0];
    if (program === undefined || SSH_RELAYS.has(programName(program))) continue;
    out.add(
      blockSpec(
        'proxy.ssh.command',
        `ssh starts ${program} on this machine through its ${key} option instead of relaying a connection. ${WHY}`,
      ),
      [commandWord(inv), option],
    );
    return;
  }
}

/** A Windows drive as WSL mounts it: `/mnt/c/…`. */
function onWindowsDrive(path: string): boolean {
  const l = path.toLowerCase();
  return l.length > 7 && l.startsWith('/mnt/') && l.charCodeAt(5) >= 0x61 && l.charCodeAt(5) <= 0x7a && l[6] === '/';
}

/**
 * `wsl -e /mnt/c/Users/Public/agent`: a file of the Windows side run inside WSL, so that wsl.exe stands
 * between the console and what runs (LOLBAS wsl.exe; ATT&CK T1202). Linux programs run from WSL
 * (`wsl -e ls /mnt/c/x`, `wsl -l -v`) are not this.
 */
function checkWslWindowsProgram(inv: Invocation, out: FindingCollector): void {
  const program = wslProgram(inv.command);
  if (!program || program === inv.nameWord || !onWindowsDrive(program.value)) return;
  out.add(blockSpec('proxy.wsl.windows-program', `wsl runs ${program.value}, a file on a Windows drive, inside WSL. ${WHY}`), [
    commandWord(inv),
    program,
  ]);
}

/**
 * `cmstp.exe /ni /s C:\\Users\\Public\\corp.inf`: a connection-manager profile installed silently from a
 * staging folder, whose INF can run commands (LOLBAS cmstp). Profiles deployed from an IT share or a
 * program folder are not this.
 */
function checkCmstpStaged(inv: Invocation, out: FindingCollector): void {
  const inf = inv.args.find((w) => w.lower.replace(/["']/g, '').endsWith('.inf') && inStagingFolder(w.lower));
  if (!inf) return;
  out.add(blockSpec('proxy.cmstp.staged', `cmstp installs ${inf.value}, an INF in a staging folder, which can run commands. ${WHY}`), [
    commandWord(inv),
    inf,
  ]);
}

/** Programs that, run in a container that holds the host's root or processes, reach the host itself. */
const HOST_REACHING_PROGRAMS = new Set(['chroot', 'nsenter', 'sh', 'bash', 'ash', 'dash', 'zsh']);

/** `-v /:/host`, `--volume=/:/mnt:rw`, `--mount type=bind,source=/,target=/h`: the host's root, writable. */
function mountsHostRoot(words: readonly Word[]): Word | undefined {
  for (let k = 0; k < words.length; k++) {
    const w = words[k] as Word;
    const l = w.lower;
    let spec: string | undefined;
    if (l === '-v' || l === '--volume' || l === '--mount') spec = words[k + 1]?.lower;
    else if (l.startsWith('--volume=') || l.startsWith('--mount=')) spec = l.slice(l.indexOf('=') + 1);
    else if (l.startsWith('-v/')) spec = l.slice(2);
    if (spec === undefined) continue;
    const mount = spec.replace(/["']/g, '');
    const options = mount.split(/[,:]/);
    const readOnly = options.includes('ro') || options.includes('readonly') || options.includes('readonly=true');
    const rootVolume = mount.startsWith('/:');
    const rootBind = options.includes('source=/') || options.includes('src=/');
    if ((rootVolume || rootBind) && !readOnly) return l.startsWith('-') && l.length <= 9 ? (words[k + 1] ?? w) : w;
  }
  return undefined;
}

/**
 * GTFOBins docker: `docker run -v /:/host … chroot /host sh`, `docker run --privileged --pid=host … nsenter -t 1 …`:
 * a container given the host's root filesystem or its processes runs a shell on the host, outside what
 * the endpoint's controls see. Monitoring agents mount the root read-only (`-v /:/host:ro`) and run no shell.
 */
function checkContainerHostEscape(inv: Invocation, out: FindingCollector): void {
  const inside = containerCommandWords(inv.command);
  const program = inside[0] ? programName(inside[0].value) : '';
  if (!HOST_REACHING_PROGRAMS.has(program)) return;
  const words = inv.command.words;
  const root = mountsHostRoot(words);
  const privileged = words.some((w) => w.lower === '--privileged');
  const hostPids = words.some((w, k) => w.lower === '--pid=host' || (w.lower === '--pid' && words[k + 1]?.lower === 'host'));
  if (!root && !(privileged && hostPids && program === 'nsenter')) return;
  out.add(
    blockSpec(
      'proxy.container.host-escape',
      `${inv.name} runs ${program} in a container given ${root ? "the host's root filesystem" : "the host's processes with full privileges"}: a shell on the host itself. ${WHY}`,
    ),
    [commandWord(inv), root ?? inside[0]],
  );
}

/** The per-invocation checks, in order, each with the programs it acts on (none: every program). */
const INVOCATION_CHECKS = new ChecksByName([
  { check: checkCatalog, names: LOLBINS.flatMap((bin) => bin.names) },
  { check: checkRegsvr32OddFile, names: ['regsvr32'] },
  { check: checkRundll32OddFile, names: ['rundll32'] },
  { check: checkMsbuild, names: ['msbuild'] },
  { check: checkForfiles, names: ['forfiles'] },
  { check: checkWmic, names: ['wmic'] },
  // A proxy script can be run by path, under its own name.
  { check: checkScriptHost },
  { check: checkPosixShellEscapes, names: ['find', ...AWKS, 'tar', 'vi', 'vim', 'nvim', 'osascript', ...SHELL_RUNNING_OPTIONS.keys()] },
  // Any python* name (python3.12) counts as an interpreter.
  { check: checkInterpreterFetchExec },
  { check: checkFinger, names: ['finger'] },
  { check: checkInterpreterShell, names: INLINE_INTERPRETERS },
  { check: checkSshLocalCommand, names: ['ssh'] },
  { check: checkWslWindowsProgram, names: ['wsl'] },
  { check: checkContainerHostEscape, names: ['docker', 'podman', 'nerdctl'] },
  { check: checkCmstpStaged, names: ['cmstp'] },
  // Any program can be started from a network path.
  { check: checkNetworkShareExecution },
]);
