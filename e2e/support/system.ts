/**
 * The whole Bulwark system for the browser journeys, as real processes on this machine:
 *
 *  - the control plane (`server/cli.ts`) on a throwaway PGlite data directory, on free loopback
 *    ports, started with a one-time first-run token;
 *  - the first platform admin created through the first-run API, then over HTTP a tenant and its
 *    admin and technician, a supervisor and a support user, each enrolled in TOTP;
 *  - a real agent (`agent/cli.ts enroll` with an enroll token, then `run`) with a throwaway state
 *    directory: this machine is the tenant's endpoint;
 *  - console browser hosts (`main/web-host/cli.ts`), started on demand, one per "device".
 *
 * Processes run under the launcher's Supervisor (scripts/launcher/supervisor.ts): their output is
 * kept per part (in a log file and the last lines in memory), a part that stops on its own is
 * reported with its own last words, and everything is stopped at the end.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, type WriteStream } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BrowserContext } from '@playwright/test';
import { Supervisor, waitUntilReady, type RunningPart } from '../../scripts/launcher/supervisor';
import { ApiSession, expectStatus, request, type Account } from './api';
import { TotpCodes } from './totp';

const root = path.resolve(import.meta.dirname, '../..');
const TSX = path.join(root, 'node_modules/.bin/tsx');
/** Starting tsx + PGlite on two shared cores can take half a minute; give it room, not forever. */
const START_TIMEOUT_MS = 120_000;

export type Persona = 'platformAdmin' | 'tenantAdmin' | 'technician' | 'supervisor' | 'support';

export interface ConsoleHost {
  label: string;
  origin: string;
  /** Lets a browser context use this host: presents the one-time launch secret once, then reuses its cookie. */
  authorise(context: BrowserContext): Promise<void>;
  part: RunningPart;
}

export interface Endpoint {
  id: string;
  hostname: string;
}

/** Thrown when a part of the system fails to start or stops; quotes what the part itself said. */
export class SystemError extends Error {}

export class BulwarkSystem {
  readonly codes = new TotpCodes();
  readonly accounts = {} as Record<Persona, Account>;
  private readonly apiSessions = new Map<Persona, ApiSession>();
  private readonly consoles = new Map<string, Promise<ConsoleHost>>();
  private readonly logs = new Map<string, WriteStream>();
  private readonly parts: RunningPart[] = [];
  readonly supervisor = new Supervisor({ log: () => undefined, error: () => undefined });
  adminUrl = '';
  agentUrl = '';
  tenant = { id: '', name: '' };
  endpoint: Endpoint = { id: '', hostname: '' };
  server!: RunningPart;
  agent!: RunningPart;

  private constructor(readonly workDir: string) {}

  static async start(): Promise<BulwarkSystem> {
    const system = new BulwarkSystem(mkdtempSync(path.join(os.tmpdir(), 'bulwark-e2e-')));
    try {
      await system.startServer();
      await system.createPeople();
      await system.enrollAgent();
      return system;
    } catch (error) {
      await system.stop();
      throw error;
    }
  }

  /** Where each part's full output is written (kept after the run when a journey failed). */
  logFile(part: string) {
    return path.join(this.workDir, `${part}.log`);
  }

  /** The last lines of every part, for a failure report. */
  recentOutput(): string {
    return this.parts.map((part) => `── ${part.name} (${this.logFile(part.name)}) ──\n${part.recentOutput().join('\n')}`).join('\n\n');
  }

  private startPart(name: string, args: string[], env: NodeJS.ProcessEnv = {}, onLine?: (line: string) => void): RunningPart {
    const log = createWriteStream(this.logFile(name), { flags: 'a' });
    this.logs.set(name, log);
    const part = this.supervisor.start({
      name,
      command: TSX,
      args,
      cwd: root,
      env: { ...process.env, ...env },
      onLine: (line, stream) => {
        log.write(`${stream === 'stderr' ? '! ' : ''}${line}\n`);
        onLine?.(line);
      },
    });
    this.parts.push(part);
    return part;
  }

