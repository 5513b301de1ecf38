import { startAbuseScoring } from '../abuse/review-queue';
import type { ServerContext } from '../context';
import { startSiemExport } from '../siem/siem';

export interface AuditServices {
  /** Resolves once queued abuse re-assessments have run (tests, shutdown). */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

const running = new WeakMap<ServerContext, AuditServices>();

/** Starts the SIEM export (when configured) and abuse scoring for a running server. */
export function startAuditServices(ctx: ServerContext): AuditServices {
  const stopSiem = startSiemExport(ctx);
  const abuse = startAbuseScoring(ctx);
  const services: AuditServices = {
    idle: () => abuse.idle(),
    stop: async () => {
      running.delete(ctx);
      await abuse.stop();
      await stopSiem();
    },
  };
  running.set(ctx, services);
  return services;
}

export function auditServicesOf(ctx: ServerContext): AuditServices | null {
  return running.get(ctx) ?? null;
}
