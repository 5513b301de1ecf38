import { beforeAll, beforeEach, expect, it } from 'vitest';
import { describeEachBackend, type SignedIn, type TestUser } from './harness';

describeEachBackend('tenants, roles, users and API keys', (server) => {
  let admin: TestUser;
  let adminSession: SignedIn;
  let tenantA: string;
  let tenantB: string;
  let adminA: TestUser;
  let techA: TestUser;
  let adminB: TestUser;

  beforeAll(async () => {
    const s = server();
    admin = await s.createPlatformAdmin();
    adminSession = await s.signIn(admin);
    tenantA = await s.createTenant(adminSession);
    tenantB = await s.createTenant(adminSession);
    adminA = await s.createUser(adminSession, { role: 'tenant_admin', tenantId: tenantA });
    techA = await s.createUser(adminSession, { role: 'technician', tenantId: tenantA });
    adminB = await s.createUser(adminSession, { role: 'tenant_admin', tenantId: tenantB });
  });
  beforeEach(async () => {
    adminSession = await server().signIn(admin);
  });

  it('creates, renames and lists tenants; tenant users see only their own', async () => {
    const s = server();
    const name = s.unique('Acme');
    const created = await s.request('POST', '/api/v1/tenants', { token: adminSession.token, body: { name } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name, state: 'active' });
    const duplicate = await s.request('POST', '/api/v1/tenants', { token: adminSession.token, body: { name: name.toUpperCase() } });
    expect(duplicate.status).toBe(409);
    const renamed = await s.request('PATCH', `/api/v1/tenants/${created.body.id}`, {
      token: adminSession.token,
      body: { name: `${name} Ltd` },
    });
    expect(renamed.body.name).toBe(`${name} Ltd`);

    const all = await s.request('GET', '/api/v1/tenants', { token: adminSession.token });
    expect(all.body.tenants.length).toBeGreaterThanOrEqual(3);
    const sessionA = await s.signIn(adminA);
    const own = await s.request('GET', '/api/v1/tenants', { token: sessionA.token });
    expect(own.body.tenants.map((t: { id: string }) => t.id)).toEqual([tenantA]);
    // Tenant admins cannot create or rename tenants.
    expect((await s.request('POST', '/api/v1/tenants', { token: sessionA.token, body: { name: 'Mine' } })).status).toBe(403);
    expect((await s.request('PATCH', `/api/v1/tenants/${tenantA}`, { token: sessionA.token, body: { name: 'Mine' } })).status).toBe(403);
  });

  it('refuses by role: deny unless the route lists the role', async () => {
    const s = server();
    const tech = await s.signIn(techA);
    for (const [method, url, body] of [
      ['GET', '/api/v1/users', undefined],
      ['POST', '/api/v1/users', { email: 'x@example.test', password: 'violet staple engine orbit', role: 'technician', displayName: 'x' }],
      ['GET', '/api/v1/api-keys', undefined],
      ['GET', '/api/v1/audit/logins', undefined],
      ['POST', `/api/v1/tenants/${tenantA}/state`, { state: 'blocked', reason: 'trying' }],
    ] as const) {
      const r = await s.request(method, url, { token: tech.token, body });
      expect(r.status, `${method} ${url}`).toBe(403);
      expect(r.body.error.code).toBe('forbidden');
    }
    // Unauthenticated requests are refused before anything else (no schema leaks).
    const anonymous = await s.request('POST', '/api/v1/users', { body: { nonsense: true } });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer');
  });

  it('creates users within the rules: tenant admins only in their own tenant and never platform roles', async () => {
    const s = server();
    const sessionA = await s.signIn(adminA);
    const base = { password: 'violet staple engine orbit', displayName: 'New person' };
    const own = await s.request('POST', '/api/v1/users', {
      token: sessionA.token,
      body: { ...base, email: `${s.unique('a')}@example.test`, role: 'technician' },
    });
    expect(own.status).toBe(201);
    expect(own.body.tenantId).toBe(tenantA);
    const platform = await s.request('POST', '/api/v1/users', {
      token: sessionA.token,
      body: { ...base, email: `${s.unique('p')}@example.test`, role: 'support' },
    });
    expect(platform.status).toBe(403);
    const weak = await s.request('POST', '/api/v1/users', {
      token: sessionA.token,
      body: { ...base, password: 'Password2024!', email: `${s.unique('w')}@example.test`, role: 'technician' },
    });
    expect(weak.status).toBe(400);
    expect(weak.body.error.code).toBe('weak_password');
    expect(weak.body.error.fields.password).toMatch(/common/);
    const short = await s.request('POST', '/api/v1/users', {
      token: sessionA.token,
      body: { ...base, password: 'short', email: `${s.unique('s')}@example.test`, role: 'technician' },
    });
    expect(short.status).toBe(400);
    expect(short.body.error.fields.password).toMatch(/12 characters/);
    const duplicate = await s.request('POST', '/api/v1/users', {
      token: sessionA.token,
      body: { ...base, email: techA.email.toUpperCase(), role: 'technician' },
    });
    expect(duplicate.status).toBe(409);
    const platformWithTenant = await s.request('POST', '/api/v1/users', {
      token: adminSession.token,
      body: { ...base, email: `${s.unique('p')}@example.test`, role: 'supervisor', tenantId: tenantA },
    });
    expect(platformWithTenant.status).toBe(400);
    expect(platformWithTenant.body.error.fields).toHaveProperty('tenantId');
  });

  it('refuses cross-tenant access on every route that takes an id or a tenant', async () => {
    const s = server();
    const sessionA = await s.signIn(adminA);
    const sessionB = await s.signIn(adminB);
    await s.stepUp(adminB, sessionB, 'api_key');
    const keyB = await s.request('POST', '/api/v1/api-keys', {
      token: sessionB.token,
      body: { name: 'b', role: 'technician', expiresInDays: 7 },
    });
    expect(keyB.status).toBe(201);
    await s.stepUp(adminA, sessionA, 'api_key');

    const foreign: [string, string, unknown?][] = [
      ['GET', `/api/v1/tenants/${tenantB}`],
      ['PATCH', `/api/v1/tenants/${tenantB}`, { name: 'stolen' }],
      ['POST', `/api/v1/tenants/${tenantB}/state`, { state: 'blocked', reason: 'sabotage' }],
      ['GET', `/api/v1/tenants/${tenantB}/state-history`],
      ['GET', `/api/v1/users/${adminB.id}`],
      ['DELETE', `/api/v1/users/${adminB.id}/sessions`],
      ['GET', `/api/v1/users?tenantId=${tenantB}`],
      [
        'POST',
        '/api/v1/users',
        {
          email: `${s.unique('x')}@example.test`,
          password: 'violet staple engine orbit',
          role: 'technician',
          displayName: 'x',
          tenantId: tenantB,
        },
      ],
      ['GET', `/api/v1/sessions?userId=${adminB.id}`],
      ['DELETE', `/api/v1/sessions/${sessionB.tokens.sessionId}`],
      ['GET', `/api/v1/api-keys?tenantId=${tenantB}`],
      ['POST', '/api/v1/api-keys', { name: 'x', role: 'technician', expiresInDays: 7, tenantId: tenantB }],
      ['DELETE', `/api/v1/api-keys/${keyB.body.apiKey.id}`],
      ['GET', `/api/v1/audit/logins?tenantId=${tenantB}`],
    ];
    for (const [method, url, body] of foreign) {
      const r = await s.request(method, url, { token: sessionA.token, body });
      expect([403, 404], `${method} ${url} -> ${r.status} ${r.text}`).toContain(r.status);
    }
    // Nothing of B leaks through the list routes either.
    const users = await s.request('GET', '/api/v1/users', { token: sessionA.token });
    expect(users.body.users.every((u: { tenantId: string }) => u.tenantId === tenantA)).toBe(true);
    const keys = await s.request('GET', '/api/v1/api-keys', { token: sessionA.token });
    expect(keys.body.apiKeys.every((k: { tenantId: string }) => k.tenantId === tenantA)).toBe(true);
    const events = await s.request('GET', '/api/v1/audit/logins?limit=500', { token: sessionA.token });
    expect(events.body.events.length).toBeGreaterThan(0);
    expect(events.body.events.every((e: { tenantId: string }) => e.tenantId === tenantA)).toBe(true);
    // B is untouched.
    expect((await s.request('GET', '/api/v1/me', { token: sessionB.token })).status).toBe(200);
    const tenant = await s.request('GET', `/api/v1/tenants/${tenantB}`, { token: adminSession.token });
    expect(tenant.body.state).toBe('active');
    const stillKey = await s.request('GET', '/api/v1/me', { token: keyB.body.secret });
    expect(stillKey.status).toBe(200);
  });

  it('blocks a tenant: its sessions end, sign-in and API keys are refused; unblocking loses nothing', async () => {
    const s = server();
    const tenant = await s.createTenant(adminSession);
    const tenantAdmin = await s.createUser(adminSession, { role: 'tenant_admin', tenantId: tenant });
    const session = await s.signIn(tenantAdmin);
    await s.stepUp(tenantAdmin, session, 'api_key');
    const key = await s.request('POST', '/api/v1/api-keys', {
      token: session.token,
      body: { name: 'k', role: 'technician', expiresInDays: 7 },
    });

    const restricted = await s.request('POST', `/api/v1/tenants/${tenant}/state`, {
      token: adminSession.token,
      body: { state: 'restricted', reason: 'unusual activity' },
    });
    expect(restricted.status).toBe(200);
    expect((await s.request('GET', '/api/v1/me', { token: session.token })).body.tenant.state).toBe('restricted');

    // Stand-ins for a console WebSocket of this session and an agent connection of this tenant.
    const closed: string[] = [];
    s.server.connections.register({ sessionId: session.tokens.sessionId, tenantId: tenant }, (reason) => closed.push(`console:${reason}`));
    s.server.connections.register({ tenantId: tenant }, (reason) => closed.push(`agent:${reason}`));
    const blocked = await s.request('POST', `/api/v1/tenants/${tenant}/state`, {
      token: adminSession.token,
      body: { state: 'blocked', reason: 'abuse report #12' },
    });
    expect(blocked.status).toBe(200);
    await expect.poll(() => [...closed].sort(), { timeout: 3000 }).toEqual(['agent:tenant_blocked', 'console:tenant_blocked']);
    expect(blocked.body.tenant).toMatchObject({ state: 'blocked', stateReason: 'abuse report #12', stateChangedBy: admin.id });
    expect(blocked.body.revokedSessions).toBeGreaterThanOrEqual(1);
    expect((await s.request('GET', '/api/v1/me', { token: session.token })).status).toBe(401);
    expect((await s.request('POST', '/api/v1/auth/refresh', { body: { refreshToken: session.tokens.refreshToken } })).status).toBe(401);
    const signIn = await s.request('POST', '/api/v1/auth/login', { body: { email: tenantAdmin.email, password: tenantAdmin.password } });
    expect(signIn.status).toBe(403);
    expect(signIn.body.error.code).toBe('tenant_blocked');
    const keyUse = await s.request('GET', '/api/v1/me', { token: key.body.secret });
    expect(keyUse.status).toBe(403);
    expect(keyUse.body.error.code).toBe('tenant_blocked');

    const history = await s.request('GET', `/api/v1/tenants/${tenant}/state-history`, { token: adminSession.token });
    expect(history.body.changes.map((c: { toState: string }) => c.toState)).toEqual(['blocked', 'restricted']);
    expect(history.body.changes[0]).toMatchObject({ fromState: 'restricted', reason: 'abuse report #12', actorUserId: admin.id });

    const unblocked = await s.request('POST', `/api/v1/tenants/${tenant}/state`, {
      token: adminSession.token,
      body: { state: 'active', reason: 'resolved' },
    });
    expect(unblocked.body.tenant.state).toBe('active');
    expect((await s.signIn(tenantAdmin)).token).toMatch(/^bwa_/);
    expect((await s.request('GET', '/api/v1/me', { token: key.body.secret })).status).toBe(200);
    const users = await s.request('GET', `/api/v1/users?tenantId=${tenant}`, { token: adminSession.token });
    expect(users.body.users).toHaveLength(1);
    // A state change needs a reason.
    const noReason = await s.request('POST', `/api/v1/tenants/${tenant}/state`, { token: adminSession.token, body: { state: 'blocked' } });
    expect(noReason.status).toBe(400);
    expect(noReason.body.error.fields).toHaveProperty('reason');
  });

  it('API keys: scoped, hashed, expiring, revocable, and refused (and recorded) from a disallowed address', async () => {
    const s = server();
    const session = await s.signIn(adminA);
    await s.stepUp(adminA, session, 'api_key');
    const remoteOnly = await s.request('POST', '/api/v1/api-keys', {
      token: session.token,
      body: { name: 'office only', role: 'technician', expiresInDays: 30, allowedCidrs: ['203.0.113.0/24', '2001:db8::/32'] },
    });
    expect(remoteOnly.status).toBe(201);
    expect(remoteOnly.body.secret).toMatch(/^bwk_/);
    expect(remoteOnly.body.apiKey.tenantId).toBe(tenantA);
    const stored = await s.server.ctx.db
      .selectFrom('api_keys')
      .selectAll()
      .where('id', '=', remoteOnly.body.apiKey.id)
      .executeTakeFirstOrThrow();
    expect(stored.token_hash).not.toContain(remoteOnly.body.secret);
    expect(JSON.stringify(stored)).not.toContain(remoteOnly.body.secret);

    const refused = await s.request('GET', '/api/v1/me', { token: remoteOnly.body.secret });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('api_key_source_refused');
    const events = await s.request('GET', '/api/v1/audit/logins?result=failure', { token: session.token });
    expect(events.body.events).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'api_key', reason: 'source_not_allowed', apiKeyId: remoteOnly.body.apiKey.id }),
      ]),
    );

    const local = await s.request('POST', '/api/v1/api-keys', {
      token: session.token,
      body: { name: 'local', role: 'technician', expiresInDays: 1, allowedCidrs: ['127.0.0.0/8'] },
    });
    const me = await s.request('GET', '/api/v1/me', { token: local.body.secret });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ principal: 'api_key', apiKey: { role: 'technician', tenantId: tenantA }, session: null });
    // API keys only reach routes that opt in, and never step-up or session routes.
    expect((await s.request('GET', '/api/v1/sessions', { token: local.body.secret })).status).toBe(403);
    expect(
      (await s.request('POST', '/api/v1/auth/step-up', { token: local.body.secret, body: { action: 'terminal', code: '123456' } })).status,
    ).toBe(403);
    expect((await s.request('GET', '/api/v1/users', { token: local.body.secret })).status).toBe(403);

    const revoke = await s.request('DELETE', `/api/v1/api-keys/${local.body.apiKey.id}`, { token: session.token });
    expect(revoke.body.revokedAt).not.toBeNull();
    expect((await s.request('GET', '/api/v1/me', { token: local.body.secret })).status).toBe(401);

    const expiring = await s.request('POST', '/api/v1/api-keys', {
      token: session.token,
      body: { name: 'short', role: 'technician', expiresInDays: 1 },
    });
    expect((await s.request('GET', '/api/v1/me', { token: expiring.body.secret })).status).toBe(200);
    s.clock.advance(86_400_000 + 1000);
    expect((await s.request('GET', '/api/v1/me', { token: expiring.body.secret })).status).toBe(401);

    const badCidr = await s.request('POST', '/api/v1/api-keys', {
      token: (await s.signIn(adminA)).token,
      body: { name: 'x', role: 'technician', expiresInDays: 1, allowedCidrs: ['10.0.0.0/33'] },
    });
    expect(badCidr.status).toBe(400);
    expect(Object.keys(badCidr.body.error.fields)).toEqual(['allowedCidrs.0']);
  });
});
