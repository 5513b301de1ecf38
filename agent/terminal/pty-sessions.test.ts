import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { TerminalError, TerminalSessions, type TerminalExit } from './pty-sessions';

/** Collects a session's output and lets a test wait for text or for the exit, without fixed sleeps. */
class Recorder {
  output = '';
  exit: TerminalExit | null = null;
  congested = false;
  private waiters: (() => void)[] = [];
  readonly events = {
    onOutput: (data: string) => {
      this.output += data;
      this.wake();
    },
    onExit: (exit: TerminalExit) => {
      this.exit = exit;
      this.wake();
    },
    isCongested: () => this.congested,
  };
  private wake() {
    for (const waiter of this.waiters.splice(0)) waiter();
  }
  async until(condition: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${what}; output so far: ${JSON.stringify(this.output.slice(-500))}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
  }
  untilOutput(text: string) {
    return this.until(() => this.output.includes(text), JSON.stringify(text));
  }
  untilExit() {
    return this.until(() => this.exit !== null, 'exit');
  }
}

describe.skipIf(process.platform === 'win32')('agent terminal sessions (node-pty)', () => {
  let sessions: TerminalSessions;
  afterEach(() => sessions?.closeAll());

  it('runs a shell: input in, output back, resize, clean close', async () => {
    sessions = new TerminalSessions();
    const id = randomUUID();
    const rec = new Recorder();
    sessions.open(id, { shell: 'bash', cols: 80, rows: 24 }, rec.events);
    sessions.write(id, 'echo "sum=$((6*7))"\r');
    await rec.untilOutput('sum=42');
    sessions.resize(id, 132, 43);
    sessions.write(id, 'stty size\r');
    await rec.untilOutput('43 132');
    expect(() => sessions.resize(id, 0, 10)).toThrow(TerminalError);
    sessions.close(id);
    await rec.untilExit();
    expect(rec.exit?.reason).toBe('closed_by_server');
    expect(sessions.has(id)).toBe(false);
  });

  it('reports the process exiting on its own with its exit code', async () => {
    sessions = new TerminalSessions();
    const id = randomUUID();
    const rec = new Recorder();
    sessions.open(id, { shell: 'sh', cols: 80, rows: 24 }, rec.events);
    sessions.write(id, 'exit 3\r');
    await rec.untilExit();
    expect(rec.exit).toMatchObject({ reason: 'process_exited', exitCode: 3 });
  });

  it('closes an idle session', async () => {
    sessions = new TerminalSessions({ idleTimeoutMs: 300 });
    const rec = new Recorder();
    sessions.open(randomUUID(), { shell: 'sh', cols: 80, rows: 24 }, rec.events);
    await rec.untilExit();
    expect(rec.exit?.reason).toBe('idle_timeout');
  });

  it('does not pass the agent secrets to the shell, and disables history expansion', async () => {
    process.env.BULWARK_AGENT_TEST_SETTING = 'agent-only';
    process.env.SOME_API_TOKEN = 'secret-value';
    try {
      sessions = new TerminalSessions();
      const id = randomUUID();
      const rec = new Recorder();
      sessions.open(id, { shell: 'bash', cols: 200, rows: 24 }, rec.events);
      sessions.write(id, 'echo "[${BULWARK_AGENT_TEST_SETTING:-unset}|${SOME_API_TOKEN:-unset}|$TERM]"\r');
      await rec.untilOutput('[unset|unset|xterm-256color]');
      sessions.write(id, 'echo first; echo "again:" !!\r');
      await rec.untilOutput('again: !!');
    } finally {
      delete process.env.BULWARK_AGENT_TEST_SETTING;
      delete process.env.SOME_API_TOKEN;
    }
  });

  it('refuses more sessions than the limit', () => {
    sessions = new TerminalSessions({ maxSessions: 1 });
    sessions.open(randomUUID(), { shell: 'sh', cols: 80, rows: 24 }, new Recorder().events);
    expect(() => sessions.open(randomUUID(), { shell: 'sh', cols: 80, rows: 24 }, new Recorder().events)).toThrow(/already has 1/);
  });

  it('pauses the program instead of buffering without bound while the transport is congested, and loses nothing', async () => {
    const limits = { maxPendingOutputChars: 64 * 1024, outputChunkChars: 8 * 1024 };
    sessions = new TerminalSessions(limits);
    const id = randomUUID();
    const rec = new Recorder();
    sessions.open(id, { shell: 'bash', cols: 200, rows: 24 }, rec.events);
    sessions.write(id, 'stty -echo; echo READY-$((1+1))\r');
    await rec.untilOutput('READY-2');
    rec.congested = true;
    const before = rec.output.length;
    // 2 MB of output, then a marker.
    sessions.write(id, "head -c 2000000 /dev/zero | tr '\\0' x; echo; echo DONE-MARK\r");
    await rec.until(() => sessions.flowState(id)?.paused === true, 'the pty to be paused');
    const state = sessions.flowState(id)!;
    // Held output stays near the limit (plus at most one pty read), far below the 2 MB produced.
    expect(state.pendingChars).toBeLessThan(limits.maxPendingOutputChars + 256 * 1024);
    expect(rec.output.length).toBe(before);
    rec.congested = false;
    await rec.untilOutput('DONE-MARK');
    const xs = (rec.output.slice(before).match(/x{100,}/g) ?? []).reduce((sum, run) => sum + run.length, 0);
    expect(xs).toBe(2_000_000);
  });
});
