import { shell } from 'electron';

/**
 * The only place that may open a link outside the app (lint forbids `shell.openExternal`
 * anywhere else). Only https links to hosts listed here leave the app.
 */
const ALLOWED_EXTERNAL_HOSTS: ReadonlySet<string> = new Set(['github.com', 'attack.mitre.org', 'lolrmm.io']);

export function isAllowedExternalUrl(raw: string): boolean {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  return url.protocol === 'https:' && url.username === '' && url.password === '' && ALLOWED_EXTERNAL_HOSTS.has(url.hostname);
}

export async function openExternal(raw: string): Promise<boolean> {
  if (!isAllowedExternalUrl(raw)) return false;
  await shell.openExternal(raw);
  return true;
}
