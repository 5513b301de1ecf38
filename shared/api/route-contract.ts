import type { z } from 'zod';
import { PLATFORM_ROLES, ROLES, type Role, type StepUpAction } from './roles';

/**
 * Who may call a route. There is no default: every route states its access,
 * and the server refuses to start with a route that does not.
 */
export type RouteAccess =
  | { kind: 'public' }
  | {
      kind: 'authenticated';
      roles: readonly Role[];
      /** API keys are refused unless the route opts in. */
      apiKeys: boolean;
      /** A fresh step-up for this action is required on top of the session. */
      stepUp?: StepUpAction;
    };

export interface RouteContract {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  path: string;
  summary: string;
  access: RouteAccess;
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  response: z.ZodType;
  successStatus: 200 | 201;
}

export function route<const R extends RouteContract>(contract: R): R {
  return contract;
}

export const everyone = { kind: 'authenticated', roles: ROLES, apiKeys: true } as const;
export const everyUser = { kind: 'authenticated', roles: ROLES, apiKeys: false } as const;
export const platformAdmin = { kind: 'authenticated', roles: ['platform_admin'], apiKeys: false } as const;
export const staffAndTenantAdmins = {
  kind: 'authenticated',
  roles: [...PLATFORM_ROLES, 'tenant_admin'],
  apiKeys: true,
} as const;
export const admins = { kind: 'authenticated', roles: ['platform_admin', 'tenant_admin'], apiKeys: false } as const;
