/**
 * cmd.exe lexer: lines, `&`/`&&`/`||`/`|` chains, `( … )` blocks, `if`/`for … do` bodies,
 * caret escapes, quotes, and `%VAR%` / `%VAR:~start,len%` / `%VAR:old=new%` expansion using
 * `set` assignments in the same text and the usual Windows environment.
 */
import { DELAYED_EXPANSION_LAYERS, joinWithinLimit, wordOf, type VariableTable, type WordImpl } from './builder';
import type { Redirect, Word } from './document';
import { PieceTextBuilder } from './layer';
import type { LexTarget } from './lex-target';
import { cachedProgramName, ownValue } from './names';

/** Typical values of Windows environment variables, enough to resolve substring tricks like `%COMSPEC:~-7,3%`. */
export const WINDOWS_ENVIRONMENT: Readonly<Record<string, string>> = {
  comspec: 'C:\\Windows\\system32\\cmd.exe',
  windir: 'C:\\Windows',
  systemroot: 'C:\\Windows',
  systemdrive: 'C:',
  programdata: 'C:\\ProgramData',
  programfiles: 'C:\\Program Files',
  'programfiles(x86)': 'C:\\Program Files (x86)',
  commonprogramfiles: 'C:\\Program Files\\Common Files',
  public: 'C:\\Users\\Public',
  allusersprofile: 'C:\\ProgramData',
  pathext: '.COM;.EXE;.BAT;.CMD;.VBS;.VBE;.JS;.JSE;.WSF;.WSH;.MSC',
  psmodulepath: 'C:\\Program Files\\WindowsPowerShell\\Modules;C:\\Windows\\system32\\WindowsPowerShell\\v1.0\\Modules',
  os: 'Windows_NT',
  processor_architecture: 'AMD64',
  localappdata: 'C:\\Users\\user\\AppData\\Local',
  appdata: 'C:\\Users\\user\\AppData\\Roaming',
  userprofile: 'C:\\Users\\user',
  temp: 'C:\\Users\\user\\AppData\\Local\\Temp',
  tmp: 'C:\\Users\\user\\AppData\\Local\\Temp',
  homedrive: 'C:',
  homepath: '\\Users\\user',
};

interface RawWord {
  value: string;
  start: number;
  end: number;
  quoted: boolean;
  obfuscated: boolean;
}

export function lexCmd(t: LexTarget): void {
  new CmdLexer(t).run();
}

class CmdLexer {
  private pos = 0;
  private readonly n: number;
  /** Open `( … )` blocks: inside one, an unquoted `)` ends the command. */
  private parenDepth = 0;
  /** The word being read (reused: words are read one at a time). */
  private readonly word = new CmdWordState();
  /**
   * Where the closing sigil of an undefined `%name%` stands: cmd leaves the reference as written and then reads
   * it like any text (its blanks separate words, its carets escape), so both sigils are ordinary characters.
   */
  private literalSigilAt = -1;

  /** The line `lineAround` read last. */
  private line: { start: number; end: number; newline: number; lastQuotes: number[] } = { start: 0, end: -1, newline: -1, lastQuotes: [] };
  /** The end of the last line whose `cmd /c` rest became a layer (`slashCommandLine`). */
  private slashLineCoveredTo = -1;

  /** `!var!` expands (`cmd /v:on /c …`; `setlocal enabledelayedexpansion` sets it in the variables instead). */
  private readonly delayed: boolean;

  /** Where each `:label` of the script starts its body (the next line), read on the first `call :label`. */
  private labels: Map<string, number> | null = null;
  /** How often each label was inlined by `call :label` (bounded: a label called in a loop does not multiply the text). */
  private readonly labelCalls = new Map<string, number>();
  /** Names given a value this text does not know (`set /p v=<file`): run as a command, they hide the program. */
  private readonly unknownValues = new Set<string>();
  /** What `echo` wrote to each file of this text (`(echo X)>file`), by lower-case path; undefined once not known. */
  private readonly writtenFiles = new Map<string, string | undefined>();
  /** `doskey name=text`: macros typed at the prompt, by lower-case name: their text as written (`$*`, `$1`, `$T` … unexpanded) and its `$` count. */
  private readonly macros = new Map<string, { text: string; dollars: number }>();
  /**
   * The `for … do (` blocks around the command being read, innermost last: each binds its variable in every
   * command of its block (`net stop %%s` on the block's second line), as `do CMD` does on one line.
   */
  private readonly forBlocks: { depth: number; variable: string; bind: ForBinder | undefined }[] = [];
  /** The last `echo` command: its index in the builder and the line it prints, for a `( … )>file` block around it. */
  private lastEcho: { command: number; start: number; line: string | undefined } | null = null;

  constructor(private readonly t: LexTarget) {
    this.n = t.text.length;
    this.delayed = DELAYED_EXPANSION_LAYERS.has(t.layer);
  }

  run(): void {
    const text = this.t.text;
    const b = this.t.builder;
    let statement = -1;
    let pipeline = -1;
    let atLineStart = true;
    while (this.pos < this.n) {
      if (
        this.t.builder.commands.length >= this.t.builder.maxCommands &&
        this.t.builder.overBudget(this.t.layer.toOriginal(this.pos, this.pos))
      ) {
        this.pos = this.n;
        break;
      }
      const c = text[this.pos] as string;
      if (c === '(' || c === ')') {
        this.parenDepth = c === '(' ? this.parenDepth + 1 : Math.max(0, this.parenDepth - 1);
        pipeline = -1;
      }
      if (c === ' ' || c === '\t' || c === '\r' || c === '@' || c === '(' || c === ')' || c === ',' || c === '=' || c === ';') {
        this.pos++;
        continue;
      }
      if (c === '\n') {
        this.pos++;
        statement = -1;
        pipeline = -1;
        atLineStart = true;
        continue;
      }
      if (c === ':' && text[this.pos + 1] === ':' && atLineStart) {
        this.skipLine();
        continue;
      }
      if (c === ':' && atLineStart) {
        // label
        this.skipLine();
        continue;
      }
      if (c === '&' || c === '|') {
        const double = text[this.pos + 1] === c;
        this.pos += double ? 2 : 1;
        if (c === '&' || double) pipeline = -1;
        continue;
      }
      atLineStart = false;
      if (statement < 0) statement = b.newStatement();
      if (pipeline < 0) pipeline = b.newPipeline();
      const before = this.pos;
      this.parseCommand(pipeline, statement);
      if (this.pos === before) this.pos++;
    }
  }

  private skipLine(): void {
    const nl = this.t.text.indexOf('\n', this.pos);
    this.pos = nl < 0 ? this.n : nl;
  }

