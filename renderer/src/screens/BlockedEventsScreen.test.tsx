/**
 * Export from the Blocked events screen: the file comes from the server's export route through
 * main (`api:download`) with the screen's filters, and is saved from a Blob in the page.
 */
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { BulwarkApi } from '../../../shared/ipc/bulwark-api';
import { setBulwarkForTests } from '../bridge/index';
import { BlockedEventsScreen } from './BlockedEventsScreen';

const TENANT = '22222222-2222-4222-8222-222222222222';
const CSV = '"at","id","excerpt"\r\n"2025-01-01T00:00:00.000Z","e1","\'=cmd|calc"\r\n';
const ok = <T,>(value: T) => Promise.resolve({ ok: true as const, value });

// jsdom has no object URLs: record the Blob the page hands over instead.
const objectUrls = Object.getOwnPropertyDescriptors(URL);
afterEach(() => {
  cleanup();
  setBulwarkForTests(null);
  vi.restoreAllMocks();
  for (const name of ['createObjectURL', 'revokeObjectURL'] as const) {
    const original = objectUrls[name];
    if (original) Object.defineProperty(URL, name, original);
    else Reflect.deleteProperty(URL, name);
  }
});

describe('Blocked events export', () => {
  it('saves the server’s export for the current filters', async () => {
    const api = {
      api: {
        call: vi.fn((route: string) => {
          if (route === 'listTenants') return ok({ tenants: [{ id: TENANT, name: 'Acme' }] });
          if (route === 'listUsers') return ok({ users: [] });
          return ok({ events: [], nextCursor: null });
        }),
        download: vi.fn(() => ok({ filename: 'script-logs-2025-01-01.csv', contentType: 'text/csv' as const, content: CSV })),
      },
    };
    setBulwarkForTests(api as unknown as BulwarkApi);
    const saved: Blob[] = [];
    URL.createObjectURL = (blob: Blob) => (saved.push(blob), 'blob:test');
    URL.revokeObjectURL = () => undefined;
    const clicks: string[] = [];
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      clicks.push(this.download);
    });

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
        call: vi.fn(() => ok({ tenants: [], users: [], events: [], nextCursor: null })),
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
