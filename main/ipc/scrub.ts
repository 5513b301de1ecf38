/**
 * Last line of defence for the few api:call answers with open-ended parts (audit details,
 * abuse evidence: server-built records whose keys are not fixed): any string under a session
 * credential's name is removed before the answer crosses to the renderer.
 */
export const SESSION_CREDENTIAL_KEY =
  /^(access_?token|refresh_?token|challenge_?token|session_?token|id_?token|token|password|authorization|cookie|bearer|secret)$/i;

export function scrubCredentials(value: unknown, depth = 0): unknown {
  if (depth > 32 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => scrubCredentials(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    if (SESSION_CREDENTIAL_KEY.test(key) && typeof item === 'string') continue;
    out[key] = scrubCredentials(item, depth + 1);
  }
  return out;
}
