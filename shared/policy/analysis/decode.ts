/**
 * Bounded decoders for payloads hidden in commands: base64 (standard and URL-safe, padding
 * optional, whitespace ignored), UTF-16LE (PowerShell's -EncodedCommand) and UTF-8.
 */

const BASE64_VALUES = (() => {
  const table = new Int16Array(128).fill(-1);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  for (let i = 0; i < alphabet.length; i++) table[alphabet.charCodeAt(i)] = i;
  table[0x2d] = 62; // '-' URL-safe
  table[0x5f] = 63; // '_' URL-safe
  return table;
})();

export function isBase64Char(c: number): boolean {
  return c < 128 && (BASE64_VALUES[c] as number) >= 0;
}

/** Decodes base64; null when the text is not base64 or longer than `maxChars`. */
export function decodeBase64(text: string, maxChars = 8 * 1024 * 1024): Uint8Array | null {
  if (text.length > maxChars) return null;
  const out = new Uint8Array(Math.floor((text.length * 3) / 4) + 3);
  let acc = 0;
  let bits = 0;
  let len = 0;
  let seenPad = false;
  let symbols = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x3d /* = */) {
      seenPad = true;
      continue;
    }
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) continue;
    if (seenPad) return null;
    const v = c < 128 ? (BASE64_VALUES[c] as number) : -1;
    if (v < 0) return null;
    symbols++;
    acc = ((acc << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[len++] = (acc >> bits) & 0xff;
    }
  }
  if (symbols % 4 === 1) return null;
  return out.subarray(0, len);
}

/** True when every other byte is zero, as in UTF-16LE ASCII text. */
function looksUtf16le(bytes: Uint8Array): boolean {
  if (bytes.length < 2) return false;
  let zeros = 0;
  let pairs = 0;
  for (let i = 1; i < bytes.length; i += 2) {
    pairs++;
    if (bytes[i] === 0) zeros++;
  }
  return zeros / pairs > 0.8;
}

export function decodeUtf16le(bytes: Uint8Array): string {
  const parts: string[] = [];
  const chunk: number[] = [];
  for (let i = 0; i + 1 < bytes.length; i += 2) {
    chunk.push((bytes[i] as number) | ((bytes[i + 1] as number) << 8));
    if (chunk.length >= 4096) {
      parts.push(String.fromCharCode(...chunk));
      chunk.length = 0;
    }
  }
  if (chunk.length > 0) parts.push(String.fromCharCode(...chunk));
  return parts.join('');
}

/** UTF-8 decoding with replacement of invalid sequences (no TextDecoder in the shared lib). */
export function decodeUtf8(bytes: Uint8Array): string {
  const parts: string[] = [];
  let chunk: number[] = [];
  const flush = () => {
    parts.push(String.fromCharCode(...chunk));
    chunk = [];
  };
  for (let i = 0; i < bytes.length;) {
    const b = bytes[i] as number;
    let cp = 0xfffd;
    let width = 1;
    if (b < 0x80) cp = b;
    else if (b >= 0xc2 && b < 0xe0 && i + 1 < bytes.length) {
      cp = ((b & 0x1f) << 6) | ((bytes[i + 1] as number) & 0x3f);
      width = 2;
    } else if (b >= 0xe0 && b < 0xf0 && i + 2 < bytes.length) {
      cp = ((b & 0x0f) << 12) | (((bytes[i + 1] as number) & 0x3f) << 6) | ((bytes[i + 2] as number) & 0x3f);
      width = 3;
    } else if (b >= 0xf0 && b < 0xf5 && i + 3 < bytes.length) {
      cp =
        ((b & 0x07) << 18) |
        (((bytes[i + 1] as number) & 0x3f) << 12) |
        (((bytes[i + 2] as number) & 0x3f) << 6) |
        ((bytes[i + 3] as number) & 0x3f);
      width = 4;
    }
    if (cp > 0xffff) {
      cp -= 0x10000;
      chunk.push(0xd800 + (cp >> 10), 0xdc00 + (cp & 0x3ff));
    } else chunk.push(cp);
    i += width;
    if (chunk.length >= 4096) flush();
  }
  flush();
  return parts.join('');
}

/** Bytes to text: UTF-16LE when it looks like it, else UTF-8. */
export function bytesToText(bytes: Uint8Array): { text: string; utf16: boolean } {
  if (looksUtf16le(bytes)) return { text: decodeUtf16le(bytes), utf16: true };
  return { text: decodeUtf8(bytes), utf16: false };
}

/** Share of printable characters (tabs/newlines count as printable). */
export function printableRatio(text: string): number {
  if (text.length === 0) return 0;
  let ok = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c >= 0x20 && c < 0x7f) || c === 0x09 || c === 0x0a || c === 0x0d || (c >= 0xa0 && c !== 0xfffd)) ok++;
  }
  return ok / text.length;
}

/** Decodes a base64 token to readable text, or null when it is not text. */
export function decodeBase64Text(token: string, maxChars?: number): { text: string; utf16: boolean } | null {
  const bytes = decodeBase64(token, maxChars);
  if (!bytes || bytes.length === 0) return null;
  const r = bytesToText(bytes);
  const text = r.text.replace(/^\uFEFF/, '');
  if (printableRatio(text) < 0.9) return null;
  return { text, utf16: r.utf16 };
}

/**
 * Base64-looking runs of at least `minLength` characters in `text`, as [start, end) pairs.
 * Linear: one scan, no regular expressions.
 */
export function findBase64Runs(text: string, minLength: number): Array<[number, number]> {
  const runs: Array<[number, number]> = [];
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (!isBase64Char(c) || c === 0x2d || c === 0x5f) {
      i++;
      continue;
    }
    const start = i;
    let letters = 0;
    let digitsOrUpper = 0;
    while (i < text.length) {
      const k = text.charCodeAt(i);
      if (k === 0x3d) {
        while (i < text.length && text.charCodeAt(i) === 0x3d) i++;
        break;
      }
      if (!isBase64Char(k) || k === 0x2d || k === 0x5f) break;
      if ((k >= 0x61 && k <= 0x7a) || (k >= 0x41 && k <= 0x5a)) letters++;
      if ((k >= 0x30 && k <= 0x39) || (k >= 0x41 && k <= 0x5a)) digitsOrUpper++;
      i++;
    }
    const len = i - start;
    // Words and paths are not base64: require length, mixed classes.
    if (len >= minLength && letters > 0 && digitsOrUpper > 0 && digitsOrUpper < len) runs.push([start, i]);
  }
  return runs;
}
