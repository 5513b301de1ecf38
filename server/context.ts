import type { Config } from './config/config';
import type { SecretBox } from './crypto/secret-box';
import type { Db } from './db/database';
import type { PasswordHasher } from './identity/passwords';
import type { Logger } from './logging/logger';
import type { SharedState } from './state/shared-state';

/** The server's time source; injectable so tests can move time forward instead of sleeping. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** Everything request handlers and services need, built once at start. */
export interface ServerContext {
  config: Config;
  db: Db;
  state: SharedState;
  clock: Clock;
  logger: Logger;
  secretBox: SecretBox;
  passwords: PasswordHasher;
}
