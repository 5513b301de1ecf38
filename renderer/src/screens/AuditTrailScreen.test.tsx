/**
 * The Audit trail screen: the timeline (audit events, login events, script logs) with the screen's
 * filters in the query, the same filters on the export (`api:download`), cursor paging with
 * "Load more", and a refused action filter explained without losing the other filters.
 */
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AuditTimelineExportQuery, AuditTimelineQuery, type AuditTimelineEntry } from '../../../shared/api/audit';
import type { BulwarkApi } from '../../../shared/ipc/bulwark-api';
import { recordFileSaving } from '../test-support/file-saving';
import { setBulwarkForTests } from '../bridge/index';
import { ok, resetAfterScreenTest } from '../test-support/screen-tests';
import { AuditTrailScreen } from './AuditTrailScreen';

const TENANT = '22222222-2222-4222-8222-222222222222';
const USER = '44444444-4444-4444-8444-444444444444';

function entry(overrides: Partial<AuditTimelineEntry> & Pick<AuditTimelineEntry, 'id' | 'action'>): AuditTimelineEntry {
  return {
    source: 'audit',
    at: '2025-01-01T10:00:00.000Z',
    tenantId: TENANT,
    actorUserId: USER,
    actorApiKeyId: null,
    ip: '203.0.113.7',
    targetType: 'trust_request',
    targetId: 'tr-1',
    result: null,
    reasonCode: null,
    details: {},
    ...overrides,
  };
}

const APPROVED = entry({ id: 'a1', action: 'trust.approved' });
const FAILED_LOGIN = entry({
  id: 'l1',
  source: 'login',
  action: 'login.password.failure',
  actorUserId: null,
  targetType: null,
  targetId: null,
  result: 'failure',
  reasonCode: 'unknown_user',
  details: { kind: 'password', email: 'mallory@example.test' },
});
const BLOCKED_SCRIPT = entry({
  id: 's1',
  source: 'script',
  action: 'script.block',
  targetType: 'endpoint',
  targetId: 'ep-1',
  result: 'block',
  reasonCode: 'download_execute',
});

/** What main answers for a query its route schema refuses (validateRouteInput): the contract's own message. */
function refusedQuery(schema: typeof AuditTimelineQuery | typeof AuditTimelineExportQuery, query: unknown) {
  const parsed = schema.safeParse(query);
  if (parsed.success) throw new Error('expected the query to be refused');
  const fields = Object.fromEntries(parsed.error.issues.map((issue) => [`query.${issue.path.join('.')}`, issue.message]));
  return Promise.resolve({ ok: false as const, error: { code: 'invalid_request', message: 'Some fields are not valid', fields } });
}

function fakeApi(timeline: (query: Record<string, unknown>) => Promise<unknown>) {
  return {
    api: {
      call: vi.fn((route: string, input?: { query?: Record<string, unknown> }) => {
        if (route === 'listTenants') return ok({ tenants: [{ id: TENANT, name: 'Acme' }] });
        if (route === 'listUsers') return ok({ users: [{ id: USER, email: 'sam@acme.test' }] });
        if (route === 'auditTimeline') return timeline(input?.query ?? {});
        throw new Error(`unexpected route ${route}`);
      }),
      download: vi.fn((_route: string, _input: { query: Record<string, unknown> }): Promise<unknown> =>
        ok({ filename: 'audit-events-2025-01-01.csv', contentType: 'text/csv' as const, content: 'at\r\n' }),
      ),
    },
  };
}

afterEach(resetAfterScreenTest);

