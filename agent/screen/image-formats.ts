/**
 * The little image handling the screen viewer needs, on Node's zlib: PNG and JPEG dimensions,
 * a digest of a PNG's pixel data (for "only send when changed"), an 8-bit RGB PNG encoder and
 * decoder, and an XWD (X window dump) reader for the `xwd` capture path.
 */
import { createHash } from 'node:crypto';
import zlib from 'node:zlib';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export class ImageFormatError extends Error {
  override name = 'ImageFormatError';
}

export function isPng(data: Buffer): boolean {
  return data.length >= 8 && data.subarray(0, 8).equals(PNG_SIGNATURE);
}

function* pngChunks(data: Buffer): Generator<{ type: string; body: Buffer }> {
  if (!isPng(data)) throw new ImageFormatError('not a PNG');
  let at = 8;
  while (at + 8 <= data.length) {
    const length = data.readUInt32BE(at);
    const type = data.toString('latin1', at + 4, at + 8);
    if (at + 12 + length > data.length) throw new ImageFormatError('PNG chunk runs past the end');
    yield { type, body: data.subarray(at + 8, at + 8 + length) };
    at += 12 + length;
    if (type === 'IEND') return;
  }
}

export interface ImageSize {
  width: number;
  height: number;
}

export function pngSize(data: Buffer): ImageSize {
  for (const chunk of pngChunks(data)) {
    if (chunk.type === 'IHDR') return { width: chunk.body.readUInt32BE(0), height: chunk.body.readUInt32BE(4) };
  }
  throw new ImageFormatError('PNG without IHDR');
}

/** Width and height from a JPEG's start-of-frame marker. */
export function jpegSize(data: Buffer): ImageSize {
  if (data.length < 4 || data[0] !== 0xff || data[1] !== 0xd8) throw new ImageFormatError('not a JPEG');
  let at = 2;
  while (at + 9 < data.length) {
    if (data[at] !== 0xff) throw new ImageFormatError('JPEG marker expected');
    const marker = data[at + 1]!;
    if (marker === 0xff) {
      at++;
      continue;
    }
    const length = data.readUInt16BE(at + 2);
    // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC).
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { height: data.readUInt16BE(at + 5), width: data.readUInt16BE(at + 7) };
    }
    at += 2 + length;
  }
  throw new ImageFormatError('JPEG without a frame header');
}

/**
 * Digest of what a PNG shows: header and pixel data only, so metadata an encoder adds per run
 * (timestamps, text chunks) does not make an unchanged screen look changed.
 */
export function pngPixelDigest(data: Buffer): string {
  const hash = createHash('sha256');
  for (const chunk of pngChunks(data)) {
    if (chunk.type === 'IHDR' || chunk.type === 'PLTE' || chunk.type === 'IDAT') {
      hash.update(chunk.type);
      hash.update(chunk.body);
    }
  }
  return hash.digest('hex');
}

const CRC_TABLE = (() => {
  const table = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c;
  }
  return table;
})();

