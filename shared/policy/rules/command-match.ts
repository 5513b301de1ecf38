/**
 * Small, linear-time helpers shared by the technique rule families (proxy execution, RMM tools,
 * persistence, tunnels, defence evasion, credential access, offensive tools).
 *
 * Rules match on resolved command names and on word predicates (Set lookups, prefix/suffix and
 * substring tests); no regular expression ever runs on untrusted text here.
 */
import { makeWord } from '../analysis/builder';
import { cmdStartProgramIndex, programAndSwitches, trimQuotes } from '../analysis/names';
import type { Document, SimpleCommand, Word } from '../analysis/document';
import type { ReasonCode, Span } from '../types';
import { NeedleSet } from '../analysis/needles';
import { powerShellTextRunners } from '../analysis/semantics';
import { lolbinByName } from '../catalog/lolbins';
import type { Finding } from './rule';

/** A program actually started by a command, after unwrapping launchers such as `sudo`, `nohup`, `Start-Process`, `start`. */
export interface Invocation {
  command: SimpleCommand;
  /** Program name: lower case, no directory, no Windows executable extension. */
  name: string;
  /** The word that names the program (absent when the analysis resolved a name without a word). */
  nameWord: Word | undefined;
  /** The program's arguments. */
  args: Word[];
  /** True when the program was reached through a launcher (sudo, Start-Process …). */
  launched: boolean;
  /** Cache of `argLowers(inv)`. */
  argLowers?: readonly string[] | undefined;
  /** Cache of `writeTargets(inv)` (persistence and defence evasion both ask). */
  writeTargets?: readonly Word[] | undefined;
}

/**
 * Every invocation is made here, with all cache fields present from the start: objects of one
 * shape keep the property reads in the rule families fast.
 */
function newInvocation(command: SimpleCommand, name: string, nameWord: Word | undefined, args: Word[], launched: boolean): Invocation {
  return { command, name, nameWord, args, launched, argLowers: undefined, writeTargets: undefined };
}

const EXECUTABLE_EXTENSIONS: ReadonlySet<string> = new Set([
  '.exe',
  '.com',
  '.bat',
  '.cmd',
  '.ps1',
  '.vbs',
  '.wsf',
  '.js',
  '.py',
  '.sh',
  '.pl',
]);

/** Lower-case program name of a path: directory and executable extension removed. */
export function programName(text: string): string {
  // Positions are found on the text as written and only the name is lower-cased: a long word
  // (a whole nested command line) costs no more than its last segment.
  let end = text.length;
  // Trailing quotes/brackets left by sloppy tokenisation never belong to a name.
  while (end > 0 && isTrailingJunk(text.charCodeAt(end - 1))) end--;
  let start = Math.max(text.lastIndexOf('/', end - 1), text.lastIndexOf('\\', end - 1)) + 1;
  while (start < end && (text.charCodeAt(start) === 34 || text.charCodeAt(start) === 39)) start++;
  const s = text.slice(start, end).toLowerCase();
  // Every extension is a dot and letters, so only the text after the last dot can be one.
  const dot = s.lastIndexOf('.');
  return dot > 0 && EXECUTABLE_EXTENSIONS.has(s.slice(dot)) ? s.slice(0, dot) : s;
}

/** Folders every user can write to, where attackers stage payloads (lower case, either slash). */
const STAGING_FOLDERS = [
  '\\users\\public\\',
  '\\appdata\\local\\temp\\',
  '\\windows\\temp\\',
  '\\perflogs\\',
  '\\downloads\\',
  '%temp%\\',
  '%tmp%\\',
  '%public%\\',
  '$env:temp\\',
  '$env:tmp\\',
  '$env:public\\',
  '/tmp/',
  '/var/tmp/',
  '/dev/shm/',
];

/** Programs that copy or move files (Windows and POSIX), whose destination `writeTargets` tells apart from their sources. */
export const FILE_COPIERS: readonly string[] = ['copy', 'xcopy', 'copy-item', 'cpi', 'cp', 'move', 'mv', 'move-item', 'mi'];

/** Whether a path lies in a folder every user can write to (`C:\Users\Public\`, `%TEMP%`, `/tmp/` …). */
export function inStagingFolder(lower: string): boolean {
  const path = lower.includes('/') && !lower.startsWith('/') ? lower.replaceAll('/', '\\') : lower;
  return STAGING_FOLDERS.some((folder) => path.includes(folder));
}

export { trimQuotes } from '../analysis/names';

/** Programs that search or filter text: what their arguments name is a pattern or a file to read, never run. */
export const TEXT_FILTERS: ReadonlySet<string> = new Set([
  'grep',
  'egrep',
  'fgrep',
  'zgrep',
  'rg',
  'ag',
  'ack',
  'findstr',
  'select-string',
  'sls',
  'awk',
  'gawk',
  'sed',
  'jq',
]);

/** Script extensions a tool run by name may carry (`secretsdump.py`, `linpeas.sh`, `Invoke-X.ps1`). */
const SCRIPT_EXTENSIONS = ['.py', '.pl', '.rb', '.sh', '.ps1'];

/** The name of a tool run as a script by its own name (`secretsdump.py` → `secretsdump`), or undefined. */
export function scriptToolName(name: string): string | undefined {
  const dot = name.lastIndexOf('.');
  return dot > 0 && SCRIPT_EXTENSIONS.includes(name.slice(dot)) ? name.slice(0, dot) : undefined;
}

/** `"` `'` `)` `}` */
function isTrailingJunk(c: number): boolean {
  return c === 34 || c === 39 || c === 41 || c === 125;
}

/** Last path segment of a word, lower case, extension kept. */
export function baseName(text: string): string {
  const cut = Math.max(text.lastIndexOf('/'), text.lastIndexOf('\\'));
  return (cut >= 0 ? text.slice(cut + 1) : text).toLowerCase();
}

