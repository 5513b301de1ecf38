/**
 * `npm start`: runs Bulwark on its embedded default on this machine — the control plane on
 * PGlite in a per-user data directory. It says what it started, or why it could not, and
 * exits non-zero on failure. `npm start -- --reset` deletes the data (after confirmation).
 *
 * The local agent and the console join this launcher as they land (issues 6–8).
 */
import { spawn } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline/promises';

const root = path.resolve(import.meta.dirname, '..');

/** Where a desktop user's data lives on each OS; BULWARK_DATA_DIR overrides. */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.BULWARK_DATA_DIR) return path.resolve(env.BULWARK_DATA_DIR);
  if (platform === 'win32') return path.join(env.LOCALAPPDATA ?? path.join(homedir(), 'AppData', 'Local'), 'Bulwark');
  if (platform === 'darwin') return path.join(homedir(), 'Library', 'Application Support', 'Bulwark');
  return path.join(env.XDG_DATA_HOME ?? path.join(homedir(), '.local', 'share'), 'bulwark');
}

const TSX = path.join(root, 'node_modules/tsx/dist/cli.mjs');
const SERVER_CLI = path.join(root, 'server/cli.ts');

/**
 * First run on a terminal: create the first platform admin before the server opens the
 * embedded database (one process at a time). Never a default password.
 */
async function createFirstAdmin(dataDir: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  console.log('First run: create the first platform admin.');
  const email = (await rl.question('  Email: ')).trim();
  const password = await rl.question('  Password (at least 12 characters; shown as you type): ');
  rl.close();
  const child = spawn(process.execPath, [TSX, SERVER_CLI, 'create-admin', '--email', email], {
    cwd: root,
    env: { ...process.env, BULWARK_DATA_DIR: dataDir, BULWARK_LOG_LEVEL: 'warn' },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  child.stdin.end(`${password}\n`);
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const code = await new Promise<number>((resolve) => child.on('exit', (exitCode) => resolve(exitCode ?? 1)));
  if (code !== 0) return false;
  const created = JSON.parse(output) as { email: string; otpauthUrl: string };
  console.log(
    [
      `Created ${created.email}. Add this to your authenticator app (TOTP); the first sign-in confirms it with a code:`,
      `  ${created.otpauthUrl}`,
      '',
    ].join('\n'),
  );
  return true;
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

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const unknown = args.filter((a) => a !== '--reset');
  if (unknown.length > 0) {
    console.error(`npm start: unknown option ${unknown.join(' ')} (known: --reset)`);
    process.exitCode = 2;
    return;
  }
  if (!existsSync(path.join(root, 'node_modules'))) {
    console.error('npm start: dependencies are missing; run `npm ci` first.');
    process.exitCode = 1;
    return;
  }
  const dataDir = defaultDataDir();
  if (args.includes('--reset')) {
    if (!(await confirmReset(dataDir))) {
      console.error('Not reset.');
      process.exitCode = 1;
      return;
    }
    rmSync(dataDir, { recursive: true, force: true });
    console.log(`Deleted ${dataDir}.`);
  }
  const firstRun = !existsSync(dataDir);
  console.log(`Bulwark: control plane on the embedded database (PGlite) in ${dataDir}${firstRun ? ' — first run' : ''}.`);

  if (firstRun && process.stdin.isTTY) {
    if (!(await createFirstAdmin(dataDir))) {
      // Leave no half-initialised data behind: the next start asks again.
      rmSync(dataDir, { recursive: true, force: true });
      console.error('No admin was created; nothing was kept. Run `npm start` again.');
      process.exitCode = 1;
      return;
    }
  } else if (firstRun) {
    console.log(
      [
        'No platform admin yet. Stop with Ctrl-C, then create one (the embedded database allows one process at a time):',
        `  BULWARK_DATA_DIR="${dataDir}" npm run --silent server -- create-admin --email you@example.org   (password on stdin)`,
        '',
      ].join('\n'),
    );
  }

  const server = spawn(process.execPath, [TSX, SERVER_CLI], {
    cwd: root,
    env: { ...process.env, BULWARK_DATA_DIR: dataDir },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  let stopping = false;
  const forward = (signal: NodeJS.Signals) => {
    stopping = true;
    server.kill(signal);
  };
  process.on('SIGINT', () => forward('SIGINT'));
  process.on('SIGTERM', () => forward('SIGTERM'));

  const code = await new Promise<number>((resolve) => server.on('exit', (exitCode, signal) => resolve(exitCode ?? (signal ? 0 : 1))));
  if (stopping) {
    console.log('Bulwark stopped.');
    return;
  }
  console.error(`Bulwark: the control plane stopped unexpectedly with exit code ${code} (see the message above).`);
  process.exitCode = code === 0 ? 1 : code;
}

await main();
