import { useId, useState } from 'react';
import { callRoute } from '../api/calls';
import { EmptyState, formatTime, LoadView, useLoad } from '../components/common';

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
        <label>
          Result
          <select aria-label="Result" value={result} onChange={(e) => setResult(e.target.value as typeof result)}>
            <option value="">Any</option>
            <option value="success">Success</option>
            <option value="failure">Failure</option>
          </select>
        </label>
        <label>
          Tenant
          <select aria-label="Tenant" value={tenantId} onChange={(e) => setTenantId(e.target.value)}>
            <option value="">All tenants</option>
            {tenants.state === 'ready'
              ? tenants.value.tenants.map((t) => (
                  <option key={t.id} value={t.id}>
                    {t.name}
                  </option>
                ))
              : null}
          </select>
        </label>
      </div>
      <LoadView value={events} onRetry={reload} loadingLabel="Loading login events…">
        {({ events: list }) =>
          list.length === 0 ? (
            <EmptyState title="No login events match" />
          ) : (
            <table>
              <caption className="visually-hidden">Login events, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">Time</th>
                  <th scope="col">Kind</th>
                  <th scope="col">Result</th>
                  <th scope="col">Reason</th>
                  <th scope="col">Email</th>
                  <th scope="col">Address</th>
                </tr>
              </thead>
              <tbody>
                {list.map((e) => (
                  <tr key={e.id}>
                    <td>{formatTime(e.at)}</td>
                    <td>{e.kind}</td>
                    <td>
                      <span className={e.result === 'success' ? 'status status-ok' : 'status status-block'}>{e.result}</span>
                    </td>
                    <td>{e.reason ?? '—'}</td>
                    <td>{e.email ?? '—'}</td>
                    <td>{e.ip ?? '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </LoadView>
    </section>
  );
}
