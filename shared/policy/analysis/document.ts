/**
 * The analysed form of a text that rules read. Produced by `analyse()` (analysis/analyse.ts).
 *
 * Everything a rule reports must be expressed as spans of the ORIGINAL text, so the
 * analysis keeps, for every character it derives (after Unicode normalisation, escape
 * removal, quote joining, concatenation folding, decoding), where it came from.
 * Characters produced by decoding (base64, -EncodedCommand, char arrays …) map to the
 * span of the encoded source they were decoded from.
 */
import type { Platform, Shell, Span } from '../types';

export interface Word {
  /** Deobfuscated value: quotes removed, shell escapes (backtick, caret, backslash) resolved, constant concatenations folded. Case preserved. */
  value: string;
  /** `value` in lower case, for matching. */
  lower: string;
  /** Where the word stands in the original text. */
  span: Span;
  /** True when the word was (partly) quoted in the source. */
  quoted?: boolean;
  /** True when escapes, split quotes, concatenation, format strings, substrings or similar tricks were resolved to get `value`. */
  obfuscated?: boolean;
  /** Indices into Document.commands of commands nested inside this word (`(…)`, `$(…)`, backticks, `<(…)`). */
  nested?: number[];
}

export interface Redirect {
  op: '>' | '>>' | '<' | '2>' | '2>>' | '&>';
  target: Word;
  /** The target is the body of a here-document / here-string (its value is the text fed to stdin). */
  heredoc?: boolean;
}

export interface SimpleCommand {
  /**
   * The command word resolved for matching: lower case, directory and quotes removed,
   * Windows executable extension (.exe .com .bat .cmd .ps1) removed, PowerShell aliases
   * resolved to the cmdlet (`iex` → `invoke-expression`, `iwr` → `invoke-webrequest`,
   * `saps`/`start` → `start-process` in PowerShell …). Empty for a pure expression statement.
   */
  name: string;
  /** All words including the command word (words[0]). */
  words: Word[];
  /** Redirections attached to this command. */
  redirects: Redirect[];
  span: Span;
  shell: Shell;
  /** 0 for text as written; 1+ for text decoded or unwrapped from inside another command (cmd /c "…", bash -c '…', -EncodedCommand, $(…), iex of a constant string). */
  depth: number;
  /** Index into Document.pipelines. */
  pipeline: number;
  /** Position inside its pipeline (0 = first). */
  position: number;
  /** Index into Document.layers of the layer this command was parsed from. */
  layer: number;
  /** Index into Document.commands of the command in one of whose words this command is nested (`iex (irm …)` → irm's parent is iex). */
  parent?: number;
  /** Top-level statement id (unique within the document): commands of one statement, nested ones included, share it. */
  statement?: number;
  /** When the output of this command's pipeline is assigned to a variable (`$x = …`, `X=$(…)`, `set /p`), the variable name (lower case for PowerShell and cmd). */
  assignTo?: string;
  /** Set when the command was invoked with PowerShell's call (`&`) or dot-source (`.`) operator on a computed or quoted target. */
  invocation?: '&' | '.';
  /** True when a POSIX command runs through sudo, doas or pkexec (as root unless another user is named). */
  elevated?: boolean;
  /** The working directory an earlier `cd`/`Set-Location` of the text moved to, when it is a known path (see `resolvePath`). */
  directory?: string;
}

/** A POSIX shell function definition (`name() { … }`, `function name { … }`). */
export interface ShellFunction {
  name: string;
  /** The definition, name to closing brace. */
  span: Span;
  /** Whether the body reads typed input without echoing it (`read -s`, `stty -echo`): how a password is asked for. */
  readsSilently: boolean;
}

/** A variable assignment seen in the text (`$x = …`, `X=…`, `set X=…`). */
export interface Assignment {
  /** Variable name without sigil; lower case for PowerShell and cmd (case-insensitive there). */
  name: string;
  /** The assigned value when it is a constant (after deobfuscation); undefined when computed. */
  value?: string;
  /** Index into Document.pipelines of the pipeline whose output is assigned, when computed. */
  pipeline?: number;
  shell: Shell;
  span: Span;
}

/** A body of text that was analysed: the original, or something decoded/unwrapped from it. */
export interface Layer {
  /** Flat, deobfuscated text of this layer (Unicode-normalised, escapes resolved). */
  text: string;
  /** Lower-case `text` (same length), for case-insensitive search. */
  lower: string;
  shell: Shell;
  depth: number;
  /** How this layer came about. */
  origin:
    | 'original'
    | 'base64'
    | 'encoded_command'
    | 'nested_shell'
    | 'substitution'
    | 'char_codes'
    | 'constant_string'
    /** The text earlier commands wrote to a file (`echo … >> f`, a here-document), where the file is run. */
    | 'written_file'
    /** A PowerShell function or script block body read again with its parameters bound to a call's arguments. */
    | 'bound_call'
    /** Words of the layer above after deobfuscation (escapes, split quotes, concatenation, format strings, variables), joined by spaces. */
    | 'deobfuscated';
  /** Maps an offset in `text` to a span of the original text. */
  toOriginal(start: number, end: number): Span;
}

export interface Document {
  original: string;
  shell: Shell;
  platform: Platform;
  layers: Layer[];
  commands: SimpleCommand[];
  /** Commands grouped per pipeline, in order of appearance (indices into `commands`). */
  pipelines: number[][];
  /** Findings made during analysis itself (encoded payloads, Unicode tricks, heavy obfuscation). */
  notes: AnalysisNote[];
  /**
   * Case-insensitive search for `needle` (lower case) over every layer.
   * Returns original-text spans. Linear in the size of the layers.
   */
  search(needle: string): Span[];
  /** Variable assignments, in order of appearance (all layers). */
  assignments?: Assignment[];
  /** POSIX shell functions defined in the text (any layer), in order; undefined when none is. */
  shellFunctions?: readonly ShellFunction[];
  /** Variables known before this text (assigned in earlier lines of the session), as passed to `analyse()`. */
  inheritedVariables?: ReadonlyMap<string, string>;
}

export interface AnalysisNote {
  kind:
    | 'encoded_command'
    | 'base64_decoded'
    | 'char_code_decoded'
    | 'escape_obfuscation'
    | 'string_building'
    | 'computed_invocation'
    | 'unicode_zero_width'
    | 'unicode_bidi'
    | 'unicode_fullwidth'
    | 'depth_limit'
    /** A variable used in a way that only serves to hide text, e.g. `$IFS` between words. */
    | 'variable_obfuscation'
    /** Analysis stopped early (size budget); rules should treat the text with suspicion. */
    | 'budget_exhausted';
  span: Span;
  detail?: string;
}
