import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { httpOk, Supervisor, waitUntilReady } from './supervisor';

const node = process.execPath;
const collect = () => {
  const lines: string[] = [];
  return { lines, output: { log: (line: string) => lines.push(line), error: (line: string) => lines.push(`ERR ${line}`) } };
};

describe('launcher supervisor', () => {
  it('prefixes each part’s output with its name', async () => {
    const { lines, output } = collect();
    const supervisor = new Supervisor(output);
    const part = supervisor.start({ name: 'echo', command: node, args: ['-e', 'console.log("hello"); console.error("oops")'] });
    await part.exited;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(lines).toContain('[echo] hello');
    expect(lines).toContain('ERR [echo] oops');
  });

  it('reports a part that stops on its own, with its exit code and last output', async () => {
    const { output } = collect();
    const supervisor = new Supervisor(output);
    const crashes: string[] = [];
    supervisor.onCrash((name, code) => crashes.push(`${name}:${code}`));
    const part = supervisor.start({ name: 'fragile', command: node, args: ['-e', 'console.error("disk full"); process.exit(3)'] });
    expect(await part.exited).toBe(3);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(crashes).toEqual(['fragile:3']);
    expect(supervisor.crash).toEqual({ name: 'fragile', code: 3 });
    expect(part.recentOutput()).toContain('disk full');
  });

  it('does not count a one-shot step’s exit as a crash', async () => {
    const supervisor = new Supervisor(collect().output);
    const crashes: string[] = [];
    supervisor.onCrash((name) => crashes.push(name));
    const step = supervisor.start({ name: 'step', command: node, args: ['-e', 'process.exit(0)'], oneShot: true });
    expect(await step.exited).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(crashes).toEqual([]);
    expect(supervisor.crash).toBeNull();
  });

  it('stops every running part on request, and a stop is not a crash', async () => {
    const { output } = collect();
    const supervisor = new Supervisor(output);
    const crashes: string[] = [];
    supervisor.onCrash((name) => crashes.push(name));
    const a = supervisor.start({ name: 'a', command: node, args: ['-e', 'setInterval(() => {}, 1000)'] });
    const b = supervisor.start({ name: 'b', command: node, args: ['-e', 'setInterval(() => {}, 1000)'] });
    await supervisor.stopAll();
    expect(a.child.exitCode !== null || a.child.signalCode !== null).toBe(true);
    expect(b.child.exitCode !== null || b.child.signalCode !== null).toBe(true);
    expect(crashes).toEqual([]);
  });

  it('kills a part that ignores SIGTERM after the grace period', async () => {
    const supervisor = new Supervisor(collect().output);
    const stubborn = supervisor.start({
      name: 'stubborn',
      command: node,
      args: ['-e', 'process.on("SIGTERM", () => {}); console.log("up"); setInterval(() => {}, 1000)'],
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    await supervisor.stopAll(300);
    expect(stubborn.child.signalCode).toBe('SIGKILL');
  });

  it('waits for readiness, and notices a part that exits before it is ready', async () => {
    const supervisor = new Supervisor(collect().output);
    const server = createServer((_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    const alive = supervisor.start({ name: 'alive', command: node, args: ['-e', 'setInterval(() => {}, 1000)'] });
    expect(await waitUntilReady(alive, () => httpOk(url), { timeoutMs: 5000 })).toBe('ready');
    const dying = supervisor.start({ name: 'dying', command: node, args: ['-e', 'process.exit(1)'] });
    expect(await waitUntilReady(dying, () => Promise.resolve(false), { timeoutMs: 5000, intervalMs: 20 })).toBe('exited');
    await supervisor.stopAll();
    server.close();
  });
});
