import type { z } from 'zod';
import type { AdminApi, AdminRouteName } from '../api/routes';

/**
 * Admin-API routes the renderer may call through the generic `api:call` channel. Main looks
 * the route up in `adminApi`, validates the input with the route's own schemas, adds the
 * session token itself and parses the answer with the route's response schema (which drops
 * any field the contract does not declare).
 *
 * Deliberately absent: every route that carries credentials (login, mfa, enroll, refresh,
 * logout — main drives those through the auth channels), `me` and `stepUp` (named channels),
 * API-key creation (returns a secret), the OpenAPI document (untyped), the health check, and
 * everything that dispatches to endpoints (`runCommand`, `runScript`, `createSchedule`,
 * `runScheduleNow`, opening terminal/viewer sessions): those go through named channels that
 * run the policy pre-check first. File exports (CSV/JSONL) go through `api:download` and
 * CONSOLE_DOWNLOAD_ROUTES below.
 * Add a route here only after checking its response carries no session credential; the test
 * main/ipc/no-token-on-ipc.test.ts walks every listed route's response schema.
 */
export const CONSOLE_API_ROUTES = [
  'listSessions',
  'revokeSession',
  'revokeOtherSessions',
  'revokeUserSessions',
  'listTenants',
  'getTenant',
  'createTenant',
  'renameTenant',
  'setTenantState',
  'tenantStateHistory',
  'listUsers',
  'getUser',
  'createUser',
  'loginEvents',
  // trust, destinations, tenant controls, email changes
  'requestTrust',
  'listTrustRequests',
  'approveTrustRequest',
  'denyTrustRequest',
  'cancelTrustRequest',
  'getTrust',
  'revokeTrust',
  'trustHistory',
  'policyContext',
  'listDestinationRules',
  'createDestinationRule',
  'removeDestinationRule',
  'getTenantControls',
  'verifyTenant',
  'setTenantLimits',
  'changeOwnEmail',
  'changeUserEmail',
  // audit and abuse review
  'listScriptLogs',
  'getScriptLog',
  'auditTimeline',
  'siemStatus',
  'abuseReviewQueue',
  'resolveAbuseReview',
  'tenantAbuseAssessment',
  // endpoints, enroll tokens, scripts, schedules (running and scheduling go through named, pre-checked channels)
  'listEnrollTokens',
  'createEnrollToken',
  'revokeEnrollToken',
  'enrollTokenUses',
  'listEndpoints',
  'getEndpoint',
  'revokeEndpoint',
  'endpointExecutions',
  'getExecution',
  'executionOutput',
  'getRun',
  'listScripts',
  'createScript',
  'getScript',
  'updateScript',
  'deleteScript',
  'permitScript',
  'listSchedules',
  'getSchedule',
  'updateSchedule',
  'deleteSchedule',
  'scheduleRuns',
  // remote-session records (opening one goes through terminal:open / viewer:start)
  'listRemoteSessions',
  'getRemoteSession',
  'remoteSessionTranscript',
  'closeRemoteSession',
] as const satisfies readonly AdminRouteName[];

export type ConsoleRouteName = (typeof CONSOLE_API_ROUTES)[number];

/**
 * Export routes (answer: a file, `FileDownloadResponse`) the renderer may fetch through
 * `api:download`. Main checks the query with the route's own schema, adds the session token,
 * reads at most MAX_DOWNLOAD_CHARS and hands the text over; the renderer saves it.
 */
export const CONSOLE_DOWNLOAD_ROUTES = [
  'exportScriptLogs',
  'exportAuditTimeline',
  'exportLoginEvents',
] as const satisfies readonly AdminRouteName[];
export type ConsoleDownloadRouteName = (typeof CONSOLE_DOWNLOAD_ROUTES)[number];
/** Largest export carried to the renderer (characters); larger ones are refused with a hint to narrow the filters. */
export const MAX_DOWNLOAD_CHARS = 16 * 1024 * 1024;

/** What the renderer passes for an export: the route's query (filters and format). */
export type DownloadInput<N extends ConsoleDownloadRouteName> = { query?: SchemaInput<AdminApi[N], 'query'> };

export function isConsoleRouteName(value: unknown): value is ConsoleRouteName {
  return typeof value === 'string' && (CONSOLE_API_ROUTES as readonly string[]).includes(value);
}

type SchemaInput<R, K extends string> = R extends { [P in K]: infer S } ? (S extends z.ZodType ? z.input<S> : never) : never;

/** What the renderer passes for a route: its path params, query and body, never a token or URL. */
export type RouteInput<N extends ConsoleRouteName> = (AdminApi[N] extends { params: z.ZodType }
  ? { params: SchemaInput<AdminApi[N], 'params'> }
  : { params?: never }) &
  (AdminApi[N] extends { query: z.ZodType } ? { query?: SchemaInput<AdminApi[N], 'query'> } : { query?: never }) &
  (AdminApi[N] extends { body: z.ZodType } ? { body: SchemaInput<AdminApi[N], 'body'> } : { body?: never });

export type RouteOutput<N extends ConsoleRouteName> = z.output<AdminApi[N]['response']>;
