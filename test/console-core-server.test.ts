/**
 * The console's main-process core against a real Bulwark server (PGlite), through the same
 * validated IPC gate the window uses: sign-in with TOTP, the session held in the vault, a
 * revocation from elsewhere reaching the console as "signed out" with its reason, sign-out
 * revoking the server session and deleting the keychain entry, and resume after a restart.
 * (Lives in test/ because it needs the server's test harness, which main/ may not import.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsoleCore } from '../main/core/console-core';
import { createFetchTransport } from '../main/core/http-transport';
import { silentLogger } from '../main/core/logger';
import { memoryPrefsStore, type PrefsStore } from '../main/core/prefs';
import { TokenVault, type SecretBackend } from '../main/core/vault';
import { wsSocketFactory } from '../main/core/ws-socket';
import { createIpcGate, type IpcGate } from '../main/ipc/ipc-gate';
import type { IpcChannelName, IpcEventName } from '../shared/ipc/channels';
import type { SessionView } from '../shared/ipc/schemas';
import { startPgliteTestServer, type SignedIn, type TestServer, type TestUser } from '../server/test/harness';

const APP_ORIGIN = 'app://console';
const SENDER = { url: `${APP_ORIGIN}/index.html`, isMainFrame: true };

/** A keychain double that keeps entries in a Map (the real keychain is tested in main/core/vault-keychain.test.ts). */
function mapKeychain(): SecretBackend & { entries: Map<string, string> } {
  const entries = new Map<string, string>();
  return {
    entries,
    get: (service, account) => Promise.resolve(entries.get(`${service}|${account}`) ?? null),
    set: (service, account, secret) => Promise.resolve(void entries.set(`${service}|${account}`, secret)),
    delete: (service, account) => Promise.resolve(entries.delete(`${service}|${account}`)),
  };
}

interface Harness {
  core: ConsoleCore;
  gate: IpcGate;
  events: { event: IpcEventName; payload: unknown }[];
  answers: unknown[];
  intervals: number[];
  call(channel: IpcChannelName, payload?: unknown): Promise<{ ok: boolean; value?: unknown; error?: { code: string; message: string } }>;
}

function consoleHarness(keychain: SecretBackend, prefs: PrefsStore): Harness {
  const events: Harness['events'] = [];
  const answers: unknown[] = [];
  const intervals: number[] = [];
  const core = new ConsoleCore({
    host: 'electron',
    version: 'test',
    prefs,
    vault: new TokenVault(keychain, silentLogger),
    transportFor: (origin) => createFetchTransport(origin),
    socketFactory: wsSocketFactory,
    emit: (event, payload) => events.push({ event, payload }),
    log: silentLogger,
    openAllowedLink: () => Promise.resolve(false),
    clientName: 'Bulwark console test',
    // The 5-second poll is driven by hand here (core.pollNow is what the timer calls).
    timers: { setInterval: (_cb, ms) => intervals.push(ms), clearInterval: () => undefined },
  });
  const gate = createIpcGate({ appOrigin: APP_ORIGIN, handlers: core.handlers, log: silentLogger });
  return {
    core,
    gate,
    events,
    answers,
    intervals,
    async call(channel, payload) {
      const answer = (await gate.dispatch(channel, SENDER, payload)) as Awaited<ReturnType<Harness['call']>>;
      answers.push(answer);
      return answer;
    },
  };
}

