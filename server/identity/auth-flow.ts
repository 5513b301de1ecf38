import { randomUUID } from 'node:crypto';
import { ErrorCode } from '../../shared/api/common';
import type { EnrollResponse, LoginResponse, TokenResponse } from '../../shared/api/auth';
import type { StepUpAction } from '../../shared/api/roles';
import type { ServerContext } from '../context';
import { hashToken, newToken, TOKEN_PREFIX } from '../crypto/tokens';
import type { UserRow } from '../db/schema';
import { ApiError, errors } from '../errors';
import { recordLoginEvent } from './events';
import type { RequestMeta, UserPrincipal } from './principal';
import { grantStepUp, startSession } from './sessions';
import { LoginThrottle } from './throttle';
import { matchTotpStep, newTotpSecret, otpauthUrl } from './totp';

/** Wrong codes allowed per sign-in challenge before it is spent. */
const MAX_CHALLENGE_ATTEMPTS = 5;

export const normalizeEmail = (email: string) => email.trim().toLowerCase();
/** TOTP secrets are sealed with the user id as context: a secret moved to another row will not open. */
export const totpContext = (userId: string) => `totp:${userId}`;

const invalidCode = () =>
  new ApiError(401, ErrorCode.invalidCode, 'That code is not valid (codes work once). Wait for the next code and try again.');
const tenantBlocked = () =>
  new ApiError(403, ErrorCode.tenantBlocked, "Your organisation's access has been blocked; contact your provider");

/** Step 1: email and password. Never issues tokens; answers with an MFA or enrollment challenge. */
export async function login(
  ctx: ServerContext,
  input: { email: string; password: string; clientName?: string | undefined },
  meta: RequestMeta,
): Promise<LoginResponse> {
  const email = normalizeEmail(input.email);
  const throttle = new LoginThrottle(ctx);
  const event = { kind: 'password' as const, email, meta };

  const user = await ctx.db.selectFrom('users').selectAll().where('email_normalized', '=', email).executeTakeFirst();
  const lock = await throttle.lockedFor(email, meta.ip);
  if (lock) {
    // Same answer as a wrong password; no password check, so a locked account costs nothing to refuse.
    const reason = lock.scope === 'ip' ? 'locked_ip' : 'locked';
    await recordLoginEvent(ctx, { ...event, result: 'failure', reason, userId: user?.id ?? null, tenantId: user?.tenant_id ?? null });
    throw errors.invalidCredentials();
  }
  const passwordOk = user
    ? await ctx.passwords.verify(user.password_hash, input.password)
    : await ctx.passwords.verifyDummy(input.password);
  if (!user || !passwordOk || user.disabled_at) {
    await throttle.recordFailure(email, meta.ip);
    const reason = !user ? 'unknown_user' : !passwordOk ? 'bad_password' : 'user_disabled';
    await recordLoginEvent(ctx, { ...event, result: 'failure', reason, userId: user?.id ?? null, tenantId: user?.tenant_id ?? null });
    throw errors.invalidCredentials();
  }
  const eventForUser = { ...event, userId: user.id, tenantId: user.tenant_id };
  if (await isTenantBlocked(ctx, user.tenant_id)) {
    await recordLoginEvent(ctx, { ...eventForUser, result: 'failure', reason: 'tenant_blocked' });
    throw tenantBlocked();
  }
  const purpose = user.totp_confirmed_at ? 'mfa' : 'enroll';
  const challengeToken = newToken(TOKEN_PREFIX.challenge);
  const now = ctx.clock.now();
  const expiresAt = new Date(now.getTime() + ctx.config.loginChallengeTtlSeconds * 1000);
  await ctx.db
    .insertInto('login_challenges')
    .values({
      id: randomUUID(),
      token_hash: hashToken(challengeToken),
      user_id: user.id,
      purpose,
      client_name: input.clientName ?? null,
      ip: meta.ip,
      user_agent: meta.userAgent?.slice(0, 254) ?? null,
      created_at: now,
      expires_at: expiresAt,
      consumed_at: null,
    })
    .execute();
  await recordLoginEvent(ctx, {
    ...eventForUser,
    result: 'success',
    reason: purpose === 'mfa' ? 'mfa_required' : 'enrollment_required',
  });
  return { next: purpose, challengeToken, expiresAt: expiresAt.toISOString() };
}

async function isTenantBlocked(ctx: ServerContext, tenantId: string | null): Promise<boolean> {
  if (!tenantId) return false;
  const tenant = await ctx.db.selectFrom('tenants').select('state').where('id', '=', tenantId).executeTakeFirst();
  return tenant?.state === 'blocked';
}

interface LoadedChallenge {
  id: string;
  clientName: string | null;
  user: UserRow;
}

