/**
 * Command-name resolution: what program or cmdlet a command word actually runs.
 */
import type { Word } from './document';
import type { Shell } from '../types';

/** PowerShell built-in aliases that matter for policy (Windows PowerShell 5.1 and 7). */
export const POWERSHELL_ALIASES: Readonly<Record<string, string>> = {
  iex: 'invoke-expression',
  irm: 'invoke-restmethod',
  iwr: 'invoke-webrequest',
  curl: 'invoke-webrequest',
  wget: 'invoke-webrequest',
  gcm: 'get-command',
  sal: 'set-alias',
  nal: 'new-alias',
  saps: 'start-process',
  start: 'start-process',
  ii: 'invoke-item',
  icm: 'invoke-command',
  ipmo: 'import-module',
  gc: 'get-content',
  cat: 'get-content',
  type: 'get-content',
  sc: 'set-content',
  ac: 'add-content',
  gp: 'get-itemproperty',
  gpv: 'get-itempropertyvalue',
  sp: 'set-itemproperty',
  ni: 'new-item',
  si: 'set-item',
  gi: 'get-item',
  gv: 'get-variable',
  sv: 'set-variable',
  set: 'set-variable',
  nv: 'new-variable',
  gci: 'get-childitem',
  ls: 'get-childitem',
  dir: 'get-childitem',
  ri: 'remove-item',
  rm: 'remove-item',
  del: 'remove-item',
  cp: 'copy-item',
  copy: 'copy-item',
  cpi: 'copy-item',
  mi: 'move-item',
  mv: 'move-item',
  move: 'move-item',
  echo: 'write-output',
  write: 'write-output',
  oh: 'out-host',
  '%': 'foreach-object',
  foreach: 'foreach-object',
  '?': 'where-object',
  where: 'where-object',
  gps: 'get-process',
  ps: 'get-process',
  spps: 'stop-process',
  kill: 'stop-process',
  gsv: 'get-service',
  sasv: 'start-service',
  spsv: 'stop-service',
  gwmi: 'get-wmiobject',
  iwmi: 'invoke-wmimethod',
  swmi: 'set-wmiinstance',
  gcim: 'get-ciminstance',
  icim: 'invoke-cimmethod',
  ncim: 'new-ciminstance',
  sajb: 'start-job',
  nsn: 'new-pssession',
  etsn: 'enter-pssession',
  cls: 'clear-host',
  clear: 'clear-host',
  cd: 'set-location',
  sl: 'set-location',
  chdir: 'set-location',
  pwd: 'get-location',
  gl: 'get-location',
  sleep: 'start-sleep',
  select: 'select-object',
  sort: 'sort-object',
  measure: 'measure-object',
  tee: 'tee-object',
  ft: 'format-table',
  fl: 'format-list',
  fw: 'format-wide',
  ogv: 'out-gridview',
  epcsv: 'export-csv',
  ipcsv: 'import-csv',
  rvpa: 'resolve-path',
  h: 'get-history',
  history: 'get-history',
  r: 'invoke-history',
  ihy: 'invoke-history',
  gal: 'get-alias',
  gm: 'get-member',
  ise: 'powershell_ise',
};

/** Windows executable extensions dropped from command names. */
const WINDOWS_EXTENSIONS = ['.exe', '.com', '.bat', '.cmd', '.ps1'];

/** Final path component, without quotes. */
export function baseName(word: string): string {
  let end = word.length;
  while (end > 0 && (word[end - 1] === '"' || word[end - 1] === "'")) end--;
  let start = 0;
  for (let i = 0; i < end; i++) {
    const c = word.charCodeAt(i);
    if (c === 0x2f /* / */ || c === 0x5c /* \ */) start = i + 1;
  }
  while (start < end && (word[start] === '"' || word[start] === "'")) start++;
  return word.slice(start, end);
}

/** Lower-case base name with a Windows executable extension removed. */
export function programName(word: string): string {
  let name = baseName(word).toLowerCase();
  for (const ext of WINDOWS_EXTENSIONS) {
    if (name.length > ext.length && name.endsWith(ext)) {
      name = name.slice(0, -ext.length);
      break;
    }
  }
  return name;
}

/** Resolved names of recent command words, per shell kind: scripts repeat the same few commands. */
const RESOLVED_POWERSHELL = new Map<string, string>();
const RESOLVED_OTHER = new Map<string, string>();
/** Bounds the caches' memory (cleared when full) and leaves long, one-off words out. */
const RESOLVED_CACHE_SIZE = 4096;
const RESOLVED_WORD_LENGTH = 64;

/** The resolved command name for matching, per shell. */
export function resolveCommandName(word: string, shell: Shell): string {
  if (word.length > RESOLVED_WORD_LENGTH) return resolveUncached(word, shell);
  const cache = shell === 'powershell' ? RESOLVED_POWERSHELL : RESOLVED_OTHER;
  let name = cache.get(word);
  if (name === undefined) {
    name = resolveUncached(word, shell);
    if (cache.size >= RESOLVED_CACHE_SIZE) cache.clear();
    cache.set(word, name);
  }
  return name;
}

/** `programName`, remembered for recent words (what a non-PowerShell command word resolves to). */
export function cachedProgramName(word: string): string {
  return resolveCommandName(word, 'sh');
}

