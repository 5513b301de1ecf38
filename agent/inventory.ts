import os from 'node:os';
import type { Inventory } from '../shared/agent-protocol/messages';
import type { PlatformName } from '../shared/agent-protocol/policy-wire';
import { AGENT_VERSION } from './version';

/** The policy engine's platform for this machine (anything not Windows or macOS is treated as Linux). */
export function osFamily(platform: string = process.platform): PlatformName {
  if (platform === 'win32') return 'windows';
  if (platform === 'darwin') return 'macos';
  return 'linux';
}

function currentUser(): string {
  try {
    return os.userInfo().username;
  } catch {
    return process.env.USER ?? process.env.USERNAME ?? 'unknown';
  }
}

/** Non-internal addresses of this machine, IPv4 first. */
function addresses(): string[] {
  const found: string[] = [];
  for (const list of Object.values(os.networkInterfaces())) {
    for (const entry of list ?? []) if (!entry.internal) found.push(entry.address);
  }
  found.sort((a, b) => Number(a.includes(':')) - Number(b.includes(':')));
  return found.slice(0, 64);
}

export function collectInventory(): Inventory {
  let version = '';
  try {
    version = os.version();
  } catch {
    // not available on every platform
  }
  return {
    hostname: os.hostname().slice(0, 255) || 'unknown',
    os: { platform: process.platform, release: os.release().slice(0, 200), version: version.slice(0, 500), arch: process.arch },
    user: currentUser().slice(0, 255),
    ips: addresses(),
    agentVersion: AGENT_VERSION,
  };
}
