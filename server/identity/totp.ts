import { Secret, TOTP } from 'otpauth';

/** RFC 6238 defaults that every authenticator app supports. */
const PERIOD_SECONDS = 30;
const DIGITS = 6;
/** Accept the previous and next step too, for clock drift. */
const WINDOW = 1;
export const TOTP_ISSUER = 'Bulwark';

export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

export function otpauthUrl(secretBase32: string, accountName: string): string {
  return totpFor(secretBase32, accountName).toString();
}

/**
 * The time step a code belongs to, or null if it is not valid now. Callers must then
 * accept it only if the step is later than the user's last accepted step (single use).
 */
export function matchTotpStep(secretBase32: string, code: string, nowMs: number): number | null {
  const delta = totpFor(secretBase32).validate({ token: code, timestamp: nowMs, window: WINDOW });
  if (delta === null) return null;
  return Math.floor(nowMs / 1000 / PERIOD_SECONDS) + delta;
}

/** Generates the code for a time; used by tests, the benchmark and tools, never by the server itself. */
export function totpCodeAt(secretBase32: string, nowMs: number): string {
  return totpFor(secretBase32).generate({ timestamp: nowMs });
}

function totpFor(secretBase32: string, label = 'user'): TOTP {
  return new TOTP({
    issuer: TOTP_ISSUER,
    label,
    algorithm: 'SHA1',
    digits: DIGITS,
    period: PERIOD_SECONDS,
    secret: Secret.fromBase32(secretBase32),
  });
}

export const TOTP_PERIOD_MS = PERIOD_SECONDS * 1000;