/** Extension (with dot) of a path's last segment, or ''. */
export function extensionOf(text: string): string {
  const b = baseName(text);
  const dot = b.lastIndexOf('.');
  return dot > 0 ? b.slice(dot) : '';
}

const OPTION_DASHES = new Set(['-', '/', '\u2013', '\u2014', '\u2015', '\u2212']);

/**
 * The key of an option word: `-urlcache`, `/urlcache`, `--urlcache`, `–urlcache` (en dash,
 * accepted by many Windows tools) → `urlcache`; `/i:http://x` → `i`; `--unit=foo` → `unit`.
 * Returns null for words that are not options.
 */
export function optionKey(word: Word): string | null {
  const s = word.lower;
  if (s.length < 2) return null;
  let i = 0;
  while (i < s.length && i < 2 && OPTION_DASHES.has(s[i]!)) i++;
  if (i === 0) return null;
  let end = s.length;
  for (let j = i; j < s.length; j++) {
    const c = s[j];
    if (c === ':' || c === '=') {
      end = j;
      break;
    }
  }
  const key = s.slice(i, end);
  // `/tmp/x` or `//server` are paths, not options.
  if (key.length === 0 || key.includes('/') || key.includes('\\')) return null;
  return key;
}

/** Value attached to an option word (`/i:VALUE`, `--x=VALUE`), or null. */
export function attachedValue(word: Word): string | null {
  const s = word.value;
  for (let j = 1; j < s.length; j++) {
    if (s[j] === ':' || s[j] === '=') return s.slice(j + 1);
  }
  return null;
}

/** First argument that is the option `key` (any dash style, with or without attached value). */
export function findOption(args: readonly Word[], ...keys: string[]): Word | undefined {
  for (const w of args) {
    const k = optionKey(w);
    if (k !== null && keys.includes(k)) return w;
  }
  return undefined;
}

/** Value of an option: the attached value, else the next word. */
export function optionValue(args: readonly Word[], ...keys: string[]): Word | undefined {
  for (let i = 0; i < args.length; i++) {
    const w = args[i]!;
    const k = optionKey(w);
    if (k === null || !keys.includes(k)) continue;
    const attached = attachedValue(w);
    if (attached !== null && attached.length > 0) return { value: attached, lower: attached.toLowerCase(), span: w.span };
    return args[i + 1];
  }
  return undefined;
}

/** PowerShell parameter match with unambiguous-prefix semantics kept simple: exact name or listed aliases. */
export function hasParam(args: readonly Word[], ...names: string[]): Word | undefined {
  for (const w of args) {
    if (!w.lower.startsWith('-')) continue;
    let n = w.lower.slice(1);
    const colon = n.indexOf(':');
    if (colon >= 0) n = n.slice(0, colon);
    if (names.includes(n)) return w;
  }
  return undefined;
}

/**
 * A program file named with its extension that Windows does not ship (`setup.exe`, not `cmd.exe` or `msiexec.exe`):
 * cmd runs it from the working directory before it looks in PATH. `evenLolbins`: also the binaries LOLBAS lists,
 * many of which do not ship on PATH (Squirrel's `update.exe`), for a working directory on a remote machine.
 */
export function ranFromWorkingDirectory(name: string, { evenLolbins = false }: { evenLolbins?: boolean } = {}): boolean {
  const lower = trimQuotes(name.toLowerCase());
  const dot = lower.lastIndexOf('.');
  if (dot <= 0 || !PROGRAM_EXTENSIONS.has(lower.slice(dot))) return false;
  const stem = lower.slice(0, dot);
  return !WINDOWS_PROGRAMS.has(stem) && (evenLolbins || lolbinByName(stem) === undefined);
}
const PROGRAM_EXTENSIONS: ReadonlySet<string> = new Set(['.exe', '.com', '.bat', '.cmd', '.msi']);
/** Windows programs a script runs by name that no other catalog lists. */
const WINDOWS_PROGRAMS: ReadonlySet<string> = new Set([
  'cmd',
  'powershell',
  'pwsh',
  'reg',
  'sc',
  'net',
  'netsh',
  'ipconfig',
  'ping',
  'whoami',
  'tasklist',
  'taskkill',
  'findstr',
  'find',
  'xcopy',
  'robocopy',
  'wmic',
  'schtasks',
  'timeout',
  'where',
  'shutdown',
  'gpupdate',
  'icacls',
  'takeown',
  'setx',
  'sfc',
  'dism',
  'chkdsk',
]);

/**
 * The last entry of `list` (sorted by `at`) that lies before `position`, by binary search: what a name was set to
 * when a later command reads it (an assignment, a drive mapping), without a pass over every earlier entry.
 */
export function lastBefore<T>(list: readonly T[], position: number, at: (entry: T) => number): T | undefined {
  let low = 0;
  let high = list.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (at(list[mid]!) < position) low = mid + 1;
    else high = mid;
  }
  return low > 0 ? list[low - 1] : undefined;
}

/** Words that are not options. */
export function positionals(args: readonly Word[]): Word[] {
  return args.filter((w) => optionKey(w) === null);
}

/** True for a URL or UNC path (content fetched from elsewhere). */
export function isRemote(text: string): boolean {
  const s = text.toLowerCase();
  return (
    s.startsWith('http://') ||
    s.startsWith('https://') ||
    s.startsWith('ftp://') ||
    s.startsWith('\\\\') ||
    s.includes('://') ||
    s.includes('script:http')
  );
}

export function anyWord(args: readonly Word[], pred: (w: Word) => boolean): Word | undefined {
  for (const w of args) if (pred(w)) return w;
  return undefined;
}

export function wordIncludes(args: readonly Word[], needle: string): Word | undefined {
  return anyWord(args, (w) => w.lower.includes(needle));
}

