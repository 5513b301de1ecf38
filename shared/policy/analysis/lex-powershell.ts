/**
 * PowerShell lexer: statements, pipelines, commands and words, with deobfuscation folded in.
 *
 * One pass over the text with bounded recursion (groups deeper than LIMITS.maxNesting are read as
 * plain characters). Resolves backtick escapes, split quotes (`i''ex`), known variables, `&`/`.`
 * invocation of computed names (`&('i'+'ex')`, `&(gcm i*x)`), aliases set with `sal`, and, in
 * expression mode, string building (`+`, `-f`, `-join`, `[char]`, `[char[]]`, `-replace`).
 */
import { LIMITS, makeWord, wordOf, type WordImpl } from './builder';
import type { SimpleCommand, Word } from './document';
import { castValue, charCodePipeline, foldElements, indexChars, type Element } from './fold';
import { WINDOWS_ENVIRONMENT } from './lex-cmd';
import { PieceTextBuilder, prefixedSliceLayer } from './layer';
import { indexWithin, type LexTarget } from './lex-target';
import { ownValue, POWERSHELL_ALIASES, resolveCommandGlob, resolveCommandName } from './names';
import {
  bindArguments,
  blockParameters,
  bracketEnd,
  declaredParameters,
  functionName,
  singleQuoted,
  type CallArgument,
  type DeclaredParameter,
  type PowerShellFunction,
} from './powershell-functions';

/** The value of a statement or expression that is a single constant or list. */
interface Single {
  constant?: string;
  list?: string[];
  built: boolean;
}

/** What the last command or statement parsed yields besides its commands (one reused instance each). */
class Outcome {
  text = '';
  single: Single | undefined = undefined;
  assignTo: string | undefined = undefined;
  obfuscated = false;
  built = false;
  /** Outputs nothing (an assignment, `[array]::Reverse(…)`): a sub-expression's value is that of its other statements. */
  silent = false;

  set(text: string, single: Single | undefined, assignTo: string | undefined, obfuscated: boolean, built: boolean): void {
    this.text = text;
    this.single = single;
    this.assignTo = assignTo;
    this.obfuscated = obfuscated;
    this.built = built;
    this.silent = false;
  }
}

interface BlockResult {
  commands: number[];
  text: string;
  constant?: string;
  list?: string[];
  obfuscated: boolean;
  built: boolean;
}

/** `$alias:x`: the name an alias definition is carried under between lines of a session. */
const ALIAS_PREFIX = 'alias:';

const OPERATORS = new Set(['-f', '-join', '-replace', '-creplace', '-ireplace', '-split', '-bxor', '+', ',', '=', '+=', '&', '.', '>']);
/** Longest entry of OPERATORS. */
const OPERATOR_LENGTH = 9;

/**
 * The operator a bare word is (lower case), if any. Cheap for ordinary words: operators start with
 * ASCII punctuation, which only lower-cases from itself, and lower-casing never shortens a string.
 */
function operatorOf(word: string): string | undefined {
  if (word.length === 0 || word.length > OPERATOR_LENGTH) return undefined;
  const c = word.charCodeAt(0);
  if (c !== 0x2d && c !== 0x2b && c !== 0x2c && c !== 0x3d && c !== 0x26 && c !== 0x2e && c !== 0x3e) return undefined; // - + , = & . >
  const lower = word.toLowerCase();
  return OPERATORS.has(lower) ? lower : undefined;
}

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
/** A `Key = value` entry of a hashtable (kept for splatting, read for WMI method arguments). */
export interface HashtableEntry {
  key: Word;
  value: Word;
}
/**
 * The entry a hashtable line holds: `Key = value`, or written without blanks (`Key=value`, `Key= value`, `Key =value`),
 * which reads as fewer words; undefined for anything else.
 */
export function hashtableEntry(words: readonly Word[]): HashtableEntry | undefined {
  const [first, second, third] = words as [Word | undefined, Word | undefined, Word | undefined];
  if (first === undefined) return undefined;
  if (words.length === 3 && second?.value === '=' && third) return { key: first, value: third };
  // `Key=@('a','b')` reads as `Key=@` and the array: the key is all before the `=`.
  const assigned = first.value.endsWith('=@') ? first.value.length - 2 : first.value.endsWith('=') ? first.value.length - 1 : 0;
  if (words.length === 2 && second && assigned > 0 && !first.quoted)
    return { key: wordOf(first.value.slice(0, assigned), first.span, false, false, undefined), value: second };
  if (words.length === 2 && second && second.value.length > 1 && second.value.startsWith('=') && !first.quoted)
    return {
      key: first,
      value: wordOf(second.value.slice(1), second.span, second.quoted === true, second.obfuscated === true, second.nested),
    };
  const eq = words.length === 1 ? first.value.indexOf('=') : -1;
  // `Key=value` is one word: the key is what precedes the first `=` (a key has none), the value all that follows.
  if (eq <= 0 || eq === first.value.length - 1 || !/^[A-Za-z_][\w-]*$/.test(first.value.slice(0, eq))) return undefined;
  return {
    key: wordOf(first.value.slice(0, eq), first.span, false, false, undefined),
    value: wordOf(first.value.slice(eq + 1), first.span, first.quoted === true, first.obfuscated === true, first.nested),
  };
}

/** Most entries a splatted hashtable contributes (a parameter set, not a data table). */
const MAX_SPLAT_ENTRIES = 32;

/** Characters a splat adds to the text, counted against the expansion budget. */
function splatSize(entries: readonly HashtableEntry[]): number {
  let size = 0;
  for (const { key, value } of entries) size += key.value.length + value.value.length + 2;
  return size;
}

/** Values of automatic variables on a stock Windows PowerShell, for indexing into them (`$ShellId[1]`). */
const AUTOMATIC_VARIABLES: Readonly<Record<string, string>> = {
  shellid: 'Microsoft.PowerShell',
  pshome: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0',
};

/** The usual value of an environment or automatic variable (lower-case name), for indexing into it. */
function defaultValue(name: string): string | undefined {
  if (name.startsWith('env:')) return ownValue(WINDOWS_ENVIRONMENT, name.slice(4));
  return ownValue(AUTOMATIC_VARIABLES, name);
}

/** Stands for a text longer than GROUP_TEXT_LIMIT (only its length matters to callers). */
const TRUNCATED_TEXT = '…'.repeat(GROUP_TEXT_LIMIT + 2);

/** Cmdlets that run a script block with `-ArgumentList` items bound to its `param()` (see bindScriptBlockArguments). */
const SCRIPT_BLOCK_RUNNERS: ReadonlySet<string> = new Set(['start-job', 'start-threadjob', 'invoke-command']);
/** Calls of one function read again with different arguments; calls of all functions; arguments read per call. */
const MAX_BINDINGS_PER_FUNCTION = 8;
const MAX_BOUND_LAYERS = 64;
const MAX_CALL_ARGUMENTS = 64;
/**
 * Bodies read again for calls may add up to half the text's own size, plus this: a script that calls its functions
 * many times cannot multiply the work (calls past the allowance are read as written, with parameters unknown).
 */
