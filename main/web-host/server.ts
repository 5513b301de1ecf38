/**
 * Browser host mode: serves the built renderer on 127.0.0.1 and carries the BulwarkApi over
 * HTTP (calls) and server-sent events (notifications) into the same core and the same
 * validated IPC gate as Electron. Who may talk to it:
 *  - only a browser that presented the per-launch secret once (GET /launch?secret=…), which is
 *    exchanged for an HttpOnly SameSite=Strict cookie; the secret then stops working;
 *  - only with this host's own Host header (defeats DNS rebinding) and, for calls, its own
 *    Origin plus a custom header a cross-site form cannot send.
 * The page gets the same CSP as in Electron; tokens stay in this process and the keychain.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { extname, isAbsolute, join, normalize, relative } from 'node:path';
import type { IpcEventName } from '../../shared/ipc/channels';
import type { ConsoleLogger } from '../core/logger';
import type { IpcGate } from '../ipc/ipc-gate';
import { CONSOLE_CSP } from '../security/content-security-policy';
import { rendererContentType } from '../security/renderer-files';

export const BRIDGE_INVOKE_PREFIX = '/bridge/invoke/';
export const BRIDGE_EVENTS_PATH = '/bridge/events';
export const BRIDGE_HEADER = 'x-bulwark-bridge';
export const HOST_COOKIE = 'bulwark_console';
const MAX_BODY_BYTES = 2 * 1024 * 1024;

const SECURITY_HEADERS = {
  'content-security-policy': CONSOLE_CSP,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'cache-control': 'no-store',
} as const;

export interface WebHostOptions {
  rendererDir: string;
  port: number;
  log: ConsoleLogger;
  /** Builds the gate once the origin (with its port) is known. */
  createGate: (appOrigin: string) => IpcGate;
}

export interface WebHost {
  origin: string;
  /** The one-time address that signs the browser in to this host (contains the secret: never log it). */
  launchUrl: string;
  broadcast(event: IpcEventName, payload: unknown): void;
  close(): Promise<void>;
}

function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

function cookieValue(request: IncomingMessage, name: string): string | null {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return rest.join('=');
  }
  return null;
}

export async function startWebHost(options: WebHostOptions): Promise<WebHost> {
  const { rendererDir, log } = options;
  let launchSecret: string | null = randomBytes(32).toString('base64url');
  const cookieSecret = randomBytes(32).toString('base64url');
  const eventClients = new Set<ServerResponse>();
  let origin = '';
  let gate: IpcGate | null = null;

  const send = (
    response: ServerResponse,
    status: number,
    body: string,
    type = 'text/plain; charset=utf-8',
    extra: Record<string, string> = {},
  ) => {
    response.writeHead(status, { ...SECURITY_HEADERS, 'content-type': type, ...extra });
    response.end(body);
  };

  const authorised = (request: IncomingMessage) => {
    const value = cookieValue(request, HOST_COOKIE);
    return value !== null && sameSecret(value, cookieSecret);
  };

  const hostAllowed = (request: IncomingMessage) => {
    const host = request.headers.host ?? '';
    const port = new URL(origin).port;
    return host === `127.0.0.1:${port}` || host === `localhost:${port}`;
  };

  /** Browsers mark cross-site requests; refuse any that say so. */
  const sameSite = (request: IncomingMessage) => {
    const site = request.headers['sec-fetch-site'];
    return site === undefined || site === 'same-origin' || site === 'none';
  };

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', origin);
    if (!hostAllowed(request)) return send(response, 421, 'Wrong host');

    if (url.pathname === '/launch' && request.method === 'GET') {
      const presented = url.searchParams.get('secret') ?? '';
      if (!launchSecret || !sameSecret(presented, launchSecret)) {
        log.warn('browser host: refused a launch with a wrong or used secret');
        return send(response, 401, 'This launch address is not valid (it works once). Restart npm run console:web for a new one.');
      }
      launchSecret = null;
      log.info('browser host: a browser was signed in to this host');
      response.writeHead(303, {
        ...SECURITY_HEADERS,
        location: '/',
        'set-cookie': `${HOST_COOKIE}=${cookieSecret}; HttpOnly; SameSite=Strict; Path=/`,
      });
      return response.end();
    }

    if (!authorised(request)) {
      return send(response, 401, 'Open the address printed by npm run console:web (it authorises this browser once).');
    }

    if (url.pathname.startsWith(BRIDGE_INVOKE_PREFIX)) {
      if (request.method !== 'POST') return send(response, 405, 'Use POST');
      if (request.headers.origin !== origin || request.headers[BRIDGE_HEADER] !== '1' || !sameSite(request)) {
        log.warn('browser host: refused a bridge call from a foreign origin');
        return send(response, 403, 'Forbidden');
      }
      if (!(request.headers['content-type'] ?? '').startsWith('application/json')) return send(response, 415, 'Send JSON');
      const body = await readBody(request);
      if (body === null) return send(response, 413, 'Too large');
      let payload: unknown;
      try {
        payload = (JSON.parse(body) as { payload?: unknown }).payload ?? undefined;
      } catch {
        return send(response, 400, 'Malformed JSON');
      }
      const channel = decodeURIComponent(url.pathname.slice(BRIDGE_INVOKE_PREFIX.length));
      // Cookie, Host and Origin checks above stand in for Electron's sender-frame check.
      const result = await gate!.dispatch(channel, { url: `${origin}/`, isMainFrame: true }, payload);
      return send(response, 200, JSON.stringify(result), 'application/json; charset=utf-8');
    }

    if (url.pathname === BRIDGE_EVENTS_PATH) {
      if (request.method !== 'GET' || !sameSite(request)) return send(response, 403, 'Forbidden');
      response.writeHead(200, { ...SECURITY_HEADERS, 'content-type': 'text/event-stream; charset=utf-8', connection: 'keep-alive' });
      response.write(': connected\n\n');
      eventClients.add(response);
      request.on('close', () => eventClients.delete(response));
      return;
    }

    if (request.method !== 'GET' && request.method !== 'HEAD') return send(response, 405, 'Method not allowed');
    return serveStatic(url.pathname, response);
  };

  const serveStatic = (pathname: string, response: ServerResponse) => {
    let wanted: string;
    try {
      wanted = normalize(decodeURIComponent(pathname === '/' ? '/index.html' : pathname));
    } catch {
      return send(response, 400, 'Bad path');
    }
    const file = join(rendererDir, wanted);
    const rel = relative(rendererDir, file);
    if (rel.startsWith('..') || isAbsolute(rel) || !existsSync(file) || !statSync(file).isFile()) return send(response, 404, 'Not found');
    response.writeHead(200, { ...SECURITY_HEADERS, 'content-type': rendererContentType(extname(file)) });
    createReadStream(file).pipe(response);
  };

  const server: Server = createServer((request, response) => {
    handle(request, response).catch(() => {
      if (!response.headersSent) send(response, 500, 'Internal error');
      else response.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  origin = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : options.port}`;
  gate = options.createGate(origin);

  return {
    origin,
    launchUrl: `${origin}/launch?secret=${launchSecret}`,
    broadcast(event, payload) {
      const frame = `data: ${JSON.stringify({ event, payload })}\n\n`;
      for (const client of eventClients) client.write(frame);
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of eventClients) client.end();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function readBody(request: IncomingMessage): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        resolve(null);
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}
