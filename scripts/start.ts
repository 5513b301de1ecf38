/**
 * `npm start`: runs Bulwark on its embedded default on this machine — the control plane on
 * PGlite in a per-user data directory, this machine's own agent enrolled to it (the first
 * managed endpoint), and the console: Electron where its binary is installed, otherwise the
 * browser host, whose address is printed (and opened in the system browser when there is one).
 *
 * The first platform admin is created in the console itself (never a default password): each
 * start hands the server and the console a fresh one-time token that only they know.
 *
 *   npm start [-- --reset] [-- --no-open] [-- --browser]
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline/promises';
import { httpOk, Supervisor, waitUntilReady, type RunningPart } from './launcher/supervisor';

const root = path.resolve(import.meta.dirname, '..');
const TSX = path.join(root, 'node_modules/tsx/dist/cli.mjs');
const KNOWN_OPTIONS = ['--reset', '--no-open', '--browser'];

/** Where a desktop user's data lives on each OS; BULWARK_DATA_DIR overrides. */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.BULWARK_DATA_DIR) return path.resolve(env.BULWARK_DATA_DIR);
  if (platform === 'win32') return path.join(env.LOCALAPPDATA ?? path.join(homedir(), 'AppData', 'Local'), 'Bulwark');
  if (platform === 'darwin') return path.join(homedir(), 'Library', 'Application Support', 'Bulwark');
  return path.join(env.XDG_DATA_HOME ?? path.join(homedir(), '.local', 'share'), 'bulwark');
}

async function confirmReset(dataDir: string): Promise<boolean> {
  if (!process.stdin.isTTY) {
    console.error(`--reset needs confirmation on a terminal; to reset without one, delete ${dataDir} yourself.`);
    return false;
  }
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  const answer = await rl.question(`Delete all Bulwark data in ${dataDir} (users, tenants, audit)? Type "reset" to confirm: `);
  rl.close();
  return answer.trim() === 'reset';
}

const tsxPart = (name: string, script: string, args: string[], env: NodeJS.ProcessEnv) => ({
  name,
  command: process.execPath,
  args: [TSX, path.join(root, script), ...args],
  cwd: root,
  env: { ...process.env, ...env },
});

/** True when nothing listens on the loopback port (checked before anything is started). */
function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

/** Why a part stopped, quoted from its own output, for the person at the terminal. */
function explainStop(part: RunningPart, code: number): string {
  const lines = part.recentOutput().slice(-6);
  return [`Bulwark: the ${part.name} stopped unexpectedly (exit code ${code}).`, ...lines.map((l) => `  ${l}`)].join('\n');
}

