import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import Fastify, { LogController, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { adminApi, type AdminApi } from '../../shared/api/routes';
import { buildOpenApiDocument } from '../../shared/api/openapi';
import type { ServerContext } from '../context';
import { applyHttpHygiene } from './hygiene';
import { registerContractRoute, type HandlerMap } from './routing';
import { authHandlers } from './routes/auth-routes';
import { sessionHandlers } from './routes/session-routes';
import { tenantHandlers } from './routes/tenant-routes';
import { userHandlers } from './routes/user-routes';

export const SERVER_VERSION = '0.1.0';

function baseOptions(ctx: ServerContext): FastifyServerOptions & { https?: { cert: Buffer; key: Buffer } } {
  const { config } = ctx;
  const options: FastifyServerOptions & { https?: { cert: Buffer; key: Buffer } } = {
    loggerInstance: ctx.logger,
    logController: new LogController({ disableRequestLogging: !config.logRequests }),
    bodyLimit: config.bodyLimitBytes,
    // Request ids come from us, never from a client header.
    requestIdHeader: false,
    genReqId: () => randomUUID(),
    trustProxy: config.trustProxy.length > 0 ? config.trustProxy : false,
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    // Slow clients cannot hold sockets open indefinitely.
    requestTimeout: 30_000,
    connectionTimeout: 60_000,
    keepAliveTimeout: 10_000,
    return503OnClosing: true,
    routerOptions: { maxParamLength: 200 },
  };
  if (config.tlsCertFile && config.tlsKeyFile) {
    options.https = { cert: readFileSync(config.tlsCertFile), key: readFileSync(config.tlsKeyFile) };
  }
  return options;
}

/** The admin API (`/api/v1`): consoles and integrations. Nothing of the agent protocol is served here. */
export function buildAdminApp(ctx: ServerContext): FastifyInstance {
  const app = Fastify(baseOptions(ctx)) as unknown as FastifyInstance;
  applyHttpHygiene(app, { tls: Boolean(ctx.config.tlsCertFile), bodyLimitBytes: ctx.config.bodyLimitBytes, logger: ctx.logger });

  let openApiDocument: Record<string, unknown> | null = null;
  const handlers: HandlerMap<AdminApi> = {
    health: () => Promise.resolve({ status: 'ok' as const }),
    ...authHandlers(ctx),
    ...sessionHandlers(ctx),
    ...tenantHandlers(ctx),
    ...userHandlers(ctx),
    openApi: () =>
      Promise.resolve((openApiDocument ??= buildOpenApiDocument(adminApi, { title: 'Bulwark admin API', version: SERVER_VERSION }))),
  };
  for (const name of Object.keys(adminApi) as (keyof AdminApi)[]) {
    // TypeScript cannot follow the name -> contract -> handler link inside a loop; the
    // HandlerMap type above already checked every handler against its own contract.
    registerContractRoute(app, ctx, adminApi[name], handlers[name] as never);
  }
  return app;
}

/**
 * The agent listener (`/agent/v1`), on its own port so operators can expose agent check-in
 * to the internet while the admin API stays behind a VPN. Agent enrollment and the WebSocket
 * protocol land with the agents issue.
 */
export function buildAgentApp(ctx: ServerContext): FastifyInstance {
  const app = Fastify(baseOptions(ctx)) as unknown as FastifyInstance;
  applyHttpHygiene(app, { tls: Boolean(ctx.config.tlsCertFile), bodyLimitBytes: ctx.config.bodyLimitBytes, logger: ctx.logger });
  app.get('/healthz', (_request, reply) => reply.send({ status: 'ok' }));
  app.get('/agent/v1/healthz', (_request, reply) => reply.send({ status: 'ok', protocol: 1 }));
  return app;
}
