/**
 * Constant folding of PowerShell string building: `'Down'+'loadString'`, `"{1}{0}" -f 'ex','i'`,
 * `-join`, `[char]105`, `[char[]](105,101,120)`, `-replace` with literal patterns.
 * Operates on the elements of one command/expression, left to right, in linear time.
 */
import { LIMITS } from './builder';

export interface Element {
  /** Flattened, deobfuscated text of the element. */
  text: string;
  /** Known constant value (string literal, folded expression, known variable …). */
  constant?: string;
  /** Known list of constants (`1,2,3`, `(105,101)`, `[char[]]…`). */
  list?: string[];
  /** Text of the element as a type literal (`[char]`, `[convert]`), lower case, when it is exactly one. */
  type?: string;
  start: number;
  end: number;
  quoted: boolean;
  obfuscated: boolean;
  /** Built from pieces (concatenation, format, join, char codes) rather than written out. */
  built: boolean;
  nested: number[];
  /** The element is a bare operator/word like `-f`, `+`, `,`, `&`, `=`. */
  op?: string;
  /** Set on variable elements: the variable name (lower case). */
  variable?: string;
}

function charFromCode(code: string): string | null {
  const t = code.trim();
  let n: number;
  if (/^0x[0-9a-f]{1,6}$/i.test(t)) n = parseInt(t.slice(2), 16);
  else if (/^[0-9]{1,7}$/.test(t)) n = parseInt(t, 10);
  else return null;
  if (!(n >= 0 && n <= 0x10ffff)) return null;
  return String.fromCodePoint(n);
}

/**
 * `-join (105,101,120 | % {[char]$_})`, `-join ('69','65','78' | % {[char][convert]::ToInt32($_,16)})`:
 * character codes piped through ForEach-Object into `[char]` and joined → the string, else null.
 * Matched on the group's text (the pipeline inside a group is not folded by the lexer).
 */
