import { useId, useMemo, useState } from 'react';
import type { z } from 'zod';
import type { ScriptLogEntry, ScriptLogExportQuery } from '../../../shared/api/audit';
import type { Endpoint } from '../../../shared/api/endpoints';
import { REASON_CODES } from '../../../shared/policy/types';
import { callRoute } from '../api/calls';
import { BlockedReasonPanel } from '../blocked/BlockedReasonPanel';
import { toVisibleString } from '../blocked/highlight';
import { EmptyState, formatTime, LoadView, useLoad } from '../components/common';
import { DataTable } from '../components/DataTable';
import { LabelledInput, LabelledSelect, loadedOptions, plainOptions, tenantOptions, type SelectOption } from '../components/fields';
import { StackedBarChart, type ChartBucket } from '../components/StackedBarChart';
import { exportToFile } from './export';
import { ExportButtons, ExportStatus, useFileExport } from './ExportControls';

interface Filters {
  tenantId: string;
  endpointId: string;
  userId: string;
  reasonCode: string;
  from: string;
  to: string;
}

const EMPTY: Filters = { tenantId: '', endpointId: '', userId: '', reasonCode: '', from: '', to: '' };

type FilterQuery = Omit<z.input<typeof ScriptLogExportQuery>, 'format' | 'limit'>;

/** The screen's filters as the server's script-log query (the list and the export take the same filters). */
export function toQuery(filters: Filters): FilterQuery {
  const query: FilterQuery = { decision: 'block' };
  if (filters.tenantId) query.tenantId = filters.tenantId;
  if (filters.endpointId) query.endpointId = filters.endpointId;
  if (filters.userId) query.userId = filters.userId;
  if (filters.reasonCode) query.reasonCode = filters.reasonCode;
  if (filters.from) query.from = new Date(filters.from).toISOString();
  if (filters.to) query.to = new Date(filters.to).toISOString();
  return query;
}

/**
 * Endpoints as options by hostname, sorted. A hostname shared by several endpoints also names the
 * tenant (or, within one tenant, the start of the id); revoked endpoints stay listed (their events remain).
 */
export function endpointOptions(
  endpoints: readonly Pick<Endpoint, 'id' | 'tenantId' | 'hostname' | 'revokedAt'>[],
  tenantNames: ReadonlyMap<string, string>,
): SelectOption[] {
  const count = (key: (e: (typeof endpoints)[number]) => string) => {
    const counts = new Map<string, number>();
    for (const endpoint of endpoints) counts.set(key(endpoint), (counts.get(key(endpoint)) ?? 0) + 1);
    return (endpoint: (typeof endpoints)[number]) => counts.get(key(endpoint)) ?? 0;
  };
  const perHostname = count((e) => e.hostname);
  const perHostnameAndTenant = count((e) => `${e.hostname}\u0000${e.tenantId}`);
  return endpoints
    .map((endpoint) => {
      const details: string[] = [];
      if (perHostname(endpoint) > 1) details.push(tenantNames.get(endpoint.tenantId) ?? endpoint.tenantId);
      if (perHostnameAndTenant(endpoint) > 1) details.push(`id ${endpoint.id.slice(0, 8)}`);
      if (endpoint.revokedAt) details.push('revoked');
      return { value: endpoint.id, label: details.length > 0 ? `${endpoint.hostname} (${details.join(', ')})` : endpoint.hostname };
    })
    .sort((a, b) => a.label.localeCompare(b.label));
}

