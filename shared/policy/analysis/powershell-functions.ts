/**
 * PowerShell functions and script blocks called with arguments: `function Start-Detached([string]$CommandLine) { … }`
 * then `Start-Detached -CommandLine $line`, or `Start-Job -ArgumentList $exe, $token -ScriptBlock { param($e, $t) … }`.
 * The body was lexed where it was written, with its parameters unknown (or at their defaults); what it does with
 * the caller's values is only visible when the body is read again with the parameters bound. This module reads
 * the declarations (which parameters, in which order, which are switches) and matches a call's arguments to them.
 * Linear scans over the declaration text; no regular expressions.
 */

export interface DeclaredParameter {
  /** Lower case, without `$`. */
  name: string;
  /** `[switch]$Force`: named without a value. */
  switch: boolean;
}

export interface PowerShellFunction {
  parameters: DeclaredParameter[];
  /** The layer the body was written in, and the body's place in that layer's text (inside the braces). */
  layer: number;
  bodyStart: number;
  bodyEnd: number;
  /** Calls already read again with bound parameters (a cap keeps many calls from multiplying work). */
  bindings: number;
  /** The bindings already made (the same arguments twice are read once). */
  seen: Set<string>;
}

/** Most parameters read from one declaration. */
const MAX_PARAMETERS = 32;

/**
 * The parameters declared in `text[from, to)`: the inside of `param( … )` or of a function's `( … )`. A parameter is
 * the first `$name` of each top-level comma-separated item, outside attributes (`[Parameter(Mandatory=$true)]`),
 * type literals and defaults.
 */
export function declaredParameters(text: string, from: number, to: number): DeclaredParameter[] {
  const out: DeclaredParameter[] = [];
  let depth = 0;
  let itemHasName = false;
  let itemStart = from;
  let inDefault = false;
  for (let i = from; i < to && out.length < MAX_PARAMETERS; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x27 /* ' */ || c === 0x22 /* " */) {
      i = quotedEnd(text, i, to) - 1;
      continue;
    }
    if (c === 0x23 /* # */ && depth === 0) {
      i = commentEnd(text, i, to) - 1;
      continue;
    }
    if (c === 0x28 || c === 0x5b || c === 0x7b) depth++;
    else if (c === 0x29 || c === 0x5d || c === 0x7d) depth = Math.max(0, depth - 1);
    else if (depth > 0) continue;
    else if (c === 0x2c /* , */) {
      itemHasName = false;
      inDefault = false;
      itemStart = i + 1;
    } else if (c === 0x3d /* = */) inDefault = true;
    else if (c === 0x24 /* $ */ && !itemHasName && !inDefault) {
      let j = i + 1;
      while (j < to && isIdentifierCode(text.charCodeAt(j))) j++;
      if (j > i + 1) {
        const declaredAs = text.slice(itemStart, i).toLowerCase();
        out.push({ name: text.slice(i + 1, j).toLowerCase(), switch: declaredAs.includes('[switch]') });
        itemHasName = true;
      }
      i = j - 1;
    }
  }
  return out;
}

/**
 * The parameters of a block body (`text[from, to)`, inside the braces) that opens with `param( … )`, after blanks,
 * comments and attributes (`[CmdletBinding()]`); null when it has no such block.
 */
export function blockParameters(text: string, from: number, to: number): DeclaredParameter[] | null {
  let i = from;
  for (;;) {
    while (i < to && isBlank(text.charCodeAt(i))) i++;
    if (text[i] === '#') i = commentEnd(text, i, to);
    else if (text[i] === '<' && text[i + 1] === '#') {
      const close = text.indexOf('#>', i + 2);
      i = close < 0 || close >= to ? to : close + 2;
    } else if (text[i] === '[') i = bracketEnd(text, i, to);
    else break;
  }
  if (i + 5 > to || text.slice(i, i + 5).toLowerCase() !== 'param') return null;
  i += 5;
  while (i < to && isBlank(text.charCodeAt(i))) i++;
  if (text[i] !== '(') return null;
  const end = bracketEnd(text, i, to);
  return declaredParameters(text, i + 1, end - 1);
}

