/**
 * `npm run agent -- <command>`: the Bulwark endpoint agent.
 *
 *   enroll --server URL (--token TOKEN | --token-file FILE) [--state-dir DIR] [--force]
 *   run [--state-dir DIR]
 *   status [--state-dir DIR]
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { enroll, EnrollError } from './enroll';
import { createAgentLogger } from './logger';
import { AgentRunner } from './runner';
import { AgentStateError, defaultStateDir, readAgentState, stateExists, STATE_DIR_ENV, writeAgentState } from './state';
import { createHash } from 'node:crypto';
import { useNativeSha256 } from '../shared/policy/hash';

// Every policy re-check hashes its text: use the native sha256 in this process.
useNativeSha256(createHash);

const USAGE = `Bulwark agent

Usage:
  npm run agent -- enroll --server URL (--token TOKEN | --token-file FILE) [--state-dir DIR] [--force]
      Join this machine to a tenant with an enroll token (agent listener URL, default port 4781).
      --token-file keeps the token out of the process list.
      Stores the agent credential owner-only in the state directory.
  npm run agent -- run [--state-dir DIR]
      Connect to the server and execute what it sends (after verifying its signature and policy).
  npm run agent -- status [--state-dir DIR]
      Print the enrollment (never the credential).

State directory: --state-dir, else $${STATE_DIR_ENV}, else the OS default
  (Windows %ProgramData%\\Bulwark\\agent, macOS /Library/Application Support/Bulwark/agent,
   Linux /var/lib/bulwark-agent as root or $XDG_STATE_HOME/bulwark-agent otherwise).
Environment: BULWARK_AGENT_MAX_BACKOFF_MS, BULWARK_AGENT_BLOCKED_BACKOFF_MS lower the reconnect
  pauses (default up to 60 s, and up to 5 min while the tenant is blocked).
Exit codes: 0 stopped, 1 error, 2 usage, 3 credential revoked (enroll again).`;

class UsageError extends Error {}

/**
 * Reconnect pauses (ms) may be lowered for tests and demos: BULWARK_AGENT_MAX_BACKOFF_MS, and
 * BULWARK_AGENT_BLOCKED_BACKOFF_MS for the longer pause while the tenant is blocked.
 */
function backoffFromEnvironment(env: NodeJS.ProcessEnv): { maxBackoffMs?: number; blockedBackoffMs?: number } {
  const read = (name: string): number | undefined => {
    const raw = env[name];
    if (raw === undefined || raw === '') return undefined;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 100 || value > 3_600_000)
      throw new UsageError(`${name} must be a whole number of milliseconds from 100 to 3600000`);
    return value;
  };
  const maxBackoffMs = read('BULWARK_AGENT_MAX_BACKOFF_MS');
  const blockedBackoffMs = read('BULWARK_AGENT_BLOCKED_BACKOFF_MS');
  return { ...(maxBackoffMs !== undefined ? { maxBackoffMs } : {}), ...(blockedBackoffMs !== undefined ? { blockedBackoffMs } : {}) };
}

function readTokenFile(file: string): string {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch (error) {
    throw new UsageError(`cannot read the token file ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(USAGE + '\n');
    return command ? 0 : 2;
  }
  let values: { server?: string; token?: string; 'token-file'?: string; 'state-dir'?: string; force?: boolean };
  try {
    ({ values } = parseArgs({
      args: rest,
      options: {
        server: { type: 'string' },
        token: { type: 'string' },
        'token-file': { type: 'string' },
        'state-dir': { type: 'string' },
        force: { type: 'boolean' },
      },
      strict: true,
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const stateDir = values['state-dir'] ?? defaultStateDir();

  if (command === 'enroll') {
    const token = values['token-file'] ? readTokenFile(values['token-file']) : values.token;
    if (!values.server || !token) throw new UsageError('enroll needs --server URL and --token TOKEN (or --token-file FILE)');
    if (stateExists(stateDir) && !values.force) {
      throw new UsageError(`this machine is already enrolled (${stateDir}); pass --force to enroll it again`);
    }
    const state = await enroll(values.server, token);
    const file = writeAgentState(stateDir, state);
    process.stdout.write(
      JSON.stringify({ enrolled: true, endpointId: state.endpointId, tenantId: state.tenantId, stateFile: file }) + '\n',
    );
    return 0;
  }
  if (command === 'status') {
    const state = readAgentState(stateDir);
    const { credential: _credential, serverPublicKey: _key, ...visible } = state;
    process.stdout.write(JSON.stringify({ ...visible, stateDir }, null, 2) + '\n');
    return 0;
  }
  if (command === 'run') {
    const state = readAgentState(stateDir);
    const logger = createAgentLogger();
    const runner = new AgentRunner({ state, logger, ...backoffFromEnvironment(process.env) });
    const stop = () => runner.stop();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    logger.info({ server: state.serverUrl, endpointId: state.endpointId }, 'agent starting');
    const exit = await runner.run();
    if (exit.kind === 'credential_revoked') {
      process.stderr.write(`bulwark-agent: the server no longer accepts this endpoint's credential (${exit.message}); enroll again\n`);
      return 3;
    }
    return 0;
  }
  throw new UsageError(`unknown command "${command}"`);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UsageError) {
      process.stderr.write(`bulwark-agent: ${error.message}\n\n${USAGE}\n`);
      process.exitCode = 2;
    } else if (error instanceof EnrollError || error instanceof AgentStateError) {
      process.stderr.write(`bulwark-agent: ${error.message}\n`);
      process.exitCode = 1;
    } else {
      process.stderr.write(`bulwark-agent: unexpected failure: ${(error as Error).stack ?? String(error)}\n`);
      process.exitCode = 1;
    }
  },
);