const CODE_ITEM = String.raw`(?:'[0-9a-fx]{1,8}'|"[0-9a-fx]{1,8}"|[0-9a-fx]{1,8})`;
const CHAR_CODE_PIPELINE = new RegExp(
  String.raw`-join\s*\(\s*(?:\(\s*)?(${CODE_ITEM}(?:\s*,\s*${CODE_ITEM}){0,255})\s*(?:\)\s*)?\|\s*(?:%|foreach-object|foreach)\s*\{\s*\[char\]\s*(?:\[int\]\s*)?(?:\$_|\[convert\]::toint32\(\s*\$_\s*,\s*(2|8|10|16)\s*\))\s*\}\s*\)`,
);
export function charCodePipeline(text: string, whole = false): string | null {
  if (text.length > 4096) return null;
  const lower = text.toLowerCase();
  if (!lower.includes('[char]') || !lower.includes('-join')) return null;
  const m = CHAR_CODE_PIPELINE.exec(lower);
  // `whole`: the pipeline must be all of the text (a group's value), not a part of it.
  if (!m || (whole && (m.index !== 0 || m[0].length !== lower.trimEnd().length))) return null;
  const radix = m[2] ? Number(m[2]) : 10;
  let out = '';
  for (const raw of (m[1] as string).split(',')) {
    const item = raw.trim().replace(/['"]/g, '');
    const n = radix === 10 && item.startsWith('0x') ? parseInt(item.slice(2), 16) : parseInt(item, radix);
    if (!(n >= 0 && n <= 0x10ffff)) return null;
    out += String.fromCodePoint(n);
  }
  return out;
}

/** `[char[]]` applied to a list of codes (or a string) → the string. */
function charsFromList(list: readonly string[]): string | null {
  let out = '';
  for (const item of list) {
    const c = charFromCode(item);
    if (c === null) {
      if (item.length === 1) out += item;
      else return null;
    } else out += c;
  }
  return out;
}

/** .NET composite format with indices only (`{0}`, `{1,5}`, `{0:x}` formats ignored). */
export function formatString(format: string, args: readonly string[]): string | null {
  let out = '';
  let i = 0;
  while (i < format.length) {
    const c = format[i];
    if (c === '{') {
      if (format[i + 1] === '{') {
        out += '{';
        i += 2;
        continue;
      }
      let j = i + 1;
      let num = '';
      while (j < format.length && format[j] !== '}' && format[j] !== ',' && format[j] !== ':') num += format[j++];
      while (j < format.length && format[j] !== '}') j++;
      const idx = Number(num.trim());
      const arg = Number.isInteger(idx) ? args[idx] : undefined;
      if (arg === undefined) return null;
      out += arg;
      i = j + 1;
      continue;
    }
    if (c === '}' && format[i + 1] === '}') {
      out += '}';
      i += 2;
      continue;
    }
    out += c;
    i++;
    if (out.length > LIMITS.maxConstant) return null;
  }
  return out;
}

function merge(a: Element, b: Element, text: string, built: boolean): Element {
  return {
    text,
    constant: text,
    start: Math.min(a.start, b.start),
    end: Math.max(a.end, b.end),
    quoted: a.quoted || b.quoted,
    obfuscated: a.obfuscated || b.obfuscated || built,
    built: built || a.built || b.built,
    nested: b.nested.length > 0 ? a.nested.concat(b.nested) : a.nested,
  };
}

function listItems(e: Element): string[] | undefined {
  if (e.list) return e.list;
  return e.constant !== undefined ? [e.constant] : undefined;
}

/**
 * Folds the constant parts of an element sequence in two linear passes over a stack:
 * 1. casts (`[char] 105`) and comma lists (`'a','b'` → one list element);
 * 2. `+`, `-f`, `-join` (unary and binary) and literal `-replace`, left-associative.
 */
export function foldElements(input: readonly Element[], keepPartialText = false): Element[] {
  // Without an operator or a cast there is nothing to fold (`$a -lt $b`, `$x.Name`): the common case.
  if (!input.some(isFoldable)) return input.slice();
  const lists: Element[] = [];
  // Lists merged here (extended in place); created on the first merge, as most sequences have none.
  let owned: Set<Element> | null = null;
  for (const e of input) {
    let cur = e;
    const top = lists[lists.length - 1];
    if (top?.type && !top.op) {
      const cast = castValue(top.type, cur);
      if (cast !== null) {
        lists.pop();
        cur = { ...merge(top, cur, cast.text, true), list: cast.list };
      }
    }
    const sep = lists[lists.length - 1];
    const before = lists[lists.length - 2];
    if (sep?.op === ',' && before && !before.op) {
      const left = listItems(before);
      const right = listItems(cur);
      if (left && right && left.length + right.length <= 1_000_000 && owned !== null && owned.has(before)) {
        // Lists built here are extended in place, so a long `1,2,3,…` stays linear and allocation-free.
        lists.pop();
        for (const r of right) left.push(r);
        before.text = before.text.length < 65536 ? before.text + ',' + cur.text : before.text;
        before.end = Math.max(before.end, cur.end);
        before.quoted = before.quoted || cur.quoted;
        before.obfuscated = before.obfuscated || cur.obfuscated;
        before.built = before.built || cur.built;
        if (cur.nested.length > 0) before.nested = before.nested.concat(cur.nested);
        continue;
      }
      if (left && right && left.length + right.length <= 1_000_000) {
        lists.length -= 2;
        const items = left.slice();
        for (const r of right) items.push(r);
        const merged: Element = {
          text: before.text + ',' + cur.text,
          list: items,
          start: Math.min(before.start, cur.start),
          end: Math.max(before.end, cur.end),
          quoted: before.quoted || cur.quoted,
          obfuscated: before.obfuscated || cur.obfuscated,
          built: before.built || cur.built,
          nested: cur.nested.length > 0 ? before.nested.concat(cur.nested) : before.nested,
        };
        (owned ??= new Set()).add(merged);
        cur = merged;
      }
    }
    lists.push(cur);
  }

  const out: Element[] = [];
  for (const e of lists) {
    out.push(e);
    reduceTop(out, keepPartialText);
  }
  return out;
}

/** Only operators (`+`, `,`, `-f` …) and casts (`[char]`) take part in folding. */
function isFoldable(e: Element): boolean {
  return e.op !== undefined || e.type !== undefined;
}

/** Reduces the top of the stack while an operator with known operands is there. */
function reduceTop(out: Element[], keepPartialText: boolean): void {
  for (;;) {
    const n = out.length;
    const right = out[n - 1];
    const op = out[n - 2];
    if (!right || !op?.op || right.op) return;
    const left = out[n - 3];
    const leftIsOperand = left !== undefined && left.op === undefined;
    let folded: Element | null = null;
    let take = 0;
    if (op.op === '-join' && !leftIsOperand) {
      const items = listItems(right);
      if (items) {
        folded = merge(op, right, items.join(''), true);
        take = 2;
      }
    } else if (leftIsOperand && left) {
      const lv = left.constant;
      if (op.op === '+' && lv !== undefined && right.constant !== undefined && lv.length + right.constant.length <= LIMITS.maxConstant) {
        folded = merge(left, right, lv + right.constant, true);
      } else if (
        op.op === '+' &&
        keepPartialText &&
        left.nested.length === 0 &&
        right.nested.length === 0 &&
        left.text.length + right.text.length <= 4096
      ) {
        // `$env:SystemRoot + "\x.exe"`: not constant, but the text is enough to follow a path.
        folded = merge(left, right, left.text + right.text, false);
        folded.constant = undefined;
      } else if (op.op === '-f' && lv !== undefined) {
        const items = listItems(right);
        const text = items ? formatString(lv, items) : null;
        if (text !== null) folded = merge(left, right, text, true);
      } else if (op.op === '-join' && right.constant !== undefined) {
        const items = listItems(left);
        if (items) folded = merge(left, right, items.join(right.constant), true);
      } else if ((op.op === '-replace' || op.op === '-creplace' || op.op === '-ireplace') && lv !== undefined) {
        const items = listItems(right);
        const pattern = items?.[0] === undefined ? null : literalPattern(items[0]);
        const replacement = items?.[1] ?? '';
        // `$1`, `$&` … in the replacement refer to the match.
        if (items && pattern && items.length <= 2 && !replacement.includes('$')) {
          const text = op.op === '-creplace' ? lv.split(pattern).join(replacement) : replaceAllInsensitive(lv, pattern, replacement);
          folded = merge(left, right, text, true);
        }
      }
      take = 3;
    }
    if (!folded) return;
    out.length -= take;
    out.push(folded);
  }
}

const REGEX_SPECIAL = '\\^$.|?*+()[]{}';

/**
 * The text a `-replace` pattern matches when it matches only one literal text: no regex metacharacters, or
 * only escaped ones (`'\.'`, `'\$'`); null otherwise (and for an empty pattern).
 */
export function literalPattern(pattern: string): string | null {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === '\\') {
      const next = pattern[i + 1];
      // `\d`, `\w`, `\n` … are classes or escapes with a meaning of their own.
      if (next === undefined || !REGEX_SPECIAL.includes(next)) return null;
      out += next;
      i++;
    } else if (REGEX_SPECIAL.includes(c)) return null;
    else out += c;
  }
  return out.length > 0 ? out : null;
}

