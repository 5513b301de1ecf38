/**
 * Agent scale benchmark: `npm run bench:agents -- --agents N [--lines 200] [--megabytes 64]`.
 *
 * Starts a real server in a child process (PGlite in a temporary directory, so its RSS is its own),
 * enrolls and connects N simulated agents over loopback with the real agent protocol (enroll over
 * HTTP, WebSocket, hello/inventory, exec and terminal messages), then measures:
 * - connect time for all N, server RSS and open file descriptors;
 * - one saved script dispatched to all N (runs of up to 1000 endpoints each): time until every result is back;
 * - terminal round trip through the server (console line in -> policy check + script log + signed order ->
 *   agent pty echo -> output back to the console), beside a raw loopback WebSocket echo;
 * - relay throughput (MB/s of terminal output agent -> server -> console), beside a raw loopback WebSocket.
 * The simulated agents do not run anything; they answer like an agent would, so the figures are the server's.
 */
import { fork, spawnSync, type ChildProcess } from 'node:child_process';
import { readdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import WebSocket, { WebSocketServer } from 'ws';
import { AGENT_ENROLL_PATH, AGENT_SOCKET_PATH, parseServerMessage, type AgentToServerMessage } from '../shared/agent-protocol/messages';
import { REMOTE_SESSION_SOCKET_PATH, REMOTE_SESSION_SUBPROTOCOL, type ServerMessage } from '../shared/api/terminal-protocol';
import { TerminalLineOrder } from '../shared/agent-protocol/sessions';

const { values } = parseArgs({
  options: {
    agents: { type: 'string', default: '1000' },
    lines: { type: 'string', default: '200' },
    megabytes: { type: 'string', default: '64' },
    serve: { type: 'boolean', default: false },
  },
});

// ------------------------------------------------------------------ server role (child process)

async function serve() {
  const { defaultConfig } = await import('../server/config/config');
  const { startServer } = await import('../server/server');
  const { createFirstAdmin } = await import('../server/identity/users');
  const { createLogger } = await import('../server/logging/logger');
  const { agentHub } = await import('../server/agents/hub');
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'bulwark-bench-agents-'));
  const config = defaultConfig({
    dataDir,
    adminPort: 0,
    agentPort: 0,
    logLevel: 'warn',
    argon2: { memoryKiB: 19456, iterations: 2, parallelism: 1 },
    // Lifted so the limits do not stand in for what is measured.
    dispatchesPerMinute: 100_000,
    trialDispatchesPerMinute: 100_000,
    enrollMaxUsesPerToken: 1_000_000,
    trialEnrollMaxUsesPerToken: 1_000_000,
    concurrentTerminalSessions: 100,
    trialConcurrentTerminalSessions: 100,
  });
  const server = await startServer(config, { logger: createLogger({ level: 'warn' }) });
  const email = 'bench-admin@example.test';
  const password = 'bench passphrase long enough';
  const created = await createFirstAdmin(server.ctx, { email, password });
  const totpSecret = new URL(created.otpauthUrl).searchParams.get('secret')!;
  process.send!({ type: 'ready', adminUrl: server.adminUrl, agentUrl: server.agentUrl, email, password, totpSecret });
  process.on('message', (message: { type: string }) => {
    if (message.type === 'stats') {
      let fds = -1;
      try {
        fds = readdirSync('/proc/self/fd').length;
      } catch {
        // not Linux
      }
      process.send!({
        type: 'stats',
        rss: process.memoryUsage().rss,
        heapUsed: process.memoryUsage().heapUsed,
        agents: agentHub(server.ctx).size,
        fds,
      });
    } else if (message.type === 'stop') {
      void server.close().then(() => {
        rmSync(dataDir, { recursive: true, force: true });
        process.exit(0);
      });
    }
  });
}

// ------------------------------------------------------------------ driver role

const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
const ms = (value: number) => value.toFixed(value < 10 ? 2 : 0);
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? NaN;

/** fetch, retried when the connection was reset before an answer (a kept-alive socket closed under it); a repeated enroll only spends one more token use. */
async function fetchRetrying(url: string, init: RequestInit): Promise<Response> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fetch(url, init);
    } catch (error) {
      const code = ((error as { cause?: { code?: string } }).cause ?? {}).code;
      if (attempt >= 3 || (code !== 'ECONNRESET' && code !== 'UND_ERR_SOCKET')) throw error;
    }
  }
}

