import { z } from 'zod';
import { Id, Timestamp } from './common';

export const SessionSummary = z.object({
  id: Id,
  userId: Id,
  clientName: z.string().nullable(),
  userAgent: z.string().nullable(),
  ip: z.string().nullable(),
  lastSeenIp: z.string().nullable(),
  createdAt: Timestamp,
  lastSeenAt: Timestamp,
  expiresAt: Timestamp,
  /** True for the session making this request. */
  current: z.boolean(),
});
export type SessionSummary = z.infer<typeof SessionSummary>;

export const SessionListQuery = z.strictObject({
  /** Platform admins may list another user's sessions. */
  userId: Id.optional(),
});
export const SessionListResponse = z.object({ sessions: z.array(SessionSummary) });
export type SessionListResponse = z.infer<typeof SessionListResponse>;

export const RevokeSessionsResponse = z.object({ revoked: z.number().int() });
export type RevokeSessionsResponse = z.infer<typeof RevokeSessionsResponse>;
