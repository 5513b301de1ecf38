import type { agentsRoutes } from '../../../shared/api/agents-routes';
import { agentHub } from '../../agents/hub';
import { createEnrollToken, enrollTokenUses, listEnrollTokens, revokeEnrollToken } from '../../agents/enroll-tokens';
import { getVisibleEndpoint, listEndpoints, revokeEndpoint, toApiEndpoint } from '../../agents/endpoints';
import type { ServerContext } from '../../context';
import { defaultShell, dispatch } from '../../dispatch/executions';
import { endpointExecutions, executionOutput, getExecution, getRun } from '../../dispatch/queries';
import {
  createSchedule,
  deleteSchedule,
  getSchedule,
  listSchedules,
  runScheduleNow,
  scheduleRuns,
  updateSchedule,
} from '../../dispatch/schedules';
import { createScript, deleteScript, getScript, listScripts, permitScript, runScript, updateScript } from '../../dispatch/scripts';
import { errors } from '../../errors';
import type { HandlerMap } from '../routing';

export function agentsHandlers(ctx: ServerContext): HandlerMap<typeof agentsRoutes> {
  const hub = agentHub(ctx);
  return {
    listEnrollTokens: async ({ principal, query }) => ({ tokens: await listEnrollTokens(ctx, principal, query) }),
    createEnrollToken: ({ principal, body, meta }) => createEnrollToken(ctx, principal, body, meta),
    revokeEnrollToken: ({ principal, params, meta }) => revokeEnrollToken(ctx, principal, params.id, meta),
    enrollTokenUses: async ({ principal, params }) => ({ uses: await enrollTokenUses(ctx, principal, params.id) }),

    listEndpoints: ({ principal, query }) => listEndpoints(ctx, hub, principal, query),
    getEndpoint: async ({ principal, params }) =>
      toApiEndpoint(await getVisibleEndpoint(ctx, principal, params.id), hub.isOnline(params.id)),
    revokeEndpoint: ({ principal, params, body, meta }) => revokeEndpoint(ctx, hub, principal, params.id, body.reason, meta),
    runCommand: async ({ principal, params, body, meta }) => {
      const endpoint = await getVisibleEndpoint(ctx, principal, params.id);
      if (endpoint.revoked_at) throw errors.notFound('endpoint');
      return dispatch(ctx, hub, {
        tenantId: endpoint.tenant_id,
        kind: 'command',
        action: 'command',
        text: body.text,
        shell: body.shell ?? defaultShell(endpoint.os_family),
        endpoints: [endpoint],
        timeoutMs: body.timeoutSeconds * 1000,
        principal,
        meta,
      });
    },
    endpointExecutions: async ({ principal, params, query }) => {
      await getVisibleEndpoint(ctx, principal, params.id);
      return endpointExecutions(ctx, params.id, query.limit);
    },
    getExecution: ({ principal, params, query }) => getExecution(ctx, principal, params.id, query.waitSeconds),
    executionOutput: ({ principal, params, query }) => executionOutput(ctx, principal, params.id, query.after, query.limit),
    getRun: ({ principal, params }) => getRun(ctx, principal, params.id),

    listScripts: ({ principal, query }) => listScripts(ctx, principal, query.tenantId),
    createScript: ({ principal, body, meta }) => createScript(ctx, principal, body, meta),
    getScript: ({ principal, params }) => getScript(ctx, principal, params.id),
    updateScript: ({ principal, params, body, meta }) => updateScript(ctx, principal, params.id, body, meta),
    deleteScript: ({ principal, params, meta }) => deleteScript(ctx, principal, params.id, meta),
    permitScript: ({ principal, params, body, meta }) => permitScript(ctx, principal, params.id, body.reason, meta),
    runScript: ({ principal, params, body, meta }) => runScript(ctx, hub, principal, params.id, body, meta),

    listSchedules: ({ principal, query }) => listSchedules(ctx, principal, query.tenantId),
    createSchedule: ({ principal, body, meta }) => createSchedule(ctx, principal, body, meta),
    getSchedule: ({ principal, params }) => getSchedule(ctx, principal, params.id),
    updateSchedule: ({ principal, params, body, meta }) => updateSchedule(ctx, principal, params.id, body, meta),
    deleteSchedule: ({ principal, params, meta }) => deleteSchedule(ctx, principal, params.id, meta),
    runScheduleNow: ({ principal, params, meta }) => runScheduleNow(ctx, hub, principal, params.id, meta),
    scheduleRuns: ({ principal, params }) => scheduleRuns(ctx, principal, params.id),
  };
}