function resolveUncached(word: string, shell: Shell): string {
  const name = programName(word);
  if (shell === 'powershell') {
    // `Microsoft.PowerShell.Utility\Invoke-Expression` is handled by baseName; aliases only apply to bare words:
    // `sc.exe` and `curl.exe` name the programs, not the Set-Content and Invoke-WebRequest aliases.
    const bare = word.length === name.length && word.indexOf('\\') < 0 && word.indexOf('/') < 0;
    const alias = bare ? ownValue(POWERSHELL_ALIASES, name) : undefined;
    return alias ?? name;
  }
  return name;
}

/** Names PowerShell's `Get-Command` can return that matter for policy (to resolve `gcm i*x`, `gcm *ke-e*`). */
export const POWERSHELL_COMMAND_NAMES: readonly string[] = [
  'invoke-expression',
  'invoke-webrequest',
  'invoke-restmethod',
  'invoke-command',
  'invoke-item',
  'start-process',
  'new-object',
  'start-bitstransfer',
  'get-variable',
  'set-variable',
  'get-content',
  'import-module',
  'add-type',
  'iex',
  'irm',
  'iwr',
  'icm',
  'saps',
];

/** Glob matching for `Get-Command` patterns (`*` and `?` only), case-insensitive, iterative (no backtracking blow-up). */
export function globMatch(pattern: string, text: string): boolean {
  const p = pattern.toLowerCase();
  const t = text.toLowerCase();
  let pi = 0;
  let ti = 0;
  let star = -1;
  let mark = 0;
  while (ti < t.length) {
    if (pi < p.length && (p[pi] === '?' || p[pi] === t[ti])) {
      pi++;
      ti++;
    } else if (pi < p.length && p[pi] === '*') {
      star = pi++;
      mark = ti;
    } else if (star >= 0) {
      pi = star + 1;
      ti = ++mark;
    } else return false;
  }
  while (pi < p.length && p[pi] === '*') pi++;
  return pi === p.length;
}

/** Resolve a `Get-Command` wildcard to a single policy-relevant command name, if it matches any. */
export function resolveCommandGlob(pattern: string): string | null {
  for (const name of POWERSHELL_COMMAND_NAMES) {
    if (globMatch(pattern, name)) return POWERSHELL_ALIASES[name] ?? name;
  }
  return null;
}

/**
 * `table[key]` for a table written as an object literal, looking only at the table's own keys: command
 * names and variable names are untrusted text, and `constructor` or `__proto__` must not find Object's.
 */
export function ownValue<T>(table: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.prototype.hasOwnProperty.call(table, key) ? table[key] : undefined;
}

/**
 * Whether `word` is a cluster of short options (`-xzvf`, `-sSLo`) that holds `letter`: a dash, then
 * ASCII letters only. A loop rather than `/^-[a-z]*x[a-z]*$/`, which backtracks quadratically on a long word.
 */
export function optionClusterHas(word: string, letter: string, ignoreCase = false): boolean {
  if (word.length < 2 || word.length > 64 || word[0] !== '-' || word[1] === '-') return false;
  const want = ignoreCase ? letter.toLowerCase() : letter;
  let found = false;
  for (let i = 1; i < word.length; i++) {
    const code = word.charCodeAt(i);
    if (!((code >= 65 && code <= 90) || (code >= 97 && code <= 122))) return false;
    const c = ignoreCase ? word[i]!.toLowerCase() : word[i]!;
    if (c === want) found = true;
  }
  return found;
}

/** A word without the quotes around it (`"C:\\x"` → `C:\\x`). */
export function trimQuotes(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && (s[a] === '"' || s[a] === "'")) a++;
  while (b > a && (s[b - 1] === '"' || s[b - 1] === "'")) b--;
  return s.slice(a, b);
}

/** cmd `start` options that take the next word as their value (`/d C:\\dir`, `/node 1`, `/affinity 0x3`). */
const START_OPTIONS_WITH_VALUE: ReadonlySet<string> = new Set(['/d', '/node', '/affinity']);

/**
 * The index in `words` of the program cmd's `start ["title"] [/d dir] [/min …] program [args]` runs, reading from `from`
 * (the word after `start`), or -1. The first quoted word before the program is the window title, as cmd reads it.
 */
export function cmdStartProgramIndex(words: readonly Word[], from: number): number {
  let titled = false;
  for (let i = from; i < words.length; i++) {
    const w = words[i]!;
    if (w.value.startsWith('/')) {
      if (START_OPTIONS_WITH_VALUE.has(w.value.toLowerCase())) i++;
    } else if (!titled && (w.quoted === true || w.value === '')) titled = true;
    else return i;
  }
  return -1;
}

const EXECUTABLE_THEN_BLANK = /\.(?:exe|com|bat|cmd|msi|ps1|vbs|js) /i;

/** `C:\T\setup.exe /s /e` → ['C:\T\setup.exe', ['/s', '/e']]; undefined when the value is only a path. */
export function programAndSwitches(value: string): [string, string[]] | undefined {
  const m = EXECUTABLE_THEN_BLANK.exec(value);
  if (m === null) return undefined;
  const end = m.index + m[0].length - 1;
  const switches = value
    .slice(end + 1)
    .split(/\s+/)
    .filter((v) => v !== '');
  return switches.length > 0 ? [value.slice(0, end), switches.slice(0, 64)] : undefined;
}
