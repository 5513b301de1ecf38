/**
 * Which server URLs the console accepts: https anywhere, plain http only to this machine
 * (loopback), so a session token never travels unencrypted across a network.
 */
export type ServerUrlCheck = { ok: true; origin: string } | { ok: false; message: string };

/** WHATWG URL exists in every process the console runs in; shared/ has no DOM or Node typings, so declare what we use. */
interface ParsedUrl {
  readonly protocol: string;
  readonly hostname: string;
  readonly host: string;
  readonly origin: string;
  readonly username: string;
  readonly password: string;
}
declare const URL: new (input: string) => ParsedUrl;

const LOOPBACK_HOSTS = new Set(['localhost', '[::1]']);

export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase();
  if (LOOPBACK_HOSTS.has(host) || host.endsWith('.localhost')) return true;
  const octets = host.split('.');
  return octets.length === 4 && octets[0] === '127' && octets.every((o) => /^\d{1,3}$/.test(o) && Number(o) <= 255);
}

/** Normalises to the origin (scheme://host[:port]) the console keys its session on. */
export function checkServerUrl(raw: string): ServerUrlCheck {
  let url: ParsedUrl;
  try {
    url = new URL(raw.trim());
  } catch {
    return { ok: false, message: 'Enter the server address, for example https://bulwark.example.com' };
  }
  if (url.username !== '' || url.password !== '')
    return { ok: false, message: 'The server address must not contain a user name or password' };
  if (url.protocol === 'https:') return { ok: true, origin: url.origin };
  if (url.protocol === 'http:') {
    if (isLoopbackHost(url.hostname)) return { ok: true, origin: url.origin };
    return {
      ok: false,
      message: `Plain http is allowed only to this computer; use https://${url.host} so your session cannot be read on the network`,
    };
  }
  return { ok: false, message: 'The server address must start with https://' };
}
