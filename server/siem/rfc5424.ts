import type { AuditRecord } from '../audit/sinks';

/**
 * RFC 5424 syslog messages for audit records:
 *   <PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID [SD-ID PARAM="VALUE" …] MSG
 * Structured data carries the fields a SIEM correlates on (event type, actor, tenant, source
 * address, reason codes) under a private-enterprise SD-ID (`bulwark@<PEN>`).
 */
export interface SyslogFormatOptions {
  hostname: string;
  appName: string;
  procId: string;
  /** 0–23; 13 is "log audit". */
  facility: number;
  enterpriseId: number;
  /** Messages longer than this (UTF-8 bytes) have their free-text part cut. */
  maxMessageBytes: number;
}

export const SEVERITY = { warning: 4, notice: 5, informational: 6 } as const;

/** Header fields are printable US-ASCII without spaces (RFC 5424 §6.2), bounded; '-' when empty. */
export function headerField(value: string, max: number): string {
  const printable = value.replace(/[^\x21-\x7e]/g, '').slice(0, max);
  return printable === '' ? '-' : printable;
}

/** PARAM-VALUE escaping (RFC 5424 §6.3.3): '"', '\' and ']' get a backslash; control characters become spaces. */
export function escapeParamValue(value: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are what is replaced
  return value.replace(/[\u0000-\u001f\u007f]/g, ' ').replace(/["\\\]]/g, (char) => `\\${char}`);
}

export function severityOf(record: AuditRecord): number {
  if (record.source === 'script') return record.result === 'block' ? SEVERITY.warning : SEVERITY.notice;
  if (record.source === 'login') return record.result === 'failure' ? SEVERITY.notice : SEVERITY.informational;
  if (/^(abuse\.|siem\.|api_key\.source_refused$|tenant\.state_changed$)/.test(record.action)) return SEVERITY.warning;
  return SEVERITY.informational;
}

const MAX_VALUE = 256;
const MAX_REASON_CODES = 10;

function structuredData(record: AuditRecord, enterpriseId: number): string {
  const params: [string, string | null][] = [
    ['eventId', record.id],
    ['eventType', record.action],
    ['source', record.source],
    ['actor', record.actorUserId ? `user:${record.actorUserId}` : record.actorApiKeyId ? `api_key:${record.actorApiKeyId}` : null],
    ['actorEmail', record.actorEmail],
    ['tenant', record.tenantId],
    ['srcIp', record.ip],
    ['target', record.targetType ? `${record.targetType}:${record.targetId ?? ''}` : null],
    ['result', record.result],
    ...record.reasonCodes.slice(0, MAX_REASON_CODES).map((code): [string, string] => ['reasonCode', code]),
  ];
  const body = params
    .filter((param): param is [string, string] => param[1] !== null && param[1] !== '')
    .map(([name, value]) => `${name}="${escapeParamValue(value.slice(0, MAX_VALUE))}"`)
    .join(' ');
  return `[bulwark@${enterpriseId} ${body}]`;
}

/** Cuts a string to at most `maxBytes` of UTF-8 without splitting a character. */
function truncateUtf8(text: string, maxBytes: number): string {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return text;
  let end = Math.max(0, maxBytes);
  // Step back over continuation bytes (10xxxxxx) so no character is split.
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end -= 1;
  return bytes.subarray(0, end).toString('utf8');
}

export function formatSyslogMessage(record: AuditRecord, options: SyslogFormatOptions): string {
  const pri = options.facility * 8 + severityOf(record);
  const header = [
    `<${pri}>1`,
    record.at.toISOString(),
    headerField(options.hostname, 255),
    headerField(options.appName, 48),
    headerField(options.procId, 128),
    headerField(record.source, 32),
  ].join(' ');
  const prefix = `${header} ${structuredData(record, options.enterpriseId)}`;
  // eslint-disable-next-line no-control-regex -- one event, one line, whatever the framing
  const message = record.summary.replace(/[\u0000-\u001f\u007f]/g, ' ');
  const room = options.maxMessageBytes - Buffer.byteLength(prefix, 'utf8') - 1;
  return room > 0 && message !== '' ? `${prefix} ${truncateUtf8(message, room)}` : prefix;
}

/** RFC 6587 octet counting: the byte length, a space, then the message. */
export function frameOctetCounting(message: string): string {
  return `${Buffer.byteLength(message, 'utf8')} ${message}`;
}