/** Buckets by day (or hour when the events span under two days), stacked by a key. */
export function bucketEvents(
  events: readonly ScriptLogEntry[],
  key: (e: ScriptLogEntry) => string,
): { buckets: ChartBucket[]; series: string[] } {
  if (events.length === 0) return { buckets: [], series: [] };
  const times = events.map((e) => Date.parse(e.at));
  const span = Math.max(...times) - Math.min(...times);
  const hourly = span < 2 * 86_400_000;
  const label = (t: number) => {
    const d = new Date(t);
    return hourly ? `${d.getHours().toString().padStart(2, '0')}:00` : `${d.getMonth() + 1}/${d.getDate()}`;
  };
  const step = hourly ? 3_600_000 : 86_400_000;
  const start = Math.floor(Math.min(...times) / step) * step;
  const end = Math.floor(Math.max(...times) / step) * step;
  const buckets: ChartBucket[] = [];
  for (let t = start; t <= end && buckets.length < 60; t += step) buckets.push({ label: label(t), counts: {} });
  const seriesCount = new Map<string, number>();
  for (const event of events) {
    const index = Math.min(buckets.length - 1, Math.floor((Math.floor(Date.parse(event.at) / step) * step - start) / step));
    const bucket = buckets[index];
    const name = key(event);
    if (bucket) bucket.counts[name] = (bucket.counts[name] ?? 0) + 1;
    seriesCount.set(name, (seriesCount.get(name) ?? 0) + 1);
  }
  const series = [...seriesCount.entries()].sort((a, b) => b[1] - a[1]).map(([name]) => name);
  return { buckets, series };
}

export function BlockedEventsScreen() {
  const id = useId();
  const [draft, setDraft] = useState<Filters>(EMPTY);
  const [filters, setFilters] = useState<Filters>(EMPTY);
  const [chartBy, setChartBy] = useState<'reason' | 'tenant'>('reason');
  const [selected, setSelected] = useState<string | null>(null);
  const [tenants] = useLoad(() => callRoute('listTenants', {}), []);
  const [users] = useLoad(() => callRoute('listUsers', {}), []);
  // Blocked events outlive revocation, so revoked endpoints stay choosable.
  const [endpoints] = useLoad(() => callRoute('listEndpoints', { query: { limit: 500, includeRevoked: 'true' } }), []);
  const endpointChoices = useMemo(() => {
    const tenantNames = new Map(tenants.state === 'ready' ? tenants.value.tenants.map((t) => [t.id, t.name] as const) : []);
    return endpointOptions(endpoints.state === 'ready' ? endpoints.value.endpoints : [], tenantNames);
  }, [endpoints, tenants]);
  const [events, reload] = useLoad(() => callRoute('listScriptLogs', { query: { ...toQuery(filters), limit: 500 } }), [filters]);
  const list = useMemo(() => (events.state === 'ready' ? events.value.events : []), [events]);
  const chart = useMemo(
    () => bucketEvents(list, chartBy === 'reason' ? (e) => e.reasonCodes[0] ?? 'unknown' : (e) => e.tenantName ?? e.tenantId),
    [list, chartBy],
  );
  const setValue = (key: keyof Filters) => (value: string) => setDraft((d) => ({ ...d, [key]: value }));
  const set = (key: keyof Filters) => (event: { target: { value: string } }) => setValue(key)(event.target.value);

  // The server writes the file (every matching event, formula-looking CSV cells neutralised); main fetches it, bounded.
  const fileExport = useFileExport((format) => exportToFile('exportScriptLogs', { query: { ...toQuery(filters), format } }));

  return (
    <section aria-labelledby={`${id}-title`}>
      <h1 id={`${id}-title`}>Blocked events</h1>
      {events.state === 'ready' && list.length > 0 ? (
        <div>
          <div className="segmented" role="group" aria-label="Chart by">
            <button type="button" aria-pressed={chartBy === 'reason'} onClick={() => setChartBy('reason')}>
              By reason code
            </button>
            <button type="button" aria-pressed={chartBy === 'tenant'} onClick={() => setChartBy('tenant')}>
              By tenant
            </button>
          </div>
          <StackedBarChart
            title={`Blocked events over time by ${chartBy === 'reason' ? 'reason code' : 'tenant'}`}
            buckets={chart.buckets}
            series={chart.series}
          />
        </div>
      ) : null}
      <form
        className="filters"
        role="search"
        aria-label="Filter blocked events"
        onSubmit={(event) => {
          event.preventDefault();
          setSelected(null);
          setFilters(draft);
        }}
      >
        <LabelledSelect
          label="Tenant"
          value={draft.tenantId}
          onChange={setValue('tenantId')}
          options={tenantOptions(tenants)}
          placeholder="All tenants"
        />
        <LabelledSelect
          label="Endpoint"
          value={draft.endpointId}
          onChange={setValue('endpointId')}
          options={endpointChoices}
          placeholder="Any endpoint"
        />
        <LabelledSelect
          label="User"
          value={draft.userId}
          onChange={setValue('userId')}
          options={loadedOptions(
            users,
            (v) => v.users,
            (u) => ({ value: u.id, label: u.email }),
          )}
          placeholder="Any user"
        />
        <LabelledSelect
          label="Reason code"
          value={draft.reasonCode}
          onChange={setValue('reasonCode')}
          options={plainOptions(REASON_CODES)}
          placeholder="Any reason"
        />
        <LabelledInput label="From" type="datetime-local" value={draft.from} onChange={set('from')} />
        <LabelledInput label="To" type="datetime-local" value={draft.to} onChange={set('to')} />
        <div className="button-row">
          <button type="submit" className="primary">
            Apply filters
          </button>
          <button
            type="button"
            onClick={() => {
              setDraft(EMPTY);
              setFilters(EMPTY);
            }}
          >
            Clear
          </button>
          <ExportButtons fileExport={fileExport} />
        </div>
      </form>
      <ExportStatus fileExport={fileExport} />
      <LoadView value={events} onRetry={reload} loadingLabel="Loading blocked events…">
        {() => (
          <DataTable
            caption="Blocked events, newest first"
            rows={list}
            rowKey={(event) => event.id}
            isSelected={(event) => selected === event.id}
            empty={<EmptyState title="No blocked events match">Widen the time range or clear a filter.</EmptyState>}
            columns={[
              { header: 'Time', cell: (event) => formatTime(event.at) },
              { header: 'Tenant', cell: (event) => event.tenantName ?? event.tenantId },
              { header: 'User', cell: (event) => event.userEmail ?? '—' },
              { header: 'Reason codes', cell: (event) => event.reasonCodes.join(', ') },
              { header: 'Command', cell: (event) => <code>{toVisibleString(event.excerpt.slice(0, 100))}</code> },
              {
                header: 'Open',
                hiddenHeader: true,
                cell: (event) => (
                  <button type="button" onClick={() => setSelected(event.id)}>
                    Details<span className="visually-hidden"> of the event at {formatTime(event.at)}</span>
                  </button>
                ),
              },
            ]}
          />
        )}
      </LoadView>
      {selected ? <BlockedEventDetail key={selected} eventId={selected} onClose={() => setSelected(null)} /> : null}
    </section>
  );
}

