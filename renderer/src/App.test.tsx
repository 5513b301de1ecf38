import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { BulwarkApi } from '../../shared/ipc/bulwark-api';
import type { SessionView } from '../../shared/ipc/schemas';
import { App } from './App';
import { setBulwarkForTests } from './bridge/index';
import { useSession } from './state/session-store';

const session: SessionView = {
  serverUrl: 'https://bulwark.example.com',
  user: {
    id: '7d7f3b8e-8d0e-4a57-9a52-1c1f3f0b9a01',
    email: 'tech@example.com',
    displayName: 'Tess Tech',
    role: 'technician',
    tenantId: null,
  },
  tenant: null,
  sessionId: '7d7f3b8e-8d0e-4a57-9a52-1c1f3f0b9a02',
  sessionExpiresAt: '2099-01-01T00:00:00.000Z',
  stepUps: [],
  vault: { remembered: false, message: 'No keychain is available on this computer, so you will be asked to sign in again next time.' },
};

const ok = <T,>(value: T) => Promise.resolve({ ok: true as const, value });
const fail = (code: string, message: string) => Promise.resolve({ ok: false as const, error: { code, message } });

/** A fake of main's API: only what these journeys touch; the rest refuses like main does for unknown calls. */
function fakeApi(overrides: Partial<{ [K in keyof BulwarkApi]: Partial<BulwarkApi[K]> }> = {}) {
  let signedOut: ((event: { reason: 'session_revoked'; message: string }) => void) | null = null;
  const api = {
    app: { info: () => ok({ name: 'Bulwark', version: '0', host: 'browser' as const }) },
    prefs: { getServerUrl: () => ok({ serverUrl: null }), setServerUrl: vi.fn() },
    auth: {
      resume: () => ok(null),
      signIn: vi.fn(() => fail('invalid_credentials', 'Email or password is incorrect.')),
      startEnrollment: vi.fn(() => ok({ otpauthUri: 'otpauth://totp/Bulwark:tech%40example.com?secret=JBSWY3DPEHPK3PXP&issuer=Bulwark' })),
      verifyCode: vi.fn(() => ok(session)),
      signOut: vi.fn(() => ok({ signedOut: true as const })),
      me: () => ok(session),
      stepUp: vi.fn(),
      ...overrides.auth,
    },
    api: { call: vi.fn(() => fail('ipc_refused', 'refused')) },
    events: {
      onSignedOut: (listener: typeof signedOut) => {
        signedOut = listener;
        return () => (signedOut = null);
      },
      onTerminalOutput: () => () => undefined,
      onTerminalClosed: () => () => undefined,
      onPolicyBlock: () => () => undefined,
      onViewerFrame: () => () => undefined,
      onScriptRunProgress: () => () => undefined,
    },
  };
  return {
    api: api as unknown as BulwarkApi,
    raw: api,
    emitSignedOut: (message: string) => signedOut?.({ reason: 'session_revoked', message }),
  };
}

beforeEach(() => {
  useSession.setState({ status: 'starting', session: null, signedOutMessage: null });
});
afterEach(() => {
  cleanup();
  setBulwarkForTests(null);
});

function fillPassword(serverUrl: string) {
  fireEvent.change(screen.getByLabelText('Server address'), { target: { value: serverUrl } });
  fireEvent.change(screen.getByLabelText('Email'), { target: { value: 'tech@example.com' } });
  fireEvent.change(screen.getByLabelText('Password'), { target: { value: 'correct horse battery' } });
  fireEvent.click(screen.getByRole('button', { name: 'Continue' }));
}

describe('sign-in', () => {
  it('refuses plain http to a remote host with a clear message and sends nothing', async () => {
    const fake = fakeApi();
    setBulwarkForTests(fake.api);
    render(<App />);
    await screen.findByRole('heading', { name: 'Sign in' });
    fillPassword('http://bulwark.example.com');
    expect(screen.getByRole('alert').textContent).toMatch(/Plain http is allowed only to this computer/);
    expect(screen.getByLabelText('Server address').getAttribute('aria-invalid')).toBe('true');
    expect(fake.raw.auth.signIn).not.toHaveBeenCalled();
  });

  it("shows the server's message for wrong credentials", async () => {
    const fake = fakeApi();
    setBulwarkForTests(fake.api);
    render(<App />);
    await screen.findByRole('heading', { name: 'Sign in' });
    fillPassword('https://bulwark.example.com');
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toBe('Sign-in refused: Email or password is incorrect.');
    expect(fake.raw.auth.signIn).toHaveBeenCalledWith({
      serverUrl: 'https://bulwark.example.com',
      email: 'tech@example.com',
      password: 'correct horse battery',
    });
  });

  it('says when the server cannot be reached', async () => {
    const fake = fakeApi({ auth: { signIn: vi.fn(() => fail('server_unreachable', 'No answer from https://bulwark.example.com.')) } });
    setBulwarkForTests(fake.api);
    render(<App />);
    await screen.findByRole('heading', { name: 'Sign in' });
    fillPassword('https://bulwark.example.com');
    expect((await screen.findByRole('alert')).textContent).toMatch(/^Server unreachable: No answer .* Check the address/);
  });

  it('enrolls TOTP with a locally drawn QR code, verifies the code, then opens the console', async () => {
    const fake = fakeApi({
      auth: { signIn: vi.fn(() => ok({ next: 'enroll' as const, challengeExpiresAt: '2099-01-01T00:00:00.000Z' })) },
    });
    setBulwarkForTests(fake.api);
    render(<App />);
    await screen.findByRole('heading', { name: 'Sign in' });
    fillPassword('http://127.0.0.1:4780');
    await screen.findByRole('heading', { name: 'Set up your authenticator app' });
    const qr = screen.getByRole('img', { name: 'QR code for your authenticator app' });
    expect(qr.tagName.toLowerCase()).toBe('svg');
    expect(qr.querySelector('path')?.getAttribute('d')?.length).toBeGreaterThan(100);
    expect(document.querySelector('img')).toBeNull();
    expect(screen.getByText('JBSW Y3DP EHPK 3PXP')).toBeTruthy();

    fireEvent.change(screen.getByLabelText('Authenticator code'), { target: { value: '123456' } });
    fireEvent.click(screen.getByRole('button', { name: 'Verify and save' }));
    await screen.findByRole('navigation', { name: 'Main' });
    expect(fake.raw.auth.verifyCode).toHaveBeenCalledWith({ code: '123456' });
    expect(screen.getByText(/No keychain is available/)).toBeTruthy();
    // This (fake) main refuses every admin-API call: the Endpoints screen says so and offers a retry, no crash.
    expect(await screen.findByRole('button', { name: 'Try again' })).toBeTruthy();
  });

  it('returns to sign-in with the reason when main reports the session revoked', async () => {
    const fake = fakeApi({ auth: { resume: () => ok(session) } });
    setBulwarkForTests(fake.api);
    render(<App />);
    await screen.findByRole('navigation', { name: 'Main' });
    act(() => fake.emitSignedOut('This session was revoked from another device.'));
    await waitFor(() => expect(screen.getByRole('heading', { name: 'Sign in' })).toBeTruthy());
    expect(screen.getAllByRole('alert')[0]?.textContent).toBe('You were signed out: This session was revoked from another device.');
  });
});
