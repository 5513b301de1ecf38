/**
 * A viewer session on the endpoint: captures the screen at a fixed rate (default 2 per second)
 * and hands on a frame only when the picture changed (pixel-data digest compared with the last
 * frame sent). A capture still running when the next is due is not overlapped; a slow machine
 * simply gets fewer frames.
 */
import { createHash } from 'node:crypto';
import type { CaptureOptions, CapturedFrame, ScreenCapturer } from './capture';
import { pngPixelDigest } from './image-formats';

export interface StreamedFrame extends CapturedFrame {
  seq: number;
  capturedAt: Date;
}

export interface ScreenStreamOptions extends CaptureOptions {
  framesPerSecond: number;
  /** Frames larger than this are dropped (reported through onError) rather than sent. */
  maxFrameBytes: number;
}

export const DEFAULT_STREAM_OPTIONS: ScreenStreamOptions = {
  framesPerSecond: 2,
  format: 'png',
  quality: 70,
  maxWidth: 1920,
  maxFrameBytes: 8 * 1024 * 1024,
};

export interface ScreenStreamEvents {
  onFrame(frame: StreamedFrame): void;
  onError(error: Error): void;
}

export function frameDigest(frame: CapturedFrame): string {
  return frame.format === 'png' ? pngPixelDigest(frame.data) : createHash('sha256').update(frame.data).digest('hex');
}

export class ScreenStreamer {
  readonly options: ScreenStreamOptions;
  private lastDigest: string | null = null;
  private seq = 0;
  private timer: NodeJS.Timeout | null = null;
  private busy = false;
  private stopped = false;

  constructor(
    private readonly capturer: ScreenCapturer,
    private readonly events: ScreenStreamEvents,
    options: Partial<ScreenStreamOptions> = {},
  ) {
    this.options = { ...DEFAULT_STREAM_OPTIONS, ...options };
    if (!(this.options.framesPerSecond > 0 && this.options.framesPerSecond <= 30))
      throw new RangeError('framesPerSecond must be in (0, 30]');
  }

  /** Captures once; returns the frame if it was sent (the picture changed), else null. */
  async tick(): Promise<StreamedFrame | null> {
    if (this.busy || this.stopped) return null;
    this.busy = true;
    try {
      const captured = await this.capturer.capture(this.options);
      if (this.stopped) return null;
      const digest = frameDigest(captured);
      if (digest === this.lastDigest) return null;
      if (captured.data.length > this.options.maxFrameBytes) {
        this.events.onError(new Error(`frame of ${captured.data.length} bytes exceeds the ${this.options.maxFrameBytes}-byte limit`));
        return null;
      }
      this.lastDigest = digest;
      const frame: StreamedFrame = { ...captured, seq: this.seq++, capturedAt: new Date() };
      this.events.onFrame(frame);
      return frame;
    } catch (error) {
      this.events.onError(error as Error);
      return null;
    } finally {
      this.busy = false;
    }
  }

  /** Starts capturing at the configured rate; the first capture happens at once. */
  start() {
    if (this.timer || this.stopped) return;
    void this.tick();
    this.timer = setInterval(() => void this.tick(), Math.round(1000 / this.options.framesPerSecond));
  }

  /** Forget the last frame, so the next capture is sent even if unchanged (a viewer reconnected). */
  refresh() {
    this.lastDigest = null;
  }

  stop() {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.capturer.close();
  }
}
