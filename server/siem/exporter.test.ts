import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditRecord } from '../audit/sinks';
import { SyslogCollector, parseRfc5424, sdParams } from '../test/audit-syslog-collector';
import { SyslogExporter, type SyslogExporterOptions } from './exporter';
import { escapeParamValue, formatSyslogMessage, frameOctetCounting, type SyslogFormatOptions } from './rfc5424';

const format: SyslogFormatOptions = {
  hostname: 'bulwark-test host',
  appName: 'bulwark',
  procId: '1234',
  facility: 13,
  enterpriseId: 32473,
  maxMessageBytes: 2048,
};

function record(overrides: Partial<AuditRecord> = {}): AuditRecord {
  return {
    source: 'script',
    id: '00000000-0000-4000-8000-00000000000a',
    at: new Date('2030-05-06T07:08:09.123Z'),
    action: 'script.block',
    tenantId: '00000000-0000-4000-8000-000000000001',
    actorUserId: '00000000-0000-4000-8000-000000000002',
    actorApiKeyId: null,
    actorEmail: 'tech@example.test',
    ip: '192.0.2.10',
    targetType: 'endpoint',
    targetId: 'endpoint-1',
    result: 'block',
    reasonCodes: ['download_execute', 'blocked_destination'],
    summary: 'terminal_line block',
    ...overrides,
  };
}

/** Waits for a condition driven by real sockets; bounded by the test's timeout, never a fixed sleep. */
async function until(condition: () => boolean) {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 10));
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function exporterOptions(overrides: Partial<SyslogExporterOptions> & Pick<SyslogExporterOptions, 'port'>): SyslogExporterOptions {
  return { protocol: 'tcp', host: '127.0.0.1', bufferSize: 100, retryMinMs: 20, retryMaxMs: 100, now: () => new Date(), ...overrides };
}

describe('RFC 5424 formatting', () => {
  it('produces messages a strict parser accepts, with the SIEM fields in structured data', () => {
    const text = formatSyslogMessage(record(), format);
    const parsed = parseRfc5424(text);
    expect(parsed.pri).toBe(13 * 8 + 4);
    expect(parsed.timestamp).toBe('2030-05-06T07:08:09.123Z');
    expect(parsed.hostname).toBe('bulwark-testhost');
    expect(parsed.msgId).toBe('script');
    expect(parsed.structuredData[0]!.id).toBe('bulwark@32473');
    const params = sdParams(parsed);
    expect(params.eventType).toEqual(['script.block']);
    expect(params.actor).toEqual(['user:00000000-0000-4000-8000-000000000002']);
    expect(params.tenant).toEqual(['00000000-0000-4000-8000-000000000001']);
    expect(params.srcIp).toEqual(['192.0.2.10']);
    expect(params.reasonCode).toEqual(['download_execute', 'blocked_destination']);
    expect(parsed.msg).toBe('terminal_line block');
  });

  it('escapes ", \\ and ] in values and keeps one event on one line', () => {
    expect(escapeParamValue('a"b\\c]d')).toBe('a\\"b\\\\c\\]d');
    const hostile = record({ actorEmail: 'x"] [evil@1 a="b', summary: 'line1\nline2\r\u0000', reasonCodes: ['x]y'] });
    const text = formatSyslogMessage(hostile, format);
    expect(/[\r\n]/.test(text) || text.includes('\u0000')).toBe(false);
    const parsed = parseRfc5424(text);
    expect(parsed.structuredData).toHaveLength(1);
    expect(sdParams(parsed).actorEmail).toEqual(['x"] [evil@1 a="b']);
    expect(sdParams(parsed).reasonCode).toEqual(['x]y']);
    expect(parsed.msg).toBe('line1 line2  ');
  });

  it('bounds the message size without splitting a character', () => {
    const text = formatSyslogMessage(record({ summary: 'é'.repeat(5000) }), { ...format, maxMessageBytes: 600 });
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(600);
    expect(parseRfc5424(text).msg).toMatch(/^é+$/);
  });

  it('frames with octet counting', () => {
    expect(frameOctetCounting('héllo')).toBe('6 héllo');
  });
});

