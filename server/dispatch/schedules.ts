import { randomUUID } from 'node:crypto';
import { Cron } from 'croner';
import type { Schedule } from '../../shared/api/scripts';
import type { AgentHub } from '../agents/hub';
import type { ServerContext } from '../context';
import type { ScheduleRow } from '../db/schema-agents';
import { ApiError, errors } from '../errors';
import { recordAudit } from '../identity/events';
import { tenantScope, type Principal, type RequestMeta } from '../identity/principal';
import { dispatch, toApiRun } from './executions';
import { runTargets, visibleScript } from './scripts';

/** How often the scheduler looks for due schedules. */
export const SCHEDULER_TICK_MS = 15_000;
/** Schedules may not run more often than this (a cron that fires every second would flood endpoints). */
const MIN_INTERVAL_MS = 60_000;
const iso = (date: Date | null) => (date ? new Date(date).toISOString() : null);

/** The next time a cron expression fires after `from`, or a validation error naming the field. */
export function nextRunAfter(cron: string, timezone: string, from: Date): Date | null {
  let job: Cron;
  try {
    job = new Cron(cron, { timezone, paused: true });
  } catch (error) {
    throw errors.validation({ cron: (error as Error).message.replace(/^CronPattern: /, '') });
  }
  let runs: Date[];
  try {
    runs = job.nextRuns(2, from);
  } catch {
    throw errors.validation({ timezone: `Unknown time zone "${timezone}"; use an IANA name such as Europe/Berlin or UTC` });
  }
  const [first, second] = runs;
  if (first && second && second.getTime() - first.getTime() < MIN_INTERVAL_MS) {
    throw errors.validation({ cron: 'A schedule may run at most once a minute' });
  }
  return first ?? null;
}

export function toApiSchedule(row: ScheduleRow): Schedule {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    scriptId: row.script_id,
    name: row.name,
    cron: row.cron,
    timezone: row.timezone,
    endpointIds: Array.isArray(row.endpoint_ids) ? row.endpoint_ids : [],
    enabled: row.enabled,
    nextRunAt: iso(row.next_run_at),
    lastRunAt: iso(row.last_run_at),
    createdAt: new Date(row.created_at).toISOString(),
    createdBy: row.created_by,
  };
}

async function visibleSchedule(ctx: ServerContext, principal: Principal, id: string): Promise<ScheduleRow> {
  const row = await ctx.db.selectFrom('schedules').selectAll().where('id', '=', id).where('deleted_at', 'is', null).executeTakeFirst();
  const scope = tenantScope(principal);
  if (!row || (scope && row.tenant_id !== scope)) throw errors.notFound('schedule');
  return row;
}

export async function getSchedule(ctx: ServerContext, principal: Principal, id: string) {
  return toApiSchedule(await visibleSchedule(ctx, principal, id));
}

export async function listSchedules(ctx: ServerContext, principal: Principal, tenantId: string | undefined) {
  const scope = tenantScope(principal);
  if (scope && tenantId && tenantId !== scope) throw errors.notFound('tenant');
  let query = ctx.db.selectFrom('schedules').selectAll().where('deleted_at', 'is', null).orderBy('name').limit(1000);
  const tenant = scope ?? tenantId;
  if (tenant) query = query.where('tenant_id', '=', tenant);
  return { schedules: (await query.execute()).map(toApiSchedule) };
}

/** Restricted and blocked tenants cannot create or change schedules (they could not run them). */
async function requireActiveTenant(ctx: ServerContext, tenantId: string) {
  const tenant = await ctx.db.selectFrom('tenants').select('state').where('id', '=', tenantId).executeTakeFirstOrThrow();
  if (tenant.state !== 'active') {
    throw new ApiError(
      403,
      tenant.state === 'blocked' ? 'tenant_blocked' : 'tenant_restricted',
      `The tenant is ${tenant.state}: schedules cannot be created or changed`,
    );
  }
}

