import { useId, useState } from 'react';
import { callRoute } from '../api/calls';
import { EmptyState, formatTime, LoadView, useLoad } from '../components/common';
import { DataTable } from '../components/DataTable';
import { LabelledInput, LabelledSelect, tenantOptions } from '../components/fields';
import { exportToFile } from './export';
import { ExportButtons, ExportStatus, useFileExport } from './ExportControls';

const RESULTS = [
  { value: 'success', label: 'Success' },
  { value: 'failure', label: 'Failure' },
];

export function LoginEventsScreen() {
  const id = useId();
  const [result, setResult] = useState<'' | 'success' | 'failure'>('');
  const [tenantId, setTenantId] = useState('');
  // datetime-local values (local time); sent as ISO timestamps.
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [tenants] = useLoad(() => callRoute('listTenants', {}), []);
  // The list and the export take the same filters.
  const filters = {
    ...(result ? { result } : {}),
    ...(tenantId ? { tenantId } : {}),
    ...(from ? { from: new Date(from).toISOString() } : {}),
    ...(to ? { to: new Date(to).toISOString() } : {}),
  };
  const [events, reload] = useLoad(() => callRoute('loginEvents', { query: { limit: 200, ...filters } }), [result, tenantId, from, to]);

  // The server writes the file (every matching event, formula-looking CSV cells neutralised); main fetches it, bounded.
  const fileExport = useFileExport((format) => exportToFile('exportLoginEvents', { query: { ...filters, format } }));

  return (
    <section aria-labelledby={`${id}-title`}>
      <h1 id={`${id}-title`}>Login events</h1>
      <div className="filters" role="search">
        <LabelledSelect label="Result" value={result} onChange={setResult} options={RESULTS} placeholder="Any" />
        <LabelledSelect label="Tenant" value={tenantId} onChange={setTenantId} options={tenantOptions(tenants)} placeholder="All tenants" />
        <LabelledInput label="From" type="datetime-local" value={from} onChange={(e) => setFrom(e.target.value)} />
        <LabelledInput label="To" type="datetime-local" value={to} onChange={(e) => setTo(e.target.value)} />
        <div className="button-row">
          <ExportButtons fileExport={fileExport} />
        </div>
      </div>
      <ExportStatus fileExport={fileExport} />
      <LoadView value={events} onRetry={reload} loadingLabel="Loading login events…">
        {({ events: list }) => (
          <DataTable
            caption="Login events, newest first"
            rows={list}
            rowKey={(e) => e.id}
            empty={<EmptyState title="No login events match" />}
            columns={[
              { header: 'Time', cell: (e) => formatTime(e.at) },
              { header: 'Kind', cell: (e) => e.kind },
              {
                header: 'Result',
                cell: (e) => <span className={e.result === 'success' ? 'status status-ok' : 'status status-block'}>{e.result}</span>,
              },
              { header: 'Reason', cell: (e) => e.reason ?? '—' },
              { header: 'Email', cell: (e) => e.email ?? '—' },
              { header: 'Address', cell: (e) => e.ip ?? '—' },
            ]}
          />
        )}
      </LoadView>
    </section>
  );
}
