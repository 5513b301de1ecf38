import { isIP } from 'node:net';
import { AGENT_ENROLL_PATH } from '../shared/agent-protocol/messages';
import { AgentEnrollResponse } from '../shared/agent-protocol/enroll';
import { collectInventory } from './inventory';
import type { AgentState } from './state';

export class EnrollError extends Error {
  override name = 'EnrollError';
}

/** Plain http only to this machine: a credential must never cross a network unencrypted. */
export function checkServerUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new EnrollError(`--server must be a URL such as https://bulwark.example.com:4781 (got "${text}")`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new EnrollError('--server must be an https:// URL');
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const loopback = host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'));
  if (url.protocol === 'http:' && !loopback) throw new EnrollError('plain http is allowed only to this machine (localhost); use https://');
  if (url.username || url.password) throw new EnrollError('--server must not contain a user name or password');
  return new URL(url.origin);
}

/** Exchanges an enroll token for an agent credential on the agent listener. */
export async function enroll(serverUrl: string, token: string): Promise<AgentState> {
  const base = checkServerUrl(serverUrl);
  let response: Response;
  try {
    response = await fetch(new URL(AGENT_ENROLL_PATH, base), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: token.trim(), inventory: collectInventory() }),
      signal: AbortSignal.timeout(30_000),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    throw new EnrollError(`cannot reach ${base.origin}: ${cause?.code ?? cause?.message ?? (error as Error).message}`);
  }
  const text = await response.text();
  let body: unknown = null;
  try {
    body = JSON.parse(text);
  } catch {
    // handled below
  }
  if (!response.ok) {
    const error = (body as { error?: { code?: string; message?: string } } | null)?.error;
    throw new EnrollError(
      `enrollment refused (${response.status}${error?.code ? ` ${error.code}` : ''}): ${error?.message ?? text.slice(0, 200)}`,
    );
  }
  const parsed = AgentEnrollResponse.safeParse(body);
  if (!parsed.success) throw new EnrollError('the server answered enrollment with something that is not an enrollment response');
  return {
    version: 1,
    serverUrl: base.origin,
    endpointId: parsed.data.endpointId,
    tenantId: parsed.data.tenantId,
    credential: parsed.data.credential,
    serverPublicKey: parsed.data.serverPublicKey,
    serverKeyId: parsed.data.serverKeyId,
    enrolledAt: new Date().toISOString(),
  };
}
