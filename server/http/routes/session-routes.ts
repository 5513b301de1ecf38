import type { AdminApi } from '../../../shared/api/routes';
import type { ServerContext } from '../../context';
import { errors } from '../../errors';
import type { Principal } from '../../identity/principal';
import { listActiveSessions, revokeSessions } from '../../identity/sessions';
import { getVisibleUser } from '../../identity/users';
import type { HandlerMap } from '../routing';

type SessionRoutes = Pick<AdminApi, 'listSessions' | 'revokeOtherSessions' | 'revokeSession' | 'revokeUserSessions'>;

const isPlatformAdmin = (principal: Principal) => principal.role === 'platform_admin' && principal.tenantId === null;

export function sessionHandlers(ctx: ServerContext): HandlerMap<SessionRoutes> {
  return {
    listSessions: async ({ principal, query }) => {
      if (principal.kind !== 'user') throw errors.forbidden();
      const userId = query.userId ?? principal.userId;
      if (userId !== principal.userId) {
        if (!isPlatformAdmin(principal)) throw errors.notFound('user');
        await getVisibleUser(ctx, principal, userId);
      }
      return { sessions: await listActiveSessions(ctx, userId, principal.sessionId) };
    },
    revokeOtherSessions: async ({ principal, meta }) => {
      if (principal.kind !== 'user') throw errors.forbidden();
      const revoked = await revokeSessions(
        ctx,
        { userId: principal.userId, exceptSessionId: principal.sessionId },
        'revoked_by_user',
        principal,
        meta,
      );
      return { revoked };
    },
    revokeSession: async ({ principal, params, meta }) => {
      if (principal.kind !== 'user') throw errors.forbidden();
      const session = await ctx.db.selectFrom('sessions').select(['id', 'user_id']).where('id', '=', params.id).executeTakeFirst();
      // Someone else's session is "not found" unless the caller is a platform admin.
      if (!session || (session.user_id !== principal.userId && !isPlatformAdmin(principal))) throw errors.notFound('session');
      const reason = session.user_id === principal.userId ? 'revoked_by_user' : 'revoked_by_admin';
      return { revoked: await revokeSessions(ctx, { sessionIds: [session.id] }, reason, principal, meta) };
    },
    revokeUserSessions: async ({ principal, params, meta }) => {
      await getVisibleUser(ctx, principal, params.id);
      return { revoked: await revokeSessions(ctx, { userId: params.id }, 'revoked_by_admin', principal, meta) };
    },
  };
}
