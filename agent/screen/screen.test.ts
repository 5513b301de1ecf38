import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serviceGate } from '../../test-support/services';
import { startXvfb, xvfbAvailability, type ThrowawayXvfb } from '../../test-support/xvfb';
import { ImportCapturer, platformCapturer, XwdCapturer, type ScreenCapturer } from './capture';
import { decodePngRgb, encodePngRgb, jpegSize, pngPixelDigest } from './image-formats';
import { ScreenStreamer, type StreamedFrame } from './streamer';

function pixel(image: { width: number; rgb: Buffer }, x: number, y: number): [number, number, number] {
  const at = (y * image.width + x) * 3;
  return [image.rgb[at]!, image.rgb[at + 1]!, image.rgb[at + 2]!];
}

describe('image formats', () => {
  it('round-trips RGB pixels through the PNG encoder and decoder, and digests pixels only', () => {
    const rgb = Buffer.alloc(4 * 3 * 3);
    for (let i = 0; i < rgb.length; i++) rgb[i] = (i * 37) & 0xff;
    const png = encodePngRgb(4, 3, rgb);
    const decoded = decodePngRgb(png);
    expect(decoded).toMatchObject({ width: 4, height: 3 });
    expect(decoded.rgb.equals(rgb)).toBe(true);
    const other = Buffer.from(rgb);
    other[5] = other[5]! ^ 1;
    expect(pngPixelDigest(encodePngRgb(4, 3, other))).not.toBe(pngPixelDigest(png));
    expect(pngPixelDigest(encodePngRgb(4, 3, Buffer.from(rgb)))).toBe(pngPixelDigest(png));
  });
});

const gate = serviceGate('screen capture under Xvfb', xvfbAvailability());

describe.runIf(gate.run || gate.missing !== null)('screen capture under Xvfb (Linux/X11)', () => {
  let xvfb: ThrowawayXvfb;
  beforeAll(async () => {
    if (gate.missing) throw new Error(`required service missing: ${gate.missing}`);
    xvfb = await startXvfb('320x240');
  });
  afterAll(() => xvfb?.stop());

  const captureColour = async (capturer: ScreenCapturer) => {
    const frame = await capturer.capture({ format: 'png', quality: 70, maxWidth: null });
    expect(frame).toMatchObject({ format: 'png', width: 320, height: 240 });
    return decodePngRgb(frame.data);
  };

  it('captures what is on screen with import, and with xwd', async () => {
    xvfb.paint('#3366cc');
    for (const capturer of [new ImportCapturer(xvfb.env), new XwdCapturer(xvfb.env)]) {
      const image = await captureColour(capturer);
      expect(pixel(image, 0, 0)).toEqual([0x33, 0x66, 0xcc]);
      expect(pixel(image, 319, 239)).toEqual([0x33, 0x66, 0xcc]);
    }
    const chosen = await platformCapturer('linux', xvfb.env);
    expect(chosen.method).toBe('import');
  });

  it('captures JPEG too', async () => {
    const frame = await new ImportCapturer(xvfb.env).capture({ format: 'jpeg', quality: 60, maxWidth: null });
    expect(frame.format).toBe('jpeg');
    expect(jpegSize(frame.data)).toEqual({ width: 320, height: 240 });
  });

  it('streams a frame only when the screen changed', async () => {
    const frames: StreamedFrame[] = [];
    const errors: Error[] = [];
    const streamer = new ScreenStreamer(new ImportCapturer(xvfb.env), {
      onFrame: (frame) => frames.push(frame),
      onError: (error) => errors.push(error),
    });
    try {
      xvfb.paint('#ff0000');
      expect(await streamer.tick()).not.toBeNull();
      expect(await streamer.tick()).toBeNull();
      expect(await streamer.tick()).toBeNull();
      xvfb.paint('#00ff00');
      const changed = await streamer.tick();
      expect(changed?.seq).toBe(1);
      expect(await streamer.tick()).toBeNull();
      expect(frames.map((frame) => pixel(decodePngRgb(frame.data), 10, 10))).toEqual([
        [0xff, 0, 0],
        [0, 0xff, 0],
      ]);
      expect(errors).toEqual([]);
      expect(streamer.options.framesPerSecond).toBeGreaterThanOrEqual(2);
    } finally {
      streamer.stop();
    }
  });

  it('reports a missing display instead of crashing', async () => {
    await expect(platformCapturer('linux', { PATH: process.env.PATH })).rejects.toThrow(/DISPLAY/);
  });
});
