/**
 * The agent's side of viewer sessions: `viewer.start` (with an order signed for this endpoint)
 * starts a screen stream, frames go to the server as `viewer.frame` only when the picture changed,
 * `viewer.stop` or a dropped connection ends it. View only: nothing here injects input.
 */
import { ORDER_CLOCK_SKEW_MS } from '../../shared/agent-protocol/signing';
import { ViewerOrder } from '../../shared/agent-protocol/sessions';
import type { AgentRuntime } from '../extensions';
import { platformCapturer, type ScreenCapturer } from './capture';
import { ScreenStreamer, type ScreenStreamOptions } from './streamer';

export interface ViewerInstallOptions {
  maxViewers: number;
  stream: Partial<ScreenStreamOptions>;
  /** Where the capturer comes from (tests may point it at an Xvfb display). */
  capturer: () => Promise<ScreenCapturer>;
}

export function installViewer(runtime: AgentRuntime, options: Partial<ViewerInstallOptions> = {}): Map<string, ScreenStreamer> {
  const maxViewers = options.maxViewers ?? 2;
  const makeCapturer = options.capturer ?? (() => platformCapturer());
  const viewers = new Map<string, ScreenStreamer>();
  const endpointId = runtime.state.endpointId;

  const fail = (sessionId: string, code: string, message: string) => {
    runtime.logger.warn({ sessionId, code, detail: message }, 'viewer refused');
    runtime.send({ v: 1, type: 'viewer.error', sessionId, code, message: message.slice(0, 2000) });
  };

  runtime.on('viewer.start', (message) => {
    const verified = runtime.serverKey.verify(message.order, ViewerOrder);
    if (!verified.ok) return fail(message.sessionId, verified.code, verified.message);
    const order = verified.order;
    if (order.sessionId !== message.sessionId || order.endpointId !== endpointId) {
      return fail(message.sessionId, 'wrong_endpoint', 'the signed viewer order is for another session or endpoint');
    }
    if (Date.now() > order.expiresAt + ORDER_CLOCK_SKEW_MS)
      return fail(message.sessionId, 'order_expired', 'the signed viewer order has expired');
    if (viewers.has(message.sessionId)) return fail(message.sessionId, 'duplicate_session', 'this viewer session is already running');
    if (viewers.size >= maxViewers)
      return fail(message.sessionId, 'too_many_sessions', `this endpoint already streams ${maxViewers} viewer sessions`);
    const sessionId = message.sessionId;
    // Reserve the slot while the capturer is found, so a second start cannot slip in.
    const placeholder = { stop: () => undefined } as unknown as ScreenStreamer;
    viewers.set(sessionId, placeholder);
    makeCapturer().then(
      (capturer) => {
        if (viewers.get(sessionId) !== placeholder) return capturer.close(); // stopped meanwhile
        let lastError = '';
        const streamer = new ScreenStreamer(
          capturer,
          {
            onFrame: (frame) =>
              runtime.send({
                v: 1,
                type: 'viewer.frame',
                sessionId,
                mime: frame.format === 'png' ? 'image/png' : 'image/jpeg',
                width: frame.width,
                height: frame.height,
                seq: frame.seq,
                data: frame.data.toString('base64'),
              }),
            onError: (error) => {
              // The same failure every half second is one report, not a flood.
              if (error.message === lastError) return;
              lastError = error.message;
              fail(sessionId, 'capture_failed', error.message);
            },
          },
          { ...options.stream, ...(message.maxFps ? { framesPerSecond: Math.max(2, Math.min(message.maxFps, 30)) } : {}) },
        );
        viewers.set(sessionId, streamer);
        streamer.start();
      },
      (error: Error) => {
        viewers.delete(sessionId);
        fail(sessionId, 'capture_unavailable', error.message);
      },
    );
  });

  runtime.on('viewer.stop', (message) => {
    viewers.get(message.sessionId)?.stop();
    viewers.delete(message.sessionId);
  });

  runtime.onDisconnect(() => {
    for (const streamer of viewers.values()) streamer.stop();
    viewers.clear();
  });
  return viewers;
}
