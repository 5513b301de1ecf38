/**
 * No IPC answer can carry a session credential. Main parses every answer with its channel's
 * response schema (zod objects drop undeclared keys), so it is enough to prove that no response
 * schema declares a credential-like field, nor anything open-ended (unknown, any, loose objects)
 * that could smuggle one. Walks every channel, every event and every route allowed through api:call.
 */
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { adminApi } from '../../shared/api/routes';
import { CONSOLE_API_ROUTES } from '../../shared/ipc/api-routes';
import { IPC_CHANNELS, IPC_EVENTS, IpcChannel } from '../../shared/ipc/channels';
import { IPC_CONTRACT, IPC_EVENT_CONTRACT } from '../../shared/ipc/schemas';

/** A credential is a string under a credential-like name; identifiers (`…Id`) and counters (numbers) are not. */
const CREDENTIAL_KEY = /token|secret|password|passphrase|refresh|authori[sz]ation|cookie|bearer|credential|otpauth|api_?key$/i;
const IDENTIFIER_KEY = /Ids?$/;

/** Reviewed exceptions: path → why it is not a session credential. */
const REVIEWED: Record<string, string> = {
  'auth:start-enrollment.otpauthUri':
    'The new TOTP key for first-time enrollment, which the user must see (as a QR code) to set up their authenticator; not a session credential, shown once.',
  'api:call(createEnrollToken).secret':
    'An agent enrollment token a tenant admin must copy to install an agent (shown once, stored hashed by the server); not a user session credential.',
};

/** Paths where an open record is acceptable: string → string form messages, and server-built records scrubbed by main/ipc/scrub.ts. */
const REVIEWED_RECORDS = new Set([
  'scripts:run.runs[].error.fields',
  'api:call(auditTimeline).events[].details',
  'api:call(abuseReviewQueue).reviews[].signals[].evidence[]',
  'api:call(resolveAbuseReview).signals[].evidence[]',
  'api:call(tenantAbuseAssessment).signals[].evidence[]',
]);

function isStringLeaf(schema: z.ZodType): boolean {
  const def = defOf(schema);
  if (['optional', 'nullable', 'default', 'prefault', 'readonly', 'catch', 'nonoptional'].includes(def.type))
    return isStringLeaf(def.innerType as z.ZodType);
  if (def.type === 'union') return (def.options as z.ZodType[]).some(isStringLeaf);
  if (def.type === 'pipe') return isStringLeaf(def.out as z.ZodType) || isStringLeaf(def.in as z.ZodType);
  return def.type === 'string' || def.type === 'template_literal' || def.type === 'unknown' || def.type === 'any';
}

interface Finding {
  path: string;
  problem: string;
}

type Def = { type: string; [key: string]: unknown };
const defOf = (schema: unknown): Def => (schema as { _zod: { def: Def } })._zod.def;