function replaceAllInsensitive(text: string, pattern: string, replacement: string): string {
  const lower = text.toLowerCase();
  const p = pattern.toLowerCase();
  let out = '';
  let i = 0;
  for (;;) {
    const j = lower.indexOf(p, i);
    if (j < 0) break;
    out += text.slice(i, j) + replacement;
    i = j + p.length;
    if (out.length > LIMITS.maxConstant) return text;
  }
  return out + text.slice(i);
}

/** Value of a cast like `[char]105`, `[char[]](105,101)` or `[string]'x'`. */
export function castValue(type: string, operand: Element): { text: string; list?: string[] } | null {
  const t = type.replace(/\s+/g, '').toLowerCase();
  if (t === '[char]' || t === '[system.char]') {
    const v = operand.constant;
    if (v === undefined) return null;
    const c = charFromCode(v);
    return c === null ? null : { text: c };
  }
  if (t === '[char[]]' || t === '[system.char[]]') {
    const items = operand.list ?? (operand.constant !== undefined ? [operand.constant] : null);
    if (!items) return null;
    const chars = items.length === 1 && charFromCode(items[0] as string) === null ? (items[0] as string) : charsFromList(items);
    if (chars === null) return null;
    return { text: chars, list: Array.from(chars) };
  }
  if (t === '[string]' || t === '[system.string]') {
    if (operand.list) return { text: operand.list.join(' ') };
    return operand.constant !== undefined ? { text: operand.constant } : null;
  }
  return null;
}

