/**
 * Opening, finding and summarising terminal and viewer sessions (table remote_sessions).
 */
import { randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import { ErrorCode } from '../../shared/api/common';
import type { OpenRemoteSessionResponse, RemoteSessionSummary } from '../../shared/api/remote-sessions';
import { REMOTE_SESSION_SOCKET_PATH, REMOTE_SESSION_SUBPROTOCOL, TERMINAL_PROTOCOL_VERSION } from '../../shared/api/terminal-protocol';
import type { Platform, Shell } from '../../shared/policy/types';
import { agentHub } from '../agents/hub';
import type { ServerContext } from '../context';
import { loadTenantPolicyContext, type TenantPolicySnapshot } from '../controls/policy-context';
import type { RemoteSessionsTable } from '../db/schema-remote-sessions';
import { ApiError, errors } from '../errors';
import { recordAudit } from '../identity/events';
import type { Principal, RequestMeta, UserPrincipal } from '../identity/principal';

/** How long after opening the console has to connect the WebSocket. */
export const CONNECT_WINDOW_MS = 60_000;

export type RemoteSessionRow = Selectable<RemoteSessionsTable>;

export function summarise(row: RemoteSessionRow): RemoteSessionSummary {
  const iso = (date: Date | null) => (date ? new Date(date).toISOString() : null);
  return {
    id: row.id,
    tenantId: row.tenant_id,
    endpointId: row.endpoint_id,
    userId: row.user_id,
    kind: row.kind,
    mode: row.mode,
    shell: row.shell,
    status: row.status,
    createdAt: new Date(row.created_at).toISOString(),
    openedAt: iso(row.opened_at),
    closedAt: iso(row.closed_at),
    closeReason: row.close_reason,
    linesAllowed: row.lines_allowed,
    linesFlagged: row.lines_flagged,
    linesBlocked: row.lines_blocked,
    inputChars: Number(row.input_chars),
    outputChars: Number(row.output_chars),
    frames: row.frames,
    transcriptTruncated: row.transcript_truncated,
    ip: row.ip,
  };
}

export const tenantRestricted = () =>
  new ApiError(
    403,
    ErrorCode.tenantRestricted,
    'Your organisation is restricted: terminal, viewer, scripts and schedules are unavailable; contact your provider',
  );
export const tenantBlocked = () =>
  new ApiError(403, ErrorCode.tenantBlocked, "Your organisation's access has been blocked; contact your provider");

/** The endpoint as the caller may see it (another tenant's endpoint is "not found"), with what a session needs. */
async function visibleEndpoint(ctx: ServerContext, principal: UserPrincipal, endpointId: string) {
  const endpoint = await ctx.db
    .selectFrom('endpoints')
    .select(['id', 'tenant_id', 'os_family', 'revoked_at'])
    .where('id', '=', endpointId)
    .executeTakeFirst();
  if (!endpoint || endpoint.tenant_id !== principal.tenantId || endpoint.revoked_at) throw errors.notFound('endpoint');
  return endpoint;
}

function checkTenantAllows(snapshot: TenantPolicySnapshot) {
  if (snapshot.state === 'blocked') throw tenantBlocked();
  if (snapshot.state === 'restricted') throw tenantRestricted();
}

export function defaultShellFor(platform: Platform): Shell {
  return platform === 'windows' ? 'powershell' : platform === 'macos' ? 'zsh' : 'bash';
}

export async function openRemoteSession(
  ctx: ServerContext,
  principal: Principal,
  endpointId: string,
  request: { kind: 'terminal'; terminal: TerminalOpenOptions } | { kind: 'viewer' },
  meta: RequestMeta,
): Promise<OpenRemoteSessionResponse> {
  if (principal.kind !== 'user' || principal.tenantId === null) throw errors.forbidden();
  const endpoint = await visibleEndpoint(ctx, principal, endpointId);
  const snapshot = await loadTenantPolicyContext(ctx, principal.tenantId);
  checkTenantAllows(snapshot);
  const now = ctx.clock.now();
  let mode: 'line' | 'raw' | null = null;
  let shell: Shell | null = null;
  if (request.kind === 'terminal') {
    mode = request.terminal.mode;
    shell = request.terminal.shell ?? defaultShellFor(endpoint.os_family);
    if (shell === 'cmd' && endpoint.os_family !== 'windows')
      throw errors.validation({ shell: 'cmd is only available on Windows endpoints' });
    if (mode === 'raw' && !(snapshot.policy.trust.level === 'extended' && snapshot.policy.trust.expiresAt > now.getTime())) {
      throw new ApiError(
        403,
        'extended_trust_required',
        'Raw mode (keystrokes) is only available while your organisation has extended trust; use line mode, or ask a supervisor to grant extended trust',
      );
    }
    const open = await ctx.db
      .selectFrom('remote_sessions')
      .select((eb) => eb.fn.countAll<string>().as('count'))
      .where('tenant_id', '=', principal.tenantId)
      .where('kind', '=', 'terminal')
      // Pending sessions count until their connect window has passed.
      .where((eb) => eb.or([eb('status', '=', 'open'), eb.and([eb('status', '=', 'pending'), eb('connect_by', '>', now)])]))
      .executeTakeFirst();
    const limit = snapshot.limits.concurrentTerminalSessions;
    if (Number(open?.count ?? 0) >= limit) {
      throw new ApiError(429, 'terminal_limit', `Your organisation may have ${limit} terminal session(s) open at once; close one first`);
    }
  }
  if (!agentHub(ctx).isOnline(endpointId)) {
    throw new ApiError(409, 'agent_offline', "The endpoint's agent is not connected; try again when it is online");
  }
  const id = randomUUID();
  const connectBy = new Date(now.getTime() + CONNECT_WINDOW_MS);
  await ctx.db
    .insertInto('remote_sessions')
    .values({
      id,
      tenant_id: principal.tenantId,
      endpoint_id: endpointId,
      user_id: principal.userId,
      auth_session_id: principal.sessionId,
      kind: request.kind,
      mode,
      shell,
      cols: request.kind === 'terminal' ? request.terminal.cols : null,
      rows: request.kind === 'terminal' ? request.terminal.rows : null,
      status: 'pending',
      created_at: now,
      connect_by: connectBy,
      ip: meta.ip,
      user_agent: meta.userAgent,
    })
    .execute();
  await recordAudit(ctx, {
    action: request.kind === 'terminal' ? 'terminal.opened' : 'viewer.opened',
    principal,
    meta,
    tenantId: principal.tenantId,
    targetType: 'endpoint',
    targetId: endpointId,
    details: { sessionId: id, ...(mode ? { mode, shell } : {}) },
  });
  return {
    sessionId: id,
    kind: request.kind,
    mode,
    shell,
    endpointId,
    socketPath: REMOTE_SESSION_SOCKET_PATH,
    subprotocol: REMOTE_SESSION_SUBPROTOCOL,
    protocol: TERMINAL_PROTOCOL_VERSION,
    connectBy: connectBy.toISOString(),
  };
}

export interface TerminalOpenOptions {
  cols: number;
  rows: number;
  shell?: Shell | undefined;
  mode: 'line' | 'raw';
}

/** A session the caller may see: technicians their own, tenant users their tenant's, staff all. */
export async function visibleSession(ctx: ServerContext, principal: Principal, id: string): Promise<RemoteSessionRow> {
  const row = await ctx.db.selectFrom('remote_sessions').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw errors.notFound('session');
  if (principal.tenantId !== null) {
    if (row.tenant_id !== principal.tenantId) throw errors.notFound('session');
    if (principal.role === 'technician' && (principal.kind !== 'user' || row.user_id !== principal.userId))
      throw errors.notFound('session');
  }
  return row;
}
