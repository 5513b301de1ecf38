/**
 * PowerShell lexer: statements, pipelines, commands and words, with deobfuscation folded in.
 *
 * One pass over the text with bounded recursion (groups deeper than LIMITS.maxNesting are read as
 * plain characters). Resolves backtick escapes, split quotes (`i''ex`), known variables, `&`/`.`
 * invocation of computed names (`&('i'+'ex')`, `&(gcm i*x)`), aliases set with `sal`, and, in
 * expression mode, string building (`+`, `-f`, `-join`, `[char]`, `[char[]]`, `-replace`).
 */
import { LIMITS, makeWord } from './builder';
import type { Word } from './document';
import { castValue, foldElements, type Element } from './fold';
import { indexWithin, type LexTarget } from './lex-target';
import { POWERSHELL_ALIASES, resolveCommandGlob, resolveCommandName } from './names';

interface BlockResult {
  commands: number[];
  text: string;
  constant?: string;
  list?: string[];
  obfuscated: boolean;
  built: boolean;
}

const OPERATORS = new Set(['-f', '-join', '-replace', '-creplace', '-ireplace', '-split', '-bxor', '+', ',', '=', '+=', '&', '.', '>']);

/** Backtick escapes PowerShell gives a meaning to; others just yield the character. */
function backtickEscape(ch: string): string {
  switch (ch) {
    case '0':
      return '\0';
    case 'a':
      return '\x07';
    case 'b':
      return '\b';
    case 'f':
      return '\f';
    case 'n':
      return '\n';
    case 'r':
      return '\r';
    case 't':
      return '\t';
    case 'v':
      return '\v';
    default:
      return ch;
  }
}

const MEANINGFUL_ESCAPES = '0abfnrtv';

/** The empty nested-command list shared by elements without nested commands; never pushed to. */
const NO_NESTED: number[] = [];

/** Longest group text copied into an enclosing word. */
const GROUP_TEXT_LIMIT = 1024;
/** Stands for a text longer than GROUP_TEXT_LIMIT (only its length matters to callers). */
const TRUNCATED_TEXT = '…'.repeat(GROUP_TEXT_LIMIT + 2);

export function lexPowerShell(t: LexTarget): void {
  new PowerShellLexer(t).run();
}

class PowerShellLexer {
  private pos = 0;
  private readonly n: number;
  private nesting = 0;
  private readonly aliases = new Map<string, string>();
  /** Variables whose constant value was built by string building (so invoking them is computed). */
  private readonly builtVariables = new Set<string>();

  constructor(private readonly t: LexTarget) {
    this.n = t.text.length;
  }

  run(): void {
    this.parseBlock(null, null);
  }

  private span(start: number, end: number) {
    return this.t.layer.toOriginal(start, end);
  }

  /** Statements until `close` (consumed) or the end. `statement` is inherited inside groups. */
  private parseBlock(close: string | null, statement: number | null, wantText = close !== null || statement !== null): BlockResult {
    const text = this.t.text;
    const commands: number[] = [];
    const texts: string[] = [];
    let textLength = 0;
    // The top-level block's commands and text are never used: don't gather them.
    const collect = close !== null || statement !== null;
    let single: { constant?: string; list?: string[]; built: boolean } | null = null;
    let statements = 0;
    let obfuscated = false;
    let built = false;
    const b = this.t.builder;
    while (this.pos < this.n) {
      if (b.commands.length >= b.maxCommands && b.overBudget(this.span(this.pos, this.pos))) {
        this.pos = this.n;
        break;
      }
      this.skipBlanks(true);
      if (this.pos >= this.n) break;
      const c = text[this.pos] as string;
      if (close !== null && c === close) {
        this.pos++;
        break;
      }
      if (c === ')' || c === '}') {
        if (close === null) {
          this.pos++;
          continue;
        }
        break; // belongs to an outer group
      }
      if (c === '\n' || c === ';') {
        this.pos++;
        continue;
      }
      if (c === '#') {
        this.skipLineComment();
        continue;
      }
      const stmt = statement ?? this.t.builder.newStatement();
      const r = this.parseStatement(close, stmt, wantText);
      statements++;
      if (collect) {
        for (const i of r.commands) commands.push(i);
        if (wantText && r.text && textLength <= GROUP_TEXT_LIMIT) {
          texts.push(r.text);
          textLength += r.text.length + 2;
        }
      }
      if (r.obfuscated) obfuscated = true;
      if (r.built) built = true;
      single = statements === 1 && r.single ? r.single : null;
      if (r.commands.length === 0 && !r.single && r.text === '' && this.pos < this.n) {
        // Nothing consumed: skip one character to guarantee progress.
        const ch = text[this.pos];
        if (ch !== undefined && ch !== close && ch !== ')' && ch !== '}') this.pos++;
      }
    }
    const result: BlockResult = { commands, text: boundedJoin(texts, '; '), obfuscated, built };
    if (statements === 1 && single) {
      if (single.constant !== undefined) result.constant = single.constant;
      if (single.list) result.list = single.list;
      if (single.built) result.built = true;
    }
    return result;
  }

