import { useId, useState } from 'react';
import { callRoute } from '../api/calls';
import { EmptyState, formatTime, LoadView, useLoad } from '../components/common';
import { DataTable } from '../components/DataTable';
import { LabelledSelect, tenantOptions } from '../components/fields';

const RESULTS = [
  { value: 'success', label: 'Success' },
  { value: 'failure', label: 'Failure' },
];

export function LoginEventsScreen() {
  const id = useId();
  const [result, setResult] = useState<'' | 'success' | 'failure'>('');
  const [tenantId, setTenantId] = useState('');
  const [tenants] = useLoad(() => callRoute('listTenants', {}), []);
  const [events, reload] = useLoad(
    () => callRoute('loginEvents', { query: { limit: 200, ...(result ? { result } : {}), ...(tenantId ? { tenantId } : {}) } }),
    [result, tenantId],
  );
  return (
    <section aria-labelledby={`${id}-title`}>
      <h1 id={`${id}-title`}>Login events</h1>
      <div className="filters" role="search">
        <LabelledSelect label="Result" value={result} onChange={setResult} options={RESULTS} placeholder="Any" />
        <LabelledSelect label="Tenant" value={tenantId} onChange={setTenantId} options={tenantOptions(tenants)} placeholder="All tenants" />
      </div>
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