function walk(schema: z.ZodType, path: string, findings: Finding[], seen = new Set<unknown>()): void {
  if (seen.has(schema)) return;
  seen.add(schema);
  const def = defOf(schema);
  switch (def.type) {
    case 'object': {
      const shape = def.shape as Record<string, z.ZodType>;
      for (const [key, value] of Object.entries(shape)) {
        const child = `${path}.${key}`;
        if (CREDENTIAL_KEY.test(key) && !IDENTIFIER_KEY.test(key) && isStringLeaf(value) && !REVIEWED[child]) {
          findings.push({ path: child, problem: 'credential-like field' });
        }
        walk(value, child, findings, seen);
      }
      const catchall = def.catchall as z.ZodType | undefined;
      if (catchall && defOf(catchall).type !== 'never') findings.push({ path, problem: 'open object (undeclared keys would pass)' });
      return;
    }
    case 'array':
      return walk(def.element as z.ZodType, `${path}[]`, findings, seen);
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'readonly':
    case 'catch':
    case 'nonoptional':
      return walk(def.innerType as z.ZodType, path, findings, seen);
    case 'union':
      for (const option of def.options as z.ZodType[]) walk(option, path, findings, seen);
      return;
    case 'intersection':
      walk(def.left as z.ZodType, path, findings, seen);
      walk(def.right as z.ZodType, path, findings, seen);
      return;
    case 'pipe':
      walk(def.out as z.ZodType, path, findings, seen);
      return;
    case 'lazy':
      walk((def.getter as () => z.ZodType)(), path, findings, seen);
      return;
    case 'tuple':
      for (const item of def.items as z.ZodType[]) walk(item, `${path}[]`, findings, seen);
      return;
    case 'record': {
      if (!REVIEWED_RECORDS.has(path)) findings.push({ path, problem: `open record of ${defOf(def.valueType).type}` });
      return;
    }
    case 'unknown':
    case 'any':
    case 'custom':
      findings.push({ path, problem: `${def.type} (could carry anything)` });
      return;
    default:
      // string, number, boolean, enum, literal, date, null, undefined, never: leaves that name no key.
      return;
  }
}

function responseSchemas(): [string, z.ZodType][] {
  const schemas: [string, z.ZodType][] = [];
  for (const channel of IPC_CHANNELS) {
    if (channel === IpcChannel.ApiCall) continue; // its answers are the listed routes' responses, below
    schemas.push([channel, IPC_CONTRACT[channel].response]);
  }
  for (const event of IPC_EVENTS) schemas.push([event, IPC_EVENT_CONTRACT[event]]);
  for (const name of CONSOLE_API_ROUTES) schemas.push([`api:call(${name})`, adminApi[name].response as z.ZodType]);
  return schemas;
}

describe('no session credential on any IPC answer', () => {
  it('covers every channel, every event and every api:call route', () => {
    expect(responseSchemas().length).toBe(IPC_CHANNELS.length - 1 + IPC_EVENTS.length + CONSOLE_API_ROUTES.length);
  });

  it('declares no credential-like or open-ended field in any response schema', () => {
    const findings: Finding[] = [];
    for (const [name, schema] of responseSchemas()) walk(schema, name, findings);
    expect(findings).toEqual([]);
  });

  it('would catch a token field or an open object (the walker itself works)', async () => {
    const { z } = await import('zod');
    const findings: Finding[] = [];
    walk(z.object({ session: z.object({ accessToken: z.string() }) }), 'probe', findings);
    walk(z.looseObject({ id: z.string() }), 'loose', findings);
    walk(z.object({ meta: z.record(z.string(), z.unknown()) }), 'record', findings);
    walk(
      z.discriminatedUnion('ok', [z.object({ ok: z.literal(true), refreshToken: z.string() }), z.object({ ok: z.literal(false) })]),
      'union',
      findings,
    );
    expect(findings.map((f) => f.path)).toEqual(['probe.session.accessToken', 'loose', 'record.meta', 'union.refreshToken']);
  });

  it('scrubs credential-named strings from open-ended answers', async () => {
    const { scrubCredentials } = await import('./scrub');
    expect(scrubCredentials({ events: [{ details: { accessToken: 'a', refresh_token: 'b', reason: 'kept', tokenCount: 3 } }] })).toEqual({
      events: [{ details: { reason: 'kept', tokenCount: 3 } }],
    });
  });

  it('keeps the auth routes that return tokens out of api:call', () => {
    for (const name of ['login', 'mfa', 'enroll', 'enrollVerify', 'refresh', 'logout', 'createApiKey', 'openApi'] as const) {
      expect(CONSOLE_API_ROUTES as readonly string[]).not.toContain(name);
    }
    // ...and those routes do carry tokens, so the walker would have caught them.
    const findings: Finding[] = [];
    walk(adminApi.mfa.response, 'mfa', findings);
    expect(findings.map((f) => f.path)).toContain('mfa.accessToken');
  });
});
