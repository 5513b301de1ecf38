/**
 * POSIX shell lexer (bash, sh, zsh): lists, pipelines, simple commands, words, redirections and
 * here-documents, with expansion of what the text itself determines: quotes and backslashes,
 * `$'…'` escapes, variables assigned earlier (`U=…; curl $U`), `${x:0:1}`-style substrings,
 * `$IFS`, brace lists (`{curl,-s,x}`), `$(echo …)`, and glob-disguised command names (`/???/b?sh`).
 * Command substitutions (`$(…)`, backticks, `<(…)`) are lexed in place as nested commands.
 */
import { joinWithinLimit, LIMITS, makeWord, wordOf, type DocBuilder, type WordImpl } from './builder';
import type { Redirect, Word } from './document';
import { indexWithin, type LexTarget } from './lex-target';
import { cachedProgramName, globMatch, ownValue } from './names';
import { decodeBackslashEscapes, pipelineOutput, printfOutput, type PipelineOutput } from './unwrap';
import type { Shell } from '../types';

interface RawWord {
  value: string;
  start: number;
  end: number;
  quoted: boolean;
  obfuscated: boolean;
  constant: boolean;
  nested: number[];
  assignName?: string;
  assignValue?: string;
  /**
   * The value with expansions of unset variables taken as empty (`c${u}url` → `curl`), when each such
   * expansion stands between letters or digits: what hides a name (a leading `$HOME/…` is not hiding).
   */
  emptyAlt?: string;
  /** Those expansions, as [start, end) pairs of the layer text. */
  vanished?: number[];
  /** The whole word is one command substitution (`$(…)`, backticks, also quoted) with a non-constant output. */
  soleSubstitution: boolean;
  /** `NAME=(a b c)` with every item constant: the items, for `${NAME[@]}` and `${NAME[1]}`. */
  arrayItems?: string[];
}

/** Programs worth recognising behind glob-disguised names like `/bin/c?rl`. */
const GLOB_TARGETS = [
  'bash',
  'sh',
  'dash',
  'zsh',
  'ksh',
  'curl',
  'wget',
  'python3',
  'python',
  'perl',
  'ruby',
  'php',
  'nc',
  'ncat',
  'netcat',
  'socat',
  'base64',
  'chmod',
  'openssl',
  'busybox',
  'cat',
  'id',
  'whoami',
  'rm',
  'chown',
  'crontab',
  'ssh',
  // Standard programs of /bin, /sbin and /usr/bin that attacks run (the first match wins).
  'sudo',
  'su',
  'systemctl',
  'service',
  'iptables',
  'ufw',
  'setenforce',
  'useradd',
  'usermod',
  'passwd',
  'chpasswd',
  'chattr',
  'mkfifo',
  'mknod',
  'telnet',
  'xxd',
  'od',
  'dd',
  'tar',
  'grep',
  'strings',
  'find',
  'awk',
  'sed',
  'tee',
  'mv',
  'cp',
  'ln',
  'kill',
  'pkill',
  'killall',
  'shred',
  'scp',
  'sftp',
  'rsync',
  'ftp',
  'tftp',
  'nmap',
  'tcpdump',
  'gdb',
  'node',
  'lua',
  'env',
  'nohup',
  'setsid',
  'timeout',
  'stdbuf',
  'doas',
  'touch',
  'xargs',
  'insmod',
  'modprobe',
  'mount',
  'journalctl',
  'history',
  'vi',
  'vim',
  'docker',
  'gcc',
];

/** How a function body passes on all its arguments. */
const FORWARDED_ARGUMENTS = ['"$@"', '"${@}"', '$@', '"$*"', '$*'];

/** An alias text that is one plain word (a program name or path). */
const ONE_WORD = /^[\w./+-]{1,256}$/;

const SKIP_KEYWORDS = new Set(['if', 'then', 'else', 'elif', 'do', 'while', 'until', '!', 'time', '{', '}', 'coproc', 'function']);
const END_KEYWORDS = new Set(['fi', 'done', 'esac', '}', ']]']);
const DECLARE = new Set(['export', 'declare', 'local', 'readonly', 'typeset']);

/** Wrappers that run their command as another user, root by default. */
const ELEVATING_WRAPPERS = new Set(['sudo', 'doas', 'pkexec', 'run0']);

/** Wrappers that run the command given after their own options. Value: options taking an argument. */
const WRAPPERS: Readonly<Record<string, readonly string[]>> = {
  sudo: [
    '-u',
    '-g',
    '-h',
    '-p',
    '-c',
    '-d',
    '-r',
    '-t',
    '-u',
    '-t',
    '-C',
    '-D',
    '-U',
    '-T',
    '--user',
    '--group',
    '--host',
    '--prompt',
    '--chdir',
  ],
  doas: ['-u', '-c'],
  pkexec: ['--user'],
  run0: ['-u', '--user', '-g', '--group', '-D', '--chdir'],
  env: ['-u', '--unset', '-c', '--chdir', '-S'],
  nohup: [],
  exec: ['-a'],
  builtin: [],
  command: [],
  nice: ['-n', '--adjustment'],
  ionice: ['-c', '-n', '-p', '-P', '-u'],
  time: ['-f', '-o'],
  timeout: ['-s', '-k', '--signal', '--kill-after'],
  stdbuf: ['-i', '-o', '-e'],
  setsid: [],
  // `-i`, `-e`, `-l` take their value attached only (`-i{}`), so they are not listed.
  xargs: ['-I', '-n', '-P', '-L', '-d', '-a', '-s', '-E'],
  torsocks: [],
  proxychains: ['-f'],
  proxychains4: ['-f'],
  // `busybox wget …`, `busybox sh`: the first argument is the applet (the program) that runs.
  busybox: [],
};

/** Parameters that name a shell program, as the command word resolves them (quotes and braces already removed). */
const SHELL_PARAMETERS: ReadonlyMap<string, string> = new Map([
  ['$shell', 'sh'],
  ['${shell}', 'sh'],
  ['$bash', 'bash'],
  ['${bash}', 'bash'],
  ['$0', 'sh'],
  ['${0}', 'sh'],
  ['$zsh_name', 'zsh'],
]);

/** Most function definitions scanned for one text (a script defines tens; a text defining more is abnormal). */
const MAX_SHELL_FUNCTIONS = 256;

/** Whether shell text reads typed input without echoing it: `read` with `-s` (`read -rsp "…" pw`), or `stty -echo`. */
function readsSilently(body: string): boolean {
  const tokens = body.split(/[\s;&|(){}]+/);
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k];
    if (t === 'stty' && tokens[k + 1] === '-echo') return true;
    if (t !== 'read') continue;
    for (let j = k + 1; j < tokens.length && (tokens[j] as string).startsWith('-') && !(tokens[j] as string).startsWith('--'); j++)
      if ((tokens[j] as string).includes('s')) return true;
  }
  return false;
}

export function lexPosix(t: LexTarget, shell: Shell): void {
  new PosixLexer(t, shell).run();
}

class PosixLexer {
  private pos = 0;
  private readonly n: number;
  private nesting = 0;
  private pendingHeredocs: { redirect: Redirect; delimiter: string; stripTabs: boolean }[] = [];
  private readonly wordStates: WordState[] = [];
  /** Arrays assigned constant items (`a=(curl -s URL)`), for `"${a[@]}"` and `${a[0]}`. */
  private readonly arrays = new Map<string, string[]>();
  /** `alias x='curl -s'`: the text each alias stands for, and where it was written. */
  private readonly aliases = new Map<string, { text: string; start: number; end: number }>();
  /** Here-strings/here-documents given to descriptors other than stdin by the command being read (`exec 3<<< '…'`). */
  private pendingDescriptorInputs: { fd: string; redirect: Redirect }[] = [];
  /** Descriptors that `exec 3<<< '…'` left open with that text, for a later `bash <&3`. */
  private readonly descriptorInputs = new Map<string, Redirect>();
  /** `set -- curl -s URL`: the positional parameters, for `"$@"` and `$1`, while every item is constant. */
  private positional: string[] | undefined;
  /** `f() { command sudo "$@"; }`: one-line functions forwarding their arguments, as the text that precedes `"$@"`. */
  private readonly forwarders = new Map<string, { text: string; start: number; end: number }>();
  /** `read v <<EOF`: variables bound when the here-document's body has been read. */
  private pendingReads: { names: string[]; redirect: Redirect }[] = [];
  /**
   * Where unquoted expansions split after `IFS=…` with a constant value: a pattern of its characters,
   * null when IFS is empty (no splitting); undefined for the default (blanks and newlines).
   */
  private ifsSplit: RegExp | null | undefined = undefined;
  /** The IFS value ifsSplit was made from ('' for the default). */
  private ifsValue = '';
  /** `case … in` statements open (nested ones count); inside one, `;;` is followed by the next arm's pattern. */
  private openCases = 0;
  /** The next thing read is a `case` arm's pattern (`start|stop)`, `*)`), which is matched, not run. */
  private casePatternNext = false;

  constructor(
    private readonly t: LexTarget,
    private readonly shell: Shell,
  ) {
    this.n = t.text.length;
  }

  run(): void {
    this.parseList(null, null, this.t.depth);
  }

  private span(start: number, end: number) {
    return this.t.layer.toOriginal(start, end);
  }

  /**
   * At a `case` arm's pattern (`start|stop)`, `(*)`, `MacBook\\ Air*)`): moves past its `)` and returns true, for the
   * pattern is matched against the value, never run. `esac` instead ends the statement (false: it is read as usual).
   */
  private skipCasePattern(): boolean {
    const text = this.t.text;
    const c = text[this.pos];
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n' || c === '#') return false;
    if (text.startsWith('esac', this.pos) && !isIdentChar(text.charCodeAt(this.pos + 4))) {
      this.casePatternNext = false;
      return false;
    }
    this.casePatternNext = false;
    const limit = Math.min(this.n, this.pos + 4096);
    let i = c === '(' ? this.pos + 1 : this.pos;
    for (; i < limit; i++) {
      const ch = text[i];
      if (ch === '\\') i++;
      else if (ch === "'" || ch === '"') {
        const end = text.indexOf(ch, i + 1);
        if (end < 0 || end >= limit) return false;
        i = end;
      } else if (ch === ')') {
        this.pos = i + 1;
        return true;
      } else if (ch === '\n' || ch === ';') return false;
    }
    return false;
  }