function crc32(parts: Buffer[]): number {
  let c = -1;
  for (const part of parts) for (let i = 0; i < part.length; i++) c = CRC_TABLE[(c ^ part[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}

function chunk(type: string, body: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(body.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32([head.subarray(4), body]), 0);
  return Buffer.concat([head, body, crc]);
}

/** Encodes 8-bit RGB pixels (row-major, 3 bytes per pixel) as PNG (filter "none" per row; zlib does the work). */
export function encodePngRgb(width: number, height: number, rgb: Buffer): Buffer {
  if (rgb.length !== width * height * 3) throw new ImageFormatError('pixel buffer does not match the size');
  const stride = width * 3;
  const raw = Buffer.alloc((stride + 1) * height);
  for (let y = 0; y < height; y++) rgb.copy(raw, y * (stride + 1) + 1, y * stride, (y + 1) * stride);
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type RGB
  return Buffer.concat([
    PNG_SIGNATURE,
    chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(raw, { level: 6 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

export interface DecodedImage extends ImageSize {
  /** 8-bit RGB, row-major. */
  rgb: Buffer;
}

/** Decodes an 8-bit RGB or RGBA, non-interlaced PNG (what the capture paths produce) to RGB. */
export function decodePngRgb(data: Buffer): DecodedImage {
  let width = 0;
  let height = 0;
  let channels = 0;
  const idat: Buffer[] = [];
  for (const c of pngChunks(data)) {
    if (c.type === 'IHDR') {
      width = c.body.readUInt32BE(0);
      height = c.body.readUInt32BE(4);
      const depth = c.body[8];
      const colourType = c.body[9];
      const interlace = c.body[12];
      channels = colourType === 2 ? 3 : colourType === 6 ? 4 : 0;
      if (depth !== 8 || channels === 0 || interlace !== 0) {
        throw new ImageFormatError(`unsupported PNG (depth ${depth}, colour type ${colourType}, interlace ${interlace})`);
      }
    } else if (c.type === 'IDAT') idat.push(c.body);
  }
  if (!width || !height) throw new ImageFormatError('PNG without IHDR');
  const raw = zlib.inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  if (raw.length < (stride + 1) * height) throw new ImageFormatError('PNG pixel data is cut short');
  const rgb = Buffer.alloc(width * height * 3);
  let prior = Buffer.alloc(stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    const row = Buffer.from(raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1)));
    for (let i = 0; i < stride; i++) {
      const left = i >= channels ? row[i - channels]! : 0;
      const up = prior[i]!;
      const upLeft = i >= channels ? prior[i - channels]! : 0;
      let add = 0;
      if (filter === 1) add = left;
      else if (filter === 2) add = up;
      else if (filter === 3) add = (left + up) >> 1;
      else if (filter === 4) {
        const p = left + up - upLeft;
        const pa = Math.abs(p - left);
        const pb = Math.abs(p - up);
        const pc = Math.abs(p - upLeft);
        add = pa <= pb && pa <= pc ? left : pb <= pc ? up : upLeft;
      } else if (filter !== 0) throw new ImageFormatError(`unknown PNG filter ${filter}`);
      row[i] = (row[i]! + add) & 0xff;
    }
    for (let x = 0; x < width; x++) row.copy(rgb, (y * width + x) * 3, x * channels, x * channels + 3);
    prior = row;
  }
  return { width, height, rgb };
}

/**
 * Reads an XWD dump of a TrueColor ZPixmap at 24 or 32 bits per pixel (what `xwd -root` writes
 * for today's X servers) into 8-bit RGB.
 */
export function decodeXwd(data: Buffer): DecodedImage {
  if (data.length < 100) throw new ImageFormatError('XWD header is cut short');
  const u32 = (index: number) => data.readUInt32BE(index * 4);
  const headerSize = u32(0);
  const version = u32(1);
  const format = u32(2);
  const width = u32(4);
  const height = u32(5);
  const byteOrder = u32(7);
  const bitsPerPixel = u32(11);
  const bytesPerLine = u32(12);
  const redMask = u32(14);
  const greenMask = u32(15);
  const blueMask = u32(16);
  const colours = u32(19);
  if (version !== 7 || format !== 2) throw new ImageFormatError(`unsupported XWD (version ${version}, format ${format})`);
  if (bitsPerPixel !== 32 && bitsPerPixel !== 24) throw new ImageFormatError(`unsupported XWD depth ${bitsPerPixel}`);
  const pixelsAt = headerSize + colours * 12;
  if (data.length < pixelsAt + bytesPerLine * height) throw new ImageFormatError('XWD pixel data is cut short');
  const shift = (mask: number) => (mask === 0 ? 0 : 31 - Math.clz32(mask & -mask));
  const scale = (mask: number) => (mask === 0 ? 1 : mask >>> shift(mask));
  const [rs, gs, bs] = [shift(redMask), shift(greenMask), shift(blueMask)];
  const [rm, gm, bm] = [scale(redMask), scale(greenMask), scale(blueMask)];
  const bytes = bitsPerPixel / 8;
  const rgb = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const at = pixelsAt + y * bytesPerLine + x * bytes;
      let pixel = 0;
      if (byteOrder === 0) for (let b = bytes - 1; b >= 0; b--) pixel = pixel * 256 + data[at + b]!;
      else for (let b = 0; b < bytes; b++) pixel = pixel * 256 + data[at + b]!;
      const out = (y * width + x) * 3;
      rgb[out] = Math.round((((pixel >>> rs) & rm) * 255) / rm);
      rgb[out + 1] = Math.round((((pixel >>> gs) & gm) * 255) / gm);
      rgb[out + 2] = Math.round((((pixel >>> bs) & bm) * 255) / bm);
    }
  }
  return { width, height, rgb };
}
