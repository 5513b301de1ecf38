import type { PolicyContextResponse } from '../../../shared/api/controls';
import type { controlsRoutes } from '../../../shared/api/controls-routes';
import type { ServerContext } from '../../context';
import { addDestinationRule, describeRule, listDestinationRules, removeDestinationRule } from '../../controls/destinations';
import { changeOwnEmail, changeUserEmail } from '../../controls/email-change';
import { loadTenantPolicyContext } from '../../controls/policy-context';
import { signUp } from '../../controls/signup';
import { getTenantControls, setTenantLimits, verifyTenant } from '../../controls/tenant-settings';
import {
  approveTrustRequest,
  closeTrustRequest,
  getTrustStatus,
  listTrustRequests,
  requestTrust,
  revokeTrust,
  trustHistory,
} from '../../controls/trust';
import { getVisibleTenant } from '../../identity/tenants';
import type { HandlerMap } from '../routing';

export function controlsHandlers(ctx: ServerContext): HandlerMap<typeof controlsRoutes> {
  return {
    requestTrust: ({ principal, params, body, meta }) => requestTrust(ctx, principal, params.id, body, meta),
    listTrustRequests: async ({ principal, query }) => ({ requests: await listTrustRequests(ctx, principal, query) }),
    approveTrustRequest: ({ principal, params, body, meta }) => approveTrustRequest(ctx, principal, params.id, body, meta),
    denyTrustRequest: ({ principal, params, body, meta }) => closeTrustRequest(ctx, principal, params.id, 'denied', body.reason, meta),
    cancelTrustRequest: ({ principal, params, meta }) =>
      closeTrustRequest(ctx, principal, params.id, 'cancelled', 'Withdrawn by the tenant admin', meta),
    getTrust: ({ principal, params }) => getTrustStatus(ctx, principal, params.id),
    revokeTrust: ({ principal, params, body, meta }) => revokeTrust(ctx, principal, params.id, body.reason, meta),
    trustHistory: async ({ principal, params }) => ({ changes: await trustHistory(ctx, principal, params.id) }),
    policyContext: async ({ principal, params }) => {
      await getVisibleTenant(ctx, principal, params.id);
      const snapshot = await loadTenantPolicyContext(ctx, params.id);
      const { policy } = snapshot;
      const response: PolicyContextResponse = {
        tenantId: snapshot.tenantId,
        state: snapshot.state,
        verified: snapshot.verified,
        trust: {
          level: policy.trust.level,
          expiresAt: policy.trust.level === 'extended' ? new Date(policy.trust.expiresAt).toISOString() : null,
        },
        now: new Date(policy.now).toISOString(),
        blockedDestinations: policy.blockedDestinations.map(describeRule),
        destinationAllowlist: policy.destinationAllowlist
          ? policy.destinationAllowlist.map((rule) => ({ id: rule.id, kind: rule.kind, value: rule.value }))
          : null,
        permittedScriptHashes: [...policy.permittedScriptHashes],
        limits: snapshot.limits,
      };
      return response;
    },
    listDestinationRules: async ({ principal, query }) => ({ rules: await listDestinationRules(ctx, principal, query) }),
    createDestinationRule: ({ principal, body, meta }) => addDestinationRule(ctx, principal, body, meta),
    removeDestinationRule: ({ principal, params, body, meta }) => removeDestinationRule(ctx, principal, params.id, body.reason, meta),
    getTenantControls: ({ principal, params }) => getTenantControls(ctx, principal, params.id),
    verifyTenant: ({ principal, params, body, meta }) => verifyTenant(ctx, principal, params.id, body.reason, meta),
    setTenantLimits: ({ principal, params, body, meta }) => setTenantLimits(ctx, principal, params.id, body, meta),
    signup: ({ body, meta }) => signUp(ctx, body, meta),
    changeOwnEmail: ({ principal, body, meta }) => changeOwnEmail(ctx, principal, body, meta),
    changeUserEmail: ({ principal, params, body, meta }) => changeUserEmail(ctx, principal, params.id, body, meta),
  };
}
