/**
 * First-run channels through the validated IPC gate, with a recording fake of the server:
 * main adds the launcher's token to the first-admin request itself, only for the launcher's
 * server; the renderer cannot pass one, and no answer carries it.
 */
import { describe, expect, it } from 'vitest';
import type { ApiTransport } from '../../shared/api/client';
import { createIpcGate } from '../ipc/ipc-gate';
import { ConsoleCore } from './console-core';
import { silentLogger } from './logger';
import { memoryPrefsStore, type PrefsStore } from './prefs';
import { TokenVault } from './vault';

const TOKEN = 'one-time-launcher-token-abcdefghijklmnopqrstuvwxyz';
const SERVER = 'http://127.0.0.1:4780';
const SENDER = { url: 'app://console/index.html', isMainFrame: true };
const USER = {
  id: '11111111-1111-4111-8111-111111111111',
  email: 'first@example.test',
  displayName: 'First',
  role: 'platform_admin',
  tenantId: null,
  mfaEnrolled: false,
  disabled: false,
  createdAt: '2025-01-01T00:00:00.000Z',
};

function harness(prefs: PrefsStore = memoryPrefsStore()) {
  const requests: { origin: string; method: string; path: string; body?: string }[] = [];
  let adminExists = false;
  const transportFor =
    (origin: string): ApiTransport =>
    (request) => {
      requests.push({ origin, method: request.method, path: request.path, ...(request.body ? { body: request.body } : {}) });
      if (request.path === '/api/v1/setup')
        return Promise.resolve({ status: 200, body: { firstAdminNeeded: !adminExists, firstRunEnabled: true } });
      if (request.path === '/api/v1/setup/first-admin') {
        const body = JSON.parse(request.body ?? '{}') as { firstRunToken?: string; email?: string; password?: string };
        if (body.firstRunToken !== TOKEN)
          return Promise.resolve({ status: 403, body: { error: { code: 'invalid_token', message: 'no' } } });
        if (body.password?.includes('first')) {
          return Promise.resolve({
            status: 400,
            body: {
              error: {
                code: 'weak_password',
                message: 'weak',
                fields: { 'body.password': 'The password must not contain your email address' },
              },
            },
          });
        }
        adminExists = true;
        return Promise.resolve({ status: 201, body: { user: { ...USER, email: body.email } } });
      }
      return Promise.resolve({ status: 404, body: { error: { code: 'not_found', message: 'not here' } } });
    };
  const core = new ConsoleCore({
    host: 'browser',
    version: 'test',
    prefs,
    vault: new TokenVault(null, silentLogger),
    transportFor,
    socketFactory: () => {
      throw new Error('no sockets in this test');
    },
    emit: () => undefined,
    log: silentLogger,
    openAllowedLink: () => Promise.resolve(false),
    clientName: 'test',
    timers: { setInterval: () => 0, clearInterval: () => undefined },
    launch: { serverUrl: SERVER, firstRunToken: TOKEN },
  });
  const gate = createIpcGate({ appOrigin: 'app://console', handlers: core.handlers, log: silentLogger });
  const answers: unknown[] = [];
  return {
    requests,
    answers,
    prefs,
    call: async (channel: string, payload?: unknown) => {
      const answer = await gate.dispatch(channel, SENDER, payload);
      answers.push(answer);
      return answer;
    },
  };
}

describe('first-run channels', () => {
  it('makes the launcher’s server the preferred one (forgetting an account of another server)', async () => {
    const h = harness(memoryPrefsStore({ serverUrl: 'https://other.example.com', lastAccount: 'me@example.com' }));
    expect(await h.call('prefs:get-server-url')).toEqual({ ok: true, value: { serverUrl: SERVER } });
    expect(h.prefs.read()).toEqual({ serverUrl: SERVER, lastAccount: null });
  });

  it('adds the token in main, for the launcher’s server only, and never answers with it', async () => {
    const h = harness();
    expect(await h.call('setup:status', { serverUrl: SERVER })).toEqual({
      ok: true,
      value: { firstAdminNeeded: true, firstRunEnabled: true, canCreateFirstAdmin: true },
    });
    // Another server: the token is not offered, nor sent.
    expect(await h.call('setup:status', { serverUrl: 'https://other.example.com' })).toMatchObject({
      ok: true,
      value: { canCreateFirstAdmin: false },
    });
    expect(
      await h.call('setup:create-first-admin', {
        serverUrl: 'https://other.example.com',
        email: 'a@example.test',
        password: 'long enough pass',
      }),
    ).toMatchObject({ ok: false, error: { code: 'first_run_unavailable' } });

    // The renderer cannot supply a token of its own (strict schema).
    expect(
      await h.call('setup:create-first-admin', {
        serverUrl: SERVER,
        email: 'a@example.test',
        password: 'long enough pass',
        firstRunToken: 'x',
      }),
    ).toMatchObject({ ok: false, error: { code: 'invalid_request' } });

    // The server's password rules come back as a field message named as the form names it.
    expect(await h.call('setup:create-first-admin', { serverUrl: SERVER, email: USER.email, password: 'first of all, me' })).toMatchObject({
      ok: false,
      error: { code: 'weak_password', fields: { password: 'The password must not contain your email address' } },
    });

    const created = await h.call('setup:create-first-admin', { serverUrl: SERVER, email: USER.email, password: 'violet orbit engine' });
    expect(created).toEqual({
      ok: true,
      value: { user: { id: USER.id, email: USER.email, displayName: 'First', role: 'platform_admin' } },
    });

    const firstAdminRequests = h.requests.filter((r) => r.path === '/api/v1/setup/first-admin');
    expect(firstAdminRequests.map((r) => r.origin)).toEqual([SERVER, SERVER]);
    expect(firstAdminRequests.every((r) => JSON.parse(r.body!).firstRunToken === TOKEN)).toBe(true);
    expect(h.requests.filter((r) => r.origin !== SERVER).every((r) => !(r.body ?? '').includes(TOKEN))).toBe(true);
    expect(JSON.stringify(h.answers)).not.toContain(TOKEN);

    // Used once: main forgets it.
    const again = await h.call('setup:create-first-admin', { serverUrl: SERVER, email: 'b@example.test', password: 'violet orbit engine' });
    expect(again).toMatchObject({ ok: false, error: { code: 'first_run_unavailable' } });
  });
});
