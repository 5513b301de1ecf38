import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import Fastify, { LogController, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { adminApi, type AdminApi } from '../../shared/api/routes';
import { buildOpenApiDocument } from '../../shared/api/openapi';
import type { ServerContext } from '../context';
import { applyHttpHygiene } from './hygiene';
import { registerContractRoute, type HandlerMap } from './routing';
import { auditHandlers } from './routes/audit-routes';
import { authHandlers } from './routes/auth-routes';
import { sessionHandlers } from './routes/session-routes';
import { tenantHandlers } from './routes/tenant-routes';
import { userHandlers } from './routes/user-routes';
import { controlsHandlers } from './routes/controls-routes';
import { setupHandlers } from './routes/setup-routes';
import { AGENT_PROTOCOL_VERSION } from '../../shared/agent-protocol/messages';
import { agentHub } from '../agents/hub';
import { registerAgentRoutes } from '../agents/socket';
import { trackExecutions } from '../dispatch/executions';
import { startScheduler } from '../dispatch/schedules';
import { agentsHandlers } from './routes/agents-routes';
import { remoteSessionHandlers } from './routes/remote-sessions-routes';
import { registerRemoteSessionSocket } from '../remote-sessions/service';

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
    ...auditHandlers(ctx),
    ...controlsHandlers(ctx),
    ...setupHandlers(ctx),
    ...agentsHandlers(ctx),
    ...remoteSessionHandlers(ctx),
    openApi: () =>
      Promise.resolve((openApiDocument ??= buildOpenApiDocument(adminApi, { title: 'Bulwark admin API', version: SERVER_VERSION }))),
  };
  for (const name of Object.keys(adminApi) as (keyof AdminApi)[]) {
    // TypeScript cannot follow the name -> contract -> handler link inside a loop; the
    // HandlerMap type above already checked every handler against its own contract.
    registerContractRoute(app, ctx, adminApi[name], handlers[name] as never);
  }
  registerRemoteSessionSocket(app, ctx);
  return app;
}

/**
 * The agent listener (`/agent/v1`), on its own port so operators can expose agent check-in
 * to the internet while the admin API stays behind a VPN: enrollment with an enroll token and
 * the agent WebSocket (shared/agent-protocol). It also runs the agent hub and the scheduler.
 */
export function buildAgentApp(ctx: ServerContext): FastifyInstance {
  const app = Fastify(baseOptions(ctx)) as unknown as FastifyInstance;
  applyHttpHygiene(app, { tls: Boolean(ctx.config.tlsCertFile), bodyLimitBytes: ctx.config.bodyLimitBytes, logger: ctx.logger });
  app.get('/healthz', (_request, reply) => reply.send({ status: 'ok' }));
  app.get('/agent/v1/healthz', (_request, reply) => reply.send({ status: 'ok', protocol: AGENT_PROTOCOL_VERSION }));
  const hub = agentHub(ctx);
  void app.register((instance) => registerAgentRoutes(instance, ctx, hub));
  let stopScheduler: (() => void) | null = null;
  app.addHook('onReady', async () => {
    await hub.start();
    trackExecutions(ctx, hub);
    stopScheduler = startScheduler(ctx, hub);
  });
  app.addHook('preClose', async () => {
    stopScheduler?.();
    await hub.stop();
  });
  return app;
}
