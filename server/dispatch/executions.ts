import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { ORDER_TTL_MS, DEFAULT_OUTPUT_BYTES, type ExecAction, type ExecOrder } from '../../shared/agent-protocol/signing';
import { toWirePolicyContext, type PlatformName, type ShellName, type WireReason } from '../../shared/agent-protocol/policy-wire';
import type { DispatchResponse, DispatchRun, Execution, Refusal } from '../../shared/api/endpoints';
import { evaluatePolicy } from '../../shared/policy/engine';
import { sha256Hex } from '../../shared/policy/hash';
import { plainReason } from '../../shared/policy/types';
import type { AgentHub } from '../agents/hub';
import { recordScriptLog, type ScriptLogReasonInput } from '../audit/script-logs';
import type { ServerContext } from '../context';
import { loadTenantPolicyContext, type TenantPolicySnapshot } from '../controls/policy-context';
import type { DispatchRunRow, EndpointRow, ExecutionRow, ExecutionStatus, StoredRefusal } from '../db/schema-agents';
import { ApiError } from '../errors';
import type { Principal, RequestMeta } from '../identity/principal';

/** Output kept per execution; past it the execution is marked truncated. */
export const STORED_OUTPUT_LIMIT_BYTES = 1024 * 1024;
const EXCERPT_CHARS = 2000;
const DONE: readonly ExecutionStatus[] = ['completed', 'failed', 'refused_by_agent', 'agent_offline', 'lost'];

const iso = (date: Date | null) => (date ? new Date(date).toISOString() : null);

function toRefusal(value: StoredRefusal | null): Refusal | null {
  if (!value) return null;
  return { code: value.code, message: value.message, reasons: value.reasons as WireReason[] };
}

export function toApiExecution(row: ExecutionRow): Execution {
  return {
    id: row.id,
    runId: row.run_id,
    tenantId: row.tenant_id,
    endpointId: row.endpoint_id,
    action: row.action,
    shell: row.shell as ShellName,
    sha256: row.sha256,
    textExcerpt: row.text_excerpt,
    status: row.status,
    done: DONE.includes(row.status),
    exitCode: row.exit_code,
    signal: row.signal,
    timedOut: row.timed_out,
    truncated: row.truncated,
    outputBytes: row.output_bytes,
    error: row.error,
    refusal: toRefusal(row.refusal),
    createdAt: new Date(row.created_at).toISOString(),
    startedAt: iso(row.started_at),
    finishedAt: iso(row.finished_at),
  };
}

export function toApiRun(row: DispatchRunRow): DispatchRun {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    kind: row.kind,
    scriptId: row.script_id,
    scheduleId: row.schedule_id,
    requestedBy: row.requested_by,
    decision: row.decision,
    refusal: toRefusal(row.refusal),
    sha256: row.sha256,
    endpointCount: row.endpoint_count,
    createdAt: new Date(row.created_at).toISOString(),
  };
}

export function defaultShell(platform: PlatformName): ShellName {
  return platform === 'windows' ? 'powershell' : 'sh';
}

export interface DispatchRequest {
  tenantId: string;
  kind: DispatchRunRow['kind'];
  action: ExecAction;
  text: string;
  shell: ShellName;
  endpoints: EndpointRow[];
  timeoutMs: number;
  /** Who asked (null for a schedule's timed run). */
  principal: Principal | null;
  /** Whom the script log names when there is no principal (the schedule's author). */
  userId?: string | null;
  meta: RequestMeta | null;
  scriptId?: string | null;
  scheduleId?: string | null;
}

const LOG_KIND = { command: 'command', script_run: 'script_run', schedule_run: 'schedule_run' } as const;

/**
 * The one path from "someone wants this run" to "the agent has a signed order", in the order
 * the security model requires: the tenant's current policy context → tenant state → the tenant's
 * dispatch rate → the policy engine → the script log (awaited) → a 403 with the engine's reasons,
 * or the dispatch. Every refusal is also stored as a run (with its reasons) so histories show it.
 */
