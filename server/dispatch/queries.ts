import type { ServerContext } from '../context';
import type { ExecutionRow } from '../db/schema-agents';
import { errors } from '../errors';
import { tenantScope, type Principal } from '../identity/principal';
import { isDone, toApiExecution, toApiRun, waitForExecutionChange } from './executions';

async function visibleExecution(ctx: ServerContext, principal: Principal, id: string): Promise<ExecutionRow> {
  const row = await ctx.db.selectFrom('executions').selectAll().where('id', '=', id).executeTakeFirst();
  const scope = tenantScope(principal);
  if (!row || (scope && row.tenant_id !== scope)) throw errors.notFound('execution');
  return row;
}

/** One execution; with `waitSeconds`, answers as soon as it is done (or when the wait is over). */
export async function getExecution(ctx: ServerContext, principal: Principal, id: string, waitSeconds: number) {
  let row = await visibleExecution(ctx, principal, id);
  const deadline = Date.now() + waitSeconds * 1000;
  while (!isDone(row.status) && Date.now() < deadline) {
    await waitForExecutionChange(id, Math.min(1000, deadline - Date.now()));
    row = await visibleExecution(ctx, principal, id);
  }
  return toApiExecution(row);
}

export async function executionOutput(ctx: ServerContext, principal: Principal, id: string, after: number, limit: number) {
  const execution = await visibleExecution(ctx, principal, id);
  const chunks = await ctx.db
    .selectFrom('execution_output')
    .select(['seq', 'stream', 'data'])
    .where('execution_id', '=', id)
    .where('seq', '>', after)
    .orderBy('seq')
    .limit(limit)
    .execute();
  const nextAfter = chunks.at(-1)?.seq ?? after;
  return { chunks, nextAfter, done: isDone(execution.status) && chunks.length < limit };
}

export async function endpointExecutions(ctx: ServerContext, endpointId: string, limit: number) {
  const rows = await ctx.db
    .selectFrom('executions')
    .selectAll()
    .where('endpoint_id', '=', endpointId)
    .orderBy('created_at', 'desc')
    .limit(limit)
    .execute();
  return { executions: rows.map(toApiExecution) };
}

export async function getRun(ctx: ServerContext, principal: Principal, id: string) {
  const run = await ctx.db.selectFrom('dispatch_runs').selectAll().where('id', '=', id).executeTakeFirst();
  const scope = tenantScope(principal);
  if (!run || (scope && run.tenant_id !== scope)) throw errors.notFound('run');
  const executions = await ctx.db.selectFrom('executions').selectAll().where('run_id', '=', id).orderBy('created_at').execute();
  return { run: toApiRun(run), executions: executions.map(toApiExecution) };
}
