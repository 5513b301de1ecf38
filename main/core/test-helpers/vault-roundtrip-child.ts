/**
 * Run by vault-keychain.test.ts in a child process (inside dbus-run-session with a throwaway
 * gnome-keyring, or with no Secret Service at all): round-trips a session through the real
 * OS keychain and prints what it saw as one JSON line.
 */
import { createKeyringBackend, probeKeyringBackend } from '../keyring-backend';
import { silentLogger } from '../logger';
import { TokenVault, vaultService } from '../vault';

const origin = 'https://bulwark.example.test';
const session = {
  sessionId: '11111111-1111-4111-8111-111111111111',
  refreshToken: 'rt_roundtrip_secret_value',
  refreshTokenExpiresAt: '2030-01-01T00:00:00.000Z',
  sessionExpiresAt: '2030-01-01T00:00:00.000Z',
};

const backend = await probeKeyringBackend();
const vault = new TokenVault(backend, silentLogger);
const saved = await vault.save(origin, 'Tech@Example.test', session);
const loaded = await vault.load(origin, 'tech@example.test');
// Read the keychain directly too: the entry is really there, under the server's origin.
const raw = backend ? await createKeyringBackend().get(vaultService(origin), 'tech@example.test') : null;
const otherServer = await vault.load('https://other.example.test', 'tech@example.test');
await vault.remove(origin, 'tech@example.test');
const afterRemove = await vault.load(origin, 'tech@example.test');
const rawAfterRemove = backend ? await createKeyringBackend().get(vaultService(origin), 'tech@example.test') : null;

process.stdout.write(
  `${JSON.stringify({ backendAvailable: backend !== null, saved, loaded, raw, otherServer, afterRemove, rawAfterRemove })}\n`,
);
