/**
 * Collects what the lexers find into the Document's flat arrays.
 */
import type { PowerShellFunction } from './powershell-functions';
import type { AnalysisNote, Assignment, Layer, Redirect, ShellFunction, SimpleCommand, Word } from './document';
import type { Shell, Span } from '../types';
import { resolveCommandName } from './names';

export class WordImpl implements Word {
  private lowerCache: string | null = null;
  /**
   * The span as two numbers, its object made on first read: a long script has a hundred thousand
   * words whose spans no rule reads, and every object the document keeps costs garbage-collection time.
   */
  private readonly spanStart: number;
  private readonly spanEnd: number;
  private spanCache: Span | null = null;
  quoted?: boolean;
  obfuscated?: boolean;
  nested?: number[];
  constructor(
    public value: string,
    span: Span,
  ) {
    this.spanStart = span.start;
    this.spanEnd = span.end;
  }
  get lower(): string {
    if (this.lowerCache === null) this.lowerCache = this.value.toLowerCase();
    return this.lowerCache;
  }
  get span(): Span {
    if (this.spanCache === null) this.spanCache = { start: this.spanStart, end: this.spanEnd };
    return this.spanCache;
  }
}

export function makeWord(value: string, span: Span, flags?: { quoted?: boolean; obfuscated?: boolean; nested?: number[] }): WordImpl {
  return wordOf(value, span, flags?.quoted === true, flags?.obfuscated === true, flags?.nested);
}

/** `makeWord` with positional flags, for the lexers' per-word hot paths (no options object per word). */
export function wordOf(value: string, span: Span, quoted: boolean, obfuscated: boolean, nested: number[] | undefined): WordImpl {
  const w = new WordImpl(value, span);
  if (quoted) w.quoted = true;
  if (obfuscated) w.obfuscated = true;
  if (nested !== undefined && nested.length > 0) w.nested = nested;
  return w;
}

/** Limits that keep analysis linear and bounded whatever the input. */
export const LIMITS = {
  /** Maximum nesting of decoded/unwrapped layers. */
  maxDepth: 6,
  /** Maximum total characters of all derived layers together. */
  maxDerivedChars: 4 * 1024 * 1024,
  /** Maximum number of derived layers. */
  maxLayers: 256,
  /** Maximum bracket nesting the PowerShell/POSIX lexers follow before flattening. */
  maxNesting: 64,
  /** Maximum length of a folded constant string. */
  maxConstant: 1024 * 1024,
  /** Longest value a list stands for (loop items, array items): enough for hosts, services or files. */
  maxListValue: 1024,
};

/** List items joined by `separator`, as many as fit in LIMITS.maxListValue (the whole list for any ordinary script). */
export function joinWithinLimit(items: readonly string[], separator: string): string {
  let out = '';
  for (const item of items) {
    if (out.length + item.length + separator.length > LIMITS.maxListValue) break;
    out += (out.length > 0 ? separator : '') + item;
  }
  return out;
}

/** A command as the rules read it; every optional field present (undefined when unset), so all commands share one shape. */
class CommandImpl implements SimpleCommand {
  // The span as two numbers, its object made on first read (see WordImpl).
  private readonly spanStart: number;
  private readonly spanEnd: number;
  private spanCache: Span | null = null;
  parent: number | undefined = undefined;
  directory: string | undefined = undefined;
  constructor(
    public name: string,
    public words: Word[],
    public redirects: Redirect[],
    span: Span,
    public shell: Shell,
    public depth: number,
    public pipeline: number,
    public position: number,
    public layer: number,
    public statement: number | undefined,
    public assignTo: string | undefined,
    public invocation: '&' | '.' | undefined,
    public elevated: boolean,
  ) {
    this.spanStart = span.start;
    this.spanEnd = span.end;
  }
  get span(): Span {
    if (this.spanCache === null) this.spanCache = { start: this.spanStart, end: this.spanEnd };
    return this.spanCache;
  }
}

/** The redirect list of every command without redirects (most of them): one shared, frozen, empty array. */
const NO_REDIRECTS = Object.freeze([]) as unknown as Redirect[];