describe('syslog exporter against a loopback collector', () => {
  it('TCP: lines arrive and parse', async () => {
    const collector = new SyslogCollector('tcp');
    const port = await collector.listen();
    const exporter = new SyslogExporter(exporterOptions({ port }));
    exporter.start();
    for (let n = 0; n < 3; n++) exporter.enqueue(formatSyslogMessage(record({ summary: `event ${n}` }), format));
    await until(() => collector.messages.length === 3);
    expect(collector.messages.map((message) => message.msg)).toEqual(['event 0', 'event 1', 'event 2']);
    expect(collector.errors).toEqual([]);
    expect(exporter.status()).toMatchObject({ connected: true, sent: 3, dropped: 0, queued: 0 });
    await exporter.close();
    await collector.close();
  });

  it('collector down: messages are buffered and delivered once it comes up', async () => {
    const port = await freePort();
    const exporter = new SyslogExporter(exporterOptions({ port }));
    exporter.start();
    for (let n = 0; n < 5; n++) exporter.enqueue(formatSyslogMessage(record({ summary: `buffered ${n}` }), format));
    await until(() => exporter.status().lastError !== null);
    expect(exporter.status()).toMatchObject({ connected: false, queued: 5, sent: 0, dropped: 0 });
    const collector = new SyslogCollector('tcp');
    await collector.listen(port);
    await until(() => collector.messages.length === 5);
    expect(collector.messages.map((message) => message.msg)).toEqual([0, 1, 2, 3, 4].map((n) => `buffered ${n}`));
    expect(exporter.status()).toMatchObject({ connected: true, queued: 0, sent: 5 });
    await exporter.close();
    await collector.close();
  });

  it('buffer overflow: extra messages are dropped, counted and reported when the collector is back', async () => {
    const port = await freePort();
    const reports: { count: number }[] = [];
    let dropStarts = 0;
    const exporter = new SyslogExporter(
      exporterOptions({ port, bufferSize: 2, onDropStart: () => (dropStarts += 1), onDropsReported: (report) => reports.push(report) }),
    );
    exporter.start();
    for (let n = 0; n < 5; n++) exporter.enqueue(formatSyslogMessage(record({ summary: `msg ${n}` }), format));
    expect(exporter.status()).toMatchObject({ queued: 2, dropped: 3 });
    expect(exporter.status().lastDropAt).not.toBeNull();
    expect(dropStarts).toBe(1);
    const collector = new SyslogCollector('tcp');
    await collector.listen(port);
    await until(() => collector.messages.length === 2 && reports.length === 1);
    expect(collector.messages.map((message) => message.msg)).toEqual(['msg 0', 'msg 1']);
    expect(reports[0]!.count).toBe(3);
    await exporter.close();
    await collector.close();
  });

  it('UDP: one message per datagram', async () => {
    const collector = new SyslogCollector('udp');
    const port = await collector.listen();
    const exporter = new SyslogExporter(exporterOptions({ port, protocol: 'udp' }));
    exporter.start();
    exporter.enqueue(formatSyslogMessage(record({ summary: 'over udp' }), format));
    const message = await collector.waitFor((m) => m.msg === 'over udp');
    expect(sdParams(message).eventType).toEqual(['script.block']);
    await exporter.close();
    await collector.close();
  });

  describe('TLS (throwaway certificate from the openssl CLI)', () => {
    let dir = '';
    let cert: Buffer;
    let key: Buffer;
    beforeAll(() => {
      dir = mkdtempSync(path.join(os.tmpdir(), 'bulwark-syslog-tls-'));
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'ec',
          '-pkeyopt',
          'ec_paramgen_curve:prime256v1',
          '-nodes',
          '-keyout',
          path.join(dir, 'key.pem'),
          '-out',
          path.join(dir, 'cert.pem'),
          '-days',
          '1',
          '-subj',
          '/CN=localhost',
          '-addext',
          'subjectAltName=DNS:localhost,IP:127.0.0.1',
        ],
        { stdio: 'ignore' },
      );
      cert = readFileSync(path.join(dir, 'cert.pem'));
      key = readFileSync(path.join(dir, 'key.pem'));
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('delivers to a collector whose certificate is trusted', async () => {
      const collector = new SyslogCollector('tls', { cert, key });
      const port = await collector.listen();
      const exporter = new SyslogExporter(exporterOptions({ port, protocol: 'tls', ca: cert }));
      exporter.start();
      exporter.enqueue(formatSyslogMessage(record({ summary: 'over tls' }), format));
      const message = await collector.waitFor((m) => m.msg === 'over tls');
      expect(sdParams(message).tenant).toEqual(['00000000-0000-4000-8000-000000000001']);
      expect(collector.errors).toEqual([]);
      await exporter.close();
      await collector.close();
    });

    it('refuses a collector whose certificate is not trusted, and keeps the messages', async () => {
      const collector = new SyslogCollector('tls', { cert, key });
      const port = await collector.listen();
      const exporter = new SyslogExporter(exporterOptions({ port, protocol: 'tls' }));
      exporter.start();
      exporter.enqueue(formatSyslogMessage(record(), format));
      await until(() => exporter.status().lastError !== null);
      expect(exporter.status().lastError).toMatch(/certificate/i);
      expect(exporter.status()).toMatchObject({ connected: false, queued: 1, sent: 0 });
      expect(collector.messages).toEqual([]);
      await exporter.close();
      await collector.close();
    });
  });
});