  private parseCommand(pipeline: number, statement: number): void {
    const text = this.t.text;
    const words: RawWord[] = [];
    const redirects: Redirect[] = [];
    for (;;) {
      // cmd treats `,` `;` `=` between words like spaces.
      while (this.pos < this.n && isWordGap(text.charCodeAt(this.pos))) this.pos++;
      if (this.pos >= this.n) break;
      const c = text[this.pos] as string;
      if (c === '\n' || c === '&' || c === '|') break;
      if (c === ')' && words.length > 0) break;
      if (c === '(' && words.length > 2 && keyword((words[0] as RawWord).value) === 'for' && this.readForSet(words)) continue;
      if (c === '(' && words.length > 0 && this.opensBlock(words)) break;
      if (c === '>' || c === '<' || ((c === '1' || c === '2') && text[this.pos + 1] === '>')) {
        const r = this.readRedirect();
        if (r) redirects.push(r);
        continue;
      }
      // `rem` comments swallow the line.
      if (words.length === 1 && keyword((words[0] as RawWord).value) === 'rem') {
        this.skipLine();
        break;
      }
      if (!this.readWord(words)) break;
      if (words.length === 1 && keyword((words[0] as RawWord).value) === 'rem') {
        this.skipLine();
        return;
      }
    }
    if (words.length === 0) this.blockRedirect(redirects);
    this.finish(words, redirects, pipeline, statement);
  }

  /** `(echo X)>file`: the block's only output is the echo just before its `)`, written to the file. */
  private blockRedirect(redirects: readonly Redirect[]): void {
    const echo = this.lastEcho;
    // The echo must be the block's only command: `(whoami & echo x)>file` starts the file with whoami's output.
    const echoed = echo !== null && echo.command === this.t.builder.commands.length - 1 && this.opensBlockAt(echo.start);
    for (const r of redirects) if (r.op === '>' || r.op === '>>') this.recordWrite(r, echoed ? echo.line : undefined);
  }

  /** Whether the command at `start` is the first of a `( … )` block (`(echo X)`, `( @echo X`). */
  private opensBlockAt(start: number): boolean {
    const text = this.t.text;
    let i = start - 1;
    while (i >= 0 && start - i < 64 && (text[i] === ' ' || text[i] === '\t' || text[i] === '@')) i--;
    return text[i] === '(';
  }

  /** What a `>`/`>>` redirect leaves in its file: the line for `>` (known or not), unknown after an append. */
  private recordWrite(r: Redirect, line: string | undefined): void {
    const path = r.target.value.toLowerCase();
    if (path === 'nul' || path.length === 0) return;
    // Only files that held an echoed line are remembered: other output is unknown, as any file not written here.
    if (line === undefined && !this.writtenFiles.has(path)) return;
    this.writtenFiles.set(path, r.op === '>' ? line : undefined);
  }

  /** The `( … )` set of `for … in ( … )` as one word (quotes respected, up to the end of the line); false if it is not one. */
  private readForSet(words: RawWord[]): boolean {
    if ((words[words.length - 1] as RawWord).value.toLowerCase() !== 'in') return false;
    const text = this.t.text;
    let quote = '';
    let i = this.pos + 1;
    for (; i < this.n; i++) {
      const c = text[i] as string;
      if (c === '\n') return false;
      if (quote !== '') {
        if (c === quote) quote = '';
      } else if (c === "'" || c === '`' || c === '"') quote = c;
      else if (c === ')') break;
    }
    if (i >= this.n) return false;
    words.push({ value: text.slice(this.pos, i + 1), start: this.pos, end: i + 1, quoted: false, obfuscated: false });
    this.pos = i + 1;
    return true;
  }

  /** `if … (`, `for … do (`, `else (` start a block: the words before it are a complete command head. */
  private opensBlock(words: RawWord[]): boolean {
    const first = (words[0] as RawWord).value.toLowerCase();
    const last = (words[words.length - 1] as RawWord).value.toLowerCase();
    return first === 'if' || last === 'do' || last === 'else' || first === 'for';
  }

  private readRedirect(): Redirect | null {
    const text = this.t.text;
    let i = this.pos;
    let fd = '';
    if (text[i] === '1' || text[i] === '2') fd = text[i++] as string;
    const c = text[i];
    let op: Redirect['op'];
    if (c === '>') {
      const append = text[i + 1] === '>';
      i += append ? 2 : 1;
      if (text[i] === '&') {
        i += 2;
        this.pos = i;
        return null;
      }
      op = fd === '2' ? (append ? '2>>' : '2>') : append ? '>>' : '>';
    } else {
      i++;
      op = '<';
    }
    this.pos = i;
    while (this.pos < this.n && (text[this.pos] === ' ' || text[this.pos] === '\t')) this.pos++;
    const read: RawWord[] = [];
    this.readWord(read);
    const target = read[0];
    if (!target) return null;
    return {
      op,
      target: wordOf(target.value, this.span(target.start, target.end), target.quoted, target.obfuscated, undefined),
    };
  }

  private span(start: number, end: number) {
    return this.t.layer.toOriginal(start, end);
  }

