/**
 * `analyse()`: text → Document. Unicode hygiene, shell detection, lexing of the original and of
 * every nested/decoded layer (breadth first, bounded depth and total size), notes, search.
 */
import { DocBuilder, firstAtLeast, LIMITS, VariableTable } from './builder';
import { followDirectories } from './directories';
import type { AnalysisNote, Assignment, Document, Layer, ShellFunction, SimpleCommand, Word } from './document';
import { originalLayer, PieceTextBuilder } from './layer';
import { lexCmd } from './lex-cmd';
import { lexPosix } from './lex-posix';
import { lexPowerShell } from './lex-powershell';
import { detectShell } from './shell-detect';
import { sanitiseUnicode } from './unicode';
import { Unwrapper } from './unwrap';
import { WrittenFiles } from './written-files';
import type { Platform, Shell, ShellOrAuto, Span } from '../types';

export interface AnalyseOptions {
  /** Variables assigned in earlier lines of the session (name → value). */
  variables?: ReadonlyMap<string, string>;
}

export function analyse(text: string, shell: ShellOrAuto, platform: Platform, options: AnalyseOptions = {}): Document {
  const sanitised = sanitiseUnicode(text);
  const resolved: Shell = shell === 'auto' ? detectShell(sanitised.text, platform) : shell;
  const b = new DocBuilder();
  b.maxCommands = 20_000 + (text.length >> 4);
  for (const n of sanitised.notes) b.notes.push(n);

  const root = originalLayer(sanitised.text, text.length, resolved, sanitised.starts, sanitised.ends);
  const unwrapper = new Unwrapper(b, text, platform);
  const writtenFiles = new WrittenFiles(b);
  const tables = new Map<string, VariableTable>();

  // Derived layers together may not exceed the input's own size (plus a little): nesting cannot multiply work.
  const derivedBudget = Math.min(LIMITS.maxDerivedChars, text.length + 65536);
  // Layers scale with the input like commands do: a long script may hold many `cmd /c …` lines.
  const maxLayers = LIMITS.maxLayers + (text.length >> 6);
  // Variable expansions together may produce as much text as the input (plus a little), never more.
  const expansionBudget = text.length + 65536;
  const queue: Layer[] = [root];
  for (let q = 0; q < queue.length; q++) {
    const layer = queue[q] as Layer;
    const layerIndex = b.addLayer(layer);
    const before = b.commands.length;
    const target = {
      text: layer.text,
      layer,
      layerIndex,
      depth: layer.depth,
      builder: b,
      vars: variablesFor(tables, layer.shell, options.variables, expansionBudget),
    };
    if (layer.shell === 'powershell') lexPowerShell(target);
    else if (layer.shell === 'cmd') lexCmd(target);
    else lexPosix(target, layer.shell);
    const after = b.commands.length;
    addDeobfuscatedLayer(b, before, after, layer);
    if (layer.depth >= LIMITS.maxDepth) continue;
    const found = unwrapper.find(before, after, layer.depth + 1);
    for (const replayed of writtenFiles.find(before, after, layer.depth + 1)) found.push(replayed);
    for (const nested of found) {
      // A body read again for a call (see PowerShellLexer.bindCall) only adds detail to what was read: it may use half
      // the budgets at most, leaving the rest to what must be read, and is dropped silently when there is no room.
      if (nested.layer.origin === 'bound_call' && !roomToReread(b, nested.layer, derivedBudget, queue.length, maxLayers)) continue;
      if (b.derivedChars + nested.layer.text.length > derivedBudget || queue.length >= maxLayers) {
        b.note('budget_exhausted', nested.layer.toOriginal(0, nested.layer.text.length));
        continue;
      }
      if (nested.layer.depth >= LIMITS.maxDepth) {
        b.note('depth_limit', nested.layer.toOriginal(0, nested.layer.text.length));
      }
      b.derivedChars += nested.layer.text.length;
      // Decoded data that nothing runs is searchable, not lexed into commands.
      if (nested.lex) queue.push(nested.layer);
      else b.addLayer(nested.layer);
    }
  }

  followDirectories(b);
  for (const table of tables.values()) {
    if (table.exhausted) b.note('budget_exhausted', { start: 0, end: 0 }, 'too many variable expansions to follow');
  }
  const doc = new AnalysedDocument(text, resolved, platform, b);
  if (options.variables) doc.inheritedVariables = options.variables;
  return doc;
}

