import { beforeAll, expect, it } from 'vitest';
import { loadTenantPolicyContext } from '../controls/policy-context';
import { describeEachBackend, type SignedIn, type TestServer, type TestUser } from './harness';

const DAY_MS = 86_400_000;

describeEachBackend('extended trust', (server) => {
  let admin: TestUser;
  let supervisor: TestUser;
  let tenantAdmin: TestUser;
  let technician: TestUser;
  let otherTenantAdmin: TestUser;
  let tenantId: string;
  let otherTenantId: string;

  beforeAll(async () => {
    const s = server();
    admin = await s.createPlatformAdmin();
    const adminSession = await s.signIn(admin);
    tenantId = await s.createTenant(adminSession);
    otherTenantId = await s.createTenant(adminSession);
    supervisor = await s.createUser(adminSession, { role: 'supervisor' });
    tenantAdmin = await s.createUser(adminSession, { role: 'tenant_admin', tenantId });
    technician = await s.createUser(adminSession, { role: 'technician', tenantId });
    otherTenantAdmin = await s.createUser(adminSession, { role: 'tenant_admin', tenantId: otherTenantId });
  });

  async function requestTrust(s: TestServer, session: SignedIn, days: number, reason = 'Quarterly patch rollout needs remote installs') {
    return s.request('POST', `/api/v1/tenants/${tenantId}/trust/requests`, { token: session.token, body: { days, reason } });
  }

  async function approve(s: TestServer, who: TestUser, session: SignedIn, requestId: string, body: Record<string, unknown>) {
    expect((await s.stepUp(who, session, 'trust_approval')).status).toBe(200);
    return s.request('POST', `/api/v1/trust/requests/${requestId}/approve`, { token: session.token, body });
  }

  it('request → approve with step-up → extended trust in force → past its end it counts as standard', async () => {
    const s = server();
    const ta = await s.signIn(tenantAdmin);
    const sup = await s.signIn(supervisor);

    // More than 30 days, or none, is refused before anything is stored.
    const tooLong = await requestTrust(s, ta, 31);
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.error.fields.days).toMatch(/30 days/);
    expect((await requestTrust(s, ta, 0)).status).toBe(400);
    // A technician cannot ask; another tenant's admin cannot ask for this tenant.
    expect((await requestTrust(s, await s.signIn(technician), 5)).status).toBe(403);
    expect((await requestTrust(s, await s.signIn(otherTenantAdmin), 5)).status).toBe(404);

    const requested = await requestTrust(s, ta, 10);
    expect(requested.status).toBe(201);
    expect(requested.body).toMatchObject({ tenantId, requestedBy: tenantAdmin.id, requestedDays: 10, status: 'pending' });
    const requestId: string = requested.body.id;
    expect((await requestTrust(s, ta, 3)).status).toBe(409); // one pending request at a time

    // Supervisors see it as pending; the other tenant's admin does not see it at all.
    const pending = await s.request('GET', '/api/v1/trust/requests?status=pending', { token: sup.token });
    expect(pending.body.requests.map((r: { id: string }) => r.id)).toContain(requestId);
    const foreign = await s.request('GET', '/api/v1/trust/requests', { token: (await s.signIn(otherTenantAdmin)).token });
    expect(foreign.body.requests).toEqual([]);

    // Approval needs a fresh step-up for exactly this action.
    const noStepUp = await s.request('POST', `/api/v1/trust/requests/${requestId}/approve`, {
      token: sup.token,
      body: { reason: 'Reviewed the change plan' },
    });
    expect(noStepUp.status).toBe(403);
    expect(noStepUp.body.error.code).toBe('step_up_required');
    // Longer than requested, or than 30 days, is refused.
    expect((await approve(s, supervisor, sup, requestId, { days: 11, reason: 'Reviewed the change plan' })).status).toBe(400);
    expect((await approve(s, supervisor, sup, requestId, { days: 31, reason: 'Reviewed the change plan' })).status).toBe(400);
    // Platform admins do not approve trust (separation of duties).
    const adminSession = await s.signIn(admin);
    expect((await approve(s, admin, adminSession, requestId, { reason: 'I am the admin' })).status).toBe(403);

    const approved = await approve(s, supervisor, sup, requestId, { days: 7, reason: 'Reviewed the change plan' });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({
      status: 'approved',
      approvedDays: 7,
      decidedBy: supervisor.id,
      decisionReason: 'Reviewed the change plan',
    });
    const expiresAt = new Date(approved.body.expiresAt).getTime();
    expect(expiresAt).toBe(new Date(approved.body.decidedAt).getTime() + 7 * DAY_MS);
    // Decided requests cannot be decided again.
    expect((await approve(s, supervisor, sup, requestId, { reason: 'Again' })).status).toBe(409);

    const trust = await s.request('GET', `/api/v1/tenants/${tenantId}/trust`, { token: ta.token });
    expect(trust.body).toMatchObject({ level: 'extended', expiresAt: new Date(expiresAt).toISOString(), pendingRequest: null });
    const context = await s.request('GET', `/api/v1/tenants/${tenantId}/policy-context`, { token: (await s.signIn(technician)).token });
    expect(context.body.trust).toEqual({ level: 'extended', expiresAt: new Date(expiresAt).toISOString() });
    expect((await loadTenantPolicyContext(s.server.ctx, tenantId)).policy.trust).toEqual({ level: 'extended', expiresAt });

    // Time passes beyond the end: nothing ran, yet trust is standard everywhere.
    s.clock.advance(7 * DAY_MS + 1000);
    expect((await loadTenantPolicyContext(s.server.ctx, tenantId)).policy.trust).toEqual({ level: 'standard' });
    const later = await s.signIn(tenantAdmin);
    const after = await s.request('GET', `/api/v1/tenants/${tenantId}/trust`, { token: later.token });
    expect(after.body).toMatchObject({ level: 'standard', expiresAt: null });
    const laterContext = await s.request('GET', `/api/v1/tenants/${tenantId}/policy-context`, { token: later.token });
    expect(laterContext.body.trust).toEqual({ level: 'standard', expiresAt: null });

    // The history shows request, approval and the expiry (recorded once, by nobody).
    await s.request('GET', `/api/v1/tenants/${tenantId}/trust/history`, { token: later.token });
    const history = await s.request('GET', `/api/v1/tenants/${tenantId}/trust/history`, { token: later.token });
    expect(history.status).toBe(200);
    const events = history.body.changes.map((c: { event: string }) => c.event);
    expect(events).toEqual(['expired', 'approved', 'requested']);
    expect(history.body.changes[0]).toMatchObject({ actorUserId: null, from: 'extended', to: 'standard', requestId });
    expect(history.body.changes[1]).toMatchObject({
      actorUserId: supervisor.id,
      from: 'standard',
      to: 'extended',
      days: 7,
      reason: 'Reviewed the change plan',
      expiresAt: new Date(expiresAt).toISOString(),
    });
    expect(history.body.changes[2]).toMatchObject({ actorUserId: tenantAdmin.id, days: 10 });

    const audit = await s.server.ctx.db
      .selectFrom('audit_events')
      .select('action')
      .where('tenant_id', '=', tenantId)
      .where('action', 'like', 'trust.%')
      .orderBy('seq')
      .execute();
    expect(audit.map((a) => a.action)).toEqual(['trust.requested', 'trust.approved', 'trust.expired']);
  });

  it('refuses self-approval: the requester cannot approve, even with a step-up', async () => {
    const s = server();
    const ta = await s.signIn(tenantAdmin);
    const requested = await requestTrust(s, ta, 2);
    expect(requested.status).toBe(201);
    const self = await approve(s, tenantAdmin, ta, requested.body.id, { reason: 'Approving my own request' });
    expect(self.status).toBe(403);
    const still = await s.request('GET', `/api/v1/tenants/${tenantId}/trust`, { token: ta.token });
    expect(still.body).toMatchObject({ level: 'standard', pendingRequest: { id: requested.body.id, status: 'pending' } });
    // Clean up for the next test: the requester withdraws it.
    const cancelled = await s.request('POST', `/api/v1/trust/requests/${requested.body.id}/cancel`, { token: ta.token });
    expect(cancelled.body.status).toBe('cancelled');
  });

  it('records denial and early revocation in the history, with actor and reason', async () => {
    const s = server();
    const ta = await s.signIn(tenantAdmin);
    const sup = await s.signIn(supervisor);

    const first = await requestTrust(s, ta, 5, 'Need to run the migration tool');
    const denied = await s.request('POST', `/api/v1/trust/requests/${first.body.id}/deny`, {
      token: sup.token,
      body: { reason: 'Not justified by the ticket' },
    });
    expect(denied.status).toBe(200);
    expect(denied.body).toMatchObject({ status: 'denied', decidedBy: supervisor.id, decisionReason: 'Not justified by the ticket' });
    // A denial needs a reason; and tenant admins cannot deny.
    const second = await requestTrust(s, ta, 3, 'Emergency incident response');
    expect((await s.request('POST', `/api/v1/trust/requests/${second.body.id}/deny`, { token: sup.token, body: {} })).status).toBe(400);
    expect(
      (await s.request('POST', `/api/v1/trust/requests/${second.body.id}/deny`, { token: ta.token, body: { reason: 'nope nope' } })).status,
    ).toBe(403);

    expect((await approve(s, supervisor, sup, second.body.id, { reason: 'Incident INC-7 confirmed' })).status).toBe(200);
    expect((await s.request('GET', `/api/v1/tenants/${tenantId}/trust`, { token: ta.token })).body.level).toBe('extended');

    // Tenant admins cannot end it; a revocation needs a reason.
    expect(
      (await s.request('POST', `/api/v1/tenants/${tenantId}/trust/revoke`, { token: ta.token, body: { reason: 'done' } })).status,
    ).toBe(403);
    expect((await s.request('POST', `/api/v1/tenants/${tenantId}/trust/revoke`, { token: sup.token, body: {} })).status).toBe(400);
    const revoked = await s.request('POST', `/api/v1/tenants/${tenantId}/trust/revoke`, {
      token: sup.token,
      body: { reason: 'Incident closed early' },
    });
    expect(revoked.status).toBe(200);
    expect(revoked.body).toMatchObject({ level: 'standard', expiresAt: null });
    expect((await loadTenantPolicyContext(s.server.ctx, tenantId)).policy.trust).toEqual({ level: 'standard' });
    // The approved request now says its trust ended at the revocation, so lists of active trust drop it.
    const approvedList = await s.request('GET', `/api/v1/trust/requests?status=approved&tenantId=${tenantId}`, { token: sup.token });
    const revokedRequest = approvedList.body.requests.find((r: { id: string }) => r.id === second.body.id);
    expect(Date.parse(revokedRequest.expiresAt)).toBeLessThanOrEqual(s.clock.now().getTime());
    const again = await s.request('POST', `/api/v1/tenants/${tenantId}/trust/revoke`, { token: sup.token, body: { reason: 'again' } });
    expect(again.status).toBe(409);

    const history = await s.request('GET', `/api/v1/tenants/${tenantId}/trust/history`, { token: sup.token });
    const [revokedChange, approvedChange, requestedChange, deniedChange] = history.body.changes;
    expect(revokedChange).toMatchObject({
      event: 'revoked',
      actorUserId: supervisor.id,
      from: 'extended',
      to: 'standard',
      reason: 'Incident closed early',
    });
    expect(approvedChange).toMatchObject({ event: 'approved', requestId: second.body.id, days: 3 });
    expect(requestedChange).toMatchObject({ event: 'requested', requestId: second.body.id });
    expect(deniedChange).toMatchObject({
      event: 'denied',
      requestId: first.body.id,
      actorUserId: supervisor.id,
      from: 'standard',
      to: 'standard',
      reason: 'Not justified by the ticket',
    });
    // No expiry is recorded for a revoked grant, even after its end time.
    s.clock.advance(4 * DAY_MS);
    const laterSession = await s.signIn(supervisor);
    const laterHistory = await s.request('GET', `/api/v1/tenants/${tenantId}/trust/history`, { token: laterSession.token });
    expect(laterHistory.body.changes[0].event).toBe('revoked');
    // Other tenants' history is not visible to tenant admins.
    const foreign = await s.request('GET', `/api/v1/tenants/${tenantId}/trust/history`, {
      token: (await s.signIn(otherTenantAdmin)).token,
    });
    expect(foreign.status).toBe(404);
  });
});
