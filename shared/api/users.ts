import { z } from 'zod';
import { Id, Timestamp } from './common';
import { Email, NewPassword } from './auth';
import { Role } from './roles';

export const User = z.object({
  id: Id,
  tenantId: Id.nullable(),
  email: z.string(),
  displayName: z.string(),
  role: Role,
  mfaEnrolled: z.boolean(),
  createdAt: Timestamp,
});
export type User = z.infer<typeof User>;

export const UserListQuery = z.strictObject({ tenantId: Id.optional() });
export const UserListResponse = z.object({ users: z.array(User) });

/**
 * Creates a user with an initial password; the user must enroll TOTP at first sign-in.
 * Tenant roles need a `tenantId` (tenant admins may omit it: their own tenant);
 * platform roles must not have one.
 */
export const CreateUserRequest = z.strictObject({
  email: Email,
  displayName: z.string().trim().min(1).max(120),
  role: Role,
  tenantId: Id.optional(),
  password: NewPassword,
});
export type CreateUserRequest = z.infer<typeof CreateUserRequest>;
