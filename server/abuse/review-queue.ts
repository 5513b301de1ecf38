import { randomUUID } from 'node:crypto';
import type { AbuseAssessment, AbuseReview, AbuseSignal } from '../../shared/api/audit';
import type { TenantState } from '../../shared/api/roles';
import { addAuditSink } from '../audit/sinks';
import { storableJson } from '../audit/text';
import type { ServerContext } from '../context';
import { errors } from '../errors';
import { recordAudit } from '../identity/events';
import type { Principal, RequestMeta } from '../identity/principal';
import { computeSignals, recentlyActiveTenants, SIGNAL_ACTIONS } from './signals';
import { inTransaction } from '../db/transaction';

const SWEEP_LOOKBACK_MS = 7 * 24 * 3_600_000;

export interface AssessmentOutcome {
  assessment: AbuseAssessment;
  queued: boolean;
  autoRestricted: boolean;
}

async function tenantInfo(ctx: ServerContext, tenantId: string) {
  return ctx.db.selectFrom('tenants').select(['id', 'name', 'state']).where('id', '=', tenantId).executeTakeFirst();
}

/**
 * Scores one tenant now and stores the result. Above the review threshold the tenant gets an
 * open entry in the review queue (one per tenant, refreshed with the latest evidence). Only if
 * the operator configured `abuseAutoRestrictThreshold` does a score restrict an active tenant,
 * and that is audited (`abuse.auto_restricted` and `tenant.state_changed`).
 */
export async function assessTenant(ctx: ServerContext, tenantId: string): Promise<AssessmentOutcome> {
  const tenant = await tenantInfo(ctx, tenantId);
  if (!tenant) throw errors.notFound('tenant');
  const now = ctx.clock.now();
  const signals = await computeSignals(ctx, tenantId, now);
  const score = signals.reduce((sum, item) => sum + item.points, 0);
  const scored = signals.filter((item) => item.points > 0);
  await ctx.db
    .insertInto('abuse_assessments')
    .values({ tenant_id: tenantId, score, signals: storableJson(signals), computed_at: now })
    .onConflict((conflict) => conflict.column('tenant_id').doUpdateSet({ score, signals: storableJson(signals), computed_at: now }))
    .execute();
  const { abuseReviewThreshold: reviewThreshold, abuseAutoRestrictThreshold: restrictThreshold } = ctx.config;
  let queued = false;
  let autoRestricted = false;
  if (score >= reviewThreshold) {
    queued = true;
    const reviewId = await upsertOpenReview(ctx, tenantId, score, scored, now);
    if (reviewId.created) {
      await recordAudit(ctx, {
        action: 'abuse.flagged',
        principal: null,
        meta: null,
        tenantId,
        targetType: 'tenant',
        targetId: tenantId,
        details: { score, reviewThreshold, signals: scored.map((item) => item.code), reviewId: reviewId.id },
      });
    }
    if (restrictThreshold !== undefined && score >= restrictThreshold && tenant.state === 'active') {
      autoRestricted = await restrictAutomatically(ctx, tenantId, score, scored, reviewId.id);
    }
  }
  const state = autoRestricted ? 'restricted' : tenant.state;
  return {
    assessment: {
      tenantId,
      tenantName: tenant.name,
      tenantState: state,
      score,
      reviewThreshold,
      signals,
      computedAt: now.toISOString(),
    },
    queued,
    autoRestricted,
  };
}

async function upsertOpenReview(
  ctx: ServerContext,
  tenantId: string,
  score: number,
  signals: AbuseSignal[],
  now: Date,
): Promise<{ id: string; created: boolean }> {
  const update = async () => {
    const row = await ctx.db
      .updateTable('abuse_reviews')
      .set({ score, signals: storableJson(signals), updated_at: now })
      .where('tenant_id', '=', tenantId)
      .where('status', '=', 'open')
      .returning('id')
      .executeTakeFirst();
    return row ? { id: row.id, created: false } : null;
  };
  const existing = await update();
  if (existing) return existing;
  const id = randomUUID();
  try {
    await ctx.db
      .insertInto('abuse_reviews')
      .values({ id, tenant_id: tenantId, status: 'open', score, signals: storableJson(signals), opened_at: now, updated_at: now })
      .execute();
    return { id, created: true };
  } catch (error) {
    // Another instance opened it at the same moment: refresh that one instead.
    if ((error as { code?: string }).code !== '23505') throw error;
    const raced = await update();
    if (!raced) throw error;
    return raced;
  }
}

async function restrictAutomatically(
  ctx: ServerContext,
  tenantId: string,
  score: number,
  signals: AbuseSignal[],
  reviewId: string,
): Promise<boolean> {
  const now = ctx.clock.now();
  const reason = `Restricted automatically: abuse score ${score} (${signals.map((item) => item.code).join(', ')}); pending review`;
  return inTransaction(ctx.db, async (trx) => {
    const current = await trx.selectFrom('tenants').select('state').where('id', '=', tenantId).forUpdate().executeTakeFirst();
    // Only an active tenant is restricted; an admin's own decision (restricted, blocked) stands.
    if (!current || current.state !== 'active') return false;
    const to: TenantState = 'restricted';
    await trx
      .insertInto('tenant_state_changes')
      .values({ id: randomUUID(), tenant_id: tenantId, from_state: 'active', to_state: to, reason, actor_user_id: null, at: now })
      .execute();
    await trx
      .updateTable('tenants')
      .set({ state: to, state_reason: reason, state_changed_at: now, state_changed_by: null, updated_at: now })
      .where('id', '=', tenantId)
      .execute();
    await trx.updateTable('abuse_reviews').set({ auto_restricted: true, updated_at: now }).where('id', '=', reviewId).execute();
    const base = { principal: null, meta: null, tenantId, targetType: 'tenant', targetId: tenantId };
    await recordAudit(ctx, { ...base, action: 'tenant.state_changed', details: { from: 'active', to, reason, automatic: true } }, trx);
    await recordAudit(
      ctx,
      { ...base, action: 'abuse.auto_restricted', details: { score, reviewId, threshold: ctx.config.abuseAutoRestrictThreshold } },
      trx,
    );
    ctx.logger.warn({ tenantId, score }, 'tenant restricted automatically by abuse score');
    return true;
  });
}

