import { z } from 'zod';
import { parseDestinationRule } from '../policy/destinations/index';
import { Email, NewPassword, LoginPassword } from './auth';
import { Id, Timestamp } from './common';
import { TenantState } from './roles';
import { Reason, TenantName } from './tenants';

/**
 * Controls (issue 5): extended trust, blocked destinations, tenant verification and limits,
 * self-service sign-up, email changes, and the policy context the console pre-checks with.
 */

// ---- Extended trust ----------------------------------------------------------------------

export const MAX_TRUST_DAYS = 30;
export const TrustDays = z.coerce
  .number()
  .int('Give a whole number of days')
  .min(1, 'At least 1 day')
  .max(MAX_TRUST_DAYS, `Extended trust lasts at most ${MAX_TRUST_DAYS} days`);
export const TrustLevel = z.enum(['standard', 'extended']);
export type TrustLevel = z.infer<typeof TrustLevel>;
export const TrustRequestStatus = z.enum(['pending', 'approved', 'denied', 'cancelled']);
export type TrustRequestStatus = z.infer<typeof TrustRequestStatus>;
export const TrustEvent = z.enum(['requested', 'approved', 'denied', 'revoked', 'expired']);

export const TrustRequest = z.object({
  id: Id,
  tenantId: Id,
  tenantName: z.string(),
  requestedBy: Id,
  requestedDays: z.number().int(),
  reason: z.string(),
  status: TrustRequestStatus,
  createdAt: Timestamp,
  decidedBy: Id.nullable(),
  decidedAt: Timestamp.nullable(),
  decisionReason: z.string().nullable(),
  approvedDays: z.number().int().nullable(),
  /** For approved requests: when the extended trust ends (or ended). */
  expiresAt: Timestamp.nullable(),
});
export type TrustRequest = z.infer<typeof TrustRequest>;

export const CreateTrustRequest = z.strictObject({ days: TrustDays, reason: Reason });
export type CreateTrustRequest = z.infer<typeof CreateTrustRequest>;
/** `days` may be shorter than requested, never longer (and never more than 30); default: as requested. */
export const ApproveTrustRequest = z.strictObject({ days: TrustDays.optional(), reason: Reason });
export type ApproveTrustRequest = z.infer<typeof ApproveTrustRequest>;
export const DecideTrustRequest = z.strictObject({ reason: Reason });
export const RevokeTrustRequest = z.strictObject({ reason: Reason });

export const TrustRequestListQuery = z.strictObject({
  status: TrustRequestStatus.optional(),
  tenantId: Id.optional(),
});
export const TrustRequestListResponse = z.object({ requests: z.array(TrustRequest) });

export const TrustStatus = z.object({
  tenantId: Id,
  level: TrustLevel,
  /** When extended trust ends; null when standard. */
  expiresAt: Timestamp.nullable(),
  grantedAt: Timestamp.nullable(),
  pendingRequest: TrustRequest.nullable(),
});
export type TrustStatus = z.infer<typeof TrustStatus>;

/** One trust change: who, when, from → to, until when, why. */
export const TrustChange = z.object({
  id: Id,
  tenantId: Id,
  event: TrustEvent,
  requestId: Id.nullable(),
  /** Null for the expiry, which happens by itself. */
  actorUserId: Id.nullable(),
  from: TrustLevel,
  to: TrustLevel,
  expiresAt: Timestamp.nullable(),
  days: z.number().int().nullable(),
  reason: z.string(),
  at: Timestamp,
});
export type TrustChange = z.infer<typeof TrustChange>;
export const TrustHistoryResponse = z.object({ changes: z.array(TrustChange) });

// ---- Blocked destinations ------------------------------------------------------------------

export const DestinationRuleKind = z.enum(['domain', 'ip', 'cidr', 'url_prefix']);
export type DestinationRuleKindName = z.infer<typeof DestinationRuleKind>;

/** A kind and value, validated by the policy engine's own parser (the code that later matches them). */
const destinationEntryShape = { kind: DestinationRuleKind, value: z.string().min(1).max(2048) };
function checkDestinationEntry(entry: { kind: string; value: string }, ctx: z.RefinementCtx) {
  const parsed = parseDestinationRule(entry.kind, entry.value);
  if (!parsed.ok) ctx.addIssue({ code: 'custom', path: ['value'], message: parsed.error });
}

export const DestinationEntry = z.strictObject(destinationEntryShape).superRefine(checkDestinationEntry);
export type DestinationEntry = z.infer<typeof DestinationEntry>;

export const BlockedDestinationRule = z.object({
  id: Id,
  /** Null: a global rule (platform admins). */
  tenantId: Id.nullable(),
  scope: z.enum(['global', 'tenant']),
  kind: DestinationRuleKind,
  value: z.string(),
  reason: z.string(),
  createdBy: Id.nullable(),
  createdAt: Timestamp,
  removedAt: Timestamp.nullable(),
  removedBy: Id.nullable(),
  removedReason: z.string().nullable(),
});
export type BlockedDestinationRule = z.infer<typeof BlockedDestinationRule>;

/** Platform admins: omit `tenantId` for a global rule. Tenant admins: always their own tenant. */
export const CreateDestinationRuleRequest = z
  .strictObject({ ...destinationEntryShape, tenantId: Id.optional(), reason: Reason })
  .superRefine(checkDestinationEntry);