export async function dispatch(ctx: ServerContext, hub: AgentHub, request: DispatchRequest): Promise<DispatchResponse> {
  const snapshot = await loadTenantPolicyContext(ctx, request.tenantId);
  const now = ctx.clock.now();
  const sha256 = sha256Hex(request.text);
  const userId = request.principal?.kind === 'user' ? request.principal.userId : (request.userId ?? null);
  const apiKeyId = request.principal?.kind === 'api_key' ? request.principal.apiKeyId : null;

  const log = async (decision: 'allow' | 'flag' | 'block', reasons: readonly ScriptLogReasonInput[], blockedBySecurityPolicy?: boolean) => {
    const ids: string[] = [];
    for (const endpoint of request.endpoints) {
      const { id } = await recordScriptLog(ctx, {
        tenantId: request.tenantId,
        endpointId: endpoint.id,
        userId,
        apiKeyId,
        kind: LOG_KIND[request.kind],
        text: request.text,
        decision,
        reasons,
        meta: request.meta,
        ...(blockedBySecurityPolicy === undefined ? {} : { blockedBySecurityPolicy }),
      });
      ids.push(id);
    }
    return ids[0] ?? null;
  };
  const storeRun = async (decision: 'allow' | 'flag' | 'block', refusal: StoredRefusal | null, scriptLogId: string | null) =>
    ctx.db
      .insertInto('dispatch_runs')
      .values({
        id: randomUUID(),
        tenant_id: request.tenantId,
        kind: request.kind,
        script_id: request.scriptId ?? null,
        schedule_id: request.scheduleId ?? null,
        requested_by: userId,
        api_key_id: apiKeyId,
        decision,
        refusal: JSON.stringify(refusal),
        script_log_id: scriptLogId,
        sha256,
        endpoint_count: request.endpoints.length,
        created_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
  const refuse = async (
    status: number,
    code: string,
    message: string,
    reasons: WireReason[],
    blockedBySecurityPolicy?: boolean,
    headers?: Record<string, string>,
  ) => {
    const logReasons: ScriptLogReasonInput[] = reasons.length > 0 ? reasons : [{ code, message }];
    const scriptLogId = await log('block', logReasons, blockedBySecurityPolicy);
    await storeRun('block', { code, message, reasons }, scriptLogId);
    return new ApiError(status, code, message, undefined, headers, reasons);
  };

  const platforms = [...new Set(request.endpoints.map((endpoint) => endpoint.os_family))];
  const evaluate = () => {
    const reasons = new Map<string, WireReason>();
    let decision: 'allow' | 'flag' | 'block' = 'allow';
    for (const platform of platforms) {
      const result = evaluatePolicy({
        text: request.text,
        shell: request.shell,
        platform,
        action: request.action,
        context: snapshot.policy,
      });
      if (result.decision === 'block' || (result.decision === 'flag' && decision === 'allow')) decision = result.decision;
      for (const reason of result.reasons)
        reasons.set(`${reason.ruleId}\u0000${reason.spans.map((s) => `${s.start}-${s.end}`).join(',')}`, plainReason(reason));
    }
    return { decision, reasons: [...reasons.values()] };
  };

  // 1. Tenant state: restricted and blocked tenants get nothing dispatched.
  if (snapshot.state !== 'active') {
    const { reasons } = evaluate();
    const code = snapshot.state === 'blocked' ? 'tenant_blocked' : 'tenant_restricted';
    throw await refuse(403, code, `The tenant is ${snapshot.state}: nothing can be run on its endpoints`, reasons, true);
  }
  // 2. The tenant's dispatch rate (per minute, counted in the database so every instance agrees).
  const limit = snapshot.limits.dispatchesPerMinute;
  const recent = await ctx.db
    .selectFrom('executions')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .where('tenant_id', '=', request.tenantId)
    .where('created_at', '>', new Date(now.getTime() - 60_000))
    .executeTakeFirstOrThrow();
  if (Number(recent.count) + request.endpoints.length > limit) {
    throw await refuse(
      429,
      'dispatch_limit',
      `This tenant may dispatch ${limit} executions per minute; ${recent.count} were dispatched in the last minute. Try again shortly.`,
      [],
      false,
      { 'Retry-After': '60' },
    );
  }
  // 3. The policy engine with the tenant's current context.
  const verdict = evaluate();
  if (verdict.decision === 'block') {
    throw await refuse(403, 'policy_blocked', 'The security policy blocks this; see the reasons', verdict.reasons);
  }
  // 4. Recorded before anything leaves the server.
  const scriptLogId = await log(verdict.decision, verdict.reasons);
  const run = await storeRun(verdict.decision, null, scriptLogId);
  const executions: ExecutionRow[] = [];
  for (const endpoint of request.endpoints) executions.push(await sendOrder(ctx, hub, snapshot, request, run.id, endpoint, sha256));
  return { run: toApiRun(run), executions: executions.map(toApiExecution), decision: verdict.decision, reasons: verdict.reasons };
}

async function sendOrder(
  ctx: ServerContext,
  hub: AgentHub,
  snapshot: TenantPolicySnapshot,
  request: DispatchRequest,
  runId: string,
  endpoint: EndpointRow,
  sha256: string,
): Promise<ExecutionRow> {
  const id = randomUUID();
  const now = ctx.clock.now();
  const online = hub.isOnline(endpoint.id);
  const row = await ctx.db
    .insertInto('executions')
    .values({
      id,
      run_id: runId,
      tenant_id: request.tenantId,
      endpoint_id: endpoint.id,
      action: request.action,
      shell: request.shell,
      sha256,
      text_excerpt: request.text.slice(0, EXCERPT_CHARS),
      status: online ? 'dispatched' : 'agent_offline',
      exit_code: null,
      signal: null,
      error: online ? null : 'the agent was not connected',
      refusal: JSON.stringify(null),
      created_at: now,
      started_at: null,
      finished_at: online ? null : now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  if (!online) return row;
  const order: ExecOrder = {
    kind: 'exec',
    execId: id,
    endpointId: endpoint.id,
    tenantId: request.tenantId,
    action: request.action,
    shell: request.shell,
    platform: endpoint.os_family,
    text: request.text,
    sha256,
    timeoutMs: request.timeoutMs,
    maxOutputBytes: DEFAULT_OUTPUT_BYTES,
    policy: toWirePolicyContext(snapshot.policy),
    issuedAt: now.getTime(),
    expiresAt: now.getTime() + ORDER_TTL_MS,
  };
  const sent = hub.sendToAgent(endpoint.id, { v: 1, type: 'exec.run', execId: id, order: await hub.signOrder(order) });
  if (sent) return row;
  return ctx.db
    .updateTable('executions')
    .set({ status: 'agent_offline', error: 'the agent disconnected before the order was sent', finished_at: now })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

// ------------------------------------------------------------------ results from agents

const events = new EventEmitter();
events.setMaxListeners(0);
const tracked = new WeakSet<ServerContext>();

/** Resolves when the execution changes (or after `ms`); used by the long-poll route. */
export function waitForExecutionChange(id: string, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      events.off(id, done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    events.on(id, done);
  });
}

export function isDone(status: ExecutionStatus) {
  return DONE.includes(status);
}

/**
 * Stores what agents report about executions. An agent may only report on executions sent to
 * its own endpoint; reports are applied one at a time per execution so output stays ordered.
 */
export function trackExecutions(ctx: ServerContext, hub: AgentHub) {
  if (tracked.has(ctx)) return;
  tracked.add(ctx);
  const chains = new Map<string, Promise<void>>();
  const serial = (execId: string, work: () => Promise<void>) => {
    const next = (chains.get(execId) ?? Promise.resolve())
      .then(work)
      .catch((error: unknown) => ctx.logger.error({ err: error, execId }, 'could not store an execution report'))
      .finally(() => {
        if (chains.get(execId) === next) chains.delete(execId);
        events.emit(execId);
      });
    chains.set(execId, next);
  };
  const owned = (endpointId: string, execId: string) =>
    ctx.db
      .selectFrom('executions')
      .select(['id', 'status', 'output_bytes', 'truncated'])
      .where('id', '=', execId)
      .where('endpoint_id', '=', endpointId)
      .executeTakeFirst();

  hub.onAgentMessage('exec.started', (endpointId, message) =>
    serial(message.execId, async () => {
      await ctx.db
        .updateTable('executions')
        .set({ status: 'running', started_at: ctx.clock.now() })
        .where('id', '=', message.execId)
        .where('endpoint_id', '=', endpointId)
        .where('status', 'in', ['dispatched', 'lost'])
        .execute();
    }),
  );
  hub.onAgentMessage('exec.output', (endpointId, message) =>
    serial(message.execId, async () => {
      const row = await owned(endpointId, message.execId);
      if (!row || row.truncated) return;
      const bytes = Buffer.byteLength(message.data, 'utf8');
      const room = STORED_OUTPUT_LIMIT_BYTES - row.output_bytes;
      const data = bytes <= room ? message.data : Buffer.from(message.data, 'utf8').subarray(0, Math.max(0, room)).toString('utf8');
      if (data.length > 0) {
        await ctx.db
          .insertInto('execution_output')
          .values({ execution_id: message.execId, seq: message.seq, stream: message.stream, data })
          .onConflict((oc) => oc.columns(['execution_id', 'seq']).doNothing())
          .execute();
      }
      await ctx.db
        .updateTable('executions')
        .set({ output_bytes: row.output_bytes + Buffer.byteLength(data, 'utf8'), truncated: bytes > room })
        .where('id', '=', message.execId)
        .execute();
    }),
  );
  hub.onAgentMessage('exec.finished', (endpointId, message) =>
    serial(message.execId, async () => {
      const row = await owned(endpointId, message.execId);
      if (!row) return;
      await ctx.db
        .updateTable('executions')
        .set({
          status: message.error ? 'failed' : 'completed',
          exit_code: message.exitCode,
          signal: message.signal,
          timed_out: message.timedOut,
          truncated: row.truncated || message.truncated,
          error: message.error,
          finished_at: ctx.clock.now(),
        })
        .where('id', '=', message.execId)
        .execute();
    }),
  );
  hub.onAgentMessage('exec.refused', (endpointId, message) => {
    const execId = message.execId;
    if (!execId) return;
    serial(execId, async () => {
      const refusal: StoredRefusal = { code: `agent_${message.code}`, message: message.message, reasons: message.reasons ?? [] };
      ctx.logger.warn({ endpointId, execId, code: message.code }, 'an agent refused an order');
      await ctx.db
        .updateTable('executions')
        .set({ status: 'refused_by_agent', refusal: JSON.stringify(refusal), error: message.message, finished_at: ctx.clock.now() })
        .where('id', '=', execId)
        .where('endpoint_id', '=', endpointId)
        .execute();
    });
  });
  hub.onAgentDisconnect((endpointId) => {
    void ctx.db
      .updateTable('executions')
      .set({ status: 'lost', error: 'the agent disconnected while this was running', finished_at: ctx.clock.now() })
      .where('endpoint_id', '=', endpointId)
      .where('status', 'in', ['dispatched', 'running'])
      .returning('id')
      .execute()
      .then((rows) => rows.forEach((row) => events.emit(row.id)))
      .catch((error: unknown) => ctx.logger.error({ err: error }, 'could not mark executions lost'));
  });
}
