import type { FastifyInstance } from 'fastify';
import type { Config } from './config/config';
import { systemClock, type Clock, type ServerContext } from './context';
import { loadServerKey, SecretBox } from './crypto/secret-box';
import { migrateToLatest, openDatabase, type DatabaseHandle } from './db/database';
import { startHousekeeping } from './db/housekeeping';
import { startAuditServices } from './audit/services';
import { buildAdminApp, buildAgentApp } from './http/apps';
import { PasswordHasher } from './identity/passwords';
import { createLogger, type Logger } from './logging/logger';
import { DatabaseSharedState } from './state/database-state';
import { LiveConnections } from './state/live-connections';
import { RedisSharedState } from './state/redis-state';
import type { SharedState } from './state/shared-state';
import { createHash } from 'node:crypto';
import { useNativeSha256 } from '../shared/policy/hash';

// Every policy decision hashes its text: use the native sha256 in this process.
useNativeSha256(createHash);

/** A failure the operator can fix; printed as one line, without a stack trace. */
export class StartupError extends Error {
  override name = 'StartupError';
}

export interface ServerServices {
  ctx: ServerContext;
  database: DatabaseHandle;
  close(): Promise<void>;
}

export interface StartOptions {
  clock?: Clock;
  logger?: Logger;
  /** PGlite location override (tests use `memory://`). */
  pgliteDataDir?: string;
}

/** Opens storage (running migrations), shared state and the key, without listening. */
export async function openServices(config: Config, options: StartOptions = {}): Promise<ServerServices> {
  const logger = options.logger ?? createLogger({ level: config.logLevel });
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: options.pgliteDataDir ?? config.dataDir }).catch(
    (error: Error) => {
      throw new StartupError(`storage: ${error.message}`);
    },
  );
  let state: SharedState | null = null;
  try {
    const applied = await migrateToLatest(database.db);
    if (applied.length > 0) logger.info({ migrations: applied }, 'database migrated');
    state = config.redisUrl
      ? await RedisSharedState.connect(config.redisUrl, (error) =>
          logger.warn({ err: { message: error.message } }, 'Redis connection problem'),
        )
      : new DatabaseSharedState(database.db);
    const secretBox = SecretBox.fromKey(loadServerKey({ secretKey: config.secretKey, dataDir: config.dataDir }));
    const ctx: ServerContext = {
      config,
      db: database.db,
      state,
      clock: options.clock ?? systemClock,
      logger,
      secretBox,
      passwords: new PasswordHasher(config.argon2),
    };
    return {
      ctx,
      database,
      close: async () => {
        await state?.close();
        await database.close();
      },
    };
  } catch (error) {
    await state?.close().catch(() => undefined);
    await database.close().catch(() => undefined);
    throw error instanceof StartupError ? error : new StartupError((error as Error).message);
  }
}

export interface RunningServer extends ServerServices {
  /** Where WebSocket handlers register so revocations close them (agents issue). */
  connections: LiveConnections;
  adminUrl: string;
  agentUrl: string;
  adminApp: FastifyInstance;
  agentApp: FastifyInstance;
}

/** Starts both listeners. Stops everything it started if any part fails. */
export async function startServer(config: Config, options: StartOptions = {}): Promise<RunningServer> {
  const services = await openServices(config, options);
  const adminApp = buildAdminApp(services.ctx);
  const agentApp = buildAgentApp(services.ctx);
  const scheme = config.tlsCertFile ? 'https' : 'http';
  const listen = async (app: FastifyInstance, port: number, what: string, variable: string) => {
    try {
      await app.listen({ host: config.host, port });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE') {
        throw new StartupError(`the ${what} port ${port} on ${config.host} is already in use; stop the other program or set ${variable}`);
      }
      if (code === 'EADDRNOTAVAIL')
        throw new StartupError(`cannot listen on ${config.host}: no such address on this machine (BULWARK_HOST)`);
      if (code === 'EACCES') throw new StartupError(`not allowed to listen on port ${port} (${variable}); use a port above 1023`);
      throw new StartupError(`cannot start the ${what}: ${(error as Error).message}`);
    }
    const address = app.server.address();
    const actualPort = typeof address === 'object' && address ? address.port : port;
    const host = config.host.includes(':') && !config.host.startsWith('[') ? `[${config.host}]` : config.host;
    return `${scheme}://${host}:${actualPort}`;
  };
  try {
    const adminUrl = await listen(adminApp, config.adminPort, 'admin API', 'BULWARK_ADMIN_PORT');
    const agentUrl = await listen(agentApp, config.agentPort, 'agent listener', 'BULWARK_AGENT_PORT');
    const stopHousekeeping = startHousekeeping(services.ctx);
    const auditServices = startAuditServices(services.ctx);
    const connections = await LiveConnections.attach(services.ctx.state);
    return {
      ...services,
      connections,
      adminApp,
      agentApp,
      adminUrl,
      agentUrl,
      close: async () => {
        stopHousekeeping();
        await auditServices.stop();
        await connections.detach();
        await Promise.allSettled([adminApp.close(), agentApp.close()]);
        await services.close();
      },
    };
  } catch (error) {
    await Promise.allSettled([adminApp.close(), agentApp.close()]);
    await services.close();
    throw error;
  }
}
