import { createHash, createPrivateKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import type { SignedEnvelope } from '../../shared/agent-protocol/signing';
import type { ServerContext } from '../context';

/** The one signing key row; every server instance shares it through the database. */
const PRIMARY = 'primary';
const SEAL_CONTEXT = 'agent-signing-key';

export interface AgentSigner {
  keyId: string;
  /** SPKI PEM, handed to agents at enrollment. */
  publicKeyPem: string;
  /** Signs the exact UTF-8 bytes of `payload`. */
  sign(payload: string): SignedEnvelope;
}

export function keyIdOf(publicKeyPem: string): string {
  return createHash('sha256').update(publicKeyPem.trim(), 'utf8').digest('hex').slice(0, 16);
}

function signerFrom(publicKeyPem: string, privateKey: KeyObject): AgentSigner {
  const keyId = keyIdOf(publicKeyPem);
  return {
    keyId,
    publicKeyPem,
    sign: (payload) => ({ payload, keyId, signature: sign(null, Buffer.from(payload, 'utf8'), privateKey).toString('base64') }),
  };
}

/**
 * The server's Ed25519 key for signing execution orders. Created on first use and stored in
 * the database with the private half sealed by the server key (so every instance signs with the
 * same key and a database dump alone does not reveal it).
 */
export async function loadAgentSigner(ctx: ServerContext): Promise<AgentSigner> {
  const existing = await ctx.db.selectFrom('agent_signing_keys').selectAll().where('id', '=', PRIMARY).executeTakeFirst();
  if (existing) {
    return signerFrom(existing.public_key, createPrivateKey(ctx.secretBox.open(existing.private_key_enc, SEAL_CONTEXT)));
  }
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const privateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  // Another instance may create it at the same moment: the first insert wins, everyone reads it back.
  await ctx.db
    .insertInto('agent_signing_keys')
    .values({
      id: PRIMARY,
      public_key: publicKeyPem,
      private_key_enc: ctx.secretBox.seal(privateKeyPem, SEAL_CONTEXT),
      created_at: ctx.clock.now(),
    })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
  return loadAgentSigner(ctx);
}
