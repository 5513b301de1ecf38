import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import type { z } from 'zod';
import type { RefusalCode } from '../shared/agent-protocol/messages';
import type { SignedEnvelope } from '../shared/agent-protocol/signing';

export type VerifyResult<T> = { ok: true; order: T } | { ok: false; code: RefusalCode; message: string };

/** The server's signing key as stored at enrollment. */
export class ServerKey {
  private constructor(
    readonly keyId: string,
    private readonly key: KeyObject,
  ) {}

  static fromPem(pem: string, keyId: string): ServerKey {
    const key = createPublicKey(pem);
    if (key.asymmetricKeyType !== 'ed25519') throw new Error('the stored server key is not an Ed25519 key');
    return new ServerKey(keyId, key);
  }

  /**
   * Checks a signed envelope and parses its payload with `schema`. Signature first: nothing
   * from an unverified payload is looked at. Usable for any signed order (exec, terminal, viewer).
   */
  verify<T>(envelope: SignedEnvelope | undefined, schema: z.ZodType<T>): VerifyResult<T> {
    if (!envelope) return { ok: false, code: 'signature_missing', message: 'the order is not signed; refusing it' };
    if (envelope.keyId !== this.keyId) {
      return {
        ok: false,
        code: 'unknown_key',
        message: `the order is signed with key ${envelope.keyId.slice(0, 64)}, not this server's key`,
      };
    }
    let valid = false;
    try {
      valid = verify(null, Buffer.from(envelope.payload, 'utf8'), this.key, Buffer.from(envelope.signature, 'base64'));
    } catch {
      valid = false;
    }
    if (!valid)
      return { ok: false, code: 'signature_invalid', message: "the order's signature does not verify with the server's key; refusing it" };
    let value: unknown;
    try {
      value = JSON.parse(envelope.payload);
    } catch {
      return { ok: false, code: 'malformed_order', message: 'the signed payload is not JSON' };
    }
    const parsed = schema.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return {
        ok: false,
        code: 'malformed_order',
        message: `the signed order is not valid: ${issue ? `${issue.path.join('.')}: ${issue.message}` : 'invalid'}`,
      };
    }
    return { ok: true, order: parsed.data };
  }
}
