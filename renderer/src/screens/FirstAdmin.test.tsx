import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { BulwarkApi } from '../../../shared/ipc/bulwark-api';
import { App } from '../App';
import { setBulwarkForTests } from '../bridge/index';
import { ok, resetAfterScreenTest } from '../test-support/screen-tests';
import { useSession } from '../state/session-store';

const SERVER = 'http://127.0.0.1:4780';

function fakeApi(canCreateFirstAdmin: boolean) {
  const api = {
    prefs: { getServerUrl: () => ok({ serverUrl: SERVER }), setServerUrl: vi.fn() },
    setup: {
      status: vi.fn(() => ok({ firstAdminNeeded: canCreateFirstAdmin, firstRunEnabled: true, canCreateFirstAdmin })),
      createFirstAdmin: vi.fn(),
    },
    auth: {
      resume: () => ok(null),
      signIn: vi.fn(() => ok({ next: 'enroll' as const, challengeExpiresAt: '2099-01-01T00:00:00.000Z' })),
      startEnrollment: vi.fn(() =>
        ok({ otpauthUri: 'otpauth://totp/Bulwark:first%40example.test?secret=JBSWY3DPEHPK3PXP&issuer=Bulwark' }),
      ),
      verifyCode: vi.fn(),
    },
    api: { call: vi.fn() },
    events: { onSignedOut: () => () => undefined },
  };
  return api;
}

beforeEach(() => {
  useSession.setState({ status: 'starting', session: null, signedOutMessage: null });
});
afterEach(resetAfterScreenTest);

describe('first run: create the first platform admin', () => {
  it('asks for the admin when the server needs one and this console can create it, shows the password rules, then enrolls TOTP', async () => {
    const api = fakeApi(true);
    api.setup.createFirstAdmin
      .mockImplementationOnce(() =>
        Promise.resolve({
          ok: false as const,
          error: { code: 'weak_password', message: 'Some fields are not valid', fields: { password: 'This password is too common' } },
        }),
      )
      .mockImplementationOnce(() =>
        ok({
          user: { id: '11111111-1111-4111-8111-111111111111', email: 'first@example.test', displayName: 'Fay', role: 'platform_admin' },
        }),
      );
    setBulwarkForTests(api as unknown as BulwarkApi);
    render(<App />);

    const form = await screen.findByRole('form', { name: 'Create the first platform admin' });
    expect(form).toBeTruthy();
    expect(api.setup.status).toHaveBeenCalledWith({ serverUrl: SERVER });
    expect(screen.getByText(/At least 12 characters/)).toBeTruthy();

    fireEvent.change(screen.getByLabelText('Email'), { target: { value: 'first@example.test' } });
    fireEvent.change(screen.getByLabelText('Name'), { target: { value: 'Fay' } });
    // Too short: said at once, nothing sent.
    fireEvent.change(screen.getByLabelText('Password'), { target: { value: 'short' } });
    fireEvent.click(screen.getByRole('button', { name: 'Create admin' }));
    expect((await screen.findByRole('alert')).textContent).toContain('at least 12 characters');
    expect(api.setup.createFirstAdmin).not.toHaveBeenCalled();

    // The server's rule comes back as the password field's own error.
    fireEvent.change(screen.getByLabelText('Password'), { target: { value: 'password1234' } });
    fireEvent.click(screen.getByRole('button', { name: 'Create admin' }));
    await waitFor(() => expect(screen.getByLabelText('Password').getAttribute('aria-invalid')).toBe('true'));
    expect(screen.getByRole('alert').textContent).toBe('This password is too common');
    // The page never passes a token: main adds it.
    expect(api.setup.createFirstAdmin).toHaveBeenLastCalledWith({
      serverUrl: SERVER,
      email: 'first@example.test',
      displayName: 'Fay',
      password: 'password1234',
    });

    fireEvent.change(screen.getByLabelText('Password'), { target: { value: 'violet orbit engine lantern' } });
    fireEvent.click(screen.getByRole('button', { name: 'Create admin' }));

    // Then the normal sign-in continues with the same credentials: first-time TOTP enrollment with a local QR code.
    expect(await screen.findByRole('heading', { name: 'Set up your authenticator app' })).toBeTruthy();
    expect(api.auth.signIn).toHaveBeenCalledWith({
      serverUrl: SERVER,
      email: 'first@example.test',
      password: 'violet orbit engine lantern',
    });
    expect(screen.getByText(/The first platform admin was created/)).toBeTruthy();
    expect(screen.getByRole('img', { name: 'QR code for your authenticator app' })).toBeTruthy();
  });

  it('shows the normal sign-in when the server already has an admin (or this console has no launcher token)', async () => {
    const api = fakeApi(false);
    setBulwarkForTests(api as unknown as BulwarkApi);
    render(<App />);
    await waitFor(() => expect(api.setup.status).toHaveBeenCalled());
    expect(await screen.findByRole('form', { name: 'Sign in' })).toBeTruthy();
    expect(screen.queryByRole('form', { name: 'Create the first platform admin' })).toBeNull();
    expect(screen.getByLabelText<HTMLInputElement>('Server address').value).toBe(SERVER);
  });
});