/** Runs a one-shot step (e.g. enrolling the agent) under the supervisor and waits for it. */
async function runStep(
  supervisor: Supervisor,
  spec: ReturnType<typeof tsxPart>,
): Promise<{ ok: boolean; part: RunningPart; code: number }> {
  const part = supervisor.start({ ...spec, oneShot: true, onLine: () => undefined });
  const code = await part.exited;
  return { ok: code === 0, part, code };
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const unknown = args.filter((a) => !KNOWN_OPTIONS.includes(a));
  if (unknown.length > 0) {
    console.error(`npm start: unknown option ${unknown.join(' ')} (known: ${KNOWN_OPTIONS.join(', ')})`);
    return 2;
  }
  if (!existsSync(path.join(root, 'node_modules'))) {
    console.error('npm start: dependencies are missing; run `npm ci` first.');
    return 1;
  }
  const dataDir = defaultDataDir();
  if (args.includes('--reset')) {
    if (!(await confirmReset(dataDir))) {
      console.error('Not reset.');
      return 1;
    }
    rmSync(dataDir, { recursive: true, force: true });
    console.log(`Deleted ${dataDir}.`);
  }
  const firstRun = !existsSync(dataDir);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const serverDataDir = path.join(dataDir, 'server');
  const agentStateDir = path.join(dataDir, 'agent');
  const adminPort = process.env.BULWARK_ADMIN_PORT ?? '4780';
  const agentPort = process.env.BULWARK_AGENT_PORT ?? '4781';
  const adminUrl = `http://127.0.0.1:${adminPort}`;
  const agentUrl = `http://127.0.0.1:${agentPort}`;
  const firstRunToken = randomBytes(32).toString('base64url');
  const serverEnv = {
    BULWARK_DATA_DIR: serverDataDir,
    BULWARK_HOST: '127.0.0.1',
    BULWARK_ADMIN_PORT: adminPort,
    BULWARK_AGENT_PORT: agentPort,
    BULWARK_LOG_LEVEL: process.env.BULWARK_LOG_LEVEL ?? 'warn',
  };
  console.log(`Bulwark: data in ${dataDir}${firstRun ? ' (first run)' : ''}.`);
  const consolePort = process.env.BULWARK_CONSOLE_PORT ?? '4790';
  const electronAvailable = existsSync(path.join(root, 'node_modules/electron/dist')) && !args.includes('--browser');
  const ports: [string, string][] = [
    [adminPort, 'BULWARK_ADMIN_PORT'],
    [agentPort, 'BULWARK_AGENT_PORT'],
  ];
  if (!electronAvailable) ports.push([consolePort, 'BULWARK_CONSOLE_PORT']);
  for (const [port, variable] of ports) {
    if (!(await portIsFree(Number(port)))) {
      console.error(
        `Bulwark: port ${port} on 127.0.0.1 is already in use (is Bulwark already running?). Stop that program, or choose another port with ${variable}=…`,
      );
      return 1;
    }
  }

  const supervisor = new Supervisor();
  let interrupted = false;
  const stop = () => {
    if (interrupted) return;
    interrupted = true;
    console.log('\nStopping Bulwark…');
    void supervisor.stopAll();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);

  // This machine's agent: enrolled once. The token is issued before the server starts because
  // the embedded database admits one process at a time; it is one-use and expires in an hour.
  const tokenFile = path.join(dataDir, 'local-agent.token');
  const needsEnrollment = !existsSync(path.join(agentStateDir, 'agent.json'));
  if (needsEnrollment) {
    const issued = await runStep(
      supervisor,
      tsxPart('enroll token', 'server/cli.ts', ['local-agent-token', '--out', tokenFile], serverEnv),
    );
    if (!issued.ok) {
      console.error(explainStop(issued.part, issued.code));
      return 1;
    }
  }

  const server = supervisor.start(tsxPart('control plane', 'server/cli.ts', [], { ...serverEnv, BULWARK_FIRST_RUN_TOKEN: firstRunToken }));
  // Ready means *our* server said it started and answers: a health check alone could be
  // answered by another program already holding the port.
  const startedByUs = () => server.recentOutput().some((line) => line.startsWith('Bulwark server started'));
  const serverReady = await waitUntilReady(server, async () => startedByUs() && (await httpOk(`${adminUrl}/healthz`)), {
    timeoutMs: 90_000,
  });
  if (serverReady !== 'ready') {
    console.error(
      serverReady === 'exited' ? explainStop(server, await server.exited) : 'Bulwark: the control plane did not answer within 90 s.',
    );
    await supervisor.stopAll();
    return 1;
  }

  if (needsEnrollment) {
    const enrolled = await runStep(
      supervisor,
      tsxPart(
        'agent enrollment',
        'agent/cli.ts',
        ['enroll', '--server', agentUrl, '--token-file', tokenFile, '--state-dir', agentStateDir],
        {},
      ),
    );
    rmSync(tokenFile, { force: true });
    if (!enrolled.ok) {
      console.error(explainStop(enrolled.part, enrolled.code));
      await supervisor.stopAll();
      return 1;
    }
    console.log('Bulwark: this machine is enrolled as the first managed endpoint (tenant "This machine (local)").');
  }
  supervisor.start(tsxPart('agent', 'agent/cli.ts', ['run', '--state-dir', agentStateDir], {}));

  const consoleEnv = { BULWARK_CONSOLE_SERVER_URL: adminUrl, BULWARK_FIRST_RUN_TOKEN: firstRunToken };
  if (electronAvailable) {
    supervisor.start({
      name: 'console',
      command: process.execPath,
      args: [path.join(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'preview'],
      cwd: root,
      env: { ...process.env, ...consoleEnv },
    });
    console.log('Bulwark: the console opens in its own window.');
  } else {
    const launchFile = path.join(dataDir, 'console-url');
    rmSync(launchFile, { force: true });
    const consolePart = supervisor.start(
      tsxPart(
        'console',
        'main/web-host/cli.ts',
        ['--port', consolePort, '--launch-url-file', launchFile, ...(args.includes('--no-open') ? [] : ['--open'])],
        consoleEnv,
      ),
    );
    const consoleReady = await waitUntilReady(consolePart, () => Promise.resolve(existsSync(launchFile)), { timeoutMs: 180_000 });
    if (consoleReady !== 'ready') {
      console.error(consoleReady === 'exited' ? explainStop(consolePart, await consolePart.exited) : 'Bulwark: the console did not start.');
      await supervisor.stopAll();
      return 1;
    }
    console.log(
      [
        'Bulwark is running (Electron is not installed here, so the console is served to your browser):',
        `  open ${readFileSync(launchFile, 'utf8').trim()}`,
        firstRun ? '  The console asks you to create the first platform admin.' : '',
        'Press Ctrl-C to stop everything.',
      ]
        .filter(Boolean)
        .join('\n'),
    );
  }

  // Runs until Ctrl-C, or until a part stops on its own — which is reported, never hidden.
  const crashed = await new Promise<{ name: string; code: number } | null>((resolve) => {
    if (supervisor.crash) resolve(supervisor.crash);
    if (interrupted) resolve(null);
    supervisor.onCrash((name, code) => resolve({ name, code }));
    process.on('SIGINT', () => resolve(null));
    process.on('SIGTERM', () => resolve(null));
  });
  if (crashed) {
    const part = supervisor.parts.find((p) => p.name === crashed.name);
    console.error(part ? explainStop(part, crashed.code) : `Bulwark: the ${crashed.name} stopped unexpectedly.`);
    console.error('Stopping the other parts.');
  }
  await supervisor.stopAll();
  console.log('Bulwark stopped.');
  return crashed ? 1 : 0;
}

process.exitCode = await main();
