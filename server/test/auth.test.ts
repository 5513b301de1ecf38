import { beforeAll, beforeEach, expect, it } from 'vitest';
import { describeEachBackend, type SignedIn, type TestUser } from './harness';
import type { RevocationNotice } from '../state/shared-state';
import { sweepExpired } from '../db/housekeeping';

describeEachBackend('sign-in, sessions and step-up', (server) => {
  let admin: TestUser;
  let adminSession: SignedIn;
  let tenantId: string;

  beforeAll(async () => {
    admin = await server().createPlatformAdmin();
    adminSession = await server().signIn(admin);
    tenantId = await server().createTenant(adminSession);
  });
  // Tests move the clock by hours; a fresh admin session per test keeps them independent.
  beforeEach(async () => {
    adminSession = await server().signIn(admin);
  });

  const newTechnician = () => server().createUser(adminSession, { role: 'technician', tenantId });

  it('enrolls TOTP: the secret is stored only after a correct code', async () => {
    const s = server();
    const email = `${s.unique('enroll')}@example.test`;
    const password = 'maple quartz harbour lantern';
    const created = await s.request('POST', '/api/v1/users', {
      token: adminSession.token,
      body: { email, password, role: 'technician', tenantId, displayName: 'Enroll Test' },
    });
    expect(created.status).toBe(201);
    expect(created.body.mfaEnrolled).toBe(false);
    expect(created.body).not.toHaveProperty('passwordHash');

    const login = await s.request('POST', '/api/v1/auth/login', { body: { email, password } });
    expect(login.status).toBe(200);
    expect(login.body.next).toBe('enroll');
    // Without confirmed TOTP the only way forward is enrollment.
    const mfa = await s.request('POST', '/api/v1/auth/mfa', { body: { challengeToken: login.body.challengeToken, code: '123456' } });
    expect(mfa.status).toBe(403);
    expect(mfa.body.error.code).toBe('mfa_enrollment_required');

    const enroll = await s.request('POST', '/api/v1/auth/mfa/enroll', { body: { challengeToken: login.body.challengeToken } });
    expect(enroll.status).toBe(200);
    expect(enroll.body.otpauthUrl).toMatch(/^otpauth:\/\/totp\/Bulwark:/);
    const row = await s.server.ctx.db.selectFrom('users').selectAll().where('id', '=', created.body.id).executeTakeFirstOrThrow();
    expect(row.totp_secret_enc).toBeNull();
    expect(row.totp_confirmed_at).toBeNull();
    expect(row.totp_pending_secret_enc).not.toContain(enroll.body.secret);

    const wrong = await s.request('POST', '/api/v1/auth/mfa/enroll/verify', {
      body: { challengeToken: login.body.challengeToken, code: '000000' === s.totp(enroll.body.secret) ? '111111' : '000000' },
    });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.code).toBe('invalid_code');
    const stillPending = await s.server.ctx.db.selectFrom('users').selectAll().where('id', '=', created.body.id).executeTakeFirstOrThrow();
    expect(stillPending.totp_confirmed_at).toBeNull();

    const verify = await s.request('POST', '/api/v1/auth/mfa/enroll/verify', {
      body: { challengeToken: login.body.challengeToken, code: s.totp(enroll.body.secret) },
    });
    expect(verify.status).toBe(200);
    expect(verify.body.accessToken).toMatch(/^bwa_/);
    const confirmed = await s.server.ctx.db.selectFrom('users').selectAll().where('id', '=', created.body.id).executeTakeFirstOrThrow();
    expect(confirmed.totp_confirmed_at).not.toBeNull();
    expect(confirmed.totp_secret_enc).not.toContain(enroll.body.secret);

    // From now on sign-in asks for the code, and the challenge cannot be used twice.
    const again = await s.request('POST', '/api/v1/auth/login', { body: { email, password } });
    expect(again.body.next).toBe('mfa');
    const reuse = await s.request('POST', '/api/v1/auth/mfa/enroll/verify', {
      body: { challengeToken: login.body.challengeToken, code: s.totp(enroll.body.secret) },
    });
    expect(reuse.status).toBe(401);
  });

  it('signs in with password + TOTP and refuses a replayed code', async () => {
    const s = server();
    const user = await newTechnician();
    const session = await s.signIn(user, 'Console on test host');
    const me = await s.request('GET', '/api/v1/me', { token: session.token });
    expect(me.status).toBe(200);
    expect(me.body.user.email).toBe(user.email);
    expect(me.body.user.role).toBe('technician');
    expect(me.body.tenant.id).toBe(tenantId);
    expect(me.headers.get('cache-control')).toBe('no-store');

    // The same code again (within its validity window) is refused.
    const login = await s.request('POST', '/api/v1/auth/login', { body: { email: user.email, password: user.password } });
    const replay = await s.request('POST', '/api/v1/auth/mfa', {
      body: { challengeToken: login.body.challengeToken, code: s.lastUsedCode(user.totpSecret) },
    });
    expect(replay.status).toBe(401);
    expect(replay.body.error.code).toBe('invalid_code');
    const events = await s.request('GET', `/api/v1/audit/logins?userId=${user.id}`, { token: adminSession.token });
    expect(events.body.events.map((e: { reason: string }) => e.reason)).toContain('code_replayed');
  });

  it('gives the same generic error for unknown user, wrong password and lockout, and records each attempt', async () => {
    const s = server();
    const user = await newTechnician();
    const unknown = await s.request('POST', '/api/v1/auth/login', { body: { email: 'nobody@example.test', password: 'whatever it is' } });
    const wrong = await s.request('POST', '/api/v1/auth/login', { body: { email: user.email, password: 'not the password' } });
    expect(unknown.status).toBe(401);
    expect(wrong.status).toBe(401);
    expect(unknown.body).toEqual(wrong.body);
    expect(wrong.body.error.code).toBe('invalid_credentials');

    const events = await s.request('GET', '/api/v1/audit/logins?result=failure&limit=50', { token: adminSession.token });
    const reasons = events.body.events.map((e: { email: string; reason: string }) => `${e.email}:${e.reason}`);
    expect(reasons).toContain('nobody@example.test:unknown_user');
    expect(reasons).toContain(`${user.email.toLowerCase()}:bad_password`);
  });

  it('locks an account after repeated failures with exponential back-off, refusing even the correct password', async () => {
    const s = server();
    const user = await newTechnician();
    const { accountFreeFailures, lockoutBaseSeconds } = s.server.ctx.config.throttle;
    // A different source address for this test, so the per-address counter of other tests is untouched.
    for (let i = 0; i < accountFreeFailures; i++) {
      const r = await s.request('POST', '/api/v1/auth/login', { body: { email: user.email, password: `wrong password ${i}` } });
      expect(r.status).toBe(401);
    }
    const locked = await s.request('POST', '/api/v1/auth/login', { body: { email: user.email, password: user.password } });
    expect(locked.status).toBe(401);
    expect(locked.body.error.code).toBe('invalid_credentials');

    // After the first lockout period the correct password works again...
    s.clock.advance(lockoutBaseSeconds * 1000 + 1000);
    const afterFirst = await s.request('POST', '/api/v1/auth/login', { body: { email: user.email, password: 'wrong again' } });
    expect(afterFirst.status).toBe(401);
    // ...but that further failure doubled the lockout: one base period is no longer enough.
    s.clock.advance(lockoutBaseSeconds * 1000 + 1000);
    const stillLocked = await s.request('POST', '/api/v1/auth/login', { body: { email: user.email, password: user.password } });
    expect(stillLocked.status).toBe(401);
    s.clock.advance(lockoutBaseSeconds * 1000 + 1000);
    const unlocked = await s.request('POST', '/api/v1/auth/login', { body: { email: user.email, password: user.password } });
    expect(unlocked.status).toBe(200);

    const events = await s.request('GET', `/api/v1/audit/logins?userId=${user.id}&limit=100`, { token: adminSession.token });
    expect(events.body.events.filter((e: { reason: string }) => e.reason === 'locked').length).toBeGreaterThanOrEqual(2);
  });

  it('throttles a source address across accounts', async () => {
    const s = server();
    const { ipFreeFailures, lockoutMaxSeconds, windowSeconds } = s.server.ctx.config.throttle;
    const user = await newTechnician();
    for (let i = 0; i < ipFreeFailures; i++) {
      await s.request('POST', '/api/v1/auth/login', { body: { email: `spray-${i}@example.test`, password: 'guess guess guess' } });
    }
    const refused = await s.request('POST', '/api/v1/auth/login', { body: { email: user.email, password: user.password } });
    expect(refused.status).toBe(401);
    // Let the address counter decay so later tests from this address are unaffected.
    s.clock.advance(Math.max(lockoutMaxSeconds, windowSeconds) * 1000 + 1000);
    const ok = await s.request('POST', '/api/v1/auth/login', { body: { email: user.email, password: user.password } });
    expect(ok.status).toBe(200);
  });

  it('rotates refresh tokens and revokes the family when an old one is reused', async () => {
    const s = server();
    const user = await newTechnician();
    const session = await s.signIn(user);
    const first = await s.request('POST', '/api/v1/auth/refresh', { body: { refreshToken: session.tokens.refreshToken } });
    expect(first.status).toBe(200);
    expect(first.body.refreshToken).not.toBe(session.tokens.refreshToken);
    expect(first.body.sessionId).toBe(session.tokens.sessionId);
    // The access token from before the rotation no longer works; the new one does.
    expect((await s.request('GET', '/api/v1/me', { token: session.token })).status).toBe(401);
    expect((await s.request('GET', '/api/v1/me', { token: first.body.accessToken })).status).toBe(200);

    const reuse = await s.request('POST', '/api/v1/auth/refresh', { body: { refreshToken: session.tokens.refreshToken } });
    expect(reuse.status).toBe(401);
    expect(reuse.body.error.code).toBe('refresh_token_reused');
    // The whole session is gone: the newest tokens fail too.
    const me = await s.request('GET', '/api/v1/me', { token: first.body.accessToken });
    expect(me.status).toBe(401);
    expect(me.body.error.code).toBe('session_revoked');
    const next = await s.request('POST', '/api/v1/auth/refresh', { body: { refreshToken: first.body.refreshToken } });
    expect(next.status).toBe(401);
  });

  it('expires access tokens, idle sessions and sessions past their absolute limit', async () => {
    const s = server();
    const { accessTokenTtlSeconds, sessionIdleTimeoutSeconds, sessionAbsoluteTimeoutSeconds } = s.server.ctx.config;
    const user = await newTechnician();
    let session = await s.signIn(user);
    s.clock.advance(accessTokenTtlSeconds * 1000 + 1000);
    const expired = await s.request('GET', '/api/v1/me', { token: session.token });
    expect(expired.body.error.code).toBe('token_expired');
    const refreshed = await s.request('POST', '/api/v1/auth/refresh', { body: { refreshToken: session.tokens.refreshToken } });
    expect(refreshed.status).toBe(200);

    s.clock.advance(sessionIdleTimeoutSeconds * 1000 + 1000);
    const idle = await s.request('GET', '/api/v1/me', { token: refreshed.body.accessToken });
    expect(idle.body.error.code).toBe('session_expired');

    session = await s.signIn(user);
    let refreshToken = session.tokens.refreshToken;
    // Keep the session busy until it reaches its absolute limit.
    const steps = Math.ceil(sessionAbsoluteTimeoutSeconds / (accessTokenTtlSeconds - 60));
    let last = 200;
    for (let i = 0; i < steps && last === 200; i++) {
      s.clock.advance((accessTokenTtlSeconds - 60) * 1000);
      const r = await s.request('POST', '/api/v1/auth/refresh', { body: { refreshToken } });
      last = r.status;
      if (r.status === 200) refreshToken = r.body.refreshToken;
      else expect(r.body.error.code).toBe('session_expired');
    }
    expect(last).toBe(401);
  });

  it('lists sessions, revokes one and all others; a revoked token fails and a notice is published', async () => {
    const s = server();
    const user = await newTechnician();
    const notices: RevocationNotice[] = [];
    const unsubscribe = await s.server.ctx.state.subscribeRevocations((n) => notices.push(n));
    const laptop = await s.signIn(user, 'Laptop');
    const desktop = await s.signIn(user, 'Desktop');
    // Stand-in for a console WebSocket of the desktop session.
    let desktopSocketClosedBecause: string | null = null;
    s.server.connections.register({ sessionId: desktop.tokens.sessionId, userId: user.id }, (reason) => {
      desktopSocketClosedBecause = reason;
    });
    const phone = await s.signIn(user, 'Tablet');

    const list = await s.request('GET', '/api/v1/sessions', { token: laptop.token });
    expect(list.status).toBe(200);
    // Three sign-ins, plus the session the enrollment opened.
    expect(list.body.sessions).toHaveLength(4);
    expect(list.body.sessions.map((x: { clientName: string }) => x.clientName)).toEqual(
      expect.arrayContaining(['Laptop', 'Desktop', 'Tablet']),
    );
    const current = list.body.sessions.find((x: { current: boolean }) => x.current);
    expect(current.clientName).toBe('Laptop');
    expect(current.ip).toBe('127.0.0.1');
    expect(current).toHaveProperty('lastSeenAt');

    const revoke = await s.request('DELETE', `/api/v1/sessions/${desktop.tokens.sessionId}`, { token: laptop.token });
    expect(revoke.status).toBe(200);
    expect(revoke.body.revoked).toBe(1);
    await expect.poll(() => desktopSocketClosedBecause, { timeout: 3000 }).toBe('revoked_by_user');
    const revoked = await s.request('GET', '/api/v1/me', { token: desktop.token });
    expect(revoked.status).toBe(401);
    expect(revoked.body.error.code).toBe('session_revoked');

    const others = await s.request('DELETE', '/api/v1/sessions', { token: laptop.token });
    expect(others.body.revoked).toBe(2);
    expect((await s.request('GET', '/api/v1/me', { token: phone.token })).status).toBe(401);
    expect((await s.request('GET', '/api/v1/me', { token: laptop.token })).status).toBe(200);

    // Notices let open WebSockets of those sessions close within seconds.
    await expect
      .poll(() => notices.map((n) => (n.kind === 'session' ? n.sessionId : '')), { timeout: 3000 })
      .toEqual(expect.arrayContaining([desktop.tokens.sessionId, phone.tokens.sessionId]));
    await unsubscribe();

    // Another user's session is not found; a platform admin may revoke it.
    const other = await newTechnician();
    const otherSession = await s.signIn(other);
    expect((await s.request('DELETE', `/api/v1/sessions/${otherSession.tokens.sessionId}`, { token: laptop.token })).status).toBe(404);
    const adminList = await s.request('GET', `/api/v1/sessions?userId=${other.id}`, { token: adminSession.token });
    expect(adminList.body.sessions.map((x: { id: string }) => x.id)).toContain(otherSession.tokens.sessionId);
    expect((await s.request('GET', `/api/v1/sessions?userId=${other.id}`, { token: laptop.token })).status).toBe(404);
    const byAdmin = await s.request('DELETE', `/api/v1/sessions/${otherSession.tokens.sessionId}`, { token: adminSession.token });
    expect(byAdmin.body.revoked).toBe(1);
    expect((await s.request('GET', '/api/v1/me', { token: otherSession.token })).status).toBe(401);
    const again = await s.signIn(other);
    const all = await s.request('DELETE', `/api/v1/users/${other.id}/sessions`, { token: adminSession.token });
    expect(all.body.revoked).toBe(2); // the enrollment session and the new one
    expect((await s.request('GET', '/api/v1/me', { token: again.token })).status).toBe(401);
  });

  it('logs out', async () => {
    const s = server();
    const user = await newTechnician();
    const session = await s.signIn(user);
    expect((await s.request('POST', '/api/v1/auth/logout', { token: session.token })).status).toBe(200);
    expect((await s.request('GET', '/api/v1/me', { token: session.token })).status).toBe(401);
    expect((await s.request('POST', '/api/v1/auth/refresh', { body: { refreshToken: session.tokens.refreshToken } })).status).toBe(401);
  });

  it('requires a fresh step-up, grants it for the window, and lets it expire', async () => {
    const s = server();
    const tenantAdmin = await s.createUser(adminSession, { role: 'tenant_admin', tenantId });
    const session = await s.signIn(tenantAdmin);
    const keyRequest = { name: 'ci', role: 'technician', expiresInDays: 30 };

    const refused = await s.request('POST', '/api/v1/api-keys', { token: session.token, body: keyRequest });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('step_up_required');

    // A step-up for another action does not count, nor does a wrong or replayed code.
    expect((await s.stepUp(tenantAdmin, session, 'terminal')).status).toBe(200);
    expect((await s.request('POST', '/api/v1/api-keys', { token: session.token, body: keyRequest })).body.error.code).toBe(
      'step_up_required',
    );
    const replay = await s.request('POST', '/api/v1/auth/step-up', {
      token: session.token,
      body: { action: 'api_key', code: s.lastUsedCode(tenantAdmin.totpSecret) },
    });
    expect(replay.status).toBe(401);

    const granted = await s.stepUp(tenantAdmin, session, 'api_key');
    expect(granted.status).toBe(200);
    expect(granted.body.action).toBe('api_key');
    const me = await s.request('GET', '/api/v1/me', { token: session.token });
    expect(me.body.session.stepUps.map((x: { action: string }) => x.action).sort()).toEqual(['api_key', 'terminal']);
    const created = await s.request('POST', '/api/v1/api-keys', { token: session.token, body: keyRequest });
    expect(created.status).toBe(201);

    s.clock.advance(s.server.ctx.config.stepUpWindowSeconds * 1000 + 1000);
    await s.request('POST', '/api/v1/auth/refresh', { body: { refreshToken: session.tokens.refreshToken } }).then((r) => {
      session.token = r.body.accessToken;
    });
    const expired = await s.request('POST', '/api/v1/api-keys', { token: session.token, body: keyRequest });
    expect(expired.status).toBe(403);
    expect(expired.body.error.code).toBe('step_up_required');
  });

  it('never writes passwords, tokens or TOTP material to the log', async () => {
    const s = server();
    const user = await newTechnician();
    const session = await s.signIn(user);
    await s.request('GET', '/api/v1/me', { token: session.token });
    const log = s.logLines.join('\n');
    for (const secret of [user.password, user.totpSecret, session.token, session.tokens.refreshToken]) {
      expect(log).not.toContain(secret);
    }
  });

  it('sweeps expired challenges, tokens and step-ups without touching live sessions', async () => {
    const s = server();
    const user = await newTechnician();
    await s.stepUp(user, await s.signIn(user), 'terminal');
    s.clock.advance(2 * 86_400_000);
    const removed = await sweepExpired(s.server.ctx);
    expect(removed.challenges).toBeGreaterThan(0);
    expect(removed.tokens).toBeGreaterThan(0);
    expect(removed.stepUps).toBeGreaterThan(0);
    const fresh = await s.signIn(user);
    expect((await s.request('GET', '/api/v1/me', { token: fresh.token })).status).toBe(200);
  });
});
