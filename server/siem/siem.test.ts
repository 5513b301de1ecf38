import net from 'node:net';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../config/config';
import type { ServerContext } from '../context';
import { migrateToLatest, openDatabase, type DatabaseHandle } from '../db/database';
import { recordAudit, recordLoginEvent } from '../identity/events';
import { createLogger } from '../logging/logger';
import { SyslogCollector, sdParams } from '../test/audit-syslog-collector';
import { siemStatus, startSiemExport } from './siem';

let database: DatabaseHandle;
const logLines: string[] = [];

beforeAll(async () => {
  database = await openDatabase({ dataDir: 'memory://' });
  await migrateToLatest(database.db);
});
afterAll(async () => {
  await database?.close();
});

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function contextFor(port: number): ServerContext {
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      logLines.push(chunk.toString());
      callback();
    },
  });
  return {
    config: defaultConfig({ syslogHost: '127.0.0.1', syslogPort: port, syslogBufferSize: 2, syslogRetryMinMs: 20, syslogRetryMaxMs: 100 }),
    db: database.db,
    clock: { now: () => new Date() },
    logger: createLogger({ level: 'info', destination }),
  } as unknown as ServerContext;
}

describe('SIEM export wiring', () => {
  it('forwards recorded events; when the collector is down it buffers, drops beyond the buffer, and records the drops', async () => {
    const port = await freePort();
    const ctx = contextFor(port);
    const stop = startSiemExport(ctx);
    const tenantId = '00000000-0000-4000-8000-0000000000aa';
    // Recording never waits for the collector, which is down.
    await recordLoginEvent(ctx, {
      kind: 'password',
      result: 'failure',
      reason: 'bad_password',
      email: 'x@example.test',
      meta: { ip: '192.0.2.1', userAgent: null },
    });
    for (let n = 0; n < 4; n++) {
      await recordAudit(ctx, {
        action: 'destination.added',
        principal: null,
        meta: null,
        tenantId,
        details: { value: `bad${n}.example`, reasonCode: 'x' },
      });
    }
    expect(siemStatus(ctx)).toMatchObject({ enabled: true, connected: false, queued: 2, dropped: 3 });
    expect(logLines.some((line) => line.includes('SIEM export buffer full'))).toBe(true);

    const collector = new SyslogCollector('tcp');
    await collector.listen(port);
    const dropped = await collector.waitFor((m) => sdParams(m).eventType?.[0] === 'siem.events_dropped');
    expect(dropped.msg).toContain('count=3');
    expect(collector.messages.slice(0, 2).map((m) => sdParams(m).eventType?.[0])).toEqual(['login.password.failure', 'destination.added']);
    expect(sdParams(collector.messages[0]!).reasonCode).toEqual(['bad_password']);
    expect(collector.errors).toEqual([]);
    const row = await database.db
      .selectFrom('audit_events')
      .selectAll()
      .where('action', '=', 'siem.events_dropped')
      .executeTakeFirstOrThrow();
    expect(row.details).toMatchObject({ count: 3 });
    expect(logLines.some((line) => line.includes('dropped audit messages'))).toBe(true);
    await stop();
    await collector.close();
    expect(siemStatus(ctx).enabled).toBe(false);
  });
});
