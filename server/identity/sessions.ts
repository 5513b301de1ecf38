import { randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import { ErrorCode } from '../../shared/api/common';
import type { TokenResponse } from '../../shared/api/auth';
import type { StepUpAction } from '../../shared/api/roles';
import type { SessionSummary } from '../../shared/api/sessions';
import type { ServerContext } from '../context';
import { hashToken, newToken, TOKEN_PREFIX } from '../crypto/tokens';
import type { DbOrTransaction } from '../db/database';
import type { SessionsTable } from '../db/schema';
import { ApiError } from '../errors';
import { recordAudit, recordLoginEvent } from './events';
import type { Principal, RequestMeta, UserPrincipal } from './principal';
import { inTransaction } from '../db/transaction';

/** last_seen_at is written at most this often per session, to keep reads cheap. */
const LAST_SEEN_RESOLUTION_MS = 15_000;

const addSeconds = (date: Date, seconds: number) => new Date(date.getTime() + seconds * 1000);
const earliest = (a: Date, b: Date) => (a < b ? a : b);

/** Opens a session for a user who has just passed password and TOTP, and issues its first tokens. */
export async function startSession(
  ctx: ServerContext,
  user: { id: string; tenant_id: string | null },
  meta: RequestMeta,
  clientName: string | null,
): Promise<TokenResponse> {
  const now = ctx.clock.now();
  const session = {
    id: randomUUID(),
    user_id: user.id,
    tenant_id: user.tenant_id,
    client_name: clientName,
    user_agent: meta.userAgent?.slice(0, 254) ?? null,
    ip: meta.ip,
    last_seen_ip: meta.ip,
    created_at: now,
    last_seen_at: now,
    absolute_expires_at: addSeconds(now, ctx.config.sessionAbsoluteTimeoutSeconds),
    revoked_at: null,
    revoked_reason: null,
    revoked_by: null,
  };
  return inTransaction(ctx.db, async (trx) => {
    await trx.insertInto('sessions').values(session).execute();
    return issueTokens(ctx, trx, session.id, session.absolute_expires_at, now);
  });
}

async function issueTokens(
  ctx: ServerContext,
  db: DbOrTransaction,
  sessionId: string,
  absoluteExpiresAt: Date,
  now: Date,
): Promise<TokenResponse> {
  const accessToken = newToken(TOKEN_PREFIX.access);
  const refreshToken = newToken(TOKEN_PREFIX.refresh);
  const accessExpires = earliest(addSeconds(now, ctx.config.accessTokenTtlSeconds), absoluteExpiresAt);
  // A refresh token not used within the idle timeout has outlived the session's idle limit anyway.
  const refreshExpires = earliest(addSeconds(now, ctx.config.sessionIdleTimeoutSeconds), absoluteExpiresAt);
  await db
    .insertInto('session_tokens')
    .values([
      {
        token_hash: hashToken(accessToken),
        session_id: sessionId,
        kind: 'access',
        created_at: now,
        expires_at: accessExpires,
        used_at: null,
      },
      {
        token_hash: hashToken(refreshToken),
        session_id: sessionId,
        kind: 'refresh',
        created_at: now,
        expires_at: refreshExpires,
        used_at: null,
      },
    ])
    .execute();
  return {
    sessionId,
    accessToken,
    accessTokenExpiresAt: accessExpires.toISOString(),
    refreshToken,
    refreshTokenExpiresAt: refreshExpires.toISOString(),
    sessionExpiresAt: absoluteExpiresAt.toISOString(),
  };
}

/** Why a session that was valid is no longer, or null when it still is. */
function sessionEndReason(
  ctx: ServerContext,
  session: Pick<Selectable<SessionsTable>, 'absolute_expires_at' | 'last_seen_at'>,
  now: Date,
): 'absolute_timeout' | 'idle_timeout' | null {
  if (new Date(session.absolute_expires_at) <= now) return 'absolute_timeout';
  if (now.getTime() - new Date(session.last_seen_at).getTime() > ctx.config.sessionIdleTimeoutSeconds * 1000) {
    return 'idle_timeout';
  }
  return null;
}

const sessionRevoked = (reason: string | null) =>
  new ApiError(401, ErrorCode.sessionRevoked, `This session was ended (${reason ?? 'revoked'}); sign in again`);
const sessionExpired = () => new ApiError(401, ErrorCode.sessionExpired, 'This session has expired; sign in again');

/** Resolves an access token to its user and session, or refuses. Runs on every authenticated request. */
export async function authenticateAccessToken(ctx: ServerContext, token: string, meta: RequestMeta): Promise<UserPrincipal> {
  const row = await ctx.db
    .selectFrom('session_tokens as t')
    .innerJoin('sessions as s', 's.id', 't.session_id')
    .innerJoin('users as u', 'u.id', 's.user_id')
    .leftJoin('tenants as tn', 'tn.id', 'u.tenant_id')
    .select([
      't.expires_at as token_expires_at',
      't.kind',
      's.id as session_id',
      's.created_at',
      's.last_seen_at',
      's.absolute_expires_at',
      's.revoked_at',
      's.revoked_reason',
      'u.id as user_id',
      'u.email',
      'u.display_name',
      'u.role',
      'u.tenant_id',
      'u.disabled_at',
      'tn.state as tenant_state',
    ])
    .where('t.token_hash', '=', hashToken(token))
    .executeTakeFirst();
  if (!row || row.kind !== 'access') throw new ApiError(401, ErrorCode.unauthenticated, 'Sign in to continue');
  if (row.revoked_at) throw sessionRevoked(row.revoked_reason);
  const now = ctx.clock.now();
  const endReason = sessionEndReason(ctx, row, now);
  if (endReason) {
    await revokeSessions(ctx, { sessionIds: [row.session_id] }, endReason, null);
    throw sessionExpired();
  }
  if (row.disabled_at) {
    await revokeSessions(ctx, { sessionIds: [row.session_id] }, 'user_disabled', null);
    throw sessionRevoked('user_disabled');
  }
  if (row.tenant_state === 'blocked') {
    await revokeSessions(ctx, { sessionIds: [row.session_id] }, 'tenant_blocked', null);
    throw new ApiError(401, ErrorCode.tenantBlocked, "Your organisation's access has been blocked; contact your provider");
  }
  if (new Date(row.token_expires_at) <= now) {
    throw new ApiError(401, ErrorCode.tokenExpired, 'The access token has expired; refresh it');
  }
  if (now.getTime() - new Date(row.last_seen_at).getTime() > LAST_SEEN_RESOLUTION_MS) {
    await ctx.db.updateTable('sessions').set({ last_seen_at: now, last_seen_ip: meta.ip }).where('id', '=', row.session_id).execute();
  }
  return {
    kind: 'user',
    userId: row.user_id,
    email: row.email,
    displayName: row.display_name,
    role: row.role,
    tenantId: row.tenant_id,
    sessionId: row.session_id,
    sessionCreatedAt: new Date(row.created_at),
    sessionExpiresAt: new Date(row.absolute_expires_at),
  };
}

/**
 * Exchanges a refresh token for a new pair. Each refresh token works once: presenting a
 * used one means it was copied, so the whole session (the token family) is revoked.
 */
export async function refreshSession(ctx: ServerContext, refreshToken: string, meta: RequestMeta): Promise<TokenResponse> {
  const tokenHash = hashToken(refreshToken);
  const row = await ctx.db
    .selectFrom('session_tokens as t')
    .innerJoin('sessions as s', 's.id', 't.session_id')
    .innerJoin('users as u', 'u.id', 's.user_id')
    .leftJoin('tenants as tn', 'tn.id', 'u.tenant_id')
    .select([
      't.kind',
      't.expires_at as token_expires_at',
      't.used_at',
      's.id as session_id',
      's.user_id',
      's.tenant_id',
      's.last_seen_at',
      's.absolute_expires_at',
      's.revoked_at',
      's.revoked_reason',
      'u.email',
      'u.disabled_at',
      'tn.state as tenant_state',
    ])
    .where('t.token_hash', '=', tokenHash)
    .executeTakeFirst();
  if (!row || row.kind !== 'refresh') {
    await recordLoginEvent(ctx, { kind: 'refresh', result: 'failure', reason: 'unknown_token', meta });
    throw new ApiError(401, ErrorCode.invalidToken, 'The refresh token is not valid; sign in again');
  }
  const eventBase = { kind: 'refresh' as const, userId: row.user_id, email: row.email, tenantId: row.tenant_id, meta };
  const reuse = async () => {
    await revokeSessions(ctx, { sessionIds: [row.session_id] }, 'refresh_token_reuse', null);
    await recordLoginEvent(ctx, { ...eventBase, result: 'failure', reason: 'refresh_token_reuse' });
    return new ApiError(
      401,
      ErrorCode.refreshTokenReused,
      'This refresh token was already used, so it may have been copied; the session has been ended. Sign in again.',
    );
  };
  if (row.used_at) throw await reuse();
  if (row.revoked_at) throw sessionRevoked(row.revoked_reason);
  const now = ctx.clock.now();
  const endReason = sessionEndReason(ctx, row, now) ?? (new Date(row.token_expires_at) <= now ? 'idle_timeout' : null);
  if (endReason || row.disabled_at || row.tenant_state === 'blocked') {
    const reason = endReason ?? (row.disabled_at ? 'user_disabled' : 'tenant_blocked');
    await revokeSessions(ctx, { sessionIds: [row.session_id] }, reason, null);
    await recordLoginEvent(ctx, { ...eventBase, result: 'failure', reason });
    if (reason === 'tenant_blocked') {
      throw new ApiError(401, ErrorCode.tenantBlocked, "Your organisation's access has been blocked; contact your provider");
    }
    throw endReason ? sessionExpired() : sessionRevoked(reason);
  }
  const tokens = await inTransaction(ctx.db, async (trx) => {
    // The conditional update makes two concurrent uses of one token resolve to exactly one winner.
    const claimed = await trx
      .updateTable('session_tokens')
      .set({ used_at: now })
      .where('token_hash', '=', tokenHash)
      .where('used_at', 'is', null)
      .returning('token_hash')
      .executeTakeFirst();
    if (!claimed) return null;
    // Access tokens from before the rotation stop working: only the newest pair is live.
    await trx.deleteFrom('session_tokens').where('session_id', '=', row.session_id).where('kind', '=', 'access').execute();
    await trx.updateTable('sessions').set({ last_seen_at: now, last_seen_ip: meta.ip }).where('id', '=', row.session_id).execute();
    return issueTokens(ctx, trx, row.session_id, new Date(row.absolute_expires_at), now);
  });
  if (!tokens) throw await reuse();
  await recordLoginEvent(ctx, { ...eventBase, result: 'success' });
  return tokens;
}

export interface SessionSelector {
  sessionIds?: string[];
  userId?: string;
  tenantId?: string;
  /** Leave this session alone ("revoke all others"). */
  exceptSessionId?: string;
}

/**
 * Revokes the selected active sessions and publishes a notice for each, so open WebSocket
 * connections of those sessions can be closed. Returns how many were revoked.
 */
export async function revokeSessions(
  ctx: ServerContext,
  selector: SessionSelector,
  reason: string,
  actor: Principal | null,
  meta: RequestMeta | null = null,
): Promise<number> {
  if (!selector.sessionIds && !selector.userId && !selector.tenantId) throw new Error('refusing to revoke every session');
  if (selector.sessionIds?.length === 0) return 0;
  let query = ctx.db
    .updateTable('sessions')
    .set({ revoked_at: ctx.clock.now(), revoked_reason: reason, revoked_by: actor?.kind === 'user' ? actor.userId : null })
    .where('revoked_at', 'is', null);
  if (selector.sessionIds) query = query.where('id', 'in', selector.sessionIds);
  if (selector.userId) query = query.where('user_id', '=', selector.userId);
  if (selector.tenantId) query = query.where('tenant_id', '=', selector.tenantId);
  if (selector.exceptSessionId) query = query.where('id', '!=', selector.exceptSessionId);
  const revoked = await query.returning(['id', 'user_id', 'tenant_id']).execute();
  for (const session of revoked) {
    await ctx.state
      .publishRevocation({ kind: 'session', sessionId: session.id, userId: session.user_id, reason })
      .catch((error: unknown) => ctx.logger.error({ err: error }, 'could not publish a session revocation notice'));
  }
  if (revoked.length > 0 && actor) {
    await recordAudit(ctx, {
      action: 'session.revoked',
      principal: actor,
      meta,
      tenantId: revoked[0]!.tenant_id,
      targetType: selector.userId ? 'user' : 'session',
      targetId: selector.userId ?? (revoked.length === 1 ? revoked[0]!.id : undefined),
      details: { reason, count: revoked.length },
    });
  }
  return revoked.length;
}

export async function listActiveSessions(ctx: ServerContext, userId: string, currentSessionId: string | null): Promise<SessionSummary[]> {
  const now = ctx.clock.now();
  const idleCutoff = new Date(now.getTime() - ctx.config.sessionIdleTimeoutSeconds * 1000);
  const rows = await ctx.db
    .selectFrom('sessions')
    .selectAll()
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .where('absolute_expires_at', '>', now)
    .where('last_seen_at', '>=', idleCutoff)
    .orderBy('last_seen_at', 'desc')
    .execute();
  return rows.map((row) => ({
    id: row.id,
    userId: row.user_id,
    clientName: row.client_name,
    userAgent: row.user_agent,
    ip: row.ip,
    lastSeenIp: row.last_seen_ip,
    createdAt: new Date(row.created_at).toISOString(),
    lastSeenAt: new Date(row.last_seen_at).toISOString(),
    expiresAt: new Date(row.absolute_expires_at).toISOString(),
    current: row.id === currentSessionId,
  }));
}

/** Marks the session as stepped-up for one action until the configured window ends. */
export async function grantStepUp(ctx: ServerContext, sessionId: string, action: StepUpAction): Promise<Date> {
  const now = ctx.clock.now();
  const expiresAt = addSeconds(now, ctx.config.stepUpWindowSeconds);
  await ctx.db
    .insertInto('session_step_ups')
    .values({ session_id: sessionId, action, granted_at: now, expires_at: expiresAt })
    .onConflict((oc) => oc.columns(['session_id', 'action']).doUpdateSet({ granted_at: now, expires_at: expiresAt }))
    .execute();
  return expiresAt;
}

export async function activeStepUps(ctx: ServerContext, sessionId: string): Promise<{ action: string; expiresAt: Date }[]> {
  const rows = await ctx.db
    .selectFrom('session_step_ups')
    .select(['action', 'expires_at'])
    .where('session_id', '=', sessionId)
    .where('expires_at', '>', ctx.clock.now())
    .execute();
  return rows.map((row) => ({ action: row.action, expiresAt: new Date(row.expires_at) }));
}

/**
 * Refuses with `step_up_required` unless the session confirmed a fresh TOTP code for this
 * action within the window. API keys can never step up, so they never reach such actions.
 */
export async function requireStepUp(ctx: ServerContext, principal: Principal, action: StepUpAction): Promise<void> {
  if (principal.kind !== 'user') {
    throw new ApiError(403, ErrorCode.forbidden, 'API keys cannot perform actions that need a step-up');
  }
  const fresh = await ctx.db
    .selectFrom('session_step_ups')
    .select('expires_at')
    .where('session_id', '=', principal.sessionId)
    .where('action', '=', action)
    .where('expires_at', '>', ctx.clock.now())
    .executeTakeFirst();
  if (!fresh) {
    throw new ApiError(
      403,
      ErrorCode.stepUpRequired,
      `Confirm with a fresh code from your authenticator app first (step-up for "${action}")`,
      undefined,
      { 'X-Bulwark-Step-Up': action },
    );
  }
}
