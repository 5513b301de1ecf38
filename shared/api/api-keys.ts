import { z } from 'zod';
import { Id, Timestamp } from './common';
import { TenantRole } from './roles';

/** An IPv4 or IPv6 address or CIDR block, e.g. `203.0.113.0/24` or `2001:db8::/32`. */
export const Cidr = z
  .string()
  .trim()
  .max(64)
  .refine((value) => isCidrSyntax(value), 'Expected an IP address or CIDR block such as 203.0.113.0/24');

function isCidrSyntax(value: string): boolean {
  const [address, prefix, extra] = value.split('/');
  if (extra !== undefined || address === undefined) return false;
  const v4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/.test(address);
  const v6 = !v4 && /^[0-9a-fA-F:.]+$/.test(address) && address.includes(':');
  if (!v4 && !v6) return false;
  if (prefix === undefined) return true;
  if (!/^\d{1,3}$/.test(prefix)) return false;
  return Number(prefix) <= (v4 ? 32 : 128);
}

export const ApiKey = z.object({
  id: Id,
  tenantId: Id,
  name: z.string(),
  role: TenantRole,
  /** The first characters of the key, to recognise it; the key itself is never shown again. */
  prefix: z.string(),
  allowedCidrs: z.array(z.string()),
  expiresAt: Timestamp,
  createdAt: Timestamp,
  createdBy: Id.nullable(),
  revokedAt: Timestamp.nullable(),
  lastUsedAt: Timestamp.nullable(),
  lastUsedIp: z.string().nullable(),
});
export type ApiKey = z.infer<typeof ApiKey>;

export const ApiKeyListQuery = z.strictObject({ tenantId: Id.optional() });
export const ApiKeyListResponse = z.object({ apiKeys: z.array(ApiKey) });

export const CreateApiKeyRequest = z.strictObject({
  /** Tenant admins may omit it (their own tenant); platform admins must give it. */
  tenantId: Id.optional(),
  name: z.string().trim().min(1).max(120),
  role: TenantRole,
  /** Keys always expire; at most one year. */
  expiresInDays: z.number().int().min(1).max(365),
  /** When given, the key is refused (and the attempt recorded) from any other address. */
  allowedCidrs: z.array(Cidr).max(50).optional(),
});
export type CreateApiKeyRequest = z.infer<typeof CreateApiKeyRequest>;

export const CreateApiKeyResponse = z.object({
  apiKey: ApiKey,
  /** Shown once; only its hash is stored. Send as `Authorization: Bearer <key>`. */
  secret: z.string(),
});
export type CreateApiKeyResponse = z.infer<typeof CreateApiKeyResponse>;
