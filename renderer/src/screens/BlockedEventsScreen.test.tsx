/**
 * Export from the Blocked events screen: the file comes from the server's export route through
 * main (`api:download`) with the screen's filters, and is saved from a Blob in the page.
 */
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { BulwarkApi } from '../../../shared/ipc/bulwark-api';
import { recordFileSaving } from '../test-support/file-saving';
import { setBulwarkForTests } from '../bridge/index';
import { ok, resetAfterScreenTest } from '../test-support/screen-tests';
import { BlockedEventsScreen, endpointOptions } from './BlockedEventsScreen';

const TENANT = '22222222-2222-4222-8222-222222222222';
const OTHER_TENANT = '33333333-3333-4333-8333-333333333333';
const WEB = 'aaaaaaaa-0000-4000-8000-000000000001';
const DB_ACME = 'aaaaaaaa-0000-4000-8000-000000000002';
const DB_GLOBEX = 'bbbbbbbb-0000-4000-8000-000000000003';
const CSV = '"at","id","excerpt"\r\n"2025-01-01T00:00:00.000Z","e1","\'=cmd|calc"\r\n';

afterEach(resetAfterScreenTest);

describe('Blocked events export', () => {
  it('saves the server’s export for the current filters', async () => {
    const api = {
      api: {
        call: vi.fn((route: string) => {
          if (route === 'listTenants') return ok({ tenants: [{ id: TENANT, name: 'Acme' }] });
          if (route === 'listUsers') return ok({ users: [] });
          if (route === 'listEndpoints') return ok({ endpoints: [], total: 0 });
          return ok({ events: [], nextCursor: null });
        }),
        download: vi.fn(() => ok({ filename: 'script-logs-2025-01-01.csv', contentType: 'text/csv' as const, content: CSV })),
      },
    };
    setBulwarkForTests(api as unknown as BulwarkApi);
    const { saved, clicks } = recordFileSaving();

    render(<BlockedEventsScreen />);
    await screen.findByRole('option', { name: 'Acme' });
    fireEvent.change(screen.getByLabelText('Tenant'), { target: { value: TENANT } });
    fireEvent.change(screen.getByLabelText('Reason code'), { target: { value: 'download_execute' } });
    fireEvent.click(screen.getByRole('button', { name: 'Apply filters' }));
    fireEvent.click(screen.getByRole('button', { name: 'Export CSV' }));

    await screen.findByText('Saved script-logs-2025-01-01.csv.');
    expect(api.api.download).toHaveBeenCalledWith('exportScriptLogs', {
      query: { decision: 'block', tenantId: TENANT, reasonCode: 'download_execute', format: 'csv' },
    });
    expect(clicks).toEqual(['script-logs-2025-01-01.csv']);
    await waitFor(() => expect(saved).toHaveLength(1));
    expect(saved[0]!.type).toBe('text/csv;charset=utf-8');
    expect(await saved[0]!.text()).toBe(CSV);
  });

  it('shows why an export was refused', async () => {
    const api = {
      api: {
        call: vi.fn(() => ok({ tenants: [], users: [], endpoints: [], total: 0, events: [], nextCursor: null })),
        download: vi.fn(() =>
          Promise.resolve({
            ok: false as const,
            error: { code: 'download_too_large', message: 'This export is larger than 16 MiB; narrow the filters' },
          }),
        ),
      },
    };
    setBulwarkForTests(api as unknown as BulwarkApi);
    render(<BlockedEventsScreen />);
    fireEvent.click(screen.getByRole('button', { name: 'Export JSONL' }));
    expect((await screen.findByRole('alert')).textContent).toContain('narrow the filters');
    expect(api.api.download).toHaveBeenCalledWith('exportScriptLogs', { query: { decision: 'block', format: 'jsonl' } });
  });
});

describe('Blocked events endpoint filter', () => {
  const endpoint = (id: string, tenantId: string, hostname: string, revokedAt: string | null = null) => ({
    id,
    tenantId,
    hostname,
    revokedAt,
  });
  const names = new Map([
    [TENANT, 'Acme'],
    [OTHER_TENANT, 'Globex'],
  ]);

  it('names endpoints by hostname, adding the tenant only when a hostname is shared', () => {
    expect(
      endpointOptions(
        [endpoint(WEB, TENANT, 'web-01'), endpoint(DB_GLOBEX, OTHER_TENANT, 'db-01'), endpoint(DB_ACME, TENANT, 'db-01')],
        names,
      ),
    ).toEqual([
      { value: DB_ACME, label: 'db-01 (Acme)' },
      { value: DB_GLOBEX, label: 'db-01 (Globex)' },
      { value: WEB, label: 'web-01' },
    ]);
  });

  it('tells apart a hostname shared within one tenant, and marks revoked endpoints', () => {
    const reenrolled = 'cccccccc-0000-4000-8000-000000000004';
    expect(
      endpointOptions([endpoint(DB_ACME, TENANT, 'db-01', '2025-01-01T00:00:00.000Z'), endpoint(reenrolled, TENANT, 'db-01')], names),
    ).toEqual([
      { value: DB_ACME, label: 'db-01 (Acme, id aaaaaaaa, revoked)' },
      { value: reenrolled, label: 'db-01 (Acme, id cccccccc)' },
    ]);
  });

  it('lists the endpoints the server returns and filters the list and the export by the chosen one', async () => {
    const api = {
      api: {
        call: vi.fn((route: string) => {
          if (route === 'listTenants')
            return ok({
              tenants: [
                { id: TENANT, name: 'Acme' },
                { id: OTHER_TENANT, name: 'Globex' },
              ],
            });
          if (route === 'listUsers') return ok({ users: [] });
          if (route === 'listEndpoints')
            return ok({
              endpoints: [endpoint(WEB, TENANT, 'web-01'), endpoint(DB_ACME, TENANT, 'db-01'), endpoint(DB_GLOBEX, OTHER_TENANT, 'db-01')],
              total: 3,
            });
          return ok({ events: [], nextCursor: null });
        }),
        download: vi.fn(() => ok({ filename: 'script-logs-2025-01-01.csv', contentType: 'text/csv' as const, content: CSV })),
      },
    };
    setBulwarkForTests(api as unknown as BulwarkApi);
    recordFileSaving();

    render(<BlockedEventsScreen />);
    const select = screen.getByRole('combobox', { name: 'Endpoint' });
    await screen.findByRole('option', { name: 'db-01 (Globex)' });
    expect(api.api.call).toHaveBeenCalledWith('listEndpoints', { query: { limit: 500, includeRevoked: 'true' } });
    expect([...select.querySelectorAll('option')].map((o) => o.textContent)).toEqual([
      'Any endpoint',
      'db-01 (Acme)',
      'db-01 (Globex)',
      'web-01',
    ]);

    fireEvent.change(select, { target: { value: DB_GLOBEX } });
    fireEvent.click(screen.getByRole('button', { name: 'Apply filters' }));
    await waitFor(() =>
      expect(api.api.call).toHaveBeenCalledWith('listScriptLogs', { query: { decision: 'block', endpointId: DB_GLOBEX, limit: 500 } }),
    );
    fireEvent.click(screen.getByRole('button', { name: 'Export CSV' }));
    await screen.findByText('Saved script-logs-2025-01-01.csv.');
    expect(api.api.download).toHaveBeenCalledWith('exportScriptLogs', {
      query: { decision: 'block', endpointId: DB_GLOBEX, format: 'csv' },
    });
  });
});
