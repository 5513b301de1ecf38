/**
 * The browser-host adapter: the same BulwarkApi as the Electron preload, carried over HTTP
 * (calls) and server-sent events (notifications) to the local Node host (main/web-host).
 * The page never holds a token: the host authenticates it with an HttpOnly SameSite=Strict
 * cookie set when the one-time launch secret was exchanged.
 */
import { createBulwarkApi, type BulwarkApi, type BulwarkTransport } from '../../../shared/ipc/bulwark-api';
import type { IpcChannelName, IpcEventName } from '../../../shared/ipc/channels';

/** Paths served by main/web-host/server.ts. */
export const BRIDGE_INVOKE_PATH = '/bridge/invoke/';
export const BRIDGE_EVENTS_PATH = '/bridge/events';
/** A header a cross-site form cannot send: the host refuses bridge calls without it. */
export const BRIDGE_HEADER = 'x-bulwark-bridge';

function failure(code: string, message: string) {
  return { ok: false as const, error: { code, message } };
}

export function createWebTransport(base: { fetch: typeof fetch; EventSource: typeof EventSource }): BulwarkTransport {
  const listeners = new Map<IpcEventName, Set<(payload: unknown) => void>>();
  let source: EventSource | null = null;

  function ensureEventSource(): void {
    if (source) return;
    source = new base.EventSource(BRIDGE_EVENTS_PATH);
    // The host sends every event as a `message` whose data is {event, payload}.
    source.onmessage = (message: MessageEvent<string>) => {
      let parsed: { event?: unknown; payload?: unknown };
      try {
        parsed = JSON.parse(message.data) as { event?: unknown; payload?: unknown };
      } catch {
        return;
      }
      const set = listeners.get(parsed.event as IpcEventName);
      if (set) for (const listener of set) listener(parsed.payload);
    };
  }

  return {
    async invoke(channel: IpcChannelName, payload: unknown): Promise<unknown> {
      let response: Response;
      try {
        response = await base.fetch(`${BRIDGE_INVOKE_PATH}${encodeURIComponent(channel)}`, {
          method: 'POST',
          credentials: 'same-origin',
          headers: { 'content-type': 'application/json', [BRIDGE_HEADER]: '1' },
          body: JSON.stringify({ payload: payload ?? null }),
        });
      } catch {
        return failure('console_host_unreachable', 'The local console host is not running; start it again with npm run console:web');
      }
      if (response.status === 401) {
        return failure('console_host_unauthorised', 'This page is not authorised by the console host; open the address it printed');
      }
      try {
        return await response.json();
      } catch {
        return failure('console_internal_error', `Unexpected answer from the console host (HTTP ${response.status})`);
      }
    },
    subscribe(event: IpcEventName, listener: (payload: unknown) => void): () => void {
      ensureEventSource();
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(listener);
      return () => set.delete(listener);
    },
  };
}

export function createWebBridge(): BulwarkApi {
  return createBulwarkApi(createWebTransport({ fetch: window.fetch.bind(window), EventSource: window.EventSource }));
}
