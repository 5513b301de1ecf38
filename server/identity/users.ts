import { randomUUID } from 'node:crypto';
import { ErrorCode } from '../../shared/api/common';
import { isPlatformRole, type Role } from '../../shared/api/roles';
import type { User } from '../../shared/api/users';
import type { ServerContext } from '../context';
import type { UserRow } from '../db/schema';
import { ApiError, errors } from '../errors';
import { normalizeEmail, totpContext } from './auth-flow';
import { assertEmailDomainAllowed } from '../controls/destinations';
import { recordAudit } from './events';
import { passwordProblem } from './passwords';
import { tenantScope, type Principal, type RequestMeta } from './principal';
import { getVisibleTenant } from './tenants';
import { newTotpSecret, otpauthUrl } from './totp';

export function toApiUser(row: UserRow): User {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    email: row.email,
    displayName: row.display_name,
    role: row.role,
    mfaEnrolled: row.totp_confirmed_at !== null,
    createdAt: new Date(row.created_at).toISOString(),
  };
}

export async function listUsers(ctx: ServerContext, principal: Principal, filter: { tenantId?: string | undefined }): Promise<User[]> {
  const scope = tenantScope(principal);
  if (scope && filter.tenantId && filter.tenantId !== scope) throw errors.notFound('tenant');
  let query = ctx.db.selectFrom('users').selectAll().orderBy('email_normalized');
  const tenantId = scope ?? filter.tenantId;
  if (tenantId) query = query.where('tenant_id', '=', tenantId);
  return (await query.execute()).map(toApiUser);
}

export async function getVisibleUser(ctx: ServerContext, principal: Principal, id: string): Promise<UserRow> {
  let query = ctx.db.selectFrom('users').selectAll().where('id', '=', id);
  const scope = tenantScope(principal);
  if (scope) query = query.where('tenant_id', '=', scope);
  const row = await query.executeTakeFirst();
  if (!row) throw errors.notFound('user');
  return row;
}

export interface NewUserInput {
  email: string;
  displayName: string;
  role: Role;
  tenantId?: string | undefined;
  password: string;
}

/**
 * Creates a user with an initial password. Platform admins create anyone; tenant admins only
 * tenant users of their own tenant. Platform roles never belong to a tenant.
 */
export async function createUser(
  ctx: ServerContext,
  principal: Principal | null,
  input: NewUserInput,
  meta: RequestMeta | null,
): Promise<UserRow> {
  const platformRole = isPlatformRole(input.role);
  let tenantId: string | null = input.tenantId ?? null;
  if (principal) {
    const scope = tenantScope(principal);
    if (scope) {
      if (principal.role !== 'tenant_admin' || platformRole)
        throw errors.forbidden('Tenant admins can create only tenant admins and technicians');
      if (tenantId && tenantId !== scope) throw errors.notFound('tenant');
      tenantId = scope;
    } else if (principal.role !== 'platform_admin') {
      throw errors.forbidden();
    }
  }
  if (platformRole && tenantId) throw errors.validation({ tenantId: 'Platform roles do not belong to a tenant; omit tenantId' });
  if (!platformRole && !tenantId) throw errors.validation({ tenantId: 'Tenant roles need a tenantId' });
  if (tenantId && principal) await getVisibleTenant(ctx, principal, tenantId);
  // Blocked-destination rules apply to email domains too (global, plus the tenant's own).
  await assertEmailDomainAllowed(ctx, input.email, tenantId);
  const problem = passwordProblem(input.password, { email: input.email });
  if (problem) throw new ApiError(400, ErrorCode.weakPassword, problem, { password: problem });

  const row: UserRow = {
    id: randomUUID(),
    tenant_id: tenantId,
    email: input.email.trim(),
    email_normalized: normalizeEmail(input.email),
    display_name: input.displayName,
    role: input.role,
    password_hash: await ctx.passwords.hash(input.password),
    totp_secret_enc: null,
    totp_confirmed_at: null,
    totp_pending_secret_enc: null,
    totp_last_step: null,
    created_at: ctx.clock.now(),
    created_by: principal?.kind === 'user' ? principal.userId : null,
    disabled_at: null,
  };
  try {
    await ctx.db.insertInto('users').values(row).execute();
  } catch (error) {
    if ((error as { code?: string }).code === '23505') throw errors.conflict('A user with this email already exists');
    if ((error as { code?: string }).code === '23503') throw errors.notFound('tenant');
    throw error;
  }
  await recordAudit(ctx, {
    action: 'user.created',
    principal,
    meta,
    tenantId,
    targetType: 'user',
    targetId: row.id,
    details: { email: row.email, role: row.role },
  });
  return row;
}

/**
 * The first platform admin, from the CLI. A TOTP secret is offered as *pending* (printed for
 * the operator to scan); it is confirmed by the first sign-in's enrollment step.
 */
export async function createFirstAdmin(
  ctx: ServerContext,
  input: { email: string; password: string; displayName?: string },
): Promise<{ user: User; otpauthUrl: string }> {
  const existing = await ctx.db.selectFrom('users').select('id').where('role', '=', 'platform_admin').executeTakeFirst();
  if (existing) throw errors.conflict('A platform admin already exists; further users are created through the API');
  const row = await createUser(
    ctx,
    null,
    { email: input.email, password: input.password, role: 'platform_admin', displayName: input.displayName ?? input.email },
    null,
  );
  const secret = newTotpSecret();
  await ctx.db
    .updateTable('users')
    .set({ totp_pending_secret_enc: ctx.secretBox.seal(secret, totpContext(row.id)) })
    .where('id', '=', row.id)
    .execute();
  return { user: toApiUser(row), otpauthUrl: otpauthUrl(secret, row.email) };
}
