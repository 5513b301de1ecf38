/**
 * First run through the console's main-process core against a real Bulwark server (PGlite)
 * started with a one-time first-run token, as `npm start` does: the console takes the server
 * address and the token from its environment, creates the first platform admin (main adds the
 * token; it never crosses IPC), then signs in with TOTP enrollment. Also: exports through
 * `api:download`. (In test/ because it needs the server's test harness.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsoleCore } from '../main/core/console-core';
import { createFetchTransport } from '../main/core/http-transport';
import { takeLaunchSettings, type LaunchSettings } from '../main/core/launch';
import { silentLogger } from '../main/core/logger';
import { memoryPrefsStore } from '../main/core/prefs';
import { TokenVault } from '../main/core/vault';
import { wsSocketFactory } from '../main/core/ws-socket';
import { createIpcGate } from '../main/ipc/ipc-gate';
import type { ApiTransport } from '../shared/api/client';
import type { IpcChannelName } from '../shared/ipc/channels';
import { startPgliteTestServer, type TestServer } from '../server/test/harness';

const FIRST_RUN_TOKEN = 'launcher-token-for-console-tests-0123456789abcdef';
const APP_ORIGIN = 'app://console';
const SENDER = { url: `${APP_ORIGIN}/index.html`, isMainFrame: true };
const admin = { email: 'first.admin@example.test', displayName: 'First Admin', password: 'violet orbit engine lantern' };

type Answer = { ok: boolean; value?: unknown; error?: { code: string; message: string; fields?: Record<string, string> } };

function consoleHarness(launch: LaunchSettings) {
  const answers: Answer[] = [];
  const sentBodies: string[] = [];
  const prefs = memoryPrefsStore();
  const core = new ConsoleCore({
    host: 'browser',
    version: 'test',
    prefs,
    vault: new TokenVault(null, silentLogger),
    transportFor: (origin) => {
      const real = createFetchTransport(origin);
      const recording: ApiTransport = (request) => {
        if (request.body) sentBodies.push(request.body);
        return real(request);
      };
      return recording;
    },
    socketFactory: wsSocketFactory,
    emit: () => undefined,
    log: silentLogger,
    openAllowedLink: () => Promise.resolve(false),
    clientName: 'Bulwark console first-run test',
    timers: { setInterval: () => 0, clearInterval: () => undefined },
    launch,
  });
  const gate = createIpcGate({ appOrigin: APP_ORIGIN, handlers: core.handlers, log: silentLogger });
  return {
    core,
    prefs,
    answers,
    sentBodies,
    async call(channel: IpcChannelName, payload?: unknown): Promise<Answer> {
      const answer = (await gate.dispatch(channel, SENDER, payload)) as Answer;
      answers.push(answer);
      return answer;
    },
  };
}

describe('console first run against a real server', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startPgliteTestServer({ firstRunToken: FIRST_RUN_TOKEN });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('takes the server address and token from the launcher’s environment and removes the token from it', () => {
    const env: NodeJS.ProcessEnv = { BULWARK_CONSOLE_SERVER_URL: `${server.url}/`, BULWARK_FIRST_RUN_TOKEN: FIRST_RUN_TOKEN };
    expect(takeLaunchSettings(env, silentLogger)).toEqual({ serverUrl: server.url, firstRunToken: FIRST_RUN_TOKEN });
    expect(env.BULWARK_FIRST_RUN_TOKEN).toBeUndefined();
    // A token without (or with an unacceptable) server address is not kept: it could only be sent somewhere unknown.
    expect(takeLaunchSettings({ BULWARK_FIRST_RUN_TOKEN: FIRST_RUN_TOKEN }, silentLogger)).toEqual({
      serverUrl: null,
      firstRunToken: null,
    });
    expect(
      takeLaunchSettings(
        { BULWARK_CONSOLE_SERVER_URL: 'http://bulwark.example.com', BULWARK_FIRST_RUN_TOKEN: FIRST_RUN_TOKEN },
        silentLogger,
      ),
    ).toEqual({ serverUrl: null, firstRunToken: null });
  });

  it('never hands the token to a server other than the launcher’s', async () => {
    const elsewhere = consoleHarness({ serverUrl: 'http://127.0.0.1:9', firstRunToken: FIRST_RUN_TOKEN });
    const status = await elsewhere.call('setup:status', { serverUrl: server.url });
    expect(status).toEqual({ ok: true, value: { firstAdminNeeded: true, firstRunEnabled: true, canCreateFirstAdmin: false } });
    const refused = await elsewhere.call('setup:create-first-admin', { serverUrl: server.url, ...admin });
    expect(refused).toMatchObject({ ok: false, error: { code: 'first_run_unavailable' } });
    expect(elsewhere.sentBodies.join('\n')).not.toContain(FIRST_RUN_TOKEN);
  });

  it('creates the first admin with the token from main, then signs in with TOTP enrollment', async () => {
    const h = consoleHarness(
      takeLaunchSettings({ BULWARK_CONSOLE_SERVER_URL: server.url, BULWARK_FIRST_RUN_TOKEN: FIRST_RUN_TOKEN }, silentLogger),
    );
    // The launcher's server is the console's default.
    expect(await h.call('prefs:get-server-url')).toEqual({ ok: true, value: { serverUrl: server.url } });
    expect(await h.call('setup:status', { serverUrl: server.url })).toEqual({
      ok: true,
      value: { firstAdminNeeded: true, firstRunEnabled: true, canCreateFirstAdmin: true },
    });

    // The password rules arrive as field messages: main's own check first, then the server's.
    const short = await h.call('setup:create-first-admin', { serverUrl: server.url, ...admin, password: 'short' });
    expect(short).toMatchObject({
      ok: false,
      error: { code: 'invalid_request', fields: { password: expect.stringMatching(/12 characters/) } },
    });
    const containsEmail = await h.call('setup:create-first-admin', {
      serverUrl: server.url,
      ...admin,
      password: 'first.admin forever and ever',
    });
    expect(containsEmail).toMatchObject({
      ok: false,
      error: { code: 'weak_password', fields: { password: expect.stringMatching(/email/) } },
    });

    const created = await h.call('setup:create-first-admin', { serverUrl: server.url, ...admin });
    expect(created).toEqual({
      ok: true,
      value: { user: { id: expect.any(String), email: admin.email, displayName: admin.displayName, role: 'platform_admin' } },
    });
    // The token went to the server in the request body, and only there.
    expect(h.sentBodies.some((body) => body.includes(FIRST_RUN_TOKEN))).toBe(true);
    expect(await h.call('setup:status', { serverUrl: server.url })).toEqual({
      ok: true,
      value: { firstAdminNeeded: false, firstRunEnabled: true, canCreateFirstAdmin: false },
    });

    const signIn = await h.call('auth:sign-in', { serverUrl: server.url, email: admin.email, password: admin.password });
    expect(signIn).toMatchObject({ ok: true, value: { next: 'enroll' } });
    const enrollment = await h.call('auth:start-enrollment');
    const otpauthUri = (enrollment.value as { otpauthUri: string }).otpauthUri;
    const secret = new URL(otpauthUri).searchParams.get('secret');
    expect(secret).toBeTruthy();
    const session = await h.call('auth:verify-code', { code: server.totp(secret!) });
    expect(session).toMatchObject({ ok: true, value: { serverUrl: server.url, user: { email: admin.email, role: 'platform_admin' } } });

    // The audit trail as a file through api:download: bounded text the renderer saves; the first admin's sign-in is in it.
    const exported = await h.call('api:download', { route: 'exportAuditTimeline', input: { query: { format: 'csv' } } });
    expect(exported).toMatchObject({
      ok: true,
      value: { filename: expect.stringMatching(/^audit-events-.+\.csv$/), contentType: 'text/csv' },
    });
    const csv = (exported.value as { content: string }).content;
    expect(csv.split('\n')[0]).toMatch(/action/);
    expect(csv).toContain('login.');
    const jsonl = await h.call('api:download', { route: 'exportScriptLogs', input: { query: { format: 'jsonl' } } });
    expect(jsonl).toMatchObject({ ok: true, value: { contentType: 'application/x-ndjson', content: '' } });
    const badQuery = await h.call('api:download', { route: 'exportScriptLogs', input: { query: { format: 'xlsx' } } });
    expect(badQuery).toMatchObject({ ok: false, error: { code: 'invalid_request', fields: { 'query.format': expect.any(String) } } });
    const notAFileRoute = await h.call('api:download', { route: 'listTenants', input: {} });
    expect(notAFileRoute).toMatchObject({ ok: false, error: { code: 'invalid_request' } });

    // No answer that crossed the gate carries the first-run token.
    expect(JSON.stringify(h.answers)).not.toContain(FIRST_RUN_TOKEN);
    await h.call('auth:sign-out');
  });

  it('refuses a second first admin, even with the token', async () => {
    const h = consoleHarness({ serverUrl: server.url, firstRunToken: FIRST_RUN_TOKEN });
    const again = await h.call('setup:create-first-admin', { serverUrl: server.url, ...admin, email: 'second@example.test' });
    expect(again).toMatchObject({ ok: false, error: { code: 'conflict' } });
  });
});
