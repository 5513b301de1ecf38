import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Kysely, PGliteDialect, PostgresDialect, sql, type Transaction } from 'kysely';
import type { Database } from './schema';
import { MIGRATIONS, type SchemaMigration } from './migrations';
import { inTransaction } from './transaction';

export type { Database };
export type Db = Kysely<Database>;
export type DbOrTransaction = Kysely<Database> | Transaction<Database>;

export interface OpenDatabaseOptions {
  /** A PostgreSQL URL; without it the embedded PGlite is used. */
  databaseUrl?: string | undefined;
  /** PGlite data directory (`<dataDir>/pglite`); `memory://` for a throwaway in-memory database. */
  dataDir?: string;
}

export interface DatabaseHandle {
  db: Db;
  kind: 'pglite' | 'postgres';
  /** Where it lives, without credentials: safe to print. */
  description: string;
  close(): Promise<void>;
}

export async function openDatabase(options: OpenDatabaseOptions): Promise<DatabaseHandle> {
  if (options.databaseUrl) {
    const { default: pg } = await import('pg');
    const pool = new pg.Pool({ connectionString: options.databaseUrl, max: 10 });
    // Fail now, with a readable message, rather than on the first request.
    const client = await pool.connect().catch(async (error: Error) => {
      await pool.end().catch(() => undefined);
      throw new Error(`cannot connect to PostgreSQL at ${redactUrl(options.databaseUrl!)}: ${error.message}`);
    });
    client.release();
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return {
      db,
      kind: 'postgres',
      description: `PostgreSQL at ${redactUrl(options.databaseUrl)}`,
      close: () => db.destroy(),
    };
  }
  const { PGlite } = await import('@electric-sql/pglite');
  let location = 'memory://';
  let releaseLock = () => {};
  if (options.dataDir && options.dataDir !== 'memory://') {
    location = path.join(options.dataDir, 'pglite');
    mkdirSync(location, { recursive: true, mode: 0o700 });
    releaseLock = lockDataDir(options.dataDir);
  }
  const pglite = await PGlite.create(location).catch((error: Error) => {
    releaseLock();
    throw error;
  });
  const db = new Kysely<Database>({ dialect: new PGliteDialect({ pglite }) });
  return {
    db,
    kind: 'pglite',
    description: location === 'memory://' ? 'embedded PGlite (in memory)' : `embedded PGlite in ${location}`,
    close: async () => {
      await db.destroy();
      if (!pglite.closed) await pglite.close();
      releaseLock();
    },
  };
}

/**
 * The embedded database is single-process: a second process opening the same directory
 * would corrupt it. A lock file with the owner's pid keeps a second server (or a CLI command
 * run while the server is up) out; a lock left by a dead process is taken over.
 */
function lockDataDir(dataDir: string): () => void {
  const lockFile = path.join(dataDir, 'pglite.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(lockFile, String(process.pid), { flag: 'wx', mode: 0o600 });
      return () => rmSync(lockFile, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number(readFileSync(lockFile, 'utf8').trim());
      if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && isAlive(owner)) {
        throw new Error(`the data directory ${dataDir} is in use by another Bulwark process (pid ${owner}); stop it first`);
      }
      rmSync(lockFile, { force: true });
    }
  }
  throw new Error(`could not lock the data directory ${dataDir}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable URL)';
  }
}

/**
 * Applies pending migrations in order, each in its own transaction, under an advisory
 * lock so that several server instances starting together do not race. Returns the
 * names applied by this call.
 */
export async function migrateToLatest(db: Db, migrations: SchemaMigration[] = MIGRATIONS): Promise<string[]> {
  await sql`CREATE TABLE IF NOT EXISTS bulwark_migrations (
    name text PRIMARY KEY,
    applied_at timestamptz NOT NULL DEFAULT now()
  )`.execute(db);
  const applied: string[] = [];
  await inTransaction(db, async (trx) => {
    await sql`SELECT pg_advisory_xact_lock(hashtext('bulwark_migrations'))`.execute(trx);
    const done = await sql<{ name: string }>`SELECT name FROM bulwark_migrations`.execute(trx);
    const doneNames = new Set(done.rows.map((row) => row.name));
    const known = new Set(migrations.map((m) => m.name));
    const unknown = [...doneNames].filter((name) => !known.has(name));
    if (unknown.length > 0) {
      throw new Error(`the database has migrations this server does not know (${unknown.join(', ')}): is it newer?`);
    }
    for (const migration of migrations) {
      if (doneNames.has(migration.name)) continue;
      for (const statement of migration.statements) {
        await sql.raw(statement).execute(trx);
      }
      await sql`INSERT INTO bulwark_migrations (name) VALUES (${migration.name})`.execute(trx);
      applied.push(migration.name);
    }
  });
  return applied;
}