export class DocBuilder {
  readonly layers: Layer[] = [];
  readonly commands: SimpleCommand[] = [];
  readonly pipelines: number[][] = [];
  readonly notes: AnalysisNote[] = [];
  readonly assignments: Assignment[] = [];
  derivedChars = 0;
  /**
   * Command lines derived from a command word whose output the text determines (`$(echo B64 | base64 -d) …`),
   * by command index: the unwrapper lexes them as layers. Null until the first.
   */
  derivedCommandLines: Map<number, DerivedText> | null = null;
  /**
   * Command lines a lexer found carried in a construct of its shell (cmd's `for /f … in ('…')`), as layers
   * one level deeper, for the unwrapper to queue. Null until the first.
   */
  carriedLayers: Layer[] | null = null;
  /** POSIX shell functions defined so far (any layer). Null until the first. */
  shellFunctions: ShellFunction[] | null = null;
  /** Function bodies scanned for their extent so far (each at most 4096 characters), closed or not. */
  shellFunctionScans = 0;
  /** PowerShell functions defined so far (any layer), by the name calls use. Null until the first. */
  powershellFunctions: Map<string, PowerShellFunction> | null = null;
  /** Characters of bodies read again for calls with bound parameters (see PowerShellLexer.bindCall), and how many. */
  boundChars = 0;
  boundLayers = 0;
  /** Indices of the commands with an obfuscated word, ascending (what the deobfuscated layer is made of). */
  readonly obfuscatedCommands: number[] = [];
  /**
   * Indices of the PowerShell commands with a word that may call `FromBase64String(` (17 characters,
   * containing "64"), ascending: the unwrapper decodes only in those.
   */
  readonly base64CallCommands: number[] = [];
  private statementCounter = 0;
  /** Most commands analysed for one text; a text with more is abnormal (adversarial) and noted. */
  maxCommands = 200_000;
  exhausted = false;

  /** True (once noted) when the command budget is used up: lexers stop. */
  overBudget(at: Span): boolean {
    if (this.commands.length < this.maxCommands) return false;
    if (!this.exhausted) {
      this.exhausted = true;
      this.note('budget_exhausted', at, 'too many commands to analyse');
    }
    return true;
  }

  addLayer(layer: Layer): number {
    this.layers.push(layer);
    return this.layers.length - 1;
  }

  newStatement(): number {
    return this.statementCounter++;
  }

  newPipeline(): number {
    this.pipelines.push([]);
    return this.pipelines.length - 1;
  }

  /** Adds a command; `nameWord` overrides the word used for the name (computed invocations). */
  addCommand(args: {
    words: Word[];
    redirects: Redirect[];
    span: Span;
    shell: Shell;
    depth: number;
    pipeline: number;
    layer: number;
    statement: number;
    name?: string;
    assignTo?: string;
    invocation?: '&' | '.';
    elevated?: boolean;
  }): number {
    const index = this.commands.length;
    const members = this.pipelines[args.pipeline];
    const position = members ? members.length : 0;
    const first = args.words[0];
    const name = args.name ?? (first ? resolveCommandName(first.value, args.shell) : '');
    const cmd = new CommandImpl(
      name,
      args.words,
      args.redirects.length > 0 ? args.redirects : NO_REDIRECTS,
      args.span,
      args.shell,
      args.depth,
      args.pipeline,
      position,
      args.layer,
      args.statement,
      args.assignTo,
      args.invocation,
      args.elevated === true,
    );
    this.commands.push(cmd);
    // Checked while the words are fresh in the cache: spares later walks over every word of a long script.
    const powershell = args.shell === 'powershell';
    let obfuscated = false;
    let base64Call = false;
    for (let k = 0; k < args.words.length; k++) {
      const w = args.words[k] as Word;
      if (w.obfuscated) obfuscated = true;
      if (powershell && w.value.length >= 17 && w.value.includes('64')) base64Call = true;
    }
    // A deobfuscated redirect target (`>> C:\W^i^n^d^ows\…\hosts`) counts too: the deobfuscated layer shows it.
    for (let k = 0; k < args.redirects.length && !obfuscated; k++) if ((args.redirects[k] as Redirect).target.obfuscated) obfuscated = true;
    if (obfuscated) this.obfuscatedCommands.push(index);
    if (base64Call) this.base64CallCommands.push(index);
    // A pipeline's first member replaces its empty list by an exact one-element list (most pipelines have one command).
    if (members !== undefined) {
      if (members.length === 0) this.pipelines[args.pipeline] = [index];
      else members.push(index);
    }
    return index;
  }