/** Whether a bound body fits in half of each budget (commands counted as if every second character made one). */
function roomToReread(b: DocBuilder, layer: Layer, derivedBudget: number, layers: number, maxLayers: number): boolean {
  const n = layer.text.length;
  return b.derivedChars + n <= derivedBudget >> 1 && layers < maxLayers >> 1 && b.commands.length + (n >> 1) < b.maxCommands >> 1;
}

/** The Document handed to rules (a class rather than an object literal with closures: built for every text). */
class AnalysedDocument implements Document {
  readonly layers: Layer[];
  readonly commands: SimpleCommand[];
  readonly pipelines: number[][];
  readonly notes: AnalysisNote[];
  readonly assignments: Assignment[];
  readonly shellFunctions?: readonly ShellFunction[];
  inheritedVariables?: ReadonlyMap<string, string>;
  constructor(
    readonly original: string,
    readonly shell: Shell,
    readonly platform: Platform,
    b: DocBuilder,
  ) {
    this.layers = b.layers;
    this.commands = b.commands;
    this.pipelines = b.pipelines;
    this.notes = b.notes;
    this.assignments = b.assignments;
    if (b.shellFunctions !== null) this.shellFunctions = b.shellFunctions;
  }

  // A method, not a function bound per document: nothing is built for it when a one-line text is analysed.
  search(needle: string): Span[] {
    return searchLayers(this.layers, needle);
  }
}

/** Each shell family keeps its own variables: a nested `cmd /c` does not see PowerShell's. */
function variablesFor(
  tables: Map<string, VariableTable>,
  shell: Shell,
  inherited: ReadonlyMap<string, string> | undefined,
  expansionBudget: number,
): VariableTable {
  const family = shell === 'powershell' ? 'ps' : shell === 'cmd' ? 'cmd' : 'posix';
  let t = tables.get(family);
  if (!t) {
    t = new VariableTable(family !== 'posix', inherited, expansionBudget);
    tables.set(family, t);
  }
  return t;
}

/**
 * When words were deobfuscated (escapes, split quotes, string building, variables), keep their
 * joined values as a searchable layer: `search('downloadstring')` then finds `'Down'+'loadString'`.
 * The layer is not lexed again (its commands are already in the document).
 */
function addDeobfuscatedLayer(b: DocBuilder, from: number, to: number, source: Layer): void {
  // Only commands with a deobfuscated word: their words, once (nested groups repeat inside parents' words).
  const obfuscated = b.obfuscatedCommands;
  const first = firstAtLeast(obfuscated, from);
  if (first >= obfuscated.length || (obfuscated[first] as number) >= to) return;
  const builder = new PieceTextBuilder();
  const limit = Math.min(LIMITS.maxDerivedChars, 2 * source.text.length + 4096);
  for (let j = first; j < obfuscated.length && builder.size < limit; j++) {
    const i = obfuscated[j] as number;
    if (i >= to) break;
    const cmd = b.commands[i] as SimpleCommand;
    if (builder.size > 0) builder.separator('\n');
    for (let k = 0; k < cmd.words.length; k++) {
      const w = cmd.words[k] as Word;
      if (k > 0) builder.separator(' ');
      // A command word the lexer resolved to a program the text never spells (`/???/bin/m???f?` → mkfifo) reads as that program.
      const resolvedName = k === 0 && cmd.name !== '' && w.obfuscated && !w.lower.includes(cmd.name);
      builder.append(resolvedName ? cmd.name : w.value.length > 65536 ? w.value.slice(0, 65536) : w.value, w.span);
    }
    for (const r of cmd.redirects) {
      if (r.heredoc || !r.target.obfuscated) continue;
      builder.separator(` ${r.op} `);
      builder.append(r.target.value.length > 65536 ? r.target.value.slice(0, 65536) : r.target.value, r.target.span);
    }
  }
  if (builder.size === 0) return;
  // Registered as a layer only (searchable), never queued for lexing.
  b.addLayer(builder.build(source.shell, source.depth, 'deobfuscated'));
}

function searchLayers(layers: readonly Layer[], needle: string): Span[] {
  const out: Span[] = [];
  if (needle.length === 0) return out;
  const seen = new Set<string>();
  const lowerNeedle = needle.toLowerCase();
  for (const layer of layers) {
    const hay = layer.lower;
    let from = 0;
    for (;;) {
      const i = hay.indexOf(lowerNeedle, from);
      if (i < 0) break;
      const span = layer.toOriginal(i, i + lowerNeedle.length);
      const key = span.start + ':' + span.end;
      if (!seen.has(key)) {
        seen.add(key);
        out.push(span);
      }
      from = i + 1;
    }
  }
  return out;
}