describe('console core against a real server', () => {
  let server: TestServer;
  let admin: TestUser;
  let adminElsewhere: SignedIn;

  beforeAll(async () => {
    server = await startPgliteTestServer();
    admin = await server.createPlatformAdmin();
    adminElsewhere = await server.signIn(admin, 'another device');
  });
  afterAll(async () => {
    await server?.close();
  });

  async function signIn(h: Harness): Promise<SessionView> {
    const started = await h.call('auth:sign-in', { serverUrl: server.url, email: admin.email, password: admin.password });
    expect(started).toMatchObject({ ok: true, value: { next: 'mfa' } });
    const verified = await h.call('auth:verify-code', { code: server.totp(admin.totpSecret) });
    expect(verified.ok).toBe(true);
    return verified.value as SessionView;
  }

  it('signs in with password and TOTP, keeps the tokens in main and the keychain only, and polls every 5 s', async () => {
    const keychain = mapKeychain();
    const h = consoleHarness(keychain, memoryPrefsStore());
    const view = await signIn(h);
    expect(view).toMatchObject({
      serverUrl: server.url,
      user: { email: admin.email, role: 'platform_admin' },
      vault: { remembered: true, message: null },
    });
    expect(h.intervals).toEqual([5_000]);

    const stored = JSON.parse([...keychain.entries.values()][0]!) as { refreshToken: string };
    expect(stored.refreshToken.length).toBeGreaterThan(10);
    const sessions = await h.call('api:call', { route: 'listSessions', input: {} });
    expect(sessions).toMatchObject({
      ok: true,
      value: { sessions: expect.arrayContaining([expect.objectContaining({ current: true, clientName: 'Bulwark console test' })]) },
    });
    // No answer that crossed the gate holds the refresh token (or anything token-shaped).
    expect(JSON.stringify(h.answers)).not.toContain(stored.refreshToken);
    expect(JSON.stringify(h.answers)).not.toMatch(/accessToken|refreshToken|challengeToken/);
    await h.call('auth:sign-out');
  });

  it('drops to signed-out with the reason when the session is revoked elsewhere, and forgets it', async () => {
    const keychain = mapKeychain();
    const h = consoleHarness(keychain, memoryPrefsStore());
    const view = await signIn(h);
    expect(keychain.entries.size).toBe(1);

    const revoked = await server.request('DELETE', `/api/v1/sessions/${view.sessionId}`, { token: adminElsewhere.token });
    expect(revoked.status).toBe(200);
    await h.core.pollNow();

    expect(h.events).toEqual([
      { event: 'event:signed-out', payload: { reason: 'session_revoked', message: expect.stringMatching(/ended/) } },
    ]);
    expect(keychain.entries.size).toBe(0);
    expect(h.core.signedIn).toBe(false);
    expect(await h.call('api:call', { route: 'listTenants', input: {} })).toMatchObject({ ok: false, error: { code: 'not_signed_in' } });
  });

  it('signing out revokes the server session and deletes the keychain entry', async () => {
    const keychain = mapKeychain();
    const h = consoleHarness(keychain, memoryPrefsStore());
    await signIn(h);
    const { refreshToken } = JSON.parse([...keychain.entries.values()][0]!) as { refreshToken: string };

    expect(await h.call('auth:sign-out')).toEqual({ ok: true, value: { signedOut: true } });
    expect(keychain.entries.size).toBe(0);
    const reuse = await server.request('POST', '/api/v1/auth/refresh', { body: { refreshToken } });
    expect(reuse.status).toBe(401);
    expect(h.events).toEqual([]);
  });

  it('resumes the remembered session after a restart, and returns null once it is gone', async () => {
    const keychain = mapKeychain();
    const prefs = memoryPrefsStore();
    const first = consoleHarness(keychain, prefs);
    const view = await signIn(first);
    first.core.shutdown();

    const restarted = consoleHarness(keychain, prefs);
    const resumed = await restarted.call('auth:resume');
    expect(resumed).toMatchObject({ ok: true, value: { sessionId: view.sessionId, vault: { remembered: true } } });
    await restarted.call('auth:sign-out');

    const again = consoleHarness(keychain, prefs);
    expect(await again.call('auth:resume')).toEqual({ ok: true, value: null });
  });

  it('refuses plain http to a remote server before anything is sent', async () => {
    const h = consoleHarness(mapKeychain(), memoryPrefsStore());
    const answer = await h.call('auth:sign-in', { serverUrl: 'http://bulwark.example.com', email: admin.email, password: admin.password });
    expect(answer).toMatchObject({ ok: false, error: { code: 'invalid_request' } });
  });

  it('validates api:call input with the route’s own schemas', async () => {
    const h = consoleHarness(mapKeychain(), memoryPrefsStore());
    await signIn(h);
    const bad = await h.call('api:call', { route: 'getTenant', input: { params: { id: 'not-a-uuid' } } });
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid_request', fields: { 'params.id': expect.any(String) } } });
    const notListed = await h.call('api:call', { route: 'refresh', input: { body: { refreshToken: 'x' } } });
    expect(notListed).toMatchObject({ ok: false, error: { code: 'invalid_request' } });
    await h.call('auth:sign-out');
  });
});
