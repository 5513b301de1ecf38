/** Server error codes that mean "this session is over", and what the console tells the user. */
import type { z } from 'zod';
import { ErrorCode } from '../../shared/api/common';
import type { SignedOutReason as SignedOutReasonSchema } from '../../shared/ipc/schemas';

export type SignedOutReason = z.infer<typeof SignedOutReasonSchema>;

export const SIGNED_OUT_CODES: ReadonlyMap<string, SignedOutReason> = new Map<string, SignedOutReason>([
  [ErrorCode.sessionRevoked, 'session_revoked'],
  [ErrorCode.sessionExpired, 'session_expired'],
  [ErrorCode.tenantBlocked, 'tenant_blocked'],
  [ErrorCode.refreshTokenReused, 'refresh_token_reused'],
  [ErrorCode.invalidToken, 'invalid_token'],
  [ErrorCode.unauthenticated, 'unauthenticated'],
]);

const MESSAGES: Record<SignedOutReason, string> = {
  signed_out: 'You signed out.',
  session_revoked: 'This session was ended (from another device or by an administrator). Sign in again.',
  session_expired: 'Your session has expired. Sign in again.',
  tenant_blocked: "Your organisation's access has been blocked; contact your provider.",
  refresh_token_reused: 'This session was ended because its credentials were used twice (possibly copied). Sign in again.',
  invalid_token: 'This session is no longer valid. Sign in again.',
  unauthenticated: 'The server no longer recognises this session. Sign in again.',
};

export function signedOutMessage(reason: SignedOutReason): string {
  return MESSAGES[reason];
}
