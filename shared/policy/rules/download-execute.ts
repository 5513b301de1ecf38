/**
 * Download + execution: content fetched from the network and run, in one chain, across the
 * lines of a script, or across the lines of a terminal session (ctx.history).
 *
 * Techniques:
 * - piping a download into something that executes stdin (`curl … | sh`, `irm … | iex`, `| python3 -`),
 * - passing a download to something that executes its argument (`iex (irm …)`, `bash <(curl …)`,
 *   `eval "$(curl …)"`, `[ScriptBlock]::Create((iwr …))`), directly or through a variable,
 * - PowerShell statements that fetch in memory and execute (`IEX (New-Object Net.WebClient).DownloadString(…)`),
 * - writing a download to a file and running that file later (`iwr -OutFile x.exe` … `Start-Process x.exe`,
 *   `curl -o /tmp/x` … `/tmp/x`, `certutil -urlcache … x.exe && x.exe`),
 * - programs that fetch and run remote code themselves (`msiexec /i http…`, `mshta http…`,
 *   `regsvr32 /i:http… scrobj.dll`, `rundll32 … javascript:`), and interpreter one-liners that do both.
 */
import type { Document, SimpleCommand, Word } from '../analysis/document';
import {
  archiveExtraction,
  commandsNestedIn,
  computedProgram,
  containsUrl,
  contentWriteTargets,
  downloadedFiles,
  evaluatedFiles,
  executedFiles,
  executedPaths,
  fileKey,
  executesArguments,
  executesArgumentsAs,
  executesStdin,
  fetchesToOutput,
  fileKey as fileKeyOf,
  isFetch,
  isInsideDirectory,
  isUnpacker,
  isUrlWord,
  judgedProgram,
  launchedByComputed,
  normalisedPath,
  referencedVariables,
  referencesAny,
  runsPipedInput,
  startedUnitFiles,
  UNKNOWN_PROGRAM,
  UNNAMED_DOWNLOAD,
} from '../analysis/semantics';
import { directoryTarget, resolvePath } from '../analysis/directories';
import { globMatch } from '../analysis/names';
import { INTERPRETERS } from '../analysis/unwrap';
import type { Span } from '../types';
import { baseName, FILE_COPIERS, optionValue, POWERSHELL_TEXT_RUNNERS, ranFromWorkingDirectory, trimQuotes } from './command-match';
import type { Finding, RuleContext, RuleFamily } from './rule';

const REMEDY = 'A supervisor can grant extended trust for this session, or save the script and have its hash permitted.';

/** What earlier commands (this text or earlier lines of the session) left behind. */
class SessionFlow {
  /** fileKey → span of the download (undefined when it happened in an earlier line). */
  readonly downloaded = new Map<string, Span | undefined>();
  /** Variables holding fetched content (lower case). */
  readonly fetchedVariables = new Map<string, Span | undefined>();
  /**
   * Files written by `echo … > file` (fileKey → whether the text written so far fetches code, and
   * whether it runs code), to judge scripts that are assembled then run. What the text contains is
   * kept rather than the text: appending to a file then costs only the appended text.
   */
  readonly writtenScripts = new Map<string, { fetches: boolean; runs: boolean; runsDownload: boolean }>();
  /** The written files whose text both fetches and runs code, or runs a file downloaded before. */
  readonly fetchAndRunScripts = new Set<string>();
  /**
   * Directories holding the contents of a downloaded archive (`normalisedPath`, '' for the working
   * directory) → the archive's name and the spans of its download and unpacking.
   */
  readonly unpacked = new Map<string, UnpackedContents>();
}

interface UnpackedContents {
  archive: string;
  spans: (Span | undefined)[];
}

function variableKey(name: string): string {
  return name.toLowerCase();
}

/**
 * The text a command writes to its output redirect, lower case, when the text shows it: echo's and printf's
 * words, or the here-document given to cat (`cat > go.sh <<'EOF' … EOF`).
 */
function writtenText(cmd: SimpleCommand): string | undefined {
  if (cmd.name === 'echo' || cmd.name === 'printf')
    return cmd.words
      .slice(1)
      .map((w) => w.value)
      .join(' ')
      .toLowerCase();
  if (cmd.name !== 'cat' || cmd.words.length > 1) return undefined;
  const body = cmd.redirects.find((r) => r.heredoc === true);
  return body === undefined ? undefined : body.target.value.toLowerCase();
}

/** A command one of whose words is (or holds) a download's output: `(iwr $u).Content`, `-Value (irm $u)`. */
function holdsFetchedOutput(doc: Document, cmd: SimpleCommand): boolean {
  for (const w of cmd.words) if (w.nested !== undefined && commandsNestedIn(doc, [w]).some(fetchesToOutput)) return true;
  return false;
}

function fetchSpanIn(doc: Document, flow: SessionFlow, w: Word): Span | null | undefined {
  for (const c of commandsNestedIn(doc, [w])) if (isFetch(c)) return c.span;
  for (const name of referencedVariables(w)) if (flow.fetchedVariables.has(name)) return flow.fetchedVariables.get(name) ?? null;
  return undefined;
}

/** Inline program text (python -c, perl -e …) that both fetches and executes. */
const CODE_FETCH = [
  'urllib',
  'urlopen',
  'requests.get',
  'requests.session',
  'session.get',
  'http.client',
  'httplib',
  'lwp::',
  'lwp::simple',
  'http::tiny',
  'net::http',
  'open-uri',
  'uri.open',
  'urlretrieve',
  'fetch(',
  'http.get(',
  'https.get(',
  'curl ',
  'wget ',
  'invoke-webrequest',
  'file_get_contents("http',
  "file_get_contents('http",
  // PowerShell's own downloaders.
  'downloadstring(',
  'downloadfile(',
  'downloaddata(',
  'invoke-restmethod',
  'irm ',
  'iwr ',
  'start-bitstransfer',
  // Windows Script Host's HTTP objects.
  'msxml2.xmlhttp',
  'msxml2.serverxmlhttp',
  'microsoft.xmlhttp',
  'winhttp.winhttprequest',
];
const CODE_EXEC = [
  // A shell script's own way of running what it fetched.
  '| sh',
  '|sh',
  '| bash',
  '|bash',
  '| zsh',
  '| iex',
  '|iex',
  'invoke-expression',
  'exec(',
  'eval(',
  'os.system',
  'subprocess',
  'popen',
  'system(',
  'execsync',
  'child_process',
  'spawn(',
  '`',
  'shell_exec',
  'passthru',
  'runtime.getruntime',
  // PowerShell running text or programs.
  'iex ',
  'iex(',
  '[scriptblock]::create',
  'start-process',
  // Windows Script Host: WScript.Shell's Run and Exec, Shell.Application's ShellExecute.
  '.run(',
  '.run ',
  '.exec(',
  'shellexecute',
];

/** Programs that copy, move or rename a file: what they make of a download is the download. */
const FILE_MOVERS: ReadonlySet<string> = new Set([...FILE_COPIERS, 'install', 'ren', 'rename', 'rename-item', 'rni', 'ditto']);

/**
 * `mv /tmp/a.txt /usr/local/bin/tool`, `ren a.txt a.exe`, `Copy-Item a C:\x\b.exe`: the last path is the download too.
 * A file from a downloaded archive's contents (`mv node_exporter-1.8/node_exporter /usr/local/bin`) is downloaded
 * content as well, kept under the target's name and, where the target is a folder, its own.
 */
function carryDownload(cmd: SimpleCommand, flow: SessionFlow): void {
  const paths: Word[] = [];
  for (let k = 1; k < cmd.words.length; k++) {
    const w = cmd.words[k] as Word;
    if (w.value.length > 1 && (w.value.startsWith('-') || (cmd.shell === 'cmd' && /^\/[a-z-]+$/i.test(w.value)))) continue;
    paths.push(w);
  }
  if (paths.length < 2) return;
  // `mv x /usr/local/bin/`: a folder written with its slash has no file name of its own.
  const target = fileKey((paths[paths.length - 1] as Word).value);
  for (let k = 0; k < paths.length - 1; k++) {
    const source = fileKey((paths[k] as Word).value);
    if (!source) continue;
    if (flow.downloaded.has(source)) {
      if (target) flow.downloaded.set(target, flow.downloaded.get(source));
      return;
    }
    const contents = flow.unpacked.size > 0 ? unpackedSource(flow, (paths[k] as Word).value) : undefined;
    if (contents !== undefined) {
      const span = contents.spans.find((s) => s !== undefined);
      if (target) flow.downloaded.set(target, span);
      flow.downloaded.set(source, span);
      return;
    }
  }
}

