/** The OS keychain through @napi-rs/keyring (Keychain, Credential Manager, Secret Service). */
import { AsyncEntry } from '@napi-rs/keyring';
import type { SecretBackend } from './vault';

export function createKeyringBackend(): SecretBackend {
  return {
    get: (service, account) => new AsyncEntry(service, account).getPassword(),
    set: (service, account, secret) => new AsyncEntry(service, account).setPassword(secret),
    delete: (service, account) => new AsyncEntry(service, account).deleteCredential(),
  };
}

/**
 * Whether a keychain really stores secrets: writes, reads back and deletes a probe entry.
 * (Reading alone is not enough: without a Secret Service, reads of missing entries can
 * succeed while every write is refused.) Null backend = the console will not remember.
 */
export async function probeKeyringBackend(backend: SecretBackend = createKeyringBackend()): Promise<SecretBackend | null> {
  const service = 'Bulwark console probe';
  const value = `probe-${Date.now()}`;
  try {
    await backend.set(service, 'probe', value);
    const readBack = await backend.get(service, 'probe');
    await backend.delete(service, 'probe');
    return readBack === value ? backend : null;
  } catch {
    return null;
  }
}
