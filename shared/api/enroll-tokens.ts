import { z } from 'zod';
import { Id, Timestamp } from './common';

/** Enroll tokens let an agent join a tenant (`npm run agent -- enroll`). The secret is shown once; only its hash is stored. */
export const EnrollTokenStatus = z.enum(['active', 'expired', 'used_up', 'revoked']);

export const EnrollToken = z.object({
  id: Id,
  tenantId: Id,
  name: z.string(),
  /** The first characters of the token, to recognise it. */
  prefix: z.string(),
  maxUses: z.number().int(),
  useCount: z.number().int(),
  expiresAt: Timestamp,
  createdAt: Timestamp,
  createdBy: Id.nullable(),
  lastUsedAt: Timestamp.nullable(),
  lastUsedEndpointId: Id.nullable(),
  revokedAt: Timestamp.nullable(),
  status: EnrollTokenStatus,
});
export type EnrollToken = z.infer<typeof EnrollToken>;

export const CreateEnrollTokenRequest = z.strictObject({
  /** Required for platform admins; tenant admins create tokens for their own tenant. */
  tenantId: Id.optional(),
  name: z.string().trim().min(1).max(100),
  /** Trial tenants have a lower ceiling (tenant limits). */
  validityHours: z
    .number()
    .int()
    .min(1)
    .max(24 * 365)
    .default(24),
  maxUses: z.number().int().min(1).max(1_000_000).default(1),
});
export const CreateEnrollTokenResponse = z.object({
  token: EnrollToken,
  /** The token itself: give it to `npm run agent -- enroll --token`. Never shown again. */
  secret: z.string(),
});

export const EnrollTokenListQuery = z.strictObject({
  tenantId: Id.optional(),
  /** Also list expired, used-up and revoked tokens. */
  all: z.enum(['true', 'false']).optional(),
});
export const EnrollTokenListResponse = z.object({ tokens: z.array(EnrollToken) });

export const EnrollTokenUse = z.object({
  id: Id,
  tokenId: Id,
  endpointId: Id,
  hostname: z.string(),
  at: Timestamp,
  ip: z.string().nullable(),
});
export const EnrollTokenUsesResponse = z.object({ uses: z.array(EnrollTokenUse) });