async function api(base: string, method: string, url: string, body?: unknown, token?: string) {
  const response = await fetchRetrying(base + url, {
    method,
    headers: {
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- loosely typed JSON in a benchmark
  const parsed: any = text ? JSON.parse(text) : null;
  if (!response.ok) throw new Error(`${method} ${url}: ${response.status} ${text.slice(0, 300)}`);
  return parsed;
}

/**
 * A TOTP code for a time step this secret has not used yet: the server accepts the previous, current and
 * next step, and each step once; when all three are used, wait for the clock to move on.
 */
async function codeSource(secret: string) {
  const { totpCodeAt, TOTP_PERIOD_MS } = await import('../server/identity/totp');
  const current = () => Math.floor(Date.now() / TOTP_PERIOD_MS);
  let last = -Infinity;
  return async () => {
    const step = Math.max(current() - 1, last + 1);
    while (step > current() + 1) await new Promise((resolve) => setTimeout(resolve, 1000));
    last = step;
    return totpCodeAt(secret, step * TOTP_PERIOD_MS);
  };
}

async function mapLimit<T, R>(items: T[], limit: number, task: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await task(items[index]!, index);
      }
    }),
  );
  return results;
}

/** One simulated agent: real protocol, scripted answers. */
class SimulatedAgent {
  socket!: WebSocket;
  execsDone = 0;
  constructor(
    readonly endpointId: string,
    private readonly credential: string,
  ) {}

  connect(agentUrl: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(agentUrl.replace(/^http/, 'ws') + AGENT_SOCKET_PATH, {
        headers: { authorization: `Bearer ${this.credential}` },
      });
      this.socket = socket;
      socket.once('error', reject);
      socket.once('open', () =>
        this.send({
          v: 1,
          type: 'hello',
          inventory: {
            hostname: `sim-${this.endpointId.slice(0, 8)}`,
            os: { platform: 'linux', release: '6.1', version: 'bench', arch: 'x64' },
            user: 'bench',
            ips: ['127.0.0.1'],
            agentVersion: 'bench',
          },
        }),
      );
      socket.on('message', (data) => {
        const parsed = parseServerMessage((data as Buffer).toString('utf8'));
        if (!parsed.ok) return;
        const message = parsed.message;
        if (message.type === 'hello.ack') resolve();
        else if (message.type === 'exec.run') {
          this.send({ v: 1, type: 'exec.started', execId: message.execId, pid: 1 });
          this.send({ v: 1, type: 'exec.output', execId: message.execId, stream: 'stdout', seq: 0, data: 'bench\n' });
          this.send({
            v: 1,
            type: 'exec.finished',
            execId: message.execId,
            exitCode: 0,
            signal: null,
            timedOut: false,
            truncated: false,
            durationMs: 1,
            error: null,
          });
          this.execsDone++;
        } else if (message.type === 'terminal.open') {
          this.send({ v: 1, type: 'terminal.opened', sessionId: message.sessionId, shell: message.shell ?? 'bash', pid: 1 });
        } else if (message.type === 'terminal.input') {
          const order = message.order ? TerminalLineOrder.safeParse(JSON.parse(message.order.payload)) : null;
          const text = order?.success ? order.data.text : message.data;
          const flood = /^flood (\d+)$/.exec(text);
          if (flood) void this.flood(message.sessionId, Number(flood[1]) * 1024 * 1024);
          else this.send({ v: 1, type: 'terminal.output', sessionId: message.sessionId, data: message.data.replace('\r', '\r\n') });
        } else if (message.type === 'terminal.close') {
          this.send({ v: 1, type: 'terminal.exit', sessionId: message.sessionId, exitCode: 0, signal: null, reason: 'closed_by_server' });
        }
      });
    });
  }

  /** Output as fast as the connection takes it (bounded by the socket's buffer, like the real pty pause). */
  private async flood(sessionId: string, bytes: number) {
    const chunk = 'x'.repeat(64 * 1024);
    for (let sent = 0; sent < bytes; sent += chunk.length) {
      while (this.socket.bufferedAmount > 1024 * 1024) await new Promise((resolve) => setImmediate(resolve));
      this.send({ v: 1, type: 'terminal.output', sessionId, data: chunk });
    }
  }

  send(message: AgentToServerMessage) {
    this.socket.send(JSON.stringify(message));
  }
}

