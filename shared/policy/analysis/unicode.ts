/**
 * Unicode hygiene: what a shell sees is not always what a technician sees.
 *
 * - zero-width characters and bidi controls are removed (they hide or reorder text on screen),
 * - full-width and other compatibility forms are NFKC-normalised (`ｉｅｘ` → `iex`),
 * - typographic dashes and quotes become ASCII (PowerShell itself treats `–` as `-` and `“` as `"`).
 *
 * Every removal or change is reported as a note, and an offset map leads back to the original.
 * Pure ASCII input (the common case) is returned as is, without allocating a map.
 */
import type { AnalysisNote } from './document';

export interface SanitisedText {
  text: string;
  /** For each UTF-16 unit of `text`, the original offset where its source character starts; null = identity. */
  starts: Int32Array | null;
  /** For each UTF-16 unit of `text`, the original offset where its source character ends. */
  ends: Int32Array | null;
  notes: AnalysisNote[];
}

function isZeroWidth(c: number): boolean {
  return c === 0x200b || c === 0x200c || c === 0x200d || c === 0x2060 || c === 0xfeff || c === 0x180e || c === 0x00ad;
}

function isBidiControl(c: number): boolean {
  return (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) || c === 0x200e || c === 0x200f || c === 0x061c;
}

/** ASCII stand-ins for punctuation that shells (PowerShell in particular) treat as their ASCII forms. */
function asciiPunctuation(c: number): string | null {
  switch (c) {
    case 0x2013: // en dash
    case 0x2014: // em dash
    case 0x2015: // horizontal bar
      return '-';
    case 0x2018:
    case 0x2019:
    case 0x201a:
    case 0x201b:
      return "'";
    case 0x201c:
    case 0x201d:
    case 0x201e:
      return '"';
    case 0x00a0:
    case 0x3000:
      return ' ';
    default:
      return null;
  }
}

/** ASCII characters whose full-width forms would change a command line if converted: quotes, paths, options, operators. */
const BEST_FIT_SYNTAX: ReadonlySet<string> = new Set([
  '"',
  "'",
  '\\',
  '/',
  '-',
  '|',
  '&',
  '<',
  '>',
  '$',
  '%',
  '^',
  '`',
  '@',
  '=',
  '+',
  '~',
  '*',
  '#',
]);

/** Emoji sequences legitimately use ZWJ between pictographs; don't report those. */
function isPictographic(c: number): boolean {
  return c >= 0x2190;
}

/** Any UTF-16 unit outside ASCII (one character class: linear, no backtracking). */
const NON_ASCII = /[^\0-\x7f]/;

/** Index of the first non-ASCII unit, or -1. A regular expression scans several times faster than a charCodeAt loop. */
function firstNonAscii(text: string): number {
  const m = NON_ASCII.exec(text);
  return m === null ? -1 : m.index;
}

export function sanitiseUnicode(text: string): SanitisedText {
  const first = firstNonAscii(text);
  if (first < 0) return { text, starts: null, ends: null, notes: [] };

  const out: string[] = [text.slice(0, first)];
  let outLength = first;
  const starts: number[] = [];
  const ends: number[] = [];
  for (let i = 0; i < first; i++) {
    starts.push(i);
    ends.push(i + 1);
  }
  const notes: AnalysisNote[] = [];
  const push = (s: string, from: number, to: number): void => {
    out.push(s);
    outLength += s.length;
    for (let k = 0; k < s.length; k++) {
      starts.push(from);
      ends.push(to);
    }
  };
  const note = (kind: AnalysisNote['kind'], start: number, end: number): void => {
    const last = notes[notes.length - 1];
    if (last && last.kind === kind && last.span.end === start) last.span.end = end;
    else notes.push({ kind, span: { start, end } });
  };

  let i = first;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c < 0x80) {
      push(text[i] as string, i, i + 1);
      i++;
      continue;
    }
    const cp = text.codePointAt(i) as number;
    const width = cp > 0xffff ? 2 : 1;
    if (isZeroWidth(cp)) {
      const prev = i > 0 ? (text.codePointAt(i - 1) as number) : 0;
      const nextCp = i + 1 < text.length ? (text.codePointAt(i + 1) as number) : 0;
      const emojiJoin = cp === 0x200d && (isPictographic(prev) || prev >= 0xdc00) && isPictographic(nextCp);
      if (!emojiJoin) note('unicode_zero_width', i, i + width);
      i += width;
      continue;
    }
    if (isBidiControl(cp)) {
      note('unicode_bidi', i, i + width);
      i += width;
      continue;
    }
    const ascii = asciiPunctuation(cp);
    if (ascii !== null) {
      push(ascii, i, i + width);
      i += width;
      continue;
    }
    const ch = text.slice(i, i + width);
    let normal = ch;
    // Only compatibility forms change under NFKC; normalising per character keeps this linear.
    if (cp >= 0xff01 && cp <= 0xff5e) normal = String.fromCharCode(cp - 0xfee0);
    else if (cp >= 0x2000) normal = ch.normalize('NFKC');
    if (normal !== ch && /^[\x20-\x7e]+$/.test(normal)) {
      // Letters and digits in disguise are the trick, and full-width quotes, slashes, dashes and shell operators, which
      // Windows' best-fit conversion turns into the ASCII ones ("WorstFit"); typographic punctuation (`…` for `...`)
      // and the CJK comma, brackets, colon and marks (`，（）：！？`) are just typography.
      if (/[A-Za-z0-9]/.test(normal) || (cp >= 0xff01 && cp <= 0xff5e && BEST_FIT_SYNTAX.has(normal)))
        note('unicode_fullwidth', i, i + width);
      push(normal, i, i + width);
    } else {
      push(ch, i, i + width);
    }
    i += width;
  }
  const result = out.join('');
  if (notes.length === 0 && result === text) return { text, starts: null, ends: null, notes };
  void outLength;
  return { text: result, starts: Int32Array.from(starts), ends: Int32Array.from(ends), notes };
}