  private failure(part: RunningPart, what: string, outcome: string): SystemError {
    return new SystemError(
      `${what}: ${outcome === 'exited' ? `${part.name} stopped (exit code ${part.child.exitCode ?? 'by signal'})` : `${part.name} did not get ready in time`}.\n` +
        `Its last output:\n${part.recentOutput().join('\n') || '(nothing)'}`,
    );
  }

  private async startServer() {
    const firstRunToken = randomBytes(32).toString('base64url');
    const addresses: { admin?: string; agent?: string } = {};
    // The server prints where it listens; with port 0 that is the only way to know (no port race).
    this.server = this.startPart(
      'server',
      ['server/cli.ts'],
      {
        BULWARK_DATA_DIR: path.join(this.workDir, 'server-data'),
        BULWARK_ADMIN_PORT: '0',
        BULWARK_AGENT_PORT: '0',
        BULWARK_FIRST_RUN_TOKEN: firstRunToken,
        BULWARK_LOG_LEVEL: 'info',
      },
      (line) => {
        addresses.admin ??= /admin API:\s+(http:\/\/\S+?)\/api\/v1/.exec(line)?.[1];
        addresses.agent ??= /agent listener:\s+(http:\/\/\S+?)\/agent\/v1/.exec(line)?.[1];
      },
    );
    const outcome = await waitUntilReady(
      this.server,
      () => {
        if (!addresses.admin || !addresses.agent) return Promise.resolve(false);
        return request(addresses.admin, 'GET', '/healthz').then((answer) => answer.status === 200);
      },
      { timeoutMs: START_TIMEOUT_MS, intervalMs: 300 },
    );
    if (outcome !== 'ready') throw this.failure(this.server, 'The control plane did not start', outcome);
    this.adminUrl = addresses.admin!;
    this.agentUrl = addresses.agent!;

    const status = await expectStatus(request(this.adminUrl, 'GET', '/api/v1/setup'), 200, 'setup status');
    if (!status.firstAdminNeeded || !status.firstRunEnabled)
      throw new SystemError(`fresh server not in first-run mode: ${JSON.stringify(status)}`);
    const admin = this.newAccount('platform_admin', 'Pat Platform');
    const created = await expectStatus(
      request(this.adminUrl, 'POST', '/api/v1/setup/first-admin', {
        body: { firstRunToken, email: admin.email, password: admin.password, displayName: admin.displayName },
      }),
      201,
      'first-run creation of the platform admin',
    );
    admin.id = created.user.id;
    await this.enrollTotp(admin);
    this.accounts.platformAdmin = admin;
  }

  private newAccount(role: Account['role'], displayName: string): Account {
    const local = displayName.toLowerCase().replace(/[^a-z]+/g, '.');
    // Passwords long and unusual enough for the server's policy; each account its own.
    return {
      id: '',
      email: `${local}@bulwark-e2e.test`,
      password: `violet orbit engine ${randomBytes(6).toString('hex')}`,
      displayName,
      role,
      totpSecret: '',
    };
  }

  /** First sign-in of a new account: the server answers "enroll", we take the offered secret and confirm it with a code. */
  private async enrollTotp(account: Account) {
    const login = await expectStatus(
      request(this.adminUrl, 'POST', '/api/v1/auth/login', { body: { email: account.email, password: account.password } }),
      200,
      `first sign-in of ${account.email}`,
    );
    if (login.next !== 'enroll') throw new SystemError(`first sign-in of ${account.email} answered next=${login.next}, expected enroll`);
    const offer = await expectStatus(
      request(this.adminUrl, 'POST', '/api/v1/auth/mfa/enroll', { body: { challengeToken: login.challengeToken } }),
      200,
      `TOTP enrollment offer for ${account.email}`,
    );
    account.totpSecret = offer.secret;
    const tokens = await expectStatus(
      request(this.adminUrl, 'POST', '/api/v1/auth/mfa/enroll/verify', {
        body: { challengeToken: login.challengeToken, code: await this.codes.next(account.totpSecret) },
      }),
      200,
      `TOTP enrollment of ${account.email}`,
    );
    // Enrollment signs the account in; end that session so "My sessions" lists only the consoles'.
    await expectStatus(
      request(this.adminUrl, 'POST', '/api/v1/auth/logout', { token: tokens.accessToken }),
      200,
      `sign-out after enrolling ${account.email}`,
    );
  }