/** Re-assesses every tenant with scored activity in the last week. */
export async function sweepAbuse(ctx: ServerContext): Promise<{ assessed: number; queued: number; autoRestricted: number }> {
  const since = new Date(ctx.clock.now().getTime() - SWEEP_LOOKBACK_MS);
  const tenants = await recentlyActiveTenants(ctx, since);
  let queued = 0;
  let autoRestricted = 0;
  for (const tenantId of tenants) {
    const outcome = await assessTenant(ctx, tenantId).catch((error: unknown) => {
      if (error instanceof Error && 'status' in error && (error as { status: number }).status === 404) return null;
      throw error;
    });
    if (outcome?.queued) queued += 1;
    if (outcome?.autoRestricted) autoRestricted += 1;
  }
  return { assessed: tenants.length, queued, autoRestricted };
}

type ReviewRow = Awaited<ReturnType<ReturnType<typeof reviewQuery>['executeTakeFirstOrThrow']>>;

function reviewQuery(ctx: ServerContext) {
  return ctx.db
    .selectFrom('abuse_reviews as r')
    .leftJoin('tenants as t', 't.id', 'r.tenant_id')
    .selectAll('r')
    .select(['t.name as tenant_name', 't.state as tenant_state']);
}

function toReview(row: ReviewRow): AbuseReview {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    tenantName: row.tenant_name ?? null,
    tenantState: row.tenant_state ?? null,
    status: row.status,
    score: row.score,
    signals: row.signals,
    openedAt: new Date(row.opened_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
    autoRestricted: row.auto_restricted,
    resolvedAt: row.resolved_at ? new Date(row.resolved_at).toISOString() : null,
    resolvedBy: row.resolved_by,
    resolutionNote: row.resolution_note,
  };
}

export async function listAbuseReviews(ctx: ServerContext, filter: { status: AbuseReview['status']; limit: number }) {
  const rows = await reviewQuery(ctx)
    .where('r.status', '=', filter.status)
    .orderBy('r.score', 'desc')
    .orderBy('r.updated_at', 'desc')
    .limit(filter.limit)
    .execute();
  return rows.map(toReview);
}

export async function resolveAbuseReview(
  ctx: ServerContext,
  principal: Principal,
  id: string,
  input: { status: 'dismissed' | 'actioned'; note: string },
  meta: RequestMeta,
): Promise<AbuseReview> {
  const now = ctx.clock.now();
  const updated = await ctx.db
    .updateTable('abuse_reviews')
    .set({
      status: input.status,
      resolved_at: now,
      resolved_by: principal.kind === 'user' ? principal.userId : null,
      resolution_note: input.note,
      updated_at: now,
    })
    .where('id', '=', id)
    .where('status', '=', 'open')
    .returning(['id', 'tenant_id'])
    .executeTakeFirst();
  if (!updated) {
    const exists = await ctx.db.selectFrom('abuse_reviews').select('status').where('id', '=', id).executeTakeFirst();
    if (!exists) throw errors.notFound('review');
    throw errors.conflict(`This review is already ${exists.status}`);
  }
  await recordAudit(ctx, {
    action: 'abuse.review_resolved',
    principal,
    meta,
    tenantId: updated.tenant_id,
    targetType: 'abuse_review',
    targetId: id,
    details: { status: input.status, note: input.note },
  });
  return toReview(await reviewQuery(ctx).where('r.id', '=', id).executeTakeFirstOrThrow());
}

/**
 * Keeps scores current: relevant events (enroll tokens, enrollments, sign-ups, blocked
 * executions) queue a re-assessment of their tenant, run one at a time in the background so
 * the request that recorded the event never waits; a periodic sweep catches the rest.
 */
export function startAbuseScoring(ctx: ServerContext): { stop(): Promise<void>; idle(): Promise<void> } {
  const waiting = new Set<string>();
  let chain: Promise<void> = Promise.resolve();
  let stopped = false;
  const run = (work: () => Promise<unknown>, what: string) => {
    chain = chain.then(async () => {
      if (stopped) return;
      await work().catch((error: unknown) => ctx.logger.error({ err: error }, `abuse ${what} failed`));
    });
  };
  const removeSink = addAuditSink(ctx, (record) => {
    if (!record.tenantId || !SIGNAL_ACTIONS.has(record.action) || waiting.has(record.tenantId)) return;
    const tenantId = record.tenantId;
    waiting.add(tenantId);
    run(() => {
      waiting.delete(tenantId);
      return assessTenant(ctx, tenantId);
    }, 'assessment');
  });
  const intervalMs = ctx.config.abuseSweepIntervalSeconds * 1000;
  const timer = intervalMs > 0 ? setInterval(() => run(() => sweepAbuse(ctx), 'sweep'), intervalMs) : null;
  timer?.unref();
  return {
    idle: () => chain,
    stop: async () => {
      stopped = true;
      removeSink();
      if (timer) clearInterval(timer);
      await chain;
    },
  };
}