  /** Skips spaces, line continuations and (when `newlines`) nothing else; comments handled by callers. */
  private skipBlanks(_newlines: boolean): void {
    const text = this.t.text;
    while (this.pos < this.n) {
      const c = text.charCodeAt(this.pos);
      if (isSpace(c)) this.pos++;
      else if (c === 0x60 /* ` */ && (text[this.pos + 1] === '\n' || text[this.pos + 1] === '\r')) this.pos += 2;
      else if (c === 0x3c /* < */ && text[this.pos + 1] === '#') this.skipBlockComment();
      else break;
    }
  }

  private skipLineComment(): void {
    const nl = this.t.text.indexOf('\n', this.pos);
    this.pos = nl < 0 ? this.n : nl;
  }

  private skipBlockComment(): void {
    const end = this.t.text.indexOf('#>', this.pos + 2);
    this.pos = end < 0 ? this.n : end + 2;
  }

  /** A statement: pipelines joined by `|`, `&&`, `||`. */
  private parseStatement(
    close: string | null,
    statement: number,
    wantText: boolean,
  ): {
    commands: number[];
    text: string;
    single?: { constant?: string; list?: string[]; built: boolean };
    obfuscated: boolean;
    built: boolean;
  } {
    const b = this.t.builder;
    const text = this.t.text;
    let pipeline = b.newPipeline();
    const commands: number[] = [];
    const texts: string[] = [];
    let single: { constant?: string; list?: string[]; built: boolean } | undefined;
    let count = 0;
    let obfuscated = false;
    let built = false;
    let assignTo: string | undefined;
    const pipelineStart = commands.length;
    for (;;) {
      if (b.commands.length >= b.maxCommands && b.overBudget(this.span(this.pos, this.pos))) {
        this.pos = this.n;
        break;
      }
      const r = this.parseCommand(close, pipeline, statement, assignTo, wantText);
      count++;
      for (const i of r.commands) commands.push(i);
      if (r.assignTo !== undefined) assignTo = r.assignTo;
      if (r.text) texts.push(r.text);
      if (r.obfuscated) obfuscated = true;
      if (r.built) built = true;
      single = count === 1 ? r.single : undefined;
      this.skipBlanks(false);
      const c = text[this.pos];
      if (c === '|' && text[this.pos + 1] !== '|') {
        this.pos++;
        // A pipe may be followed by a newline.
        while (this.pos < this.n && (isSpace(text.charCodeAt(this.pos)) || text[this.pos] === '\n')) this.pos++;
        texts.push('|');
        continue;
      }
      if ((c === '&' && text[this.pos + 1] === '&') || (c === '|' && text[this.pos + 1] === '|')) {
        this.pos += 2;
        texts.push(c === '&' ? '&&' : '||');
        pipeline = b.newPipeline();
        continue;
      }
      break;
    }
    if (assignTo !== undefined) {
      for (let k = pipelineStart; k < commands.length; k++) {
        const cmd = b.commands[commands[k] as number];
        if (cmd && cmd.pipeline === b.commands[commands[pipelineStart] as number]?.pipeline && cmd.assignTo === undefined)
          cmd.assignTo = assignTo;
      }
    }
    const result: {
      commands: number[];
      text: string;
      single?: { constant?: string; list?: string[]; built: boolean };
      obfuscated: boolean;
      built: boolean;
    } = {
      commands,
      text: wantText ? boundedJoin(texts, ' ') : texts.length > 0 ? UNUSED_TEXT : '',
      obfuscated,
      built,
    };
    if (single) result.single = single;
    return result;
  }

  private atCommandEnd(close: string | null): boolean {
    const text = this.t.text;
    if (this.pos >= this.n) return true;
    const c = text[this.pos] as string;
    if (c === '\n' || c === ';' || c === '|' || c === ')' || c === '}' || c === close) return true;
    if (c === '&' && text[this.pos + 1] === '&') return true;
    if (c === '#') return true;
    return false;
  }

