/**
 * What every screen test shares: a successful bridge answer, and the reset after each test
 * (unmount, no bridge, mocks restored, jsdom's URL put back after file-saving tests).
 */
import { cleanup } from '@testing-library/react';
import { vi } from 'vitest';
import { setBulwarkForTests } from '../bridge/index';
import { restoreFileSaving } from './file-saving';

/** The bridge's answer for a call that succeeded with `value`. */
export const ok = <T>(value: T) => Promise.resolve({ ok: true as const, value });

/** Use as `afterEach(resetAfterScreenTest)`. */
export function resetAfterScreenTest(): void {
  cleanup();
  setBulwarkForTests(null);
  vi.restoreAllMocks();
  restoreFileSaving();
}