/** One argument of a call as the lexer knows it: its value when known, whether it is a bare `-Name` word. */
export interface CallArgument {
  value: string | undefined;
  /** `-Name` written bare (not quoted): a parameter name, not a value. */
  option: string | undefined;
  /** Index of the argument's element (for its span). */
  index: number;
}

/**
 * Parameter name → index of the argument bound to it, for the arguments whose value is known: `-Name value` by name
 * (or a unique prefix of it), the other arguments in order to the parameters not named and not switches.
 */
export function bindArguments(parameters: readonly DeclaredParameter[], args: readonly CallArgument[]): Map<string, number> {
  const bound = new Map<string, number>();
  const named = new Set<string>();
  const positional: CallArgument[] = [];
  for (let a = 0; a < args.length; a++) {
    const arg = args[a] as CallArgument;
    if (arg.option === undefined) {
      positional.push(arg);
      continue;
    }
    // An unknown name (a common parameter like -Verbose) is taken for a switch.
    const parameter = parameterNamed(parameters, arg.option);
    if (parameter === undefined || parameter.switch) continue;
    named.add(parameter.name);
    const next = args[a + 1];
    if (next === undefined || next.option !== undefined) continue;
    a++;
    if (next.value !== undefined) bound.set(parameter.name, next.index);
  }
  let k = 0;
  for (const parameter of parameters) {
    if (parameter.switch || named.has(parameter.name)) continue;
    const arg = positional[k++];
    if (arg === undefined) break;
    if (arg.value !== undefined) bound.set(parameter.name, arg.index);
  }
  return bound;
}

/** `-Comp` names `$ComputerName` when no other parameter starts so (PowerShell accepts unique prefixes). */
function parameterNamed(parameters: readonly DeclaredParameter[], option: string): DeclaredParameter | undefined {
  let prefixed: DeclaredParameter | undefined;
  let prefixes = 0;
  for (const p of parameters) {
    if (p.name === option) return p;
    if (p.name.startsWith(option)) {
      prefixed = p;
      prefixes++;
    }
  }
  return prefixes === 1 ? prefixed : undefined;
}

/** `Start-Detached`, `global:Start-Detached`: the name a call uses, lower case (scope prefix removed). */
export function functionName(written: string): string {
  let name = written.toLowerCase();
  const colon = name.indexOf(':');
  if (colon > 0) {
    const scope = name.slice(0, colon);
    if (scope === 'global' || scope === 'script' || scope === 'local' || scope === 'private') name = name.slice(colon + 1);
  }
  return name;
}

/** A single-quoted PowerShell literal of `value` (quotes doubled). */
export function singleQuoted(value: string): string {
  return "'" + value.replaceAll("'", "''") + "'";
}

function quotedEnd(text: string, at: number, to: number): number {
  const q = text[at];
  for (let i = at + 1; i < to; i++) {
    const c = text[i];
    if (c === '`' && q === '"') i++;
    else if (c === q) {
      if (text[i + 1] === q) i++;
      else return i + 1;
    }
  }
  return to;
}

function commentEnd(text: string, at: number, to: number): number {
  const nl = text.indexOf('\n', at);
  return nl < 0 || nl >= to ? to : nl + 1;
}

/** The index after the bracket that closes the one at `at` (any of `(`, `[`, `{`; quotes skipped). */
export function bracketEnd(text: string, at: number, to: number): number {
  let depth = 0;
  for (let i = at; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x27 || c === 0x22) i = quotedEnd(text, i, to) - 1;
    else if (c === 0x28 || c === 0x5b || c === 0x7b) depth++;
    else if (c === 0x29 || c === 0x5d || c === 0x7d) {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return to;
}

function isBlank(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

function isIdentifierCode(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x5f;
}
