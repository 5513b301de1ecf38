import { identityMigration } from './0001-identity';
import { controlsMigration } from './0002-controls';
import { auditMigration } from './0003-audit';
import { agentsMigration } from './0004-agents';
import { remoteSessionsMigration } from './0005-remote-sessions';

/**
 * Versioned schema migrations: plain PostgreSQL, identical for PGlite and a real server.
 * Each migration is a list of single statements (PGlite's extended protocol runs one
 * statement per query). Never edit a released migration; add a new one.
 */
export interface SchemaMigration {
  name: string;
  statements: string[];
}

/** Applied in this order; each area adds its migration in its own file. */
export const MIGRATIONS: SchemaMigration[] = [
  identityMigration,
  controlsMigration,
  auditMigration,
  agentsMigration,
  remoteSessionsMigration,
];
