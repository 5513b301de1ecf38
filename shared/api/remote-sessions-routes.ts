import { IdParams } from './common';
import {
  OpenRemoteSessionResponse,
  OpenTerminalRequest,
  OpenViewerRequest,
  RemoteSessionListQuery,
  RemoteSessionListResponse,
  RemoteSessionSummary,
  TranscriptQuery,
  TranscriptResponse,
} from './remote-sessions';
import { PLATFORM_ROLES } from './roles';
import { route, type RouteContract } from './route-contract';

/** Tenant users who work on endpoints; platform staff review sessions but do not open them. */
const tenantOperators = { kind: 'authenticated', roles: ['tenant_admin', 'technician'], apiKeys: false } as const;
/** Everyone signed in; the handlers narrow it (technicians: their own sessions; tenant users: their tenant). */
const sessionReaders = { kind: 'authenticated', roles: [...PLATFORM_ROLES, 'tenant_admin', 'technician'], apiKeys: false } as const;
/** Transcripts: support and the other platform roles, and the tenant's admins. */
const transcriptReaders = { kind: 'authenticated', roles: [...PLATFORM_ROLES, 'tenant_admin'], apiKeys: false } as const;

export const remoteSessionRoutes = {
  openTerminalSession: route({
    method: 'POST',
    path: '/api/v1/endpoints/:id/terminal-sessions',
    summary:
      'Open a terminal session on an endpoint (step-up `terminal`; tenant must be active; raw mode needs extended trust). Connect its WebSocket next.',
    access: { ...tenantOperators, stepUp: 'terminal' },
    params: IdParams,
    body: OpenTerminalRequest,
    response: OpenRemoteSessionResponse,
    successStatus: 201,
  }),
  openViewerSession: route({
    method: 'POST',
    path: '/api/v1/endpoints/:id/viewer-sessions',
    summary: 'Open a view-only screen session on an endpoint (step-up `viewer`; tenant must be active). Connect its WebSocket next.',
    access: { ...tenantOperators, stepUp: 'viewer' },
    params: IdParams,
    body: OpenViewerRequest.optional(),
    response: OpenRemoteSessionResponse,
    successStatus: 201,
  }),
  listRemoteSessions: route({
    method: 'GET',
    path: '/api/v1/remote-sessions',
    summary: 'Terminal and viewer sessions, newest first (technicians: their own; tenant admins: their tenant)',
    access: sessionReaders,
    query: RemoteSessionListQuery,
    response: RemoteSessionListResponse,
    successStatus: 200,
  }),
  getRemoteSession: route({
    method: 'GET',
    path: '/api/v1/remote-sessions/:id',
    summary: 'One terminal or viewer session',
    access: sessionReaders,
    params: IdParams,
    response: RemoteSessionSummary,
    successStatus: 200,
  }),
  remoteSessionTranscript: route({
    method: 'GET',
    path: '/api/v1/remote-sessions/:id/transcript',
    summary: "A terminal session's transcript: every line with its decision, raw input, output and events (bounded)",
    access: transcriptReaders,
    params: IdParams,
    query: TranscriptQuery,
    response: TranscriptResponse,
    successStatus: 200,
  }),
  closeRemoteSession: route({
    method: 'DELETE',
    path: '/api/v1/remote-sessions/:id',
    summary: 'End a terminal or viewer session (your own; tenant admins: their tenant; platform admins: any)',
    access: sessionReaders,
    params: IdParams,
    response: RemoteSessionSummary,
    successStatus: 200,
  }),
} as const satisfies Record<string, RouteContract>;
