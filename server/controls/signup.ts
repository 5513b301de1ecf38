import { randomUUID } from 'node:crypto';
import { ErrorCode } from '../../shared/api/common';
import type { SignupRequest, SignupResponse } from '../../shared/api/controls';
import { checkEmailDomain } from '../../shared/policy/destinations/index';
import type { ServerContext } from '../context';
import { ApiError, errors } from '../errors';
import { normalizeEmail } from '../identity/auth-flow';
import { recordAudit } from '../identity/events';
import { passwordProblem } from '../identity/passwords';
import type { RequestMeta } from '../identity/principal';
import { throttleAddress } from '../identity/throttle';
import { assertEmailDomainAllowed } from './destinations';
import { inTransaction } from '../db/transaction';

const HOUR_MS = 3_600_000;

/**
 * Counts this sign-up attempt for its source address (IPv6 per /64) and refuses once the
 * address has made more than the configured number within an hour of activity.
 */
async function throttleSignup(ctx: ServerContext, meta: RequestMeta) {
  const now = ctx.clock.now().getTime();
  const record = await ctx.state.recordFailure(`signup:${throttleAddress(meta.ip)}`, now, HOUR_MS);
  if (record.failures > ctx.config.signupsPerAddressPerHour) {
    const retryAfter = Math.max(1, Math.ceil((record.lastFailureAt + HOUR_MS - now) / 1000));
    throw new ApiError(
      429,
      ErrorCode.rateLimited,
      'Too many sign-ups from your network; try again in an hour or contact the provider',
      undefined,
      { 'Retry-After': String(retryAfter) },
    );
  }
}

/**
 * Self-service sign-up: a trial tenant (unverified, standard trust, trial limits) and its first
 * tenant admin, in one transaction. The admin then signs in with the password and enrolls the
 * authenticator app through the usual first sign-in (`next: "enroll"`).
 */
export async function signUp(ctx: ServerContext, input: SignupRequest, meta: RequestMeta): Promise<SignupResponse> {
  if (!ctx.config.signupEnabled) throw new ApiError(403, 'signup_disabled', 'Self-service sign-up is turned off on this server');
  await throttleSignup(ctx, meta);
  await assertEmailDomainAllowed(ctx, input.email, null);
  const problem = passwordProblem(input.password, { email: input.email });
  if (problem) throw new ApiError(400, ErrorCode.weakPassword, problem, { password: problem });
  const passwordHash = await ctx.passwords.hash(input.password);
  const tenantId = randomUUID();
  const userId = randomUUID();
  const emailDomain = checkEmailDomain(input.email, []).normalized;
  // A failed insert aborts the transaction; the ApiError thrown from its catch is the answer.
  await inTransaction(ctx.db, async (trx) => {
    const now = ctx.clock.now();
    await trx
      .insertInto('tenants')
      .values({
        id: tenantId,
        name: input.tenantName,
        state: 'active',
        state_reason: null,
        state_changed_at: null,
        state_changed_by: null,
        created_at: now,
        updated_at: now,
      })
      .execute()
      .catch((error: unknown) => {
        if ((error as { code?: string }).code === '23505') throw errors.conflict(`A tenant named "${input.tenantName}" already exists`);
        throw error;
      });
    await trx
      .insertInto('tenant_controls')
      .values({
        tenant_id: tenantId,
        verified: false,
        origin: 'signup',
        signup_ip: meta.ip.slice(0, 64),
        signup_email_domain: emailDomain || null,
        trust_expiry_recorded: false,
        updated_at: now,
      })
      .execute();
    await trx
      .insertInto('users')
      .values({
        id: userId,
        tenant_id: tenantId,
        email: input.email.trim(),
        email_normalized: normalizeEmail(input.email),
        display_name: input.displayName,
        role: 'tenant_admin',
        password_hash: passwordHash,
        totp_secret_enc: null,
        totp_confirmed_at: null,
        totp_pending_secret_enc: null,
        totp_last_step: null,
        created_at: now,
        created_by: null,
        disabled_at: null,
      })
      .execute()
      .catch((error: unknown) => {
        if ((error as { code?: string }).code === '23505') throw errors.conflict('A user with this email already exists');
        throw error;
      });
    await recordAudit(
      ctx,
      {
        action: 'tenant.signed_up',
        principal: null,
        meta,
        tenantId,
        targetType: 'tenant',
        targetId: tenantId,
        details: { name: input.tenantName, emailDomain, adminUserId: userId },
      },
      trx,
    );
    await recordAudit(
      ctx,
      {
        action: 'user.created',
        principal: null,
        meta,
        tenantId,
        targetType: 'user',
        targetId: userId,
        details: { email: input.email.trim(), role: 'tenant_admin', via: 'signup' },
      },
      trx,
    );
  });
  ctx.logger.info({ tenantId, emailDomain }, 'trial tenant signed up');
  return { tenantId, userId, email: input.email.trim(), verified: false, next: 'sign_in_and_enroll' };
}