  private parseCommand(
    close: string | null,
    pipeline: number,
    statement: number,
    inheritedAssign: string | undefined,
    wantText: boolean,
  ): {
    commands: number[];
    text: string;
    single?: { constant?: string; list?: string[]; built: boolean };
    assignTo?: string;
    obfuscated: boolean;
    built: boolean;
  } {
    const elements: Element[] = [];
    for (;;) {
      this.skipBlanks(false);
      if (this.atCommandEnd(close)) break;
      const before = this.pos;
      const el = this.parseElement(statement, elements.length === 0);
      if (el) elements.push(el);
      if (this.pos === before) this.pos++; // progress guarantee
    }
    const nestedAll: number[] = [];
    for (const el of elements) for (const c of el.nested) nestedAll.push(c);
    if (elements.length === 0) return { commands: nestedAll, text: '', obfuscated: false, built: false };

    const b = this.t.builder;
    let rest = elements;
    let assignTo: string | undefined;
    const first = elements[0] as Element;
    const second = elements[1];
    if (first.variable !== undefined && second && (second.op === '=' || second.op === '+=')) {
      assignTo = first.variable;
      rest = elements.slice(2);
    } else if (first.type && second?.variable !== undefined && elements[2]?.op === '=') {
      assignTo = second.variable;
      rest = elements.slice(3);
    }

    let words: Word[] = [];
    let name: string | undefined;
    let single: { constant?: string; list?: string[]; built: boolean } | undefined;
    let obfuscated = false;
    let built = false;
    let invocation: '&' | '.' | undefined;
    const head = rest[0];
    if (head && (head.op === '&' || head.op === '.') && rest.length >= 2) {
      const target = rest[1] as Element;
      invocation = head.op;
      const resolved = this.resolveInvocationTarget(target);
      name = resolved.name;
      if (resolved.computed) {
        b.note('computed_invocation', this.span(head.start, target.end), name || undefined);
        obfuscated = true;
      }
      words.push(
        makeWord(resolved.display, this.span(target.start, target.end), {
          quoted: target.quoted,
          obfuscated: target.obfuscated || resolved.computed,
          nested: target.nested,
        }),
      );
      for (let i = 2; i < rest.length; i++) words.push(this.toWord(rest[i] as Element));
    } else if (head && this.isCommandWord(head)) {
      const alias = this.aliases.get(head.text.toLowerCase());
      if (alias !== undefined) name = alias;
      if (head.obfuscated) {
        b.note('escape_obfuscation', this.span(head.start, head.end), head.text);
        obfuscated = true;
      }
      words = this.toWords(rest);
      this.trackDefinitions(name ?? resolveCommandName(head.text, 'powershell'), rest);
    } else if (rest.length > 0) {
      const folded = foldElements(rest);
      words = this.toWords(folded);
      name = '';
      for (const e of folded) {
        if (e.obfuscated) obfuscated = true;
        if (e.built) built = true;
      }
      if (folded.length === 1) {
        const only = folded[0] as Element;
        single = { built: only.built };
        if (only.constant !== undefined) single.constant = only.constant;
        if (only.list) single.list = only.list;
      }
    }

    if (assignTo !== undefined) this.recordAssignment(assignTo, first, rest, single, name === '' ? foldElements(rest, true) : undefined);

    const startEl = elements[0] as Element;
    const endEl = elements[elements.length - 1] as Element;
    const commands = nestedAll;
    if (words.length > 0) {
      const args: Parameters<typeof b.addCommand>[0] = {
        words,
        redirects: [],
        span: this.span(startEl.start, endEl.end),
        shell: 'powershell',
        depth: this.t.depth,
        pipeline,
        layer: this.t.layerIndex,
        statement,
      };
      if (name !== undefined) args.name = name;
      if (invocation !== undefined) args.invocation = invocation;
      const assign = assignTo ?? inheritedAssign;
      if (assign !== undefined) args.assignTo = assign;
      const idx = b.addCommand(args);
      b.setParent(nestedAll, idx);
      commands.push(idx);
    }
    const result: {
      commands: number[];
      text: string;
      single?: { constant?: string; list?: string[]; built: boolean };
      assignTo?: string;
      obfuscated: boolean;
      built: boolean;
    } = {
      commands,
      text: wantText ? wordsText(words) : words.length > 1 || (words.length === 1 && (words[0] as Word).value !== '') ? UNUSED_TEXT : '',
      obfuscated,
      built,
    };
    if (single) result.single = single;
    if (assignTo !== undefined) result.assignTo = assignTo;
    return result;
  }