export function wordIs(args: readonly Word[], ...values: string[]): Word | undefined {
  return anyWord(args, (w) => values.includes(w.lower));
}

/** The invocation's arguments in lower case (computed once per invocation; every family asks). */
export function argLowers(inv: Invocation): readonly string[] {
  return (inv.argLowers ??= inv.args.map((w) => w.lower));
}

/** All argument text of an invocation, lower case, space-joined (for substring checks on short command lines). */
export function argText(inv: Invocation): string {
  let s = '';
  for (const w of inv.args) s += (s ? ' ' : '') + w.lower;
  return s;
}

// ---------------------------------------------------------------------------------------------
// Reading arguments of admin CLIs and cmdlets (control plane, impact, databases)

/** Most commands nested in one argument (a hashtable's entries) that are read. */
const MAX_NESTED_READ = 64;

/** An invocation's arguments in lower case, with the entries of `@{ … }` hashtables and here-documents fed to it. */
export function fullText(inv: Invocation, doc: Document): string {
  const parts: string[] = [];
  for (const w of inv.args) {
    parts.push(w.lower);
    if (w.nested === undefined) continue;
    for (const k of w.nested.slice(0, MAX_NESTED_READ)) for (const inner of doc.commands[k]?.words ?? []) parts.push(inner.lower);
  }
  for (const r of inv.command.redirects) if (r.heredoc === true) parts.push(r.target.lower);
  return parts.join(' ');
}

/** Whether arguments begin with `verbs`, in order (`network nsg rule create`); a few options may come first. */
export function startsWithVerbs(lowers: readonly string[], verbs: readonly string[]): boolean {
  const first = lowers.indexOf(verbs[0] as string);
  if (first < 0 || first > 4) return false;
  for (let k = 1; k < verbs.length; k++) if (lowers[first + k] !== verbs[k]) return false;
  return true;
}

export function hasVerbs(inv: Invocation, verbs: readonly string[]): boolean {
  return startsWithVerbs(argLowers(inv), verbs);
}

/** A PowerShell switch or boolean parameter set true: `-X`, `-X:$true`, `-X $true`. */
export function switchOn(inv: Invocation, name: string): boolean {
  const args = inv.args;
  for (let i = 0; i < args.length; i++) {
    const w = args[i] as Word;
    if (optionKey(w) !== name) continue;
    const colon = w.lower.indexOf(':');
    if (colon >= 0) return w.lower.slice(colon + 1) === '$true';
    const next = args[i + 1]?.lower;
    return next !== '$false' && next !== '0';
  }
  return false;
}

/** A parameter set false: `-X $false`, `-X:$false`, `--x false`. */
export function setFalse(inv: Invocation, name: string): Word | undefined {
  const v = optionValue(inv.args, name);
  return v !== undefined && (v.lower === '$false' || v.lower === 'false' || v.lower === '0') ? v : undefined;
}

// ---------------------------------------------------------------------------------------------
// Invocations

/** Launchers whose job is to start another program given as their first non-option argument. */
const PREFIX_LAUNCHERS = new Set([
  'sudo',
  'doas',
  'pkexec',
  'nohup',
  'exec',
  'time',
  'nice',
  'ionice',
  'command',
  'builtin',
  'stdbuf',
  'setsid',
  'caffeinate',
  'torsocks',
  'proxychains',
  'proxychains4',
]);
/** Launcher options that consume the following word. */
const LAUNCHER_OPTIONS_WITH_VALUE = new Set(['-u', '-g', '-n', '-c', '-p', '-h', '-e', '-C', '-D', '-r', '-t', '--user', '--group']);

// ---------------------------------------------------------------------------------------------
// Per-document caches

/** Every cache, so that `releaseLastDocument` empties their slots. */
const documentCaches: { release(): void }[] = [];

/**
 * Something several families compute about a document, computed once. The families ask about the
 * document being evaluated many times in a row: its value sits in a slot (a WeakMap entry per
 * document costs more than most one-line texts take to check). Session history documents, which
 * the engine keeps and hands over again with every line, keep theirs in a WeakMap.
 */
export class DocumentCache<T> {
  private document: Document | null = null;
  private value: T | undefined;
  private readonly history = new WeakMap<Document, T>();

  constructor(private readonly compute: (doc: Document) => T) {
    documentCaches.push(this);
  }

  /** The value for the document being evaluated. */
  of(doc: Document): T {
    if (doc !== this.document) {
      this.value = this.compute(doc);
      this.document = doc;
    }
    return this.value as T;
  }

  /** The value for a document of the session history. */
  ofHistory(doc: Document): T {
    let value = this.history.get(doc);
    if (value === undefined) {
      value = this.compute(doc);
      this.history.set(doc, value);
    }
    return value;
  }

  release(): void {
    this.document = null;
    this.value = undefined;
  }
}

const invocationCache = new DocumentCache(findInvocations);

/** `powerShellTextRunners` of a document (the encoded and download families both ask). */
export const POWERSHELL_TEXT_RUNNERS = new DocumentCache(powerShellTextRunners);

/** Programs started by the document's commands, launchers unwrapped (computed once per document). */
export function invocations(doc: Document): Invocation[] {
  return invocationCache.of(doc);
}

