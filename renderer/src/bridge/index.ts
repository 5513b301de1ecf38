/**
 * How the renderer reaches main: `window.bulwark` from the Electron preload, or, in a plain
 * browser served by `npm run console:web`, the HTTP adapter implementing the same BulwarkApi.
 */
import type { BulwarkApi } from '../../../shared/ipc/bulwark-api';
import { createWebBridge } from './web-bridge';

declare global {
  interface Window {
    bulwark?: BulwarkApi;
  }
}

let cached: BulwarkApi | null = null;

export function getBulwark(): BulwarkApi {
  cached ??= window.bulwark ?? createWebBridge();
  return cached;
}

/** Tests inject a fake API (the component tests' only way in). */
export function setBulwarkForTests(api: BulwarkApi | null): void {
  cached = api;
}

export { unwrap, BulwarkCallError, type BulwarkApi } from '../../../shared/ipc/bulwark-api';
export type * from '../../../shared/ipc/schemas';
