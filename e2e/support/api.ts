/**
 * A small HTTP client for the control plane's admin API, used by the fixture to set the
 * system up (users, tenant, enroll token) and by journeys to check what the server recorded.
 * The journeys themselves act through the console in the browser.
 */
import type { TotpCodes } from './totp';

export interface ApiAnswer<T> {
  status: number;
  body: T;
  text: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly text: string,
    what: string,
  ) {
    super(`${what}: HTTP ${status} ${text.slice(0, 500)}`);
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON answers are checked by the callers' assertions
export async function request<T = any>(base: string, method: string, path: string, options: { token?: string; body?: unknown } = {}) {
  const headers: Record<string, string> = {};
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(base + path, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, body: body as T, text } satisfies ApiAnswer<T>;
}

/** The answer's body when the status is the expected one; otherwise an error quoting the server. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- as above
export async function expectStatus<T = any>(answer: Promise<ApiAnswer<T>>, status: number, what: string): Promise<T> {
  const result = await answer;
  if (result.status !== status) throw new ApiError(result.status, result.text, what);
  return result.body;
}

export interface Account {
  id: string;
  email: string;
  password: string;
  displayName: string;
  role: 'platform_admin' | 'supervisor' | 'support' | 'tenant_admin' | 'technician';
  totpSecret: string;
}

/** A signed-in API session for one account; signs in again (with a fresh code) if the session ends. */
export class ApiSession {
  private accessToken: string | null = null;
  private refreshToken: string | null = null;

  constructor(
    readonly base: string,
    readonly account: Account,
    private readonly codes: TotpCodes,
  ) {}

  private async signIn() {
    const login = await expectStatus(
      request(this.base, 'POST', '/api/v1/auth/login', {
        body: { email: this.account.email, password: this.account.password, clientName: 'Bulwark e2e fixture' },
      }),
      200,
      `sign-in of ${this.account.email}`,
    );
    const tokens = await expectStatus(
      request(this.base, 'POST', '/api/v1/auth/mfa', {
        body: { challengeToken: login.challengeToken, code: await this.codes.next(this.account.totpSecret) },
      }),
      200,
      `TOTP of ${this.account.email}`,
    );
    this.accessToken = tokens.accessToken;
    this.refreshToken = tokens.refreshToken;
  }

  private async refresh(): Promise<boolean> {
    if (!this.refreshToken) return false;
    const answer = await request(this.base, 'POST', '/api/v1/auth/refresh', { body: { refreshToken: this.refreshToken } });
    if (answer.status !== 200) return false;
    this.accessToken = answer.body.accessToken;
    this.refreshToken = answer.body.refreshToken;
    return true;
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- as above
  async call<T = any>(method: string, path: string, body?: unknown): Promise<ApiAnswer<T>> {
    if (!this.accessToken) await this.signIn();
    let answer = await request<T>(this.base, method, path, { token: this.accessToken!, body });
    if (answer.status === 401) {
      if (!(await this.refresh())) await this.signIn();
      answer = await request<T>(this.base, method, path, { token: this.accessToken!, body });
    }
    return answer;
  }

  /** Marks this API session as stepped up for `action` (uses a fresh code). */
  async stepUp(action: string) {
    await expectStatus(
      this.call('POST', '/api/v1/auth/step-up', { action, code: await this.codes.next(this.account.totpSecret) }),
      200,
      `step-up ${action} for ${this.account.email}`,
    );
  }
}
