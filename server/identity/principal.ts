import type { Role } from '../../shared/api/roles';

/** Who is making a request, established by the authentication step before any handler runs. */
export type Principal = UserPrincipal | ApiKeyPrincipal;

export interface UserPrincipal {
  kind: 'user';
  userId: string;
  email: string;
  displayName: string;
  role: Role;
  /** Null for platform staff. */
  tenantId: string | null;
  sessionId: string;
  sessionCreatedAt: Date;
  sessionExpiresAt: Date;
}

export interface ApiKeyPrincipal {
  kind: 'api_key';
  apiKeyId: string;
  name: string;
  role: Role;
  tenantId: string;
}

/** Where a request came from, as recorded in events. */
export interface RequestMeta {
  ip: string;
  userAgent: string | null;
}

/**
 * The tenant a principal is confined to, or null for platform staff who may see every
 * tenant. Every query that returns tenant data filters by this.
 */
export function tenantScope(principal: Principal): string | null {
  return principal.tenantId;
}

export function isPlatformStaff(principal: Principal): boolean {
  return principal.tenantId === null;
}

export function actorOf(principal: Principal | null): { actorUserId: string | null; actorApiKeyId: string | null } {
  if (!principal) return { actorUserId: null, actorApiKeyId: null };
  return principal.kind === 'user'
    ? { actorUserId: principal.userId, actorApiKeyId: null }
    : { actorUserId: null, actorApiKeyId: principal.apiKeyId };
}
