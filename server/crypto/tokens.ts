import { createHash, randomBytes } from 'node:crypto';

/**
 * Opaque bearer tokens: 256 random bits, base64url, with a short prefix that says what the
 * token is (helps secret scanners and people reading a leaked value). Only the SHA-256 of a
 * token is stored; with 256 bits of entropy a fast hash is enough (no guessing is possible).
 */
export const TOKEN_PREFIX = {
  access: 'bwa_',
  refresh: 'bwr_',
  challenge: 'bwc_',
  apiKey: 'bwk_',
} as const;

export function newToken(prefix: string): string {
  return prefix + randomBytes(32).toString('base64url');
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}