/** Raw loopback WebSocket: echo round trip and one-way throughput with the same message sizes. */
async function rawWebSocketBaseline(lines: number, bytes: number) {
  const http = createServer();
  const wss = new WebSocketServer({ server: http });
  wss.on('connection', (socket) => {
    socket.on('message', (data) => void answer(socket, (data as Buffer).toString('utf8')));
  });
  const answer = async (socket: WebSocket, text: string) => {
    if (!text.startsWith('flood')) return socket.send(text);
    const chunk = JSON.stringify({ type: 'output', data: 'x'.repeat(64 * 1024) });
    for (let sent = 0; sent < bytes; sent += 64 * 1024) {
      while (socket.bufferedAmount > 1024 * 1024) await new Promise((resolve) => setImmediate(resolve));
      socket.send(chunk);
    }
  };
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const port = (http.address() as { port: number }).port;
  const client = new WebSocket(`ws://127.0.0.1:${port}`);
  await new Promise((resolve) => client.once('open', resolve));
  const rtts: number[] = [];
  for (let i = 0; i < lines; i++) {
    const start = performance.now();
    const answered = new Promise((resolve) => client.once('message', resolve));
    client.send(JSON.stringify({ type: 'line', id: String(i), text: `echo ${i}` }));
    await answered;
    rtts.push(performance.now() - start);
  }
  let received = 0;
  const start = performance.now();
  await new Promise<void>((resolve) => {
    client.on('message', (data: Buffer) => {
      received += (JSON.parse(data.toString()) as { data: string }).data.length;
      if (received >= bytes) resolve();
    });
    client.send('flood');
  });
  const seconds = (performance.now() - start) / 1000;
  client.close();
  wss.close();
  http.close();
  return { rtts: rtts.sort((a, b) => a - b), mbPerSecond: bytes / 1024 / 1024 / seconds };
}

