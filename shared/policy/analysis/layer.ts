/**
 * Layers and their maps back to the original text.
 *
 * A layer is a body of text that was lexed: the (Unicode-sanitised) original, a decoded payload,
 * the argument of `bash -c`, or the deobfuscated words of another layer. Each knows how to turn
 * its own offsets into a span of the original text, composing through its parent.
 */
import type { Layer } from './document';
import type { Shell, Span } from '../types';

type Origin = Layer['origin'];

function clampSpan(start: number, end: number, limit: number): Span {
  const s = Math.max(0, Math.min(start, limit));
  const e = Math.max(s, Math.min(end, limit));
  return { start: s, end: e };
}

class BaseLayer implements Layer {
  private lowerCache: string | null = null;
  constructor(
    readonly text: string,
    readonly shell: Shell,
    readonly depth: number,
    readonly origin: Origin,
    private readonly map: (start: number, end: number) => Span,
  ) {}
  get lower(): string {
    if (this.lowerCache === null) this.lowerCache = this.text.toLowerCase();
    return this.lowerCache;
  }
  toOriginal(start: number, end: number): Span {
    return this.map(start, end);
  }
}

/** The original text, possibly changed by Unicode hygiene (maps given per UTF-16 unit). */
export function originalLayer(
  text: string,
  originalLength: number,
  shell: Shell,
  starts: Int32Array | null,
  ends: Int32Array | null,
): Layer {
  if (!starts || !ends) return new ShiftedLayer(text, shell, 0, 'original', 0, originalLength);
  const n = text.length;
  return new BaseLayer(text, shell, 0, 'original', (s, e) => {
    if (n === 0) return { start: 0, end: 0 };
    const a = Math.max(0, Math.min(s, n - 1));
    const b = Math.max(a, Math.min(Math.max(e, s + 1), n) - 1);
    if (e <= s) {
      const p = s >= n ? originalLength : (starts[a] as number);
      return { start: p, end: p };
    }
    return clampSpan(starts[a] as number, ends[b] as number, originalLength);
  });
}

/** A substring of a parent layer (e.g. the quoted argument of `bash -c '…'`): offsets shift. */
export function sliceLayer(parent: Layer, offset: number, text: string, shell: Shell, depth: number, origin: Origin): Layer {
  return new BaseLayer(text, shell, depth, origin, (s, e) => parent.toOriginal(s + offset, e + offset));
}

/**
 * `prefix` (its own map) followed by `parent.text[offset, offset + length)`: a function body read again after lines
 * that bind its parameters, each mapped to the argument it came from.
 */
export function prefixedSliceLayer(prefix: Layer, parent: Layer, offset: number, length: number, depth: number, origin: Origin): Layer {
  const cut = prefix.text.length;
  const text = prefix.text + parent.text.slice(offset, offset + length);
  return new BaseLayer(text, parent.shell, depth, origin, (s, e) => {
    if (e <= cut) return prefix.toOriginal(s, e);
    const body = parent.toOriginal(Math.max(s, cut) - cut + offset, e - cut + offset);
    if (s >= cut) return body;
    const head = prefix.toOriginal(s, cut);
    return { start: Math.min(head.start, body.start), end: Math.max(head.end, body.end) };
  });
}

/** Text derived as a whole from one span (decoded base64, char codes): every offset maps to that span. */
export function derivedLayer(span: Span, text: string, shell: Shell, depth: number, origin: Origin): Layer {
  const fixed = { start: span.start, end: span.end };
  return new BaseLayer(text, shell, depth, origin, () => ({ start: fixed.start, end: fixed.end }));
}

/**
 * Text assembled from pieces, each with its own original span (the deobfuscated words of a layer).
 * Lookup is a binary search over pieces, so building stays linear and mapping logarithmic.
 */
export class PieceTextBuilder {
  private readonly parts: string[] = [];
  private readonly outStarts: number[] = [];
  // Each piece's original span as two numbers (no object per piece: texts can have hundreds of thousands).
  private readonly spanStarts: number[] = [];
  private readonly spanEnds: number[] = [];
  private length = 0;

  append(text: string, span: Span): void {
    this.push(text, span.start, span.end);
  }

  private push(text: string, start: number, end: number): void {
    if (text.length === 0) return;
    this.parts.push(text);
    this.outStarts.push(this.length);
    this.spanStarts.push(start);
    this.spanEnds.push(end);
    this.length += text.length;
  }

  /** Separator text that maps to an empty span at the end of the previous piece. */
  separator(text: string): void {
    const last = this.spanEnds.length - 1;
    const at = last >= 0 ? (this.spanEnds[last] as number) : 0;
    this.push(text, at, at);
  }

  get size(): number {
    return this.length;
  }

  build(shell: Shell, depth: number, origin: Origin): Layer {
    const starts = this.outStarts;
    const spanStarts = this.spanStarts;
    const spanEnds = this.spanEnds;
    const find = (offset: number): number => {
      let lo = 0;
      let hi = starts.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if ((starts[mid] as number) <= offset) lo = mid;
        else hi = mid - 1;
      }
      return lo;
    };
    return new BaseLayer(this.parts.join(''), shell, depth, origin, (s, e) => {
      if (spanStarts.length === 0) return { start: 0, end: 0 };
      const a = find(s);
      const b = find(Math.max(s, e - 1));
      return {
        start: Math.min(spanStarts[a] as number, spanStarts[b] as number),
        end: Math.max(spanEnds[a] as number, spanEnds[b] as number),
      };
    });
  }
}

/** Text that appears verbatim at `offset` in the original (a simply quoted argument): exact spans. */
export function offsetLayer(offset: number, originalLength: number, text: string, shell: Shell, depth: number, origin: Origin): Layer {
  return new ShiftedLayer(text, shell, depth, origin, offset, originalLength);
}

/** Offsets map to the original by a shift (the unchanged original itself, or a verbatim part of it). */
class ShiftedLayer implements Layer {
  private lowerCache: string | null = null;
  constructor(
    readonly text: string,
    readonly shell: Shell,
    readonly depth: number,
    readonly origin: Origin,
    private readonly offset: number,
    private readonly originalLength: number,
  ) {}
  get lower(): string {
    if (this.lowerCache === null) this.lowerCache = this.text.toLowerCase();
    return this.lowerCache;
  }
  toOriginal(start: number, end: number): Span {
    return clampSpan(this.offset + start, this.offset + end, this.originalLength);
  }
}
