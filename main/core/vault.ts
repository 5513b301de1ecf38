/**
 * The token vault: where a signed-in session survives a restart. Only the OS keychain
 * (Keychain, Credential Manager, Secret Service) ever holds it, keyed by server origin and
 * account. When no keychain works, the vault refuses to remember and says so: the session
 * then lives in this process's memory only, never in a file.
 */
import { z } from 'zod';
import type { ConsoleLogger } from './logger';

/** The OS keychain, reduced to what the vault needs (see keyring-backend.ts). */
export interface SecretBackend {
  get(service: string, account: string): Promise<string | null>;
  set(service: string, account: string, secret: string): Promise<void>;
  delete(service: string, account: string): Promise<boolean>;
}

/** What is remembered: enough to refresh into a new access token, nothing more. */
export const RememberedSession = z.object({
  sessionId: z.string(),
  refreshToken: z.string(),
  refreshTokenExpiresAt: z.string(),
  sessionExpiresAt: z.string(),
});
export type RememberedSession = z.infer<typeof RememberedSession>;

export interface VaultOutcome {
  remembered: boolean;
  message: string | null;
}

export const NO_KEYCHAIN_MESSAGE =
  'No system keychain is available, so this session is kept in memory only and you will sign in again next time (it is never written to disk).';

export function vaultService(origin: string): string {
  return `Bulwark console ${origin}`;
}

export class TokenVault {
  constructor(
    private readonly backend: SecretBackend | null,
    private readonly log: ConsoleLogger,
  ) {}

  async save(origin: string, account: string, session: RememberedSession): Promise<VaultOutcome> {
    if (!this.backend) return { remembered: false, message: NO_KEYCHAIN_MESSAGE };
    try {
      await this.backend.set(vaultService(origin), account.toLowerCase(), JSON.stringify(session));
      return { remembered: true, message: null };
    } catch (error) {
      this.log.warn('keychain refused to store the session; keeping it in memory only', { origin, error: describe(error) });
      return { remembered: false, message: NO_KEYCHAIN_MESSAGE };
    }
  }

  async load(origin: string, account: string): Promise<RememberedSession | null> {
    if (!this.backend) return null;
    let raw: string | null;
    try {
      raw = await this.backend.get(vaultService(origin), account.toLowerCase());
    } catch (error) {
      this.log.warn('keychain could not be read', { origin, error: describe(error) });
      return null;
    }
    if (raw === null) return null;
    const parsed = RememberedSession.safeParse(safeJson(raw));
    if (!parsed.success) {
      // Not ours or damaged: drop it rather than keep failing on every start.
      await this.remove(origin, account);
      return null;
    }
    return parsed.data;
  }

  async remove(origin: string, account: string): Promise<void> {
    if (!this.backend) return;
    try {
      await this.backend.delete(vaultService(origin), account.toLowerCase());
    } catch (error) {
      this.log.warn('keychain entry could not be deleted', { origin, error: describe(error) });
    }
  }
}

function safeJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return null;
  }
}

/** Error text for logs: keychain errors describe the backend, never the secret. */
function describe(error: unknown): string {
  return error instanceof Error ? error.message.slice(0, 200) : 'unknown error';
}