  private recordAssignment(
    name: string,
    target: Element,
    rest: Element[],
    single: { constant?: string; built: boolean } | undefined,
    partial: Element[] | undefined,
  ): void {
    const b = this.t.builder;
    const last = rest[rest.length - 1] ?? target;
    const span = this.span(target.start, last.end);
    if (single?.constant !== undefined && rest.length > 0) {
      this.t.vars.set(name, single.constant);
      if (single.built) this.builtVariables.add(name);
      else this.builtVariables.delete(name);
      b.assignments.push({ name, value: single.constant, shell: 'powershell', span });
    } else {
      // A double-quoted path with unknown parts (`"$env:TEMP\x.exe"`) is kept as written: enough to follow the file.
      const only = rest.length === 1 ? rest[0] : partial?.length === 1 ? partial[0] : undefined;
      if (only && (only.quoted || partial?.length === 1) && only.nested.length === 0) this.t.vars.set(name, only.text);
      else this.t.vars.delete(name);
      this.builtVariables.delete(name);
      b.assignments.push({ name, pipeline: b.pipelines.length - 1, shell: 'powershell', span });
    }
  }

  /** `sal x iex`, `Set-Alias -Name x -Value iex`, `Set-Variable x 'v'`: remember for later lines. */
  private trackDefinitions(name: string, els: Element[]): void {
    if (name !== 'set-alias' && name !== 'new-alias' && name !== 'set-variable' && name !== 'new-variable') return;
    const positional: string[] = [];
    let aliasName: string | undefined;
    let value: string | undefined;
    for (let i = 1; i < els.length; i++) {
      const e = els[i] as Element;
      const v = e.constant ?? e.text;
      const lower = v.toLowerCase();
      if (!e.quoted && lower.startsWith('-')) {
        const next = els[i + 1];
        if (lower.startsWith('-n') && next) {
          aliasName = next.constant ?? next.text;
          i++;
        } else if (lower.startsWith('-v') && next) {
          value = next.constant ?? next.text;
          i++;
        }
        continue;
      }
      positional.push(v);
    }
    aliasName ??= positional.shift();
    value ??= positional.shift();
    if (aliasName === undefined || value === undefined) return;
    if (name === 'set-alias' || name === 'new-alias') this.aliases.set(aliasName.toLowerCase(), resolveCommandName(value, 'powershell'));
    else this.t.vars.set(aliasName.toLowerCase(), value);
  }

  private isCommandWord(e: Element): boolean {
    if (e.op !== undefined && e.op !== '&' && e.op !== '.') return false;
    if (e.variable !== undefined || e.type !== undefined) return false;
    const c = this.t.text[e.start];
    if (c === "'" || c === '"' || c === '$' || c === '(' || c === '@' || c === '[' || c === '{') return false;
    if (c !== undefined && c >= '0' && c <= '9' && /^[0-9.]+$/.test(e.text)) return false;
    return true;
  }

