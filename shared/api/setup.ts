import { z } from 'zod';
import { Email, NewPassword } from './auth';
import { User } from './users';

/**
 * First-run setup: on a fresh installation the console creates the first platform admin.
 * The request carries a one-time token that only the launcher (`npm start`) and the
 * console's main process know, so nobody else who can reach the port can claim the server.
 */
export const SetupStatus = z.object({
  /** No platform admin exists yet. */
  firstAdminNeeded: z.boolean(),
  /** This server accepts first-run setup (it was started with BULWARK_FIRST_RUN_TOKEN). */
  firstRunEnabled: z.boolean(),
});
export type SetupStatus = z.infer<typeof SetupStatus>;

export const CreateFirstAdminRequest = z.strictObject({
  firstRunToken: z.string().min(1).max(200),
  email: Email,
  displayName: z.string().trim().min(1).max(120).optional(),
  password: NewPassword,
});
export type CreateFirstAdminRequest = z.infer<typeof CreateFirstAdminRequest>;

export const CreateFirstAdminResponse = z.object({ user: User });
export type CreateFirstAdminResponse = z.infer<typeof CreateFirstAdminResponse>;
