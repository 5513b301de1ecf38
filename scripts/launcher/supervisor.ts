import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

/**
 * Runs the parts of `npm start` (control plane, local agent, console) as child processes:
 * prefixes their output with the part's name, reports a part that stops on its own (never
 * hides a crash), and stops the others in reverse start order on Ctrl-C or after a crash.
 */
export interface PartSpec {
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** A one-shot step (e.g. an enrollment): its exit is expected, not a crash. */
  oneShot?: boolean;
  /** Lines of output from the part; default: printed with a `[name]` prefix. */
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
}

export interface RunningPart {
  name: string;
  child: ChildProcess;
  /** Resolves with the exit code (or 0 after a stop signal) when the part stops. */
  exited: Promise<number>;
  /** The last lines the part wrote, to quote when it stops unexpectedly. */
  recentOutput(): string[];
}

export interface SupervisorOutput {
  log(line: string): void;
  error(line: string): void;
}

const consoleOutput: SupervisorOutput = { log: (line) => console.log(line), error: (line) => console.error(line) };
const RECENT_LINES = 20;

export class Supervisor {
  private readonly started: RunningPart[] = [];
  private stopping = false;
  private crashed: { name: string; code: number } | null = null;
  private readonly crashListeners: ((part: string, code: number) => void)[] = [];

  constructor(private readonly output: SupervisorOutput = consoleOutput) {}

  get parts(): readonly RunningPart[] {
    return this.started;
  }

  get isStopping() {
    return this.stopping;
  }

  /** The first part that stopped on its own, if any. */
  get crash() {
    return this.crashed;
  }

  onCrash(listener: (part: string, code: number) => void) {
    this.crashListeners.push(listener);
  }

  start(spec: PartSpec): RunningPart {
    const child = spawn(spec.command, spec.args, {
      cwd: spec.cwd,
      env: spec.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      // Own process group on POSIX, so a stop reaches the part's own children (e.g. tsx → node).
      detached: process.platform !== 'win32',
    });
    const recent: string[] = [];
    const remember = (line: string, stream: 'stdout' | 'stderr') => {
      recent.push(line);
      if (recent.length > RECENT_LINES) recent.shift();
      if (spec.onLine) spec.onLine(line, stream);
      else if (stream === 'stderr') this.output.error(`[${spec.name}] ${line}`);
      else this.output.log(`[${spec.name}] ${line}`);
    };
    if (child.stdout) createInterface({ input: child.stdout }).on('line', (line) => remember(line, 'stdout'));
    if (child.stderr) createInterface({ input: child.stderr }).on('line', (line) => remember(line, 'stderr'));
    const exited = new Promise<number>((resolve) => {
      child.on('error', (error) => {
        remember(`cannot start: ${error.message}`, 'stderr');
        resolve(127);
      });
      child.on('exit', (code, signal) => resolve(code ?? (signal ? 0 : 1)));
    });
    const part: RunningPart = { name: spec.name, child, exited, recentOutput: () => [...recent] };
    this.started.push(part);
    void exited.then((code) => {
      if (this.stopping || spec.oneShot) return;
      this.crashed ??= { name: spec.name, code };
      for (const listener of this.crashListeners) listener(spec.name, code);
    });
    return part;
  }

  /** Stops every part, newest first; a part that ignores SIGTERM for `graceMs` is killed. */
  async stopAll(graceMs = 8000): Promise<void> {
    this.stopping = true;
    for (const part of [...this.started].reverse()) {
      if (part.child.exitCode !== null || part.child.signalCode !== null) continue;
      signalPart(part.child, 'SIGTERM');
      const timer = setTimeout(() => signalPart(part.child, 'SIGKILL'), graceMs);
      await part.exited;
      clearTimeout(timer);
    }
  }
}

function signalPart(child: ChildProcess, signal: NodeJS.Signals) {
  try {
    if (process.platform !== 'win32' && child.pid !== undefined) process.kill(-child.pid, signal);
    else child.kill(signal);
  } catch {
    // already gone
  }
}

/**
 * Waits until `check` succeeds, the part stops, or the time is up, and says which.
 * Used to wait for a listener's health endpoint before starting what depends on it.
 */
export async function waitUntilReady(
  part: RunningPart,
  check: () => Promise<boolean>,
  options: { timeoutMs: number; intervalMs?: number },
): Promise<'ready' | 'exited' | 'timeout'> {
  let exited = false;
  void part.exited.then(() => (exited = true));
  const deadline = Date.now() + options.timeoutMs;
  while (Date.now() < deadline) {
    if (exited) return 'exited';
    if (await check().catch(() => false)) return 'ready';
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 250));
  }
  return exited ? 'exited' : 'timeout';
}

/** True when GET `url` answers 200 within a second. */
export async function httpOk(url: string): Promise<boolean> {
  const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
  await response.body?.cancel();
  return response.ok;
}
