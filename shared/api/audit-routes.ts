import { IdParams } from './common';
import {
  AbuseAssessment,
  AbuseReview,
  AbuseReviewListResponse,
  AbuseReviewQuery,
  AbuseSweepResponse,
  AuditTimelineExportQuery,
  AuditTimelineQuery,
  AuditTimelineResponse,
  ConsoleRefusalRequest,
  ConsoleRefusalResponse,
  LoginEventExportQuery,
  LoginEventListResponse,
  LoginEventQuery,
  ResolveAbuseReviewRequest,
  ScriptLogDetail,
  ScriptLogExportQuery,
  ScriptLogListResponse,
  ScriptLogQuery,
  SiemStatus,
} from './audit';
import { FileDownloadResponse } from './download';
import { PLATFORM_ROLES } from './roles';
import { everyone, platformAdmin, route, staffAndTenantAdmins, type RouteContract } from './route-contract';

/** Platform staff who look into tenants' behaviour (abuse evidence): never tenant users. */
const platformStaff = { kind: 'authenticated', roles: PLATFORM_ROLES, apiKeys: false } as const;
/** The review queue and its decisions: platform admins and supervisors. */
const abuseReviewers = { kind: 'authenticated', roles: ['platform_admin', 'supervisor'], apiKeys: false } as const;

/** Audit trail, review and export, SIEM status, abuse review queue. */
/** Those who run things on endpoints (and so may have a line refused by their console). */
const dispatchers = { kind: 'authenticated', roles: ['platform_admin', 'tenant_admin', 'technician'], apiKeys: false } as const;

export const auditRoutes = {
  reportConsoleRefusal: route({
    method: 'POST',
    path: '/api/v1/audit/console-refusals',
    summary: 'Record a line or script the console refused by its own policy check before sending (adds a script log; allows nothing)',
    access: dispatchers,
    body: ConsoleRefusalRequest,
    response: ConsoleRefusalResponse,
    successStatus: 201,
  }),
  loginEvents: route({
    method: 'GET',
    path: '/api/v1/audit/logins',
    summary: 'Sign-in events, newest first, keyset-paged by `cursor` (tenant admins: their tenant only)',
    access: staffAndTenantAdmins,
    query: LoginEventQuery,
    response: LoginEventListResponse,
    successStatus: 200,
  }),
  exportLoginEvents: route({
    method: 'GET',
    path: '/api/v1/audit/logins/export',
    summary:
      'The same sign-in events as a file: CSV (`format=csv`) or JSON Lines (`format=jsonl`), streamed (tenant admins: their tenant only)',
    access: staffAndTenantAdmins,
    query: LoginEventExportQuery,
    response: FileDownloadResponse,
    successStatus: 200,
  }),
  listScriptLogs: route({
    method: 'GET',
    path: '/api/v1/audit/script-logs',
    summary:
      'Attempted executions and their decisions (blocked by default), filtered by tenant, endpoint, user, reason code, time and text; ' +
      'tenant admins see their tenant, technicians their own',
    access: everyone,
    query: ScriptLogQuery,
    response: ScriptLogListResponse,
    successStatus: 200,
  }),
  exportScriptLogs: route({
    method: 'GET',
    path: '/api/v1/audit/script-logs/export',
    summary: 'The same list as a file: CSV (`format=csv`) or JSON Lines (`format=jsonl`), streamed',
    access: everyone,
    query: ScriptLogExportQuery,
    response: FileDownloadResponse,
    successStatus: 200,
  }),
  getScriptLog: route({
    method: 'GET',
    path: '/api/v1/audit/script-logs/:id',
    summary: 'One attempted execution with its full reasons (spans into the excerpt, remedies)',
    access: everyone,
    params: IdParams,
    response: ScriptLogDetail,
    successStatus: 200,
  }),
  auditTimeline: route({
    method: 'GET',
    path: '/api/v1/audit/events',
    summary: 'The audit trail as one list: audit events, login events and script logs, newest first (tenant admins: their tenant)',
    access: staffAndTenantAdmins,
    query: AuditTimelineQuery,
    response: AuditTimelineResponse,
    successStatus: 200,
  }),
  exportAuditTimeline: route({
    method: 'GET',
    path: '/api/v1/audit/events/export',
    summary: 'The audit trail as CSV or JSON Lines, streamed',
    access: staffAndTenantAdmins,
    query: AuditTimelineExportQuery,
    response: FileDownloadResponse,
    successStatus: 200,
  }),
  siemStatus: route({
    method: 'GET',
    path: '/api/v1/audit/siem',
    summary: 'SIEM (syslog) export: connection, buffered, sent and dropped message counts',
    access: platformAdmin,
    response: SiemStatus,
    successStatus: 200,
  }),
  abuseReviewQueue: route({
    method: 'GET',
    path: '/api/v1/abuse/reviews',
    summary: 'Tenants whose abuse score crossed the review threshold, with the evidence (open by default)',
    access: abuseReviewers,
    query: AbuseReviewQuery,
    response: AbuseReviewListResponse,
    successStatus: 200,
  }),
  resolveAbuseReview: route({
    method: 'POST',
    path: '/api/v1/abuse/reviews/:id/resolve',
    summary: 'Close a review: dismissed (nothing wrong) or actioned (the tenant was dealt with), with a note',
    access: abuseReviewers,
    params: IdParams,
    body: ResolveAbuseReviewRequest,
    response: AbuseReview,
    successStatus: 200,
  }),
  tenantAbuseAssessment: route({
    method: 'GET',
    path: '/api/v1/abuse/tenants/:id',
    summary: "A tenant's current abuse score and signals with evidence (computed now)",
    access: platformStaff,
    params: IdParams,
    response: AbuseAssessment,
    successStatus: 200,
  }),
  abuseSweep: route({
    method: 'POST',
    path: '/api/v1/abuse/sweep',
    summary: 'Re-assess every recently active tenant now (the server also does this periodically)',
    access: abuseReviewers,
    response: AbuseSweepResponse,
    successStatus: 200,
  }),
} as const satisfies Record<string, RouteContract>;
