import { z } from 'zod';
import { Empty, IdParams, Ok } from './common';
import {
  EnrollRequest,
  EnrollResponse,
  EnrollVerifyRequest,
  LoginRequest,
  LoginResponse,
  MeResponse,
  MfaRequest,
  RefreshRequest,
  StepUpGrant,
  StepUpRequest,
  TokenResponse,
} from './auth';
import { RevokeSessionsResponse, SessionListQuery, SessionListResponse } from './sessions';
import {
  CreateTenantRequest,
  RenameTenantRequest,
  SetTenantStateRequest,
  SetTenantStateResponse,
  Tenant,
  TenantListResponse,
  TenantStateHistoryResponse,
} from './tenants';
import { CreateUserRequest, User, UserListQuery, UserListResponse } from './users';
import { ApiKey, ApiKeyListQuery, ApiKeyListResponse, CreateApiKeyRequest, CreateApiKeyResponse } from './api-keys';
import { auditRoutes } from './audit-routes';
import { setupRoutes } from './setup-routes';
import { controlsRoutes } from './controls-routes';
import { agentsRoutes } from './agents-routes';
import { remoteSessionRoutes } from './remote-sessions-routes';
import { admins, everyone, everyUser, platformAdmin, route, staffAndTenantAdmins, type RouteContract } from './route-contract';

export const HealthResponse = z.object({ status: z.literal('ok') });

