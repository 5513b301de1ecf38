import type { auditRoutes } from '../../../shared/api/audit-routes';
import { assessTenant, listAbuseReviews, resolveAbuseReview, sweepAbuse } from '../../abuse/review-queue';
import { recordConsoleRefusal } from '../../audit/console-refusals';
import { exportScriptLogs, getScriptLog, listScriptLogs } from '../../audit/review';
import { auditServicesOf } from '../../audit/services';
import { exportTimeline, listTimeline } from '../../audit/timeline';
import type { ServerContext } from '../../context';
import { exportLoginEvents, listLoginEvents } from '../../identity/login-events';
import { siemStatus } from '../../siem/siem';
import type { HandlerMap } from '../routing';

export function auditHandlers(ctx: ServerContext): HandlerMap<typeof auditRoutes> {
  return {
    loginEvents: ({ principal, query }) => listLoginEvents(ctx, principal, query),
    exportLoginEvents: ({ principal, query }) => Promise.resolve(exportLoginEvents(ctx, principal, query)),
    reportConsoleRefusal: ({ principal, body, meta }) => recordConsoleRefusal(ctx, principal, body, meta),
    listScriptLogs: ({ principal, query }) => listScriptLogs(ctx, principal, query),
    exportScriptLogs: ({ principal, query }) => Promise.resolve(exportScriptLogs(ctx, principal, query)),
    getScriptLog: ({ principal, params }) => getScriptLog(ctx, principal, params.id),
    auditTimeline: ({ principal, query }) => listTimeline(ctx, principal, query),
    exportAuditTimeline: ({ principal, query }) => Promise.resolve(exportTimeline(ctx, principal, query)),
    siemStatus: () => Promise.resolve(siemStatus(ctx)),
    abuseReviewQueue: async ({ query }) => {
      // Assessments triggered by recent events are finished first, so the queue is current.
      await auditServicesOf(ctx)?.idle();
      return { reviews: await listAbuseReviews(ctx, query) };
    },
    resolveAbuseReview: ({ principal, params, body, meta }) => resolveAbuseReview(ctx, principal, params.id, body, meta),
    tenantAbuseAssessment: async ({ params }) => (await assessTenant(ctx, params.id)).assessment,
    abuseSweep: () => sweepAbuse(ctx),
  };
}
