import type { AdminApi } from '../../../shared/api/routes';
import type { ServerContext } from '../../context';
import { createFirstAdminWithToken, setupStatus } from '../../identity/first-run';
import type { HandlerMap } from '../routing';

type SetupRoutes = Pick<AdminApi, 'setupStatus' | 'createFirstAdmin'>;

export function setupHandlers(ctx: ServerContext): HandlerMap<SetupRoutes> {
  return {
    setupStatus: () => setupStatus(ctx),
    createFirstAdmin: async ({ body, meta }) => ({ user: await createFirstAdminWithToken(ctx, body, meta) }),
  };
}