describe('Audit trail list', () => {
  it('lists the timeline with the filters in the query, and exports with the same filters', async () => {
    const api = fakeApi(() => ok({ events: [APPROVED, FAILED_LOGIN, BLOCKED_SCRIPT], nextCursor: null }));
    setBulwarkForTests(api as unknown as BulwarkApi);
    const { saved, clicks } = recordFileSaving();

    render(<AuditTrailScreen />);
    await screen.findByRole('option', { name: 'Acme' });
    fireEvent.change(screen.getByLabelText('Source'), { target: { value: 'audit' } });
    fireEvent.change(screen.getByLabelText('Tenant'), { target: { value: TENANT } });
    fireEvent.change(screen.getByLabelText('Action'), { target: { value: ' trust. ' } });
    fireEvent.submit(screen.getByRole('search', { name: 'Filter the audit trail' }));
    fireEvent.change(screen.getByLabelText('From'), { target: { value: '2025-01-01T08:30' } });
    fireEvent.change(screen.getByLabelText('To'), { target: { value: '2025-01-02T17:00' } });
    // The fields hold local time; the server takes instants.
    const filters = {
      source: 'audit',
      action: 'trust.',
      tenantId: TENANT,
      from: new Date(2025, 0, 1, 8, 30).toISOString(),
      to: new Date(2025, 0, 2, 17, 0).toISOString(),
    };
    await waitFor(() => expect(api.api.call).toHaveBeenCalledWith('auditTimeline', { query: { limit: 200, ...filters } }));

    const table = await screen.findByRole('table', { name: 'Audit trail, newest first' });
    expect(
      within(table)
        .getAllByRole('columnheader')
        .map((th) => th.textContent),
    ).toEqual(['Time', 'Source', 'Action', 'Result', 'Reason code', 'Actor', 'Tenant', 'Target', 'Address']);
    const approved = within(table).getByRole('row', { name: /trust\.approved/ });
    expect(approved.textContent).toContain('sam@acme.test');
    expect(approved.textContent).toContain('Acme');
    expect(approved.textContent).toContain('trust_request tr-1');
    expect(approved.textContent).toContain('203.0.113.7');
    const login = within(table).getByRole('row', { name: /login\.password\.failure/ });
    expect(login.textContent).toContain('unknown_user');
    expect(login.textContent).toContain('mallory@example.test');
    const script = within(table).getByRole('row', { name: /script\.block/ });
    expect(script.textContent).toContain('download_execute');
    expect(script.textContent).toContain('endpoint ep-1');

    fireEvent.click(screen.getByRole('button', { name: 'Export CSV' }));
    await screen.findByText('Saved audit-events-2025-01-01.csv.');
    expect(api.api.download).toHaveBeenCalledWith('exportAuditTimeline', { query: { ...filters, format: 'csv' } });
    expect(clicks).toEqual(['audit-events-2025-01-01.csv']);
    await waitFor(() => expect(saved).toHaveLength(1));
    expect(saved[0]!.type).toBe('text/csv;charset=utf-8');
  });

  it('loads the next page with the answer’s cursor and the same filters', async () => {
    const api = fakeApi((query) =>
      query.cursor === 'page-2'
        ? ok({ events: [BLOCKED_SCRIPT], nextCursor: null })
        : ok({ events: [APPROVED, FAILED_LOGIN], nextCursor: 'page-2' }),
    );
    setBulwarkForTests(api as unknown as BulwarkApi);

    render(<AuditTrailScreen />);
    fireEvent.change(screen.getByLabelText('Source'), { target: { value: 'script' } });
    await waitFor(() => expect(api.api.call).toHaveBeenCalledWith('auditTimeline', { query: { limit: 200, source: 'script' } }));
    fireEvent.click(await screen.findByRole('button', { name: 'Load more' }));

    await screen.findByRole('row', { name: /script\.block/ });
    expect(api.api.call).toHaveBeenCalledWith('auditTimeline', { query: { limit: 200, source: 'script', cursor: 'page-2' } });
    // Both pages are shown, and there is nothing further to load.
    expect(screen.getByRole('row', { name: /trust\.approved/ })).toBeTruthy();
    expect(screen.getAllByRole('row')).toHaveLength(4);
    expect(screen.queryByRole('button', { name: 'Load more' })).toBeNull();
  });
});

describe('Audit trail action filter', () => {
  it('shows the contract’s message for an invalid action, keeps the other filters, and recovers', async () => {
    const api = fakeApi((query) =>
      AuditTimelineQuery.safeParse(query).success ? ok({ events: [APPROVED], nextCursor: null }) : refusedQuery(AuditTimelineQuery, query),
    );
    api.api.download.mockImplementation((_route, input) => refusedQuery(AuditTimelineExportQuery, input.query));
    setBulwarkForTests(api as unknown as BulwarkApi);

    render(<AuditTrailScreen />);
    await screen.findByRole('option', { name: 'Acme' });
    fireEvent.change(screen.getByLabelText('Tenant'), { target: { value: TENANT } });
    fireEvent.change(screen.getByLabelText('Action'), { target: { value: 'Trust.*' } });
    fireEvent.blur(screen.getByLabelText('Action'));

    const message = 'expected an action such as trust.approved, or a prefix such as trust.';
    const alert = await screen.findByText(`Action filter not valid: ${message}`);
    expect(alert.getAttribute('role')).toBe('alert');
    expect(screen.getByLabelText('Action').getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByLabelText('Action').getAttribute('aria-describedby')).toBe(alert.id);
    expect(api.api.call).toHaveBeenCalledWith('auditTimeline', { query: { limit: 200, action: 'Trust.*', tenantId: TENANT } });
    // The other filters are still set; the typed action stays for correcting.
    expect(screen.getByLabelText<HTMLSelectElement>('Tenant').value).toBe(TENANT);
    expect(screen.getByLabelText<HTMLInputElement>('Action').value).toBe('Trust.*');

    // An export with the same filters says which filter and why.
    fireEvent.click(screen.getByRole('button', { name: 'Export JSONL' }));
    expect(api.api.download).toHaveBeenCalledWith('exportAuditTimeline', {
      query: { action: 'Trust.*', tenantId: TENANT, format: 'jsonl' },
    });
    await screen.findByText(`Action: ${message}`, { exact: false });

    fireEvent.change(screen.getByLabelText('Action'), { target: { value: 'trust.' } });
    fireEvent.submit(screen.getByRole('search', { name: 'Filter the audit trail' }));
    await screen.findByRole('row', { name: /trust\.approved/ });
    expect(api.api.call).toHaveBeenLastCalledWith('auditTimeline', { query: { limit: 200, action: 'trust.', tenantId: TENANT } });
    expect(screen.queryByText(/Action filter not valid/)).toBeNull();
    expect(screen.getByLabelText('Action').getAttribute('aria-invalid')).toBeNull();
  });
});