  /** A word appended to `out` (several when a `%VAR%` expansion contains spaces); false when nothing was read. */
  private readWord(out: RawWord[]): boolean {
    const text = this.t.text;
    const start = this.pos;
    const outBefore = out.length;
    const w = this.word;
    w.begin(start, out);
    let inQuote = false;
    while (this.pos < this.n) {
      const c = text[this.pos] as string;
      if (!inQuote && (c === ' ' || c === '\t' || c === '\r' || c === '\n' || c === '&' || c === '|' || c === '<' || c === '>')) break;
      if (!inQuote && c === ')' && (w.pieces === 0 || this.parenDepth > 0)) break;
      if (c === '\n') break;
      if (c === '^' && !inQuote) {
        const nx = text[this.pos + 1];
        if (nx === undefined) {
          this.pos++;
          break;
        }
        if (nx === '\n' || (nx === '\r' && text[this.pos + 2] === '\n')) {
          this.pos += nx === '\r' ? 3 : 2;
          continue;
        }
        if (isAlnum(nx.charCodeAt(0)) || nx === '.' || nx === '-' || nx === '/' || nx === '\\' || nx === ':') w.obfuscated = true;
        if (nx === '"') {
          // cmd keeps `^"` as a plain quote in the command line, and the program's own argument parsing
          // (CommandLineToArgvW) takes it as a quote: `^"a^ b^"` is the argument `a b`.
          w.quoted = true;
          this.pos += 2;
          continue;
        }
        w.append(nx);
        this.pos += 2;
        continue;
      }
      if (c === '\\' && text[this.pos + 1] === '"' && !(inQuote && !w.value.includes('"') && closesFolder(text, this.pos))) {
        // `\"` is a literal quote for the program's argument parsing (CommandLineToArgvW), not a quote toggle;
        // except closing a quoted folder (`copy a "%APPDATA%\Word\STARTUP\"`), which is what cmd's built-ins see.
        w.append('"');
        this.pos += 2;
        continue;
      }
      if (c === '"') {
        if (text[this.pos + 1] === '"' && inQuote === false) w.emptyQuotes = true;
        inQuote = !inQuote;
        w.quoted = true;
        this.pos++;
        continue;
      }
      if ((c === '%' || (c === '!' && (this.delayed || this.t.vars.get('__delayed') !== undefined))) && this.pos !== this.literalSigilAt) {
        const exp = this.readPercent(c);
        if (exp) {
          if (exp.obfuscated) w.obfuscated = true;
          if (!inQuote && /[ \t]/.test(exp.value)) {
            const pieces = exp.value.split(/[ \t]+/);
            for (let k = 0; k < pieces.length; k++) {
              if (k > 0) {
                w.flush(this.pos);
                w.wordStart = exp.start;
              }
              w.appendExpansion(pieces[k] as string);
            }
          } else w.appendExpansion(exp.value);
          continue;
        }
      }
      // A run of ordinary characters becomes one chunk (not one per character).
      let end = this.pos + 1;
      while (end < this.n && isPlainWordChar(text.charCodeAt(end), inQuote)) end++;
      w.append(end === this.pos + 1 ? c : text.slice(this.pos, end));
      this.pos = end;
    }
    w.flush(this.pos);
    return out.length > outBefore || this.pos !== start;
  }

  /** `%VAR%`, `%VAR:~s,l%`, `%VAR:a=b%`; `%%i` / `%1` stay literal. */
  private readPercent(sigil: string): { value: string; start: number; obfuscated: boolean } | null {
    const text = this.t.text;
    const start = this.pos;
    if (sigil === '%' && (text[start + 1] === '%' || /[0-9*~]/.test(text[start + 1] ?? ''))) {
      // `%%i` loop variable or batch argument: literal.
      const len = text[start + 1] === '%' ? 3 : 2;
      this.pos = Math.min(this.n, start + len);
      return { value: text.slice(start, this.pos), start, obfuscated: false };
    }
    let i = start + 1;
    const limit = Math.min(this.n, start + 512);
    while (i < limit && text[i] !== sigil && text[i] !== '\n') i++;
    if (i >= limit || text[i] !== sigil) return null;
    const inner = text.slice(start + 1, i);
    const colon = inner.indexOf(':');
    const name = (colon < 0 ? inner : inner.slice(0, colon)).toLowerCase();
    const known = this.t.vars.expand(name) ?? ownValue(WINDOWS_ENVIRONMENT, name);
    if (known === undefined) {
      this.literalSigilAt = i;
      this.pos = start + 1;
      return { value: sigil, start, obfuscated: false };
    }
    this.pos = i + 1;
    if (colon < 0) return { value: known, start, obfuscated: false };
    const op = inner.slice(colon + 1);
    let m: RegExpExecArray | null;
    if ((m = /^~\s*(-?\d+)\s*(?:,\s*(-?\d+))?$/.exec(op))) {
      let s = Number(m[1]);
      if (s < 0) s = Math.max(0, known.length + s);
      let e = known.length;
      if (m[2] !== undefined) {
        const len = Number(m[2]);
        e = len < 0 ? known.length + len : s + len;
      }
      return { value: known.slice(s, Math.max(s, e)), start, obfuscated: true };
    }
    const eq = op.indexOf('=');
    if (eq > 0) {
      const from = op.slice(0, eq).replace(/^\*/, '');
      const to = op.slice(eq + 1);
      if (from.length === 0) return { value: known, start, obfuscated: true };
      const lower = known.toLowerCase();
      const f = from.toLowerCase();
      let out = '';
      let k = 0;
      for (;;) {
        const j = lower.indexOf(f, k);
        if (j < 0) break;
        out += known.slice(k, j) + to;
        k = j + f.length;
      }
      return { value: out + known.slice(k), start, obfuscated: true };
    }
    return { value: known, start, obfuscated: false };
  }

  /**
   * `for /f … %i in ('command') do …`: cmd runs the quoted command (backquoted with `usebackq`) and loops
   * over its output lines; a nested cmd layer. When the body is the loop variable itself (`do %i`, `do call %i`)
   * each output line is run as a command, as if the output were piped into cmd.
   */
  private forCommand(words: readonly RawWord[], doAt: number): void {
    const inAt = words.findIndex((w, k) => k > 1 && w.value.toLowerCase() === 'in');
    if (inAt < 0) return;
    let lines = false;
    let backquote = false;
    for (let k = 1; k < inAt; k++) {
      const lower = (words[k] as RawWord).value.toLowerCase();
      if (lower === '/f') lines = true;
      else if (lower.includes('usebackq')) backquote = true;
    }
    if (!lines) return;
    const text = this.t.text;
    // The set's words, read by value: a `%i … %` stretch may have been expanded, so positions can be shared.
    const setEnd = doAt < 0 ? words.length : doAt;
    if (setEnd <= inAt + 1) return;
    const values: string[] = [];
    for (let k = inAt + 1; k < setEnd; k++) values.push((words[k] as RawWord).value);
    const quote = backquote ? '`' : "'";
    const lastIndex = values.length - 1;
    const head = (values[0] as string).replace(/^[(\s]+/, '');
    values[0] = head;
    const tail = (values[lastIndex] as string).replace(/[)\s]+$/, '');
    if (!head.startsWith(quote) || !tail.endsWith(quote) || (lastIndex === 0 && tail.length < 3)) return;
    values[lastIndex] = tail.slice(0, -1);
    values[0] = values[0].slice(1);
    if (values.join('').trim() === '') return;
    const builder = new PieceTextBuilder();
    const only = words[inAt + 1] as RawWord;
    if (lastIndex === 0 && text.slice(only.start, only.end) === only.value) {
      // The set read as one word: the command's exact place is known. cmd runs it after removing one level
      // of carets, so `^|` in the set is a real pipe there.
      const offset = only.start + only.value.indexOf(quote) + 1;
      const written = values[0];
      const inner = written.includes('^') ? written.replace(/\^([|&<>()])/g, '$1') : written;
      builder.append(inner, this.span(offset, offset + written.length));
    } else {
      for (let k = 0; k <= lastIndex; k++) {
        const w = words[inAt + 1 + k] as RawWord;
        if (k > 0) builder.separator(' ');
        builder.append(values[k] as string, this.span(w.start, w.end));
      }
    }
    const variable = (words[inAt - 1] as RawWord).value.toLowerCase();
    let body = doAt + 1;
    if (keyword(words[body]?.value ?? '') === 'call') body++;
    // `do %i`: each output line runs as a command, as if piped into cmd.
    if (doAt >= 0 && words[body]?.value.toLowerCase() === variable) builder.separator(' | cmd');
    const b = this.t.builder;
    const layer = builder.build('cmd', this.t.depth + 1, 'nested_shell');
    (b.carriedLayers ??= []).push(layer);
  }