async function loadChallenge(ctx: ServerContext, token: string, purpose: 'mfa' | 'enroll'): Promise<LoadedChallenge> {
  const challenge = await ctx.db.selectFrom('login_challenges').selectAll().where('token_hash', '=', hashToken(token)).executeTakeFirst();
  const expired = () =>
    new ApiError(401, ErrorCode.challengeExpired, 'This sign-in attempt has expired or was already used; start again with your password');
  if (!challenge || challenge.consumed_at || challenge.attempts >= MAX_CHALLENGE_ATTEMPTS) throw expired();
  if (new Date(challenge.expires_at) <= ctx.clock.now()) throw expired();
  if (challenge.purpose !== purpose) {
    throw purpose === 'mfa'
      ? new ApiError(403, ErrorCode.mfaEnrollmentRequired, 'Set up your authenticator app first (TOTP enrollment)')
      : new ApiError(409, ErrorCode.conflict, 'An authenticator is already set up for this account; enter its code instead');
  }
  const user = await ctx.db.selectFrom('users').selectAll().where('id', '=', challenge.user_id).executeTakeFirstOrThrow();
  return { id: challenge.id, clientName: challenge.client_name, user };
}

/**
 * Checks a TOTP code against the user's confirmed secret and consumes its time step, so the
 * same code (or an older one) is refused from then on, even by a concurrent request.
 */
