import type { AdminApi } from '../../../shared/api/routes';
import type { ServerContext } from '../../context';
import { createApiKey, listApiKeys, revokeApiKey } from '../../identity/api-keys';
import { createUser, getVisibleUser, listUsers, toApiUser } from '../../identity/users';
import type { HandlerMap } from '../routing';

type UserRoutes = Pick<AdminApi, 'listUsers' | 'createUser' | 'getUser' | 'listApiKeys' | 'createApiKey' | 'revokeApiKey'>;

export function userHandlers(ctx: ServerContext): HandlerMap<UserRoutes> {
  return {
    listUsers: async ({ principal, query }) => ({ users: await listUsers(ctx, principal, query) }),
    createUser: async ({ principal, body, meta }) => toApiUser(await createUser(ctx, principal, body, meta)),
    getUser: async ({ principal, params }) => toApiUser(await getVisibleUser(ctx, principal, params.id)),
    listApiKeys: async ({ principal, query }) => ({ apiKeys: await listApiKeys(ctx, principal, query) }),
    createApiKey: ({ principal, body, meta }) => createApiKey(ctx, principal, body, meta),
    revokeApiKey: ({ principal, params, meta }) => revokeApiKey(ctx, principal, params.id, meta),
  };
}
