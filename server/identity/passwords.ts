import { hash, verify, type Algorithm } from '@node-rs/argon2';
import type { Argon2Params } from '../config/config';
import { isCommonPassword } from './common-passwords';

export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 1024;
const ARGON2ID = 2 as Algorithm; // the const enum cannot be imported under isolatedModules

export class PasswordHasher {
  /** Hash of a random password: verifying against it costs the same as a real check. */
  private dummyHash: Promise<string>;

  constructor(private readonly params: Argon2Params) {
    this.dummyHash = this.hash(crypto.randomUUID());
  }

  hash(password: string): Promise<string> {
    return hash(password, {
      algorithm: ARGON2ID,
      memoryCost: this.params.memoryKiB,
      timeCost: this.params.iterations,
      parallelism: this.params.parallelism,
    });
  }

  async verify(passwordHash: string, password: string): Promise<boolean> {
    try {
      return await verify(passwordHash, password);
    } catch {
      return false;
    }
  }

  /** Spends the time of a verification for an unknown account, so timing does not reveal it. */
  async verifyDummy(password: string): Promise<false> {
    await this.verify(await this.dummyHash, password);
    return false;
  }
}

/** Returns why a new password is unacceptable, or null when it is fine. */
export function passwordProblem(password: string, context: { email?: string } = {}): string | null {
  if (password.length < MIN_PASSWORD_LENGTH) return `Use at least ${MIN_PASSWORD_LENGTH} characters`;
  if (password.length > MAX_PASSWORD_LENGTH) return `Use at most ${MAX_PASSWORD_LENGTH} characters`;
  if (isCommonPassword(password)) return 'This password is too common; choose a longer passphrase of unrelated words';
  const localPart = context.email?.split('@')[0]?.toLowerCase();
  if (localPart && localPart.length >= 4 && password.toLowerCase().includes(localPart)) {
    return 'The password must not contain your email address';
  }
  return null;
}
