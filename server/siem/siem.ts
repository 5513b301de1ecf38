import { readFileSync } from 'node:fs';
import os from 'node:os';
import type { SiemStatus } from '../../shared/api/audit';
import { addAuditSink, type AuditRecord } from '../audit/sinks';
import type { ServerContext } from '../context';
import { recordAudit } from '../identity/events';
import { SyslogExporter } from './exporter';
import { formatSyslogMessage, type SyslogFormatOptions } from './rfc5424';

const DEFAULT_PORTS = { tcp: 514, tls: 6514, udp: 514 } as const;

const exporters = new WeakMap<ServerContext, SyslogExporter>();

/** Which records go to the collector: everything but allowed executions (unless configured). */
export function shouldForward(record: AuditRecord, includeAllowed: boolean): boolean {
  return record.source !== 'script' || record.result !== 'allow' || includeAllowed;
}

/**
 * Starts the SIEM export when `syslogHost` is configured: every audit event, login event and
 * blocked or flagged execution is formatted as RFC 5424 and streamed to the collector.
 * Returns a stop function (flushes briefly, then closes).
 */
export function startSiemExport(ctx: ServerContext): () => Promise<void> {
  const { config } = ctx;
  if (!config.syslogHost) return () => Promise.resolve();
  const read = (file: string | undefined, key: string) => {
    if (!file) return undefined;
    try {
      return readFileSync(file);
    } catch (error) {
      throw new Error(`SIEM export: cannot read ${key} ${file}: ${(error as Error).message}`);
    }
  };
  const exporter = new SyslogExporter({
    protocol: config.syslogProtocol,
    host: config.syslogHost,
    port: config.syslogPort ?? DEFAULT_PORTS[config.syslogProtocol],
    ca: read(config.syslogTlsCaFile, 'syslogTlsCaFile (BULWARK_SYSLOG_TLS_CA)'),
    cert: read(config.syslogTlsCertFile, 'syslogTlsCertFile (BULWARK_SYSLOG_TLS_CERT)'),
    key: read(config.syslogTlsKeyFile, 'syslogTlsKeyFile (BULWARK_SYSLOG_TLS_KEY)'),
    ...(config.syslogTlsServerName ? { servername: config.syslogTlsServerName } : {}),
    bufferSize: config.syslogBufferSize,
    retryMinMs: config.syslogRetryMinMs,
    retryMaxMs: Math.max(config.syslogRetryMinMs, config.syslogRetryMaxMs),
    now: () => ctx.clock.now(),
    onError: (error) => ctx.logger.debug({ err: { message: error.message } }, 'SIEM collector connection problem'),
    onDropStart: () =>
      ctx.logger.warn(
        { bufferSize: config.syslogBufferSize },
        'SIEM export buffer full: audit messages are being dropped until the collector catches up',
      ),
    onDropsReported: (report) => {
      ctx.logger.warn(
        { dropped: report.count, firstAt: report.firstAt.toISOString(), lastAt: report.lastAt.toISOString() },
        'SIEM export dropped audit messages while the collector was unreachable; they remain in the database (export them for that period)',
      );
      recordAudit(ctx, {
        action: 'siem.events_dropped',
        principal: null,
        meta: null,
        targetType: 'siem',
        targetId: `${config.syslogHost}:${config.syslogPort ?? DEFAULT_PORTS[config.syslogProtocol]}`,
        details: { count: report.count, firstAt: report.firstAt.toISOString(), lastAt: report.lastAt.toISOString() },
      }).catch((error: unknown) => ctx.logger.error({ err: error }, 'could not record dropped SIEM messages'));
    },
  });
  const format: SyslogFormatOptions = {
    hostname: os.hostname(),
    appName: config.syslogAppName,
    procId: String(process.pid),
    facility: config.syslogFacility,
    enterpriseId: config.syslogEnterpriseId,
    maxMessageBytes: config.syslogMaxMessageBytes,
  };
  const removeSink = addAuditSink(ctx, (record) => {
    if (shouldForward(record, config.syslogIncludeAllowed)) exporter.enqueue(formatSyslogMessage(record, format));
  });
  exporter.start();
  exporters.set(ctx, exporter);
  ctx.logger.info({ protocol: config.syslogProtocol, host: config.syslogHost }, 'SIEM export started');
  return async () => {
    removeSink();
    exporters.delete(ctx);
    await exporter.close();
  };
}

export function siemStatus(ctx: ServerContext): SiemStatus {
  const exporter = exporters.get(ctx);
  if (!exporter) {
    return {
      enabled: false,
      protocol: null,
      target: null,
      connected: false,
      queued: 0,
      bufferSize: 0,
      sent: 0,
      dropped: 0,
      lastError: null,
      lastDropAt: null,
    };
  }
  return { enabled: true, ...exporter.status() };
}