export async function createSchedule(
  ctx: ServerContext,
  principal: Principal,
  input: { name: string; scriptId: string; cron: string; timezone: string; endpointIds: string[]; enabled: boolean },
  meta: RequestMeta,
) {
  const script = await visibleScript(ctx, principal, input.scriptId);
  await requireActiveTenant(ctx, script.tenant_id);
  const endpoints = await runTargets(ctx, script.tenant_id, input.endpointIds);
  const now = ctx.clock.now();
  const next = nextRunAfter(input.cron, input.timezone, now);
  const row = await ctx.db
    .insertInto('schedules')
    .values({
      id: randomUUID(),
      tenant_id: script.tenant_id,
      script_id: script.id,
      name: input.name,
      cron: input.cron,
      timezone: input.timezone,
      endpoint_ids: JSON.stringify(endpoints.map((endpoint) => endpoint.id)),
      enabled: input.enabled,
      next_run_at: next,
      last_run_at: null,
      created_at: now,
      created_by: principal.kind === 'user' ? principal.userId : null,
      deleted_at: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  await recordAudit(ctx, {
    action: 'schedule.created',
    principal,
    meta,
    tenantId: row.tenant_id,
    targetType: 'schedule',
    targetId: row.id,
    details: {
      name: row.name,
      scriptId: script.id,
      sha256: script.sha256,
      cron: row.cron,
      timezone: row.timezone,
      endpoints: endpoints.length,
    },
  });
  return toApiSchedule(row);
}

export async function updateSchedule(
  ctx: ServerContext,
  principal: Principal,
  id: string,
  input: {
    name?: string | undefined;
    cron?: string | undefined;
    timezone?: string | undefined;
    endpointIds?: string[] | undefined;
    enabled?: boolean | undefined;
  },
  meta: RequestMeta,
) {
  const before = await visibleSchedule(ctx, principal, id);
  await requireActiveTenant(ctx, before.tenant_id);
  const cron = input.cron ?? before.cron;
  const timezone = input.timezone ?? before.timezone;
  const endpointIds = input.endpointIds
    ? (await runTargets(ctx, before.tenant_id, input.endpointIds)).map((endpoint) => endpoint.id)
    : null;
  const row = await ctx.db
    .updateTable('schedules')
    .set({
      ...(input.name === undefined ? {} : { name: input.name }),
      ...(input.enabled === undefined ? {} : { enabled: input.enabled }),
      ...(endpointIds ? { endpoint_ids: JSON.stringify(endpointIds) } : {}),
      cron,
      timezone,
      next_run_at: nextRunAfter(cron, timezone, ctx.clock.now()),
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
  await recordAudit(ctx, {
    action: 'schedule.updated',
    principal,
    meta,
    tenantId: row.tenant_id,
    targetType: 'schedule',
    targetId: id,
    details: { ...input },
  });
  return toApiSchedule(row);
}

export async function deleteSchedule(ctx: ServerContext, principal: Principal, id: string, meta: RequestMeta) {
  const row = await visibleSchedule(ctx, principal, id);
  await ctx.db.updateTable('schedules').set({ deleted_at: ctx.clock.now(), enabled: false }).where('id', '=', id).execute();
  await recordAudit(ctx, {
    action: 'schedule.deleted',
    principal,
    meta,
    tenantId: row.tenant_id,
    targetType: 'schedule',
    targetId: id,
    details: { name: row.name },
  });
  return { ok: true as const };
}

export async function scheduleRuns(ctx: ServerContext, principal: Principal, id: string) {
  await visibleSchedule(ctx, principal, id);
  const rows = await ctx.db
    .selectFrom('dispatch_runs')
    .selectAll()
    .where('schedule_id', '=', id)
    .orderBy('created_at', 'desc')
    .limit(200)
    .execute();
  return { runs: rows.map(toApiRun) };
}

/**
 * One run of a schedule, checked from scratch like any dispatch: the tenant's state, trust
 * (which may have expired since the schedule was made), destination rules and permitted hashes
 * are read now. A refusal is logged and stored as the schedule's run, then rethrown.
 */
export async function runSchedule(
  ctx: ServerContext,
  hub: AgentHub,
  row: ScheduleRow,
  principal: Principal | null,
  meta: RequestMeta | null,
) {
  const script = await ctx.db
    .selectFrom('scripts')
    .selectAll()
    .where('id', '=', row.script_id)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  if (!script) throw errors.notFound('script');
  const ids = Array.isArray(row.endpoint_ids) ? row.endpoint_ids : [];
  const endpoints = ids.length
    ? await ctx.db
        .selectFrom('endpoints')
        .selectAll()
        .where('id', 'in', ids)
        .where('tenant_id', '=', row.tenant_id)
        .where('revoked_at', 'is', null)
        .execute()
    : [];
  if (endpoints.length === 0) throw errors.validation({ endpointIds: 'None of the schedule’s endpoints is still enrolled' });
  return dispatch(ctx, hub, {
    tenantId: row.tenant_id,
    kind: 'schedule_run',
    action: 'schedule',
    text: script.body,
    shell: script.shell,
    endpoints,
    timeoutMs: 600_000,
    principal,
    userId: row.created_by,
    meta,
    scriptId: script.id,
    scheduleId: row.id,
  });
}

export async function runScheduleNow(ctx: ServerContext, hub: AgentHub, principal: Principal, id: string, meta: RequestMeta) {
  return runSchedule(ctx, hub, await visibleSchedule(ctx, principal, id), principal, meta);
}

/**
 * Runs every schedule that is due at the server clock's now. Each due schedule is claimed by
 * moving its next_run_at forward in one conditional update, so with several server instances
 * exactly one runs it. Returns how many runs were attempted.
 */
export async function runDueSchedules(ctx: ServerContext, hub: AgentHub): Promise<number> {
  const now = ctx.clock.now();
  const due = await ctx.db
    .selectFrom('schedules')
    .selectAll()
    .where('deleted_at', 'is', null)
    .where('enabled', '=', true)
    .where('next_run_at', '<=', now)
    .orderBy('next_run_at')
    .limit(100)
    .execute();
  let attempted = 0;
  for (const row of due) {
    let next: Date | null = null;
    try {
      next = nextRunAfter(row.cron, row.timezone, now);
    } catch {
      next = null;
    }
    const claimed = await ctx.db
      .updateTable('schedules')
      .set({ next_run_at: next, last_run_at: now })
      .where('id', '=', row.id)
      .where('next_run_at', '=', row.next_run_at)
      .returning('id')
      .executeTakeFirst();
    if (!claimed) continue;
    attempted++;
    try {
      const result = await runSchedule(ctx, hub, row, null, null);
      ctx.logger.info({ scheduleId: row.id, runId: result.run.id, endpoints: result.executions.length }, 'schedule ran');
    } catch (error) {
      if (error instanceof ApiError) ctx.logger.warn({ scheduleId: row.id, code: error.code }, 'schedule run refused');
      else ctx.logger.error({ err: error, scheduleId: row.id }, 'schedule run failed');
    }
  }
  return attempted;
}

/** Starts the periodic check; returns the stop function. */
export function startScheduler(ctx: ServerContext, hub: AgentHub): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    runDueSchedules(ctx, hub)
      .catch((error: unknown) => ctx.logger.error({ err: error }, 'scheduler tick failed'))
      .finally(() => {
        running = false;
      });
  }, SCHEDULER_TICK_MS);
  timer.unref();
  return () => clearInterval(timer);
}