const BOUND_CHARS_ALLOWANCE = 16 * 1024;

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
  /** Variables last assigned one string (not a list), so that indexing them selects characters. */
  private readonly stringVariables = new Set<string>();
  /** Hashtables assigned to variables (`$params = @{ Uri = …; OutFile = … }`), for splatting with `@params`. */
  private readonly splats = new Map<string, readonly HashtableEntry[]>();
  /** Inside a `param(…)` block's declarations (nested: a default may hold a script block with its own param). */
  private declaringParameters = 0;
  /** JSON object texts held by variables, parsed (see memberValue). */
  private readonly parsedJson = new Map<string, { raw: string; value: unknown }>();
  /** One reusable ElementParts per nesting level (an element's groups are read one level deeper). */
  private readonly partsByNesting: ElementParts[] = [];
  /** One reusable element list per nesting level, for the command being read at that level. */
  private readonly elementsByNesting: Element[][] = [];
  /**
   * Indices of the commands found and not yet handed to an enclosing group: each statement, block
   * and group takes its own tail (one shared stack instead of an array per command and statement).
   */
  private readonly found: number[] = [];
  private readonly commandOutcome = new Outcome();
  private readonly statementOutcome = new Outcome();

  constructor(private readonly t: LexTarget) {
    this.n = t.text.length;
    // Aliases set by earlier lines of the session (carried as `$alias:x` variables).
    if (t.vars.size > 0) for (const [alias, target] of t.vars.withPrefix(ALIAS_PREFIX)) this.aliases.set(alias, target);
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
    const found = this.found;
    const mark = found.length;
    let texts: string[] | null = null;
    let textLength = 0;
    // The top-level block's commands and text are never used: don't gather them.
    const collect = close !== null || statement !== null;
    const outcome = this.statementOutcome;
    let single: Single | null = null;
    let statements = 0;
    /** Statements that output something, and the value of the first statement when it is silent. */
    let yielding = 0;
    let silentSingle: Single | null = null;
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
      const before = found.length;
      this.parseStatement(close, stmt, wantText);
      statements++;
      const foundAny = found.length > before;
      if (collect) {
        if (wantText && outcome.text && textLength <= GROUP_TEXT_LIMIT) {
          (texts ??= []).push(outcome.text);
          textLength += outcome.text.length + 2;
        }
      } else found.length = mark;
      if (outcome.obfuscated) obfuscated = true;
      if (outcome.built) built = true;
      if (!outcome.silent) single = ++yielding === 1 && outcome.single ? outcome.single : null;
      else if (statements === 1) silentSingle = outcome.single ?? null;
      if (!foundAny && !outcome.single && outcome.text === '' && this.pos < this.n) {
        // Nothing consumed: skip one character to guarantee progress.
        const ch = text[this.pos];
        if (ch !== undefined && ch !== close && ch !== ')' && ch !== '}') this.pos++;
      }
    }
    const commands = found.length > mark ? found.slice(mark) : NO_NESTED;
    found.length = mark;
    const result: BlockResult = { commands, text: texts === null ? '' : boundedJoin(texts, '; '), obfuscated, built };
    // `$($c = 'x'.ToCharArray(); [array]::Reverse($c); -join $c)`: the value of the one statement with output.
    // A lone assignment keeps its value, as in `& ($n = 'iex')`.
    if (yielding === 0 && statements === 1) single = silentSingle;
    else if (yielding !== 1) single = null;
    if (single) {
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

  /**
   * A statement: pipelines joined by `|`, `&&`, `||`. Its commands are left on `found`; the rest of
   * what it yields is in `statementOutcome` (read before the next statement is parsed).
   */
  private parseStatement(close: string | null, statement: number, wantText: boolean): void {
    const b = this.t.builder;
    const text = this.t.text;
    const found = this.found;
    const first = found.length;
    const command = this.commandOutcome;
    let pipeline = b.newPipeline();
    // Display texts are only joined when wanted; otherwise only whether there is any matters.
    let texts: string[] | null = null;
    let anyText = false;
    let single: Single | undefined;
    let count = 0;
    let obfuscated = false;
    let built = false;
    let assignTo: string | undefined;
    let pipelineInput: string | undefined;
    for (;;) {
      if (b.commands.length >= b.maxCommands && b.overBudget(this.span(this.pos, this.pos))) {
        this.pos = this.n;
        break;
      }
      this.parseCommand(close, pipeline, statement, assignTo, wantText, pipelineInput);
      count++;
      if (command.assignTo !== undefined) assignTo = command.assignTo;
      if (command.text) {
        anyText = true;
        if (wantText) (texts ??= []).push(command.text);
      }
      if (command.obfuscated) obfuscated = true;
      if (command.built) built = true;
      single = count === 1 ? command.single : undefined;
      this.skipBlanks(false);
      const c = text[this.pos];
      pipelineInput = undefined;
      if (c === '|' && text[this.pos + 1] !== '|') {
        // What a constant value or list piped on becomes: `$_` of a ForEach-Object block.
        const piped = command.single;
        if (piped?.list) pipelineInput = boundedJoin(piped.list, ',');
        else if (piped?.constant !== undefined) pipelineInput = piped.constant;
        else if (found.length > first) pipelineInput = selectedNames(b.commands, found[found.length - 1] as number, pipeline);
        this.pos++;
        // A pipe may be followed by a newline.
        while (this.pos < this.n && (isSpace(text.charCodeAt(this.pos)) || text[this.pos] === '\n')) this.pos++;
        anyText = true;
        if (wantText) (texts ??= []).push('|');
        continue;
      }
      if ((c === '&' && text[this.pos + 1] === '&') || (c === '|' && text[this.pos + 1] === '|')) {
        this.pos += 2;
        anyText = true;
        if (wantText) (texts ??= []).push(c === '&' ? '&&' : '||');
        pipeline = b.newPipeline();
        continue;
      }
      break;
    }
    if (assignTo !== undefined && found.length > first) {
      const firstPipeline = b.commands[found[first] as number]?.pipeline;
      for (let k = first; k < found.length; k++) {
        const cmd = b.commands[found[k] as number];
        if (cmd && cmd.pipeline === firstPipeline && cmd.assignTo === undefined) cmd.assignTo = assignTo;
      }
    }
    const joined = wantText ? (texts === null ? '' : boundedJoin(texts, ' ')) : anyText ? UNUSED_TEXT : '';
    this.statementOutcome.set(joined, single, undefined, obfuscated, built);
    this.statementOutcome.silent = count === 1 && command.silent;
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

  /**
   * One command. Pushes onto `found` the commands nested in its elements, then its own; the rest of
   * what it yields is in `commandOutcome` (read before the next command is parsed).
   */
  private parseCommand(
    close: string | null,
    pipeline: number,
    statement: number,
    inheritedAssign: string | undefined,
    wantText: boolean,
    pipelineInput?: string,
  ): void {
    const elements = this.elementBuffer();
    /** `$_` as it was before a ForEach-Object block bound it (restored after the command). */
    let outerItem: string | undefined | null = null;
    let count = 0;
    /** Whether every element so far is an attribute (`[CmdletBinding()]`): the next one stands where a command name does. */
    let attributesOnly = true;
    /** Where `param` stands, after nothing but attributes; -1 if not. */
    let paramAt = -1;
    let declaring = false;
    for (;;) {
      this.skipBlanks(false);
      if (this.atCommandEnd(close)) break;
      const before = this.pos;
      const el = this.parseElement(statement, attributesOnly);
      if (el) {
        elements[count++] = el;
        if (count === 1 && pipelineInput !== undefined && isForEachObject(el)) outerItem = this.bindPipelineItem(pipelineInput);
        else if (count === 2 && this.t.text[el.start] === '(' && isForeachKeyword(elements[0] as Element)) this.bindLoopVariable(el);
        if (paramAt < 0 && attributesOnly && isParamKeyword(el)) {
          paramAt = count - 1;
          // The declarations come next: their defaults must not replace what the script already set.
          this.declaringParameters++;
          declaring = true;
        }
        // `param(…)` declares parameters: what follows on its line (`{ param($u) iex (irm $u) }`) is the next statement.
        else if (paramAt >= 0 && paramAt === count - 2 && this.t.text[el.start] === '(') {
          this.bindParameterDefaults(el);
          break;
        }
        if (el.type === undefined) attributesOnly = false;
      }
      if (this.pos === before) this.pos++; // progress guarantee
    }
    if (declaring) this.declaringParameters--;
    if (outerItem !== null) this.restorePipelineItem(outerItem);
    // Drops a longer previous command's tail. Never to 0: V8 frees an emptied array's storage, and it is reused.
    if (count > 0 && elements.length > count) elements.length = count;
    const outcome = this.commandOutcome;
    if (count === 0) {
      outcome.set('', undefined, undefined, false, false);
      return;
    }

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
    let single: Single | undefined;
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
      this.toWordsSplatting(rest, 2, words);
    } else if (head && this.isCommandWord(head)) {
      // Resolved here, once: words[0].value is head.text (an unfolded element's constant, when set, equals its text).
      name = (this.aliases.size > 0 ? this.aliases.get(head.text.toLowerCase()) : undefined) ?? resolveCommandName(head.text, 'powershell');
      if (head.obfuscated) {
        b.note('escape_obfuscation', this.span(head.start, head.end), head.text);
        obfuscated = true;
      }
      words = this.toWords(rest);
      // `$c = [char[]](71,101,116) -join ''` … `iex $c`: text built at run time is as hidden in a variable as inline.
      if (name === 'invoke-expression' && words.length === rest.length) {
        for (let k = 1; k < rest.length; k++) if ((rest[k] as Element).built) (words[k] as WordImpl).obfuscated = true;
      }
      this.trackDefinitions(name, rest);
      if (name === 'join-path') {
        const joined = joinPathValue(words);
        if (joined !== undefined) single = { built: false, constant: joined };
      }
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
    if (name === 'function' || name === 'filter') this.defineFunction(rest);
    else if (name !== undefined && name !== '' && invocation === undefined) {
      if (b.powershellFunctions !== null) this.bindCall(name, rest);
      if (SCRIPT_BLOCK_RUNNERS.has(name)) this.bindScriptBlockArguments(rest);
    }

    const startEl = elements[0] as Element;
    const endEl = elements[elements.length - 1] as Element;
    const found = this.found;
    for (let e = 0; e < count; e++) pushAll(found, (elements[e] as Element).nested);
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
      for (let e = 0; e < count; e++) {
        const nested = (elements[e] as Element).nested;
        if (nested.length > 0) b.setParent(nested, idx);
      }
      found.push(idx);
    }
    const text = wantText
      ? wordsText(words)
      : words.length > 1 || (words.length === 1 && (words[0] as Word).value !== '')
        ? UNUSED_TEXT
        : '';
    outcome.set(text, single, assignTo, obfuscated, built);
    outcome.silent = assignTo !== undefined || (rest.length === 1 && isVoidCall(rest[0] as Element));
  }

  /**
   * `foreach ($s in $services) { Stop-Service $s }`: in the body the loop variable stands for the items, all at
   * once (comma-separated, as a cmdlet given the whole list would read them), so that rules see every one.
   * Items not known as constants (`$x`, `(Get-X)`, or an item like `MSSQL$SQLEXPRESS` that cannot be told from one)
   * are left out; with none known the variable is unknown.
   */
  private bindLoopVariable(header: Element): void {
    const text = this.t.text;
    let i = header.start + 1;
    while (i < header.end && isSpace(text.charCodeAt(i))) i++;
    if (text[i] !== '$') return;
    const nameStart = ++i;
    while (i < header.end && (isIdentChar(text.charCodeAt(i)) || text[i] === ':')) i++;
    const name = text.slice(nameStart, i).toLowerCase();
    if (name.length === 0) return;
    const b = this.t.builder;
    const loop = header.nested.map((k) => b.commands[k]).find((c) => c !== undefined && c.words[1]?.lower === 'in');
    // A list variable expanded in the header is one comma-joined word: its items are split again.
    const items = loop ? loop.words.slice(2).flatMap((w) => (w.value === ',' ? [] : w.value.split(','))) : [];
    this.builtVariables.delete(name);
    this.stringVariables.delete(name);
    const known = items.filter(isKnownItem);
    const value = known.length > 0 ? boundedJoin(known, ',') : TRUNCATED_TEXT;
    if (value !== TRUNCATED_TEXT) this.t.vars.set(name, value);
    else this.t.vars.delete(name);
  }

  /**
   * `param([string]$Bin = 'C:\\x\\tool.exe', $Port = 443)`: a script run without arguments (as an RMM runs it) or a
   * function called without them uses the defaults, so each parameter not already set stands for its constant default.
   */
  private bindParameterDefaults(declarations: Element): void {
    const b = this.t.builder;
    for (const k of declarations.nested) {
      const words = b.commands[k]?.words;
      if (words === undefined) continue;
      for (let i = 0; i + 2 < words.length; i++) {
        const name = parameterName((words[i] as Word).lower);
        if (name === undefined || (words[i + 1] as Word).value !== '=') continue;
        const value = (words[i + 2] as Word).value;
        // A variable already set keeps its value: a function's parameter default does not hide what the script assigned.
        if (!isKnownItem(value) || value === ',' || this.t.vars.get(name) !== undefined) continue;
        this.builtVariables.delete(name);
        this.stringVariables.delete(name);
        this.t.vars.set(name, value);
      }
    }
  }

  /** Binds `$_` (and `$PSItem`) to what is piped into a ForEach-Object block; returns the value `$_` had. */
  private bindPipelineItem(items: string): string | undefined {
    const outer = this.t.vars.get('_');
    if (isKnownItem(items)) {
      this.t.vars.set('_', items);
      this.t.vars.set('psitem', items);
    }
    return outer;
  }

  private restorePipelineItem(outer: string | undefined): void {
    if (outer === undefined) {
      this.t.vars.delete('_');
      this.t.vars.delete('psitem');
    } else {
      this.t.vars.set('_', outer);
      this.t.vars.set('psitem', outer);
    }
  }

  private recordAssignment(
    name: string,
    target: Element,
    rest: Element[],
    single: { constant?: string; built: boolean } | undefined,
    partial: Element[] | undefined,
  ): void {
    const b = this.t.builder;
    // `function f { param($p = 'x') … }` after `$p = 'y'`: a parameter default does not hide the script's own value.
    if (this.declaringParameters > 0 && this.t.vars.get(name) !== undefined) return;
    this.recordSplat(name, rest);
    const last = rest[rest.length - 1] ?? target;
    const span = this.span(target.start, last.end);
    this.stringVariables.delete(name);
    if (single?.constant !== undefined && rest.length > 0) {
      this.t.vars.set(name, single.constant);
      this.stringVariables.add(name);
      if (single.built) this.builtVariables.add(name);
      else this.builtVariables.delete(name);
      b.assignments.push({ name, value: single.constant, shell: 'powershell', span });
    } else {
      // A double-quoted path with unknown parts (`"$env:TEMP\x.exe"`) is kept as written: enough to follow the file.
      // So is a list of them (`@("$env:SystemRoot\System32\mshta.exe", "…\SysWOW64\mshta.exe")`), items joined by commas.
      const only = rest.length === 1 ? rest[0] : partial?.length === 1 ? partial[0] : undefined;
      // `$c = (Get-Alias iex).Definition`, `$c = (gi alias:iex)`: the variable holds the command, as if built from its name
      // (`& $c` is a computed invocation). `Get-Command` is left out: `(Get-Command git).Source` is how scripts find programs.
      const looked = only !== undefined && this.t.text[only.start] === '(' ? this.lookedUpCommand(only.nested, false) : null;
      const written = only === undefined ? undefined : only.nested.length === 0 ? only.text : this.writtenList(only);
      const located = only === undefined ? locatedProgram(rest) : undefined;
      if (looked !== null) this.t.vars.set(name, looked);
      else if (only && written !== undefined && (only.quoted || partial?.length === 1 || only.nested.length > 0))
        this.t.vars.set(name, written);
      else if (located !== undefined) this.t.vars.set(name, located);
      else this.t.vars.delete(name);
      if (looked !== null) this.builtVariables.add(name);
      else this.builtVariables.delete(name);
      b.assignments.push({ name, pipeline: b.pipelines.length - 1, shell: 'powershell', span });
    }
  }

  /** Keeps the entries of a hashtable assigned to `name` (`$p = @{ FilePath = 'msiexec.exe'; … }`); any other value forgets them. */
  private recordSplat(name: string, rest: readonly Element[]): void {
    const only = rest.length === 1 ? rest[0] : undefined;
    if (only === undefined || this.t.text[only.start] !== '@' || this.t.text[only.start + 1] !== '{') {
      if (this.splats.size > 0) this.splats.delete(name);
      return;
    }
    const entries: HashtableEntry[] = [];
    const commands = this.t.builder.commands;
    for (let k = 0; k < only.nested.length && entries.length < MAX_SPLAT_ENTRIES; k++) {
      const words = commands[only.nested[k] as number]?.words;
      const entry = words === undefined ? undefined : hashtableEntry(words);
      if (entry !== undefined) entries.push(entry);
    }
    this.splats.set(name, entries);
  }

  /**
   * The items of a group that holds nothing but a list of quoted strings (`@("a", "$env:X\b")`), as written and
   * joined by commas; undefined for anything else.
   */
  private writtenList(group: Element): string | undefined {
    const c = this.t.text[group.start];
    if (group.nested.length !== 1 || (c !== '@' && c !== '(')) return undefined;
    const words = this.t.builder.commands[group.nested[0] as number]?.words;
    if (words === undefined || words.length < 3 || words.length % 2 === 0) return undefined;
    const items: string[] = [];
    for (let k = 0; k < words.length; k++) {
      const w = words[k] as Word;
      if (k % 2 === 1 ? w.value !== ',' : !w.quoted || (w.nested?.length ?? 0) > 0) return undefined;
      if (k % 2 === 0) items.push(w.value);
    }
    const joined = boundedJoin(items, ',');
    return joined === TRUNCATED_TEXT ? undefined : joined;
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
    if (name === 'set-alias' || name === 'new-alias') {
      const target = resolveCommandName(value, 'powershell');
      this.aliases.set(aliasName.toLowerCase(), target);
      // Also an assignment of `$alias:x` (PowerShell's own name for it): later lines of the session resolve it.
      const first = els[0] as Element;
      const last = els[els.length - 1] as Element;
      this.t.builder.assignments.push({
        name: ALIAS_PREFIX + aliasName.toLowerCase(),
        value: target,
        shell: 'powershell',
        span: this.span(first.start, last.end),
      });
    } else this.t.vars.set(aliasName.toLowerCase(), value);
  }

  /** `function Name([string]$a, $b) { … }`, `function Name { param($a) … }`: remembered for calls that pass arguments. */
  private defineFunction(rest: readonly Element[]): void {
    const nameElement = rest[1];
    const body = rest[rest.length - 1];
    const text = this.t.text;
    if (nameElement === undefined || body === undefined || body === nameElement || text[body.start] !== '{') return;
    // Looked for within the name only: a search to the end of the text for each definition would be quadratic.
    let paren = nameElement.start;
    while (paren < nameElement.end && text.charCodeAt(paren) !== 0x28 /* ( */) paren++;
    const inName = paren < nameElement.end;
    const written = text.slice(nameElement.start, inName ? paren : nameElement.end);
    let parameters: DeclaredParameter[] | null = null;
    if (inName) parameters = declaredParameters(text, paren + 1, bracketEnd(text, paren, nameElement.end) - 1);
    else if (rest.length > 3 && text[(rest[2] as Element).start] === '(') {
      const group = rest[2] as Element;
      parameters = declaredParameters(text, group.start + 1, group.end - 1);
    } else parameters = blockParameters(text, body.start + 1, body.end - 1);
    if (parameters === null || parameters.length === 0) return;
    const b = this.t.builder;
    (b.powershellFunctions ??= new Map()).set(resolveCommandName(functionName(written), 'powershell'), this.blockBody(parameters, body));
  }

  /** A `{ … }` block of this layer as a body to read again with `parameters` bound. */
  private blockBody(parameters: DeclaredParameter[], block: Element): PowerShellFunction {
    return {
      parameters,
      layer: this.t.layerIndex,
      bodyStart: block.start + 1,
      bodyEnd: Math.max(block.start + 1, block.end - 1),
      bindings: 0,
      seen: new Set(),
    };
  }

  /**
   * `Start-Detached -CommandLine $line` where the text defined `Start-Detached`: the body is read again (a layer one
   * level deeper) after lines that set each parameter to the value passed, so what it does with them is seen.
   */
  private bindCall(name: string, rest: readonly Element[]): void {
    const fn = this.t.builder.powershellFunctions?.get(name);
    if (fn === undefined || fn.bindings >= MAX_BINDINGS_PER_FUNCTION) return;
    const args = this.callArguments(rest, 1, rest.length);
    const bound = bindArguments(fn.parameters, args);
    if (bound.size > 0) this.readBodyAgain(fn, bound, args, rest);
  }

  /**
   * `Start-Job -ArgumentList $exe, $token -ScriptBlock { param($e, $t) … }` (also Invoke-Command, Start-ThreadJob):
   * the block's parameters take the list's items in order.
   */
  private bindScriptBlockArguments(rest: readonly Element[]): void {
    const text = this.t.text;
    let block: Element | undefined;
    let listFrom = -1;
    let listTo = -1;
    for (let i = 1; i < rest.length; i++) {
      const e = rest[i] as Element;
      const option = optionName(e, this.t.text);
      if (option !== undefined) {
        if (listFrom >= 0 && listTo < 0) listTo = i;
        if ('argumentlist'.startsWith(option) && option.length >= 3) listFrom = i + 1;
        else if (option === 'args') listFrom = i + 1;
        continue;
      }
      if (text[e.start] === '{' && block === undefined) block = e;
      if (listFrom >= 0 && listTo < 0 && i > listFrom && (rest[i - 1] as Element).op !== ',' && e.op !== ',') listTo = i;
    }
    if (block === undefined || listFrom < 0) return;
    if (listTo < 0) listTo = rest.length;
    const parameters = blockParameters(text, block.start + 1, block.end - 1);
    if (parameters === null || parameters.length === 0) return;
    const args = this.callArguments(rest, listFrom, listTo, true).filter((a) => a.option === undefined);
    const bound = bindArguments(parameters, args);
    if (bound.size === 0) return;
    this.readBodyAgain(this.blockBody(parameters, block), bound, args, rest);
  }

  /**
   * The arguments in `rest[from, to)`: `-Name` words and values (known or not). `a, b` is one argument, a list (left
   * unknown), unless `listItems` asks for the items one by one (Start-Job's `-ArgumentList`).
   */
  private callArguments(rest: readonly Element[], from: number, to: number, listItems = false): CallArgument[] {
    const args: CallArgument[] = [];
    for (let i = from; i < to && args.length < MAX_CALL_ARGUMENTS; i++) {
      const e = rest[i] as Element;
      if (e.op === ',') {
        const last = args[args.length - 1];
        if (!listItems && last !== undefined) {
          last.value = undefined;
          i++; // the next item belongs to the same list
        }
        continue;
      }
      const option = optionName(e, this.t.text);
      if (option !== undefined) {
        const colon = option.indexOf(':');
        if (colon < 0) args.push({ value: undefined, option, index: i });
        else {
          args.push({ value: undefined, option: option.slice(0, colon), index: i });
          const after = e.text.slice(e.text.indexOf(':') + 1);
          args.push({ value: isKnownItem(after) ? after : undefined, option: undefined, index: i });
        }
        continue;
      }
      args.push({ value: this.argumentValue(e), option: undefined, index: i });
    }
    return args;
  }

  /** An argument's value when the text determines it: a constant, a variable holding text, a bare word. */
  private argumentValue(e: Element): string | undefined {
    if (e.constant !== undefined) return e.constant === TRUNCATED_TEXT ? undefined : e.constant;
    if (e.variable !== undefined) return this.t.vars.get(e.variable);
    if (!e.quoted && e.nested.length === 0 && isKnownItem(e.text)) return e.text;
    return undefined;
  }

  private readBodyAgain(
    fn: PowerShellFunction,
    bound: ReadonlyMap<string, number>,
    args: readonly CallArgument[],
    rest: readonly Element[],
  ): void {
    const b = this.t.builder;
    const values: string[] = [];
    for (const [parameter, index] of bound)
      values.push(parameter, args.find((a) => a.index === index && a.option === undefined)?.value ?? '');
    const key = values.join('\u0000');
    if (fn.seen.has(key)) return;
    const length = fn.bodyEnd - fn.bodyStart + key.length + 16 * bound.size;
    const root = b.layers[0]?.text.length ?? 0;
    const home = b.layers[fn.layer];
    if (home === undefined || b.boundLayers >= MAX_BOUND_LAYERS || b.boundChars + length > (root >> 1) + BOUND_CHARS_ALLOWANCE) return;
    fn.seen.add(key);
    fn.bindings++;
    b.boundLayers++;
    b.boundChars += length;
    const prefix = new PieceTextBuilder();
    let v = 0;
    for (const index of bound.values()) {
      const e = rest[index] as Element;
      prefix.append('$' + (values[v] as string) + ' = ' + singleQuoted(values[v + 1] as string) + '\n', this.span(e.start, e.end));
      v += 2;
    }
    const depth = Math.max(this.t.depth, home.depth) + 1;
    const layer = prefixedSliceLayer(
      prefix.build('powershell', depth, 'bound_call'),
      home,
      fn.bodyStart,
      fn.bodyEnd - fn.bodyStart,
      depth,
      'bound_call',
    );
    (b.carriedLayers ??= []).push(layer);
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
    const looked = this.lookedUpCommand(target.nested, true);
    if (looked !== null) return { name: looked, display: looked, computed: true };
    // `& ([string]::Join('', [char[]](105,101,120)))`: the name joined from constant parts.
    for (const idx of target.nested) {
      const cmd = b.commands[idx];
      const joined = cmd && cmd.name === '' && cmd.words.length === 1 ? joinedString((cmd.words[0] as Word).value) : null;
      if (joined !== null) {
        const name = resolveCommandName(joined, 'powershell');
        return { name: this.aliases.get(name) ?? name, display: joined, computed: true };
      }
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
    // The element's text abbreviates its blocks (`{…}`): read the codes from the text as written.
    const fromCodes = target.end - target.start <= 4096 ? charCodePipeline(this.t.text.slice(target.start, target.end)) : null;
    if (fromCodes !== null) return { name: resolveCommandName(fromCodes, 'powershell'), display: fromCodes, computed: true };
    if (target.constant !== undefined) {
      const computed = target.built || (target.variable !== undefined && this.builtVariables.has(target.variable));
      const name = resolveCommandName(target.constant, 'powershell');
      return { name: this.aliases.get(name) ?? name, display: target.constant, computed };
    }
    // `& "$env:LOCALAPPDATA\…\Update.exe"`: the folder is computed, but the program's file name is written out.
    const fileName = writtenFileName(target.text);
    if (fileName !== null) return { name: resolveCommandName(fileName, 'powershell'), display: target.text, computed: false };
    return { name: '', display: target.text, computed: this.isUnknownExpression(target) };
  }

  /**
   * The command that one of the `nested` commands looks up: `gcm i*x` (with `byName`), `Get-Alias iex`, or an item of the
   * alias or function drive (`Get-Item alias:iex`, `gi Alias:\\iwr`, `Get-ChildItem function:x`), which is the
   * command itself, invoked like the one `Get-Alias` returns. Null when none does.
   */
  private lookedUpCommand(nested: readonly number[], byName: boolean): string | null {
    const commands = this.t.builder.commands;
    for (const idx of nested) {
      const cmd = commands[idx];
      if (!cmd) continue;
      const lookup = (byName && cmd.name === 'get-command') || cmd.name === 'get-alias';
      if (!lookup && cmd.name !== 'get-item' && cmd.name !== 'get-childitem') continue;
      const argument = cmd.words.slice(1).find((w) => !w.value.startsWith('-'))?.value;
      const pattern = lookup || argument === undefined ? argument : commandDriveItem(argument);
      if (pattern === undefined) continue;
      const resolved = /[*?]/.test(pattern) ? resolveCommandGlob(pattern) : resolveCommandName(pattern, 'powershell');
      if (resolved) return resolved;
    }
    return null;
  }

  /**
   * `& ($a + $b)`, `& $(-join $chars)`: a name computed by an expression that did not fold. A group that runs a
   * command (`& (Join-Path $dir 'x.exe')`, `& (gcm x)`) looks a program up rather than spelling its name.
   */
  private isUnknownExpression(target: Element): boolean {
    const text = this.t.text;
    const group = text[target.start] === '(' || (text[target.start] === '$' && text[target.start + 1] === '(');
    if (!group || target.nested.length === 0) return false;
    // `& ([scriptblock]::Create($code))`, `& $ExecutionContext.InvokeCommand.NewScriptBlock(…)`: a script block is called,
    // not a program named; its code is analysed as such (unwrap.ts).
    const lower = target.text.toLowerCase();
    if (lower.includes('scriptblock]::create(') || lower.includes('newscriptblock(')) return false;
    const commands = this.t.builder.commands;
    for (const k of target.nested) if (commands[k]?.name !== '') return false;
    return true;
  }

  private toWords(els: readonly Element[]): Word[] {
    if (this.splats.size > 0) return this.toWordsSplatting(els, 0, []);
    const out: Word[] = new Array<Word>(els.length);
    for (let i = 0; i < els.length; i++) out[i] = this.toWord(els[i] as Element);
    return out;
  }

  /**
   * Words of `els[from..]` appended to `out`, a splatted hashtable (`Invoke-WebRequest @params` after
   * `$params = @{ Uri = '…'; OutFile = '…' }`) standing as the parameters it holds: `-Uri … -OutFile …`.
   */
  private toWordsSplatting(els: readonly Element[], from: number, out: Word[]): Word[] {
    // Named parameters bind wherever they stand, so the splatted ones go last: a switch (`Wait = $true` → `-Wait`)
    // put before a positional argument (`Start-Process @p msiexec.exe`) would read as taking it for its value.
    let splatted: Word[] | null = null;
    for (let i = from; i < els.length; i++) {
      const e = els[i] as Element;
      const entries = e.quoted || e.text.length < 2 || e.text[0] !== '@' ? undefined : this.splats.get(e.text.slice(1).toLowerCase());
      // A hashtable whose entries were not read (`@{Command=(irm …)}`, written without blanks) stays `@p`, as does one
      // splatted more often than the expansion budget allows.
      if (entries === undefined || entries.length === 0 || !this.t.vars.spend(splatSize(entries))) {
        out.push(this.toWord(e));
        continue;
      }
      splatted ??= [];
      for (const { key, value } of entries) {
        splatted.push(makeWord('-' + key.value, key.span));
        // `Switch = $true` is the switch given; any other value follows its parameter.
        if (value.lower !== '$true') splatted.push(value);
      }
    }
    if (splatted !== null) for (const w of splatted) out.push(w);
    return out;
  }

  private toWord(e: Element): Word {
    // A lone variable with a known value stands for that value as it was assigned: data, as if quoted here.
    const quoted = e.quoted || (e.variable !== undefined && e.constant !== undefined);
    return wordOf(e.constant ?? e.text, this.span(e.start, e.end), quoted, e.obfuscated, e.nested);
  }

  // ---------------------------------------------------------------- elements

  /** The element list of the current nesting level (commands are read one at a time per level); the caller overwrites it. */
  private elementBuffer(): Element[] {
    let list = this.elementsByNesting[this.nesting];
    if (list === undefined) {
      list = [];
      this.elementsByNesting[this.nesting] = list;
    }
    return list;
  }

  /** The cleared ElementParts of the current nesting level: elements are read one at a time per level. */
  private elementParts(): ElementParts {
    let s = this.partsByNesting[this.nesting];
    if (s === undefined) {
      s = new ElementParts();
      this.partsByNesting[this.nesting] = s;
    } else s.clear();
    return s;
  }

  /**
   * `-OutFile:$path`, `-Name:EventLog`, `-Force:$true`: a parameter given its value after a colon, read as `-OutFile`
   * followed by the value (the next element), and `-Force:$true` as the switch `-Force`. `-Force:$false` stays one word:
   * the switch is not given. Null when the text at `start` is not such a parameter.
   */
  private colonParameter(start: number): Element | null {
    const text = this.t.text;
    if (!isLetter(text.charCodeAt(start + 1))) return null;
    let colon = start + 2;
    const limit = Math.min(this.n, start + 64);
    while (colon < limit && isIdentCode(text.charCodeAt(colon))) colon++;
    if (text[colon] !== ':' || colon + 1 >= this.n || text[colon + 1] === ':') return null;
    const next = text.charCodeAt(colon + 1);
    if (isSpace(next) || next === 0x0a || next === 0x3b || next === 0x7c || next === 0x29 || next === 0x7d) return null;
    let end = colon + 1;
    const value = text.slice(end, end + 6).toLowerCase();
    const switchValue = value.startsWith('$true') ? 5 : value.startsWith('$false') ? 6 : 0;
    if (switchValue > 0 && !continuesElement(text.charCodeAt(end + switchValue))) {
      if (switchValue === 6) return null;
      end += switchValue;
    }
    this.pos = end;
    return newElement(text.slice(start, colon), start, colon, false, false, false, NO_NESTED);
  }

  private opElement(start: number, op: string, len: number): Element {
    this.pos = start + len;
    const el = newElement(op, start, this.pos, false, false, false, NO_NESTED);
    el.op = op;
    return el;
  }

  /** Parses a `( … )`, `{ … }` or `@( … )` group at pos into the element being built. */
  private addGroup(s: ElementParts, statement: number, open: string, closeCh: string, ownStatements = false): void {
    if (this.nesting >= LIMITS.maxNesting) {
      s.add(open);
      this.pos++;
      s.hasBare = true;
      s.lastKind = 'bare';
      return;
    }
    const openAt = this.pos;
    this.pos++;
    this.nesting++;
    // Braces are shown as `{…}` whatever they contain: their text is never built.
    const r = this.parseBlock(closeCh, ownStatements ? null : statement, open !== '{');
    this.nesting--;
    // `(-join (83,121 | % {[char]$_}))`: character codes joined in a pipeline, which statements do not fold.
    if (open === '(' && r.constant === undefined && this.t.text.charCodeAt(openAt + 1) === 0x2d /* - */) {
      const joined = charCodePipeline(this.t.text.slice(openAt + 1, this.pos - 1), true);
      if (joined !== null) {
        r.constant = joined;
        r.built = true;
      }
    }
    if (r.commands.length > 0) {
      // The block's list is fresh and exact: the first group's becomes the element's own.
      if (s.nested === NO_NESTED) s.nested = r.commands;
      else pushAll(s.nested, r.commands);
    }
    // A group that folds to a built constant (`('i'+'ex')`) disguises its value; other groups keep their own flags.
    if (r.built && (r.constant !== undefined || r.list)) {
      s.built = true;
      s.obfuscated = true;
    }
    // `x(…)` after a name is a call: its arguments keep their parentheses. After `.` it computes a member name.
    const isCall = s.partCount > 0 && open === '(' && !s.endsWithDot() && s.lastKind !== 'type';
    if (isCall && this.foldCall(s, r, openAt)) {
      s.lastKind = 'group';
      return;
    }
    if (open === '(' && r.constant !== undefined && !isCall) {
      s.add(r.constant);
      s.groupConstant = r.constant;
    } else if (open === '(' && r.constant !== undefined) {
      s.add('(' + r.constant + ')');
      s.constant = false;
    } else if (open === '(' && r.list && isCall) {
      s.add('(' + r.list.join(', ') + ')');
      s.constant = false;
    } else if (open === '(' && r.list) {
      s.add(r.list.join(' '));
      s.groupList = r.list;
      s.constant = false;
    } else {
      // Script blocks and long groups stay as placeholders: their commands are separate commands,
      // and copying their text into every enclosing word would cost time with each nesting level.
      s.add(open === '{' || r.text.length > GROUP_TEXT_LIMIT ? open + '…' + closeCh : open + r.text + closeCh);
      s.constant = false;
    }
    s.partCount++;
    s.lastKind = 'group';
  }

  /**
   * Calls on constants whose result is constant: `'a~b'.Replace('~','')`, `'abc'.ToCharArray()` (kept as the string:
   * joined, indexed or reversed, a character array behaves alike), `[string]::Join('', …)`, `[string]::Concat(…)`, `[string]::new(…)`.
   * `[array]::Reverse($c)` reverses a known string variable in place. True when the element now holds the result.
   */
  private foldCall(s: ElementParts, r: BlockResult, openAt: number): boolean {
    // Only `.Replace`, `.ToCharArray`, `::Join`, `::Concat`, `::New`, `::Reverse` are folded: the rest is not even lower-cased.
    if (s.partCount !== 2 || s.last === undefined || s.last.length > 15 || s.last.length < 5) return false;
    const method = s.last.toLowerCase();
    const noArguments = r.commands.length === 0 && r.text === '';
    const args = r.list ?? (r.constant !== undefined ? [r.constant] : noArguments ? [] : undefined);
    if (args === undefined) return false;
    if (method === '::getfolderpath' && (s.type === '[environment]' || s.type === '[system.environment]')) {
      // `[Environment]::GetFolderPath('Startup')`: the folder, as `$env:APPDATA\…` would name it (not a disguise).
      const folder = args.length === 1 ? ownValue(SPECIAL_FOLDERS, (args[0] as string).toLowerCase()) : undefined;
      if (folder === undefined) return false;
      s.replaceWith(folder);
      s.constant = true;
      return true;
    }
    let result: string | undefined;
    if (s.type === '[string]' || s.type === '[system.string]') {
      if (method === '::join' && args.length >= 1) result = args.slice(1).join(args[0]);
      else if (method === '::concat') result = args.join('');
      // `[string]::new([char[]]@(105,101,120))`; `[string]::new('=', 40)` repeats a character.
      else if (method === '::new' && args.length === 2 && (args[0] as string).length === 1 && /^[0-9]{1,6}$/.test(args[1] as string))
        result = (args[0] as string).repeat(Math.min(Number(args[1]), LIMITS.maxConstant + 1));
      else if (method === '::new') result = args.join('');
    } else if (s.type === '[array]' || s.type === '[system.array]') {
      if (method === '::reverse') this.reverseVariable(this.t.text.slice(openAt + 1, this.pos - 1));
      return false;
    } else if (s.constant && (s.stringParts === 1 || s.variable !== undefined || s.groupConstant !== undefined)) {
      const receiver = s.value.slice(0, s.value.length - method.length);
      if (method === '.tochararray' && args.length === 0) result = receiver;
      else if (method === '.replace' && args.length === 2 && args[0] !== '') result = receiver.split(args[0] as string).join(args[1]);
    }
    if (result === undefined || result.length > LIMITS.maxConstant || !this.t.vars.spend(result.length)) return false;
    s.replaceWith(result);
    s.constant = true;
    s.built = true;
    s.obfuscated = true;
    return true;
  }

  /** `[array]::Reverse($c)` on a variable holding a known string (or its characters): the variable is reversed. */
  private reverseVariable(argument: string): void {
    const m = argument.length <= 80 ? /^\s*\$([\w:]{1,64})\s*$/.exec(argument) : null;
    const name = m?.[1]?.toLowerCase();
    if (name === undefined || !this.stringVariables.has(name)) return;
    const value = this.t.vars.get(name);
    if (value === undefined || !this.t.vars.spend(value.length)) return;
    this.t.vars.set(name, Array.from(value).reverse().join(''));
    this.builtVariables.add(name);
  }

  /**
   * `'xei'[-1..-3]`, `$env:ComSpec[4]`, `$s[-1..-($s.Length)]`: characters selected from a known string (an environment
   * or automatic variable never assigned here has its usual value). The element becomes the character or the list of
   * them; false (nothing changed) when the string or the index is not known.
   */
  private selectCharacters(s: ElementParts, index: string): boolean {
    if (index.length < 3 || !index.endsWith(']')) return false;
    const base =
      s.variable !== undefined
        ? this.knownString(s.variable)
        : s.constant && (s.stringParts === 1 || s.groupConstant !== undefined)
          ? s.value
          : undefined;
    if (base === undefined) return false;
    const chars = indexChars(base, index.slice(1, -1), (name) => this.knownString(name)?.length);
    if (chars === null || !this.t.vars.spend(chars.length)) return false;
    if (chars.length === 1) {
      s.replaceWith(chars[0] as string);
      s.constant = true;
    } else {
      s.replaceWith(chars.join(' '));
      s.groupList = chars;
      s.constant = false;
    }
    s.built = true;
    s.obfuscated = true;
    return true;
  }

  /** The string a variable holds: last assigned one string here, or never assigned and the usual value. */
  private knownString(name: string): string | undefined {
    if (this.stringVariables.has(name)) return this.t.vars.get(name);
    return this.t.vars.get(name) === undefined ? defaultValue(name) : undefined;
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

    if (c === '-' && !commandPosition) {
      const parameter = this.colonParameter(start);
      if (parameter !== null) return parameter;
    }

    const s = this.elementParts();
    while (this.pos < this.n) {
      const ch = text[this.pos] as string;
      const code = text.charCodeAt(this.pos);
      if (isSpace(code) || ch === '\n' || ch === ';' || ch === '|' || ch === ',' || ch === ')' || ch === '}' || ch === '&') break;
      // After an operand (string, s.variable, group, or a cast like `[char]105`), `+ = -op` start an operator.
      const afterOperand =
        s.lastKind === 'string' || s.lastKind === 'var' || s.lastKind === 'group' || (s.lastKind === 'bare' && s.type !== undefined);
      if (afterOperand && (ch === '+' || ch === '=' || (ch === '-' && isLetter(text.charCodeAt(this.pos + 1))))) break;
      if (s.lastKind === 'var' && (ch === '+' || ch === '=' || ch === '-')) break;
      if (ch === '`') {
        const nx = text[this.pos + 1];
        if (nx === undefined || nx === '\n' || nx === '\r') break;
        const esc = backtickEscape(nx);
        // A backtick inside a word (`i`e`x`) only hides it; one at a word boundary is markup or an escape.
        if (isAlnum(nx.charCodeAt(0)) && !MEANINGFUL_ESCAPES.includes(nx) && this.pos > start && isAlnum(text.charCodeAt(this.pos - 1)))
          s.obfuscated = true;
        s.add(esc);
        s.partCount++;
        s.hasBare = true;
        s.lastKind = 'bare';
        this.pos += 2;
        continue;
      }
      if (ch === "'") {
        const sq = this.readSingleQuoted();
        s.add(sq);
        if (sq.length === 0) s.emptyString = true;
        s.stringParts++;
        s.partCount++;
        s.quoted = true;
        s.lastKind = 'string';
        continue;
      }
      if (ch === '"') {
        const dq = this.readDoubleQuoted(statement, s);
        s.add(dq.value);
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
        s.add(body);
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
          s.add('$');
          this.pos++;
          s.hasBare = true;
          s.lastKind = 'bare';
          continue;
        }
        const member = this.memberValue(v);
        if (member !== undefined) {
          // An expression, never a command name: `$($cfg.Share)` alone outputs the value; `$cfg.Url = …` assigns.
          if (s.partCount === 0) s.variable = v + '.';
          s.add(member);
          s.partCount++;
          s.lastKind = 'var';
          continue;
        }
        const known = this.t.vars.expand(v);
        if (s.partCount === 0) s.variable = v;
        if (known !== undefined && this.builtVariables.has(v)) s.built = true;
        if (known !== undefined) s.add(known);
        else {
          s.add('$' + v);
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
        !s.endsWithDot() &&
        startsCommandName(text.charCodeAt(start))
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
        if (s.partCount === 1 && s.lastKind !== 'bare' && this.selectCharacters(s, content)) {
          this.pos = tEnd;
          continue;
        }
        if (s.partCount === 0) s.type = content.toLowerCase();
        s.add(content);
        s.partCount++;
        s.constant = false;
        s.lastKind = 'type';
        this.pos = tEnd;
        continue;
      }
      // Bare run.
      const runStart = this.pos;
      // `+` and `=` end the run after an operand or a type (the run itself does not change that).
      const operatorEnds = (s.lastKind !== null && s.lastKind !== 'bare') || s.type !== undefined;
      while (this.pos < this.n) {
        const k = text.charCodeAt(this.pos);
        if (k < 0x80 && BARE_RUN_ENDS[k] === 1) break;
        if ((k === 0x2b || k === 0x3d) && operatorEnds) break; // + =
        this.pos++;
      }
      if (this.pos === runStart) {
        // '@' or other lone char
        s.add(text[this.pos] ?? '');
        this.pos++;
      } else s.add(text.slice(runStart, this.pos));
      s.partCount++;
      s.hasBare = true;
      s.lastKind = 'bare';
      // `-f'a'`, `-join(…)`: an operator written against its operand ends here.
      if (s.partCount === 1 && text[runStart] === '-' && operatorOf(s.first as string) !== undefined) break;
    }

    const end = this.pos;
    let value = s.value;
    if (value.length > LIMITS.maxConstant) value = value.slice(0, LIMITS.maxConstant);
    const el = newElement(value, start, end, s.quoted, s.obfuscated, s.built, s.nested);
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
      const operandText = value.slice(s.first?.length ?? 0);
      const operand = newElement(operandText, start, end, s.quoted, false, false, NO_NESTED);
      if (s.groupList) operand.list = s.groupList;
      else if (s.groupConstant !== undefined || constantOperand(s.second)) operand.constant = s.groupConstant ?? operandText;
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
    if (!s.quoted && s.partCount === 1 && s.hasBare) el.op = operatorOf(value);
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
    // Concatenated as it is read: most strings are one run of text, which then is the value itself.
    let value = '';
    let constant = true;
    let obfuscated = false;
    let i = this.pos + 1;
    let runStart = i;
    while (i < this.n) {
      const ch = text[i] as string;
      if (ch === '"') {
        if (text[i + 1] === '"') {
          value += text.slice(runStart, i);
          value += '"';
          i += 2;
          runStart = i;
          continue;
        }
        break;
      }
      if (ch === '`' && i + 1 < this.n) {
        const nx = text[i + 1] as string;
        value += text.slice(runStart, i);
        value += backtickEscape(nx);
        if (isAlnum(nx.charCodeAt(0)) && !MEANINGFUL_ESCAPES.includes(nx)) obfuscated = true;
        i += 2;
        runStart = i;
        continue;
      }
      if (ch === '$') {
        const nx = text[i + 1];
        if (nx === '(' && this.nesting < LIMITS.maxNesting) {
          value += text.slice(runStart, i);
          this.pos = i + 2;
          this.nesting++;
          const r = this.parseBlock(')', statement);
          this.nesting--;
          if (r.commands.length > 0) {
            if (s.nested === NO_NESTED) s.nested = r.commands;
            else pushAll(s.nested, r.commands);
          }
          if (r.constant !== undefined) value += r.constant;
          else {
            value += r.text.length > GROUP_TEXT_LIMIT ? '$(…)' : '$(' + r.text + ')';
            constant = false;
          }
          i = this.pos;
          runStart = i;
          continue;
        }
        if (nx !== undefined && (isIdentChar(nx.charCodeAt(0)) || nx === '{')) {
          value += text.slice(runStart, i);
          this.pos = i;
          const v = this.readVariable();
          if (v !== null) {
            const known = this.t.vars.expand(v);
            if (known !== undefined) value += known;
            else {
              value += text.slice(i, this.pos);
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
    value += text.slice(runStart, Math.min(i, this.n));
    this.pos = Math.min(i + 1, this.n);
    return { value, constant, obfuscated };
  }

  /**
   * `$cfg.Url`, `$settings.Paths.Dir`: a property of a hashtable assigned here (`$cfg = @{ Url = '…' }`) or of a JSON
   * object text (`$settings = $json | ConvertFrom-Json`), when it is known text; pos moves past the properties read.
   * Scripts keep their settings at the top this way and use them far below. Undefined (pos unchanged) otherwise.
   */
  private memberValue(name: string): string | undefined {
    const text = this.t.text;
    let i = this.pos;
    const keys: string[] = [];
    while (text[i] === '.' && isLetter(text.charCodeAt(i + 1)) && keys.length < 8) {
      let j = i + 1;
      while (j < this.n && isIdentChar(text.charCodeAt(j))) j++;
      keys.push(text.slice(i + 1, j).toLowerCase());
      i = j;
    }
    // `.Replace(…)`, `.Split(…)`: a method call, read elsewhere.
    if (keys.length === 0 || text[i] === '(') return undefined;
    let value: unknown;
    // A quoted string is text whatever it holds (`'C:\Program Files (x86)\…'`); an unquoted value may be an expression.
    let literal = false;
    const entries = this.splats.get(name);
    if (entries !== undefined) {
      if (keys.length !== 1) return undefined;
      const entry = entries.find((e) => e.key.lower.replace(/^['"]|['"]$/g, '') === keys[0]);
      value = entry !== undefined && !entry.value.obfuscated ? entry.value.value : undefined;
      literal = entry?.value.quoted === true;
    } else {
      value = this.jsonValue(name);
      for (const key of keys) value = propertyOf(value, key);
      literal = typeof value === 'string';
    }
    if (typeof value === 'number' || typeof value === 'boolean') value = String(value);
    if (typeof value !== 'string' || !(literal ? isKnownText(value) : isKnownItem(value)) || !this.t.vars.spend(value.length))
      return undefined;
    this.pos = i;
    return value;
  }

  /** The object a variable holds when its text is a JSON object (parsed once per value; at most 64 KB). */
  private jsonValue(name: string): unknown {
    const raw = this.t.vars.get(name);
    if (raw === undefined || raw.length > 65536 || raw.length < 2) return undefined;
    const cached = this.parsedJson.get(name);
    if (cached !== undefined && cached.raw === raw) return cached.value;
    let value: unknown;
    const trimmed = raw.trim();
    // Parsing spends from the expansion budget: many names holding one large text cannot multiply the work.
    if (trimmed.startsWith('{') && trimmed.endsWith('}') && this.t.vars.spend(raw.length)) {
      try {
        value = JSON.parse(trimmed) as unknown;
      } catch {
        value = undefined;
      }
    }
    this.parsedJson.set(name, { raw, value });
    return value;
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

/**
 * An Element with every optional field present (undefined), so all elements share one shape and
 * setting `constant`, `op` … later does not allocate a property store per element.
 */
function newElement(
  text: string,
  start: number,
  end: number,
  quoted: boolean,
  obfuscated: boolean,
  built: boolean,
  nested: number[],
): Element {
  return {
    text,
    constant: undefined,
    list: undefined,
    type: undefined,
    start,
    end,
    quoted,
    obfuscated,
    built,
    nested,
    op: undefined,
    variable: undefined,
  };
}

/** What is known about the element being read (a class, not closures: this runs for every element; reused, see elementParts). */
class ElementParts {
  /** The element's text so far: its parts (strings, escapes, groups, variables) concatenated. */
  value = '';
  /** The first, second and last part added (the parts themselves are not kept: no array per element). */
  first: string | undefined = undefined;
  second: string | undefined = undefined;
  last: string | undefined = undefined;
  private added = 0;
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

  /** Back to the initial state; arrays handed out (nested, groupList) are replaced, never changed. */
  clear(): void {
    this.value = '';
    this.first = undefined;
    this.second = undefined;
    this.last = undefined;
    this.added = 0;
    this.constant = true;
    this.quoted = false;
    this.obfuscated = false;
    this.built = false;
    this.hasBare = false;
    this.stringParts = 0;
    this.emptyString = false;
    this.variable = undefined;
    this.partCount = 0;
    this.type = undefined;
    this.groupList = undefined;
    this.groupConstant = undefined;
    this.lastKind = null;
    this.nested = NO_NESTED;
  }

  add(part: string): void {
    if (this.added === 0) this.first = part;
    else if (this.added === 1) this.second = part;
    this.last = part;
    this.value += part;
    this.added++;
  }

  /** The parts so far stand for `value`, as one part: an index into them or a call on them was evaluated. */
  replaceWith(value: string): void {
    this.value = value;
    this.first = value;
    this.second = undefined;
    this.last = value;
    this.added = 1;
    this.partCount = 1;
    this.groupList = undefined;
    this.groupConstant = undefined;
    this.type = undefined;
    this.variable = undefined;
  }

  endsWithDot(): boolean {
    return this.last !== undefined && this.last.endsWith('.');
  }
}

function isForeachKeyword(e: Element): boolean {
  return e.text.length === 7 && !e.quoted && e.text.toLowerCase() === 'foreach';
}

/** Properties that name the item itself (a service, process, package, file): filtering on them selects by name. */
const NAME_PROPERTIES = new Set(['name', 'displayname', 'servicename', 'processname', 'description', 'productname']);
const NAME_FILTERS = new Set(['-eq', '-ieq', '-like', '-ilike', '-match', '-imatch']);

/**
 * The names a `Where-Object` filter on a name keeps, comma-joined, as what flows on to a ForEach-Object block
 * (`Get-Service | ? { $_.DisplayName -match 'Sophos|Carbon' } | % { Stop-Service $_.Name }`): the block's `$_`
 * is one of them. Both spellings: `? Name -like 'x*'` and a script block of `$_.Name -op 'value'` tests
 * (`-or` joined); a regex alternation counts as its alternatives. Undefined for any other command or filter.
 */
function selectedNames(commands: readonly SimpleCommand[], index: number, pipeline: number): string | undefined {
  const where = commands[index];
  if (where === undefined || where.pipeline !== pipeline || where.name !== 'where-object') return undefined;
  const names: string[] = [];
  const collect = (words: readonly Word[], from: number, property: (w: Word) => boolean): void => {
    for (let i = from; i + 2 < words.length && names.length < 32; i++) {
      const op = words[i + 1] as Word;
      if (!property(words[i] as Word) || !NAME_FILTERS.has(op.lower)) continue;
      const value = (words[i + 2] as Word).value;
      for (const piece of op.lower.endsWith('match') ? value.split('|') : [value]) if (piece.length > 0) names.push(piece);
    }
  };
  collect(where.words, 1, (w) => NAME_PROPERTIES.has(w.lower));
  const block = where.words[1]?.nested ?? [];
  for (const k of block.slice(0, 4)) {
    const test = commands[k];
    if (test !== undefined) collect(test.words, 0, (w) => isItemProperty(w.lower));
  }
  return names.length === 0 ? undefined : boundedJoin(names, ',');
}

/** `$_.Name`, `$PSItem.DisplayName`: a name property of the pipeline item. */
function isItemProperty(lower: string): boolean {
  const dot = lower.indexOf('.');
  const item = lower.slice(0, dot);
  return dot > 0 && (item === '$_' || item === '$psitem') && NAME_PROPERTIES.has(lower.slice(dot + 1));
}

/**
 * `$ctl = where.exe /r 'C:\Program Files\SentinelOne' sentinelctl`: the variable holds that program's path, so
 * `& $ctl …` runs it (named by the file name where.exe was asked for). Undefined for anything else.
 */
function locatedProgram(rest: readonly Element[]): string | undefined {
  const last = rest[rest.length - 1];
  if (rest.length < 2 || rest[0]?.text.toLowerCase() !== 'where.exe' || last === undefined) return undefined;
  return last.nested.length === 0 && /^[\w.-]{1,64}$/.test(last.text) ? last.text : undefined;
}

/** `[Environment+SpecialFolder]` names and the folders they are on a typical machine (the one WINDOWS_ENVIRONMENT describes). */
const SPECIAL_FOLDERS: Readonly<Record<string, string>> = {
  startup: `${WINDOWS_ENVIRONMENT.appdata}\\Microsoft\\Windows\\Start Menu\\Programs\\Startup`,
  commonstartup: `${WINDOWS_ENVIRONMENT.programdata}\\Microsoft\\Windows\\Start Menu\\Programs\\Startup`,
  programs: `${WINDOWS_ENVIRONMENT.appdata}\\Microsoft\\Windows\\Start Menu\\Programs`,
  templates: `${WINDOWS_ENVIRONMENT.appdata}\\Microsoft\\Windows\\Templates`,
  applicationdata: WINDOWS_ENVIRONMENT.appdata as string,
  localapplicationdata: WINDOWS_ENVIRONMENT.localappdata as string,
  commonapplicationdata: WINDOWS_ENVIRONMENT.programdata as string,
  userprofile: WINDOWS_ENVIRONMENT.userprofile as string,
  desktop: `${WINDOWS_ENVIRONMENT.userprofile}\\Desktop`,
  mydocuments: `${WINDOWS_ENVIRONMENT.userprofile}\\Documents`,
  windows: WINDOWS_ENVIRONMENT.windir as string,
  system: `${WINDOWS_ENVIRONMENT.windir}\\system32`,
  programfiles: WINDOWS_ENVIRONMENT.programfiles as string,
};

function isForEachObject(e: Element): boolean {
  if (e.quoted) return false;
  const t = e.text;
  return t === '%' || (t.length === 7 && t.toLowerCase() === 'foreach') || (t.length === 14 && t.toLowerCase() === 'foreach-object');
}

/**
 * What `Join-Path A B` (or `-Path A -ChildPath B`) returns when the child part is known text: `A\B`. The folder may
 * stay as written when it is computed (`$env:windir\System32\cmd.exe`, `$($cfg.Dir)\svchost.exe`): rules read such
 * paths as written, as they read any unresolved variable.
 */
function joinPathValue(words: readonly Word[]): string | undefined {
  let path: string | undefined;
  let child: string | undefined;
  for (let k = 1; k < words.length; k++) {
    const w = words[k] as Word;
    const l = w.lower;
    if (l === '-path') path = words[++k]?.value;
    else if (l === '-childpath') child = words[++k]?.value;
    else if (l.startsWith('-')) return undefined;
    else if (path === undefined) path = w.value;
    else if (child === undefined) child = w.value;
    else return undefined;
  }
  // The folder may stay unresolved (`$($cfg.Dir)`): the name joined to it is what rules read most.
  if (path === undefined || child === undefined || path.length > 1024 || path.includes('\n') || !joinablePart(child)) return undefined;
  return path.replace(/[\\/]+$/, '') + '\\' + child.replace(/^[\\/]+/, '');
}

/** A path part with no computed piece left, except `$env:NAME` at its start. */
function joinablePart(part: string): boolean {
  const rest = /^\$env:[a-z_][a-z0-9_]*/i.exec(part);
  return part.length > 0 && part.length <= 1024 && isKnownItem(rest ? part.slice(rest[0].length) || 'x' : part);
}

/** The variable a parameter declaration word ends with (`[string]$bin` → bin, `$port` → port), or undefined. */
function parameterName(lower: string): string | undefined {
  const dollar = lower.lastIndexOf('$');
  if (dollar < 0 || (dollar > 0 && lower[dollar - 1] !== ']')) return undefined;
  const name = lower.slice(dollar + 1);
  return /^[a-z_][a-z0-9_]*$/.test(name) ? name : undefined;
}

/** A loop item whose text is known: no variable, sub-expression, block or escape left in it. */
/** Quoted text that is known: only an unexpanded variable, an escape or a cut-off marks it unknown (brackets are text). */
function isKnownText(value: string): boolean {
  if (value.length === 0 || value === TRUNCATED_TEXT) return false;
  return value.indexOf('$') < 0 && value.indexOf('`') < 0 && value.indexOf('…') < 0;
}

function isKnownItem(value: string): boolean {
  if (value.length === 0 || value === TRUNCATED_TEXT) return false;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (c === '$' || c === '(' || c === '{' || c === '`' || c === '…') return false;
  }
  return true;
}

/** `[array]::Reverse($c)` and the like: static methods that change their argument and return nothing. */
function isVoidCall(e: Element): boolean {
  if (e.text.length > 64 || e.text[0] !== '[') return false;
  const lower = e.text.toLowerCase();
  return lower.startsWith('[array]::reverse(') || lower.startsWith('[system.array]::reverse(');
}

function isParamKeyword(e: Element): boolean {
  return e.text.length === 5 && !e.quoted && e.text.toLowerCase() === 'param';
}

/** Appends `items` to `list` (an indexed loop: this runs for every command). */
function pushAll(list: number[], items: readonly number[]): void {
  for (let i = 0; i < items.length; i++) list.push(items[i] as number);
}

function constantOperand(part: string | undefined): boolean {
  return part !== undefined && /^(0x[0-9a-f]+|[0-9]+)$/i.test(part);
}

export { POWERSHELL_ALIASES };

/** ASCII characters that end a bare run inside an element: blanks and `\n ; | , ) } & \` ' " $ ( { [`. */
/**
 * `[string]::Join(sep, parts)` / `[string]::Concat(parts)` as the lexer folds them (`[string]::join(, iex)`:
 * constant arguments, quotes gone, joined by ", "), computed; null for anything else or a result that
 * cannot be a command name.
 */
function joinedString(value: string): string | null {
  if (value.length > 1024 || !value.endsWith(')')) return null;
  const lower = value.toLowerCase();
  const join = lower.startsWith('[string]::join(');
  if (!join && !lower.startsWith('[string]::concat(')) return null;
  const parts = value.slice(join ? 15 : 17, -1).split(', ');
  const result = join ? parts.slice(1).join(parts[0] ?? '') : parts.join('');
  return result.length > 0 && result.length <= 64 && !/[\s$()]/.test(result) ? result : null;
}

/** The last path segment of `path` when it is written out (no variable, subexpression or escape in it), else null. */
function writtenFileName(path: string): string | null {
  const cut = Math.max(path.lastIndexOf('\\'), path.lastIndexOf('/'));
  if (cut < 0) return null;
  const name = path.slice(cut + 1);
  if (name.length === 0) return null;
  for (let i = 0; i < name.length; i++) {
    const c = name[i];
    if (c === '$' || c === '(' || c === ')' || c === '{' || c === '}' || c === '`' || c === '"' || c === "'") return null;
  }
  return name;
}

const BARE_RUN_ENDS = asciiSet(' \t\r\v\f\n;|,)}&`\'"$({[');

function asciiSet(chars: string): Uint8Array {
  const set = new Uint8Array(0x80);
  for (let i = 0; i < chars.length; i++) set[chars.charCodeAt(i)] = 1;
  return set;
}

// Character classes, local to this module: they run for every character.
function isLetter(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}
/** `[a-z%?]`, case-insensitive: what a command name called with `(`/`{` right after it starts with. */
function startsCommandName(c: number): boolean {
  return isLetter(c) || c === 0x25 || c === 0x3f;
}
function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0b || c === 0x0c;
}
function isAlnum(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

/** A JSON object's property, matched without regard to case as PowerShell does. */
function propertyOf(value: unknown, key: string): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  for (const [k, v] of Object.entries(value)) if (k.toLowerCase() === key) return v;
  return undefined;
}

function isIdentChar(c: number): boolean {
  return isAlnum(c) || c === 0x5f;
}

/** The name in `alias:iex`, `Alias:\iwr`, `function:x` (an item of PowerShell's command drives), else undefined. */
function commandDriveItem(path: string): string | undefined {
  const colon = path.indexOf(':');
  if (colon < 0) return undefined;
  const drive = path.slice(0, colon).toLowerCase();
  if (drive !== 'alias' && drive !== 'function') return undefined;
  const name = path.slice(path[colon + 1] === '\\' || path[colon + 1] === '/' ? colon + 2 : colon + 1);
  return name.length > 0 ? name : undefined;
}

/** A character of a parameter's name (`-OutFile`, `-Proxy_Credential`). */
function isIdentCode(c: number): boolean {
  return isLetter(c) || (c >= 0x30 && c <= 0x39) || c === 0x5f;
}

/** Whether the character after `$true` / `$false` would continue the same element (`$trueValue`, `$true.x`). */
function continuesElement(c: number): boolean {
  return isIdentCode(c) || c === 0x2e || c === 0x5b || c === 0x3a;
}

/**
 * `-CommandLine` written bare (`text` is the layer's): the parameter name, lower case, without the dash (`-Name:value`
 * keeps `:value`). A group whose value starts with a dash (`('-nop ' + $x)`) is a value.
 */
function optionName(e: Element, text: string): string | undefined {
  if (e.quoted || e.op !== undefined || e.variable !== undefined || e.text.length < 2 || text.charCodeAt(e.start) !== 0x2d)
    return undefined;
  if (!isLetter(e.text.charCodeAt(1))) return undefined;
  return e.text.slice(1).toLowerCase();
}
