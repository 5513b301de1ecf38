import { createHash, timingSafeEqual } from 'node:crypto';
import { ErrorCode } from '../../shared/api/common';
import type { CreateFirstAdminRequest, SetupStatus } from '../../shared/api/setup';
import type { User } from '../../shared/api/users';
import type { ServerContext } from '../context';
import { ApiError, errors } from '../errors';
import type { RequestMeta } from './principal';
import { createUser, toApiUser } from './users';

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

async function platformAdminExists(ctx: ServerContext): Promise<boolean> {
  const row = await ctx.db.selectFrom('users').select('id').where('role', '=', 'platform_admin').executeTakeFirst();
  return row !== undefined;
}

export async function setupStatus(ctx: ServerContext): Promise<SetupStatus> {
  return { firstAdminNeeded: !(await platformAdminExists(ctx)), firstRunEnabled: ctx.config.firstRunToken !== undefined };
}

/** Serialises first-run requests in this process: the check and the insert must not interleave. */
let pending: Promise<unknown> = Promise.resolve();

/**
 * Creates the first platform admin from the console's first-run screen. Only a server started
 * with a one-time token accepts it (the launcher generates one per start), and only while no
 * platform admin exists. The new admin enrolls TOTP at their first sign-in, as every user does.
 */
export function createFirstAdminWithToken(ctx: ServerContext, input: CreateFirstAdminRequest, meta: RequestMeta): Promise<User> {
  const run = pending.then(async () => {
    const expected = ctx.config.firstRunToken;
    if (expected === undefined) {
      throw new ApiError(
        403,
        ErrorCode.forbidden,
        'First-run setup is not enabled on this server; create the first admin with `npm run server -- create-admin`',
      );
    }
    // Compare digests so the comparison takes the same time whatever the length.
    if (!timingSafeEqual(digest(input.firstRunToken), digest(expected))) {
      throw new ApiError(403, ErrorCode.invalidToken, 'The first-run token is not valid; restart the console with `npm start`');
    }
    if (await platformAdminExists(ctx)) throw errors.conflict('A platform admin already exists; sign in instead');
    const row = await createUser(
      ctx,
      null,
      { email: input.email, password: input.password, role: 'platform_admin', displayName: input.displayName ?? input.email },
      meta,
    );
    return toApiUser(row);
  });
  pending = run.catch(() => undefined);
  return run;
}
