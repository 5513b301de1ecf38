import { z } from 'zod';
import { PlatformName, ShellName, WirePolicyContext } from './policy-wire';

/**
 * Signed orders. The server signs the exact UTF-8 bytes of `payload` (a JSON text) with its
 * Ed25519 agent-signing key; the agent verifies the signature over those same bytes before it
 * parses the payload. Signing a string (rather than re-serialising an object) means both ends
 * agree on the bytes without a canonical-JSON scheme.
 */
export const SignedEnvelope = z.strictObject({
  /** JSON text of the order (schema depends on the message carrying it). */
  payload: z
    .string()
    .min(2)
    .max(8 * 1024 * 1024),
  /** Base64 Ed25519 signature of the payload's UTF-8 bytes. */
  signature: z.string().min(1).max(200),
  /** Which server key signed it (sha256 of the public key, hex, first 16 chars). */
  keyId: z.string().min(1).max(64),
});
export type SignedEnvelope = z.infer<typeof SignedEnvelope>;

/** How long a signed order stays valid: long enough for queueing, short enough to limit replay. */
export const ORDER_TTL_MS = 2 * 60_000;
/** Clock difference between server and agent tolerated when checking `issuedAt`/`expiresAt`. */
export const ORDER_CLOCK_SKEW_MS = 5 * 60_000;

export const MAX_TIMEOUT_MS = 24 * 60 * 60_000;
export const DEFAULT_TIMEOUT_MS = 5 * 60_000;
export const MAX_OUTPUT_BYTES = 4 * 1024 * 1024;
export const DEFAULT_OUTPUT_BYTES = 1024 * 1024;

/** The action kinds an execution order can carry (the engine's ActionKind minus terminal lines). */
export const ExecAction = z.enum(['command', 'script', 'schedule']);
export type ExecAction = z.infer<typeof ExecAction>;

/**
 * What the server orders an agent to run, and the policy context it decided with.
 * The agent re-runs the shared policy engine with this context (defence in depth) and
 * refuses anything it blocks.
 */
export const ExecOrder = z.strictObject({
  kind: z.literal('exec'),
  execId: z.uuid(),
  endpointId: z.uuid(),
  tenantId: z.uuid(),
  action: ExecAction,
  shell: ShellName,
  platform: PlatformName,
  text: z
    .string()
    .min(1)
    .max(1024 * 1024),
  /** sha256 of `text` as the server computed it; the agent recomputes and compares. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  timeoutMs: z.number().int().min(1000).max(MAX_TIMEOUT_MS),
  maxOutputBytes: z.number().int().min(1024).max(MAX_OUTPUT_BYTES),
  policy: WirePolicyContext,
  /** Epoch milliseconds, server clock. */
  issuedAt: z.number(),
  expiresAt: z.number(),
});
export type ExecOrder = z.infer<typeof ExecOrder>;