async function verifyAndConsumeTotp(ctx: ServerContext, user: UserRow, code: string): Promise<'ok' | 'bad_code' | 'code_replayed'> {
  if (!user.totp_secret_enc) return 'bad_code';
  const secret = openTotpSecret(ctx, user.id, user.totp_secret_enc);
  const step = matchTotpStep(secret, code, ctx.clock.now().getTime());
  if (step === null) return 'bad_code';
  const consumed = await ctx.db
    .updateTable('users')
    .set({ totp_last_step: step })
    .where('id', '=', user.id)
    .where((eb) => eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', step)]))
    .returning('id')
    .executeTakeFirst();
  return consumed ? 'ok' : 'code_replayed';
}

/** Opens a sealed TOTP secret; a failure means the server key changed or the row was tampered with. */
function openTotpSecret(ctx: ServerContext, userId: string, sealed: string): string {
  try {
    return ctx.secretBox.open(sealed, totpContext(userId));
  } catch {
    ctx.logger.error({ userId }, 'cannot open a TOTP secret: was the server key (BULWARK_SECRET_KEY or server.key) changed?');
    throw new ApiError(
      500,
      'mfa_unavailable',
      'Your authenticator cannot be checked right now; an administrator has to look at the server configuration',
    );
  }
}

async function failChallenge(
  ctx: ServerContext,
  challengeId: string,
  user: UserRow,
  meta: RequestMeta,
  kind: 'mfa' | 'enroll',
  reason: string,
) {
  await ctx.db
    .updateTable('login_challenges')
    .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
    .where('id', '=', challengeId)
    .execute();
  await new LoginThrottle(ctx).recordFailure(user.email_normalized, meta.ip);
  await recordLoginEvent(ctx, { kind, result: 'failure', reason, userId: user.id, email: user.email, tenantId: user.tenant_id, meta });
}

/** Marks the challenge used; false if another request used it first. */
async function consumeChallenge(ctx: ServerContext, challengeId: string): Promise<boolean> {
  const row = await ctx.db
    .updateTable('login_challenges')
    .set({ consumed_at: ctx.clock.now() })
    .where('id', '=', challengeId)
    .where('consumed_at', 'is', null)
    .returning('id')
    .executeTakeFirst();
  return Boolean(row);
}

async function refuseIfLockedOrBlocked(ctx: ServerContext, user: UserRow, meta: RequestMeta, kind: 'mfa' | 'enroll') {
  const event = { kind, result: 'failure' as const, userId: user.id, email: user.email, tenantId: user.tenant_id, meta };
  if (await new LoginThrottle(ctx).lockedFor(user.email_normalized, meta.ip)) {
    await recordLoginEvent(ctx, { ...event, reason: 'locked' });
    throw invalidCode();
  }
  if (await isTenantBlocked(ctx, user.tenant_id)) {
    await recordLoginEvent(ctx, { ...event, reason: 'tenant_blocked' });
    throw tenantBlocked();
  }
}

/** Step 2: the TOTP code. Returns the session's tokens. */
export async function completeMfa(
  ctx: ServerContext,
  input: { challengeToken: string; code: string },
  meta: RequestMeta,
): Promise<TokenResponse> {
  const challenge = await loadChallenge(ctx, input.challengeToken, 'mfa');
  const { user } = challenge;
  await refuseIfLockedOrBlocked(ctx, user, meta, 'mfa');
  const result = await verifyAndConsumeTotp(ctx, user, input.code);
  if (result !== 'ok') {
    await failChallenge(ctx, challenge.id, user, meta, 'mfa', result);
    throw invalidCode();
  }
  return finishSignIn(ctx, challenge, meta, 'mfa');
}

async function finishSignIn(ctx: ServerContext, challenge: LoadedChallenge, meta: RequestMeta, kind: 'mfa' | 'enroll') {
  const { user } = challenge;
  if (!(await consumeChallenge(ctx, challenge.id))) {
    throw new ApiError(401, ErrorCode.challengeExpired, 'This sign-in attempt was already used; start again with your password');
  }
  await new LoginThrottle(ctx).recordSuccess(user.email_normalized);
  const tokens = await startSession(ctx, user, meta, challenge.clientName);
  await recordLoginEvent(ctx, { kind, result: 'success', userId: user.id, email: user.email, tenantId: user.tenant_id, meta });
  return tokens;
}

/**
 * Offers a new TOTP secret to a user who has none confirmed. It is kept sealed as *pending*:
 * it becomes the user's authenticator only when a code from it is verified.
 */
export async function startEnrollment(ctx: ServerContext, input: { challengeToken: string }, meta: RequestMeta): Promise<EnrollResponse> {
  const { user } = await loadChallenge(ctx, input.challengeToken, 'enroll');
  await refuseIfLockedOrBlocked(ctx, user, meta, 'enroll');
  const secret = newTotpSecret();
  await ctx.db
    .updateTable('users')
    .set({ totp_pending_secret_enc: ctx.secretBox.seal(secret, totpContext(user.id)) })
    .where('id', '=', user.id)
    .where('totp_confirmed_at', 'is', null)
    .execute();
  return { secret, otpauthUrl: otpauthUrl(secret, user.email) };
}

/** Confirms enrollment with a code from the pending secret; signs the user in. */
export async function verifyEnrollment(
  ctx: ServerContext,
  input: { challengeToken: string; code: string },
  meta: RequestMeta,
): Promise<TokenResponse> {
  const challenge = await loadChallenge(ctx, input.challengeToken, 'enroll');
  const { user } = challenge;
  await refuseIfLockedOrBlocked(ctx, user, meta, 'enroll');
  if (!user.totp_pending_secret_enc) {
    throw new ApiError(409, ErrorCode.conflict, 'Start enrollment first: no authenticator secret is waiting for confirmation');
  }
  const secret = openTotpSecret(ctx, user.id, user.totp_pending_secret_enc);
  const step = matchTotpStep(secret, input.code, ctx.clock.now().getTime());
  if (step === null) {
    await failChallenge(ctx, challenge.id, user, meta, 'enroll', 'bad_code');
    throw invalidCode();
  }
  // Confirm only the secret that was checked (if enrollment restarted meanwhile, this fails).
  const confirmed = await ctx.db
    .updateTable('users')
    .set({
      totp_secret_enc: user.totp_pending_secret_enc,
      totp_pending_secret_enc: null,
      totp_confirmed_at: ctx.clock.now(),
      totp_last_step: step,
    })
    .where('id', '=', user.id)
    .where('totp_confirmed_at', 'is', null)
    .where('totp_pending_secret_enc', '=', user.totp_pending_secret_enc)
    .returning('id')
    .executeTakeFirst();
  if (!confirmed) {
    throw new ApiError(409, ErrorCode.conflict, 'Enrollment changed meanwhile; scan the newest QR code and try again');
  }
  return finishSignIn(ctx, challenge, meta, 'enroll');
}

/** Step-up: a fresh TOTP code unlocks one sensitive action for the configured window. */
export async function stepUp(
  ctx: ServerContext,
  principal: UserPrincipal,
  input: { code: string; action: StepUpAction },
  meta: RequestMeta,
): Promise<{ action: StepUpAction; expiresAt: string }> {
  const user = await ctx.db.selectFrom('users').selectAll().where('id', '=', principal.userId).executeTakeFirstOrThrow();
  const throttle = new LoginThrottle(ctx);
  const event = { kind: 'step_up' as const, userId: user.id, email: user.email, tenantId: user.tenant_id, meta };
  if (await throttle.lockedFor(user.email_normalized, meta.ip)) {
    await recordLoginEvent(ctx, { ...event, result: 'failure', reason: 'locked' });
    throw invalidCode();
  }
  const result = await verifyAndConsumeTotp(ctx, user, input.code);
  if (result !== 'ok') {
    // Wrong step-up codes count like wrong sign-in codes: a stolen session cannot guess its way up.
    await throttle.recordFailure(user.email_normalized, meta.ip);
    await recordLoginEvent(ctx, { ...event, result: 'failure', reason: result });
    throw invalidCode();
  }
  const expiresAt = await grantStepUp(ctx, principal.sessionId, input.action);
  await recordLoginEvent(ctx, { ...event, result: 'success', reason: `step_up:${input.action}` });
  return { action: input.action, expiresAt: expiresAt.toISOString() };
}
