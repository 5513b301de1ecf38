/**
 * `NeedleSet`: which of many fixed strings occur in a text, in one pass (Aho–Corasick compiled to a
 * DFA). Replaces loops of `text.includes(needle)` over long lists (catalog tokens, document-level
 * keywords), whose cost grows with the number of needles times the text length.
 *
 * Matching is exact (case-sensitive, per UTF-16 code unit): callers pass lower-case text and
 * lower-case needles. Linear in the text; no backtracking.
 */

/** Character classes: every code unit used by a needle gets a class; all others share class 0. */
interface Classes {
  ascii: Uint16Array;
  other: Map<number, number>;
  count: number;
}

export class NeedleSet {
  readonly needles: readonly string[];
  private readonly classes: Classes;
  /**
   * delta[state * classCount + class] → next state (full DFA, failure links resolved). 16-bit when the
   * states fit: the table is read at random for every character, and half the size stays in the cache.
   */
  private readonly delta: Uint16Array | Int32Array;
  /** Smallest needle index recognised in a state (own or through suffix links), or -1. */
  private readonly minOut: Int32Array;
  /** Needle indices ending exactly in a state (own outputs). */
  private readonly own: (number[] | undefined)[];
  /** Nearest proper suffix state with own outputs, or -1. */
  private readonly dictLink: Int32Array;
  /** Index of the first empty needle (matches every text), or -1. */
  private readonly emptyIndex: number;
  /** Indices of all empty needles. */
  private readonly empties: number[] = [];

  constructor(needles: readonly string[]) {
    this.needles = needles;
    const ascii = new Uint16Array(128);
    const other = new Map<number, number>();
    let count = 1;
    for (const n of needles) {
      for (let i = 0; i < n.length; i++) {
        const c = n.charCodeAt(i);
        if (c < 128) {
          if (ascii[c] === 0) ascii[c] = count++;
        } else if (!other.has(c)) other.set(c, count++);
      }
    }
    this.classes = { ascii, other, count };

    // Trie.
    const children: Map<number, number>[] = [new Map<number, number>()];
    const own: (number[] | undefined)[] = [undefined];
    let emptyIndex = -1;
    needles.forEach((n, index) => {
      if (n.length === 0) {
        if (emptyIndex < 0) emptyIndex = index;
        this.empties.push(index);
        return;
      }
      let s = 0;
      for (let i = 0; i < n.length; i++) {
        const cls = this.classOf(n.charCodeAt(i));
        let next = children[s]!.get(cls);
        if (next === undefined) {
          next = children.length;
          children.push(new Map<number, number>());
          own.push(undefined);
          children[s]!.set(cls, next);
        }
        s = next;
      }
      (own[s] ??= []).push(index);
    });
    this.emptyIndex = emptyIndex;
    this.own = own;

    // Breadth-first: failure links, dictionary links, full transitions.
    const states = children.length;
    const delta = states <= 0xffff ? new Uint16Array(states * count) : new Int32Array(states * count);
    const fail = new Int32Array(states);
    const dictLink = new Int32Array(states).fill(-1);
    const minOut = new Int32Array(states).fill(-1);
    const queue: number[] = [];
    for (const [cls, next] of children[0]!) {
      delta[cls] = next;
      fail[next] = 0;
      queue.push(next);
    }
    for (let q = 0; q < queue.length; q++) {
      const s = queue[q]!;
      const f = fail[s]!;
      dictLink[s] = own[f] ? f : dictLink[f]!;
      const ownMin = own[s] ? Math.min(...own[s]) : -1;
      const inherited = minOut[f]!;
      minOut[s] = ownMin < 0 ? inherited : inherited < 0 ? ownMin : Math.min(ownMin, inherited);
      for (let cls = 0; cls < count; cls++) {
        const next = children[s]!.get(cls);
        if (next === undefined) {
          delta[s * count + cls] = delta[f * count + cls]!;
        } else {
          delta[s * count + cls] = next;
          fail[next] = delta[f * count + cls]!;
          queue.push(next);
        }
      }
    }
    this.delta = delta;
    this.minOut = minOut;
    this.dictLink = dictLink;
  }

  private classOf(c: number): number {
    return c < 128 ? (this.classes.ascii[c] as number) : (this.classes.other.get(c) ?? 0);
  }

  /** Index (in list order) of the first-listed needle that occurs in `text`, or -1. */
  firstIndex(text: string): number {
    let best = this.emptyIndex;
    const { ascii, other, count } = this.classes;
    const delta = this.delta;
    const minOut = this.minOut;
    let s = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      const cls = c < 128 ? (ascii[c] as number) : (other.get(c) ?? 0);
      s = delta[s * count + cls] as number;
      const m = minOut[s] as number;
      if (m >= 0 && (best < 0 || m < best)) {
        best = m;
        if (best === 0) return 0;
      }
    }
    return best;
  }

  /** The first-listed needle that occurs in `text`. */
  first(text: string): string | undefined {
    const i = this.firstIndex(text);
    return i < 0 ? undefined : this.needles[i];
  }

  /** True when any needle occurs in `text`. */
  test(text: string): boolean {
    return this.firstIndex(text) >= 0;
  }

  /** Indices of the needles occurring in any of `texts`, each once, in order of first occurrence. */
  presentIn(texts: Iterable<string>): number[] {
    const found: number[] = [];
    const { ascii, other, count } = this.classes;
    const delta = this.delta;
    const minOut = this.minOut;
    const own = this.own;
    const dictLink = this.dictLink;
    // Scratch marks (one per state), cleared again before returning: no allocation per call.
    const reported = (this.reported ??= new Uint8Array(own.length));
    const touched: number[] = [];
    let anyText = false;
    for (const text of texts) {
      anyText = true;
      let s = 0;
      for (let i = 0; i < text.length; i++) {
        const c = text.charCodeAt(i);
        const cls = c < 128 ? (ascii[c] as number) : (other.get(c) ?? 0);
        s = delta[s * count + cls] as number;
        if ((minOut[s] as number) < 0) continue;
        // The state's own outputs and its dictionary suffix chain; a state already reported had its chain reported too.
        for (let t = own[s] ? s : (dictLink[s] as number); t >= 0; t = dictLink[t] as number) {
          if (reported[t] === 1) break;
          reported[t] = 1;
          touched.push(t);
          for (const k of own[t] as number[]) found.push(k);
        }
      }
    }
    for (const t of touched) reported[t] = 0;
    if (anyText) for (const k of this.empties) found.push(k);
    return found;
  }

  private reported: Uint8Array | null = null;
}
