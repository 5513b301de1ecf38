import { useId, useState, type FormEvent } from 'react';
import { ROLES, TENANT_STATES, type Role, type TenantState } from '../../../shared/api/roles';
import type { Tenant } from '../../../shared/api/tenants';
import { callRoute } from '../api/calls';
import { EmptyState, ErrorNotice, formatTime, LoadView, useLoad } from '../components/common';
import { useNav, type AdminTab } from '../state/nav-store';
import { hasRole, useSession } from '../state/session-store';

const TABS: readonly { tab: AdminTab; label: string; platformOnly?: boolean }[] = [
  { tab: 'tenants', label: 'Tenants' },
  { tab: 'destinations', label: 'Blocked destinations' },
  { tab: 'enroll-tokens', label: 'Enroll tokens' },
  { tab: 'users', label: 'Users' },
];

type Failure = { code: string; message: string };

export function AdminScreen({ tab }: { tab: AdminTab }) {
  const id = useId();
  const go = useNav((s) => s.go);
  return (
    <section aria-labelledby={`${id}-title`}>
      <h1 id={`${id}-title`}>Admin</h1>
      <div role="tablist" aria-label="Admin">
        {TABS.map((t) => (
          <button
            key={t.tab}
            type="button"
            role="tab"
            id={`${id}-${t.tab}`}
            aria-selected={t.tab === tab}
            aria-controls={`${id}-panel`}
            onClick={() => go({ screen: 'admin', tab: t.tab })}
          >
            {t.label}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`${id}-panel`} aria-labelledby={`${id}-${tab}`}>
        {tab === 'tenants' ? <TenantsTab /> : null}
        {tab === 'destinations' ? <DestinationsTab /> : null}
        {tab === 'enroll-tokens' ? <EnrollTokensTab /> : null}
        {tab === 'users' ? <UsersTab /> : null}
      </div>
    </section>
  );
}

function TenantsTab() {
  const session = useSession((s) => s.session);
  const [tenants, reload] = useLoad(() => callRoute('listTenants', {}), []);
  const [editing, setEditing] = useState<Tenant | null>(null);
  const isPlatformAdmin = hasRole(session, 'platform_admin');
  return (
    <LoadView value={tenants} onRetry={reload} loadingLabel="Loading tenants…">
      {({ tenants: list }) =>
        list.length === 0 ? (
          <EmptyState title="No tenants yet" />
        ) : (
          <>
            <table>
              <caption className="visually-hidden">Tenants</caption>
              <thead>
                <tr>
                  <th scope="col">Tenant</th>
                  <th scope="col">State</th>
                  <th scope="col">Reason</th>
                  <th scope="col">Changed</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {list.map((tenant) => (
                  <tr key={tenant.id}>
                    <td>{tenant.name}</td>
                    <td>
                      <span className={`status status-${tenant.state}`}>{tenant.state}</span>
                    </td>
                    <td>{tenant.stateReason ?? '—'}</td>
                    <td>{formatTime(tenant.stateChangedAt)}</td>
                    <td>
                      {isPlatformAdmin ? (
                        <button type="button" onClick={() => setEditing(tenant)}>
                          Change state<span className="visually-hidden"> of {tenant.name}</span>
                        </button>
                      ) : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            {editing ? (
              <TenantStateForm
                key={editing.id}
                tenant={editing}
                onDone={() => {
                  setEditing(null);
                  reload();
                }}
              />
            ) : null}
          </>
        )
      }
    </LoadView>
  );
}

function TenantStateForm({ tenant, onDone }: { tenant: Tenant; onDone: () => void }) {
  const id = useId();
  const [state, setState] = useState<TenantState>(tenant.state === 'active' ? 'restricted' : 'active');
  const [reason, setReason] = useState('');
  const [error, setError] = useState<Failure | null>(null);
  const [busy, setBusy] = useState(false);
  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    const result = await callRoute('setTenantState', { params: { id: tenant.id }, body: { state, reason: reason.trim() } });
    setBusy(false);
    if (result.ok) onDone();
    else setError(result.error);
  }
  return (
    <form className="detail" onSubmit={(e) => void submit(e)} aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Change the state of {tenant.name}</h2>
      <p className="muted">
        Restricted: no terminals, scripts, schedules or viewer. Blocked: everything stops and its users are signed out. Nothing is deleted.
      </p>
      <label htmlFor={`${id}-state`}>New state</label>
      <select id={`${id}-state`} value={state} onChange={(e) => setState(e.target.value as TenantState)}>
        {TENANT_STATES.map((s) => (
          <option key={s} value={s}>
            {s}
          </option>
        ))}
      </select>
      <label htmlFor={`${id}-reason`}>Reason</label>
      <input id={`${id}-reason`} value={reason} onChange={(e) => setReason(e.target.value)} />
      {error ? <ErrorNotice error={error} /> : null}
      <div className="button-row">
        <button
          type="submit"
          className={state === 'active' ? 'primary' : 'danger'}
          disabled={busy || reason.trim().length < 3 || state === tenant.state}
        >
          Set {state}
        </button>
        <button type="button" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function DestinationsTab() {
  const id = useId();
  const session = useSession((s) => s.session);
  const [rules, reload] = useLoad(() => callRoute('listDestinationRules', { query: {} }), []);
  const [kind, setKind] = useState<'domain' | 'ip' | 'cidr' | 'url_prefix'>('domain');
  const [value, setValue] = useState('');
  const [reason, setReason] = useState('');
  const [error, setError] = useState<Failure | null>(null);
  const [removeReason, setRemoveReason] = useState('');
  const [removing, setRemoving] = useState<string | null>(null);

  async function add(event: FormEvent) {
    event.preventDefault();
    setError(null);
    const tenantId = hasRole(session, 'tenant_admin') && session?.tenant ? session.tenant.id : undefined;
    const result = await callRoute('createDestinationRule', {
      body: { kind, value: value.trim(), reason: reason.trim(), ...(tenantId ? { tenantId } : {}) },
    });
    if (result.ok) {
      setValue('');
      setReason('');
      reload();
    } else setError(result.error);
  }

  async function remove(ruleId: string) {
    const result = await callRoute('removeDestinationRule', { params: { id: ruleId }, body: { reason: removeReason.trim() } });
    if (result.ok) {
      setRemoving(null);
      setRemoveReason('');
      reload();
    } else setError(result.error);
  }

  return (
    <div>
      <form onSubmit={(e) => void add(e)} aria-labelledby={`${id}-title`} className="inline-form">
        <h2 id={`${id}-title`}>Block a destination</h2>
        <label>
          Kind
          <select aria-label="Kind" value={kind} onChange={(e) => setKind(e.target.value as typeof kind)}>
            <option value="domain">Domain (and its subdomains)</option>
            <option value="ip">IP address</option>
            <option value="cidr">Network (CIDR)</option>
            <option value="url_prefix">URL prefix</option>
          </select>
        </label>
        <label>
          Destination
          <input value={value} onChange={(e) => setValue(e.target.value)} placeholder="pastebin.com" />
        </label>
        <label>
          Reason
          <input value={reason} onChange={(e) => setReason(e.target.value)} />
        </label>
        <button type="submit" className="primary" disabled={!value.trim() || reason.trim().length < 3}>
          Add rule
        </button>
      </form>
      {error ? <ErrorNotice error={error} /> : null}
      <LoadView value={rules} onRetry={reload} loadingLabel="Loading rules…">
        {({ rules: list }) =>
          list.length === 0 ? (
            <EmptyState title="No blocked destinations" />
          ) : (
            <table>
              <caption className="visually-hidden">Blocked destinations</caption>
              <thead>
                <tr>
                  <th scope="col">Destination</th>
                  <th scope="col">Kind</th>
                  <th scope="col">Scope</th>
                  <th scope="col">Reason</th>
                  <th scope="col">Added</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {list.map((rule) => (
                  <tr key={rule.id}>
                    <td>
                      <code>{rule.value}</code>
                    </td>
                    <td>{rule.kind}</td>
                    <td>{rule.scope}</td>
                    <td>{rule.reason}</td>
                    <td>{formatTime(rule.createdAt)}</td>
                    <td>
                      {removing === rule.id ? (
                        <span className="inline-form">
                          <label>
                            Reason for removing
                            <input value={removeReason} onChange={(e) => setRemoveReason(e.target.value)} />
                          </label>
                          <button
                            type="button"
                            className="danger"
                            disabled={removeReason.trim().length < 3}
                            onClick={() => void remove(rule.id)}
                          >
                            Remove
                          </button>
                        </span>
                      ) : (
                        <button type="button" onClick={() => setRemoving(rule.id)}>
                          Remove<span className="visually-hidden"> {rule.value}</span>
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </LoadView>
    </div>
  );
}

function EnrollTokensTab() {
  const id = useId();
  const session = useSession((s) => s.session);
  const [showAll, setShowAll] = useState(false);
  const [tokens, reload] = useLoad(() => callRoute('listEnrollTokens', { query: showAll ? { all: 'true' } : {} }), [showAll]);
  const [tenants] = useLoad(() => callRoute('listTenants', {}), []);
  const [name, setName] = useState('');
  const [validityHours, setValidityHours] = useState('24');
  const [maxUses, setMaxUses] = useState('1');
  const [tenantId, setTenantId] = useState(session?.tenant?.id ?? '');
  const tenantUser = Boolean(session?.user.tenantId);
  const [secret, setSecret] = useState<string | null>(null);
  const [error, setError] = useState<Failure | null>(null);

  async function create(event: FormEvent) {
    event.preventDefault();
    setError(null);
    const result = await callRoute('createEnrollToken', {
      body: {
        name: name.trim(),
        validityHours: Number(validityHours),
        maxUses: Number(maxUses),
        // Tenant admins create tokens for their own tenant; the server takes it from the session.
        ...(tenantUser ? {} : { tenantId }),
      },
    });
    if (result.ok) {
      setSecret(result.value.secret);
      setName('');
      reload();
    } else setError(result.error);
  }

  async function revoke(tokenId: string) {
    const result = await callRoute('revokeEnrollToken', { params: { id: tokenId } });
    if (!result.ok) setError(result.error);
    reload();
  }

  return (
    <div>
      <form onSubmit={(e) => void create(e)} className="inline-form" aria-labelledby={`${id}-title`}>
        <h2 id={`${id}-title`}>New enroll token</h2>
        <label>
          Name
          <input value={name} onChange={(e) => setName(e.target.value)} placeholder="Office laptops" />
        </label>
        {tenantUser ? null : (
          <label>
            Tenant
            <select aria-label="Tenant" value={tenantId} onChange={(e) => setTenantId(e.target.value)}>
              <option value="">Choose a tenant</option>
              {tenants.state === 'ready'
                ? tenants.value.tenants.map((t) => (
                    <option key={t.id} value={t.id}>
                      {t.name}
                    </option>
                  ))
                : null}
            </select>
          </label>
        )}
        <label>
          Valid for (hours)
          <input type="number" min={1} max={8760} value={validityHours} onChange={(e) => setValidityHours(e.target.value)} />
        </label>
        <label>
          Uses
          <input type="number" min={1} value={maxUses} onChange={(e) => setMaxUses(e.target.value)} />
        </label>
        <button
          type="submit"
          className="primary"
          disabled={!name.trim() || (!tenantUser && !tenantId) || !(Number(validityHours) >= 1) || !(Number(maxUses) >= 1)}
        >
          Create token
        </button>
      </form>
      <label className="inline-check">
        <input type="checkbox" checked={showAll} onChange={(e) => setShowAll(e.target.checked)} />
        Also show expired, used-up and revoked tokens
      </label>
      {secret ? (
        <div className="notice notice-info" role="status">
          Copy this token now; it is not shown again: <code className="manual-key">{secret}</code>
        </div>
      ) : null}
      {error ? <ErrorNotice error={error} /> : null}
      <LoadView value={tokens} onRetry={reload} loadingLabel="Loading enroll tokens…">
        {({ tokens: list }) =>
          list.length === 0 ? (
            <EmptyState title="No enroll tokens" />
          ) : (
            <table>
              <caption className="visually-hidden">Enroll tokens</caption>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Tenant</th>
                  <th scope="col">Status</th>
                  <th scope="col">Uses</th>
                  <th scope="col">Last used</th>
                  <th scope="col">Expires</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {list.map((token) => (
                  <tr key={token.id}>
                    <td>
                      {token.name} {token.prefix ? <code>{token.prefix}…</code> : null}
                    </td>
                    <td>{tenants.state === 'ready' ? (tenants.value.tenants.find((t) => t.id === token.tenantId)?.name ?? '—') : '—'}</td>
                    <td>
                      <span className={`status status-${token.status === 'active' ? 'ok' : 'off'}`}>{token.status.replace('_', ' ')}</span>
                    </td>
                    <td>
                      {token.useCount} / {token.maxUses}
                    </td>
                    <td>{formatTime(token.lastUsedAt)}</td>
                    <td>{formatTime(token.expiresAt)}</td>
                    <td>
                      {token.status !== 'active' ? null : (
                        <button type="button" onClick={() => void revoke(token.id)}>
                          Revoke<span className="visually-hidden"> {token.name}</span>
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </LoadView>
    </div>
  );
}

function UsersTab() {
  const id = useId();
  const session = useSession((s) => s.session);
  const [users, reload] = useLoad(() => callRoute('listUsers', {}), []);
  const [tenants] = useLoad(() => callRoute('listTenants', {}), []);
  const [form, setForm] = useState({ email: '', displayName: '', role: 'technician' as Role, tenantId: '', password: '' });
  const [error, setError] = useState<Failure | null>(null);
  const [created, setCreated] = useState<string | null>(null);
  const isPlatformAdmin = hasRole(session, 'platform_admin');
  const roles = isPlatformAdmin ? ROLES : (['tenant_admin', 'technician'] as const);

  async function create(event: FormEvent) {
    event.preventDefault();
    setError(null);
    const tenantRole = form.role === 'tenant_admin' || form.role === 'technician';
    const result = await callRoute('createUser', {
      body: {
        email: form.email.trim(),
        displayName: form.displayName.trim(),
        role: form.role,
        password: form.password,
        ...(tenantRole && form.tenantId ? { tenantId: form.tenantId } : {}),
      },
    });
    if (result.ok) {
      setCreated(`${result.value.email} was created; they set up their authenticator at first sign-in.`);
      setForm((f) => ({ ...f, email: '', displayName: '', password: '' }));
      reload();
    } else setError(result.error);
  }

  const set = (key: keyof typeof form) => (e: { target: { value: string } }) => setForm((f) => ({ ...f, [key]: e.target.value }));
  return (
    <div>
      <form onSubmit={(e) => void create(e)} className="inline-form" aria-labelledby={`${id}-title`}>
        <h2 id={`${id}-title`}>New user</h2>
        <label>
          Email
          <input type="email" value={form.email} onChange={set('email')} />
        </label>
        <label>
          Name
          <input value={form.displayName} onChange={set('displayName')} />
        </label>
        <label>
          Role
          <select aria-label="Role" value={form.role} onChange={set('role')}>
            {roles.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        </label>
        {isPlatformAdmin && (form.role === 'tenant_admin' || form.role === 'technician') ? (
          <label>
            Tenant
            <select aria-label="Tenant" value={form.tenantId} onChange={set('tenantId')}>
              <option value="">Choose a tenant</option>
              {tenants.state === 'ready'
                ? tenants.value.tenants.map((t) => (
                    <option key={t.id} value={t.id}>
                      {t.name}
                    </option>
                  ))
                : null}
            </select>
          </label>
        ) : null}
        <label>
          Initial password
          <input type="password" autoComplete="new-password" value={form.password} onChange={set('password')} />
        </label>
        <button type="submit" className="primary" disabled={!form.email || !form.displayName || form.password.length < 12}>
          Create user
        </button>
      </form>
      {created ? <p role="status">{created}</p> : null}
      {error ? <ErrorNotice error={error} /> : null}
      <LoadView value={users} onRetry={reload} loadingLabel="Loading users…">
        {({ users: list }) =>
          list.length === 0 ? (
            <EmptyState title="No users" />
          ) : (
            <table>
              <caption className="visually-hidden">Users</caption>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Email</th>
                  <th scope="col">Role</th>
                  <th scope="col">Authenticator</th>
                </tr>
              </thead>
              <tbody>
                {list.map((u) => (
                  <tr key={u.id}>
                    <td>{u.displayName}</td>
                    <td>{u.email}</td>
                    <td>{u.role}</td>
                    <td>{u.mfaEnrolled ? 'set up' : 'not yet'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </LoadView>
    </div>
  );
}
