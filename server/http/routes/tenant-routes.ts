import type { AdminApi } from '../../../shared/api/routes';
import type { ServerContext } from '../../context';
import {
  createTenant,
  getVisibleTenant,
  listTenants,
  renameTenant,
  setTenantState,
  tenantStateHistory,
  toApiTenant,
} from '../../identity/tenants';
import type { HandlerMap } from '../routing';

type TenantRoutes = Pick<AdminApi, 'listTenants' | 'createTenant' | 'getTenant' | 'renameTenant' | 'setTenantState' | 'tenantStateHistory'>;

export function tenantHandlers(ctx: ServerContext): HandlerMap<TenantRoutes> {
  return {
    listTenants: async ({ principal }) => ({ tenants: await listTenants(ctx, principal) }),
    createTenant: ({ principal, body, meta }) => createTenant(ctx, principal, body.name, meta),
    getTenant: async ({ principal, params }) => toApiTenant(await getVisibleTenant(ctx, principal, params.id)),
    renameTenant: ({ principal, params, body, meta }) => renameTenant(ctx, principal, params.id, body.name, meta),
    setTenantState: ({ principal, params, body, meta }) => setTenantState(ctx, principal, params.id, body, meta),
    tenantStateHistory: async ({ principal, params }) => ({ changes: await tenantStateHistory(ctx, principal, params.id) }),
  };
}
