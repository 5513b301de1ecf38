import { Writable } from 'node:stream';
import { defaultConfig } from '../config/config';
import type { ServerContext } from '../context';
import { migrateToLatest, openDatabase, type DatabaseHandle } from '../db/database';
import { createLogger } from '../logging/logger';

/**
 * A server context over a migrated in-memory PGlite, a fixed clock and a silent logger: for
 * tests of one module that records to the database (not the HTTP server; see harness.ts).
 */
export async function openMemoryContext(
  now = new Date('2030-01-02T03:04:05.678Z'),
): Promise<{ ctx: ServerContext; database: DatabaseHandle }> {
  const database = await openDatabase({ dataDir: 'memory://' });
  await migrateToLatest(database.db);
  const sink = new Writable({ write: (_chunk, _encoding, callback) => callback() });
  const ctx = {
    config: defaultConfig(),
    db: database.db,
    clock: { now: () => now },
    logger: createLogger({ level: 'silent', destination: sink }),
  } as unknown as ServerContext;
  return { ctx, database };
}
