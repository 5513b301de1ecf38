import type { AdminApi } from '../../../shared/api/routes';
import { StepUpAction } from '../../../shared/api/roles';
import type { ServerContext } from '../../context';
import { errors } from '../../errors';
import { completeMfa, login, startEnrollment, stepUp, verifyEnrollment } from '../../identity/auth-flow';
import { recordLoginEvent } from '../../identity/events';
import { activeStepUps, refreshSession, revokeSessions } from '../../identity/sessions';
import type { HandlerMap } from '../routing';

type AuthRoutes = Pick<AdminApi, 'login' | 'mfa' | 'enroll' | 'enrollVerify' | 'refresh' | 'logout' | 'stepUp' | 'me'>;

export function authHandlers(ctx: ServerContext): HandlerMap<AuthRoutes> {
  return {
    login: ({ body, meta }) => login(ctx, body, meta),
    mfa: ({ body, meta }) => completeMfa(ctx, body, meta),
    enroll: ({ body, meta }) => startEnrollment(ctx, body, meta),
    enrollVerify: ({ body, meta }) => verifyEnrollment(ctx, body, meta),
    refresh: ({ body, meta }) => refreshSession(ctx, body.refreshToken, meta),
    logout: async ({ principal, meta }) => {
      if (principal.kind !== 'user') throw errors.forbidden();
      await revokeSessions(ctx, { sessionIds: [principal.sessionId] }, 'logout', null);
      await recordLoginEvent(ctx, {
        kind: 'logout',
        result: 'success',
        userId: principal.userId,
        email: principal.email,
        tenantId: principal.tenantId,
        meta,
      });
      return { ok: true as const };
    },
    stepUp: async ({ principal, body, meta }) => {
      if (principal.kind !== 'user') throw errors.forbidden();
      return stepUp(ctx, principal, body, meta);
    },
    me: async ({ principal }) => {
      const tenant = principal.tenantId
        ? await ctx.db
            .selectFrom('tenants')
            .select(['id', 'name', 'state', 'state_reason'])
            .where('id', '=', principal.tenantId)
            .executeTakeFirst()
        : undefined;
      const tenantOut = tenant ? { id: tenant.id, name: tenant.name, state: tenant.state, stateReason: tenant.state_reason } : null;
      if (principal.kind === 'api_key') {
        return {
          principal: 'api_key' as const,
          user: null,
          apiKey: { id: principal.apiKeyId, name: principal.name, role: principal.role, tenantId: principal.tenantId },
          tenant: tenantOut,
          session: null,
        };
      }
      const stepUps = await activeStepUps(ctx, principal.sessionId);
      return {
        principal: 'user' as const,
        user: {
          id: principal.userId,
          email: principal.email,
          displayName: principal.displayName,
          role: principal.role,
          tenantId: principal.tenantId,
        },
        apiKey: null,
        tenant: tenantOut,
        session: {
          id: principal.sessionId,
          createdAt: principal.sessionCreatedAt.toISOString(),
          expiresAt: principal.sessionExpiresAt.toISOString(),
          stepUps: stepUps.flatMap((s) => {
            const action = StepUpAction.safeParse(s.action);
            return action.success ? [{ action: action.data, expiresAt: s.expiresAt.toISOString() }] : [];
          }),
        },
      };
    },
  };
}
