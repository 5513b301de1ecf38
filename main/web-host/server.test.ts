import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsoleCore } from '../core/console-core';
import { createFetchTransport } from '../core/http-transport';
import { memoryPrefsStore } from '../core/prefs';
import { TokenVault } from '../core/vault';
import { wsSocketFactory } from '../core/ws-socket';
import { createEventSink } from '../ipc/events';
import { createIpcGate } from '../ipc/ipc-gate';
import { CONSOLE_CSP } from '../security/content-security-policy';
import { HOST_COOKIE, startWebHost, type WebHost } from './server';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** Raw HTTP (fetch forbids setting Host and Origin). */
function raw(host: WebHost, method: string, pathname: string, headers: Record<string, string> = {}, body?: string): Promise<Answer> {
  const target = new URL(host.origin);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port: target.port, method, path: pathname, headers: { host: target.host, ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('browser host', () => {
  const rendererDir = mkdtempSync(path.join(tmpdir(), 'bulwark-renderer-'));
  const logLines: string[] = [];
  const log = {
    info: (m: string, f?: Record<string, unknown>) => logLines.push(`${m} ${JSON.stringify(f ?? {})}`),
    warn: (m: string, f?: Record<string, unknown>) => logLines.push(`${m} ${JSON.stringify(f ?? {})}`),
  };
  let host: WebHost;
  let cookie = '';

  beforeAll(async () => {
    writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>Bulwark</title>');
    let started: WebHost | null = null;
    const core = new ConsoleCore({
      host: 'browser',
      version: 'test',
      prefs: memoryPrefsStore(),
      vault: new TokenVault(null, log),
      transportFor: (origin) => createFetchTransport(origin),
      socketFactory: wsSocketFactory,
      emit: createEventSink((event, payload) => started?.broadcast(event, payload), log),
      log,
      openAllowedLink: () => Promise.resolve(false),
      clientName: 'test',
    });
    started = await startWebHost({
      rendererDir,
      port: 0,
      log,
      createGate: (appOrigin) => createIpcGate({ appOrigin, handlers: core.handlers, log }),
    });
    host = started;
  });
  afterAll(async () => {
    await host?.close();
    rmSync(rendererDir, { recursive: true, force: true });
  });

  it('serves nothing before the launch secret was presented', async () => {
    expect((await raw(host, 'GET', '/')).status).toBe(401);
    expect(
      (
        await raw(
          host,
          'POST',
          '/bridge/invoke/app:info',
          { origin: host.origin, 'x-bulwark-bridge': '1', 'content-type': 'application/json' },
          '{}',
        )
      ).status,
    ).toBe(401);
    expect((await raw(host, 'GET', '/launch?secret=wrong')).status).toBe(401);
  });

  it('exchanges the one-time secret for an HttpOnly SameSite=Strict cookie, then refuses it', async () => {
    const launchPath = new URL(host.launchUrl).pathname + new URL(host.launchUrl).search;
    const first = await raw(host, 'GET', launchPath);
    expect(first.status).toBe(303);
    const setCookie = String(first.headers['set-cookie']);
    expect(setCookie).toMatch(new RegExp(`^${HOST_COOKIE}=[A-Za-z0-9_-]{40,}; HttpOnly; SameSite=Strict; Path=/`));
    cookie = setCookie.split(';')[0]!;
    expect((await raw(host, 'GET', launchPath)).status).toBe(401);
    const secret = new URL(host.launchUrl).searchParams.get('secret')!;
    expect(logLines.join('\n')).not.toContain(secret);
  });

  it('serves the renderer with the console CSP, and nothing outside its folder', async () => {
    const page = await raw(host, 'GET', '/', { cookie });
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toBe(CONSOLE_CSP);
    expect(page.headers['x-frame-options']).toBe('DENY');
    expect((await raw(host, 'GET', '/..%2F..%2Fetc%2Fpasswd', { cookie })).status).toBe(404);
  });

  it('refuses a foreign Host header (DNS rebinding)', async () => {
    expect((await raw(host, 'GET', '/', { cookie, host: 'evil.example' })).status).toBe(421);
  });

  it('answers bridge calls from its own origin only, through the validated gate', async () => {
    const headers = { cookie, origin: host.origin, 'x-bulwark-bridge': '1', 'content-type': 'application/json' };
    const ok = await raw(host, 'POST', '/bridge/invoke/app:info', headers, JSON.stringify({ payload: null }));
    expect(JSON.parse(ok.body)).toEqual({ ok: true, value: { name: 'Bulwark', version: 'test', host: 'browser' } });

    expect((await raw(host, 'POST', '/bridge/invoke/app:info', { ...headers, origin: 'https://evil.example' }, '{}')).status).toBe(403);
    expect((await raw(host, 'POST', '/bridge/invoke/app:info', { ...headers, 'sec-fetch-site': 'cross-site' }, '{}')).status).toBe(403);
    const { 'x-bulwark-bridge': _omitted, ...withoutHeader } = headers;
    expect((await raw(host, 'POST', '/bridge/invoke/app:info', withoutHeader, '{}')).status).toBe(403);

    const unknown = await raw(host, 'POST', '/bridge/invoke/shell:exec', headers, JSON.stringify({ payload: { cmd: 'id' } }));
    expect(JSON.parse(unknown.body)).toMatchObject({ ok: false, error: { code: 'ipc_refused' } });
    const bad = await raw(
      host,
      'POST',
      '/bridge/invoke/auth:step-up',
      headers,
      JSON.stringify({ payload: { action: 'terminal', code: '12' } }),
    );
    expect(JSON.parse(bad.body)).toMatchObject({ ok: false, error: { code: 'invalid_request', fields: { code: expect.any(String) } } });
  });

  it('streams events to the page as server-sent events', async () => {
    const target = new URL(host.origin);
    const received = await new Promise<string>((resolve, reject) => {
      const req = httpRequest(
        { host: '127.0.0.1', port: target.port, path: '/bridge/events', headers: { host: target.host, cookie } },
        (res) => {
          expect(res.headers['content-type']).toMatch(/text\/event-stream/);
          let text = '';
          res.on('data', (chunk: Buffer) => {
            text += chunk.toString();
            if (text.includes(': connected')) host.broadcast('event:signed-out', { reason: 'session_revoked', message: 'ended' });
            if (text.includes('signed-out')) {
              req.destroy();
              resolve(text);
            }
          });
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(received).toContain('data: {"event":"event:signed-out","payload":{"reason":"session_revoked","message":"ended"}}');
  });
});
