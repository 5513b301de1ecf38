import type { ServerContext } from '../context';
import { recordTrustExpiries } from '../controls/trust';

const DAY_MS = 86_400_000;

/**
 * Deletes short-lived credentials that can no longer be used: expired sign-in challenges,
 * expired tokens, lapsed step-ups and stale throttle counters. Sessions and events are kept
 * (they are the record). Expired items are refused whether or not this has run.
 */
export async function sweepExpired(
  ctx: ServerContext,
): Promise<{ challenges: number; tokens: number; stepUps: number; throttles: number }> {
  const now = ctx.clock.now();
  const dayAgo = new Date(now.getTime() - DAY_MS);
  const throttleCutoff = new Date(now.getTime() - ctx.config.throttle.windowSeconds * 1000);
  const count = (result: { numDeletedRows: bigint }) => Number(result.numDeletedRows);
  const challenges = await ctx.db.deleteFrom('login_challenges').where('expires_at', '<', dayAgo).executeTakeFirst();
  // Used refresh tokens are kept until they expire: presenting one is how reuse is detected.
  const tokens = await ctx.db.deleteFrom('session_tokens').where('expires_at', '<', dayAgo).executeTakeFirst();
  const stepUps = await ctx.db.deleteFrom('session_step_ups').where('expires_at', '<', now).executeTakeFirst();
  const throttles = await ctx.db.deleteFrom('throttle_counters').where('last_failure_at', '<', throttleCutoff).executeTakeFirst();
  return { challenges: count(challenges), tokens: count(tokens), stepUps: count(stepUps), throttles: count(throttles) };
}

/** Runs the sweep periodically in the background; returns a stop function. */
export function startHousekeeping(ctx: ServerContext, intervalMs = 60_000): () => void {
  const timer = setInterval(() => {
    sweepExpired(ctx).then(
      (removed) => ctx.logger.debug({ removed }, 'housekeeping sweep'),
      (error: unknown) => ctx.logger.warn({ err: error }, 'housekeeping sweep failed'),
    );
    // Trust counts as standard from its end time on whether or not this runs; this only
    // records the expiry in the trust history and audit trail in good time.
    recordTrustExpiries(ctx).then(
      (expired) => expired > 0 && ctx.logger.info({ expired }, 'extended trust expired'),
      (error: unknown) => ctx.logger.warn({ err: error }, 'recording trust expiries failed'),
    );
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