async function drive() {
  const agentCount = Number(values.agents);
  const lineCount = Number(values.lines);
  const floodMb = Number(values.megabytes);
  const limit = Number(spawnSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).stdout.trim());
  console.log(
    `bench:agents — ${agentCount} simulated agents, ${os.cpus().length} cores, node ${process.version}, open-file limit ${limit}`,
  );
  if (Number.isFinite(limit) && limit < agentCount + 1000) {
    console.log(`! each agent holds one descriptor in each process: raise the limit first (ulimit -n ${agentCount + 2000})`);
  }

  const child: ChildProcess = fork(new URL(import.meta.url).pathname, ['--serve'], {
    execArgv: ['--import', 'tsx', ...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir=' + process.env.BENCH_CPU_PROF] : [])],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  // Messages from the server process (IPC, this script's own format).
  const nextMessage = <T>(type: string) =>
    new Promise<T>((resolve) =>
      child.on('message', function on(message: { type: string }) {
        if (message.type !== type) return;
        child.off('message', on);
        resolve(message as T);
      }),
    );
  const stats = async () => {
    const answer = nextMessage<{ rss: number; heapUsed: number; agents: number; fds: number }>('stats');
    child.send({ type: 'stats' });
    return answer;
  };
  const ready = await nextMessage<{ adminUrl: string; agentUrl: string; email: string; password: string; totpSecret: string }>('ready');
  const admin: string = ready.adminUrl;
  try {
    console.log(`server: admin ${admin}, agents ${ready.agentUrl}; idle RSS ${mb((await stats()).rss)} MB`);

    // Sign-in and setup through the API, as a console would.
    const adminCode = await codeSource(ready.totpSecret);
    const login = await api(admin, 'POST', '/api/v1/auth/login', { email: ready.email, password: ready.password });
    const adminToken = (
      await api(admin, 'POST', '/api/v1/auth/mfa/enroll/verify', { challengeToken: login.challengeToken, code: await adminCode() })
    ).accessToken as string;
    const tenant = await api(admin, 'POST', '/api/v1/tenants', { name: `bench-${Date.now()}` }, adminToken);
    const operator = { email: `bench-op-${Date.now()}@example.test`, password: 'violet staple engine orbit' };
    await api(
      admin,
      'POST',
      '/api/v1/users',
      { ...operator, role: 'tenant_admin', displayName: 'Bench operator', tenantId: tenant.id },
      adminToken,
    );
    const opLogin = await api(admin, 'POST', '/api/v1/auth/login', operator);
    const enrollment = await api(admin, 'POST', '/api/v1/auth/mfa/enroll', { challengeToken: opLogin.challengeToken });
    const opCode = await codeSource(enrollment.secret);
    let opTokens = await api(admin, 'POST', '/api/v1/auth/mfa/enroll/verify', {
      challengeToken: opLogin.challengeToken,
      code: await opCode(),
    });
    let opToken = opTokens.accessToken as string;
    const enrollToken = await api(
      admin,
      'POST',
      '/api/v1/enroll-tokens',
      { name: 'bench', maxUses: agentCount + 100, validityHours: 2 },
      opToken,
    );

    // Enroll (HTTP on the agent listener), then connect (WebSocket + hello).
    let started = performance.now();
    const agents = await mapLimit(Array.from({ length: agentCount }), 32, async (_, index) => {
      const enrolled = await api(ready.agentUrl, 'POST', AGENT_ENROLL_PATH, {
        token: enrollToken.secret,
        inventory: {
          hostname: `sim-${index}`,
          os: { platform: 'linux', release: '6.1', version: 'bench', arch: 'x64' },
          user: 'bench',
          ips: [],
          agentVersion: 'bench',
        },
      });
      return new SimulatedAgent(enrolled.endpointId, enrolled.credential);
    });
    console.log(`enroll:   ${agentCount} agents in ${ms((performance.now() - started) / 1000)} s`);
    const beforeConnect = await stats();
    started = performance.now();
    await mapLimit(agents, 200, (agent) => agent.connect(ready.agentUrl));
    const connectSeconds = (performance.now() - started) / 1000;
    const connected = await stats();
    console.log(
      `connect:  ${connected.agents} agents connected in ${connectSeconds.toFixed(2)} s (${Math.round(agentCount / connectSeconds)}/s); server RSS ${mb(connected.rss)} MB (${mb(beforeConnect.rss)} MB before connecting), heap ${mb(connected.heapUsed)} MB (${mb(beforeConnect.heapUsed)} MB before: ${((connected.heapUsed - beforeConnect.heapUsed) / agentCount / 1024).toFixed(1)} KiB/agent), ${connected.fds} fds`,
    );

    // One script to all agents, in runs of up to 1000 endpoints; wait until every execution is done.
    // Enrolling thousands of agents outlasts an access token (10 minutes): rotate it as a console would.
    opTokens = await api(admin, 'POST', '/api/v1/auth/refresh', { refreshToken: opTokens.refreshToken });
    opToken = opTokens.accessToken as string;
    await api(admin, 'POST', '/api/v1/auth/step-up', { action: 'script', code: await opCode() }, opToken);
    const script = await api(admin, 'POST', '/api/v1/scripts', { name: 'bench', shell: 'sh', body: 'echo bench' }, opToken);
    started = performance.now();
    const runIds: string[] = [];
    for (let i = 0; i < agents.length; i += 1000) {
      const batch = agents.slice(i, i + 1000).map((agent) => agent.endpointId);
      runIds.push(
        (await api(admin, 'POST', `/api/v1/scripts/${script.id}/runs`, { endpointIds: batch, timeoutSeconds: 600 }, opToken)).run.id,
      );
    }
    const dispatched = (performance.now() - started) / 1000;
    let done = 0;
    for (;;) {
      done = 0;
      for (const runId of runIds)
        done += (await api(admin, 'GET', `/api/v1/runs/${runId}`, undefined, opToken)).executions.filter(
          (e: { done: boolean }) => e.done,
        ).length;
      if (done >= agentCount) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const allBack = (performance.now() - started) / 1000;
    const afterDispatch = await stats();
    console.log(
      `dispatch: ${agentCount} executions accepted in ${dispatched.toFixed(2)} s; all ${done} results back after ${allBack.toFixed(2)} s; server RSS ${mb(afterDispatch.rss)} MB`,
    );

    // Terminal through the server: line in -> output back.
    await api(admin, 'POST', '/api/v1/auth/step-up', { action: 'terminal', code: await opCode() }, opToken);
    const opened = await api(admin, 'POST', `/api/v1/endpoints/${agents[0]!.endpointId}/terminal-sessions`, { shell: 'bash' }, opToken);
    const console_ = new WebSocket(admin.replace(/^http/, 'ws') + REMOTE_SESSION_SOCKET_PATH, [REMOTE_SESSION_SUBPROTOCOL]);
    await new Promise((resolve) => console_.once('open', resolve));
    const incoming: ((message: ServerMessage) => void)[] = [];
    let consoleClosed: ((error: Error) => void) | null = null;
    const lastErrors: string[] = [];
    console_.on('close', (code) => consoleClosed?.(new Error(`the console socket closed (${code}): ${lastErrors.join('; ')}`)));
    console_.on('message', (data) => {
      const message = JSON.parse((data as Buffer).toString('utf8')) as ServerMessage;
      if (message.type === 'error' || message.type === 'closed') lastErrors.push(JSON.stringify(message));
      for (const listener of [...incoming]) listener(message);
    });
    const waitFor = (predicate: (message: ServerMessage) => boolean) =>
      new Promise<ServerMessage>((resolve, reject) => {
        consoleClosed = reject;
        const listener = (message: ServerMessage) => {
          if (!predicate(message)) return;
          incoming.splice(incoming.indexOf(listener), 1);
          resolve(message);
        };
        incoming.push(listener);
      });
    const isReady = waitFor((m) => m.type === 'ready');
    console_.send(JSON.stringify({ type: 'hello', protocol: 1, sessionId: opened.sessionId, accessToken: opToken }));
    await isReady;
    const rtts: number[] = [];
    for (let i = 0; i < lineCount; i++) {
      const marker = `echo bench-${i}`;
      const start = performance.now();
      const echoed = waitFor((m) => m.type === 'output' && m.data.includes(marker));
      console_.send(JSON.stringify({ type: 'line', id: String(i), text: marker }));
      await echoed;
      rtts.push(performance.now() - start);
    }
    rtts.sort((a, b) => a - b);
    const floodBytes = floodMb * 1024 * 1024;
    let received = 0;
    const floodStart = performance.now();
    await new Promise<void>((resolve) => {
      const listener = (message: ServerMessage) => {
        if (message.type !== 'output' || !message.data.startsWith('x')) return;
        received += message.data.length;
        if (received >= floodBytes) {
          incoming.splice(incoming.indexOf(listener), 1);
          resolve();
        }
      };
      incoming.push(listener);
      console_.send(JSON.stringify({ type: 'line', id: 'flood', text: `flood ${floodMb}` }));
    });
    const relayMbps = floodMb / ((performance.now() - floodStart) / 1000);
    console_.send(JSON.stringify({ type: 'close' }));
    console_.close();

    const raw = await rawWebSocketBaseline(lineCount, floodBytes);
    console.log(
      `terminal: line round trip p50 ${ms(percentile(rtts, 0.5))} ms, p99 ${ms(percentile(rtts, 0.99))} ms (${lineCount} lines; raw loopback WebSocket p50 ${ms(percentile(raw.rtts, 0.5))} ms, p99 ${ms(percentile(raw.rtts, 0.99))} ms)`,
    );
    console.log(
      `relay:    ${relayMbps.toFixed(1)} MB/s agent -> server -> console (${floodMb} MB; raw loopback WebSocket ${raw.mbPerSecond.toFixed(1)} MB/s)`,
    );
    const end = await stats();
    console.log(`end:      ${end.agents} agents still connected; server RSS ${mb(end.rss)} MB`);
    for (const agent of agents) agent.socket.terminate();
  } finally {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.send({ type: 'stop' });
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 15_000))]);
    child.kill('SIGKILL');
  }
}

if (values.serve) await serve();
else await drive();