export type CreateDestinationRuleRequest = z.infer<typeof CreateDestinationRuleRequest>;
export const RemoveDestinationRuleRequest = z.strictObject({ reason: Reason });

export const DestinationRuleListQuery = z.strictObject({
  /** Staff: one tenant's rules (with the global ones); tenant users always see global + their own. */
  tenantId: Id.optional(),
  scope: z.enum(['global', 'tenant', 'all']).default('all'),
  includeRemoved: z.enum(['true', 'false']).default('false'),
});
export const DestinationRuleListResponse = z.object({ rules: z.array(BlockedDestinationRule) });

/** What a refusal says about the rule that matched. */
export const MatchedDestinationRule = z.object({
  id: z.string(),
  kind: DestinationRuleKind,
  value: z.string(),
  reason: z.string().nullable(),
  scope: z.enum(['global', 'tenant']),
});
export type MatchedDestinationRule = z.infer<typeof MatchedDestinationRule>;

// ---- Tenant verification, limits, allowlist ------------------------------------------------

export const EnrollTokenLimits = z.object({
  maxActive: z.number().int(),
  maxUsesPerToken: z.number().int(),
  maxValidityHours: z.number().int(),
});
export const TenantLimits = z.object({
  dispatchesPerMinute: z.number().int(),
  concurrentTerminalSessions: z.number().int(),
  enrollTokens: EnrollTokenLimits,
});
export type TenantLimits = z.infer<typeof TenantLimits>;

const limit = (max: number, min = 0) => z.number().int().min(min).max(max).nullable().optional();
/** Per-tenant overrides; null resets a limit to the configured default, omitted leaves it unchanged. */
export const SetTenantLimitsRequest = z.strictObject({
  dispatchesPerMinute: limit(100_000),
  concurrentTerminalSessions: limit(10_000),
  enrollMaxActiveTokens: limit(10_000),
  enrollMaxUsesPerToken: limit(1_000_000, 1),
  enrollMaxValidityHours: limit(24 * 365, 1),
  /** Only these destinations may be reached; [] = none (except loopback); null = no allowlist. */
  destinationAllowlist: z.array(DestinationEntry).max(500).nullable().optional(),
  reason: Reason,
});
export type SetTenantLimitsRequest = z.infer<typeof SetTenantLimitsRequest>;

export const AllowlistEntry = z.object({ id: z.string(), kind: DestinationRuleKind, value: z.string() });

export const TenantControls = z.object({
  tenantId: Id,
  verified: z.boolean(),
  verifiedAt: Timestamp.nullable(),
  verifiedBy: Id.nullable(),
  origin: z.enum(['admin', 'signup']),
  /** Limits in force (overrides, else the defaults for verified or trial tenants). */
  limits: TenantLimits,
  overrides: z.object({
    dispatchesPerMinute: z.number().int().nullable(),
    concurrentTerminalSessions: z.number().int().nullable(),
    enrollMaxActiveTokens: z.number().int().nullable(),
    enrollMaxUsesPerToken: z.number().int().nullable(),
    enrollMaxValidityHours: z.number().int().nullable(),
  }),
  /** The allowlist in force: the tenant's own, the trial default, or null (none). */
  destinationAllowlist: z.array(AllowlistEntry).nullable(),
  /** Whether the tenant has its own allowlist (otherwise the configured default applies). */
  ownAllowlist: z.boolean(),
});
export type TenantControls = z.infer<typeof TenantControls>;

export const VerifyTenantRequest = z.strictObject({ reason: Reason });

// ---- Policy context (console pre-check) ------------------------------------------------------

/** What the console needs to run the same engine before sending; no secrets. */
export const PolicyContextResponse = z.object({
  tenantId: Id,
  state: TenantState,
  verified: z.boolean(),
  trust: z.object({ level: TrustLevel, expiresAt: Timestamp.nullable() }),
  /** Server time the context was read at. */
  now: Timestamp,
  blockedDestinations: z.array(MatchedDestinationRule),
  destinationAllowlist: z.array(AllowlistEntry).nullable(),
  permittedScriptHashes: z.array(z.string()),
  limits: TenantLimits,
});
export type PolicyContextResponse = z.infer<typeof PolicyContextResponse>;

// ---- Sign-up and email changes ---------------------------------------------------------------

export const SignupRequest = z.strictObject({
  tenantName: TenantName,
  email: Email,
  displayName: z.string().trim().min(1).max(120),
  password: NewPassword,
});
export type SignupRequest = z.infer<typeof SignupRequest>;

export const SignupResponse = z.object({
  tenantId: Id,
  userId: Id,
  email: z.string(),
  verified: z.literal(false),
  /** Sign in with the password next: the first sign-in enrolls the authenticator app. */
  next: z.literal('sign_in_and_enroll'),
});
export type SignupResponse = z.infer<typeof SignupResponse>;

/** Changing your own email needs your password again. */
export const ChangeOwnEmailRequest = z.strictObject({ email: Email, password: LoginPassword });
export const ChangeUserEmailRequest = z.strictObject({ email: Email, reason: Reason });
