import type { ServerContext } from '../context';
import { createTenant } from '../identity/tenants';
import { issueEnrollToken } from './enroll-tokens';

/**
 * `npm start` makes the machine it runs on the first managed endpoint. Endpoints belong to a
 * tenant, so that machine gets a tenant of its own, named so nobody mistakes it for a customer.
 * Nothing else is seeded.
 */
export const LOCAL_MACHINE_TENANT = 'This machine (local)';

/** A one-use, short-lived enroll token for the launcher's local agent. */
export async function issueLocalMachineEnrollToken(ctx: ServerContext): Promise<{ tenantId: string; secret: string }> {
  const existing = await ctx.db.selectFrom('tenants').select('id').where('name', '=', LOCAL_MACHINE_TENANT).executeTakeFirst();
  const tenantId = existing?.id ?? (await createTenant(ctx, null, LOCAL_MACHINE_TENANT, null)).id;
  const { secret } = await issueEnrollToken(ctx, tenantId, { name: 'npm start: this machine', validityHours: 1, maxUses: 1 }, null, null);
  return { tenantId, secret };
}
