import { useEffect, useId, useMemo, useState } from 'react';
import type { Endpoint } from '../../../shared/api/endpoints';
import { callRoute } from '../api/calls';
import { EmptyState, formatTime, LoadView, useLoad } from '../components/common';
import { useNav } from '../state/nav-store';

const PAGE = 500;

/** "Linux 6.1 (x64)": what a person recognises at a glance. */
export function describeOs(os: Endpoint['os']): string {
  const family = { windows: 'Windows', macos: 'macOS', linux: 'Linux' }[os.family];
  return `${family} ${os.release}${os.arch ? ` (${os.arch})` : ''}`.trim();
}

/** Tenant id → name, for tables (tenant users see only their own tenant). */
export function useTenantNames(): Map<string, string> {
  const [tenants] = useLoad(() => callRoute('listTenants', {}), []);
  return useMemo(() => new Map(tenants.state === 'ready' ? tenants.value.tenants.map((t) => [t.id, t.name] as const) : []), [tenants]);
}

export function EndpointsScreen() {
  const id = useId();
  const go = useNav((s) => s.go);
  const tenantNames = useTenantNames();
  const [search, setSearch] = useState('');
  const [searchApplied, setSearchApplied] = useState('');
  const [tenant, setTenant] = useState('');
  const [online, setOnline] = useState<'' | 'true' | 'false'>('');
  const [os, setOs] = useState<'' | 'windows' | 'macos' | 'linux'>('');

  // The server filters; typing waits a moment so each keystroke is not a request.
  useEffect(() => {
    const timer = setTimeout(() => setSearchApplied(search.trim()), 250);
    return () => clearTimeout(timer);
  }, [search]);

  const [endpoints, reload] = useLoad(
    () =>
      callRoute('listEndpoints', {
        query: {
          limit: PAGE,
          ...(searchApplied ? { search: searchApplied } : {}),
          ...(tenant ? { tenantId: tenant } : {}),
          ...(online ? { online } : {}),
          ...(os ? { os } : {}),
        },
      }),
    [searchApplied, tenant, online, os],
  );
  const filtered = searchApplied !== '' || tenant !== '' || online !== '' || os !== '';

  return (
    <section aria-labelledby={`${id}-title`}>
      <h1 id={`${id}-title`}>Endpoints</h1>
      <div className="filters" role="search">
        <label>
          Search
          <input type="search" value={search} onChange={(e) => setSearch(e.target.value)} placeholder="Host name, user or IP" />
        </label>
        <label>
          Tenant
          <select aria-label="Tenant" value={tenant} onChange={(e) => setTenant(e.target.value)}>
            <option value="">All tenants</option>
            {[...tenantNames.entries()].map(([tenantId, name]) => (
              <option key={tenantId} value={tenantId}>
                {name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Status
          <select aria-label="Status" value={online} onChange={(e) => setOnline(e.target.value as typeof online)}>
            <option value="">Online and offline</option>
            <option value="true">Online</option>
            <option value="false">Offline</option>
          </select>
        </label>
        <label>
          Operating system
          <select aria-label="Operating system" value={os} onChange={(e) => setOs(e.target.value as typeof os)}>
            <option value="">Any</option>
            <option value="windows">Windows</option>
            <option value="macos">macOS</option>
            <option value="linux">Linux</option>
          </select>
        </label>
      </div>
      <LoadView value={endpoints} onRetry={reload} loadingLabel="Loading endpoints…">
        {({ endpoints: list, total }) =>
          list.length === 0 ? (
            <EmptyState title={filtered ? 'No endpoint matches these filters' : 'No endpoints yet'}>
              {filtered ? 'Clear a filter to see more.' : 'Create an enroll token under Admin and install the agent on a machine.'}
            </EmptyState>
          ) : (
            <>
              {total > list.length ? (
                <p className="muted" role="status">
                  Showing {list.length} of {total}; narrow the list with the filters.
                </p>
              ) : null}
              <table>
                <caption className="visually-hidden">Endpoints</caption>
                <thead>
                  <tr>
                    <th scope="col">Host</th>
                    <th scope="col">Status</th>
                    <th scope="col">OS</th>
                    <th scope="col">Tenant</th>
                    <th scope="col">User</th>
                    <th scope="col">Last seen</th>
                  </tr>
                </thead>
                <tbody>
                  {list.map((endpoint) => (
                    <tr key={endpoint.id}>
                      <td>
                        <button
                          type="button"
                          className="link"
                          onClick={() => go({ screen: 'endpoint', endpointId: endpoint.id, tab: 'terminal' })}
                        >
                          {endpoint.hostname}
                        </button>
                      </td>
                      <td>
                        <span className={endpoint.online ? 'status status-ok' : 'status status-off'}>
                          {endpoint.revokedAt ? 'Revoked' : endpoint.online ? 'Online' : 'Offline'}
                        </span>
                      </td>
                      <td>{describeOs(endpoint.os)}</td>
                      <td>{tenantNames.get(endpoint.tenantId) ?? endpoint.tenantId}</td>
                      <td>{endpoint.user || '—'}</td>
                      <td>{formatTime(endpoint.lastSeenAt)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
          )
        }
      </LoadView>
    </section>
  );
}