/** The admin API (`/api/v1`), one entry per route. The console's client and the server both use this table. */
const identityRoutes = {
  health: route({
    method: 'GET',
    path: '/healthz',
    summary: 'Liveness check',
    access: { kind: 'public' },
    response: HealthResponse,
    successStatus: 200,
  }),
  login: route({
    method: 'POST',
    path: '/api/v1/auth/login',
    summary: 'Check email and password; returns a TOTP challenge (or an enrollment challenge)',
    access: { kind: 'public' },
    body: LoginRequest,
    response: LoginResponse,
    successStatus: 200,
  }),
  mfa: route({
    method: 'POST',
    path: '/api/v1/auth/mfa',
    summary: 'Complete sign-in with a TOTP code; returns session tokens',
    access: { kind: 'public' },
    body: MfaRequest,
    response: TokenResponse,
    successStatus: 200,
  }),
  enroll: route({
    method: 'POST',
    path: '/api/v1/auth/mfa/enroll',
    summary: 'Start TOTP enrollment for a user without a confirmed authenticator; nothing is saved until verified',
    access: { kind: 'public' },
    body: EnrollRequest,
    response: EnrollResponse,
    successStatus: 200,
  }),
  enrollVerify: route({
    method: 'POST',
    path: '/api/v1/auth/mfa/enroll/verify',
    summary: 'Confirm TOTP enrollment with a code; saves the authenticator and returns session tokens',
    access: { kind: 'public' },
    body: EnrollVerifyRequest,
    response: TokenResponse,
    successStatus: 200,
  }),
  refresh: route({
    method: 'POST',
    path: '/api/v1/auth/refresh',
    summary: 'Rotate the refresh token; reusing an old one revokes the whole session',
    access: { kind: 'public' },
    body: RefreshRequest,
    response: TokenResponse,
    successStatus: 200,
  }),
  logout: route({
    method: 'POST',
    path: '/api/v1/auth/logout',
    summary: 'End the current session',
    access: everyUser,
    body: Empty.optional(),
    response: Ok,
    successStatus: 200,
  }),
  stepUp: route({
    method: 'POST',
    path: '/api/v1/auth/step-up',
    summary: 'Confirm a fresh TOTP code to unlock one sensitive action for a short window',
    access: everyUser,
    body: StepUpRequest,
    response: StepUpGrant,
    successStatus: 200,
  }),
  me: route({
    method: 'GET',
    path: '/api/v1/me',
    summary: 'Who is asking: user or API key, tenant, session and its step-ups',
    access: everyone,
    response: MeResponse,
    successStatus: 200,
  }),
  listSessions: route({
    method: 'GET',
    path: '/api/v1/sessions',
    summary: "List active sessions (your own; platform admins may pass another user's id)",
    access: everyUser,
    query: SessionListQuery,
    response: SessionListResponse,
    successStatus: 200,
  }),
  revokeOtherSessions: route({
    method: 'DELETE',
    path: '/api/v1/sessions',
    summary: 'Revoke all your sessions except the current one',
    access: everyUser,
    response: RevokeSessionsResponse,
    successStatus: 200,
  }),
  revokeSession: route({
    method: 'DELETE',
    path: '/api/v1/sessions/:id',
    summary: "Revoke one session (your own; platform admins: anyone's)",
    access: everyUser,
    params: IdParams,
    response: RevokeSessionsResponse,
    successStatus: 200,
  }),
  revokeUserSessions: route({
    method: 'DELETE',
    path: '/api/v1/users/:id/sessions',
    summary: "Revoke all of a user's sessions",
    access: platformAdmin,
    params: IdParams,
    response: RevokeSessionsResponse,
    successStatus: 200,
  }),
  listTenants: route({
    method: 'GET',
    path: '/api/v1/tenants',
    summary: 'List tenants (tenant users see only their own)',
    access: everyone,
    response: TenantListResponse,
    successStatus: 200,
  }),
  createTenant: route({
    method: 'POST',
    path: '/api/v1/tenants',
    summary: 'Create a tenant',
    access: platformAdmin,
    body: CreateTenantRequest,
    response: Tenant,
    successStatus: 201,
  }),
  getTenant: route({
    method: 'GET',
    path: '/api/v1/tenants/:id',
    summary: 'One tenant',
    access: everyone,
    params: IdParams,
    response: Tenant,
    successStatus: 200,
  }),
  renameTenant: route({
    method: 'PATCH',
    path: '/api/v1/tenants/:id',
    summary: 'Rename a tenant',
    access: platformAdmin,
    params: IdParams,
    body: RenameTenantRequest,
    response: Tenant,
    successStatus: 200,
  }),
  setTenantState: route({
    method: 'POST',
    path: '/api/v1/tenants/:id/state',
    summary: 'Set a tenant active, restricted or blocked, with a reason; blocking ends its sessions, nothing is deleted',
    access: platformAdmin,
    params: IdParams,
    body: SetTenantStateRequest,
    response: SetTenantStateResponse,
    successStatus: 200,
  }),
  tenantStateHistory: route({
    method: 'GET',
    path: '/api/v1/tenants/:id/state-history',
    summary: "A tenant's state changes, newest first",
    access: staffAndTenantAdmins,
    params: IdParams,
    response: TenantStateHistoryResponse,
    successStatus: 200,
  }),
  listUsers: route({
    method: 'GET',
    path: '/api/v1/users',
    summary: 'List users (tenant admins: their tenant only)',
    access: staffAndTenantAdmins,
    query: UserListQuery,
    response: UserListResponse,
    successStatus: 200,
  }),
  createUser: route({
    method: 'POST',
    path: '/api/v1/users',
    summary: 'Create a user with an initial password; TOTP enrollment happens at first sign-in',
    access: admins,
    body: CreateUserRequest,
    response: User,
    successStatus: 201,
  }),
  getUser: route({
    method: 'GET',
    path: '/api/v1/users/:id',
    summary: 'One user',
    access: staffAndTenantAdmins,
    params: IdParams,
    response: User,
    successStatus: 200,
  }),
  listApiKeys: route({
    method: 'GET',
    path: '/api/v1/api-keys',
    summary: 'List API keys (tenant admins: their tenant only)',
    access: admins,
    query: ApiKeyListQuery,
    response: ApiKeyListResponse,
    successStatus: 200,
  }),
  createApiKey: route({
    method: 'POST',
    path: '/api/v1/api-keys',
    summary: 'Create an API key scoped to a tenant and role (step-up `api_key` required); the secret is shown once',
    access: { ...admins, stepUp: 'api_key' },
    body: CreateApiKeyRequest,
    response: CreateApiKeyResponse,
    successStatus: 201,
  }),
  revokeApiKey: route({
    method: 'DELETE',
    path: '/api/v1/api-keys/:id',
    summary: 'Revoke an API key',
    access: admins,
    params: IdParams,
    response: ApiKey,
    successStatus: 200,
  }),
  openApi: route({
    method: 'GET',
    path: '/api/v1/openapi.json',
    summary: 'This document',
    access: everyUser,
    response: z.record(z.string(), z.unknown()),
    successStatus: 200,
  }),
} as const satisfies Record<string, RouteContract>;

/**
 * Every admin route. Each area declares its routes in its own file and is spread in here,
 * so areas grow without editing one another's lines.
 */
export const adminApi = {
  ...identityRoutes,
  ...controlsRoutes,
  ...setupRoutes,
  ...auditRoutes,
  ...agentsRoutes,
  ...remoteSessionRoutes,
} as const satisfies Record<string, RouteContract>;

export type { RouteAccess, RouteContract } from './route-contract';
export type AdminApi = typeof adminApi;
export type AdminRouteName = keyof AdminApi;
