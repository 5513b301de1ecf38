/**
 * One signed-in session with one server: the tokens (memory only, plus the keychain through
 * the vault), calls with the access token, refresh on expiry, and the end of the session when
 * the server says it is over (revoked elsewhere, expired, tenant blocked).
 */
import type { z } from 'zod';
import { adminApi } from '../../shared/api/routes';
import { ApiCallError, buildPath, callApi, type ApiTransport, type CallInput } from '../../shared/api/client';
import { ErrorBody, ErrorCode } from '../../shared/api/common';
import type { TokenResponse } from '../../shared/api/auth';
import type { RouteContract } from '../../shared/api/route-contract';
import type { SignedOutReason } from './signed-out';
import { signedOutMessage, SIGNED_OUT_CODES } from './signed-out';
import type { TokenVault, VaultOutcome } from './vault';
import type { ConsoleLogger } from './logger';

export interface RouteCallInput {
  params?: unknown;
  query?: unknown;
  body?: unknown;
}

export interface SessionEnd {
  reason: SignedOutReason;
  message: string;
}

export interface ServerSessionDeps {
  origin: string;
  account: string;
  transport: ApiTransport;
  vault: TokenVault;
  log: ConsoleLogger;
  /** Called once when the server ends the session (not when the user signs out). */
  onEnded: (end: SessionEnd) => void;
}

export class SessionEndedError extends Error {
  constructor(readonly end: SessionEnd) {
    super(end.message);
    this.name = 'SessionEndedError';
  }
}

export class ServerSession {
  #tokens: TokenResponse;
  #refreshing: Promise<void> | null = null;
  #ended: SessionEnd | null = null;
  vault: VaultOutcome = { remembered: false, message: null };

  constructor(
    private readonly deps: ServerSessionDeps,
    tokens: TokenResponse,
  ) {
    this.#tokens = tokens;
  }

  get origin(): string {
    return this.deps.origin;
  }
  get account(): string {
    return this.deps.account;
  }
  get sessionId(): string {
    return this.#tokens.sessionId;
  }
  get ended(): SessionEnd | null {
    return this.#ended;
  }

  /** The access token, for the terminal WebSocket's `hello` (never leaves main). */
  accessToken(): string {
    if (this.#ended) throw new SessionEndedError(this.#ended);
    return this.#tokens.accessToken;
  }

  async remember(): Promise<VaultOutcome> {
    const t = this.#tokens;
    this.vault = await this.deps.vault.save(this.deps.origin, this.deps.account, {
      sessionId: t.sessionId,
      refreshToken: t.refreshToken,
      refreshTokenExpiresAt: t.refreshTokenExpiresAt,
      sessionExpiresAt: t.sessionExpiresAt,
    });
    return this.vault;
  }

  /** Calls a route with the session; refreshes once on `token_expired`; ends the session on revocation. */
  async call<R extends RouteContract>(route: R, input: Omit<CallInput<R>, 'token'>): Promise<z.output<R['response']>> {
    return (await this.callRoute(route, input)) as z.output<R['response']>;
  }

  /** The same, for routes looked up at run time (input already validated against the route's schemas). */
  async callRoute(route: RouteContract, input: RouteCallInput): Promise<unknown> {
    return this.#withSession(() =>
      callApi(this.deps.transport, route, { ...input, token: this.#tokens.accessToken } as CallInput<RouteContract>),
    );
  }

  /** Fetches a file route (an export): its text, unparsed; refusals are thrown like any call's. */
  async download(route: RouteContract, input: RouteCallInput): Promise<string> {
    return this.#withSession(async () => {
      const answer = await this.deps.transport({
        method: route.method,
        path: buildPath(route.path, input.params as Record<string, unknown>, input.query as Record<string, unknown>),
        headers: { accept: 'text/csv, application/x-ndjson, application/json', authorization: `Bearer ${this.#tokens.accessToken}` },
      });
      if (answer.status !== route.successStatus) {
        const parsed = ErrorBody.safeParse(answer.body);
        if (parsed.success)
          throw new ApiCallError(answer.status, parsed.data.error.code, parsed.data.error.message, parsed.data.error.fields);
        throw new ApiCallError(answer.status, 'unexpected_response', `Unexpected answer from the server (HTTP ${answer.status})`);
      }
      if (typeof answer.body !== 'string') throw new ApiCallError(answer.status, 'unexpected_response', 'The server did not send a file');
      return answer.body;
    });
  }

  /** Runs a call with the session: refreshes once on `token_expired`; ends the session on revocation. */
  async #withSession<T>(attempt: () => Promise<T>): Promise<T> {
    if (this.#ended) throw new SessionEndedError(this.#ended);
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof ApiCallError) || error.status !== 401) throw error;
      if (error.code === ErrorCode.tokenExpired) {
        await this.refresh();
        try {
          return await attempt();
        } catch (retryError) {
          throw await this.#endIfRevoked(retryError);
        }
      }
      throw await this.#endIfRevoked(error);
    }
  }

  /** Rotates the token pair (one refresh at a time) and updates the keychain entry. */
  async refresh(): Promise<void> {
    this.#refreshing ??= (async () => {
      try {
        const tokens = await callApi(this.deps.transport, adminApi.refresh, { body: { refreshToken: this.#tokens.refreshToken } });
        this.#tokens = tokens;
        if (this.vault.remembered) await this.remember();
      } catch (error) {
        throw await this.#endIfRevoked(error);
      } finally {
        this.#refreshing = null;
      }
    })();
    return this.#refreshing;
  }

  /** Ends the session on the server (best effort) and forgets it locally. */
  async signOut(): Promise<void> {
    if (!this.#ended) {
      try {
        await callApi(this.deps.transport, adminApi.logout, { token: this.#tokens.accessToken, body: {} });
      } catch (error) {
        // Already revoked or unreachable: the local copy is dropped either way.
        this.deps.log.info('server sign-out did not complete', { code: error instanceof ApiCallError ? error.code : 'unreachable' });
      }
      this.#ended = { reason: 'signed_out', message: signedOutMessage('signed_out') };
    }
    await this.deps.vault.remove(this.deps.origin, this.deps.account);
  }

  /** Turns a refusal meaning "this session is over" into the end of the session. */
  async #endIfRevoked(error: unknown): Promise<unknown> {
    if (!(error instanceof ApiCallError) || error.status !== 401) return error;
    const reason = SIGNED_OUT_CODES.get(error.code);
    if (!reason) return error;
    if (!this.#ended) {
      this.#ended = { reason, message: error.message || signedOutMessage(reason) };
      this.deps.log.info('the server ended the session', { origin: this.deps.origin, reason });
      await this.deps.vault.remove(this.deps.origin, this.deps.account);
      this.deps.onEnded(this.#ended);
    }
    return new SessionEndedError(this.#ended);
  }
}