  /** An API session for a persona (the fixture's own, separate from any console session). */
  api(persona: Persona): ApiSession {
    let session = this.apiSessions.get(persona);
    if (!session) {
      session = new ApiSession(this.adminUrl, this.accounts[persona], this.codes);
      this.apiSessions.set(persona, session);
    }
    return session;
  }

  private async createPeople() {
    const admin = this.api('platformAdmin');
    this.tenant.name = 'Northwind Clinics';
    const tenant = await expectStatus(admin.call('POST', '/api/v1/tenants', { name: this.tenant.name }), 201, 'tenant creation');
    this.tenant.id = tenant.id;
    const people: [Persona, Account['role'], string, boolean][] = [
      ['tenantAdmin', 'tenant_admin', 'Tara Tenantadmin', true],
      ['technician', 'technician', 'Theo Technician', true],
      ['supervisor', 'supervisor', 'Sam Supervisor', false],
      ['support', 'support', 'Sue Support', false],
    ];
    for (const [persona, role, displayName, inTenant] of people) {
      const account = this.newAccount(role, displayName);
      const user = await expectStatus(
        admin.call('POST', '/api/v1/users', {
          email: account.email,
          password: account.password,
          role,
          displayName,
          ...(inTenant ? { tenantId: this.tenant.id } : {}),
        }),
        201,
        `creation of the ${role}`,
      );
      account.id = user.id;
      await this.enrollTotp(account);
      this.accounts[persona] = account;
    }
  }

  private async enrollAgent() {
    const token = await expectStatus(
      this.api('platformAdmin').call('POST', '/api/v1/enroll-tokens', {
        tenantId: this.tenant.id,
        name: 'e2e endpoint',
        validityHours: 1,
        maxUses: 1,
      }),
      201,
      'enroll token creation',
    );
    const stateDir = path.join(this.workDir, 'agent-state');
    const enroll = this.startPart('agent-enroll', [
      'agent/cli.ts',
      'enroll',
      '--server',
      this.agentUrl,
      '--token',
      token.secret,
      '--state-dir',
      stateDir,
    ]);
    const code = await enroll.exited;
    if (code !== 0) throw this.failure(enroll, 'The agent could not enroll', 'exited');
    const enrolled = enroll
      .recentOutput()
      .map((line) => /^\{.*"enrolled":true.*\}$/.exec(line.trim())?.[0])
      .find(Boolean);
    if (!enrolled) throw new SystemError(`the agent enrolled but printed no enrollment line:\n${enroll.recentOutput().join('\n')}`);
    this.endpoint.id = (JSON.parse(enrolled) as { endpointId: string }).endpointId;

    // After an unblock the agent should be back within seconds, not the production pause of minutes.
    this.agent = this.startPart('agent', ['agent/cli.ts', 'run', '--state-dir', stateDir], {
      BULWARK_AGENT_MAX_BACKOFF_MS: '2000',
      BULWARK_AGENT_BLOCKED_BACKOFF_MS: '3000',
    });
    const online = await waitUntilReady(this.agent, async () => (await this.endpointStatus()).online, {
      timeoutMs: START_TIMEOUT_MS,
      intervalMs: 500,
    });
    if (online !== 'ready') throw this.failure(this.agent, 'The agent did not come online', online);
    this.endpoint.hostname = (await this.endpointStatus()).hostname;
  }