function BlockedEventDetail({ eventId, onClose }: { eventId: string; onClose: () => void }) {
  const id = useId();
  const [detail, reload] = useLoad(() => callRoute('getScriptLog', { params: { id: eventId } }), [eventId]);
  return (
    <section className="detail" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Blocked event</h2>
      <button type="button" onClick={onClose}>
        Close details
      </button>
      <LoadView value={detail} onRetry={reload} loadingLabel="Loading the event…">
        {(event) => (
          <>
            <dl className="facts">
              <dt>Time</dt>
              <dd>{formatTime(event.at)}</dd>
              <dt>Tenant</dt>
              <dd>{event.tenantName ?? event.tenantId}</dd>
              <dt>Endpoint</dt>
              <dd>{event.endpointId ?? '—'}</dd>
              <dt>User</dt>
              <dd>{event.userEmail ?? event.apiKeyId ?? '—'}</dd>
              <dt>Kind</dt>
              <dd>{event.kind}</dd>
              <dt>SHA-256</dt>
              <dd>
                <code>{event.sha256}</code>
              </dd>
              <dt>From</dt>
              <dd>
                {event.ip ?? '—'} {event.userAgent ? `(${event.userAgent})` : ''}
              </dd>
            </dl>
            {event.excerptTruncated ? (
              <p className="muted">
                Only the first {event.excerpt.length} of {event.textLength} characters are stored; highlights outside them are not shown.
              </p>
            ) : null}
            <BlockedReasonPanel
              text={event.excerpt}
              headingLevel={3}
              refusedBy="server"
              reasons={event.reasons.map((r) => ({
                ...r,
                severity: r.severity ?? 'block',
                ruleId: r.ruleId ?? r.code,
                remedy: r.remedy ?? undefined,
              }))}
            />
          </>
        )}
      </LoadView>
    </section>
  );
}
