import { z } from 'zod';
import { Id, Timestamp } from './common';
import { Role, StepUpAction, TenantState } from './roles';

export const Email = z.email().max(254);
/** A 6-digit TOTP code as shown by authenticator apps. */
export const TotpCode = z.string().regex(/^\d{6}$/, 'Enter the 6-digit code from your authenticator app');
/** Passwords at sign-in: length is bounded only to keep hashing cheap to refuse. */
export const LoginPassword = z.string().min(1).max(1024);
/** Passwords when set: the server also checks them against a list of common passwords. */
export const NewPassword = z.string().min(12, 'Use at least 12 characters').max(1024);
export const ClientName = z.string().trim().min(1).max(100);

export const LoginRequest = z.strictObject({
  email: Email,
  password: LoginPassword,
  /** Shown in the session list ("Bulwark console on LAPTOP-7"). */
  clientName: ClientName.optional(),
});
export type LoginRequest = z.infer<typeof LoginRequest>;

/**
 * A correct password never yields tokens on its own: it yields a short-lived challenge
 * that must be completed with a TOTP code (`mfa`), or with TOTP enrollment (`enroll`)
 * for a user who has not confirmed an authenticator yet.
 */
export const LoginResponse = z.object({
  next: z.enum(['mfa', 'enroll']),
  challengeToken: z.string(),
  expiresAt: Timestamp,
});
export type LoginResponse = z.infer<typeof LoginResponse>;

export const MfaRequest = z.strictObject({ challengeToken: z.string().min(1).max(200), code: TotpCode });
export type MfaRequest = z.infer<typeof MfaRequest>;

export const EnrollRequest = z.strictObject({ challengeToken: z.string().min(1).max(200) });
export type EnrollRequest = z.infer<typeof EnrollRequest>;

/** The secret is returned once so the console can render the QR code locally. */
export const EnrollResponse = z.object({
  otpauthUrl: z.string(),
  secret: z.string(),
});
export type EnrollResponse = z.infer<typeof EnrollResponse>;

export const EnrollVerifyRequest = MfaRequest;
export type EnrollVerifyRequest = z.infer<typeof EnrollVerifyRequest>;

export const TokenResponse = z.object({
  sessionId: Id,
  accessToken: z.string(),
  accessTokenExpiresAt: Timestamp,
  refreshToken: z.string(),
  refreshTokenExpiresAt: Timestamp,
  /** The session ends at this time whatever happens (absolute timeout). */
  sessionExpiresAt: Timestamp,
});
export type TokenResponse = z.infer<typeof TokenResponse>;

export const RefreshRequest = z.strictObject({ refreshToken: z.string().min(1).max(200) });
export type RefreshRequest = z.infer<typeof RefreshRequest>;

export const StepUpRequest = z.strictObject({ code: TotpCode, action: StepUpAction });
export type StepUpRequest = z.infer<typeof StepUpRequest>;

export const StepUpGrant = z.object({ action: StepUpAction, expiresAt: Timestamp });
export type StepUpGrant = z.infer<typeof StepUpGrant>;

export const MeResponse = z.object({
  principal: z.enum(['user', 'api_key']),
  user: z
    .object({
      id: Id,
      email: z.string(),
      displayName: z.string(),
      role: Role,
      tenantId: Id.nullable(),
    })
    .nullable(),
  apiKey: z.object({ id: Id, name: z.string(), role: Role, tenantId: Id }).nullable(),
  tenant: z.object({ id: Id, name: z.string(), state: TenantState, stateReason: z.string().nullable() }).nullable(),
  session: z.object({ id: Id, createdAt: Timestamp, expiresAt: Timestamp, stepUps: z.array(StepUpGrant) }).nullable(),
});
export type MeResponse = z.infer<typeof MeResponse>;
