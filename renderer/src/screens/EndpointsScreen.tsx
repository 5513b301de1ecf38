import { useEffect, useId, useMemo, useState } from 'react';
import type { Endpoint } from '../../../shared/api/endpoints';
import { callRoute } from '../api/calls';
import { EmptyState, formatTime, LoadView, useLoad } from '../components/common';
import { DataTable } from '../components/DataTable';
import { LabelledInput, LabelledSelect } from '../components/fields';
import { useNav } from '../state/nav-store';

const PAGE = 500;

const STATUSES = [
  { value: 'true', label: 'Online' },
  { value: 'false', label: 'Offline' },
];

const OS_FAMILIES = [
  { value: 'windows', label: 'Windows' },
  { value: 'macos', label: 'macOS' },
  { value: 'linux', label: 'Linux' },
];

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
        <LabelledInput
          label="Search"
          type="search"
          value={search}
          onChange={(e) => setSearch(e.target.value)}
          placeholder="Host name, user or IP"
        />
        <LabelledSelect
          label="Tenant"
          value={tenant}
          onChange={setTenant}
          options={[...tenantNames.entries()].map(([value, label]) => ({ value, label }))}
          placeholder="All tenants"
        />
        <LabelledSelect label="Status" value={online} onChange={setOnline} options={STATUSES} placeholder="Online and offline" />
        <LabelledSelect label="Operating system" value={os} onChange={setOs} options={OS_FAMILIES} placeholder="Any" />
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
              <DataTable
                caption="Endpoints"
                rows={list}
                rowKey={(endpoint) => endpoint.id}
                columns={[
                  {
                    header: 'Host',
                    cell: (endpoint) => (
                      <button
                        type="button"
                        className="link"
                        onClick={() => go({ screen: 'endpoint', endpointId: endpoint.id, tab: 'terminal' })}
                      >
                        {endpoint.hostname}
                      </button>
                    ),
                  },
                  {
                    header: 'Status',
                    cell: (endpoint) => (
                      <span className={endpoint.online ? 'status status-ok' : 'status status-off'}>
                        {endpoint.revokedAt ? 'Revoked' : endpoint.online ? 'Online' : 'Offline'}
                      </span>
                    ),
                  },
                  { header: 'OS', cell: (endpoint) => describeOs(endpoint.os) },
                  { header: 'Tenant', cell: (endpoint) => tenantNames.get(endpoint.tenantId) ?? endpoint.tenantId },
                  { header: 'User', cell: (endpoint) => endpoint.user || '—' },
                  { header: 'Last seen', cell: (endpoint) => formatTime(endpoint.lastSeenAt) },
                ]}
              />
            </>
          )
        }
      </LoadView>
    </section>
  );
}
