/**
 * Pure helpers behind the blocked-reason panel: turn the engine's spans (UTF-16 offsets into the
 * ORIGINAL text) into marked/unmarked segments, pick excerpts of long texts, and describe the
 * characters a technician cannot see (zero-width, bidi controls, control codes) or may misread
 * (full-width and other look-alike letters). Nothing here touches the DOM.
 */

export interface OffsetRange {
  start: number;
  end: number;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

/** True when `offset` falls between the two halves of a surrogate pair. */
function splitsSurrogatePair(text: string, offset: number): boolean {
  if (offset <= 0 || offset >= text.length) return false;
  return isHighSurrogate(text.charCodeAt(offset - 1)) && isLowSurrogate(text.charCodeAt(offset));
}

/** Clamps spans to the text, widens any that would cut a surrogate pair in half (half a code point cannot be shown), drops empty or malformed ones. */
export function cleanSpans(text: string, spans: readonly OffsetRange[]): OffsetRange[] {
  const cleaned: OffsetRange[] = [];
  for (const span of spans) {
    if (!Number.isFinite(span.start) || !Number.isFinite(span.end)) continue;
    let start = Math.max(0, Math.min(Math.trunc(span.start), text.length));
    let end = Math.max(0, Math.min(Math.trunc(span.end), text.length));
    if (end <= start) continue;
    if (splitsSurrogatePair(text, start)) start -= 1;
    if (splitsSurrogatePair(text, end)) end += 1;
    cleaned.push({ start, end });
  }
  return cleaned.sort((a, b) => a.start - b.start || a.end - b.end);
}

/** Clean spans, with overlapping and touching ones merged: the parts of the text that are marked at all. */
export function normaliseSpans(text: string, spans: readonly OffsetRange[]): OffsetRange[] {
  const merged: OffsetRange[] = [];
  for (const span of cleanSpans(text, spans)) {
    const last = merged[merged.length - 1];
    if (last && span.start <= last.end) last.end = Math.max(last.end, span.end);
    else merged.push({ ...span });
  }
  return merged;
}

export interface Segment extends OffsetRange {
  /** How many spans cover this segment: 0 = unmarked; more where spans overlap (e.g. a part inside a whole). */
  depth: number;
}

/**
 * Splits `[range.start, range.end)` of the text into segments, each covered by the same number of
 * spans; touching segments of equal depth are joined, so adjacent spans read as one highlight.
 */
export function segmentText(text: string, spans: readonly OffsetRange[], range: OffsetRange = { start: 0, end: text.length }): Segment[] {
  const cleaned = cleanSpans(text, spans);
  const boundaries = new Set<number>([range.start, range.end]);
  for (const span of cleaned) {
    if (span.start > range.start && span.start < range.end) boundaries.add(span.start);
    if (span.end > range.start && span.end < range.end) boundaries.add(span.end);
  }
  const points = [...boundaries].sort((a, b) => a - b);
  const segments: Segment[] = [];
  for (let i = 0; i + 1 < points.length; i += 1) {
    const start = points[i]!;
    const end = points[i + 1]!;
    const depth = cleaned.filter((span) => span.start <= start && span.end >= end).length;
    const last = segments[segments.length - 1];
    if (last && last.depth === depth) last.end = end;
    else segments.push({ start, end, depth });
  }
  return segments;
}

/** Texts up to this length are shown whole; longer ones (scripts) as excerpts around the spans. */
export const FULL_TEXT_LIMIT = 600;
/** Characters of context kept on each side of a span inside a long line. */
export const EXCERPT_CONTEXT = 80;

function lineStart(text: string, offset: number): number {
  const newline = text.lastIndexOf('\n', offset - 1);
  return newline === -1 ? 0 : newline + 1;
}

function lineEnd(text: string, offset: number): number {
  const newline = text.indexOf('\n', offset);
  return newline === -1 ? text.length : newline;
}

/**
 * The parts of the text to show: everything for short texts; for long ones the lines holding
 * the spans (cut to some context when a line is very long), in order, merged where they meet.
 */
export function excerptRanges(text: string, spans: readonly OffsetRange[]): OffsetRange[] {
  const normalised = normaliseSpans(text, spans);
  if (text.length <= FULL_TEXT_LIMIT) return [{ start: 0, end: text.length }];
  if (normalised.length === 0) return [{ start: 0, end: Math.min(text.length, FULL_TEXT_LIMIT) }];
  const windows: OffsetRange[] = [];
  for (const span of normalised) {
    let start = Math.max(lineStart(text, span.start), span.start - EXCERPT_CONTEXT);
    let end = Math.min(lineEnd(text, span.end), span.end + EXCERPT_CONTEXT);
    if (span.end > end) end = span.end;
    if (splitsSurrogatePair(text, start)) start -= 1;
    if (splitsSurrogatePair(text, end)) end += 1;
    const last = windows[windows.length - 1];
    if (last && start <= last.end + 1) last.end = Math.max(last.end, end);
    else windows.push({ start, end });
  }
  return windows;
}

export type CharacterKind = 'invisible' | 'bidi' | 'control' | 'space' | 'lookalike';

export interface SpecialCharacter {
  kind: CharacterKind;
  codePoint: number;
  /** "U+200B" */
  label: string;
  /** A human name for tooltips and screen readers. */
  name: string;
}

const NAMED: Record<number, [CharacterKind, string]> = {
  0x00ad: ['invisible', 'soft hyphen'],
  0x034f: ['invisible', 'combining grapheme joiner'],
  0x061c: ['bidi', 'Arabic letter mark'],
  0x115f: ['invisible', 'Hangul choseong filler'],
  0x1160: ['invisible', 'Hangul jungseong filler'],
  0x17b4: ['invisible', 'Khmer vowel inherent aq'],
  0x17b5: ['invisible', 'Khmer vowel inherent aa'],
  0x180e: ['invisible', 'Mongolian vowel separator'],
  0x200b: ['invisible', 'zero-width space'],
  0x200c: ['invisible', 'zero-width non-joiner'],
  0x200d: ['invisible', 'zero-width joiner'],
  0x200e: ['bidi', 'left-to-right mark'],
  0x200f: ['bidi', 'right-to-left mark'],
  0x2028: ['control', 'line separator'],
  0x2029: ['control', 'paragraph separator'],
  0x202a: ['bidi', 'left-to-right embedding'],
  0x202b: ['bidi', 'right-to-left embedding'],
  0x202c: ['bidi', 'pop directional formatting'],
  0x202d: ['bidi', 'left-to-right override'],
  0x202e: ['bidi', 'right-to-left override'],
  0x2060: ['invisible', 'word joiner'],
  0x2061: ['invisible', 'function application'],
  0x2062: ['invisible', 'invisible times'],
  0x2063: ['invisible', 'invisible separator'],
  0x2064: ['invisible', 'invisible plus'],
  0x2066: ['bidi', 'left-to-right isolate'],
  0x2067: ['bidi', 'right-to-left isolate'],
  0x2068: ['bidi', 'first strong isolate'],
  0x2069: ['bidi', 'pop directional isolate'],
  0x3164: ['invisible', 'Hangul filler'],
  0xfeff: ['invisible', 'zero-width no-break space (byte order mark)'],
  0xffa0: ['invisible', 'half-width Hangul filler'],
  0x00a0: ['space', 'no-break space'],
  0x1680: ['space', 'Ogham space mark'],
  0x202f: ['space', 'narrow no-break space'],
  0x205f: ['space', 'medium mathematical space'],
  0x3000: ['space', 'ideographic (full-width) space'],
};

function hex(codePoint: number): string {
  return 'U+' + codePoint.toString(16).toUpperCase().padStart(4, '0');
}

/**
 * Describes a code point a person cannot see or may misread, or returns null for ordinary
 * characters (tab and newline are ordinary: they are shown as layout).
 */
export function describeCharacter(codePoint: number): SpecialCharacter | null {
  const make = (kind: CharacterKind, name: string): SpecialCharacter => ({ kind, codePoint, label: hex(codePoint), name });
  const named = NAMED[codePoint];
  if (named) return make(named[0], named[1]);
  if (codePoint === 0x09 || codePoint === 0x0a) return null;
  if (codePoint < 0x20 || codePoint === 0x7f || (codePoint >= 0x80 && codePoint <= 0x9f)) {
    if (codePoint === 0x1b) return make('control', 'escape');
    if (codePoint === 0x0d) return make('control', 'carriage return');
    if (codePoint === 0x00) return make('control', 'null');
    return make('control', 'control character');
  }
  if (codePoint >= 0x2000 && codePoint <= 0x200a) return make('space', 'typographic space');
  if (codePoint >= 0xfe00 && codePoint <= 0xfe0f) return make('invisible', 'variation selector');
  if (codePoint >= 0xe0100 && codePoint <= 0xe01ef) return make('invisible', 'variation selector');
  if (codePoint >= 0xe0000 && codePoint <= 0xe007f) return make('invisible', 'tag character');
  if (codePoint >= 0xff01 && codePoint <= 0xff5e) {
    return make('lookalike', `full-width "${String.fromCodePoint(codePoint - 0xfee0)}"`);
  }
  if ((codePoint >= 0x0370 && codePoint <= 0x03ff) || (codePoint >= 0x0400 && codePoint <= 0x04ff)) {
    return make('lookalike', codePoint < 0x0400 ? 'Greek letter' : 'Cyrillic letter');
  }
  return null;
}

export type Piece =
  { kind: 'text'; text: string; start: number } | { kind: 'special'; text: string; start: number; character: SpecialCharacter };

/** Splits a piece of text into runs of ordinary text and single special characters (by code point). */
export function splitSpecialCharacters(text: string, offset = 0): Piece[] {
  const pieces: Piece[] = [];
  let runStart = 0;
  let index = 0;
  while (index < text.length) {
    const codePoint = text.codePointAt(index) ?? 0;
    const width = codePoint > 0xffff ? 2 : 1;
    const character = describeCharacter(codePoint);
    if (character) {
      if (index > runStart) pieces.push({ kind: 'text', text: text.slice(runStart, index), start: offset + runStart });
      pieces.push({ kind: 'special', text: text.slice(index, index + width), start: offset + index, character });
      runStart = index + width;
    }
    index += width;
  }
  if (runStart < text.length) pieces.push({ kind: 'text', text: text.slice(runStart), start: offset + runStart });
  return pieces;
}

/** One-line text with invisible and control characters replaced by ⟨U+XXXX⟩ (for tables and summaries). */
export function toVisibleString(text: string): string {
  let out = '';
  for (const char of text) {
    const special = describeCharacter(char.codePointAt(0) ?? 0);
    out += special && special.kind !== 'lookalike' ? `⟨${special.label}⟩` : char;
  }
  return out;
}