  /** Commands until `close` (consumed) or the end; returns the commands created (appended to `created`). */
  private parseList(close: string | null, statement: number | null, depth: number, created: number[] = []): number[] {
    const text = this.t.text;
    const b = this.t.builder;
    let stmt = statement;
    let pipeline = -1;
    const heredocsBefore = this.pendingHeredocs.length;
    let backtickEnd = -1;
    while (this.pos < this.n) {
      if (
        this.t.builder.commands.length >= this.t.builder.maxCommands &&
        this.t.builder.overBudget(this.t.layer.toOriginal(this.pos, this.pos))
      ) {
        this.pos = this.n;
        break;
      }
      const c = text[this.pos] as string;
      if (c === ' ' || c === '\t' || c === '\r') {
        this.pos++;
        continue;
      }
      if (c === '\\' && text[this.pos + 1] === '\n') {
        this.pos += 2;
        continue;
      }
      if (close !== null && c === close) {
        this.pos++;
        break;
      }
      if (c === ')' || (c === '`' && close !== null)) {
        if (close === null) {
          this.pos++;
          continue;
        }
        break;
      }
      if (c === '\n') {
        this.pos++;
        if (this.pendingHeredocs.length > 0) {
          // Found once per backquoted text (not per line): a text of many here-documents stays linear.
          if (close === '`' && backtickEnd < this.pos) backtickEnd = this.closingBacktick(this.pos);
          this.readHeredocBodies(close === '`' ? backtickEnd : this.n);
        }
        if (statement === null) stmt = null;
        pipeline = -1;
        continue;
      }
      if (this.casePatternNext && this.skipCasePattern()) continue;
      if (c === ';' || c === '&') {
        // `;;`, `;&` and `;;&` end a case arm: a pattern comes next.
        if (c === ';' && this.openCases > 0 && (text[this.pos + 1] === ';' || text[this.pos + 1] === '&')) {
          this.casePatternNext = true;
          this.pos += text[this.pos + 1] === ';' && text[this.pos + 2] === '&' ? 3 : 2;
          continue;
        }
        this.pos += text[this.pos + 1] === c ? 2 : 1;
        if (c === ';' && statement === null) stmt = null;
        pipeline = -1;
        continue;
      }
      if (c === '|') {
        if (text[this.pos + 1] === '|') {
          this.pos += 2;
          pipeline = -1;
        } else this.pos += text[this.pos + 1] === '&' ? 2 : 1;
        continue;
      }
      if (c === '#') {
        const nl = text.indexOf('\n', this.pos);
        this.pos = nl < 0 ? this.n : nl;
        continue;
      }
      if (c === '(') {
        // Subshell / arithmetic command: same statement, same depth.
        this.pos++;
        if (this.nesting < LIMITS.maxNesting) {
          this.nesting++;
          stmt ??= b.newStatement();
          // `(IFS=,; …)`: what a subshell sets ends with it.
          const ifs = this.ifsSplit;
          const ifsValue = this.ifsValue;
          const pipelinesBefore = b.pipelines.length;
          this.parseList(')', stmt, depth, created);
          this.ifsSplit = ifs;
          this.ifsValue = ifsValue;
          this.nesting--;
          if (this.pipedNext()) {
            pipeline = b.newPipeline();
            b.pipeGroupInto(pipeline, groupOutputs(b, pipelinesBefore, pipeline));
          }
        }
        continue;
      }
      stmt ??= b.newStatement();
      if (pipeline < 0) pipeline = b.newPipeline();
      const before = this.pos;
      this.parseCommand(close, pipeline, stmt, depth, created);
      if (this.pos === before) this.pos++;
    }
    // A here-document opened inside backticks ends with them (`x=\`cat <<E\`` has an empty body): the lines after
    // the closing backtick are commands, never its body.
    if (close === '`' && this.pendingHeredocs.length > heredocsBefore) {
      for (const h of this.pendingHeredocs.splice(heredocsBefore))
        h.redirect.target = makeWord('', this.span(this.pos, this.pos), { quoted: true });
    }
    return created;
  }