  private finish(raw: RawWord[], redirects: Redirect[], pipeline: number, statement: number): void {
    const b = this.t.builder;
    let words = raw;
    /** The variable of the last `for` unwrapped: as the command name and still unbound, it hides what runs. */
    let loopVariable = '';
    const blocks = this.forBlocks;
    while (blocks.length > 0 && blocks[blocks.length - 1]!.depth > this.parenDepth) blocks.pop();
    for (const block of blocks) {
      if (block.bind !== undefined) words = block.bind(words);
      loopVariable = block.variable;
    }
    // `if [/i] [not] cond cmd`, `for … do cmd`, `else cmd`, `call cmd`.
    for (let guard = 0; guard < 8 && words.length > 0; guard++) {
      const head = keyword((words[0] as RawWord).value);
      if (head === 'if') {
        words = stripIfCondition(words);
        continue;
      }
      if (head === 'for') {
        const doAt = words.findIndex((w, k) => k > 0 && w.value.toLowerCase() === 'do');
        const inAt = words.findIndex((w, k) => k > 1 && w.value.toLowerCase() === 'in');
        if (inAt > 1) loopVariable = (words[inAt - 1] as RawWord).value;
        this.forCommand(words, doAt);
        const bind = doAt < 0 ? undefined : forBinder(words, doAt, this.t.vars);
        const body = doAt < 0 ? [] : words.slice(doAt + 1);
        if (doAt >= 0 && body.length === 0 && this.t.text[this.pos] === '(' && blocks.length < MAX_FOR_BLOCKS) {
          blocks.push({ depth: this.parenDepth + 1, variable: loopVariable, bind });
        }
        words = bind === undefined ? body : bind(body);
        continue;
      }
      if (head === 'call' && words.length > 1 && (words[1] as RawWord).value.startsWith(':')) {
        this.callLabel(words);
        return;
      }
      if (head === 'else' || head === 'do' || head === 'call' || head === 'not') {
        words = words.slice(1);
        continue;
      }
      break;
    }
    if (words.length === 0) return;
    // `do @netsh …`, `if … @echo`: `@` before a command only keeps cmd from echoing it (also after a keyword).
    if (words[0]!.value.length > 1 && words[0]!.value[0] === '@' && !words[0]!.quoted) {
      const at = words[0] as RawWord;
      words = [{ ...at, value: at.value.slice(1), start: at.start + 1 }, ...words.slice(1)];
    }
    const first = words[0] as RawWord;
    const nameLower = keyword(first.value);
    if (nameLower === 'set' || nameLower === 'setx') this.recordSet(words, nameLower === 'setx', redirects);
    if (nameLower === 'doskey') this.defineMacro(words);
    const macro = first.quoted || first.obfuscated ? undefined : this.macros.get(nameLower);
    if (nameLower === 'setlocal' && words.some(isDelayedExpansion)) this.t.vars.set('__delayed', '1');
    const outWords: Word[] = new Array<Word>(words.length);
    for (let i = 0; i < words.length; i++) {
      const w = words[i] as RawWord;
      outWords[i] = wordOf(w.value, this.span(w.start, w.end), w.quoted, w.obfuscated, undefined);
    }
    if (first.obfuscated) {
      b.note('escape_obfuscation', this.span(first.start, first.end), first.value);
      (outWords[0] as WordImpl).obfuscated = true;
    } else if (loopVariable !== '' && first.value === loopVariable && isForVariable(loopVariable)) {
      // `for /f %q in ('…') do %q …`: the program is whatever the loop yields, unknown here.
      b.note('computed_invocation', this.span(first.start, first.end));
      (outWords[0] as WordImpl).obfuscated = true;
    } else if (this.hidesProgram(first)) {
      // `%1 args` in a label's body, `%v% args` after `set /p v=<file`: the program is whatever the value is, unknown here.
      b.note('computed_invocation', this.span(first.start, first.end));
      (outWords[0] as WordImpl).obfuscated = true;
    }
    if (cachedProgramName(first.value) === 'cmd') this.slashCommandLine(words);
    const last = words[words.length - 1] as RawWord;
    const echoes = nameLower === 'echo';
    const echoed = echoes ? echoLine(words) : undefined;
    for (const r of redirects) if (r.op === '>' || r.op === '>>') this.recordWrite(r, echoed);
    const commandIndex = b.addCommand({
      words: outWords,
      redirects,
      span: this.span(first.start, last.end),
      shell: 'cmd',
      depth: this.t.depth,
      pipeline,
      layer: this.t.layerIndex,
      statement,
      name: cachedProgramName(first.value),
    });
    this.lastEcho = echoes ? { command: commandIndex, start: first.start, line: echoed } : null;
    // Each expansion is charged to the expansion budget at its largest (every `$` taking all the arguments): many calls of a
    // macro of many `$*` cannot multiply the text.
    const argumentsLength = words.length > 1 ? last.end - (words[1] as RawWord).start : 0;
    if (macro !== undefined && this.t.vars.spend(macro.text.length + macro.dollars * argumentsLength)) {
      b.deriveCommandLine(commandIndex, {
        text: expandMacro(macro.text, words.slice(1), this.t.text),
        // The call is what runs the macro's text: its findings point at the call (the definition may be an earlier line).
        span: this.span(first.start, last.end),
        origin: 'deobfuscated',
        complete: true,
      });
    }
  }

  /** `doskey p=powershell -nop -c $*`: the text after `=`, to the end of the command, as written. */
  private defineMacro(words: readonly RawWord[]): void {
    const at = words.findIndex((w, k) => k > 0 && !w.value.startsWith('/') && w.value.indexOf('=') > 0);
    if (at < 0) return;
    const w = words[at] as RawWord;
    const name = w.value.slice(0, w.value.indexOf('=')).toLowerCase();
    const start = this.t.text.indexOf('=', w.start) + 1;
    const end = (words[words.length - 1] as RawWord).end;
    if (start <= 0 || start > end || end - start > 4096) return;
    const text = this.t.text.slice(start, end);
    this.macros.set(name, { text, dollars: countOf(text, '$') });
  }

