import { z } from 'zod';

/** Roles of users who belong to one tenant (a managed-services customer). */
export const TENANT_ROLES = ['tenant_admin', 'technician'] as const;
/** Roles of the platform operator's staff; these users belong to no tenant. */
export const PLATFORM_ROLES = ['platform_admin', 'supervisor', 'support'] as const;
export const ROLES = [...PLATFORM_ROLES, ...TENANT_ROLES] as const;

export const TenantRole = z.enum(TENANT_ROLES);
export const PlatformRole = z.enum(PLATFORM_ROLES);
export const Role = z.enum(ROLES);
export type TenantRole = z.infer<typeof TenantRole>;
export type PlatformRole = z.infer<typeof PlatformRole>;
export type Role = z.infer<typeof Role>;

export function isPlatformRole(role: Role): role is PlatformRole {
  return (PLATFORM_ROLES as readonly string[]).includes(role);
}

/** Tenant states: restricted tenants lose terminal/scripts/schedules/viewer; blocked tenants lose everything. */
export const TENANT_STATES = ['active', 'restricted', 'blocked'] as const;
export const TenantState = z.enum(TENANT_STATES);
export type TenantState = z.infer<typeof TenantState>;

/**
 * Actions that need a fresh TOTP code ("step-up") on top of the session.
 * The list is open for later issues; a step-up covers exactly one action.
 */
export const STEP_UP_ACTIONS = ['terminal', 'viewer', 'script', 'schedule', 'trust_approval', 'api_key'] as const;
export const StepUpAction = z.enum(STEP_UP_ACTIONS);
export type StepUpAction = z.infer<typeof StepUpAction>;
