import { writeFileSync } from 'node:fs';
import { ConfigError, loadConfig, type Config } from './config/config';
import { ApiError } from './errors';
import { passwordProblem } from './identity/passwords';
import { createFirstAdmin } from './identity/users';
import { issueLocalMachineEnrollToken } from './agents/local-machine';
import { createLogger } from './logging/logger';
import { openServices, startServer, StartupError } from './server';

const HELP = `Bulwark control-plane server

Usage:
  npm run server                          start the admin API and the agent listener
  npm run server -- migrate               apply database migrations and exit
  npm run --silent server -- create-admin --email EMAIL [--name NAME]
                                          create the first platform admin; reads the password
                                          from stdin and prints JSON with the TOTP otpauthUrl
  npm run --silent server -- local-agent-token --out FILE
                                          (used by npm start) a one-use enroll token for this
                                          machine's own agent, written owner-only to FILE
  npm run server -- --help                this text

Configuration (environment variables; a JSON or YAML file named by BULWARK_CONFIG may set
the same keys, e.g. {"adminPort": 4780}; the environment wins):
  BULWARK_DATA_DIR        data directory: embedded database and server key (.bulwark-data)
  BULWARK_HOST            listen address (127.0.0.1); plain HTTP only on loopback
  BULWARK_ADMIN_PORT      admin API port (4780)
  BULWARK_AGENT_PORT      agent listener port (4781)
  DATABASE_URL            postgres://… to use PostgreSQL instead of the embedded PGlite
  REDIS_URL               redis://… for shared throttling and revocation across instances
  BULWARK_TLS_CERT, BULWARK_TLS_KEY   PEM files; required to listen beyond loopback
  BULWARK_TRUST_PROXY     comma-separated proxy addresses/CIDRs whose X-Forwarded-For is used
  BULWARK_SECRET_KEY      base64 32-byte key for TOTP secrets at rest (default: DATA_DIR/server.key)
  BULWARK_STEP_UP_WINDOW_SECONDS      how long a step-up lasts (300)
  BULWARK_ACCESS_TOKEN_TTL_SECONDS    access token lifetime (600)
  BULWARK_SESSION_IDLE_TIMEOUT_SECONDS, BULWARK_SESSION_ABSOLUTE_TIMEOUT_SECONDS  (1800, 43200)
  BULWARK_BODY_LIMIT_BYTES  request body limit (65536)
  BULWARK_LOG_LEVEL       fatal|error|warn|info|debug|trace|silent (info)
  BULWARK_LOG_REQUESTS    1 to log one line per request (0)
`;

function fail(message: string, exitCode = 1): never {
  process.stderr.write(`bulwark-server: ${message}\n`);
  process.exit(exitCode);
}

function parseArgs(argv: string[]): { command: string; options: Record<string, string | true> } {
  const options: Record<string, string | true> = {};
  let command = 'start';
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') return { command: 'help', options };
    if (arg.startsWith('--')) {
      const [key, inline] = arg.slice(2).split('=', 2) as [string, string | undefined];
      const next = argv[i + 1];
      if (inline !== undefined) options[key] = inline;
      else if (next !== undefined && !next.startsWith('--')) options[key] = argv[++i]!;
      else options[key] = true;
    } else if (command === 'start') {
      command = arg;
    } else {
      fail(`unexpected argument "${arg}"; see --help`, 2);
    }
  }
  return { command, options };
}

function readConfig(): Config {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message);
    throw error;
  }
}

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write('Password (input is not hidden; prefer piping it): ');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) {
    chunks.push(chunk as Buffer);
    if (Buffer.concat(chunks).length > 4096) fail('the password on stdin is too long');
  }
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

async function start(config: Config) {
  const logger = createLogger({ level: config.logLevel });
  const server = await startServer(config, { logger });
  process.stdout.write(
    [
      `Bulwark server started (storage: ${server.database.description}; shared state: ${server.ctx.state.kind})`,
      `  admin API:      ${server.adminUrl}/api/v1   (health: ${server.adminUrl}/healthz)`,
      `  agent listener: ${server.agentUrl}/agent/v1`,
      'Press Ctrl-C to stop.',
      '',
    ].join('\n'),
  );
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`\nReceived ${signal}; stopping…\n`);
    const forced = setTimeout(() => fail('did not stop within 10 s; exiting anyway'), 10_000);
    forced.unref();
    server.close().then(
      () => {
        process.stdout.write('Bulwark server stopped.\n');
        process.exit(0);
      },
      (error: Error) => fail(`error while stopping: ${error.message}`),
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

async function migrate(config: Config) {
  const services = await openServices(config, { logger: createLogger({ level: 'warn' }) });
  await services.close();
  process.stdout.write(`Database is up to date (${services.database.description}).\n`);
}

async function createAdmin(config: Config, options: Record<string, string | true>) {
  const email = options.email;
  if (typeof email !== 'string' || !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) fail('give the admin email: create-admin --email EMAIL', 2);
  const password = await readStdin();
  if (!password) fail('no password on stdin');
  // Checked before the database is opened, so a weak password is refused at once.
  const problem = passwordProblem(password, { email });
  if (problem) fail(`password refused: ${problem}`);
  const services = await openServices(config, { logger: createLogger({ level: 'warn' }) });
  try {
    const name = typeof options.name === 'string' ? options.name : undefined;
    const result = await createFirstAdmin(services.ctx, { email, password, ...(name ? { displayName: name } : {}) });
    process.stdout.write(
      JSON.stringify({
        userId: result.user.id,
        email: result.user.email,
        role: result.user.role,
        otpauthUrl: result.otpauthUrl,
        next: 'Add otpauthUrl to an authenticator app; the first sign-in confirms it with a code (POST /api/v1/auth/mfa/enroll/verify).',
      }) + '\n',
    );
  } catch (error) {
    if (error instanceof ApiError) fail(error.fields?.password ?? error.message);
    throw error;
  } finally {
    await services.close();
  }
}

/** The launcher enrolls this machine's agent; the secret goes to an owner-only file, never to stdout. */
async function localAgentToken(config: Config, options: Record<string, string | true>) {
  const out = options.out;
  if (typeof out !== 'string') fail('give the file for the token: local-agent-token --out FILE', 2);
  const services = await openServices(config, { logger: createLogger({ level: 'warn' }) });
  try {
    const { tenantId, secret } = await issueLocalMachineEnrollToken(services.ctx);
    writeFileSync(out, secret, { mode: 0o600, flag: 'w' });
    process.stdout.write(JSON.stringify({ tenantId, tokenFile: out }) + '\n');
  } catch (error) {
    if (error instanceof ApiError) fail(error.message);
    throw error;
  } finally {
    await services.close();
  }
}

async function main() {
  const { command, options } = parseArgs(process.argv.slice(2));
  if (command === 'help') {
    process.stdout.write(HELP);
    return;
  }
  if (!['start', 'migrate', 'create-admin', 'local-agent-token'].includes(command)) fail(`unknown command "${command}"; see --help`, 2);
  const config = readConfig();
  if (command === 'migrate') return migrate(config);
  if (command === 'create-admin') return createAdmin(config, options);
  if (command === 'local-agent-token') return localAgentToken(config, options);
  return start(config);
}

main().catch((error: unknown) => {
  if (error instanceof StartupError || error instanceof ConfigError) fail(error.message);
  // Unexpected: still one line for the person; the details go to stderr only with DEBUG.
  if (process.env.BULWARK_DEBUG) console.error(error);
  fail(`unexpected error: ${(error as Error).message ?? String(error)} (set BULWARK_DEBUG=1 for details)`);
});