  /**
   * What the server knows that explains a failure: the endpoint's status and the remote sessions
   * with the reason each one closed (e.g. agent_refused:…, agent_did_not_answer).
   */
  async diagnostics(): Promise<string> {
    const lines: string[] = [];
    try {
      lines.push(`endpoint: ${JSON.stringify(await this.endpointStatus())}`);
      const sessions = await this.api('platformAdmin').call('GET', '/api/v1/remote-sessions');
      lines.push(`remote sessions (HTTP ${sessions.status}): ${JSON.stringify(sessions.body, null, 1)}`);
    } catch (error) {
      lines.push(`could not ask the server: ${(error as Error).message}`);
    }
    return lines.join('\n');
  }

  /** The endpoint as the server sees it (online, host name), asked as the platform admin. */
  async endpointStatus(): Promise<{ online: boolean; hostname: string }> {
    return expectStatus(this.api('platformAdmin').call('GET', `/api/v1/endpoints/${this.endpoint.id}`), 200, 'endpoint status');
  }

  /**
   * A console browser host ("device"), started on first use. Each host is its own Node process
   * holding its own server session, so two hosts are two signed-in devices.
   */
  console(label = 'main'): Promise<ConsoleHost> {
    let host = this.consoles.get(label);
    if (!host) {
      host = this.startConsole(label);
      this.consoles.set(label, host);
    }
    return host;
  }

  private async startConsole(label: string): Promise<ConsoleHost> {
    const name = `console-${label}`;
    const launchFile = path.join(this.workDir, `${name}.launch`);
    const part = this.startPart(
      name,
      ['main/web-host/cli.ts', '--port', '0', '--launch-url-file', launchFile, '--prefs', path.join(this.workDir, `${name}-prefs.json`)],
      // No session bus: each test console keeps its session in memory, never in this machine's keychain.
      { DBUS_SESSION_BUS_ADDRESS: '' },
    );
    const outcome = await waitUntilReady(
      part,
      () => Promise.resolve(existsSync(launchFile) && readFileSync(launchFile, 'utf8').trim() !== ''),
      {
        timeoutMs: START_TIMEOUT_MS,
        intervalMs: 300,
      },
    );
    if (outcome !== 'ready') throw this.failure(part, `The console browser host "${label}" did not start`, outcome);
    const launchUrl = readFileSync(launchFile, 'utf8').trim();
    const origin = new URL(launchUrl).origin;
    let cookies: Awaited<ReturnType<BrowserContext['cookies']>> | null = null;
    return {
      label,
      origin,
      part,
      async authorise(context) {
        if (cookies) {
          await context.addCookies(cookies);
          return;
        }
        const page = await context.newPage();
        const answer = await page.goto(launchUrl);
        if (!answer || !answer.ok())
          throw new SystemError(
            `the console host refused its launch address: ${answer ? `${answer.status()} ${await answer.text()}` : 'no answer'}`,
          );
        cookies = await context.cookies(origin);
        await page.close();
      },
    };
  }

  /** Stops every part (newest first) and removes the throwaway directories unless asked to keep them. */
  async stop(options: { keepFiles?: boolean } = {}) {
    await this.supervisor.stopAll();
    await Promise.all([...this.logs.values()].map((log) => new Promise((resolve) => log.end(resolve))));
    if (!options.keepFiles) rmSync(this.workDir, { recursive: true, force: true });
  }
}

/** Creates the directory for the README tour's screenshots and returns the path of one. */
/**
 * Where a tour screenshot goes: `reports/tour/` on every run (an artifact), and the README's
 * `docs/tour/` only when BULWARK_UPDATE_TOUR=1, so a test run never changes tracked files.
 */
export function tourScreenshot(name: string): string {
  const dir = path.join(root, process.env.BULWARK_UPDATE_TOUR === '1' ? 'docs/tour' : 'reports/tour');
  mkdirSync(dir, { recursive: true });
  return path.join(dir, `${name}.png`);
}
