import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** A real agent process (`agent/cli.ts` through tsx), with its own state directory and captured output. */
export class AgentProcess {
  readonly lines: string[] = [];
  private waiters: { match: (line: string) => boolean; resolve: (line: string) => void }[] = [];
  private exitWaiters: ((code: number | null) => void)[] = [];
  exitCode: number | null | undefined = undefined;
  private constructor(
    readonly child: ChildProcess,
    readonly stateDir: string,
  ) {
    const onData = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (!line.trim()) continue;
        this.lines.push(line);
        for (const waiter of [...this.waiters]) {
          if (waiter.match(line)) {
            this.waiters.splice(this.waiters.indexOf(waiter), 1);
            waiter.resolve(line);
          }
        }
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', (code) => {
      this.exitCode = code;
      for (const waiter of this.exitWaiters) waiter(code);
    });
  }

  static start(args: string[], stateDir: string, env: Record<string, string> = {}): AgentProcess {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'agent', 'cli.ts'), ...args, '--state-dir', stateDir], {
      cwd: ROOT,
      env: { ...process.env, BULWARK_AGENT_LOG_LEVEL: 'debug', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new AgentProcess(child, stateDir);
  }

  static newStateDir(): string {
    return path.join(mkdtempSync(path.join(os.tmpdir(), 'bulwark-agent-test-')), 'state');
  }

  /** Resolves with the first output line (past or future) that contains `text`. */
  waitFor(text: string | ((line: string) => boolean), fromIndex = 0): Promise<string> {
    const match = typeof text === 'string' ? (line: string) => line.includes(text) : text;
    const found = this.lines.slice(fromIndex).find(match);
    if (found) return Promise.resolve(found);
    return new Promise((resolve) => this.waiters.push({ match, resolve }));
  }

  exited(): Promise<number | null> {
    if (this.exitCode !== undefined) return Promise.resolve(this.exitCode);
    return new Promise((resolve) => this.exitWaiters.push(resolve));
  }

  async stop() {
    if (this.exitCode === undefined) {
      this.child.kill('SIGTERM');
      await this.exited();
    }
  }

  cleanup() {
    rmSync(path.dirname(this.stateDir), { recursive: true, force: true });
  }
}

/** Runs `enroll` to completion; returns its exit code and output. */
export async function enrollAgent(agentUrl: string, token: string, stateDir: string) {
  const agent = AgentProcess.start(['enroll', '--server', agentUrl, '--token', token], stateDir);
  const code = await agent.exited();
  return { code, output: agent.lines.join('\n') };
}
