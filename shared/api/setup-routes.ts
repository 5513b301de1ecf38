import { route, type RouteContract } from './route-contract';
import { CreateFirstAdminRequest, CreateFirstAdminResponse, SetupStatus } from './setup';

export const setupRoutes = {
  setupStatus: route({
    method: 'GET',
    path: '/api/v1/setup',
    summary: 'Whether this server still needs its first platform admin',
    access: { kind: 'public' },
    response: SetupStatus,
    successStatus: 200,
  }),
  createFirstAdmin: route({
    method: 'POST',
    path: '/api/v1/setup/first-admin',
    summary: 'Create the first platform admin (first run only; needs the launcher’s one-time token)',
    access: { kind: 'public' },
    body: CreateFirstAdminRequest,
    response: CreateFirstAdminResponse,
    successStatus: 201,
  }),
} as const satisfies Record<string, RouteContract>;