  /** A command word that is only a batch parameter (`%1`, `%*`, `%~1`) or a variable whose value is unknown here. */
  private hidesProgram(first: RawWord): boolean {
    const value = first.value;
    if (isBatchParameter(value)) return true;
    const sigil = value[0];
    if (value.length < 3 || (sigil !== '%' && sigil !== '!') || value[value.length - 1] !== sigil) return false;
    const name = value.slice(1, -1).toLowerCase();
    return this.unknownValues.has(name) && !name.includes(sigil);
  }

  /**
   * `call :label ARGS` in a batch script: the label's body (up to its `goto :eof` / `exit /b`) as a nested layer with
   * `%1`…`%9`, `%~1` and `%*` standing for the call's arguments. Each label is inlined a few times at most, and the
   * layer holds no labels, so a `call` inside it goes no further.
   */
  private callLabel(words: readonly RawWord[]): void {
    const label = (words[1] as RawWord).value.slice(1).toLowerCase();
    if (label.length === 0 || label === 'eof') return;
    const bodyStart = this.labelStarts().get(label);
    const calls = this.labelCalls.get(label) ?? 0;
    if (bodyStart === undefined || calls >= MAX_LABEL_CALLS || this.labelCalls.size > MAX_LABEL_CALLS * 4) return;
    this.labelCalls.set(label, calls + 1);
    const text = this.t.text;
    const bodyEnd = labelBodyEnd(text, bodyStart);
    if (bodyEnd <= bodyStart || !this.t.vars.spend(bodyEnd - bodyStart)) return;
    const args = words.slice(2);
    const builder = new PieceTextBuilder();
    let from = bodyStart;
    for (let i = bodyStart; i < bodyEnd; i++) {
      if (text[i] !== '%') continue;
      const ref = batchParameterAt(text, i);
      if (ref === null) {
        // `%%` is one literal percent sign: skip both, so the second does not start a reference.
        if (text[i + 1] === '%') i++;
        continue;
      }
      if (ref.index === 0) continue;
      if (i > from) builder.append(text.slice(from, i), this.span(from, i));
      this.appendArguments(builder, args, ref.index, ref.stripQuotes);
      from = ref.end;
      i = ref.end - 1;
    }
    if (bodyEnd > from) builder.append(text.slice(from, bodyEnd), this.span(from, bodyEnd));
    if (builder.size === 0) return;
    const layer = builder.build('cmd', this.t.depth + 1, 'nested_shell');
    if (this.delayed) DELAYED_EXPANSION_LAYERS.add(layer);
    (this.t.builder.carriedLayers ??= []).push(layer);
  }

  /** The call's argument `index` (1-9), or all of them for `*` (-1), as cmd substitutes it; nothing when absent. */
  private appendArguments(builder: PieceTextBuilder, args: readonly RawWord[], index: number, stripQuotes: boolean): void {
    const from = index < 0 ? 0 : index - 1;
    const to = index < 0 ? args.length : Math.min(args.length, index);
    for (let k = from; k < to; k++) {
      const w = args[k] as RawWord;
      if (k > from) builder.separator(' ');
      // The argument as written keeps its quotes (`"C:\x y\a.exe"`); `%~1` removes them.
      const quote = w.quoted && !stripQuotes ? '"' : '';
      if (!this.t.vars.spend(w.value.length)) return;
      builder.append(quote + w.value + quote, this.span(w.start, w.end));
    }
  }

  /** Each `:label` line of the text, by lower-case name, to where its body starts; found in one pass, on first use. */
  private labelStarts(): Map<string, number> {
    if (this.labels !== null) return this.labels;
    const labels = new Map<string, number>();
    const text = this.t.text;
    for (let lineStart = 0; lineStart < this.n;) {
      const newline = text.indexOf('\n', lineStart);
      const lineEnd = newline < 0 ? this.n : newline;
      let i = lineStart;
      while (i < lineEnd && (text[i] === ' ' || text[i] === '\t' || text[i] === '@')) i++;
      if (text[i] === ':' && text[i + 1] !== ':') {
        let end = i + 1;
        while (end < lineEnd && !isLabelEnd(text.charCodeAt(end))) end++;
        const name = text.slice(i + 1, end).toLowerCase();
        // The first definition wins, as cmd searches from the top after reaching the end.
        if (name.length > 0 && !labels.has(name)) labels.set(name, Math.min(this.n, lineEnd + 1));
      }
      lineStart = lineEnd + 1;
    }
    this.labels = labels;
    return labels;
  }

  /**
   * `cmd /c …` (/k, /r) as the started cmd.exe reads it: the whole rest of the line is its command line, and when
   * that starts with a quote cmd removes it and the LAST quote of the line (`cmd /c ""C:\x y\a.exe" -arg"` runs
   * `"C:\x y\a.exe" -arg`; `cmd /c "powershell -command "& {…}""` runs `powershell -command "& {…}"`). The words
   * of this command, unwrapped elsewhere, split such a line at its inner quotes, and a line typed at a prompt
   * would end at a `|` after the command, so the line read this way is an additional layer, added only when it
   * differs: more than two quotes, or a pipe that the started cmd would run itself.
   */
  private slashCommandLine(words: readonly RawWord[]): void {
    const text = this.t.text;
    let delayed = false;
    let from = -1;
    for (let k = 1; k < words.length && from < 0; k++) {
      const w = words[k] as RawWord;
      const written = text.slice(w.start, w.start + 2).toLowerCase();
      if (written === '/v' && (w.value.length === 2 || w.value.toLowerCase() === '/v:on')) delayed = true;
      if (written !== '/c' && written !== '/k' && written !== '/r') continue;
      from = w.value.length === 2 && w.end === w.start + 2 ? w.end : w.start + 2;
    }
    // One such layer per line: it holds every later `cmd /c` of the line, which its own lexing reads.
    if (from < 0 || from < this.slashLineCoveredTo) return;
    const line = this.lineAround(from);
    while (from < line.end && (text[from] === ' ' || text[from] === '\t')) from++;
    const end = line.end;
    if (end <= from) return;
    const piped = text[this.pos] === '|' && text[this.pos + 1] !== '|';
    const builder = new PieceTextBuilder();
    if (text[from] === '"') {
      const lastQuote = line.lastQuotes[0] as number;
      const moreThanTwo = line.lastQuotes.length === 3 && (line.lastQuotes[2] as number) >= from;
      if (!moreThanTwo && !piped) return;
      builder.append(text.slice(from + 1, lastQuote), this.span(from + 1, lastQuote));
      builder.append(text.slice(lastQuote + 1, end), this.span(lastQuote + 1, end));
    } else if (piped) builder.append(text.slice(from, end), this.span(from, end));
    else return;
    if (builder.size === 0) return;
    const layer = builder.build('cmd', this.t.depth + 1, 'nested_shell');
    if (delayed || this.delayed) DELAYED_EXPANSION_LAYERS.add(layer);
    (this.t.builder.carriedLayers ??= []).push(layer);
    this.slashLineCoveredTo = end;
  }

