/**
 * Export from the Login events screen: the file comes from the server's export route through
 * main (`api:download`) with the screen's filters, and is saved from a Blob in the page.
 */
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { BulwarkApi } from '../../../shared/ipc/bulwark-api';
import { recordFileSaving } from '../test-support/file-saving';
import { setBulwarkForTests } from '../bridge/index';
import { ok, resetAfterScreenTest } from '../test-support/screen-tests';
import { LoginEventsScreen } from './LoginEventsScreen';

const TENANT = '22222222-2222-4222-8222-222222222222';
const JSONL = '{"id":"e1","result":"failure","userAgent":"=cmd|calc"}\n';

afterEach(resetAfterScreenTest);

describe('Login events export', () => {
  it('saves the server’s export for the current filters', async () => {
    const api = {
      api: {
        call: vi.fn((route: string) => {
          if (route === 'listTenants') return ok({ tenants: [{ id: TENANT, name: 'Acme' }] });
          return ok({ events: [], nextCursor: null });
        }),
        download: vi.fn(() =>
          ok({ filename: 'login-events-2025-01-01.jsonl', contentType: 'application/x-ndjson' as const, content: JSONL }),
        ),
      },
    };
    setBulwarkForTests(api as unknown as BulwarkApi);
    const { saved, clicks } = recordFileSaving();

    render(<LoginEventsScreen />);
    await screen.findByRole('option', { name: 'Acme' });
    fireEvent.change(screen.getByLabelText('Tenant'), { target: { value: TENANT } });
    fireEvent.change(screen.getByLabelText('Result'), { target: { value: 'failure' } });
    await waitFor(() =>
      expect(api.api.call).toHaveBeenCalledWith('loginEvents', { query: { limit: 200, result: 'failure', tenantId: TENANT } }),
    );
    fireEvent.click(screen.getByRole('button', { name: 'Export JSONL' }));

    await screen.findByText('Saved login-events-2025-01-01.jsonl.');
    expect(api.api.download).toHaveBeenCalledWith('exportLoginEvents', {
      query: { result: 'failure', tenantId: TENANT, format: 'jsonl' },
    });
    expect(clicks).toEqual(['login-events-2025-01-01.jsonl']);
    await waitFor(() => expect(saved).toHaveLength(1));
    expect(saved[0]!.type).toBe('application/x-ndjson;charset=utf-8');
    expect(await saved[0]!.text()).toBe(JSONL);
  });

  it('shows why an export was refused', async () => {
    const api = {
      api: {
        call: vi.fn(() => ok({ tenants: [], events: [], nextCursor: null })),
        download: vi.fn(() =>
          Promise.resolve({
            ok: false as const,
            error: { code: 'download_too_large', message: 'This export is larger than 16 MiB; narrow the filters' },
          }),
        ),
      },
    };
    setBulwarkForTests(api as unknown as BulwarkApi);
    render(<LoginEventsScreen />);
    fireEvent.click(screen.getByRole('button', { name: 'Export CSV' }));
    expect((await screen.findByRole('alert')).textContent).toContain('narrow the filters');
    expect(api.api.download).toHaveBeenCalledWith('exportLoginEvents', { query: { format: 'csv' } });
  });
});

describe('Login events time range', () => {
  it('sends From and To as ISO timestamps with the list and the export', async () => {
    const api = {
      api: {
        call: vi.fn(() => ok({ tenants: [], events: [], nextCursor: null })),
        download: vi.fn(() => ok({ filename: 'login-events-2025-01-01.csv', contentType: 'text/csv' as const, content: 'id\r\n' })),
      },
    };
    setBulwarkForTests(api as unknown as BulwarkApi);
    recordFileSaving();

    render(<LoginEventsScreen />);
    fireEvent.change(screen.getByLabelText('From'), { target: { value: '2025-01-01T08:30' } });
    fireEvent.change(screen.getByLabelText('To'), { target: { value: '2025-01-02T17:00' } });
    // The fields hold local time; the server takes instants.
    const range = { from: new Date(2025, 0, 1, 8, 30).toISOString(), to: new Date(2025, 0, 2, 17, 0).toISOString() };
    await waitFor(() => expect(api.api.call).toHaveBeenCalledWith('loginEvents', { query: { limit: 200, ...range } }));
    fireEvent.click(screen.getByRole('button', { name: 'Export CSV' }));

    await screen.findByText('Saved login-events-2025-01-01.csv.');
    expect(api.api.download).toHaveBeenCalledWith('exportLoginEvents', { query: { ...range, format: 'csv' } });
  });
});
