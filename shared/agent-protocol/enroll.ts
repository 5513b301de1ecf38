import { z } from 'zod';
import { Inventory } from './messages';

/** `POST /agent/v1/enroll` on the agent listener (never on the admin API). */
export const AgentEnrollRequest = z.strictObject({
  token: z.string().min(10).max(200),
  inventory: Inventory,
});
export type AgentEnrollRequest = z.infer<typeof AgentEnrollRequest>;

export const AgentEnrollResponse = z.object({
  endpointId: z.uuid(),
  tenantId: z.uuid(),
  /** The agent's bearer credential; the server keeps only its sha256. Shown once. */
  credential: z.string(),
  /** Ed25519 public key (SPKI PEM) that signs every execution order. */
  serverPublicKey: z.string(),
  serverKeyId: z.string(),
  protocol: z.number().int(),
});
export type AgentEnrollResponse = z.infer<typeof AgentEnrollResponse>;