  /** The line holding `at` (trailing blanks and CR left out) and its last three quotes, last first; read once per line. */
  private lineAround(at: number): { end: number; lastQuotes: number[] } {
    const cached = this.line;
    if (at >= cached.start && at <= cached.newline) return cached;
    const text = this.t.text;
    const start = text.lastIndexOf('\n', at) + 1;
    const newline = text.indexOf('\n', at);
    const lineEnd = newline < 0 ? this.n : newline;
    let end = lineEnd;
    while (end > start && (text[end - 1] === '\r' || text[end - 1] === ' ' || text[end - 1] === '\t')) end--;
    const lastQuotes: number[] = [];
    for (let i = end - 1; i >= start && lastQuotes.length < 3; i--) if (text[i] === '"') lastQuotes.push(i);
    this.line = { start, end, newline: lineEnd, lastQuotes };
    return this.line;
  }

  /**
   * `set NAME=value`, `set "NAME=value"`, `set /p NAME=…` (unknown value, unless read `<` from a file this text
   * wrote with `echo`: then the file's line).
   */
  private recordSet(words: RawWord[], isSetx: boolean, redirects: readonly Redirect[]): void {
    const b = this.t.builder;
    const rest = words.slice(1);
    if (rest.length === 0) return;
    const flag = (rest[0] as RawWord).value.toLowerCase();
    const prompt = flag === '/p';
    if (flag === '/a') return;
    const parts = prompt ? rest.slice(1) : rest;
    if (isSetx) {
      const nameW = parts[0];
      const valueW = parts[1];
      if (nameW && valueW) this.t.vars.set(nameW.value.toLowerCase(), valueW.value);
      return;
    }
    const joined = parts.map((w) => w.value).join(' ');
    const eq = joined.indexOf('=');
    if (eq <= 0) return;
    const name = joined.slice(0, eq).trim().toLowerCase();
    const value = joined.slice(eq + 1);
    const first = parts[0] as RawWord;
    const last = parts[parts.length - 1] as RawWord;
    const span = this.span(first.start, last.end);
    if (prompt) {
      const input = redirects.find((r) => r.op === '<');
      const line = input === undefined ? undefined : this.writtenFiles.get(input.target.value.toLowerCase());
      if (line === undefined) {
        this.t.vars.delete(name);
        this.unknownValues.add(name);
        b.assignments.push({ name, shell: 'cmd', span });
        return;
      }
      this.unknownValues.delete(name);
      this.t.vars.set(name, line);
      b.assignments.push({ name, value: line, shell: 'cmd', span });
      return;
    }
    this.unknownValues.delete(name);
    this.t.vars.set(name, value);
    b.assignments.push({ name, value, shell: 'cmd', span });
  }
}

/** How many times one label is inlined by `call :label`. */
const MAX_LABEL_CALLS = 4;
/** How far a label's body is read (a subroutine, not a whole script). */
const MAX_LABEL_BODY = 8192;

/** Where a label's body ends: before the line that leaves it (`goto …`, `exit …`), at the end of the text, or at the limit. */
function labelBodyEnd(text: string, bodyStart: number): number {
  const limit = Math.min(text.length, bodyStart + MAX_LABEL_BODY);
  for (let lineStart = bodyStart; lineStart < limit;) {
    let i = lineStart;
    while (i < limit && (text[i] === ' ' || text[i] === '\t' || text[i] === '@')) i++;
    const head = text.slice(i, i + 5).toLowerCase();
    if (head.startsWith('goto') || head.startsWith('exit')) {
      const after = text.charCodeAt(i + 4);
      if (Number.isNaN(after) || after === 0x2f || isLabelEnd(after)) return lineStart;
    }
    const newline = text.indexOf('\n', lineStart);
    if (newline < 0 || newline >= limit) return limit;
    lineStart = newline + 1;
  }
  return limit;
}

/** `%1`…`%9`, `%*`, `%~1` at `at`: the argument's number (-1 for all, 0 for the script itself); null if not one. */
function batchParameterAt(text: string, at: number): { index: number; end: number; stripQuotes: boolean } | null {
  const stripQuotes = text[at + 1] === '~';
  const c = text.charCodeAt(at + (stripQuotes ? 2 : 1));
  if (c === 0x2a && !stripQuotes) return { index: -1, end: at + 2, stripQuotes };
  if (c >= 0x30 && c <= 0x39) return { index: c - 0x30, end: at + (stripQuotes ? 3 : 2), stripQuotes };
  return null;
}

/** A word that is only `%1`…`%9`, `%*` or `%~1`: the program is an argument of the script or subroutine. */
function isBatchParameter(value: string): boolean {
  if (value.length < 2 || value.length > 3 || value[0] !== '%') return false;
  const ref = batchParameterAt(value, 0);
  return ref !== null && ref.end === value.length && ref.index !== 0;
}

/** The line `echo` prints, when it is constant text (not `echo` alone, `echo on/off`, or an unresolved reference). */
function echoLine(words: readonly RawWord[]): string | undefined {
  if (words.length < 2) return undefined;
  const values = words.slice(1).map((w) => w.value);
  const first = (values[0] as string).toLowerCase();
  if (values.length === 1 && (first === 'on' || first === 'off')) return undefined;
  const line = values.join(' ');
  return line.includes('%') || line.includes('!') ? undefined : line;
}

/** Characters that end a label's name (and a `goto` / `exit` keyword). */
function isLabelEnd(c: number): boolean {
  return (
    c === 0x20 ||
    c === 0x09 ||
    c === 0x0d ||
    c === 0x0a ||
    c === 0x3a ||
    c === 0x2b ||
    c === 0x2c ||
    c === 0x3b ||
    c === 0x3d ||
    c === 0x26 ||
    c === 0x7c ||
    c === 0x3c ||
    c === 0x3e
  );
}

function stripIfCondition(words: RawWord[]): RawWord[] {
  let i = 1;
  const lower = (k: number) => (words[k]?.value ?? '').toLowerCase();
  if (lower(i) === '/i') i++;
  if (lower(i) === 'not') i++;
  const kw = lower(i);
  if (kw === 'exist' || kw === 'defined' || kw === 'errorlevel' || kw === 'cmdextversion') i += 2;
  else if (['equ', 'neq', 'lss', 'leq', 'gtr', 'geq'].includes(lower(i + 1))) i += 3;
  else if (lower(i).includes('==')) i += 1;
  else if (lower(i + 1) === '==' || lower(i + 1).startsWith('==')) i += lower(i + 1) === '==' ? 3 : 2;
  else i += 1;
  return words.slice(i);
}

