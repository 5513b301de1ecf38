import type { remoteSessionRoutes } from '../../../shared/api/remote-sessions-routes';
import type { ServerContext } from '../../context';
import { errors } from '../../errors';
import { openRemoteSession, summarise, visibleSession } from '../../remote-sessions/store';
import { remoteSessions } from '../../remote-sessions/service';
import type { HandlerMap } from '../routing';

export function remoteSessionHandlers(ctx: ServerContext): HandlerMap<typeof remoteSessionRoutes> {
  return {
    openTerminalSession: ({ principal, params, body, meta }) =>
      openRemoteSession(ctx, principal, params.id, { kind: 'terminal', terminal: body }, meta),
    openViewerSession: ({ principal, params, meta }) => openRemoteSession(ctx, principal, params.id, { kind: 'viewer' }, meta),

    listRemoteSessions: async ({ principal, query }) => {
      let q = ctx.db.selectFrom('remote_sessions').selectAll().orderBy('created_at', 'desc').orderBy('id').limit(query.limit);
      if (principal.tenantId !== null) {
        if (query.tenantId && query.tenantId !== principal.tenantId) return { sessions: [] };
        q = q.where('tenant_id', '=', principal.tenantId);
        if (principal.role === 'technician') q = q.where('user_id', '=', principal.kind === 'user' ? principal.userId : '');
      } else if (query.tenantId) q = q.where('tenant_id', '=', query.tenantId);
      if (query.endpointId) q = q.where('endpoint_id', '=', query.endpointId);
      if (query.userId) q = q.where('user_id', '=', query.userId);
      if (query.kind) q = q.where('kind', '=', query.kind);
      if (query.status) q = q.where('status', '=', query.status);
      if (query.before) q = q.where('created_at', '<', new Date(query.before));
      return { sessions: (await q.execute()).map(summarise) };
    },

    getRemoteSession: async ({ principal, params }) => summarise(await visibleSession(ctx, principal, params.id)),

    remoteSessionTranscript: async ({ principal, params, query }) => {
      const row = await visibleSession(ctx, principal, params.id);
      // Live sessions: write what is pending so the reader sees up to now.
      await remoteSessions(ctx).relay(row.id)?.flushTranscript();
      const entries = await ctx.db
        .selectFrom('remote_session_transcript')
        .selectAll()
        .where('session_id', '=', row.id)
        .where('seq', '>', query.afterSeq)
        .orderBy('seq')
        .limit(query.limit + 1)
        .execute();
      const more = entries.length > query.limit;
      return {
        session: summarise(row),
        entries: entries.slice(0, query.limit).map((entry) => ({
          seq: entry.seq,
          at: new Date(entry.at).toISOString(),
          stream: entry.stream,
          kind: entry.kind,
          data: entry.data,
          decision: entry.decision,
          reasonCodes: entry.reason_codes,
        })),
        more,
      };
    },

    closeRemoteSession: async ({ principal, params }) => {
      const row = await visibleSession(ctx, principal, params.id);
      const own = principal.kind === 'user' && row.user_id === principal.userId;
      const mayClose = own || principal.role === 'tenant_admin' || principal.role === 'platform_admin';
      if (!mayClose) throw errors.forbidden('Only the session owner or an admin can end this session');
      if (row.status !== 'closed') {
        if (!(await remoteSessions(ctx).closeSession(row.id, own ? 'closed_by_user' : 'closed_by_admin'))) {
          // Not live on this instance (pending, or live elsewhere): mark it closed; a pending one can no longer connect.
          await ctx.db
            .updateTable('remote_sessions')
            .set({ status: 'closed', closed_at: ctx.clock.now(), close_reason: own ? 'closed_by_user' : 'closed_by_admin' })
            .where('id', '=', row.id)
            .where('status', '=', 'pending')
            .execute();
        }
      }
      return summarise(await visibleSession(ctx, principal, params.id));
    },
  };
}