  /** Where the backquoted text that contains `from` ends: the next backtick not escaped by a backslash (or the end). */
  private closingBacktick(from: number): number {
    const text = this.t.text;
    for (let i = from; i < this.n; i++) {
      const c = text.charCodeAt(i);
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x60 /* ` */) return i;
    }
    return this.n;
  }

  /** Whether a single `|` (a pipe, not `||`) comes next, after blanks. */
  private pipedNext(): boolean {
    const text = this.t.text;
    let p = this.pos;
    while (p < this.n && (text[p] === ' ' || text[p] === '\t')) p++;
    return text[p] === '|' && text[p + 1] !== '|';
  }

  private atCommandEnd(close: string | null): boolean {
    if (this.pos >= this.n) return true;
    const c = this.t.text[this.pos] as string;
    if (c === '\n' || c === ';' || c === '|' || c === ')' || c === '(') return true;
    if (c === '&' && this.t.text[this.pos + 1] !== '>') return true;
    if (c === '`' && close === '`') return true;
    return false;
  }

  /** One simple command; appends the commands it creates (nested ones first) to `created`. */
  private parseCommand(close: string | null, pipeline: number, statement: number, depth: number, created: number[]): void {
    const text = this.t.text;
    const words: RawWord[] = [];
    const redirects: Redirect[] = [];
    this.pendingDescriptorInputs = [];
    /** Within `[[ … ]]`. */
    let inTest = false;
    for (;;) {
      while (this.pos < this.n && (isSpace(text.charCodeAt(this.pos)) || (text[this.pos] === '\\' && text[this.pos + 1] === '\n'))) {
        this.pos += text[this.pos] === '\\' ? 2 : 1;
      }
      // Inside `[[ … ]]`, `&&`, `||`, `<`, `>` and parentheses are the test's operators, not the command line's.
      if (inTest && this.skipConditionalOperator()) continue;
      if (this.atCommandEnd(close)) break;
      if (text[this.pos] === '#') {
        const nl = text.indexOf('\n', this.pos);
        this.pos = nl < 0 ? this.n : nl;
        break;
      }
      const redirect = this.tryRedirect(statement, depth);
      if (redirect) {
        if (redirect !== 'skip') redirects.push(redirect);
        continue;
      }
      const before = this.pos;
      this.parseWord(statement, depth, close, words);
      if (this.pos === before) break;
      // A word can expand to nothing (`"${empty[@]}"`): then there is no last word.
      const last = words[words.length - 1];
      // Only a `[[` in command position (after keywords such as `if`) opens a test: `echo [[` prints it.
      if (last !== undefined && !last.quoted && (last.value === '[[' || last.value === ']]'))
        // (A few keywords at most: `if ! [[`; a bound keeps `if if … [[ [[ …` linear.)
        inTest = last.value === '[[' && words.length <= 8 && words.every((w) => w === last || (!w.quoted && SKIP_KEYWORDS.has(w.value)));
      if (words.length === 1 && (text[this.pos] === '(' || words[0]?.value === 'function')) this.defineForwarder(words);
      if (text[this.pos] === '(') this.readArrayLiteral(words, statement, depth);
    }
    this.finishCommand(words, redirects, pipeline, statement, depth, created);
  }

  /** Moves past a test operator at the position (`&&`, `||`, `<`, `>`, `(`, `)`); false when there is none. */
  private skipConditionalOperator(): boolean {
    const text = this.t.text;
    const c = text[this.pos];
    const next = text[this.pos + 1];
    if ((c === '&' && next === '&') || (c === '|' && next === '|')) this.pos += 2;
    // A test may go on over lines (`[[\n  -f x\n  || … ]]`): there a line break is a blank.
    else if (c === '<' || c === '>' || c === '(' || c === ')' || c === '!' || c === '\n') this.pos++;
    else return false;
    return true;
  }

  /**
   * `NAME=(a "b c" [k]=v)`, `declare -A M=( … )`: an array's items are values, not a subshell's commands.
   * The assignment takes them joined by spaces (what `${NAME[*]}` gives).
   */
  private readArrayLiteral(words: RawWord[], statement: number, depth: number): void {
    const last = words[words.length - 1];
    if (last === undefined || last.assignName === undefined || last.assignValue !== '' || last.end !== this.pos) return;
    const text = this.t.text;
    const items: RawWord[] = [];
    this.pos++;
    while (this.pos < this.n) {
      const c = text.charCodeAt(this.pos);
      if (isSpace(c) || c === 0x0a) {
        this.pos++;
        continue;
      }
      if (text[this.pos] === ')') {
        this.pos++;
        break;
      }
      if (text[this.pos] === '#') {
        const nl = text.indexOf('\n', this.pos);
        this.pos = nl < 0 ? this.n : nl;
        continue;
      }
      const before = this.pos;
      this.parseWord(statement, depth, ')', items);
      if (this.pos === before) this.pos++;
    }
    const value = joinWithinLimit(
      items.map((w) => w.value),
      ' ',
    );
    last.assignValue = value;
    last.value = last.value + value;
    last.end = this.pos;
    last.constant = last.constant && items.every((w) => w.constant);
    if (last.constant && items.every((w) => w.nested.length === 0)) last.arrayItems = items.map((w) => w.value);
    // Substitutions inside the items (`x=($(curl …))`) are commands of the assignment.
    if (items.some((w) => w.nested.length > 0)) {
      const nested = [...last.nested];
      for (const item of items) for (let k = 0; k < item.nested.length; k++) nested.push(item.nested[k] as number);
      last.nested = nested;
    }
  }

  private finishCommand(
    raw: RawWord[],
    redirects: Redirect[],
    pipeline: number,
    statement: number,
    depth: number,
    created: number[],
  ): void {
    // `IFS=: read …`: an assignment in front of a command holds for that command only.
    const commandAt = raw.findIndex((w) => w.assignName === undefined);
    const temporaryIfs = commandAt > 0 && raw.slice(0, commandAt).some((w) => w.assignName === 'IFS');
    const ifsBefore = this.ifsSplit;
    this.finishSimpleCommand(raw, redirects, pipeline, statement, depth, created);
    if (temporaryIfs) this.ifsSplit = ifsBefore;
  }

  private finishSimpleCommand(
    raw: RawWord[],
    redirects: Redirect[],
    pipeline: number,
    statement: number,
    depth: number,
    created: number[],
  ): void {
    const b = this.t.builder;
    if (this.pendingDescriptorInputs.length > 0 && raw.length === 1 && raw[0]?.value === 'exec' && !raw[0].quoted) {
      for (const d of this.pendingDescriptorInputs) this.descriptorInputs.set(d.fd, d.redirect);
    }
    // The command's words are raw[from..]: keywords and wrappers in front of the real command are skipped.
    let from = 0;
    let elevated = false;
    let laterXargsRuns: string | undefined;
    for (let guard = 0; guard < 16 && from < raw.length; guard++) {
      const head = raw[from] as RawWord;
      const count = raw.length - from;
      if (this.shell === 'zsh' && !head.quoted && head.value.length > 1 && head.value[0] === '=' && head.assignName === undefined) {
        // zsh `=curl` expands to the program's path: the word names that program.
        raw[from] = { ...head, value: head.value.slice(1), emptyAlt: head.emptyAlt?.slice(1) };
        continue;
      }
      const lower = head.quoted ? '' : head.value;
      if (lower === 'esac' && this.openCases > 0) this.openCases--;
      if (END_KEYWORDS.has(lower) && count === 1) return pushNested(created, raw);
      if (lower === 'case') {
        this.openCases++;
        this.casePatternNext = true;
        // `case WORD in PATTERN) …` on one line: the pattern was read as words; it is read again as a pattern.
        const inAt = raw.findIndex((w, k) => k > from + 1 && w.value === 'in' && !w.quoted);
        if (inAt >= 0 && inAt + 1 < raw.length) {
          this.pos = (raw[inAt + 1] as RawWord).start;
          raw.length = inAt + 1;
        }
        return pushNested(created, raw);
      }
      if (lower === 'for' || lower === 'select') this.bindLoopVariable(raw, from);
      if (lower === 'for' || lower === 'select') return pushNested(created, raw);
      if (SKIP_KEYWORDS.has(lower)) {
        from++;
        continue;
      }
      const oneWordAlias = head.quoted || head.obfuscated ? undefined : this.aliases.get(head.value);
      if (oneWordAlias !== undefined && ONE_WORD.test(oneWordAlias.text)) {
        // `alias x=sudo` … `x bash`: the alias is simply the other name, wrappers included.
        raw[from] = { ...head, value: oneWordAlias.text, emptyAlt: undefined };
        continue;
      }
      const prog = globResolvedName(head, cachedProgramName(head.emptyAlt ?? head.value));
      if (head.assignName !== undefined) {
        this.assign(head, statement);
        from++;
        continue;
      }
      if (prog === 'alias' && count > 1) {
        for (let k = from + 1; k < raw.length; k++) this.defineAlias(raw[k] as RawWord);
        break;
      }
      if (DECLARE.has(prog) && count > 1) {
        // `declare -n r=v`: r refers to v; its value (read once, here) is v's.
        let nameref = false;
        for (let k = from + 1; k < raw.length; k++) {
          const w = raw[k] as RawWord;
          if (w.assignName === undefined && !w.quoted && /^-[a-zA-Z]*n/.test(w.value)) nameref = true;
          else if (w.assignName !== undefined && nameref) this.bindNameref(w.assignName, w.assignValue);
          else if (w.assignName !== undefined) this.assign(w, statement);
        }
        break;
      }
      if (prog === 'set' && count > 1 && raw[from + 1]?.value === '--' && !(raw[from + 1] as RawWord).quoted) {
        const items = raw.slice(from + 2);
        this.positional = items.every((w) => w.constant && w.nested.length === 0) ? items.map((w) => w.value) : undefined;
        break;
      }
      if (prog === 'unset' && raw.slice(from + 1).some((w) => w.value === 'IFS')) this.ifsSplit = undefined;
      if (prog === 'read' && count > 1) {
        this.bindRead(raw, from + 1, redirects);
        break;
      }
      if (prog === 'env' && count > 2) this.splitEnvString(raw, from + 1);
      const wrapperOptions = ownValue(WRAPPERS, prog);
      if (wrapperOptions && count > 1) {
        // `command -v x` looks a program up; `command x …` runs it (bypassing functions and aliases).
        if (prog === 'command' && /^-[pvV]*[vV]/.test((raw[from + 1] as RawWord).value)) break;
        if (ELEVATING_WRAPPERS.has(prog)) elevated = true;
        let i = from + 1;
        while (i < raw.length) {
          const w = raw[i] as RawWord;
          if (w.value === '--') {
            i++;
            break;
          }
          if (prog === 'env' && w.assignName !== undefined) {
            i++;
            continue;
          }
          if (w.value.startsWith('-') && w.value.length > 1) {
            i += wrapperOptions.includes(w.value) ? 2 : 1;
            continue;
          }
          if (prog === 'timeout' || (prog === 'nice' && /^[0-9]+$/.test(w.value))) {
            i++;
            if (prog === 'timeout') break;
            continue;
          }
          break;
        }
        if (prog === 'xargs' && i < raw.length) laterXargsRuns = this.feedXargs(raw, from + 1, i, redirects, pipeline);
        if (i < raw.length) {
          from = i;
          continue;
        }
      }
      break;
    }
    if (from >= raw.length) {
      if (raw.length === 0 && depth > this.t.depth) this.fileReadSubstitution(redirects, pipeline, statement, depth, created);
      return pushNested(created, raw);
    }
    const first = raw[from] as RawWord;
    const written = cachedProgramName(first.emptyAlt ?? first.value);
    let name = globResolvedName(first, written);
    const obfuscatedName = first.obfuscated || (!first.quoted && isGlobName(written));
    // `$SHELL -i`, `"$BASH" -c …`, `$0 -c …`: the login shell, the running bash, the running shell, whatever they are set to.
    if (name.charCodeAt(0) === 0x24 /* $ */ && SHELL_PARAMETERS.has(name)) name = SHELL_PARAMETERS.get(name) as string;
    // `alias x='curl -s'` … `x URL`: the alias text stands in for the word (interactive shells expand it).
    const alias = first.quoted || first.obfuscated || first.assignName !== undefined ? undefined : this.aliases.get(first.value);
    if (alias !== undefined) {
      const head = /^[ \t\n]*([^ \t\n;&|()<>]+)/.exec(alias.text.length > 4096 ? alias.text.slice(0, 4096) : alias.text)?.[1];
      if (head !== undefined) name = cachedProgramName(head);
    }
    if (obfuscatedName) b.note('escape_obfuscation', this.span(first.start, first.end), name);
    if (first.vanished !== undefined) {
      const v = first.vanished;
      for (let k = 0; k < v.length; k += 2) {
        const s = v[k] as number;
        const e = v[k + 1] as number;
        b.note('variable_obfuscation', this.span(s, e), this.t.text.slice(s, e));
      }
    }
    // The shell runs the output of a command substitution standing as the command word.
    const output = first.soleSubstitution ? this.substitutionOutput(first.nested) : null;
    if (output) {
      name = output.name;
      b.note('computed_invocation', this.span(first.start, first.end), name);
      if (output.origin === 'base64') b.note('base64_decoded', output.span);
    }
    const last = raw[raw.length - 1] as RawWord;
    const outWords: Word[] = new Array<Word>(raw.length - from);
    for (let i = from; i < raw.length; i++) outWords[i - from] = this.toWord(raw[i] as RawWord);
    if (first.emptyAlt !== undefined) {
      outWords[0] = wordOf(first.emptyAlt, this.span(first.start, first.end), first.quoted, true, first.nested);
    }
    if (obfuscatedName || output) (outWords[0] as WordImpl).obfuscated = true;
    const idx = b.addCommand({
      words: outWords,
      redirects,
      span: this.span(first.start, Math.max(last.end, redirects.length > 0 ? first.end : last.end)),
      shell: this.shell,
      depth,
      pipeline,
      layer: this.t.layerIndex,
      statement,
      name,
      elevated,
    });
    for (const w of raw) if (w.nested.length > 0) b.setParent(w.nested, idx);
    const forwarder = first.quoted || first.obfuscated ? undefined : this.forwarders.get(first.value);
    if (output && output.words === null) b.deriveCommandLine(idx, output);
    else if (alias !== undefined)
      b.deriveCommandLine(idx, { text: alias.text, span: this.span(alias.start, alias.end), origin: 'deobfuscated' });
    else if (forwarder !== undefined)
      b.deriveCommandLine(idx, { text: forwarder.text, span: this.span(forwarder.start, forwarder.end), origin: 'deobfuscated' });
    else if (laterXargsRuns !== undefined)
      b.deriveCommandLine(idx, { text: laterXargsRuns, span: this.span(first.start, last.end), origin: 'deobfuscated' });
    pushNested(created, raw);
    created.push(idx);
  }

  /** bash's `$(< file)` is `$(cat file)` without the process: the file's content, read (a `cat` command for the rules). */
  private fileReadSubstitution(
    redirects: readonly Redirect[],
    pipeline: number,
    statement: number,
    depth: number,
    created: number[],
  ): void {
    const r = redirects.length === 1 ? redirects[0] : undefined;
    if (r === undefined || r.op !== '<' || r.heredoc === true) return;
    const span = r.target.span;
    const idx = this.t.builder.addCommand({
      words: [makeWord('cat', { start: span.start, end: span.start }), r.target],
      redirects: [],
      span,
      shell: this.shell,
      depth,
      pipeline,
      layer: this.t.layerIndex,
      statement,
      name: 'cat',
    });
    created.push(idx);
  }

  /**
   * What a command substitution (its commands `nested`) writes, when the text determines it: one
   * pipeline ending in a constant (`echo B64 | base64 -d`, `printf '\x63url'`), with the program name
   * its first word gives. Null when the output is unknown or no plausible program name.
   */
  private substitutionOutput(nested: readonly number[]): (PipelineOutput & { name: string }) | null {
    const b = this.t.builder;
    let last = -1;
    let pipeline = -1;
    for (let k = 0; k < nested.length; k++) {
      const cmd = b.commands[nested[k] as number];
      if (!cmd || cmd.parent !== undefined) continue; // commands nested deeper, inside the substitution's words
      if (pipeline >= 0 && cmd.pipeline !== pipeline) return null; // a list: its outputs follow one another
      pipeline = cmd.pipeline;
      last = cmd.position;
    }
    if (pipeline < 0) return null;
    const output = pipelineOutput(b, b.pipelines[pipeline] ?? [], last);
    if (!output) return null;
    const text = output.words ? output.words.map((w) => w.value).join(' ') : output.text;
    // printf's format directives are not interpreted: `%s` output is not known.
    if (output.origin === 'char_codes' && text.includes('%')) return null;
    const head = /^[ \t\n]*([^ \t\n]+)/.exec(text.length > 4096 ? text.slice(0, 4096) : text)?.[1];
    if (head === undefined || !/^[\w./-]+$/.test(head)) return null;
    return { ...output, name: cachedProgramName(head) };
  }

  /**
   * `for h in esx01 esx02; do ssh root@$h …`: in the body the variable stands for the listed words. A list
   * with anything unknown in it leaves the variable unknown.
   */
  private bindLoopVariable(raw: readonly RawWord[], from: number): void {
    const variable = raw[from + 1];
    if (variable === undefined || variable.quoted || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(variable.value)) return;
    if (raw[from + 2]?.value !== 'in') return;
    const items = raw.slice(from + 3);
    if (items.length > 0 && items.every((w) => w.constant && w.nested.length === 0)) {
      // Joined by commas: the variable holds one item at a time, so its expansion must stay one word
      // (`ssh root@$h "…"`), yet rules should see every item (`for s in cron falcon-sensor; do systemctl stop $s`).
      this.t.vars.set(
        variable.value,
        joinWithinLimit(
          items.map((w) => w.value),
          ',',
        ),
      );
    } else this.t.vars.delete(variable.value);
  }

  /**
   * `f() { command sudo "$@"; }`, `function f { sudo "$@"; }`: a one-line function whose body ends by
   * passing on its arguments, so that `f msfconsole` runs `command sudo msfconsole`. Only looks ahead;
   * the body is lexed as usual afterwards.
   */
  private defineForwarder(words: readonly RawWord[]): void {
    const text = this.t.text;
    const head = words[0] as RawWord;
    let i = this.pos;
    let name = head.value;
    if (name === 'function' && !head.quoted) {
      while (i < this.n && isSpace(text.charCodeAt(i))) i++;
      const nameStart = i;
      while (i < this.n && !isSpace(text.charCodeAt(i)) && !BARE_RUN_ENDS[text.charCodeAt(i)] && i - nameStart < 256) i++;
      name = text.slice(nameStart, i);
    } else if (head.quoted) return;
    if (!/^[\w.:+-]{1,256}$/.test(name)) return;
    if (text[i] === '(') {
      i++;
      while (i < this.n && isSpace(text.charCodeAt(i))) i++;
      if (text[i] !== ')') return;
      i++;
    }
    while (i < this.n && (isSpace(text.charCodeAt(i)) || text[i] === '\n') && i - this.pos < 256) i++;
    this.forwarders.delete(name);
    if (text[i] !== '{') return;
    this.recordFunction(name, head.start, i);
    const close = indexWithin(text, '}', i + 1, 4096, '{\n');
    if (close < 0) return;
    const body = text.slice(i + 1, close);
    let bodyEnd = body.trimEnd().length;
    if (body[bodyEnd - 1] === ';') bodyEnd = body.slice(0, bodyEnd - 1).trimEnd().length;
    const forwarding = FORWARDED_ARGUMENTS.find((f) => body.startsWith(f, bodyEnd - f.length));
    if (forwarding === undefined) return;
    const lead = body.length - body.trimStart().length;
    const prefix = body.slice(lead, bodyEnd - forwarding.length).trimEnd();
    if (prefix === '' || prefix.includes('$@') || prefix.includes('$*')) return;
    const start = i + 1 + lead;
    this.forwarders.set(name, { text: prefix, start, end: start + prefix.length });
  }

  /**
   * Records a function definition whose body opens at `open`: its extent (braces counted, at most 4096 characters)
   * and whether the body reads typed input silently. At most MAX_SHELL_FUNCTIONS bodies are scanned per text.
   */
  private recordFunction(name: string, start: number, open: number): void {
    const b = this.t.builder;
    if (b.shellFunctionScans++ >= MAX_SHELL_FUNCTIONS) return;
    const text = this.t.text;
    const limit = Math.min(this.n, open + 4096);
    let depth = 0;
    let close = -1;
    for (let k = open; k < limit; k++) {
      const c = text.charCodeAt(k);
      if (c === 123 /* { */) depth++;
      else if (c === 125 /* } */ && --depth === 0) {
        close = k;
        break;
      }
    }
    if (close < 0) return;
    (b.shellFunctions ??= []).push({
      name,
      span: this.span(start, close + 1),
      readsSilently: readsSilently(text.slice(open + 1, close)),
    });
  }

  /** `declare -n r=v`: `$r` reads v, whose value is taken as it stands now (unknown stays unknown). */
  private bindNameref(name: string, target: string | undefined): void {
    const value = target !== undefined && /^[A-Za-z_][A-Za-z0-9_]*$/.test(target) ? this.t.vars.expand(target) : undefined;
    if (value !== undefined) this.t.vars.set(name, value);
    else this.t.vars.delete(name);
  }

  /**
   * `read -r v <<< 'nc'`, `read a b < <(echo …)`, `read v <<EOF`: the variables take the first line of a
   * constant input, split at blanks (the last one takes the rest); any other input leaves them unknown.
   */
  private bindRead(raw: readonly RawWord[], from: number, redirects: readonly Redirect[]): void {
    const names: string[] = [];
    for (let k = from; k < raw.length; k++) {
      const w = raw[k] as RawWord;
      if (!w.quoted && w.value.startsWith('-')) {
        // Options with a value: `-p prompt`, `-d delim`, `-t secs`, `-n count`, `-u fd`, `-a array`.
        if (/^-[a-zA-Z]*[pdtnNua]$/.test(w.value)) k++;
        continue;
      }
      if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(w.value)) names.push(w.value);
    }
    if (names.length === 0) return;
    for (const name of names) this.t.vars.delete(name);
    const input = redirects.find((r) => r.op === '<');
    if (input === undefined) return;
    if (input.heredoc && this.pendingHeredocs.some((h) => h.redirect === input)) {
      this.pendingReads.push({ names, redirect: input });
      return;
    }
    let text: string | undefined;
    if (input.heredoc) text = input.target.value;
    else if (input.target.nested !== undefined) {
      const output = this.substitutionOutput(input.target.nested);
      if (output) text = output.words ? output.words.map((w) => w.value).join(' ') : output.text;
    }
    if (text !== undefined) this.bindReadLine(names, text);
  }

  private bindReadLine(names: readonly string[], text: string): void {
    const nl = text.indexOf('\n');
    const line = (nl < 0 ? text : text.slice(0, nl)).trim();
    if (line.length > 4096) return;
    const separator = this.ifsSplit === undefined ? /[ \t]+/ : this.ifsSplit;
    const fields = separator === null ? [line] : line.split(separator).filter((f) => f !== '');
    if (fields.length === 0) return;
    const joiner = this.ifsSplit === undefined ? ' ' : (this.ifsValue[0] ?? '');
    for (let k = 0; k < names.length; k++) {
      const value = k === names.length - 1 ? fields.slice(k).join(joiner) : (fields[k] ?? '');
      this.t.vars.set(names[k] as string, value);
    }
  }

  /**
   * `echo /tmp/x | xargs rm -f`, `printf '%s\0' 'cmd' | xargs -0 -I{} sh -c '{}'`, `xargs sh -c <<< 'cmd'`: when
   * the input is constant text, the command xargs runs (raw[commandAt..]) gets the first run's items, in place of
   * the `-I` string or appended (`-n N` / `-L N` items, else all). The later runs are returned as command lines.
   * Unknown input leaves the words as written.
   */
  private feedXargs(
    raw: RawWord[],
    optionsFrom: number,
    commandAt: number,
    redirects: readonly Redirect[],
    pipeline: number,
  ): string | undefined {
    let replace: string | undefined;
    let perRun = MAX_XARGS_ITEMS;
    let delimiter: string | undefined;
    for (let k = optionsFrom; k < commandAt; k++) {
      const w = raw[k] as RawWord;
      const v = w.value;
      const next = raw[k + 1]?.value;
      if (v === '-a' || v.startsWith('--arg-file')) return undefined; // items from a file
      if (v === '-0' || v === '--null') delimiter = '\0';
      else if (v === '-I' || v === '-d' || v === '-n' || v === '-L') {
        if (next === undefined) return undefined;
        if (v === '-I') replace = next;
        else if (v === '-d') delimiter = next;
        else perRun = Number(next);
        k++;
      } else if (v === '-i' || v === '--replace') replace = '{}';
      else if (v.startsWith('-I') || v.startsWith('-i')) replace = v.slice(2);
      else if (v.startsWith('--replace=')) replace = v.slice(10);
      else if (v.startsWith('-d')) delimiter = v.slice(2);
      else if (v.startsWith('--delimiter=')) delimiter = v.slice(12);
      else if (/^-[nL][0-9]{1,6}$/.test(v)) perRun = Number(v.slice(2));
      else if (/^--max-(?:args|lines)=[0-9]{1,6}$/.test(v)) perRun = Number(v.slice(v.indexOf('=') + 1));
    }
    if (replace === '' || !(perRun >= 1)) return undefined;
    const input = this.xargsInput(redirects, pipeline);
    if (input === undefined || input.length > 65536 || !this.t.vars.spend(input.length)) return undefined;
    if (delimiter !== undefined && delimiter.length > 1) delimiter = decodeBackslashEscapes(delimiter);
    if (delimiter !== undefined && delimiter.length !== 1) return undefined;
    // With -I each line is one item (blanks kept); otherwise blanks and newlines separate items.
    const items = delimiter !== undefined ? splitAtDelimiter(input, delimiter) : xargsItems(input, replace !== undefined);
    if (items.length === 0) return undefined;
    const command = raw.slice(commandAt);
    // Appended items stand nowhere in the text: they take the span of the command's last word (spans stay in order).
    const anchor = raw[raw.length - 1] as RawWord;
    const runs: RawWord[][] = [];
    const size = replace !== undefined ? 1 : perRun;
    for (let k = 0; k < items.length && runs.length < MAX_XARGS_RUNS; k += size) {
      const runItems = items.slice(k, k + size);
      if (replace === undefined) {
        const added = runItems.map((item) => rawWord(item, anchor.start, anchor.end, true, false, true, NO_COMMANDS));
        runs.push([...command, ...added]);
        continue;
      }
      const item = runItems[0] as string;
      const pattern = replace;
      runs.push(
        command.map((w) => {
          if (!w.value.includes(pattern)) return w;
          const parts = w.value.split(pattern);
          if (!this.t.vars.spend((parts.length - 1) * item.length)) return w;
          return {
            ...w,
            value: parts.join(item),
            emptyAlt: undefined,
            vanished: undefined,
            soleSubstitution: false,
            arrayItems: undefined,
          };
        }),
      );
    }
    raw.splice(commandAt, raw.length - commandAt, ...(runs[0] as RawWord[]));
    if (runs.length === 1) return undefined;
    // The later runs repeat the command's words: charged like an expansion.
    let commandSize = 0;
    for (const w of command) commandSize += w.value.length + 1;
    if (!this.t.vars.spend(commandSize * (runs.length - 1))) return undefined;
    return runs
      .slice(1)
      .map((run) => run.map((w) => shellQuote(w.value)).join(' '))
      .join('\n');
  }

  /** The constant text xargs reads: its here-string, or what the pipeline's earlier members write. */
  private xargsInput(redirects: readonly Redirect[], pipeline: number): string | undefined {
    const b = this.t.builder;
    const stdin = redirects.find((r) => r.op === '<');
    if (stdin !== undefined) {
      const pending = this.pendingHeredocs.some((h) => h.redirect === stdin);
      return stdin.heredoc && !pending && stdin.target.nested === undefined && !stdin.target.value.includes('$')
        ? stdin.target.value
        : undefined;
    }
    // The nearest members only: a long pipeline of xargs commands is not walked again for each.
    const members = (b.pipelines[pipeline] ?? []).slice(-8);
    if (members.length === 0) return undefined;
    const output = pipelineOutput(b, members, members.length - 1);
    if (!output) return undefined;
    return output.words ? output.words.map((w) => w.value).join(' ') : output.text;
  }

  /**
   * `env -S 'prog args'` (`--split-string`): env splits the string into the command and its arguments. Each
   * piece keeps the span of the string.
   */
  private splitEnvString(raw: RawWord[], from: number): void {
    for (let i = from; i < raw.length && i < from + 16; i++) {
      const w = raw[i] as RawWord;
      if (w.quoted || !w.value.startsWith('-')) return;
      let joined: RawWord | undefined;
      let at = i;
      if (w.value === '-S' || w.value === '--split-string') joined = raw[i + 1];
      else if (w.value.startsWith('-S')) joined = { ...w, value: w.value.slice(2) };
      else if (w.value.startsWith('--split-string=')) joined = { ...w, value: w.value.slice(15) };
      else continue;
      if (joined === undefined || joined.nested.length > 0 || joined.value.length > 4096) return;
      if (joined !== w) at = i + 1;
      const pieces = joined.value.split(/[ \t\n]+/).filter((p) => p !== '');
      const words = pieces.slice(0, 256).map((p): RawWord => {
        const eq = /^[A-Za-z_][A-Za-z0-9_]*=/.exec(p);
        const word: RawWord = {
          ...joined,
          value: p,
          emptyAlt: undefined,
          vanished: undefined,
          arrayItems: undefined,
          soleSubstitution: false,
        };
        word.assignName = eq ? p.slice(0, eq[0].length - 1) : undefined;
        word.assignValue = eq ? p.slice(eq[0].length) : undefined;
        return word;
      });
      raw.splice(i, at - i + 1, ...words);
      return;
    }
  }

  /** `alias x=curl`, `alias x='curl -s'`: remembered for command words that follow (`alias x` alone only prints). */
  private defineAlias(w: RawWord): void {
    if (w.assignName === undefined) return;
    if (w.constant && w.nested.length === 0 && w.assignValue !== undefined && w.assignValue.trim() !== '') {
      this.aliases.set(w.assignName, { text: w.assignValue, start: w.start, end: w.end });
    } else this.aliases.delete(w.assignName);
  }

  private assign(w: RawWord, _statement: number): void {
    const b = this.t.builder;
    const name = w.assignName as string;
    const span = this.span(w.start, w.end);
    if (w.arrayItems !== undefined && w.constant) this.arrays.set(name, w.arrayItems);
    else this.arrays.delete(name);
    if (name === 'IFS') this.setIfs(w.constant && w.nested.length === 0 ? (w.assignValue ?? '') : undefined);
    if (w.constant && w.nested.length === 0) {
      this.t.vars.set(name, w.assignValue ?? '');
      b.assignments.push({ name, value: w.assignValue ?? '', shell: this.shell, span });
      return;
    }
    this.t.vars.delete(name);
    const firstNested = w.nested[0] !== undefined ? b.commands[w.nested[0]] : undefined;
    // `P=$(which python3 || which python)`, `P=$(command -v bash)`: the variable names that program.
    const lookup = w.nested
      .map((i) => b.commands[i])
      .find((c) => c && (c.name === 'which' || (c.name === 'command' && c.words[1]?.value === '-v') || c.name === 'whereis'));
    if (lookup) {
      const prog = lookup.words[lookup.words.length - 1]?.value;
      if (prog && !prog.startsWith('-')) this.t.vars.set(name, prog);
    }
    const a: { name: string; shell: Shell; span: typeof span; pipeline?: number } = { name, shell: this.shell, span };
    if (firstNested) a.pipeline = firstNested.pipeline;
    b.assignments.push(a);
    for (const c of w.nested) {
      const cmd = b.commands[c];
      if (cmd && cmd.assignTo === undefined) cmd.assignTo = name;
    }
  }

  /** `IFS=,`, `IFS=$'\n'`: later unquoted expansions split at those characters; unknown or long values keep the default. */
  private setIfs(value: string | undefined): void {
    if (value === undefined || value.length > 64 || value === ' \t\n') {
      this.ifsSplit = undefined;
      this.ifsValue = '';
      return;
    }
    this.ifsValue = value;
    // One character class, repeated: a run of separators splits once (empty fields are left out), and cannot backtrack.
    this.ifsSplit = value === '' ? null : new RegExp('[' + value.replace(/[\\\]^-]/g, '\\$&') + ']+');
  }

  private toWord(w: RawWord): Word {
    return wordOf(w.value, this.span(w.start, w.end), w.quoted, w.obfuscated, w.nested);
  }

  /** Redirection operator at pos, with its target; 'skip' for fd duplications like `2>&1`. */
  private tryRedirect(statement: number, depth: number): Redirect | 'skip' | null {
    const text = this.t.text;
    let i = this.pos;
    let fd = '';
    while (i < this.n && i - this.pos < 2 && text.charCodeAt(i) >= 0x30 && text.charCodeAt(i) <= 0x39) fd += text[i++];
    const c = text[i];
    let op: Redirect['op'];
    let heredoc = false;
    let hereString = false;
    let stripTabs = false;
    if (c === '&' && text[i + 1] === '>') {
      op = '&>';
      i += text[i + 2] === '>' ? 3 : 2;
    } else if (c === '>') {
      if (text[i + 1] === '(') return null; // process substitution
      const append = text[i + 1] === '>';
      i += append ? 2 : 1;
      if (text[i] === '|') i++;
      if (text[i] === '&') {
        // fd duplication `>&2` / `2>&1`
        i++;
        while (i < this.n && /[0-9-]/.test(text[i] as string)) i++;
        this.pos = i;
        return 'skip';
      }
      op = fd === '2' ? (append ? '2>>' : '2>') : append ? '>>' : '>';
    } else if (c === '<') {
      if (text[i + 1] === '(') return null;
      if (text[i + 1] === '<' && text[i + 2] === '<') {
        hereString = true;
        i += 3;
      } else if (text[i + 1] === '<') {
        heredoc = true;
        i += 2;
        if (text[i] === '-') {
          stripTabs = true;
          i++;
        }
      } else if (text[i + 1] === '&') {
        i += 2;
        const fdStart = i;
        while (i < this.n && /[0-9-]/.test(text[i] as string)) i++;
        this.pos = i;
        // `bash <&3` after `exec 3<<< '…'`: the text on that descriptor is this command's stdin.
        const opened = (fd === '' || fd === '0') && this.descriptorInputs.get(text.slice(fdStart, i));
        return opened ? { op: '<', target: opened.target, heredoc: opened.heredoc === true } : 'skip';
      } else i += 1;
      op = '<';
    } else {
      return null;
    }
    this.pos = i;
    while (this.pos < this.n && isSpace(text.charCodeAt(this.pos))) this.pos++;
    const targetWords: RawWord[] = [];
    this.parseWord(statement, depth, null, targetWords);
    const target = targetWords[0];
    const word = target ? this.toWord(target) : makeWord('', this.span(i, i));
    const redirect: Redirect = { op, target: word };
    if (hereString) redirect.heredoc = true;
    if (heredoc && target) {
      redirect.heredoc = true;
      this.pendingHeredocs.push({ redirect, delimiter: target.value, stripTabs });
    }
    if (op === '<' && fd !== '' && fd !== '0') this.pendingDescriptorInputs.push({ fd, redirect });
    return redirect;
  }

  /**
   * Reads the bodies of the here-documents opened on the line just ended, up to `limit`: the end of the text, or
   * inside backticks the closing backtick, which ends a body as the end of the text would (`EOT\`` closes both).
   */
  private readHeredocBodies(limit: number): void {
    const text = this.t.text;
    const pending = this.pendingHeredocs;
    this.pendingHeredocs = [];
    for (const h of pending) {
      const bodyStart = Math.min(this.pos, limit);
      let lineStart = bodyStart;
      let bodyEnd = limit;
      let next = limit;
      while (lineStart < limit) {
        const nl = text.indexOf('\n', lineStart);
        const lineEnd = nl < 0 || nl > limit ? limit : nl;
        let line = text.slice(lineStart, lineEnd).replace(/\r$/, '');
        if (h.stripTabs) line = line.replace(/^\t+/, '');
        if (line === h.delimiter) {
          bodyEnd = lineStart;
          next = lineEnd === limit ? limit : lineEnd + 1;
          break;
        }
        lineStart = lineEnd + 1;
      }
      const body = text.slice(bodyStart, bodyEnd);
      h.redirect.target = makeWord(body, this.span(bodyStart, bodyEnd), { quoted: true });
      this.pos = next;
    }
    if (this.pendingReads.length > 0) {
      for (const r of this.pendingReads) this.bindReadLine(r.names, r.redirect.target.value);
      this.pendingReads = [];
    }
  }

  // ---------------------------------------------------------------- words

  /** One word, appended to `out` (several when an unquoted expansion splits, or a brace list expands). */
  private parseWord(statement: number, depth: number, close: string | null, out: RawWord[]): void {
    const text = this.t.text;

    // Brace list `{a,b,c}` (no spaces) expands to words.
    if (text[this.pos] === '{') {
      const endBrace = this.findSimpleBraceList(this.pos);
      if (endBrace > 0) {
        const items = text.slice(this.pos + 1, endBrace).split(',');
        const s = this.pos;
        this.pos = endBrace + 1;
        this.t.builder.note('escape_obfuscation', this.span(s, this.pos), 'brace list');
        for (const v of items) {
          if (v.length > 0)
            out.push(rawWord(v.replace(/\\(.)/g, '$1').replace(/^["']|["']$/g, ''), s, this.pos, false, true, true, NO_COMMANDS));
        }
        return;
      }
    }
    const w = this.wordState(this.pos, out);
    // Assignment `NAME=` / `NAME+=` at word w.start.
    {
      let i = this.pos;
      if (i < this.n && isIdentChar(text.charCodeAt(i)) && !(text.charCodeAt(i) >= 0x30 && text.charCodeAt(i) <= 0x39)) {
        while (i < this.n && isIdentChar(text.charCodeAt(i))) i++;
        const plus = text[i] === '+' && text[i + 1] === '=';
        if (text[i] === '=' || plus) {
          w.assignName = text.slice(this.pos, i);
          const eq = plus ? i + 2 : i + 1;
          w.append(text.slice(this.pos, eq));
          this.pos = eq;
          w.assignValueFrom = w.value.length;
          if (plus) {
            const prev = this.t.vars.get(w.assignName);
            if (prev !== undefined) w.append(prev);
            else w.constant = false;
          }
        }
      }
    }

    while (this.pos < this.n) {
      const c = text[this.pos] as string;
      const code = text.charCodeAt(this.pos);
      if (isSpace(code) || c === '\n' || c === ';' || c === '&' || c === '|' || c === '(' || c === ')') break;
      if ((c === '<' || c === '>') && text[this.pos + 1] !== '(') break;
      if ((c === '<' || c === '>') && text[this.pos + 1] === '(') {
        if (w.pieces > 0) break;
        const sub = this.substitution(this.pos + 2, ')', statement, depth);
        w.append(sub.value);
        w.addNested(sub.nested);
        w.constant = false;
        continue;
      }
      if (c === '`') {
        if (close === '`') break;
        const sub = this.substitution(this.pos + 1, '`', statement, depth);
        const lengthBefore = w.value.length;
        w.append(sub.value);
        w.addNested(sub.nested);
        if (!this.lastSubstitutionConstant) {
          w.constant = false;
          w.markSubstitution(lengthBefore);
        } else w.obfuscated = true;
        continue;
      }
      if (c === '\\') {
        const nx = text[this.pos + 1];
        if (nx === undefined) {
          this.pos++;
          break;
        }
        if (nx === '\n') {
          // A line continuation between two characters of one word (`r\⏎m`) only splits a name.
          const after = text.charCodeAt(this.pos + 2);
          if (w.pieces > 0 && this.pos + 2 < this.n && !isSpace(after) && after !== 0x0a) w.obfuscated = true;
          this.pos += 2;
          continue;
        }
        // `\ls` (bypassing an alias) is an idiom; a backslash inside a word only hides it.
        if (isAlnum(nx.charCodeAt(0)) && w.pieces > 0) w.obfuscated = true;
        w.append(nx);
        w.bare++;
        this.pos += 2;
        continue;
      }
      if (c === "'") {
        const q = text.indexOf("'", this.pos + 1);
        const endQ = q < 0 ? this.n : q;
        const s = text.slice(this.pos + 1, endQ);
        w.append(s);
        if (s.length === 0) w.emptyString = true;
        w.stringParts++;
        w.quoted = true;
        this.pos = Math.min(this.n, endQ + 1);
        continue;
      }
      if (c === '"') {
        this.readDoubleQuoted(statement, depth, w);
        w.stringParts++;
        w.quoted = true;
        continue;
      }
      if (c === '$') {
        const nx = text[this.pos + 1];
        if (nx === "'") {
          const r = this.readAnsiC();
          w.append(r.value);
          if (r.obfuscated) w.obfuscated = true;
          w.stringParts++;
          w.quoted = true;
          continue;
        }
        if (nx === '"') {
          this.pos++;
          continue;
        }
        const exp = this.readExpansion(statement, depth, false);
        w.addNested(exp.nested);
        if (exp.obfuscated) w.obfuscated = true;
        if (exp.ifs && w.assignName !== undefined) {
          // `OLDIFS=$IFS`: an assignment's value is not split, so $IFS hides nothing there (it is saved to be restored).
          w.append(this.ifsValue === '' ? ' \t\n' : this.ifsValue);
          continue;
        }
        if (exp.ifs) {
          this.t.builder.note('variable_obfuscation', this.span(exp.start, this.pos), '$IFS');
          w.obfuscated = true;
          w.flush(exp.start);
          w.start = this.pos;
          continue;
        }
        if (exp.vanishable && (exp.value === undefined || exp.value === '')) {
          w.appendVanishing(exp.value ?? exp.raw, exp.value === undefined, exp.start, this.pos);
          continue;
        }
        const lengthBefore = w.value.length;
        w.appendExpansion(exp.value, exp.raw, false, exp.start, this.pos, this.ifsSplit);
        if (exp.substitution && !exp.constantSubstitution) {
          w.constant = false;
          w.markSubstitution(lengthBefore);
        }
        continue;
      }
      // Bare run.
      const runStart = this.pos;
      while (this.pos < this.n) {
        const k = text.charCodeAt(this.pos);
        if (k < 0x80 && BARE_RUN_ENDS[k] === 1) break;
        this.pos++;
      }
      w.append(text.slice(runStart, this.pos));
      w.bare++;
    }
    w.flush(this.pos);
  }

  /** The cleared WordState of the current nesting level: words are read one at a time per level (substitutions one deeper). */
  private wordState(start: number, out: RawWord[]): WordState {
    let w = this.wordStates[this.nesting];
    if (w === undefined) {
      w = new WordState();
      this.wordStates[this.nesting] = w;
    }
    w.begin(start, out);
    return w;
  }

  private lastSubstitutionConstant = false;

  /** Lexes `$(…)`, backticks or `<(…)` in place; reports its display value and nested commands. */
  private substitution(innerStart: number, close: string, statement: number, depth: number): { value: string; nested: number[] } {
    const outer = this.pos;
    this.pos = innerStart;
    let nested: number[] = [];
    if (this.nesting < LIMITS.maxNesting) {
      this.nesting++;
      const ifs = this.ifsSplit;
      const ifsValue = this.ifsValue;
      nested = this.parseList(close, statement, depth + 1);
      this.ifsSplit = ifs;
      this.ifsValue = ifsValue;
      this.nesting--;
    } else {
      const end = this.t.text.indexOf(close, innerStart);
      this.pos = end < 0 ? this.n : end + 1;
    }
    // Long substitutions are shown as a placeholder: their commands are separate, and copying their text
    // into every enclosing word would cost time with each nesting level.
    const raw = this.pos - outer > 1024 ? this.t.text.slice(outer, outer + 2) + '…)' : this.t.text.slice(outer, this.pos);
    const echoed = this.echoValue(nested);
    this.lastSubstitutionConstant = echoed !== null;
    return { value: echoed ?? raw, nested };
  }

  /** `$(echo abc)` / `$(printf abc)` with constant arguments evaluates to them. */
  private echoValue(nested: number[]): string | null {
    if (nested.length !== 1) return null;
    const cmd = this.t.builder.commands[nested[0] as number];
    if (!cmd || (cmd.name !== 'echo' && cmd.name !== 'printf') || cmd.redirects.length > 0) return null;
    const args = cmd.words.slice(1).filter((w, i) => !(i === 0 && /^-[neE]+$/.test(w.value)));
    const value = args.map((w) => w.value).join(' ');
    if (value.includes('$')) return null;
    // `$(printf '%b' '\0163h')`: the format decides the output.
    if (cmd.name === 'printf') return printfOutput(args.map((w) => w.value));
    // `echo -e` turns `\xHH` and octal escapes into the characters the shell then reads.
    const flags = cmd.words[1]?.value ?? '';
    // echo's own flags only (-n, -e, -E); bounded so the pattern cannot backtrack on a long word.
    const escapes = flags.length <= 8 && /^-[nE]*e[neE]*$/.test(flags);
    return escapes && value.includes('\\') ? decodeBackslashEscapes(value) : value;
  }

  /** A double-quoted string at pos, appended to the word `w`. */
  private readDoubleQuoted(statement: number, depth: number, w: WordState): void {
    const text = this.t.text;
    let nonConstant = false;
    let obfuscated = false;
    const lengthBefore = w.value.length;
    let from = this.pos + 1;
    this.pos = from;
    while (this.pos < this.n) {
      const c = text[this.pos] as string;
      if (c === '"') break;
      if (c === '\\') {
        const nx = text[this.pos + 1];
        if (nx === '$' || nx === '`' || nx === '"' || nx === '\\' || nx === '\n') {
          w.append(text.slice(from, this.pos));
          if (nx !== '\n') w.append(nx);
          this.pos += 2;
          from = this.pos;
          continue;
        }
        this.pos += 2;
        continue;
      }
      if (c === '`') {
        w.append(text.slice(from, this.pos));
        const sub = this.substitution(this.pos + 1, '`', statement, depth);
        const before = w.value.length;
        w.append(sub.value);
        w.addNested(sub.nested);
        if (!this.lastSubstitutionConstant) {
          nonConstant = true;
          w.markSubstitution(before);
        }
        from = this.pos;
        continue;
      }
      if (c === '$' && text[this.pos + 1] !== undefined && EXPANSION_STARTS[text.charCodeAt(this.pos + 1)] === 1) {
        w.append(text.slice(from, this.pos));
        const exp = this.readExpansion(statement, depth, true);
        w.addNested(exp.nested);
        if (exp.obfuscated) obfuscated = true;
        const before = w.value.length;
        if (exp.vanishable && (exp.value === undefined || exp.value === '')) {
          w.appendVanishing(exp.value ?? exp.raw, exp.value === undefined, exp.start, this.pos);
          if (exp.value === undefined) nonConstant = true;
        } else if (exp.value === undefined) {
          w.append(exp.raw);
          nonConstant = true;
        } else if (exp.items !== undefined) w.appendItems(exp.items, exp.start, this.pos);
        else w.append(exp.value);
        if (exp.substitution && !exp.constantSubstitution) {
          nonConstant = true;
          w.markSubstitution(before);
        }
        from = this.pos;
        continue;
      }
      this.pos++;
    }
    w.append(text.slice(from, Math.min(this.pos, this.n)));
    this.pos = Math.min(this.pos + 1, this.n);
    if (nonConstant) w.constant = false;
    if (obfuscated) w.obfuscated = true;
    // Empty when every piece appended was empty.
    if (w.value.length === lengthBefore) w.emptyString = true;
  }

  private readAnsiC(): { value: string; obfuscated: boolean } {
    const text = this.t.text;
    let i = this.pos + 2;
    let out = '';
    let obfuscated = false;
    while (i < this.n && text[i] !== "'") {
      const c = text[i] as string;
      if (c !== '\\') {
        out += c;
        i++;
        continue;
      }
      const nx = text[i + 1] ?? '';
      const simple: Record<string, string> = {
        n: '\n',
        t: '\t',
        r: '\r',
        a: '\x07',
        b: '\b',
        e: '\x1b',
        E: '\x1b',
        f: '\f',
        v: '\v',
        '\\': '\\',
        "'": "'",
        '"': '"',
        '?': '?',
      };
      if (simple[nx] !== undefined) {
        out += simple[nx];
        i += 2;
        continue;
      }
      let m: RegExpExecArray | null;
      const rest = text.slice(i + 1, i + 10);
      if ((m = /^x([0-9a-fA-F]{1,2})/.exec(rest))) {
        out += String.fromCharCode(parseInt(m[1] as string, 16));
        obfuscated = true;
        i += 1 + m[0].length;
      } else if ((m = /^u([0-9a-fA-F]{1,4})/.exec(rest)) || (m = /^U([0-9a-fA-F]{1,8})/.exec(rest))) {
        const cp = parseInt(m[1] as string, 16);
        out += cp <= 0x10ffff ? String.fromCodePoint(cp) : '';
        obfuscated = true;
        i += 1 + m[0].length;
      } else if ((m = /^([0-7]{1,3})/.exec(rest))) {
        out += String.fromCharCode(parseInt(m[1] as string, 8) & 0xff);
        obfuscated = true;
        i += 1 + m[0].length;
      } else {
        out += '\\' + nx;
        i += 2;
      }
    }
    this.pos = Math.min(i + 1, this.n);
    return { value: out, obfuscated };
  }

  /**
   * `$name`, `${…}`, `$(…)`, `$((…))`, `$1`, `$@` … at pos. `value` is undefined when unknown.
   */
  private readExpansion(statement: number, depth: number, inQuotes: boolean): Expansion {
    const text = this.t.text;
    const start = this.pos;
    const nx = text[this.pos + 1];
    if (nx === '(' && text[this.pos + 2] === '(') {
      const end = text.indexOf('))', this.pos + 3);
      this.pos = end < 0 ? this.n : end + 2;
      return new Expansion(start, undefined, text.slice(start, this.pos));
    }
    if (nx === '(') {
      const sub = this.substitution(this.pos + 2, ')', statement, depth);
      const constantSubstitution = this.lastSubstitutionConstant;
      const e = new Expansion(start, constantSubstitution ? sub.value : undefined, sub.value, constantSubstitution);
      e.nested = sub.nested;
      e.substitution = true;
      e.constantSubstitution = constantSubstitution;
      return e;
    }
    if (nx === '{') {
      if (this.shell === 'zsh') {
        const c2 = text[this.pos + 2];
        if (c2 === '(' || c2 === '$' || c2 === ':') return this.zshExpansion(start);
      }
      // Stops at `$` and newlines: nested expansions are left unresolved, and `${${${…` stays linear.
      const close = indexWithin(text, '}', this.pos + 2, 4096, '$\n');
      if (close < 0) {
        this.pos += 2;
        return new Expansion(start, undefined, '${');
      }
      this.pos = close + 1;
      const written = text.slice(start + 2, close);
      // zsh `${=x}` splits x's value at IFS (unquoted expansions are split here in every shell).
      const inner = this.shell === 'zsh' && written[0] === '=' ? written.slice(1) : written;
      if (inner[0] === '!' && /^![A-Za-z_][A-Za-z0-9_]*$/.test(inner)) return this.indirection(start, inner.slice(1));
      const m = /^([A-Za-z_][A-Za-z0-9_]*|[0-9]+|[@*#?$!-])(.*)$/s.exec(inner);
      if (!m) return new Expansion(start, undefined, text.slice(start, this.pos));
      const name = m[1] as string;
      const op = m[2] as string;
      if (name === 'IFS') return ifsExpansion(start, text.slice(start, this.pos), inQuotes);
      if (op.startsWith('[')) return this.arrayElement(start, name, op);
      if (op === '' && this.positional !== undefined && /^(?:[@*]|[1-9][0-9]?)$/.test(name)) return this.positionalExpansion(start, name);
      const known = this.t.vars.expand(name);
      const r = applyParameterOperator(known, op);
      const e = new Expansion(start, r.value, text.slice(start, this.pos), r.obfuscated);
      e.vanishable = (op === '' || EMPTY_DEFAULT.test(op)) && VANISHING_PARAMETER.test(name);
      return e;
    }
    if (nx !== undefined && /[@*#?$!0-9-]/.test(nx)) {
      this.pos += 2;
      if (this.positional !== undefined && /[@*1-9]/.test(nx)) return this.positionalExpansion(start, nx);
      const e = new Expansion(start, undefined, text.slice(start, this.pos));
      e.vanishable = VANISHING_PARAMETER.test(nx);
      return e;
    }
    let i = this.pos + 1;
    while (i < this.n && isIdentChar(text.charCodeAt(i))) i++;
    if (i === this.pos + 1) {
      this.pos++;
      return new Expansion(start, '$', '$');
    }
    const name = text.slice(this.pos + 1, i);
    this.pos = i;
    if (name === 'IFS') return ifsExpansion(start, '$IFS', inQuotes);
    const e = new Expansion(start, this.t.vars.expand(name), text.slice(start, i));
    e.vanishable = true;
    return e;
  }

  /** `"$@"`, `$*`, `$1` after `set -- …` with constant items: `[@]` keeps the items apart, like an array's. */
  private positionalExpansion(start: number, name: string): Expansion {
    const raw = this.t.text.slice(start, this.pos);
    const items = this.positional ?? [];
    const picked = name === '@' || name === '*' ? items : [items[Number(name) - 1] ?? ''];
    const value = joinWithinLimit(picked, ' ');
    if (!this.t.vars.spend(value.length)) return new Expansion(start, undefined, raw);
    const e = new Expansion(start, value, raw);
    if (name === '@' && picked.length > 1) e.items = picked;
    return e;
  }

  /** `${!ref}`: the value of the variable whose name ref holds (bash indirection); unknown unless both are known. */
  private indirection(start: number, ref: string): Expansion {
    const target = this.t.vars.expand(ref);
    const value = target !== undefined && /^[A-Za-z_][A-Za-z0-9_]*$/.test(target) ? this.t.vars.expand(target) : undefined;
    return new Expansion(start, value, this.t.text.slice(start, this.pos), true);
  }

  /**
   * `${a[@]}`, `${a[*]}`, `${a[1]}` of an array assigned constant items (a scalar is its own element 0).
   * `[@]` keeps the items apart (separate words even inside quotes); unknown subscripts stay unknown.
   */
  private arrayElement(start: number, name: string, subscript: string): Expansion {
    const raw = this.t.text.slice(start, this.pos);
    const m = /^\[([@*]|[0-9]{1,6})\]$/.exec(subscript);
    if (!m) return new Expansion(start, undefined, raw);
    const items = this.arrays.get(name);
    const which = m[1] as string;
    const picked = items === undefined ? undefined : which === '@' || which === '*' ? items : [items[Number(which)] ?? ''];
    const value = picked === undefined ? undefined : joinWithinLimit(picked, ' ');
    // Charged like a variable's value (`expand` charges a scalar): a big array expanded many times cannot multiply the work.
    if (value !== undefined && !this.t.vars.spend(value.length)) return new Expansion(start, undefined, raw);
    if (picked === undefined || value === undefined) {
      const scalar = this.t.vars.expand(name);
      if (scalar === undefined) return new Expansion(start, undefined, raw);
      return new Expansion(start, which === '@' || which === '*' || which === '0' ? scalar : '', raw);
    }
    const e = new Expansion(start, value, raw);
    if (which === '@' && picked.length > 1) e.items = picked;
    return e;
  }

  /**
   * zsh `${(j::)${(s::):-curl}}`, `${:-curl}`: flags, nested expansions and a name-less default. The
   * constant result when every part is understood; otherwise unknown (a computed word).
   */
  private zshExpansion(start: number): Expansion {
    const text = this.t.text;
    const r = zshParameter(text, start, 0);
    this.pos = r.end;
    let value: string | undefined;
    if (r.items !== undefined) value = r.items.join(' ');
    else if (r.known) {
      const plain = this.t.vars.expand(r.name) ?? '';
      value = r.flags === '' ? plain : applyZshFlags(r.flags, [plain])?.join(' ');
    }
    return new Expansion(start, value, text.slice(start, r.end), true);
  }

  /** End index of `{a,b}` (no spaces, no nesting) at start, or -1. */
  private findSimpleBraceList(start: number): number {
    const text = this.t.text;
    let comma = false;
    for (let i = start + 1; i < this.n && i - start < 4096; i++) {
      const c = text[i];
      if (c === '}') return comma ? i : -1;
      if (c === ',') comma = true;
      else if (c === ' ' || c === '\t' || c === '\n' || c === '{' || c === ';' || c === '|' || c === '&' || c === '$') return -1;
    }
    return -1;
  }
}

/** What an expansion (`$x`, `${x…}`, `$(…)` …) yields (one object per expansion, all of one shape). */
class Expansion {
  nested: number[] = NO_COMMANDS;
  ifs = false;
  /** A variable or parameter that expands to nothing when unset (not `$#`, `$?`, `$$`, `$0` …). */
  vanishable = false;
  substitution = false;
  constantSubstitution = false;
  /** `"${a[@]}"`: the array's items, each its own word even inside quotes. */
  items: string[] | undefined = undefined;
  constructor(
    readonly start: number,
    /** The value when known. */
    readonly value: string | undefined,
    /** The text as written (or a substitution's display value). */
    readonly raw: string,
    readonly obfuscated = false,
  ) {}
}

/** `$IFS`: a blank inside quotes; outside, a word separator that only serves to hide spaces. */
function ifsExpansion(start: number, raw: string, inQuotes: boolean): Expansion {
  const e = new Expansion(start, inQuotes ? ' ' : undefined, raw, true);
  e.ifs = !inQuotes;
  return e;
}

/** Bash parameter operators on a known value: defaults, substrings, literal replacement, case. */
function applyParameterOperator(value: string | undefined, op: string): { value: string | undefined; obfuscated: boolean } {
  if (op === '') return { value, obfuscated: false };
  let m: RegExpExecArray | null;
  if ((m = /^:?[-=]([^}]*)$/.exec(op))) return { value: value === undefined || value === '' ? m[1] : value, obfuscated: false };
  if (value === undefined) return { value: undefined, obfuscated: true };
  if ((m = /^:\s*(-?[0-9]+)(?::\s*(-?[0-9]+))?$/.exec(op))) {
    let offset = Number(m[1]);
    if (offset < 0) offset = Math.max(0, value.length + offset);
    let end = value.length;
    if (m[2] !== undefined) {
      const len = Number(m[2]);
      end = len < 0 ? value.length + len : offset + len;
    }
    return { value: value.slice(offset, Math.max(offset, end)), obfuscated: true };
  }
  if ((m = /^(\/\/?)([^/*?[]*)\/(.*)$/.exec(op))) {
    const pattern = m[2] as string;
    if (pattern === '') return { value, obfuscated: true };
    const replaced = m[1] === '//' ? value.split(pattern).join(m[3]) : value.replace(pattern, m[3] as string);
    return { value: replaced, obfuscated: true };
  }
  if (op === '^^') return { value: value.toUpperCase(), obfuscated: true };
  if (op === ',,') return { value: value.toLowerCase(), obfuscated: true };
  if ((m = /^(##?|%%?)([^*?[]*)$/.exec(op))) {
    const pat = m[2] as string;
    if (m[1]?.startsWith('#')) return { value: value.startsWith(pat) ? value.slice(pat.length) : value, obfuscated: true };
    return { value: value.endsWith(pat) ? value.slice(0, value.length - pat.length) : value, obfuscated: true };
  }
  return { value: undefined, obfuscated: true };
}

/** What a zsh `${…}` at `start` yields: its words when constant, and where it ends. */
interface ZshParameter {
  end: number;
  items: string[] | undefined;
  /** A variable (no nesting or operator): its value is looked up by the caller, then `flags` applied. */
  known: boolean;
  name: string;
  flags: string;
}

/** zsh parameter flags understood: `s:x:` split, `j:x:` join, `U`/`L` case (any delimiter pair). */
function applyZshFlags(flags: string, items: string[]): string[] | undefined {
  let out = items;
  for (let i = 0; i < flags.length;) {
    const f = flags[i] as string;
    if (f === 's' || f === 'j') {
      const delimiter = flags[i + 1];
      if (delimiter === undefined) return undefined;
      const close = flags.indexOf(delimiter, i + 2);
      if (close < 0) return undefined;
      const sep = flags.slice(i + 2, close);
      if (f === 'j') out = [out.join(sep)];
      else out = out.flatMap((item) => (sep === '' ? Array.from(item) : item.split(sep))).filter((x) => x !== '');
      i = close + 1;
    } else if (f === 'U' || f === 'L') {
      out = out.map((x) => (f === 'U' ? x.toUpperCase() : x.toLowerCase()));
      i++;
    } else return undefined;
  }
  return out;
}

/** Reads zsh `${(flags)inner:-default}` at `start` (`${`), nesting bounded; linear in what it reads. */
function zshParameter(text: string, start: number, depth: number): ZshParameter {
  const unknown = (end: number): ZshParameter => ({ end, items: undefined, known: false, name: '', flags: '' });
  let i = start + 2;
  let flags = '';
  if (text[i] === '(') {
    const close = indexWithin(text, ')', i + 1, 64, '}\n');
    if (close < 0) return unknown(i);
    flags = text.slice(i + 1, close);
    i = close + 1;
  }
  let items: string[] | undefined;
  let name = '';
  let plain = true;
  if (text[i] === '$' && text[i + 1] === '{' && depth < 8) {
    const inner = zshParameter(text, i, depth + 1);
    if (inner.known) return unknown(skipToBrace(text, inner.end));
    items = inner.items;
    i = inner.end;
    plain = false;
    if (items === undefined) return unknown(skipToBrace(text, i));
  } else {
    let j = i;
    while (j < text.length && j - i < 256 && isIdentChar(text.charCodeAt(j))) j++;
    name = text.slice(i, j);
    i = j;
  }
  if (text[i] === ':' && text[i + 1] === '-') {
    const close = indexWithin(text, '}', i + 2, 4096, '$\n');
    if (close < 0) return unknown(i);
    // A name-less or unset parameter takes the default (assignments in the text are not looked up here).
    if (items === undefined && name !== '') return unknown(close + 1);
    if (items === undefined || items.length === 0) items = [text.slice(i + 2, close)];
    i = close;
    plain = false;
  }
  if (text[i] !== '}') return unknown(skipToBrace(text, i));
  // `${(L)name}`: the caller looks the value up and applies the flags (case changes hide names as well as quotes do).
  if (plain && name !== '') return { end: i + 1, items: undefined, known: true, name, flags };
  if (items === undefined) return unknown(i + 1);
  const flagged = applyZshFlags(flags, items);
  return flagged === undefined ? unknown(i + 1) : { end: i + 1, items: flagged, known: false, name, flags: '' };
}

/** Past the next `}` from `i` (bounded, not past another expansion), or `i` when there is none near. */
function skipToBrace(text: string, i: number): number {
  const close = indexWithin(text, '}', i, 4096, '$\n');
  return close < 0 ? i : close + 1;
}

/**
 * The program an unquoted glob command word runs (`/???/bin/m???f?` → mkfifo) when it fits a known one; otherwise the
 * name as written (it only hides the name, which the caller notes).
 */
function globResolvedName(word: RawWord, name: string): string {
  if (word.quoted || !isGlobName(name) || literalCharacters(name) < 2) return name;
  return GLOB_TARGETS.find((p) => globMatch(name, p)) ?? name;
}

/** Characters of a glob that stand for themselves: `*` alone matches any file, not a program in particular. */
function literalCharacters(glob: string): number {
  let n = 0;
  for (let i = 0; i < glob.length; i++) if (glob[i] !== '*' && glob[i] !== '?' && glob[i] !== '[' && glob[i] !== ']') n++;
  return n;
}

/** A command name that is a glob pattern (`/???/c?rl`, `/bin/ba[s]h`); `[` and `[[` are the test commands. */
function isGlobName(name: string): boolean {
  if (name.includes('?') || name.includes('*')) return true;
  const open = name.indexOf('[');
  return open >= 0 && name.indexOf(']', open + 1) > open + 1;
}

/** Items and runs of xargs taken from constant input, at most. */
const MAX_XARGS_ITEMS = 256;
const MAX_XARGS_RUNS = 16;

/** xargs input split at a `-0` / `-d` delimiter (a last empty item is the input's end). */
function splitAtDelimiter(input: string, delimiter: string): string[] {
  const items = input.split(delimiter, MAX_XARGS_ITEMS + 1).slice(0, MAX_XARGS_ITEMS);
  if (items[items.length - 1] === '' || (delimiter === '\0' && items[items.length - 1] === '\n')) items.pop();
  return items;
}

/**
 * xargs items as it reads them by default: separated by blanks and newlines (only newlines with -I, leading
 * blanks dropped), with quotes and backslashes grouping. One pass over the input.
 */
function xargsItems(input: string, linesOnly: boolean): string[] {
  const items: string[] = [];
  let item = '';
  let started = false;
  let quote = '';
  for (let i = 0; i < input.length && items.length < MAX_XARGS_ITEMS; i++) {
    const c = input[i] as string;
    if (quote !== '') {
      if (c === quote) quote = '';
      else item += c;
      continue;
    }
    const blank = c === ' ' || c === '\t';
    if (c === '\n' || (blank && !linesOnly)) {
      if (started) items.push(item);
      item = '';
      started = false;
      continue;
    }
    if (blank && !started) continue;
    started = true;
    if (c === "'" || c === '"') quote = c;
    else if (c === '\\' && i + 1 < input.length) item += input[++i] as string;
    else item += c;
  }
  if (started && items.length < MAX_XARGS_ITEMS) items.push(item);
  return items;
}

/** A word written so that a POSIX shell reads it back as `value`. */
function shellQuote(value: string): string {
  return /^[\w./:=@%+,-]+$/.test(value) ? value : "'" + value.split("'").join("'\\''") + "'";
}

/** Where unquoted expansions split while IFS has its default value. */
const DEFAULT_IFS = /[ \t\n]+/;

/** Names of parameters an unset value of which expands to nothing: variables, `$1`…, `$@`, `$*`. */
const VANISHING_PARAMETER = /^(?:[A-Za-z_][A-Za-z0-9_]*|[1-9][0-9]*|[@*])$/;
/** `${x:-}`, `${x=}` …: an empty default. */
const EMPTY_DEFAULT = /^:?[-=]$/;

/** The shared empty command list of words and expansions without nested commands; never pushed to. */
const NO_COMMANDS: number[] = [];

/** ASCII characters that end a bare run in a word: blanks and `\n ; & | ( ) < > \` \\ ' " $`. */
const BARE_RUN_ENDS = asciiSet(' \t\r\n;&|()<>`\\\'"$');
/** What may follow `$` inside double quotes for an expansion: `[A-Za-z0-9_{(@*#?!$-]`. */
const EXPANSION_STARTS = asciiSet('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_{(@*#?!$-');

function asciiSet(chars: string): Uint8Array {
  const set = new Uint8Array(0x80);
  for (let i = 0; i < chars.length; i++) set[chars.charCodeAt(i)] = 1;
  return set;
}

// Character classes, local to this module: they run for every character.
function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0b || c === 0x0c;
}
function isAlnum(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}
function isIdentChar(c: number): boolean {
  return isAlnum(c) || c === 0x5f;
}

/** The word being read (a class rather than closures: this runs for every word; reused, see wordState). */
class WordState {
  /** Where finished words go. */
  out: RawWord[] = [];
  start = 0;
  /** The word's text so far (its pieces concatenated: no array per word). */
  value = '';
  /** Pieces appended so far, empty ones included. */
  pieces = 0;
  quoted = false;
  obfuscated = false;
  constant = true;
  /** The shared empty list until something is nested (most words have nothing nested). */
  nested: number[] = NO_COMMANDS;
  bare = 0;
  stringParts = 0;
  emptyString = false;
  assignName: string | undefined = undefined;
  /** Length of `value` where an assignment's value starts. */
  assignValueFrom = -1;
  /** `value` with vanishing expansions left out; null until the first one (then `value` is the same). */
  alt: string | null = null;
  /** Empty or unset expansions: [start, end, index in `alt`] for each; null when none. */
  vanishing: number[] | null = null;
  /** Length of `value` right after a non-constant substitution appended to an empty word; -1 when none. */
  substitutionEnd = -1;

  begin(start: number, out: RawWord[]): void {
    this.out = out;
    this.start = start;
    this.assignValueFrom = -1;
    this.clear();
  }

  append(piece: string): void {
    this.value += piece;
    if (this.alt !== null) this.alt += piece;
    this.pieces++;
  }

  /**
   * An expansion that is empty or, when `unknown`, of an unset variable: `text` (the value, or the
   * expansion as written when unknown) goes to `value`, nothing to `alt`.
   */
  appendVanishing(text: string, unknown: boolean, start: number, end: number): void {
    if (this.alt === null) this.alt = this.value;
    (this.vanishing ??= []).push(start, end, this.alt.length);
    this.value += text;
    this.pieces++;
    if (unknown) this.constant = false;
  }

  /** A non-constant command substitution was appended; `lengthBefore` is the value's length before it. */
  markSubstitution(lengthBefore: number): void {
    this.substitutionEnd = lengthBefore === 0 ? this.value.length : -1;
  }

  /** Adds commands nested in the word; a substitution's list is fresh and exact, so the first is taken over. */
  addNested(commands: number[]): void {
    if (commands.length === 0) return;
    if (this.nested === NO_COMMANDS) this.nested = commands;
    else for (let i = 0; i < commands.length; i++) this.nested.push(commands[i] as number);
  }

  flush(end: number): void {
    const value = this.value;
    if (value.length > 0 || this.quoted) {
      const w = rawWord(value, this.start, end, this.quoted, this.obfuscated, this.constant, this.nested);
      if (this.alt !== null) this.resolveVanishing(w, this.alt, this.vanishing as number[]);
      if (this.substitutionEnd > 0 && this.substitutionEnd === value.length) w.soleSubstitution = true;
      if (this.assignName !== undefined) {
        w.assignName = this.assignName;
        w.assignValue = value.slice(this.assignValueFrom);
      }
      if (this.bare > 0 && this.stringParts > 0 && /^[a-z0-9_.-]+$/i.test(value) && (this.emptyString || this.assignName === undefined))
        w.obfuscated = true;
      this.out.push(w);
    }
    this.clear();
  }

  /** Sets the word's `emptyAlt` when every vanishing expansion in it stands between letters or digits. */
  private resolveVanishing(w: RawWord, alt: string, vanishing: number[]): void {
    if (alt.includes('$') || alt.includes('`')) return; // something else stays unresolved
    const positions: number[] = [];
    for (let k = 0; k < vanishing.length; k += 3) {
      const at = vanishing[k + 2] as number;
      if (at === 0 || !isAlnum(alt.charCodeAt(at - 1)) || !isAlnum(alt.charCodeAt(at))) return;
      positions.push(vanishing[k] as number, vanishing[k + 1] as number);
    }
    w.emptyAlt = alt;
    w.vanished = positions;
  }

  private clear(): void {
    this.value = '';
    this.alt = null;
    this.vanishing = null;
    this.substitutionEnd = -1;
    this.pieces = 0;
    this.quoted = false;
    this.obfuscated = false;
    this.constant = true;
    this.nested = NO_COMMANDS;
    this.bare = 0;
    this.stringParts = 0;
    this.emptyString = false;
    this.assignName = undefined;
  }

  /** `"${a[@]}"`: the first item joins the word so far, each further item starts a word of its own. */
  appendItems(items: readonly string[], splitStart: number, pos: number): void {
    for (let k = 0; k < items.length; k++) {
      if (k > 0) {
        const quoted = this.quoted;
        this.quoted = true;
        this.flush(pos);
        this.start = splitStart;
        this.quoted = quoted;
      }
      this.append(items[k] as string);
    }
  }

  /** Appends an expansion; unquoted values with blanks are split into words, as the shell does. */
  appendExpansion(
    value: string | undefined,
    rawText: string,
    inQuotes: boolean,
    splitStart: number,
    pos: number,
    separators: RegExp | null | undefined = undefined,
  ): void {
    if (value === undefined) {
      this.append(rawText);
      this.constant = false;
      return;
    }
    // `separators`: IFS set in the text (null: set empty, no splitting); the default splits at blanks.
    const splitAt = separators === undefined ? DEFAULT_IFS : separators;
    if (inQuotes || splitAt === null || !splitAt.test(value)) {
      this.append(value);
      return;
    }
    const pieces = value.split(splitAt);
    for (let k = 0; k < pieces.length; k++) {
      if (k > 0) {
        this.flush(pos);
        this.start = splitStart;
      }
      this.append(pieces[k] as string);
    }
  }
}

/** A RawWord with every field present, so all share one shape. */
function rawWord(
  value: string,
  start: number,
  end: number,
  quoted: boolean,
  obfuscated: boolean,
  constant: boolean,
  nested: number[],
): RawWord {
  return {
    value,
    start,
    end,
    quoted,
    obfuscated,
    constant,
    nested,
    assignName: undefined,
    assignValue: undefined,
    emptyAlt: undefined,
    vanished: undefined,
    soleSubstitution: false,
    arrayItems: undefined,
  };
}

/** Appends the commands nested in `words` to `created`. */
function pushNested(created: number[], words: readonly RawWord[]): void {
  for (const w of words) for (let i = 0; i < w.nested.length; i++) created.push(w.nested[i] as number);
}

/**
 * The commands whose output leaves a group: the last member of each pipeline the group made (not those of
 * `$(…)` substitutions, whose output is a word). At most 64, so a huge group stays cheap to join.
 */
function groupOutputs(b: DocBuilder, firstPipeline: number, end: number): number[] {
  const out: number[] = [];
  for (let p = firstPipeline; p < end && out.length < 64; p++) {
    const members = b.pipelines[p];
    const last = members?.[members.length - 1];
    if (last !== undefined && b.commands[last]?.parent === undefined) out.push(last);
  }
  return out;
}