  /** Name behind `&`/`.` invocation; `computed` when it was built rather than written. */
  private resolveInvocationTarget(target: Element): { name: string; display: string; computed: boolean } {
    const b = this.t.builder;
    // `& (gcm i*x)` / `& (Get-Command *ke-e*)`: resolve the wildcard.
    for (const idx of target.nested) {
      const cmd = b.commands[idx];
      if (!cmd || (cmd.name !== 'get-command' && cmd.name !== 'get-alias')) continue;
      const pattern = cmd.words.slice(1).find((w) => !w.value.startsWith('-'))?.value;
      if (pattern === undefined) continue;
      const resolved = /[*?]/.test(pattern) ? resolveCommandGlob(pattern) : resolveCommandName(pattern, 'powershell');
      if (resolved) return { name: resolved, display: resolved, computed: true };
    }
    // `$ExecutionContext.InvokeCommand.GetCommand(...)`-style and `.InvokeCommand` lookups.
    const lower = target.text.toLowerCase();
    if (lower.includes('getcommand') || lower.includes('getcmdlet')) {
      const m = /getc(?:omman|mdle)[a-z]*\(([^)]{1,200})\)/.exec(lower);
      const pat = m?.[1]?.split(',')[0]?.replace(/['"\s]/g, '');
      if (pat) {
        const resolved = /[*?]/.test(pat) ? resolveCommandGlob(pat) : resolveCommandName(pat, 'powershell');
        if (resolved) return { name: resolved, display: resolved, computed: true };
      }
    }
    if (target.constant !== undefined) {
      const computed = target.built || (target.variable !== undefined && this.builtVariables.has(target.variable));
      const name = resolveCommandName(target.constant, 'powershell');
      return { name: this.aliases.get(name) ?? name, display: target.constant, computed };
    }
    return { name: '', display: target.text, computed: false };
  }

  private toWords(els: readonly Element[]): Word[] {
    const out: Word[] = new Array<Word>(els.length);
    for (let i = 0; i < els.length; i++) out[i] = this.toWord(els[i] as Element);
    return out;
  }

  private toWord(e: Element): Word {
    return makeWord(e.constant ?? e.text, this.span(e.start, e.end), { quoted: e.quoted, obfuscated: e.obfuscated, nested: e.nested });
  }

  // ---------------------------------------------------------------- elements

  private opElement(start: number, op: string, len: number): Element {
    this.pos = start + len;
    return { text: op, op, start, end: this.pos, quoted: false, obfuscated: false, built: false, nested: NO_NESTED };
  }

  /** Parses a `( … )`, `{ … }` or `@( … )` group at pos into the element being built. */
  private addGroup(s: ElementParts, statement: number, open: string, closeCh: string, ownStatements = false): void {
    if (this.nesting >= LIMITS.maxNesting) {
      s.parts.push(open);
      this.pos++;
      s.hasBare = true;
      s.lastKind = 'bare';
      return;
    }
    this.pos++;
    this.nesting++;
    // Braces are shown as `{…}` whatever they contain: their text is never built.
    const r = this.parseBlock(closeCh, ownStatements ? null : statement, open !== '{');
    this.nesting--;
    if (r.commands.length > 0) {
      if (s.nested === NO_NESTED) s.nested = [];
      for (const i of r.commands) s.nested.push(i);
    }
    // A group that folds to a built constant (`('i'+'ex')`) disguises its value; other groups keep their own flags.
    if (r.built && (r.constant !== undefined || r.list)) {
      s.built = true;
      s.obfuscated = true;
    }
    // `x(…)` after a name is a call: its arguments keep their parentheses. After `.` it computes a member name.
    const isCall = s.partCount > 0 && open === '(' && !endsWithDot(s.parts) && s.lastKind !== 'type';
    if (open === '(' && r.constant !== undefined && !isCall) {
      s.parts.push(r.constant);
      s.groupConstant = r.constant;
    } else if (open === '(' && r.constant !== undefined) {
      s.parts.push('(' + r.constant + ')');
      s.constant = false;
    } else if (open === '(' && r.list && isCall) {
      s.parts.push('(' + r.list.join(', ') + ')');
      s.constant = false;
    } else if (open === '(' && r.list) {
      s.parts.push(r.list.join(' '));
      s.groupList = r.list;
      s.constant = false;
    } else {
      // Script blocks and long groups stay as placeholders: their commands are separate commands,
      // and copying their text into every enclosing word would cost time with each nesting level.
      s.parts.push(open === '{' || r.text.length > GROUP_TEXT_LIMIT ? open + '…' + closeCh : open + r.text + closeCh);
      s.constant = false;
    }
    s.partCount++;
    s.lastKind = 'group';
  }

  /** One element; `commandPosition`: a bare command name ends at `(` or `{` (`iex(irm x)`, `%{…}`). */
  private parseElement(statement: number, commandPosition: boolean): Element | null {
    const text = this.t.text;
    const start = this.pos;
    const c = text[start] as string;
    if (c === ',') return this.opElement(start, ',', 1);
    if (c === '&') return this.opElement(start, '&', 1);
    if (c === '+') return text[start + 1] === '=' ? this.opElement(start, '+=', 2) : this.opElement(start, '+', 1);
    if (c === '=') return this.opElement(start, '=', text[start + 1] === '=' ? 2 : 1);
    if (c === '.' && (start + 1 >= this.n || isSpace(text.charCodeAt(start + 1)) || '($"\'{&'.includes(text[start + 1] as string)))
      return this.opElement(start, '.', 1);
    if (c === '>' || ((c === '2' || c === '*' || c === '1') && text[start + 1] === '>')) {
      let len = c === '>' ? 1 : 2;
      if (text[start + len] === '>') len++;
      if (text[start + len] === '&' && /[12]/.test(text[start + len + 1] ?? '')) len += 2;
      return this.opElement(start, '>', len);
    }

    const s = new ElementParts();
    while (this.pos < this.n) {
      const ch = text[this.pos] as string;
      const code = text.charCodeAt(this.pos);
      if (isSpace(code) || ch === '\n' || ch === ';' || ch === '|' || ch === ',' || ch === ')' || ch === '}' || ch === '&') break;
      // After an operand (string, s.variable, group, or a cast like `[char]105`), `+ = -op` start an operator.
      const afterOperand =
        s.lastKind === 'string' || s.lastKind === 'var' || s.lastKind === 'group' || (s.lastKind === 'bare' && s.type !== undefined);
      if (afterOperand && (ch === '+' || ch === '=' || (ch === '-' && /[a-z]/i.test(text[this.pos + 1] ?? '')))) break;
      if (s.lastKind === 'var' && (ch === '+' || ch === '=' || ch === '-')) break;
      if (ch === '`') {
        const nx = text[this.pos + 1];
        if (nx === undefined || nx === '\n' || nx === '\r') break;
        const esc = backtickEscape(nx);
        // A backtick inside a word (`i`e`x`) only hides it; one at a word boundary is markup or an escape.
        if (isAlnum(nx.charCodeAt(0)) && !MEANINGFUL_ESCAPES.includes(nx) && this.pos > start && isAlnum(text.charCodeAt(this.pos - 1)))
          s.obfuscated = true;
        s.parts.push(esc);
        s.partCount++;
        s.hasBare = true;
        s.lastKind = 'bare';
        this.pos += 2;
        continue;
      }
      if (ch === "'") {
        const sq = this.readSingleQuoted();
        s.parts.push(sq);
        if (sq.length === 0) s.emptyString = true;
        s.stringParts++;
        s.partCount++;
        s.quoted = true;
        s.lastKind = 'string';
        continue;
      }
      if (ch === '"') {
        const dq = this.readDoubleQuoted(statement, s);
        s.parts.push(dq.value);
        if (!dq.constant) s.constant = false;
        if (dq.obfuscated) s.obfuscated = true;
        if (dq.value.length === 0) s.emptyString = true;
        s.stringParts++;
        s.partCount++;
        s.quoted = true;
        s.lastKind = 'string';
        continue;
      }
      if (
        ch === '@' &&
        (text[this.pos + 1] === "'" || text[this.pos + 1] === '"') &&
        /^[ \t]*\r?\n/.test(text.slice(this.pos + 2, this.pos + 8))
      ) {
        const quote = text[this.pos + 1] as string;
        const bodyStart = text.indexOf('\n', this.pos) + 1;
        const endMark = text.indexOf('\n' + quote + '@', bodyStart - 1);
        const bodyEnd = endMark < 0 ? this.n : endMark;
        const body = text.slice(bodyStart, Math.max(bodyStart, bodyEnd)).replace(/\r$/, '');
        s.parts.push(body);
        if (quote === '"' && body.includes('$')) s.constant = false;
        this.pos = endMark < 0 ? this.n : endMark + 3;
        s.stringParts++;
        s.partCount++;
        s.quoted = true;
        s.lastKind = 'string';
        continue;
      }
      if (ch === '@' && (text[this.pos + 1] === '(' || text[this.pos + 1] === '{')) {
        this.pos++;
        this.addGroup(s, statement, text[this.pos] as string, text[this.pos] === '(' ? ')' : '}', text[this.pos] === '{');
        if (text[this.pos - 1] !== ')') s.constant = false;
        continue;
      }
      if (ch === '$') {
        const nx = text[this.pos + 1];
        if (nx === '(') {
          this.pos++;
          this.addGroup(s, statement, '(', ')');
          // A sub-expression's value is its output; s.constant only if it folded to one.
          continue;
        }
        const v = this.readVariable();
        if (v === null) {
          s.parts.push('$');
          this.pos++;
          s.hasBare = true;
          s.lastKind = 'bare';
          continue;
        }
        const known = this.t.vars.get(v);
        if (s.partCount === 0) s.variable = v;
        if (known !== undefined && this.builtVariables.has(v)) s.built = true;
        if (known !== undefined) s.parts.push(known);
        else {
          s.parts.push('$' + v);
          s.constant = false;
        }
        s.partCount++;
        s.lastKind = 'var';
        continue;
      }
      if (
        (ch === '(' || ch === '{') &&
        commandPosition &&
        s.lastKind === 'bare' &&
        !endsWithDot(s.parts) &&
        /^[a-z%?]/i.test(text[start] ?? '')
      )
        break;
      if (ch === '(') {
        this.addGroup(s, statement, '(', ')');
        continue;
      }
      if (ch === '{') {
        // Statements inside a script block are statements of their own.
        this.addGroup(s, statement, '{', '}', true);
        s.constant = false;
        continue;
      }
      if (ch === '[') {
        const tEnd = this.findBracketEnd(this.pos);
        const content = text.slice(this.pos, tEnd);
        if (s.partCount === 0) s.type = content.toLowerCase();
        s.parts.push(content);
        s.partCount++;
        s.constant = false;
        s.lastKind = 'type';
        this.pos = tEnd;
        continue;
      }
      // Bare run.
      const runStart = this.pos;
      while (this.pos < this.n) {
        const k = text.charCodeAt(this.pos);
        if (isSpace(k)) break;
        const kc = text[this.pos] as string;
        if ('\n;|,)}&`\'"$({['.includes(kc)) break;
        if ((kc === '+' || kc === '=') && ((s.lastKind !== null && s.lastKind !== 'bare') || s.type !== undefined)) break;
        this.pos++;
      }
      if (this.pos === runStart) {
        // '@' or other lone char
        s.parts.push(text[this.pos] ?? '');
        this.pos++;
      } else s.parts.push(text.slice(runStart, this.pos));
      s.partCount++;
      s.hasBare = true;
      s.lastKind = 'bare';
      // `-f'a'`, `-join(…)`: an operator written against its operand ends here.
      if (s.partCount === 1 && text[runStart] === '-' && OPERATORS.has((s.parts[0] as string).toLowerCase())) break;
    }

    const end = this.pos;
    let value = s.parts.join('');
    if (value.length > LIMITS.maxConstant) value = value.slice(0, LIMITS.maxConstant);
    const el: Element = { text: value, start, end, quoted: s.quoted, obfuscated: s.obfuscated, built: s.built, nested: s.nested };
    // Quotes splitting a word (`i''ex`, `"In"voke`) only serve to hide it.
    if (s.hasBare && s.stringParts > 0 && (s.emptyString || /^[a-z0-9_-]+$/i.test(value))) {
      el.obfuscated = true;
    } else if (!s.hasBare && s.stringParts > 1 && s.partCount === s.stringParts) {
      el.obfuscated = true;
    }
    if (s.variable !== undefined && s.partCount === 1) el.variable = s.variable;
    if (s.type !== undefined && s.partCount === 1) el.type = s.type;
    if (s.type !== undefined && s.partCount === 2) {
      // `[char]105`, `[char[]](105,101)`, `[string]'x'` written without a space.
      const operandText = value.slice(s.parts[0]?.length ?? 0);
      const operand: Element = { text: operandText, start, end, quoted: s.quoted, obfuscated: false, built: false, nested: NO_NESTED };
      if (s.groupList) operand.list = s.groupList;
      else if (s.groupConstant !== undefined || constantOperand(s.parts[1])) operand.constant = s.groupConstant ?? operandText;
      const cast = castValue(s.type, operand);
      if (cast) {
        el.constant = cast.text;
        el.text = cast.text;
        if (cast.list) el.list = cast.list;
        el.built = true;
        el.obfuscated = true;
        return el;
      }
    }
    if (s.constant && s.partCount > 0 && s.type === undefined) el.constant = value;
    if (s.groupList && s.partCount === 1) el.list = s.groupList;
    if (!s.quoted && s.partCount === 1 && s.hasBare) {
      const lower = value.toLowerCase();
      if (OPERATORS.has(lower)) el.op = lower;
    }
    if (s.groupConstant !== undefined && s.partCount === 1) el.built = el.built || s.built;
    return el;
  }

  private readSingleQuoted(): string {
    const text = this.t.text;
    let out = '';
    let i = this.pos + 1;
    for (;;) {
      const q = text.indexOf("'", i);
      if (q < 0) {
        out += text.slice(i);
        this.pos = this.n;
        return out;
      }
      out += text.slice(i, q);
      if (text[q + 1] === "'") {
        out += "'";
        i = q + 2;
        continue;
      }
      this.pos = q + 1;
      return out;
    }
  }

  private readDoubleQuoted(statement: number, s: ElementParts): { value: string; constant: boolean; obfuscated: boolean } {
    const text = this.t.text;
    const chunks: string[] = [];
    let constant = true;
    let obfuscated = false;
    let i = this.pos + 1;
    let runStart = i;
    while (i < this.n) {
      const ch = text[i] as string;
      if (ch === '"') {
        if (text[i + 1] === '"') {
          chunks.push(text.slice(runStart, i), '"');
          i += 2;
          runStart = i;
          continue;
        }
        break;
      }
      if (ch === '`' && i + 1 < this.n) {
        const nx = text[i + 1] as string;
        chunks.push(text.slice(runStart, i), backtickEscape(nx));
        if (isAlnum(nx.charCodeAt(0)) && !MEANINGFUL_ESCAPES.includes(nx)) obfuscated = true;
        i += 2;
        runStart = i;
        continue;
      }
      if (ch === '$') {
        const nx = text[i + 1];
        if (nx === '(' && this.nesting < LIMITS.maxNesting) {
          chunks.push(text.slice(runStart, i));
          this.pos = i + 2;
          this.nesting++;
          const r = this.parseBlock(')', statement);
          this.nesting--;
          if (r.commands.length > 0 && s.nested === NO_NESTED) s.nested = [];
          for (const c of r.commands) s.nested.push(c);
          if (r.constant !== undefined) chunks.push(r.constant);
          else {
            chunks.push(r.text.length > GROUP_TEXT_LIMIT ? '$(…)' : '$(' + r.text + ')');
            constant = false;
          }
          i = this.pos;
          runStart = i;
          continue;
        }
        if (nx !== undefined && (isIdentChar(nx.charCodeAt(0)) || nx === '{')) {
          chunks.push(text.slice(runStart, i));
          this.pos = i;
          const v = this.readVariable();
          if (v !== null) {
            const known = this.t.vars.get(v);
            if (known !== undefined) chunks.push(known);
            else {
              chunks.push(text.slice(i, this.pos));
              constant = false;
            }
            i = this.pos;
            runStart = i;
            continue;
          }
        }
      }
      i++;
    }
    chunks.push(text.slice(runStart, Math.min(i, this.n)));
    this.pos = Math.min(i + 1, this.n);
    return { value: chunks.join(''), constant, obfuscated };
  }

  /** Reads `$name`, `$scope:name`, `${any name}`; returns the lower-case name, pos after it. */
  private readVariable(): string | null {
    const text = this.t.text;
    let i = this.pos + 1;
    if (text[i] === '{') {
      const close = indexWithin(text, '}', i + 1, 4096, '$\n{');
      if (close < 0) return null;
      this.pos = close + 1;
      return text
        .slice(i + 1, close)
        .replace(/`/g, '')
        .toLowerCase();
    }
    const first = text.charCodeAt(i);
    if (text[i] === '_' || text[i] === '$' || text[i] === '?' || text[i] === '^') {
      if (!(text[i] === '_' && isIdentChar(text.charCodeAt(i + 1)))) {
        this.pos = i + 1;
        return text[i] as string;
      }
    }
    if (!isIdentChar(first)) return null;
    const start = i;
    while (i < this.n) {
      const k = text.charCodeAt(i);
      if (isIdentChar(k) || k === 0x3f /* ? */) i++;
      else if (k === 0x3a /* : */ && isIdentChar(text.charCodeAt(i + 1)) && text[i + 1] !== ':') i++;
      else break;
    }
    this.pos = i;
    return text.slice(start, i).toLowerCase();
  }

  /** End (exclusive) of a `[...]` type literal or index, skipping nested brackets and quotes. */
  private findBracketEnd(start: number): number {
    const text = this.t.text;
    let depth = 0;
    let i = start;
    const limit = Math.min(this.n, start + 4096);
    while (i < limit) {
      const ch = text[i];
      if (ch === '[') depth++;
      else if (ch === ']') {
        depth--;
        if (depth === 0) return i + 1;
      } else if (ch === '\n' || ch === ';') return i;
      else if (ch === "'" || ch === '"') {
        let q = i + 1;
        while (q < limit && text[q] !== ch) q++;
        if (q >= limit) return i + 1;
        i = q;
      }
      i++;
    }
    return i > start ? i : start + 1;
  }
}

/**
 * Stands for a statement's or command's display text where nobody reads it (top level, script
 * blocks): only whether it is empty matters there, so the text itself is not built.
 */
const UNUSED_TEXT = '\u2026';

/** Joins display texts, but only as far as a group's text is ever shown (see GROUP_TEXT_LIMIT). */
function boundedJoin(texts: readonly string[], sep: string): string {
  let total = 0;
  for (const t of texts) {
    total += t.length + sep.length;
    if (total > GROUP_TEXT_LIMIT + 1) return TRUNCATED_TEXT;
  }
  return texts.join(sep);
}

function wordsText(words: readonly Word[]): string {
  let total = 0;
  for (const w of words) {
    total += w.value.length + 1;
    if (total > GROUP_TEXT_LIMIT + 1) return TRUNCATED_TEXT;
  }
  let out = '';
  for (let i = 0; i < words.length; i++) out += (i > 0 ? ' ' : '') + (words[i] as Word).value;
  return out;
}

/** What is known about the element being read (a class, not closures: this runs for every element). */
class ElementParts {
  parts: string[] = [];
  constant = true;
  quoted = false;
  obfuscated = false;
  built = false;
  hasBare = false;
  stringParts = 0;
  emptyString = false;
  variable: string | undefined = undefined;
  partCount = 0;
  type: string | undefined = undefined;
  groupList: string[] | undefined = undefined;
  groupConstant: string | undefined = undefined;
  lastKind: 'bare' | 'string' | 'var' | 'group' | 'type' | null = null;
  /** Shared empty list until something is nested (most elements have nothing nested). */
  nested: number[] = NO_NESTED;
}

function endsWithDot(parts: readonly string[]): boolean {
  const last = parts[parts.length - 1];
  return last !== undefined && last.endsWith('.');
}

function constantOperand(part: string | undefined): boolean {
  return part !== undefined && /^(0x[0-9a-f]+|[0-9]+)$/i.test(part);
}

export { POWERSHELL_ALIASES };

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