/** The unpacked contents a file given to a copy or move lies in: any relative path when the working directory holds them. */
function unpackedSource(flow: SessionFlow, path: string): UnpackedContents | undefined {
  const here = flow.unpacked.get('');
  if (here !== undefined && !/^["']?([/~$%(]|[a-z]:|\.\.)/i.test(path)) return here;
  return unpackedHolding(flow, normalisedPath(path));
}

/** What a written file's text fetches and runs, kept per file (`append`: added to what was written before). */
function recordWrittenScript(flow: SessionFlow, key: string, text: string, append: boolean): void {
  const before = append ? flow.writtenScripts.get(key) : undefined;
  const runs = codeRuns(text);
  const script = {
    fetches: (before?.fetches ?? false) || codeFetches(text),
    runs: (before?.runs ?? false) || runs,
    // `echo sh.Run "C:\Users\Public\svc.exe" >> t.vbs` after svc.exe was downloaded: the script runs the download.
    runsDownload: (before?.runsDownload ?? false) || (runs && mentionsDownloaded(text, flow)),
  };
  flow.writtenScripts.set(key, script);
  if ((script.fetches && script.runs) || script.runsDownload) flow.fetchAndRunScripts.add(key);
  else flow.fetchAndRunScripts.delete(key);
}

/** The text Set-Content / Add-Content writes: its `-Value` argument (abbreviations included), lower case. */
function contentValue(cmd: SimpleCommand): string | undefined {
  for (let k = 1; k < cmd.words.length - 1; k++) {
    const l = (cmd.words[k] as Word).lower;
    if (l.length >= 3 && '-value'.startsWith(l)) return (cmd.words[k + 1] as Word).lower;
  }
  return undefined;
}

/** The file Set-Content / Add-Content writes: `-Path` / `-LiteralPath` (abbreviated too), or the first positional argument. */
function contentPath(cmd: SimpleCommand): string | undefined {
  for (let k = 1; k < cmd.words.length; k++) {
    const l = (cmd.words[k] as Word).lower;
    if (l.length >= 2 && l[0] === '-') {
      if ((l.length >= 3 && '-path'.startsWith(l)) || '-literalpath'.startsWith(l)) return cmd.words[k + 1]?.value;
      k++; // another parameter's value
      continue;
    }
    return (cmd.words[k] as Word).value;
  }
  return undefined;
}

/** Whether written text names a file downloaded earlier (by its file name; the first 64 downloads are looked for). */
function mentionsDownloaded(lower: string, flow: SessionFlow): boolean {
  let looked = 0;
  for (const key of flow.downloaded.keys()) {
    if (key.length > 2 && lower.includes(key)) return true;
    if (++looked >= 64) break;
  }
  return false;
}

function codeFetches(lower: string): boolean {
  return CODE_FETCH.some((t) => lower.includes(t));
}

function codeRuns(lower: string): boolean {
  return CODE_EXEC.some((t) => lower.includes(t));
}

/**
 * Interpreters that take program text on their command line (`python -c`, `node -e`, `deno eval`) or
 * from a here-document, with the terms of their network fetch calls and of what runs text or
 * programs. Program text that both fetches and runs is a download cradle in one line. Terms are
 * matched on the lower-case text with its quotes removed (`require('https')` → `require(https)`).
 */
interface InlineCodeLanguage {
  /** Whether a word is an option whose next word is program text. */
  codeOption: (word: string) => boolean;
  /** Options written `--eval=CODE`. */
  attachedCodeOptions?: readonly string[];
  /** Sub-commands whose next non-option word is program text (`deno eval CODE`). */
  codeSubcommands?: readonly string[];
  /** Network fetch calls and modules. */
  fetch: readonly string[];
  /** Calls that run text or programs. */
  run: readonly string[];
  /** Names that run text when they stand alone as an identifier (`eval(x)`, `.then(eval)`, `eval get(…)`). */
  runIdentifiers: readonly string[];
  /** Calls that read from the network when the program text holds a URL (`file_get_contents($u)` after `$u = 'http://…'`). */
  fetchWithUrl?: readonly string[];
  /** Backticks run a shell command (Perl, Ruby, PHP; in JavaScript they are template strings). */
  backticksRun?: boolean;
  /** With no code option, the first argument that is not an option is the program text (`Add-Type @'…'@`). */
  positionalCode?: boolean;
}

/** Any language can shell out to a downloader. */
const SHELL_FETCH = ['curl ', 'wget ', 'invoke-webrequest', 'iwr '];

const PYTHON: InlineCodeLanguage = {
  codeOption: (w) => /^-[a-zA-Z]*c$/.test(w),
  fetch: [
    'urllib',
    'urlopen',
    'urlretrieve',
    'requests.',
    'session.get',
    'http.client',
    'httplib',
    'httpx',
    'aiohttp',
    'pycurl',
    ...SHELL_FETCH,
  ],
  run: ['os.system', 'subprocess', 'popen', 'os.exec', 'os.spawn', 'pty.spawn', 'runpy'],
  runIdentifiers: ['exec', 'eval'],
};
const PERL: InlineCodeLanguage = {
  codeOption: (w) => /^-[a-zA-Z]*[eE]$/.test(w),
  fetch: ['lwp::', 'http::tiny', 'http::request', 'io::socket::ssl', 'net::http', 'getstore(', 'mirror(', ...SHELL_FETCH],
  run: [],
  runIdentifiers: ['eval', 'system', 'exec', 'qx'],
  backticksRun: true,
};
const RUBY: InlineCodeLanguage = {
  codeOption: (w) => /^-[a-zA-Z]*e$/.test(w),
  fetch: ['open-uri', 'uri.open', 'net::http', 'net/http', 'open(http', 'httparty', 'faraday', 'rest-client', 'restclient', ...SHELL_FETCH],
  fetchWithUrl: ['open(', 'uri('],
  run: ['io.popen', 'open3', '%x'],
  runIdentifiers: ['eval', 'instance_eval', 'class_eval', 'module_eval', 'system', 'exec', 'spawn'],
  backticksRun: true,
};
/** `include 'http://…'`: PHP fetches the file and runs it (allow_url_include). */
const PHP_REMOTE_INCLUDES = ['include', 'include_once', 'require', 'require_once'].flatMap((f) => [`${f} http`, `${f}(http`]);
const PHP: InlineCodeLanguage = {
  codeOption: (w) => /^-[a-zA-Z]*r$/.test(w),
  // A file function given a URL reads from the network (allow_url_fopen).
  fetch: [
    'file_get_contents(http',
    'fopen(http',
    'readfile(http',
    'file(http',
    'curl_exec',
    'fsockopen',
    ...PHP_REMOTE_INCLUDES,
    ...SHELL_FETCH,
  ],
  fetchWithUrl: ['file_get_contents(', 'fopen(', 'readfile(', 'file(', 'copy('],
  run: PHP_REMOTE_INCLUDES,
  runIdentifiers: ['eval', 'system', 'exec', 'shell_exec', 'passthru', 'popen', 'proc_open', 'assert', 'pcntl_exec', 'create_function'],
  backticksRun: true,
};
const JAVASCRIPT_FETCH = [
  'fetch(',
  'https.get(',
  'http.get(',
  'https.request(',
  'http.request(',
  'require(https)',
  'require(http)',
  'require(node:https)',
  'require(node:http)',
  'from https',
  'from http',
  'from node:https',
  'from node:http',
  'axios',
  'node-fetch',
  'undici',
  'xmlhttprequest',
  'net.connect(',
  'net.createconnection(',
  'tls.connect(',
  'import(http',
  ...SHELL_FETCH,
];
const JAVASCRIPT_RUN = [
  'new function(',
  'child_process',
  'execsync(',
  'spawnsync(',
  'execfile',
  'vm.run',
  'runinthiscontext',
  'runinnewcontext',
  'compilefunction',
  'vm.script',
  '._compile(',
  'deno.run(',
  'deno.command(',
  'bun.spawn',
  '$`',
  // A module imported from a URL runs as it loads.
  'import(http',
];
const NODE: InlineCodeLanguage = {
  codeOption: (w) => /^-[a-z]*[ep]$/.test(w) || w === '--eval' || w === '--print',
  attachedCodeOptions: ['--eval=', '--print='],
  fetch: JAVASCRIPT_FETCH,
  run: JAVASCRIPT_RUN,
  runIdentifiers: ['eval'],
};
const DENO: InlineCodeLanguage = { ...NODE, codeOption: () => false, attachedCodeOptions: [], codeSubcommands: ['eval'] };
const LUA: InlineCodeLanguage = {
  codeOption: (w) => w === '-e',
  fetch: ['socket.http', 'ssl.https', 'http.request', 'luasocket', 'require(http', 'curl.easy', ...SHELL_FETCH],
  run: ['os.execute', 'io.popen'],
  runIdentifiers: ['loadstring', 'load', 'dofile'],
};
/**
 * osascript's `-e` code: JavaScript for Automation reads URLs through the Objective-C bridge
 * (`$.NSData.dataWithContentsOfURL`) and runs text with `eval`; AppleScript runs text with `run script`.
 */
const OSASCRIPT: InlineCodeLanguage = {
  codeOption: (w) => w === '-e',
  fetch: ['datawithcontentsofurl', 'stringwithcontentsofurl', 'initwithcontentsofurl', 'nsurlsession', 'nsurlconnection', ...SHELL_FETCH],
  run: ['run script', 'runscript(', 'new function('],
  runIdentifiers: ['eval'],
};
/** An abbreviation of a PowerShell parameter name (`-TypeDef`, `-Mem`), by unique prefix. */
function abbreviates(word: string, ...parameters: string[]): boolean {
  const l = word.toLowerCase();
  return l.length >= 2 && parameters.some((p) => p.startsWith(l));
}

/**
 * Add-Type's C# or VB source (`-TypeDefinition`, `-MemberDefinition`, or given first), compiled into the session:
 * source that downloads and starts a program, loads an assembly or starts a thread runs the download.
 */
const DOTNET_SOURCE: InlineCodeLanguage = {
  codeOption: (w) => abbreviates(w, '-typedefinition', '-memberdefinition'),
  positionalCode: true,
  fetch: [
    'downloadfile(',
    'downloadstring(',
    'downloaddata(',
    'webclient',
    'httpclient',
    'webrequest.create',
    'httpwebrequest',
    'openread(',
  ],
  run: ['process.start(', 'processstartinfo', 'assembly.load(', 'createthread', 'shellexecute', 'winexec('],
  runIdentifiers: [],
};

/**
 * awk's program (its first argument): a string piped into `getline` and the argument of `system()` run as shell
 * commands, as does output printed into `| "sh"`.
 */
const AWK: InlineCodeLanguage = {
  codeOption: () => false,
  positionalCode: true,
  fetch: [...SHELL_FETCH, '/inet/tcp/'],
  run: ['system(', '| sh', '|sh', '| bash', '|bash'],
  runIdentifiers: [],
};

/** Other interpreters: the first keyword lists (any option cluster ending in c, e, E or r holds the code). */
const OTHER_INTERPRETER: InlineCodeLanguage = {
  codeOption: (w) => /^-[a-z]*[ceEr]$/.test(w),
  fetch: CODE_FETCH,
  run: CODE_EXEC,
  runIdentifiers: [],
};

const INLINE_CODE_LANGUAGES: ReadonlyMap<string, InlineCodeLanguage> = new Map([
  ['python', PYTHON],
  ['python2', PYTHON],
  ['python3', PYTHON],
  ['py', PYTHON],
  ['pypy', PYTHON],
  ['pypy3', PYTHON],
  ['perl', PERL],
  ['ruby', RUBY],
  ['php', PHP],
  ['node', NODE],
  ['nodejs', NODE],
  ['bun', NODE],
  ['deno', DENO],
  ['lua', LUA],
  ['luajit', LUA],
  ['osascript', OSASCRIPT],
  ['add-type', DOTNET_SOURCE],
  ['awk', AWK],
  ['gawk', AWK],
  ['mawk', AWK],
  ['nawk', AWK],
]);

function inlineCodeLanguage(name: string): InlineCodeLanguage | undefined {
  const known = INLINE_CODE_LANGUAGES.get(name);
  if (known) return known;
  // python3.12, pypy3.10
  if (name.startsWith('python') && /^python[0-9.]*$/.test(name)) return PYTHON;
  return INTERPRETERS.has(name) ? OTHER_INTERPRETER : undefined;
}

/** The program text an interpreter is given: the value of its code option or sub-command, or a here-document it reads as its script. */
function inlineCode(cmd: SimpleCommand, lang: InlineCodeLanguage): Word | string | undefined {
  const args = cmd.words;
  let positional = false;
  for (let k = 1; k < args.length; k++) {
    const v = args[k]!.value;
    if (lang.codeOption(v)) return args[k + 1];
    for (const o of lang.attachedCodeOptions ?? []) if (v.startsWith(o)) return v.slice(o.length);
    // A sub-command is the first word that is not an option.
    if (positional || v.startsWith('-')) continue;
    positional = true;
    if (lang.positionalCode === true && (k === 1 || !args[k - 1]!.value.startsWith('-'))) return args[k];
    if (lang.codeSubcommands?.includes(args[k]!.lower)) {
      for (let j = k + 1; j < args.length; j++) if (!args[j]!.value.startsWith('-')) return args[j];
      return undefined;
    }
  }
  if (executesStdin(cmd)) for (const r of cmd.redirects) if (r.heredoc) return r.target.value;
  return undefined;
}

/** Whether `id` stands in `text` as an identifier: not inside a longer name (a property access `.eval` counts). */
function hasIdentifier(text: string, id: string): boolean {
  for (let i = text.indexOf(id); i >= 0; i = text.indexOf(id, i + 1)) {
    if (!isIdentifierChar(text.charCodeAt(i - 1)) && !isIdentifierChar(text.charCodeAt(i + id.length))) return true;
  }
  return false;
}

/** `[a-z0-9_$]` (the text is lower case); NaN (outside the text) is not. */
function isIdentifierChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 95 || c === 36;
}

/** Whether the interpreter's inline program fetches from the network and runs what it gets (or runs a program). */
function inlineCodeFetchesAndRuns(cmd: SimpleCommand, lang: InlineCodeLanguage, code: string): boolean {
  const lower = code.toLowerCase();
  const bare = lower.replace(/["']/g, '');
  // Fetch calls may come from a module loaded by an option (`perl -MLWP::Simple -e …`, `ruby -ropen-uri -e …`).
  let fetches = lang.fetch.some((t) => bare.includes(t));
  if (!fetches) {
    for (let k = 1; k < cmd.words.length && !fetches; k++) {
      const w = cmd.words[k]!.lower;
      if (w.startsWith('-') && w.length > 2) fetches = lang.fetch.some((t) => w.includes(t));
    }
  }
  if (!fetches && lang.fetchWithUrl !== undefined && containsUrl(lower)) fetches = lang.fetchWithUrl.some((t) => bare.includes(t));
  if (!fetches) return false;
  return (
    lang.run.some((t) => bare.includes(t)) ||
    lang.runIdentifiers.some((id) => hasIdentifier(bare, id)) ||
    (lang.backticksRun === true && lower.includes('`'))
  );
}

function finding(ruleId: string, message: string, spans: (Span | null | undefined)[]): Finding {
  const clean: Span[] = [];
  for (const s of spans) if (s && !clean.some((c) => c.start === s.start && c.end === s.end)) clean.push({ start: s.start, end: s.end });
  clean.sort((a, b) => a.start - b.start || a.end - b.end);
  return { code: 'download_execute', ruleId, standard: 'block', extended: 'flag', message, spans: clean, remedy: REMEDY };
}

/**
 * Package managers whose install runs code of the package (setup.py and build backends, npm install scripts, gem
 * extensions), with the verbs that install. From their registry that is ordinary software; from a URL, a git
 * repository or a package server of the script's choosing, it is code downloaded and run.
 */
const PACKAGE_INSTALL_VERBS: ReadonlyMap<string, ReadonlySet<string>> = new Map([
  ['pip', new Set(['install'])],
  ['pip3', new Set(['install'])],
  ['pipx', new Set(['install', 'run', 'inject'])],
  ['uv', new Set(['pip', 'tool'])],
  ['npm', new Set(['install', 'i', 'add', 'exec', 'x'])],
  ['npx', new Set()],
  ['uvx', new Set()],
  ['bunx', new Set()],
  ['bun', new Set(['add', 'install', 'i', 'x'])],
  ['pnpm', new Set(['install', 'i', 'add', 'dlx'])],
  ['yarn', new Set(['add', 'global', 'dlx'])],
  ['gem', new Set(['install'])],
]);

/** Verbs that fetch a package to run it once; the words after it are the program's own arguments. */
const PACKAGE_RUN_VERBS: ReadonlySet<string> = new Set(['run', 'dlx', 'exec', 'x']);
/** Options of those package managers whose value is not a package (an index, a requirements file, a registry, a folder). */
const PACKAGE_VALUE_OPTIONS: ReadonlySet<string> = new Set([
  '-i',
  '--index-url',
  '--extra-index-url',
  '-f',
  '--find-links',
  '-r',
  '--requirement',
  '-c',
  '--constraint',
  '-t',
  '--target',
  '--prefix',
  '--root',
  '--proxy',
  '--trusted-host',
  '--cert',
  '--registry',
  '--cache',
  '-s',
  '--source',
  '-n',
  '--install-dir',
]);
/** The registries themselves, named as a source over https: the same as installing by name. */
const OFFICIAL_REGISTRY_HOSTS: ReadonlySet<string> = new Set([
  'rubygems.org',
  'pypi.org',
  'files.pythonhosted.org',
  'registry.npmjs.org',
  'registry.yarnpkg.com',
]);

/** Whether a source is one of the official registries: the whole host compared (`rubygems.org.example` is not). */
function isOfficialRegistry(source: string): boolean {
  const host = /^https:\/\/([^/:?#\s]+)/.exec(trimQuotes(source))?.[1];
  return host !== undefined && OFFICIAL_REGISTRY_HOSTS.has(host);
}

/** A package named by where it is fetched from: a URL or a version-control address (`git+https://…`, `pkg @ https://…`). */
function isPackageSource(w: Word): boolean {
  const l = trimQuotes(w.lower);
  return (
    // npm's and bun's hosted-git shorthands (`github:user/repo`).
    HOSTED_GIT_PREFIXES.some((p) => l.startsWith(p)) ||
    l.startsWith('http://') ||
    l.startsWith('https://') ||
    l.startsWith('ftp://') ||
    l.startsWith('git://') ||
    l.startsWith('git+') ||
    l.startsWith('hg+') ||
    l.startsWith('svn+') ||
    l.startsWith('bzr+') ||
    l.includes(' @ http') ||
    l.includes('@git+')
  );
}

const HOSTED_GIT_PREFIXES: readonly string[] = ['github:', 'gitlab:', 'bitbucket:', 'gist:'];

/**
 * `pip install git+https://…`, `python -m pip install https://…/x.whl`, `npm install -g https://…/x.tgz`,
 * `gem install x --source http://…`: a package fetched from a place the command names, and its install code run.
 */
function packageFromSource(cmd: SimpleCommand, n: string, args: readonly Word[]): Finding | null {
  let manager = n;
  let rest = args;
  // `python3 -m pip install …`
  if ((n.startsWith('python') || n === 'py') && args[0]?.lower === '-m' && (args[1]?.lower === 'pip' || args[1]?.lower === 'pip3')) {
    manager = 'pip';
    rest = args.slice(2);
  } else if (/^pip3\.[0-9]+$/.test(n)) manager = 'pip3';
  const verbs = PACKAGE_INSTALL_VERBS.get(manager);
  if (verbs === undefined) return null;
  const verb = rest.find((w) => !w.value.startsWith('-'));
  // npx, uvx and bunx run what they are given; the others install only with an install verb.
  const direct = verbs.size === 0;
  if (!direct && (verb === undefined || !verbs.has(verb.lower))) return null;
  // A word after an option that takes a value is that value (`--index-url https://pypi.example.com/simple` names an index).
  const packages = rest.filter((w, k) => !w.value.startsWith('-') && !PACKAGE_VALUE_OPTIONS.has(rest[k - 1]?.lower ?? ''));
  // `pipx run`, `npx`, `pnpm dlx`: the first is the package (or `--spec`/`--package`), the rest are the program's arguments.
  const runs = direct || (verb !== undefined && PACKAGE_RUN_VERBS.has(verb.lower));
  // `uvx --from git+https://… tool`: the package the tool comes from.
  const named = runs ? optionValue(rest, 'spec', 'package', 'p', 'from') : undefined;
  const candidates = runs ? [named ?? packages[direct ? 0 : 1]] : packages;
  const source =
    candidates.find((w) => w !== undefined && isPackageSource(w)) ?? (manager === 'gem' ? optionValue(rest, 'source', 's') : undefined);
  if (source === undefined || !isPackageSource(source) || isOfficialRegistry(source.lower)) return null;
  return finding(
    'dl.package-from-url',
    `${manager} installs a package fetched from ${trimQuotes(source.value).slice(0, 120)}, not from its registry; installing runs the package's own code (build and install scripts).`,
    [cmd.span],
  );
}

/** `github.com/x/tool@v1.2.0`: a module path on a host (a dotted first element) at a version. */
function isRemoteModuleVersion(path: string): boolean {
  const slash = path.indexOf('/');
  const at = path.lastIndexOf('@');
  return slash > 0 && at > slash && path.slice(0, slash).includes('.') && at < path.length - 1;
}

/**
 * Script runners that take the script as a path or a URL and run it (`deno run https://…`, `dotnet script
 * https://…/x.csx`, `uv run https://…/x.py`), with the sub-command that runs one ('' for none).
 */
const URL_SCRIPT_RUNNERS: ReadonlyMap<string, string> = new Map([
  ['deno', 'run'],
  ['dotnet', 'script'],
  ['dotnet-script', ''],
  ['uv', 'run'],
]);

/** Programs that can fetch and run remote code by themselves (checked by name first: this runs for every command). */
const REMOTE_RUNNERS = new Set([
  'add-appxpackage',
  'winget',
  'msiexec',
  'mshta',
  'regsvr32',
  'rundll32',
  'hh',
  'wmic',
  'cscript',
  'wscript',
  'msbuild',
  'installutil',
  'powershell',
  'pwsh',
  'go',
  ...URL_SCRIPT_RUNNERS.keys(),
  ...INTERPRETERS,
  ...INLINE_CODE_LANGUAGES.keys(),
  ...PACKAGE_INSTALL_VERBS.keys(),
]);

function remoteRunner(cmd: SimpleCommand): Finding | null {
  const n = cmd.name;
  // python3.12, pip3.11 and the like are not listed.
  if (!REMOTE_RUNNERS.has(n) && !(n.charCodeAt(0) === 0x70 && (n.startsWith('python') || /^pip3\.[0-9]+$/.test(n)))) return null;
  const args = cmd.words.slice(1);
  const url = args.find(isUrlWord);
  if (n === 'msiexec' && url && args.some((w) => /^[-/](i|package|a|j[mu]?|update|p|fa|fu)$/i.test(w.value) || /^[-/]i/i.test(w.value))) {
    return finding('dl.msiexec-url', 'msiexec installs a package straight from the network; the installer runs with no copy to review.', [
      cmd.span,
    ]);
  }
  if (n === 'mshta' && args.some((w) => containsUrl(w.value) || /^(javascript|vbscript):/i.test(w.value.trim()))) {
    return finding('dl.mshta-url', 'mshta runs an HTML application (script) fetched from the network or given inline.', [cmd.span]);
  }
  if (n === 'regsvr32' && args.some((w) => /^[-/]i:/i.test(w.value) && containsUrl(w.value))) {
    return finding('dl.regsvr32-url', 'regsvr32 /i:URL fetches a scriptlet from the network and runs it (the "Squiblydoo" technique).', [
      cmd.span,
    ]);
  }
  // A network path counts only as the DLL loaded (first argument): `printui.dll,PrintUIEntry /n \\printserver\q` names a printer.
  if (
    n === 'rundll32' &&
    args.some((w, i) => (containsUrl(w.value) && (i === 0 || w.lower.includes('://'))) || /(javascript|vbscript|mshtml)[:,]/i.test(w.value))
  ) {
    return finding('dl.rundll32-url', 'rundll32 is given a URL or a script protocol, so it runs code that is not on disk.', [cmd.span]);
  }
  if (n === 'hh' && url)
    return finding('dl.hh-url', 'hh.exe opens a compiled help file from the network, which can run script.', [cmd.span]);
  if (n === 'wmic' && args.some((w) => /format:/i.test(w.value) && containsUrl(w.value))) {
    return finding('dl.wmic-xsl', 'wmic /format: loads an XSL stylesheet from the network, which can run script.', [cmd.span]);
  }
  if ((n === 'cscript' || n === 'wscript' || n === 'msbuild' || n === 'installutil') && url) {
    return finding('dl.script-host-url', `${n} runs a file from a remote location.`, [cmd.span]);
  }
  if (
    (n === 'powershell' || n === 'pwsh') &&
    args.some((w, k) => /^[-/]f(i(le?)?)?$/i.test(w.value) && containsUrl(args[k + 1]?.value ?? ''))
  ) {
    return finding('dl.ps-file-remote', 'PowerShell runs a script file from a remote location.', [cmd.span]);
  }
  const fromSource = packageFromSource(cmd, n, args);
  if (fromSource) return fromSource;
  const lang = inlineCodeLanguage(n);
  if (lang) {
    const code = inlineCode(cmd, lang);
    const text = typeof code === 'string' ? code : code?.value;
    if (text && inlineCodeFetchesAndRuns(cmd, lang, text)) {
      return finding('dl.interpreter-inline', `${n} is given program text that downloads code and runs it.`, [cmd.span]);
    }
  }
  // `Add-AppxPackage -Uri https://…/x.msix` / `-AppInstallerFile https://…`: a package installed straight from the network.
  if (n === 'add-appxpackage' && url) {
    return finding('dl.appx-url', 'Add-AppxPackage installs an app package straight from the network.', [cmd.span]);
  }
  // `winget configure -f https://…/x.dsc.yaml`: a remote configuration document, whose resources run with admin rights.
  if (n === 'winget' && args[0]?.lower === 'configure' && url) {
    return finding(
      'dl.winget-configure-url',
      'winget configure applies a configuration file fetched from the network; its resources run code.',
      [cmd.span],
    );
  }
  // `go run github.com/x/tool/cmd@latest`: the module is fetched at that version, built and run.
  if (n === 'go' && args[0]?.lower === 'run') {
    const target = args.slice(1).find((w) => !w.value.startsWith('-'));
    if (target !== undefined && isRemoteModuleVersion(target.lower))
      return finding('dl.script-url', `go run fetches the module ${target.value} from the network, builds it and runs it.`, [cmd.span]);
  }
  const runVerb = URL_SCRIPT_RUNNERS.get(n);
  if (runVerb !== undefined && (runVerb === '' || args[0]?.lower === runVerb)) {
    const script = args.slice(runVerb === '' ? 0 : 1).find((w) => !w.value.startsWith('-'));
    const shownName = runVerb === '' ? n : `${n} ${runVerb}`;
    if (script && isUrlWord(script))
      return finding('dl.script-url', `${shownName} fetches a program from the network and runs it.`, [cmd.span]);
  }
  return null;
}

/** The program text a computed program would run if it were Invoke-Expression: its first positional argument, or its `-Command` value. */
function invokeExpressionArgument(cmd: SimpleCommand): Word | undefined {
  const words = cmd.words;
  for (let k = 1; k < words.length; k++) {
    const v = words[k]!.value;
    if (/^-c(o(m(m(a(nd?)?)?)?)?)?$/i.test(v)) return words[k + 1];
    if (v.startsWith('-')) continue;
    // The value of another named parameter is not the code.
    return k > 1 && words[k - 1]!.value.startsWith('-') ? undefined : words[k];
  }
  return undefined;
}

/** How a command is shown in a message: its word as written, shortened. */
function shown(cmd: SimpleCommand): string {
  const v = cmd.words[0]?.value ?? cmd.name;
  return v.length > 60 ? v.slice(0, 60) + '…' : v;
}

/**
 * Functions defined in the text whose body downloads, to its output (`function Get-Helper { irm $u }`,
 * `fetch() { wget -qO- "$1"; }`: a call of one is a download like the command inside it) or into a file
 * (`function Get-Update { …DownloadFile($u, $f); return $f }`: what a call returns is taken as the file's
 * path). Null when the text defines none.
 */
function fetchingFunctions(doc: Document): FetchingFunctions | null {
  let out: FetchingFunctions | null = null;
  const commands = doc.commands;
  let posixDefinitions = 0;
  for (let i = 0; i < commands.length; i++) {
    const cmd = commands[i]!;
    let name: string | undefined;
    let body: SimpleCommand[] = [];
    if (cmd.shell === 'powershell' && (cmd.name === 'function' || cmd.name === 'filter') && cmd.words.length >= 3) {
      // The body's commands are nested in the definition's `{…}` word; parameters may follow the name (`function F($u) {…}`).
      const written = cmd.words[1]!.lower;
      name = written.includes('(') ? written.slice(0, written.indexOf('(')) : written;
      body = commandsNestedIn(doc, [cmd.words[cmd.words.length - 1]!]);
    } else if (isPosixFunctionDefinition(doc, cmd) && posixDefinitions++ < MAX_FUNCTIONS) {
      name = cmd.name;
      body = functionBody(doc, i);
    }
    if (name === undefined) continue;
    let toOutput = false;
    let toFile = false;
    for (const c of body) {
      // In a POSIX helper the URL is often a parameter (`curl -fsSL "$1" -o "$2"`), so curl and wget are known by name.
      if (!isFetch(c) && (cmd.shell === 'powershell' || (c.name !== 'curl' && c.name !== 'wget'))) continue;
      if (fetchesToOutput(c)) toOutput = true;
      else if (downloadedFiles(c, doc).length > 0) toFile = true;
    }
    if (!toOutput && !toFile) continue;
    out ??= { names: new Set(), savers: new Set(), definitions: new Set() };
    if (toOutput) out.names.add(name);
    if (toFile) out.savers.add(name);
    out.definitions.add(cmd);
  }
  return out;
}

interface FetchingFunctions {
  /** Functions that download to their output. */
  names: Set<string>;
  /** Functions that download into a file. */
  savers: Set<string>;
  /** The defining commands themselves, which call nothing. */
  definitions: Set<SimpleCommand>;
}

/** `name() { … }`, which lexes as the name alone followed by the body's commands. */
function isPosixFunctionDefinition(doc: Document, cmd: SimpleCommand): boolean {
  if (cmd.shell === 'powershell' || cmd.shell === 'cmd' || cmd.words.length !== 1 || cmd.position !== 0) return false;
  return doc.original
    .slice(cmd.words[0]!.span.end, cmd.words[0]!.span.end + 4)
    .replace(/[ \t]/g, '')
    .startsWith('()');
}

/**
 * What a POSIX function does with its arguments (`fetch() { curl -fsSL "$1" -o "$2"; }` downloads into
 * argument 2; `run() { chmod +x "$1"; "$1" --daemon; }` runs argument 1), by function name: a call then
 * downloads into, or runs, the file it is given.
 */
interface ParameterUse {
  downloadsInto: number;
  runs: number;
  /** The body runs what it reads (`_x() { ${SHELL:-/bin/sh}; }`): text piped into a call is run. */
  runsInput: boolean;
}

/** The positional parameter a word is (`$2`, `"$2"`, `${2}`), or 0. */
function positionalParameter(value: string): number {
  const v = value.replace(/["']/g, '');
  if (v.length === 2 && v[0] === '$' && v[1]! >= '1' && v[1]! <= '9') return Number(v[1]);
  if (v.length === 4 && v.startsWith('${') && v[3] === '}' && v[2]! >= '1' && v[2]! <= '9') return Number(v[2]);
  return 0;
}

/** Launchers whose first argument is the program they start (`nohup "$1"`, `exec "$1"`). */
const PARAMETER_LAUNCHERS = new Set(['nohup', 'exec', 'setsid', 'sudo', 'doas', 'env', 'timeout', 'nice', 'command']);

/** Longest function body looked at (a helper, not a program). */
const FUNCTION_BODY_LIMIT = 4096;
/** Most function definitions summarised per text: each costs up to FUNCTION_BODY_LIMIT characters. */
const MAX_FUNCTIONS = 256;

/** The commands of the POSIX function defined by `cmd` (`name() { … }`): those written inside its braces. */
function functionBody(doc: Document, index: number): SimpleCommand[] {
  const cmd = doc.commands[index]!;
  const text = doc.original;
  const open = text.indexOf('{', cmd.words[0]!.span.end);
  if (open < 0 || open - cmd.words[0]!.span.end > 8) return [];
  let depth = 0;
  let close = -1;
  for (let i = open; i < text.length && i - open < FUNCTION_BODY_LIMIT; i++) {
    if (text[i] === '{') depth++;
    else if (text[i] === '}' && --depth === 0) {
      close = i;
      break;
    }
  }
  if (close < 0) return [];
  const body: SimpleCommand[] = [];
  for (let k = index + 1; k < doc.commands.length; k++) {
    const c = doc.commands[k]!;
    if (c.layer !== cmd.layer) continue;
    if (c.span.start > close) break;
    if (c.span.start > open) body.push(c);
  }
  return body;
}

function functionParameterUses(doc: Document): Map<string, ParameterUse> | null {
  let out: Map<string, ParameterUse> | null = null;
  let definitions = 0;
  for (let index = 0; index < doc.commands.length && definitions < MAX_FUNCTIONS; index++) {
    const cmd = doc.commands[index]!;
    if (cmd.layer !== 0 || !isPosixFunctionDefinition(doc, cmd)) continue;
    definitions++;
    const use: ParameterUse = { downloadsInto: 0, runs: 0, runsInput: false };
    const body = functionBody(doc, index);
    for (const c of body) {
      // The URL is a parameter too, so the fetch is known by its program.
      if (isFetch(c) || c.name === 'curl' || c.name === 'wget') {
        const target = c.words.find(
          (w, k) => k > 0 && positionalParameter(w.value) > 0 && /^-(o|O|-output|-output-document)$/.test(c.words[k - 1]?.value ?? ''),
        );
        if (target) use.downloadsInto = positionalParameter(target.value);
      }
      const first = c.words[0]?.value ?? '';
      const launched = PARAMETER_LAUNCHERS.has(c.name) ? c.words.slice(1).find((w) => !w.value.startsWith('-'))?.value : undefined;
      const runs = positionalParameter(first) || (launched !== undefined ? positionalParameter(launched) : 0);
      if (runs > 0) use.runs = runs;
      // The body's first command reads the call's input: a shell, or a program named at run time.
      if (c === body[0] && runsPipedInput(doc, c) !== null) use.runsInput = true;
    }
    if (use.downloadsInto === 0 && use.runs === 0 && !use.runsInput) continue;
    (out ??= new Map()).set(cmd.name, use);
  }
  return out;
}

function callsFetcher(fetchers: FetchingFunctions, cmd: SimpleCommand): boolean {
  return fetchers.names.has(cmd.name) && !fetchers.definitions.has(cmd);
}

/** Whether `cmd` downloads into a file and returns or prints something: a call of such a function, or a POSIX download in `$(…)`. */
function savesDownload(doc: Document, cmd: SimpleCommand, fetchers: FetchingFunctions | null, fetch: boolean): boolean {
  if (fetchers !== null && fetchers.savers.has(cmd.name) && !fetchers.definitions.has(cmd)) return true;
  return cmd.shell !== 'powershell' && cmd.depth > 0 && fetch && downloadedFiles(cmd, doc).length > 0;
}

function analyseDoc(doc: Document, flow: SessionFlow, report: Finding[] | null): void {
  const commands = doc.commands;
  const psExec = new Map<number, SimpleCommand[]>();
  const psFetch = new Map<number, SimpleCommand[]>();
  // `report` is null for the documents of earlier lines (the session history).
  const runsText = report ? POWERSHELL_TEXT_RUNNERS.of(doc) : POWERSHELL_TEXT_RUNNERS.ofHistory(doc);
  // The commands of a nested layer come after every command of the layer above, whatever their place in
  // the text (`cmd /c curl … -o a.bat && a.bat`: the download is inside `cmd /c`, the run is not), so
  // downloads are also looked up by their place in the text.
  const downloadsInText = report && doc.layers.length > 1 ? downloadsByPlace(doc) : null;
  const fetchers = fetchingFunctions(doc);
  const parameterUses = doc.shell === 'powershell' ? null : functionParameterUses(doc);

  for (let i = 0; i < commands.length; i++) {
    const cmd = commands[i]!;
    const fetch = isFetch(cmd) || (fetchers !== null && callsFetcher(fetchers, cmd));
    // Remember what this command leaves behind.
    if (cmd.assignTo !== undefined && fetch && (fetchesToOutput(cmd) || cmd.shell === 'powershell')) {
      flow.fetchedVariables.set(variableKey(cmd.assignTo), report ? cmd.span : undefined);
    } else if (cmd.assignTo !== undefined && cmd.name === '' && cmd.shell === 'powershell' && flow.fetchedVariables.size > 0) {
      // An expression over downloaded content is downloaded content: `$t = [IO.StreamReader]::new($r.GetResponseStream()).ReadToEnd()`,
      // `$code = $resp.Content.Trim()`.
      const source = cmd.words.flatMap((w) => referencedVariables(w)).find((v) => flow.fetchedVariables.has(v));
      if (source !== undefined) flow.fetchedVariables.set(variableKey(cmd.assignTo), flow.fetchedVariables.get(source));
    }
    if (fetch) for (const f of downloadedFiles(cmd, doc)) flow.downloaded.set(f, report ? cmd.span : undefined);
    if ((flow.downloaded.size > 0 || flow.unpacked.size > 0) && FILE_MOVERS.has(cmd.name)) carryDownload(cmd, flow);
    // A call of a function that downloads into one of its arguments (`fetch "$URL" "$BIN"`).
    const use = parameterUses?.get(cmd.name);
    if (use && use.downloadsInto > 0 && cmd.words.length > use.downloadsInto) {
      const key = fileKey((cmd.words[use.downloadsInto] as Word).value);
      if (key) flow.downloaded.set(key, report ? cmd.span : undefined);
    }
    // `$file = Get-Update $u`, `f=$(stage_one URL)`, `f=$(curl -so /tmp/p URL && echo /tmp/p)`: the variable holds what a
    // download into a file returned or printed, taken as the file's path, so running `$file` runs the download.
    if (cmd.assignTo !== undefined && cmd.shell !== 'cmd' && savesDownload(doc, cmd, fetchers, fetch)) {
      for (const key of [`$${cmd.assignTo}`, `\${${cmd.assignTo}}`]) flow.downloaded.set(key.toLowerCase(), report ? cmd.span : undefined);
    }
    // Fetched content kept in a variable and then written out (`$r.Content | Out-File x.hta`, `Set-Content x -Value $r`).
    if (flow.fetchedVariables.size > 0 && !fetch && referencesAny(cmd, flow.fetchedVariables)) {
      for (const t of contentWriteTargets(cmd, doc)) flow.downloaded.set(fileKeyOf(t), report ? cmd.span : undefined);
      // `Set-Content -Path "$tmp.ps1" -Value $script`: the path may itself be computed; its written form is what runs later.
      const path = cmd.name === 'set-content' || cmd.name === 'add-content' ? contentPath(cmd) : undefined;
      if (path !== undefined) flow.downloaded.set(fileKeyOf(path), report ? cmd.span : undefined);
    } else if (!fetch && cmd.shell === 'powershell' && holdsFetchedOutput(doc, cmd)) {
      // Fetched content written out where it is fetched: `(iwr $u).Content | Out-File f`, `Set-Content f -Value (irm $u)`.
      for (const t of contentWriteTargets(cmd, doc)) flow.downloaded.set(fileKeyOf(t), report ? cmd.span : undefined);
      const path = cmd.name === 'set-content' || cmd.name === 'add-content' ? contentPath(cmd) : undefined;
      if (path !== undefined) flow.downloaded.set(fileKeyOf(path), report ? cmd.span : undefined);
    }
    // A downloaded archive unpacked, and the working directory moved into what it unpacked.
    if (flow.downloaded.size > 0 || (cmd.position > 0 && isUnpacker(cmd.name))) recordUnpacking(doc, cmd, flow, report !== null);
    if (cmd.name === 'git') recordClone(cmd, flow, report !== null);
    if (flow.unpacked.size > 0 && CHANGE_DIRECTORY.has(cmd.name)) recordDirectoryChange(doc, cmd, flow);
    const written = cmd.redirects.length > 0 ? writtenText(cmd) : undefined;
    if (written !== undefined) {
      for (const r of cmd.redirects) {
        // `>>` appends after a line break, which no keyword spans: the file's text has a keyword when either part has.
        if (r.op === '>' || r.op === '>>') recordWrittenScript(flow, executedKey(r.target.value), written, r.op === '>>');
      }
    } else if (cmd.shell === 'powershell' && (cmd.name === 'set-content' || cmd.name === 'add-content')) {
      // `Set-Content -Path x.ps1 -Value $script`: the value written, as assigned (a here-string of code, say).
      const value = contentValue(cmd);
      const path = value === undefined ? undefined : contentPath(cmd);
      if (value !== undefined && path !== undefined) recordWrittenScript(flow, executedKey(path), value, cmd.name === 'add-content');
    }
    if (cmd.shell === 'powershell') {
      const st = cmd.statement ?? -1;
      if (runsText[i] === 1) push(psExec, st, cmd);
      if (fetch || (flow.fetchedVariables.size > 0 && referencesAny(cmd, flow.fetchedVariables))) push(psFetch, st, cmd);
    }
    if (!report) continue;

    // 1. A download piped into something that executes stdin, or into a program the text does not name.
    const piped = cmd.position > 0 ? (runsPipedInput(doc, cmd) ?? (parameterUses?.get(cmd.name)?.runsInput ? 'named' : null)) : null;
    if (piped !== null) {
      const members = doc.pipelines[cmd.pipeline] ?? [];
      for (let p = 0; p < cmd.position; p++) {
        const prev = commands[members[p] as number];
        if (!prev) continue;
        const fromVariable =
          (prev.name === 'echo' || prev.name === 'printf' || prev.name === 'cat' || prev.name === '' || prev.name === 'write-output') &&
          flow.fetchedVariables.size > 0 &&
          referencesAny(prev, flow.fetchedVariables);
        const fromExpression = prev.name === '' && prev.words.some((w) => commandsNestedIn(doc, [w]).some(fetchesToOutput));
        const fromFunction = fetchers !== null && callsFetcher(fetchers, prev);
        if (fetchesToOutput(prev) || fromVariable || fromExpression || fromFunction) {
          report.push(
            piped === 'computed'
              ? finding(
                  'dl.pipe-to-computed',
                  `Content downloaded by \`${shown(prev)}\` is piped into \`${shown(cmd)}\`, a program whose name is only known at run time (it could be a shell or Invoke-Expression), invoked as if to run what it reads.`,
                  [prev.span, cmd.span],
                )
              : finding(
                  'dl.pipe-to-interpreter',
                  `Content downloaded by \`${prev.words[0]?.value ?? prev.name}\` is piped into \`${cmd.words[0]?.value ?? cmd.name}\`, which runs it as code.`,
                  [prev.span, cmd.span],
                ),
          );
          break;
        }
      }
    }

    // 2. A download passed as the code argument (`iex (irm …)`, `bash <(curl …)`, `eval "$(curl …)"`), or as the input
    // of a program that runs its input (`bash < <(wget -qO- …)`).
    let codeArgs = executesArguments(cmd);
    if (cmd.redirects.length > 0 && executesStdin(cmd)) {
      const inputs = cmd.redirects.filter((r) => r.op === '<' && r.target.nested !== undefined).map((r) => r.target);
      if (inputs.length > 0) codeArgs = [...codeArgs, ...inputs];
    }
    for (const w of codeArgs) {
      const src = fetchSpanIn(doc, flow, w);
      if (src !== undefined) {
        report.push(
          finding('dl.exec-argument', `\`${cmd.words[0]?.value ?? cmd.name}\` runs code that is downloaded from the network.`, [
            src,
            cmd.span,
          ]),
        );
        break;
      }
    }
    // 2b. A download handed to a program whose name is only known at run time, where a program that
    // runs text takes its code (`& $x (irm …)`, `. (gv 1).Value (iwr …).Content`, `$SHELL -c "$(curl …)"`).
    const computed = computedProgram(doc, cmd);
    if (computed !== null) {
      const launched = computed === UNKNOWN_PROGRAM ? launchedByComputed(cmd) : null;
      const code =
        cmd.shell === 'powershell'
          ? invokeExpressionArgument(cmd)
          : (executesArgumentsAs(judgedProgram(computed, cmd), cmd)[0] ?? (launched ? executesArguments(launched)[0] : undefined));
      const src = code ? fetchSpanIn(doc, flow, code) : undefined;
      if (src !== undefined) {
        report.push(
          finding(
            'dl.computed-invocation',
            computed === UNKNOWN_PROGRAM
              ? `\`${shown(cmd)}\` runs a program whose name is only known at run time (it could be Invoke-Expression or a shell) and hands it content downloaded from the network.`
              : `\`${shown(cmd)}\` runs ${computed} on content downloaded from the network.`,
            [src, cmd.span],
          ),
        );
      }
    }
    // `$(curl …)` in command position runs the download as a command line.
    const head = cmd.words[0];
    if (head && (head.value.startsWith('$(') || head.value.startsWith('`') || cmd.invocation !== undefined)) {
      for (const c of commandsNestedIn(doc, [head])) {
        if (fetchesToOutput(c)) {
          report.push(finding('dl.exec-argument', 'A download is run as a command line.', [c.span, cmd.span]));
          break;
        }
      }
    }

    // 3. A downloaded file is executed.
    if (!fetch && (flow.downloaded.size > 0 || flow.fetchAndRunScripts.size > 0 || downloadsInText !== null)) {
      const executed = executedFiles(cmd);
      for (const key of evaluatedFiles(doc, cmd)) executed.push(key);
      // A call of a function that runs one of its arguments (`run "$BIN"`).
      if (use && use.runs > 0 && cmd.words.length > use.runs) executed.push(fileKey((cmd.words[use.runs] as Word).value));
      // `systemctl start node_exporter` after node_exporter was downloaded: the service named after the program runs it.
      for (const unit of startedUnitFiles(cmd)) if (unit.endsWith('.service')) executed.push(unit.slice(0, -8));
      for (const key of executed) {
        let source: Span | undefined | null = null;
        if (flow.downloaded.has(key)) source = flow.downloaded.get(key);
        else {
          const placed = downloadsInText?.get(key);
          if (placed && placed.start < cmd.span.start) source = placed;
        }
        if (source === null) continue;
        report.push(finding('dl.file-then-run', `\`${key}\` is downloaded and then executed.`, [source, cmd.span]));
        break;
      }
      // A script assembled with echo/printf that downloads and runs code, then run.
      for (const key of executed) {
        if (flow.fetchAndRunScripts.has(key)) {
          report.push(
            finding(
              'dl.script-then-run',
              `\`${key}\` is written with code that downloads and runs a payload (or runs one downloaded before), then executed.`,
              [cmd.span],
            ),
          );
          break;
        }
      }
    }

    // 3b. A program from the contents of a downloaded archive is run.
    if (!fetch && flow.unpacked.size > 0) {
      const run = runFromUnpacked(cmd, flow);
      if (run) {
        report.push(
          finding('dl.archive-then-run', `\`${run.archive}\` is downloaded and unpacked, then \`${run.path}\` from its contents is run.`, [
            ...run.spans,
            cmd.span,
          ]),
        );
      }
    }

    // 4. Programs that fetch and run by themselves.
    const remote = remoteRunner(cmd);
    if (remote) report.push(remote);
  }

  // 5. PowerShell statements that download in memory and execute (including enclosing statements).
  if (report) {
    for (const [st, execs] of psExec) {
      for (const exec of execs) {
        const statements = new Set<number>([st]);
        for (let p = exec.parent, guard = 0; p !== undefined && guard < 64; guard++) {
          const parent = commands[p];
          if (!parent) break;
          statements.add(parent.statement ?? -1);
          p = parent.parent;
        }
        let fetchCmd: SimpleCommand | undefined;
        for (const s of statements) {
          fetchCmd = psFetch.get(s)?.[0];
          if (fetchCmd) break;
        }
        if (fetchCmd) {
          report.push(
            finding('dl.ps.cradle', 'This PowerShell statement downloads code and executes it in memory (a download cradle).', [
              fetchCmd.span,
              exec.span,
            ]),
          );
          break;
        }
      }
    }
  }
}

/**
 * Files downloaded by commands of nested layers (fileKey → span of the first such download in the text),
 * or null when there is none. (Downloads of the first layer come before every nested command anyway.)
 */
function downloadsByPlace(doc: Document): Map<string, Span> | null {
  let out: Map<string, Span> | null = null;
  for (const cmd of doc.commands) {
    if (cmd.layer === 0 || !isFetch(cmd)) continue;
    for (const key of downloadedFiles(cmd, doc)) {
      out ??= new Map();
      const known = out.get(key);
      if (!known || cmd.span.start < known.start) out.set(key, cmd.span);
    }
  }
  return out;
}

/** Downloads a glob is matched against (`tar xzf node_exporter-*.tar.gz`): the first ones, so the cost stays bounded. */
const MAX_GLOB_CANDIDATES = 64;

/** The downloaded file an archive name given to an unpacker names: itself, or the first download a glob matches. */
function downloadedArchive(flow: SessionFlow, key: string): string | undefined {
  if (flow.downloaded.has(key)) return key;
  if ((key.indexOf('*') < 0 && key.indexOf('?') < 0) || key.length > 256) return undefined;
  if (flow.downloaded.has(UNNAMED_DOWNLOAD)) return UNNAMED_DOWNLOAD;
  let seen = 0;
  for (const candidate of flow.downloaded.keys()) {
    if (++seen > MAX_GLOB_CANDIDATES) break;
    if (candidate.length <= 256 && globMatch(key, candidate)) return candidate;
  }
  return undefined;
}

/** Records where a command unpacks a downloaded archive (a file downloaded earlier, or a download piped in). */
function recordUnpacking(doc: Document, cmd: SimpleCommand, flow: SessionFlow, current: boolean): void {
  const unpacking = archiveExtraction(cmd);
  if (!unpacking) return;
  let download: Span | undefined;
  let archive: string;
  if (unpacking.archive !== undefined) {
    const key = downloadedArchive(flow, fileKeyOf(unpacking.archive));
    if (key === undefined) return;
    download = flow.downloaded.get(key);
    archive = key === UNNAMED_DOWNLOAD ? fileKeyOf(unpacking.archive) : key;
  } else {
    const members = doc.pipelines[cmd.pipeline] ?? [];
    const source = cmd.position > 0 ? doc.commands[members[cmd.position - 1] as number] : undefined;
    if (!source || !fetchesToOutput(source)) return;
    download = current ? source.span : undefined;
    const url = source.words.find(isUrlWord)?.value;
    archive = url === undefined ? shown(source) : url.length > 80 ? url.slice(0, 80) + '…' : url;
  }
  const spans = [download, current ? cmd.span : undefined];
  // A decompressed single file is a downloaded file like any other.
  if (unpacking.file !== undefined) {
    flow.downloaded.set(fileKeyOf(unpacking.file), current ? cmd.span : undefined);
    return;
  }
  flow.unpacked.set(normalisedPath(unpacking.directory), { archive, spans });
  // `cd /usr/local/src; tar xf a.tgz`: the contents are also where the text moved to, so
  // `/usr/local/src/a/bin/tool` runs them. Not the root folder: what runs from there is every system program.
  const absolute = normalisedPath(resolvePath(cmd, unpacking.directory === '' ? '.' : unpacking.directory));
  if (absolute !== '/' && absolute !== normalisedPath(unpacking.directory) && /^([/~]|[a-z]:)/.test(absolute))
    flow.unpacked.set(absolute, { archive, spans });
}

/** `git clone URL [dir]`: the repository is downloaded contents, like an unpacked archive (`cd dir && ./install.sh` runs them). */
function recordClone(cmd: SimpleCommand, flow: SessionFlow, current: boolean): void {
  const at = cmd.words.findIndex((w) => w.lower === 'clone');
  if (at < 0) return;
  const operands = cmd.words
    .slice(at + 1)
    .filter((w, k, all) => !w.value.startsWith('-') && !/^-[bcjo]$|^--(branch|depth|origin|config)$/.test(all[k - 1]?.value ?? ''));
  const url = operands[0];
  if (url === undefined || !(isUrlWord(url) || url.value.includes('@') || url.value.includes(':'))) return;
  let end = url.value.length;
  while (end > 0 && url.value[end - 1] === '/') end--;
  const repository = baseName(url.value.slice(0, end));
  const named = operands[1]?.value ?? (repository.endsWith('.git') ? repository.slice(0, -4) : repository);
  if (named === '') return;
  flow.unpacked.set(normalisedPath(named), {
    archive: url.value.length > 80 ? url.value.slice(0, 80) + '…' : url.value,
    spans: [current ? cmd.span : undefined],
  });
}

const CHANGE_DIRECTORY: ReadonlySet<string> = new Set(['cd', 'chdir', 'pushd', 'set-location', 'push-location']);

/** Cmdlets whose result is a path under the one they are given (`(Get-ChildItem -Path D -Recurse …).DirectoryName`). */
const PATH_FINDERS: ReadonlySet<string> = new Set(['get-childitem', 'gci', 'resolve-path', 'get-item', 'gi', 'join-path']);

/**
 * `cd` into unpacked contents makes the working directory part of them; `cd` elsewhere takes it out.
 * A location computed by searching the contents (`Push-Location (Get-ChildItem -Path D 'setup.exe' -Recurse).DirectoryName`)
 * is inside them too.
 */
function recordDirectoryChange(doc: Document, cmd: SimpleCommand, flow: SessionFlow): void {
  const target = directoryTarget(cmd);
  if (!target) return;
  const path = normalisedPath(target.value);
  // From the working directory, any relative path but `..` leads further in.
  const relative = !/^([/~$%(]|[a-z]:|\.\.)/.test(path);
  let contents = (relative ? flow.unpacked.get('') : undefined) ?? unpackedHolding(flow, path);
  for (const k of contents === undefined ? (target.nested ?? []) : []) {
    const c = doc.commands[k];
    if (c === undefined || !PATH_FINDERS.has(c.name)) continue;
    for (let i = 1; i < c.words.length && contents === undefined; i++)
      if (!c.words[i]!.value.startsWith('-')) contents = unpackedHolding(flow, normalisedPath(c.words[i]!.value));
  }
  if (contents !== undefined) flow.unpacked.set('', contents);
  else flow.unpacked.delete('');
}

/**
 * The unpacked contents (other than the working directory's) a normalised path lies in: its folder and each folder
 * above it looked up, so the cost does not grow with the number of archives unpacked.
 */
function unpackedHolding(flow: SessionFlow, path: string): UnpackedContents | undefined {
  for (let end = path.length; end > 0; end = path.lastIndexOf('/', end - 1)) {
    const contents = flow.unpacked.get(path.slice(0, end));
    if (contents !== undefined) return contents;
  }
  return path.startsWith('/') ? flow.unpacked.get('/') : undefined;
}

/** The first path a command runs from unpacked contents, with the archive it came from. */
function runFromUnpacked(cmd: SimpleCommand, flow: SessionFlow): { archive: string; path: string; spans: (Span | undefined)[] } | null {
  for (const path of executedPaths(cmd)) {
    // `sh install.sh`: a script an interpreter is given is a file of the working directory, bare name or not (a bare
    // command name is looked up in PATH instead).
    const bare = !/[\\/]/.test(path) && !/^[~$%]/.test(path);
    const commandWord = cmd.words[0]?.value === path;
    // cmd looks for a program in the working directory before PATH (`cmd /c setup.exe /install` there runs the
    // contents), but what it is given is a command line: `cmd /c dir` runs no file.
    const viaCmd = cmd.shell === 'cmd' || cmd.name === 'cmd';
    const fromWorkingDirectory =
      bare && (commandWord ? cmd.shell === 'cmd' && ranFromWorkingDirectory(path) : !viaCmd || ranFromWorkingDirectory(path));
    const here = flow.unpacked.get('');
    const contents =
      here !== undefined && (fromWorkingDirectory || isInsideDirectory(path, '')) ? here : unpackedHolding(flow, normalisedPath(path));
    if (contents !== undefined) return { archive: contents.archive, path, spans: contents.spans };
  }
  return null;
}

function push(map: Map<number, SimpleCommand[]>, key: number, cmd: SimpleCommand): void {
  const list = map.get(key);
  if (list) list.push(cmd);
  else map.set(key, [cmd]);
}

/** The key under which running `path` is recorded (what `executedFiles` gives for a command word). */
function executedKey(path: string): string {
  return fileKeyOf(path);
}

export const downloadExecuteRules: RuleFamily = (doc: Document, ctx: RuleContext): Finding[] => {
  const flow = new SessionFlow();
  for (const h of ctx.history) analyseDoc(h, flow, null);
  const findings: Finding[] = [];
  analyseDoc(doc, flow, findings);
  // Only spans inside the current text (history lines are not part of it).
  const limit = doc.original.length;
  for (const f of findings) f.spans = f.spans.filter((s) => s.start >= 0 && s.end <= limit && s.start <= s.end);
  return findings;
};