function findInvocations(doc: Document): Invocation[] {
  // One pass over the commands finds both the programs and the variable assignments (`$tool = …`)
  // that name some of them; those are resolved once every assignment is known.
  const variables = new Map<string, string>();
  const started: Invocation[] = [];
  /** For each of `started`, the variable that names its program, if any. */
  const namedBy: (string | undefined)[] = [];
  for (const command of doc.commands) {
    recordAssignment(variables, command);
    const words = command.words;
    // `$x = …` / `Key = value` (assignments, hashtable entries) start nothing.
    if (words[1]?.value === '=') continue;
    if (isPowerShellStringStatement(doc, command)) continue;
    let name = command.name;
    let nameWord: Word | undefined = words[0];
    let args = words.slice(1);
    // POSIX `VAR=value VAR2=value program args`: the assignments prefix the real program.
    let skip = 0;
    while (command.shell !== 'powershell' && command.shell !== 'cmd' && skip < words.length - 1 && isEnvAssignment(words[skip]!.value))
      skip++;
    if (skip > 0) {
      nameWord = words[skip];
      name = programName(words[skip]!.value);
      args = words.slice(skip + 1);
    }
    // PowerShell call/dot operators (`& "C:\x\tool.exe"`) and pure expressions name their program in the next word.
    if ((name === '' || name === '&' || name === '.') && words.length > 1 && (words[0]!.value === '&' || words[0]!.value === '.')) {
      nameWord = words[1];
      name = programName(words[1]!.value);
      args = words.slice(2);
    }
    started.push(newInvocation(command, name, nameWord, args, false));
    // `& $tool args` where `$tool = "…\\certutil.exe"` earlier: the program is resolved through the assignment.
    namedBy.push(nameWord && (nameWord.value.startsWith('$') || nameWord.value.startsWith('%')) ? variableKey(nameWord.value) : undefined);
  }
  const out: Invocation[] = [];
  for (let i = 0; i < started.length; i++) {
    const inv = started[i]!;
    const variable = namedBy[i];
    if (variable !== undefined) {
      const assigned = variables.get(variable);
      if (assigned) inv.name = programName(assigned);
    }
    out.push(inv);
    let launched = unwrapLauncher(inv.command, inv.name, inv.args);
    for (let depth = 0; launched && depth < 4; depth++) {
      out.push(launched);
      launched = unwrapLauncher(inv.command, launched.name, launched.args);
    }
  }
  return out;
}

/**
 * A PowerShell statement that is only a value (`$share`, `$($cfg.Share)`, `@('C:\\x\\a.exe', …)`): it outputs the
 * value and runs nothing. (A program is run by name or with `&` / `.`.)
 */
export function isPowerShellValueStatement(inv: Invocation): boolean {
  const c = inv.command;
  return c.shell === 'powershell' && c.name === '' && c.invocation === undefined && !inv.launched;
}

const DEFINED_FUNCTIONS = new DocumentCache(findDefinedFunctions);

/** PowerShell functions the text defines (`function Get-TeamViewerPath { … }`), lower case. */
export function definedFunctions(doc: Document): ReadonlySet<string> {
  return DEFINED_FUNCTIONS.of(doc);
}

function findDefinedFunctions(doc: Document): ReadonlySet<string> {
  let out: Set<string> | undefined;
  for (const c of doc.commands) {
    if (c.shell === 'powershell' && (c.name === 'function' || c.name === 'filter') && c.words[1] !== undefined)
      (out ??= new Set()).add(c.words[1].lower);
  }
  return out ?? NO_NAMES;
}
const NO_NAMES: ReadonlySet<string> = new Set();

/** In PowerShell a statement that starts with a quoted string (not after `&` or `.`) is a value, not a command. */
function isPowerShellStringStatement(doc: Document, command: SimpleCommand): boolean {
  if (command.shell !== 'powershell' || command.depth !== 0 || !command.words[0] || command.invocation !== undefined) return false;
  const start = command.words[0].span.start;
  const c = doc.original[start];
  if (c !== '"' && c !== "'") return false;
  let i = start - 1;
  while (i >= 0 && (doc.original[i] === ' ' || doc.original[i] === '\t')) i--;
  const before = i >= 0 ? doc.original[i] : '';
  return before !== '&' && before !== '.';
}