/** Longest index expression read (`[-1..-($s.Length)]` and the like are short). */
const MAX_INDEX_TEXT = 256;

/**
 * Characters of `value` selected by the index expression `index` (the text between `[` and `]`): an integer,
 * a range `a..b` or a comma list of them, integers possibly negative (from the end) and written as small sums
 * of integers and `$name.Length` (known through `lengthOf`). Out-of-range items select nothing, as PowerShell
 * yields `$null` for them. Null when the expression is anything else or selects more than LIMITS.maxConstant.
 */
export function indexChars(value: string, index: string, lengthOf: (name: string) => number | undefined): string[] | null {
  if (index.length > MAX_INDEX_TEXT) return null;
  const reader = new IndexReader(index, lengthOf);
  const out: string[] = [];
  for (;;) {
    const from = reader.sum(0);
    if (from === null) return null;
    let to = from;
    if (reader.take('..')) {
      const end = reader.sum(0);
      if (end === null) return null;
      to = end;
    }
    // A range longer than the string selects nothing more than the string itself (and would only cost time).
    if (Math.abs(to - from) > 2 * value.length + 2 || out.length + value.length > LIMITS.maxConstant) return null;
    const step = to >= from ? 1 : -1;
    for (let i = from; ; i += step) {
      const at = i < 0 ? value.length + i : i;
      const c = value[at];
      if (c !== undefined) out.push(c);
      if (i === to) break;
    }
    if (!reader.take(',')) break;
  }
  return reader.atEnd() ? out : null;
}

/** Reads the integer expressions of an index (see indexChars); every method consumes at least what it accepts. */
class IndexReader {
  private pos = 0;
  constructor(
    private readonly text: string,
    private readonly lengthOf: (name: string) => number | undefined,
  ) {}

  private blanks(): void {
    while (this.text[this.pos] === ' ' || this.text[this.pos] === '\t') this.pos++;
  }

  take(token: string): boolean {
    this.blanks();
    if (!this.text.startsWith(token, this.pos)) return false;
    this.pos += token.length;
    return true;
  }

  atEnd(): boolean {
    this.blanks();
    return this.pos >= this.text.length;
  }

  /** `term (('+'|'-') term)*`; `depth` bounds the parentheses (the text itself is bounded too). */
  sum(depth: number): number | null {
    let total = this.term(depth);
    if (total === null) return null;
    for (;;) {
      this.blanks();
      const c = this.text[this.pos];
      // `..` is the range operator, not a sign.
      if ((c !== '+' && c !== '-') || this.text.startsWith('..', this.pos)) return total;
      this.pos++;
      const next = this.term(depth);
      if (next === null) return null;
      total = c === '+' ? total + next : total - next;
    }
  }

  /** `-term`, an integer, `( sum )` or `$name.Length`. */
  private term(depth: number): number | null {
    this.blanks();
    const c = this.text[this.pos];
    if (c === '-') {
      this.pos++;
      const t = this.term(depth);
      return t === null ? null : -t;
    }
    if (c === '(') {
      if (depth >= 4) return null;
      this.pos++;
      const inner = this.sum(depth + 1);
      return inner !== null && this.take(')') ? inner : null;
    }
    if (c === '$') {
      const start = ++this.pos;
      while (this.pos < this.text.length && /[\w:]/.test(this.text[this.pos] as string)) this.pos++;
      const name = this.text.slice(start, this.pos).toLowerCase();
      const member = this.text.slice(this.pos, this.pos + 7).toLowerCase();
      if (member === '.length') this.pos += 7;
      else if (member.startsWith('.count')) this.pos += 6;
      else return null;
      return this.lengthOf(name) ?? null;
    }
    const start = this.pos;
    while (this.pos < this.text.length && this.text.charCodeAt(this.pos) >= 0x30 && this.text.charCodeAt(this.pos) <= 0x39) this.pos++;
    if (this.pos === start || this.pos - start > 7) return null;
    return Number(this.text.slice(start, this.pos));
  }
}