// Character classes, local to this module: they run for every character.
function isAlnum(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

function isDelayedExpansion(w: RawWord): boolean {
  return w.value.toLowerCase() === 'enabledelayedexpansion';
}

/** The word being read (a class rather than closures: this runs for every word; one per lexer, reused). */
class CmdWordState {
  /** Where finished words go. */
  out: RawWord[] = [];
  wordStart = 0;
  /** The word's text so far (its pieces concatenated: no array per word). */
  value = '';
  /** Pieces appended so far, empty ones included. */
  pieces = 0;
  quoted = false;
  obfuscated = false;
  emptyQuotes = false;
  /** The last piece was a variable's value. */
  private afterExpansion = false;

  begin(start: number, out: RawWord[]): void {
    this.out = out;
    this.wordStart = start;
    this.clear();
  }

  append(piece: string): void {
    // A name spelt partly by a variable (`%a%%b%` after `set a=pow`, `set b=ershell`): letters on both sides of
    // where an expansion starts or ends. `%ProgramFiles%\App\x.exe` has a separator there and is not this.
    if (this.afterExpansion && piece.length > 0 && endsAlnum(this.value) && isAlnum(piece.charCodeAt(0))) this.obfuscated = true;
    this.afterExpansion = false;
    this.value += piece;
    this.pieces++;
  }

  /** Appends the value of a `%var%` expansion. */
  appendExpansion(value: string): void {
    if (value.length > 0 && endsAlnum(this.value) && isAlnum(value.charCodeAt(0))) this.obfuscated = true;
    this.value += value;
    this.pieces++;
    this.afterExpansion = value.length > 0;
  }

  flush(end: number): void {
    const value = this.value;
    if (value.length > 0 || this.quoted) {
      const obfuscated = this.obfuscated || (this.emptyQuotes && /^[a-z0-9._\\-]+$/i.test(value));
      this.out.push({ value, start: this.wordStart, end, quoted: this.quoted, obfuscated });
    }
    this.clear();
  }

  private clear(): void {
    this.value = '';
    this.pieces = 0;
    this.quoted = false;
    this.obfuscated = false;
    this.emptyQuotes = false;
    this.afterExpansion = false;
  }
}

function endsAlnum(text: string): boolean {
  return text.length > 0 && isAlnum(text.charCodeAt(text.length - 1));
}

/** How many times a character occurs in a short text. */
function countOf(text: string, ch: string): number {
  let n = 0;
  for (let i = text.indexOf(ch); i >= 0; i = text.indexOf(ch, i + 1)) n++;
  return n;
}

/**
 * A doskey macro's command line for a call: `$*` is every argument as typed, `$1`…`$9` one each, `$T` separates
 * commands, `$G`, `$L` and `$B` are `>`, `<` and `|`, `$$` is `$`.
 */
function expandMacro(macro: string, args: readonly RawWord[], text: string): string {
  const all = args.length > 0 ? text.slice((args[0] as RawWord).start, (args[args.length - 1] as RawWord).end) : '';
  let out = '';
  for (let i = 0; i < macro.length; i++) {
    const c = macro[i] as string;
    const next = (macro[i + 1] ?? '').toLowerCase();
    if (c !== '$' || next === '') {
      out += c;
      continue;
    }
    i++;
    if (next === '*') out += all;
    else if (next >= '1' && next <= '9') out += args[Number(next) - 1]?.value ?? '';
    else if (next === 't') out += ' & ';
    else if (next === 'g') out += '>';
    else if (next === 'l') out += '<';
    else if (next === 'b') out += '|';
    else if (next === '$') out += '$';
    else out += '$' + (macro[i] as string);
    if (out.length > 65536) break;
  }
  return out;
}

/** Nested `for … do (` blocks followed (deeper ones leave their variables as written): each binding is applied to every command inside. */
const MAX_FOR_BLOCKS = 8;

/** Binds a `for` variable in the words of its body (one command after `do`, or each command of a `do ( … )` block). */
type ForBinder = (body: readonly RawWord[]) => RawWord[];

/**
 * How the body of `for [/r root | /d] %x in (a b c) do BODY` reads: `%x` stands for the set's items joined by
 * commas, so that rules see every item (`for %s in (WinDefend Sense) do sc stop %s`); with `/r` the files
 * found have those names, somewhere under the root. Sets of lines (`/f`) bind as `forLineBinder` says;
 * numbers (`/l`) and sets of anything not written out leave the variable as it is (undefined).
 */
function forBinder(words: readonly RawWord[], doAt: number, vars: VariableTable): ForBinder | undefined {
  const inAt = words.findIndex((w, k) => k > 1 && k < doAt && w.value.toLowerCase() === 'in');
  if (inAt < 2 || inAt + 1 >= doAt) return undefined;
  const variable = (words[inAt - 1] as RawWord).value;
  if (!isForVariable(variable)) return undefined;
  for (let k = 1; k < inAt - 1; k++) {
    const option = (words[k] as RawWord).value.toLowerCase();
    if (option === '/f') return forLineBinder(words, inAt, doAt, vars);
    if (option === '/l') return undefined;
  }
  const items: string[] = [];
  for (let k = inAt + 1; k < doAt; k++) {
    for (const piece of (words[k] as RawWord).value.split(/[ ,;\t()]/)) if (piece.length > 0) items.push(piece);
  }
  if (items.length === 0 || items.some((item) => item.includes('%') || item.includes('!'))) return undefined;
  // The set is read as written: cmd removes its carets before looping (`(u^n^attend.xml)`).
  for (let k = 0; k < items.length; k++) if ((items[k] as string).includes('^')) items[k] = (items[k] as string).replace(/\^(.?)/g, '$1');
  const value = joinWithinLimit(items, ',');
  return (body) =>
    body.map((w) => {
      if (!w.value.includes(variable)) return w;
      const parts = w.value.split(variable);
      // Each use counts against the expansion budget: a body of a thousand `%x` does not multiply the list.
      return vars.spend((parts.length - 1) * value.length) ? { ...w, value: parts.join(value) } : w;
    });
}

/**
 * How the body of `for /f … %x in (SOURCE) do BODY` reads when SOURCE yields one known line (see
 * `forLineValue`). The value is split at blanks like the rest of the line (`do %x` of `echo mshta http://…`
 * runs mshta with an argument), and every word it lands in counts as obfuscated: it only hides a name.
 */
function forLineBinder(words: readonly RawWord[], inAt: number, doAt: number, vars: VariableTable): ForBinder | undefined {
  const variable = (words[inAt - 1] as RawWord).value;
  const line = forLineValue(words, inAt, doAt);
  if (line === undefined) return undefined;
  const { value, located } = line;
  return (body) => {
    const out: RawWord[] = [];
    for (const w of body) {
      if (!w.value.includes(variable)) {
        out.push(w);
        continue;
      }
      const parts = w.value.split(variable);
      if (!vars.spend((parts.length - 1) * value.length)) {
        out.push(w);
        continue;
      }
      const bound = parts.join(value);
      const pieces = w.quoted ? [bound] : bound.split(/[ \t]+/).filter((piece) => piece.length > 0);
      // A program found with `where` is that program, not a disguise.
      for (const piece of pieces) out.push({ ...w, value: piece, obfuscated: !located });
    }
    return out;
  };
}

/**
 * The value `%x` takes in `for /f ["options"] %x in (SOURCE)` when SOURCE is one constant line: the output of
 * `('echo TEXT')` or `('where PROGRAM')` (backquotes with usebackq) or a literal string (`("TEXT")`; `('TEXT')` with usebackq). It is the
 * line's first token, or the whole line with `tokens=*` or an empty `delims=`. Undefined whenever it is not known
 * exactly (a file, another command, expansions, options other than delims, eol, usebackq, skip=0, tokens=1 or all).
 */
function forLineValue(words: readonly RawWord[], inAt: number, doAt: number): { value: string; located: boolean } | undefined {
  if (doAt !== inAt + 2) return undefined;
  let options = '';
  for (let k = 1; k < inAt - 1; k++) {
    const value = (words[k] as RawWord).value;
    if (value.toLowerCase() === '/f') continue;
    if (options !== '') return undefined;
    options = value;
  }
  let delims = ' \t';
  let wholeLine = false;
  let usebackq = false;
  let eol = ';';
  const lowerOptions = options.toLowerCase();
  for (let i = 0; i < options.length;) {
    if (options[i] === ' ' || options[i] === '\t') {
      i++;
      continue;
    }
    if (lowerOptions.startsWith('delims=', i)) {
      // The delimiters run to the end: a blank can only be one of them when it comes last.
      delims = options.slice(i + 7);
      if (/[ \t]\S/.test(delims)) return undefined;
      break;
    }
    const blank = options.indexOf(' ', i);
    const end = blank < 0 ? options.length : blank;
    const option = lowerOptions.slice(i, end);
    if (option === 'usebackq') usebackq = true;
    else if (option === 'tokens=*') wholeLine = true;
    else if (option.startsWith('eol=') && option.length === 5) eol = options[i + 4] as string;
    else if (option !== 'tokens=1' && option !== 'skip=0') return undefined;
    i = end;
  }
  const set = (words[inAt + 1] as RawWord).value.trim();
  if (!set.startsWith('(') || !set.endsWith(')')) return undefined;
  const source = set.slice(1, -1).trim();
  const open = source[0];
  if (source.length < 2 || open !== source[source.length - 1]) return undefined;
  const inner = source.slice(1, -1);
  if (/[%!\n]/.test(inner)) return undefined;
  let line: string;
  let located = false;
  if (open === (usebackq ? '`' : "'")) {
    // A command: `echo TEXT` prints TEXT (after the one blank that ends `echo`); `where PROGRAM` prints the path of
    // PROGRAM, which runs as that program. Any other command's output is not known here.
    if (/[\^&|<>"]/.test(inner)) return undefined;
    const where = /^[ \t]*@?where(?:\.exe)?[ \t]+([A-Za-z0-9_.-]+)[ \t]*$/i.exec(inner);
    const m = /^[ \t]*@?echo[ \t]/i.exec(inner);
    if (where) {
      line = where[1] as string;
      located = true;
    } else if (m) line = inner.slice(m[0].length);
    else return undefined;
  } else if (open === (usebackq ? "'" : '"')) line = inner;
  else return undefined;
  if (located) return { value: line, located: true };
  if (line.startsWith(eol)) return undefined;
  if (delims === '') return line.length > 0 ? { value: line, located: false } : undefined;
  let start = 0;
  while (start < line.length && delims.includes(line[start] as string)) start++;
  if (wholeLine) return start < line.length ? { value: line.slice(start), located: false } : undefined;
  let end = start;
  while (end < line.length && !delims.includes(line[end] as string)) end++;
  return end > start ? { value: line.slice(start, end), located: false } : undefined;
}

/** `%i` (typed at the prompt) or `%%i` (in a batch file). */
/**
 * Whether the `\"` at `i` ends a quoted folder path (`"%APPDATA%\Word\STARTUP\"`): a name character before the
 * backslash and the end of the word after the quote (and, checked by the caller, no quote escaped earlier in the
 * word). A quote escaped inside a command line (`/TR "cmd /c start \"\" prog"`, `-c "… \"$d.zip\" $d"`) fails one.
 */
function closesFolder(text: string, i: number): boolean {
  const after = text[i + 2];
  const ends = after === undefined || ' \t\r\n&|)'.includes(after);
  return ends && i > 0 && /[\w.%$}-]/.test(text[i - 1] as string);
}

function isForVariable(word: string): boolean {
  const letter = word.charCodeAt(word.length - 1);
  const isLetter = (letter >= 0x41 && letter <= 0x5a) || (letter >= 0x61 && letter <= 0x7a);
  return isLetter && (word.length === 2 ? word[0] === '%' : word.length === 3 && word.startsWith('%%'));
}

/**
 * A word in lower case for comparing with cmd's keywords and built-ins (`if`, `rem`, `setlocal` …), or ''
 * when it is longer than any of them (lower-casing never shortens a string, so no keyword is missed).
 */
function keyword(value: string): string {
  return value.length <= 8 ? value.toLowerCase() : '';
}

/** cmd treats `,` `;` `=` between words like blanks (space, tab, CR). */
function isWordGap(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0d || c === 0x2c || c === 0x3b || c === 0x3d;
}

/** Characters `readWord` treats specially (word ends, escapes, quotes, expansions) stop a run of ordinary ones. */
function isPlainWordChar(c: number, inQuote: boolean): boolean {
  switch (c) {
    case 0x0a /* \n */:
    case 0x22 /* " */:
    case 0x25 /* % */:
    case 0x21 /* ! */:
    case 0x5c /* \\ */:
      return false;
    case 0x20:
    case 0x09:
    case 0x0d:
    case 0x26 /* & */:
    case 0x7c /* | */:
    case 0x3c /* < */:
    case 0x3e /* > */:
    case 0x29 /* ) */:
    case 0x5e /* ^ */:
      return inQuote;
    default:
      return true;
  }
}