function isEnvAssignment(text: string): boolean {
  const eq = text.indexOf('=');
  if (eq <= 0) return false;
  for (let i = 0; i < eq; i++) {
    const c = text.charCodeAt(i);
    const ok = (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || (i > 0 && c >= 48 && c <= 57);
    if (!ok) return false;
  }
  return true;
}

function variableKey(text: string): string {
  let s = text.toLowerCase();
  if (s.startsWith('${') && s.endsWith('}')) s = '$' + s.slice(2, -1);
  if (s.startsWith('%') && s.endsWith('%')) s = '$' + s.slice(1, -1);
  return s;
}

/**
 * Constant-ish assignments `$x = "…"` (PowerShell), `set x=…` (cmd), `x=…` (POSIX): variable → the
 * last word assigned, which for `$p = $env:SystemRoot + "\\System32\\tool.exe"` is the program path.
 */
function recordAssignment(vars: Map<string, string>, c: SimpleCommand): void {
  const w = c.words;
  if (w.length >= 3 && w[1]!.value === '=' && w[0]!.value.startsWith('$')) {
    vars.set(variableKey(w[0]!.value), w[w.length - 1]!.value);
  } else if (c.name === 'set' && w[1] && w[1].value.includes('=')) {
    const eq = w[1].value.indexOf('=');
    vars.set('$' + w[1].value.slice(0, eq).toLowerCase(), w[1].value.slice(eq + 1));
  } else if (w.length === 1 && w[0]!.value.includes('=') && /* POSIX NAME=value */ !w[0]!.value.startsWith('-')) {
    const eq = w[0]!.value.indexOf('=');
    vars.set('$' + w[0]!.value.slice(0, eq).toLowerCase(), w[0]!.value.slice(eq + 1));
  }
}

function unwrapLauncher(command: SimpleCommand, name: string, args: Word[]): Invocation | null {
  if (PREFIX_LAUNCHERS.has(name) || name === 'env' || name === 'timeout' || name === 'xargs') {
    let i = 0;
    while (i < args.length) {
      const w = args[i]!;
      if (w.value.startsWith('-')) {
        i += LAUNCHER_OPTIONS_WITH_VALUE.has(w.value) && name !== 'xargs' ? 2 : 1;
        continue;
      }
      if (name === 'env' && w.value.includes('=')) {
        i++;
        continue;
      }
      if (name === 'timeout' && i === 0) {
        i++;
        continue;
      }
      break;
    }
    const target = args[i];
    if (!target) return null;
    return newInvocation(command, programName(target.value), target, args.slice(i + 1), true);
  }
  if (name === 'start-process' || name === 'saps') return unwrapStartProcess(command, args);
  // `pm2 start hbbs`, `pm2 start app.js --name api`: the process manager starts (and keeps restarting) the program.
  if (name === 'pm2' && args[0]?.lower === 'start') {
    const target = args.slice(1).find((w) => !w.value.startsWith('-'));
    if (!target) return null;
    return newInvocation(command, programName(target.value), target, args.slice(args.indexOf(target) + 1), true);
  }
  if (name === 'psexec' || name === 'psexec64' || name === 'paexec') return unwrapPsExec(command, args);
  if (name === 'start' && command.shell === 'cmd') {
    const i = cmdStartProgramIndex(args, 0);
    const target = args[i];
    if (!target) return null;
    return newInvocation(command, programName(target.value), target, args.slice(i + 1), true);
  }
  if (name === 'call' && command.shell === 'cmd') {
    const target = args[0];
    if (!target) return null;
    return newInvocation(command, programName(target.value), target, args.slice(1), true);
  }
  return null;
}

/** PsExec [\\\\computer] [-options] program [args]: options -u -p -w -n -h? take values. */
function unwrapPsExec(command: SimpleCommand, args: Word[]): Invocation | null {
  let i = 0;
  while (i < args.length) {
    const v = args[i]!.lower;
    if (v.startsWith('\\\\')) i++;
    else if (v === '-u' || v === '-p' || v === '-w' || v === '-n' || v === '-a' || v === '-r') i += 2;
    else if (v.startsWith('-') || v.startsWith('/')) i++;
    else break;
  }
  const target = args[i];
  if (!target) return null;
  return newInvocation(command, programName(target.value), target, args.slice(i + 1), true);
}

/** Most arguments read out of one `-ArgumentList` value. */
const MAX_LISTED_ARGUMENTS = 64;

/**
 * The arguments in a `-ArgumentList` value: a list (`'-N','-R',"13389:localhost:3389"`, which the lexer joins
 * with commas) or one string the program gets as its command line (`'-N -R 13389:…'`). Each keeps the
 * value's span.
 */
function argumentListWords(w: Word): Word[] {
  const v = w.value;
  if (v.length > 4096 || (v.indexOf(',') < 0 && v.indexOf(' ') < 0)) return [w];
  const parts = v.split(/[ ,]+/).filter((part) => part.length > 0);
  return parts.slice(0, MAX_LISTED_ARGUMENTS).map((part) => makeWord(part, w.span));
}

/** PowerShell's common parameters (every cmdlet has them): those that take a value, then the switches. */
const COMMON_VALUE_PARAMETERS = [
  'erroraction',
  'warningaction',
  'informationaction',
  'errorvariable',
  'warningvariable',
  'informationvariable',
  'outvariable',
  'outbuffer',
  'pipelinevariable',
];
const COMMON_ALIASES: ReadonlyMap<string, string> = new Map([
  ['ea', 'erroraction'],
  ['wa', 'warningaction'],
  ['infa', 'informationaction'],
  ['ev', 'errorvariable'],
  ['wv', 'warningvariable'],
  ['iv', 'informationvariable'],
  ['ov', 'outvariable'],
  ['ob', 'outbuffer'],
  ['pv', 'pipelinevariable'],
  ['vb', 'verbose'],
  ['db', 'debug'],
]);

/** A cmdlet's parameters as PowerShell binds them: by full name, alias, or any prefix that only one of them has. */
export class PowerShellParameters {
  private readonly names: readonly string[];
  private readonly aliases: ReadonlyMap<string, string>;
  /** The parameters (full names) that take a value; the others are switches. */
  readonly withValue: ReadonlySet<string>;

  constructor(withValue: readonly string[], switches: readonly string[], aliases: Readonly<Record<string, string>> = {}) {
    this.withValue = new Set([...withValue, ...COMMON_VALUE_PARAMETERS]);
    this.names = [...withValue, ...switches, ...COMMON_VALUE_PARAMETERS, 'verbose', 'debug'];
    this.aliases = new Map([...COMMON_ALIASES, ...Object.entries(aliases)]);
  }

  /** The full name of the parameter a word names (`-WindowS`, `-fi:x.exe` → windowstyle, filepath), or undefined. */
  of(word: Word): string | undefined {
    const l = word.lower;
    if (l.length < 2 || l.charCodeAt(0) !== 0x2d /* - */) return undefined;
    const colon = l.indexOf(':');
    const n = colon > 0 ? l.slice(1, colon) : l.slice(1);
    const exact = this.aliases.get(n) ?? (this.names.includes(n) ? n : undefined);
    if (exact !== undefined) return exact;
    let found: string | undefined;
    for (const name of this.names) {
      if (!name.startsWith(n)) continue;
      if (found !== undefined) return undefined; // ambiguous: PowerShell refuses it
      found = name;
    }
    return found;
  }
}

const START_PROCESS = new PowerShellParameters(
  [
    'filepath',
    'argumentlist',
    'credential',
    'workingdirectory',
    'redirectstandarderror',
    'redirectstandardinput',
    'redirectstandardoutput',
    'verb',
    'windowstyle',
    'environment',
  ],
  ['loaduserprofile', 'nonewwindow', 'passthru', 'wait', 'usenewenvironment', 'whatif', 'confirm'],
  {
    path: 'filepath',
    pspath: 'filepath',
    fp: 'filepath',
    args: 'argumentlist',
    arguments: 'argumentlist',
    lup: 'loaduserprofile',
    nnw: 'nonewwindow',
  },
);

function unwrapStartProcess(command: SimpleCommand, args: Word[]): Invocation | null {
  let target: Word | undefined;
  const rest: Word[] = [];
  for (let i = 0; i < args.length; i++) {
    const w = args[i]!;
    if (!w.lower.startsWith('-')) {
      if (!target) target = w;
      else rest.push(w);
      continue;
    }
    const parameter = START_PROCESS.of(w);
    if (parameter === 'filepath') {
      target = args[++i];
      continue;
    }
    if (parameter === 'argumentlist') {
      const v = args[++i];
      if (v) for (const a of argumentListWords(v)) rest.push(a);
      // A list written out (`'-N', '-R', …`) stands as its items with `,` between them.
      while (args[i + 1]?.value === ',' && args[i + 2] !== undefined) {
        i += 2;
        for (const a of argumentListWords(args[i] as Word)) rest.push(a);
      }
      continue;
    }
    if (parameter !== undefined && START_PROCESS.withValue.has(parameter)) i++;
  }
  if (!target) return null;
  // `Start-Process "$ExePath /s /e"`: a program and its switches written as one string. The program is the part up to
  // the first blank after an executable's extension (`C:\Program Files\x.exe` keeps its blank).
  const split = programAndSwitches(target.value);
  if (split !== undefined) {
    const [program, switches] = split;
    const programWord: Word = { value: program, lower: program.toLowerCase(), span: target.span };
    const switchWords = switches.map((v): Word => ({ value: v, lower: v.toLowerCase(), span: target.span }));
    return newInvocation(command, programName(program), programWord, [...switchWords, ...rest], true);
  }
  return newInvocation(command, programName(target.value), target, rest, true);
}

/** The PowerShell registry writers that set a value (`-Name`), not a key. */
const ITEM_PROPERTY_WRITERS: ReadonlySet<string> = new Set(['set-itemproperty', 'new-itemproperty', 'sp']);
/** Their parameters that take no value. */
const ITEM_PROPERTY_SWITCHES: ReadonlySet<string> = new Set(['-force', '-whatif', '-confirm', '-passthru', '-usetransaction']);

/** A PowerShell command's arguments bound by position: neither parameters nor their values. */
function unnamedArguments(args: readonly Word[]): Word[] {
  const out: Word[] = [];
  for (let i = 0; i < args.length; i++) {
    const w = args[i] as Word;
    if (!w.lower.startsWith('-') || w.lower.length < 2) out.push(w);
    else if (!ITEM_PROPERTY_SWITCHES.has(w.lower) && !w.lower.includes(':')) i++;
  }
  return out;
}

/**
 * The value a registry write sets, name and data lower case (`/v Path /d …`, `-Name Path -Value …`, or
 * `Set-ItemProperty -Path $key "NoAutoUpdate" 0` by position); undefined when it names none (it creates or
 * deletes a key). `value` is undefined when no data is given.
 */
export function registryValueWrite(inv: Invocation): { name: string; value: string | undefined } | undefined {
  if (inv.name === 'reg') {
    const name = optionValue(inv.args, 'v')?.lower.replace(/["']/g, '');
    return name === undefined ? undefined : { name, value: optionValue(inv.args, 'd')?.lower };
  }
  // New-Item and Set-Item make or set a key (their -Name is a subkey's), not a value.
  if (!ITEM_PROPERTY_WRITERS.has(inv.name)) return undefined;
  // Set-ItemProperty binds Path, Name and Value by position when they are not named.
  const unnamed = unnamedArguments(inv.args);
  const named = optionValue(inv.args, 'path', 'literalpath') !== undefined;
  const byPosition = named ? unnamed : unnamed.slice(1);
  const name = (optionValue(inv.args, 'name') ?? byPosition[0])?.lower.replace(/["']/g, '');
  const value = (optionValue(inv.args, 'value') ?? byPosition[1])?.lower;
  return name === undefined ? undefined : { name, value };
}

// ---------------------------------------------------------------------------------------------
// Checks by program name

/** A rule family's check of one invocation. */
export type InvocationCheck = (inv: Invocation, out: FindingCollector, doc: Document) => void;

export interface InvocationCheckEntry {
  check: InvocationCheck;
  /** The programs the check can act on; absent when it looks at every invocation. */
  names?: Iterable<string>;
}

/**
 * A family's per-invocation checks, found by program name. Most checks act on a handful of programs;
 * declaring them lets a family pass over every other program with one Map lookup instead of a dozen
 * calls. Checks run in the order listed, so findings come out as if every check ran on every command.
 */
export class ChecksByName {
  private readonly byName = new Map<string, readonly InvocationCheck[]>();
  private readonly anyName: readonly InvocationCheck[];

  constructor(entries: readonly InvocationCheckEntry[]) {
    const names = entries.map((e) => (e.names ? new Set(e.names) : null));
    this.anyName = entries.filter((_, i) => names[i] === null).map((e) => e.check);
    for (const set of names) {
      for (const name of set ?? []) {
        if (this.byName.has(name)) continue;
        this.byName.set(
          name,
          entries.filter((_, i) => names[i] === null || names[i]!.has(name)).map((e) => e.check),
        );
      }
    }
  }

  /** The checks to run for a program, in order. */
  for(name: string): readonly InvocationCheck[] {
    return this.byName.get(name) ?? this.anyName;
  }

  /**
   * Runs the checks over every invocation of the document, in order; `skip` passes over invocations no
   * check should see. Indexed loops: a large script has tens of thousands of invocations, and `for … of`
   * allocates an iterator result per step until the loop is optimised.
   */
  runOver(doc: Document, out: FindingCollector, skip?: (inv: Invocation) => boolean): void {
    const invs = invocations(doc);
    for (let i = 0; i < invs.length; i++) {
      const inv = invs[i] as Invocation;
      const checks = this.for(inv.name);
      if (checks.length === 0 || (skip !== undefined && skip(inv))) continue;
      for (let k = 0; k < checks.length; k++) (checks[k] as InvocationCheck)(inv, out, doc);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Write targets

/** Commands that copy or move their last positional argument into place. */
const COPIERS = new Set([
  'cp',
  'mv',
  'install',
  'ln',
  'copy',
  'move',
  'xcopy',
  'robocopy',
  'copy-item',
  'move-item',
  'cpi',
  'mi',
  'ditto',
  'rsync',
]);
/** Commands that write to every path argument. */
const WRITERS = new Set([
  'tee',
  'touch',
  'set-content',
  'add-content',
  'out-file',
  'new-item',
  'ni',
  'sc',
  'ac',
  'export-csv',
  'export-clixml',
  'epcsv',
]);

const NO_WORDS: readonly Word[] = [];

/** Paths a command writes to: redirect targets, copy destinations, tee/touch/Set-Content/sed -i files (computed once per invocation). */
export function writeTargets(inv: Invocation): readonly Word[] {
  if (inv.writeTargets === undefined) {
    const targets = findWriteTargets(inv);
    inv.writeTargets = targets.length > 0 ? targets : NO_WORDS;
  }
  return inv.writeTargets;
}

function findWriteTargets(inv: Invocation): Word[] {
  const out: Word[] = [];
  if (inv.launched === false) {
    for (const r of inv.command.redirects) {
      if (r.op === '>' || r.op === '>>' || r.op === '&>') out.push(r.target);
    }
  }
  const name = inv.name;
  if (COPIERS.has(name)) {
    const dest = optionValue(inv.args, 'destination', 'd', 't', 'target-directory');
    if (dest && (name === 'copy-item' || name === 'move-item' || name === 'cpi' || name === 'mi' || name === 'cp' || name === 'mv'))
      out.push(dest);
    const pos = positionals(inv.args);
    const last = pos[pos.length - 1];
    if (last && pos.length >= 2) out.push(last);
  } else if (WRITERS.has(name) && !(name === 'sc' && inv.command.shell !== 'powershell')) {
    for (const w of positionals(inv.args)) out.push(w);
    const p = optionValue(inv.args, 'path', 'filepath', 'literalpath');
    if (p) out.push(p);
  } else if (name === 'sed' || name === 'perl') {
    if (anyWord(inv.args, (w) => w.lower === '-i' || w.lower.startsWith('-i') || w.lower === '--in-place')) {
      const pos = positionals(inv.args);
      for (const w of pos.slice(1)) out.push(w);
    }
  } else if (name === 'dd') {
    for (const w of inv.args) if (w.lower.startsWith('of=')) out.push({ value: w.value.slice(3), lower: w.lower.slice(3), span: w.span });
  } else if (DOWNLOAD_OUTPUT_OPTIONS.has(name)) {
    const file = downloadOutput(inv.args, DOWNLOAD_OUTPUT_OPTIONS.get(name)!);
    if (file) out.push(file);
  }
  return out;
}

/** Downloaders and the options that name the file they write; PowerShell's parameters match in any case, curl's and wget's do not (`curl -O` takes no value). */
const DOWNLOAD_OUTPUT_OPTIONS = new Map<string, { options: readonly string[]; anyCase: boolean }>([
  ['curl', { options: ['-o', '--output'], anyCase: false }],
  ['wget', { options: ['-O', '--output-document'], anyCase: false }],
  ['invoke-webrequest', { options: ['-outfile'], anyCase: true }],
  ['invoke-restmethod', { options: ['-outfile'], anyCase: true }],
  ['start-bitstransfer', { options: ['-destination'], anyCase: true }],
]);

/** The file a download is written to: `-o FILE`, `--output=FILE`, `-OutFile FILE`. */
function downloadOutput(args: readonly Word[], { options, anyCase }: { options: readonly string[]; anyCase: boolean }): Word | undefined {
  for (let k = 0; k < args.length; k++) {
    const w = args[k] as Word;
    const text = anyCase ? w.lower : w.value;
    for (const option of options) {
      if (text === option) return args[k + 1];
      if (option.startsWith('--') && text.startsWith(option + '=')) {
        const value = w.value.slice(option.length + 1);
        return { value, lower: value.toLowerCase(), span: w.span };
      }
    }
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Findings

export interface FindingSpec {
  code: ReasonCode;
  ruleId: string;
  standard: 'block' | 'flag';
  extended: 'block' | 'flag';
  message: string;
  remedy?: string;
}

/** Collects findings, one per rule id and first span, so repeated matches do not pile up. */
export class FindingCollector {
  // Made on the first finding: most texts give most families none.
  private seen: Set<string> | null = null;
  readonly findings: Finding[] = [];

  add(spec: FindingSpec, parts: ReadonlyArray<Word | Span | undefined>): void {
    const spans = toSpans(parts);
    const key = spec.ruleId + '@' + (spans[0] ? spans[0].start : -1);
    this.seen ??= new Set();
    if (this.seen.has(key)) return;
    this.seen.add(key);
    const f: Finding = {
      code: spec.code,
      ruleId: spec.ruleId,
      standard: spec.standard,
      extended: spec.extended,
      message: spec.message,
      spans,
    };
    if (spec.remedy) f.remedy = spec.remedy;
    this.findings.push(f);
  }

  /** Whether a rule id already fired (to avoid doc-level fallbacks repeating a precise match). */
  has(ruleIdPrefix: string): boolean {
    for (const f of this.findings) if (f.ruleId.startsWith(ruleIdPrefix)) return true;
    return false;
  }
}

function toSpans(parts: ReadonlyArray<Word | Span | undefined>): Span[] {
  const spans: Span[] = [];
  for (const p of parts) {
    if (!p) continue;
    const s = 'span' in p ? p.span : p;
    if (s.end <= s.start) continue;
    if (spans.some((x) => x.start === s.start && x.end === s.end)) continue;
    spans.push({ start: s.start, end: s.end });
  }
  spans.sort((a, b) => a.start - b.start);
  return spans;
}

/** First span of each needle found in the document (any layer), for doc-level matches. */
export function searchFirst(doc: Document, ...needles: string[]): Span[] {
  const out: Span[] = [];
  for (const n of needles) {
    const hits = doc.search(n);
    if (hits[0]) out.push(hits[0]);
  }
  return out;
}

// Document-level keyword index: every needle any rule has asked about is looked for in one pass over the
// document's layers (Aho–Corasick), instead of one `includes` scan of the whole text per needle.
const MAX_REGISTERED_NEEDLES = 4096;
const registeredNeedles: string[] = [];
const registeredIndex = new Map<string, number>();
let needleAutomaton: NeedleSet | null = null;

interface DocumentNeedleIndex {
  /** How many registered needles the scan covered (needles registered later are looked up directly). */
  covered: number;
  /** Bit k set when registered needle k is present, 32 needles per element (rules ask about fifty needles per text). */
  present: readonly number[];
  late: Map<string, boolean> | null;
}

/** Declares needles rules look for with `docHas` (optional: unknown needles are registered on first use). */
export function registerDocumentNeedles(needles: readonly string[]): void {
  for (const n of needles) {
    if (registeredIndex.has(n)) continue;
    registeredIndex.set(n, registeredNeedles.length);
    registeredNeedles.push(n);
    needleAutomaton = null;
  }
}

/** Drops the references to the last document (the engine calls it after each evaluation, so no text outlives it). */
export function releaseLastDocument(): void {
  for (const cache of documentCaches) cache.release();
}

const documentIndexCache = new DocumentCache(indexDocument);

function documentIndex(doc: Document): DocumentNeedleIndex {
  return documentIndexCache.of(doc);
}

function indexDocument(doc: Document): DocumentNeedleIndex {
  if (!needleAutomaton || needleAutomaton.needles.length !== registeredNeedles.length)
    needleAutomaton = new NeedleSet(registeredNeedles.slice());
  const found = needleAutomaton.presentIn(doc.layers.map((l) => l.lower));
  // A plain array: a typed array costs more to create than a one-line text takes to check.
  const present: number[] = [];
  for (let i = 0; i < needleAutomaton.needles.length; i += 32) present.push(0);
  for (const k of found) present[k >>> 5]! |= 1 << (k & 31);
  return { covered: needleAutomaton.needles.length, present, late: null };
}

/** True when any layer's lower-case text contains the needle (cheap pre-check before `search`). */
export function docHas(doc: Document, needle: string): boolean {
  let k = registeredIndex.get(needle);
  // Rules use fixed keyword lists; the cap only guards the index against a caller passing computed needles.
  if (k === undefined && registeredNeedles.length < MAX_REGISTERED_NEEDLES) {
    registerDocumentNeedles([needle]);
    k = registeredIndex.get(needle);
  }
  const idx = documentIndex(doc);
  if (k !== undefined && k < idx.covered) return (idx.present[k >>> 5]! & (1 << (k & 31))) !== 0;
  idx.late ??= new Map();
  let found = idx.late.get(needle);
  if (found === undefined) {
    found = false;
    for (const layer of doc.layers) {
      if (layer.lower.includes(needle)) {
        found = true;
        break;
      }
    }
    idx.late.set(needle, found);
  }
  return found;
}

/**
 * Needles a rule asks about together, registered when the rule's module loads: `docHasAny` then reads
 * their bits in the document's index with no lookup per needle (rules ask some fifty per text).
 */
export class NeedleGroup {
  readonly indices: Int32Array;

  constructor(readonly needles: readonly string[]) {
    registerDocumentNeedles(needles);
    this.indices = Int32Array.from(needles, (n) => registeredIndex.get(n)!);
  }
}

/** The first of `needles` (in list order) that some layer contains. */
export function docHasAny(doc: Document, needles: readonly string[] | NeedleGroup): string | undefined {
  if (!(needles instanceof NeedleGroup)) {
    for (const n of needles) if (docHas(doc, n)) return n;
    return undefined;
  }
  const idx = documentIndex(doc);
  const { indices, needles: list } = needles;
  for (let j = 0; j < indices.length; j++) {
    const k = indices[j]!;
    // A needle registered after this document was indexed is looked up directly.
    if (k < idx.covered ? (idx.present[k >>> 5]! & (1 << (k & 31))) !== 0 : docHas(doc, list[j]!)) return list[j];
  }
  return undefined;
}

/** The invocation's own word span (for highlighting the command word). */
export function commandWord(inv: Invocation): Word | Span {
  return inv.nameWord ?? inv.command.span;
}

const needleCache = new DocumentCache(() => new Map<readonly string[], Set<string>>());

/**
 * Which of `needles` occur anywhere in the document (any layer), computed once per document and
 * needle list, so rules that fall back to whole-text lookups stay linear in the text size.
 */
export function needlesInDocument(doc: Document, needles: readonly string[]): Set<string> {
  const perDoc = needleCache.of(doc);
  let found = perDoc.get(needles);
  if (!found) {
    found = new Set(needles.filter((n) => docHas(doc, n)));
    perDoc.set(needles, found);
  }
  return found;
}
