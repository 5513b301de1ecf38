import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';

/**
 * What enrollment leaves on disk: where the server is, who this endpoint is, its credential
 * (a bearer secret) and the server's signing public key. One JSON file, owner-only (0600 in a
 * 0700 directory; on Windows the directory's inherited ACL is replaced by SYSTEM, Administrators
 * and the enrolling user).
 */
export const AgentState = z.strictObject({
  version: z.literal(1),
  serverUrl: z.string().url(),
  endpointId: z.uuid(),
  tenantId: z.uuid(),
  credential: z.string().min(10),
  serverPublicKey: z.string().includes('PUBLIC KEY'),
  serverKeyId: z.string().min(1),
  enrolledAt: z.string(),
});
export type AgentState = z.infer<typeof AgentState>;

export const STATE_FILE = 'agent.json';
export const STATE_DIR_ENV = 'BULWARK_AGENT_STATE_DIR';

export class AgentStateError extends Error {
  override name = 'AgentStateError';
}

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

/** The OS's service data directory (or a per-user one when not running as root/administrator). */
export function defaultStateDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env[STATE_DIR_ENV]) return path.resolve(env[STATE_DIR_ENV]);
  if (platform === 'win32') return path.join(env.ProgramData ?? 'C:\\ProgramData', 'Bulwark', 'agent');
  if (platform === 'darwin') {
    return isRoot()
      ? '/Library/Application Support/Bulwark/agent'
      : path.join(os.homedir(), 'Library', 'Application Support', 'Bulwark', 'agent');
  }
  if (isRoot()) return '/var/lib/bulwark-agent';
  const stateHome =
    env.XDG_STATE_HOME && path.isAbsolute(env.XDG_STATE_HOME) ? env.XDG_STATE_HOME : path.join(os.homedir(), '.local', 'state');
  return path.join(stateHome, 'bulwark-agent');
}

function restrictWindowsDirectory(dir: string) {
  const user = process.env.USERDOMAIN && process.env.USERNAME ? `${process.env.USERDOMAIN}\\${process.env.USERNAME}` : process.env.USERNAME;
  const grants = ['*S-1-5-18:(OI)(CI)F', '*S-1-5-32-544:(OI)(CI)F', ...(user ? [`${user}:(OI)(CI)F`] : [])];
  execFileSync('icacls', [dir, '/inheritance:r', ...grants.flatMap((grant) => ['/grant:r', grant])], { stdio: 'ignore' });
}

/** Refuses a state file others can read: the credential in it is a bearer secret. */
function checkOwnerOnly(file: string) {
  if (process.platform === 'win32') return;
  const mode = statSync(file).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    throw new AgentStateError(
      `${file} is readable by other users (mode ${mode.toString(8)}); run: chmod 600 '${file}' (and chmod 700 on its folder)`,
    );
  }
}

export function readAgentState(dir: string): AgentState {
  const file = path.join(dir, STATE_FILE);
  let text: string;
  try {
    checkOwnerOnly(file);
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if (error instanceof AgentStateError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT')
      throw new AgentStateError(`not enrolled: ${file} does not exist; run: npm run agent -- enroll --server URL --token TOKEN`);
    if (code === 'EACCES') throw new AgentStateError(`cannot read ${file}: permission denied (run the agent as the user who enrolled it)`);
    throw new AgentStateError(`cannot read ${file}: ${(error as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new AgentStateError(`${file} is not valid JSON; enroll again with --force`);
  }
  const parsed = AgentState.safeParse(value);
  if (!parsed.success)
    throw new AgentStateError(
      `${file} is not a valid agent state (${parsed.error.issues[0]?.message ?? 'invalid'}); enroll again with --force`,
    );
  return parsed.data;
}

export function stateExists(dir: string): boolean {
  try {
    statSync(path.join(dir, STATE_FILE));
    return true;
  } catch {
    return false;
  }
}

/** Writes atomically (temporary file + rename), owner-only from the first byte. */
export function writeAgentState(dir: string, state: AgentState): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (process.platform === 'win32') restrictWindowsDirectory(dir);
  else chmodSync(dir, 0o700);
  const file = path.join(dir, STATE_FILE);
  const temporary = path.join(dir, `.${STATE_FILE}.${process.pid}.tmp`);
  writeFileSync(temporary, JSON.stringify(AgentState.parse(state), null, 2) + '\n', { mode: 0o600, flag: 'w' });
  if (process.platform !== 'win32') chmodSync(temporary, 0o600);
  renameSync(temporary, file);
  return file;
}