  /**
   * `( curl … || wget … ) | sh`: what the group's commands write goes down the pipe, so each is made a member of
   * `pipeline` ahead of the command that reads it.
   */
  pipeGroupInto(pipeline: number, producers: readonly number[]): void {
    const members = this.pipelines[pipeline];
    if (members === undefined) return;
    for (const index of producers) {
      const cmd = this.commands[index] as CommandImpl;
      cmd.pipeline = pipeline;
      cmd.position = members.length;
      members.push(index);
    }
  }

  deriveCommandLine(command: number, text: DerivedText): void {
    (this.derivedCommandLines ??= new Map()).set(command, text);
  }

  setParent(children: readonly number[], parent: number): void {
    for (let i = 0; i < children.length; i++) {
      const cmd = this.commands[children[i] as number];
      if (cmd && cmd.parent === undefined) cmd.parent = parent;
    }
  }

  note(kind: AnalysisNote['kind'], span: Span, detail?: string): void {
    const n: AnalysisNote = { kind, span };
    if (detail !== undefined) n.detail = detail;
    this.notes.push(n);
  }
}

/** Position of the first element >= `value` in an ascending list (binary search). */
export function firstAtLeast(sorted: readonly number[], value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((sorted[mid] as number) < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Text derived from the words at `span` (decoded, or escapes interpreted). */
export interface DerivedText {
  text: string;
  span: Span;
  origin: Layer['origin'];
  /** The text is the whole command line (a `doskey` macro with its `$*` filled in): the command's arguments are not added. */
  complete?: boolean;
}

/** Variables known while lexing: case-insensitive for PowerShell and cmd. */
/** cmd layers started with delayed expansion on (`cmd /v:on /c …`): `!var!` expands like `%var%`. */
export const DELAYED_EXPANSION_LAYERS = new WeakSet<Layer>();

export class VariableTable {
  private readonly values = new Map<string, string>();
  /** True once an expansion was refused for lack of budget (the analysis is then incomplete, and noted). */
  exhausted = false;
  /**
   * @param expansionBudget characters that expansions may still produce in this analysis: `x=<1 KB>; echo $x $x …`
   *   cannot multiply the text without bound (a value beyond it is treated as unknown).
   */
  constructor(
    private readonly caseInsensitive: boolean,
    inherited?: ReadonlyMap<string, string>,
    private expansionBudget = Number.POSITIVE_INFINITY,
  ) {
    if (inherited) for (const [k, v] of inherited) this.values.set(this.key(k), v);
  }
  /** The value of `name` where the text expands it, or undefined when unknown or over the expansion budget. */
  expand(name: string): string | undefined {
    const value = this.values.get(this.key(name));
    if (value === undefined || this.spend(value.length)) return value;
    return undefined;
  }
  /** Takes `chars` from the expansion budget; false (and nothing taken) when it does not suffice. */
  spend(chars: number): boolean {
    if (chars > this.expansionBudget) {
      this.exhausted = true;
      return false;
    }
    this.expansionBudget -= chars;
    return true;
  }
  private key(name: string): string {
    return this.caseInsensitive ? name.toLowerCase() : name;
  }
  get(name: string): string | undefined {
    return this.values.get(this.key(name));
  }
  set(name: string, value: string): void {
    this.values.set(this.key(name), value);
  }
  delete(name: string): void {
    this.values.delete(this.key(name));
  }
  get size(): number {
    return this.values.size;
  }
  /** Entries whose key starts with `prefix` (lower case), keyed without it. */
  *withPrefix(prefix: string): Generator<[string, string]> {
    for (const [k, v] of this.values) if (k.startsWith(prefix)) yield [k.slice(prefix.length), v];
  }
}
