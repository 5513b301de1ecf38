import { useId, useState, type FormEvent } from 'react';
import { ROLES, TENANT_STATES, type Role, type TenantState } from '../../../shared/api/roles';
import type { Tenant } from '../../../shared/api/tenants';
import { callRoute } from '../api/calls';
import { EmptyState, ErrorNotice, formatTime, LoadView, useLoad } from '../components/common';
import { DataTable } from '../components/DataTable';
import { isReason, LabelledInput, LabelledSelect, plainOptions, SubmitCancel, tenantOptions, useReasonAction } from '../components/fields';
import { useNav, type AdminTab } from '../state/nav-store';
import { hasRole, useSession } from '../state/session-store';

const TABS: readonly { tab: AdminTab; label: string; platformOnly?: boolean }[] = [
  { tab: 'tenants', label: 'Tenants' },
  { tab: 'destinations', label: 'Blocked destinations' },
  { tab: 'enroll-tokens', label: 'Enroll tokens' },
  { tab: 'users', label: 'Users' },
];

type Failure = { code: string; message: string };

const ACTIONS = { header: 'Actions', hiddenHeader: true } as const;

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
      {({ tenants: list }) => (
        <>
          <DataTable
            caption="Tenants"
            rows={list}
            rowKey={(tenant) => tenant.id}
            empty={<EmptyState title="No tenants yet" />}
            columns={[
              { header: 'Tenant', cell: (tenant) => tenant.name },
              { header: 'State', cell: (tenant) => <span className={`status status-${tenant.state}`}>{tenant.state}</span> },
              { header: 'Reason', cell: (tenant) => tenant.stateReason ?? '—' },
              { header: 'Changed', cell: (tenant) => formatTime(tenant.stateChangedAt) },
              {
                ...ACTIONS,
                cell: (tenant) =>
                  isPlatformAdmin ? (
                    <button type="button" onClick={() => setEditing(tenant)}>
                      Change state<span className="visually-hidden"> of {tenant.name}</span>
                    </button>
                  ) : null,
              },
            ]}
          />
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
      )}
    </LoadView>
  );
}

function TenantStateForm({ tenant, onDone }: { tenant: Tenant; onDone: () => void }) {
  const id = useId();
  const [state, setState] = useState<TenantState>(tenant.state === 'active' ? 'restricted' : 'active');
  const { reason, setReason, error, busy, valid, submit } = useReasonAction(
    (reason) => callRoute('setTenantState', { params: { id: tenant.id }, body: { state, reason } }),
    onDone,
  );
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
      <SubmitCancel
        label={`Set ${state}`}
        className={state === 'active' ? 'primary' : 'danger'}
        disabled={busy || !valid || state === tenant.state}
        onCancel={onDone}
      />
    </form>
  );
}

const DESTINATION_KINDS = [
  { value: 'domain', label: 'Domain (and its subdomains)' },
  { value: 'ip', label: 'IP address' },
  { value: 'cidr', label: 'Network (CIDR)' },
  { value: 'url_prefix', label: 'URL prefix' },
];

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
        <LabelledSelect label="Kind" value={kind} onChange={setKind} options={DESTINATION_KINDS} />
        <LabelledInput label="Destination" value={value} onChange={(e) => setValue(e.target.value)} placeholder="pastebin.com" />
        <LabelledInput label="Reason" value={reason} onChange={(e) => setReason(e.target.value)} />
        <button type="submit" className="primary" disabled={!value.trim() || !isReason(reason)}>
          Add rule
        </button>
      </form>
      {error ? <ErrorNotice error={error} /> : null}
      <LoadView value={rules} onRetry={reload} loadingLabel="Loading rules…">
        {({ rules: list }) => (
          <DataTable
            caption="Blocked destinations"
            rows={list}
            rowKey={(rule) => rule.id}
            empty={<EmptyState title="No blocked destinations" />}
            columns={[
              { header: 'Destination', cell: (rule) => <code>{rule.value}</code> },
              { header: 'Kind', cell: (rule) => rule.kind },
              { header: 'Scope', cell: (rule) => rule.scope },
              { header: 'Reason', cell: (rule) => rule.reason },
              { header: 'Added', cell: (rule) => formatTime(rule.createdAt) },
              {
                ...ACTIONS,
                cell: (rule) =>
                  removing === rule.id ? (
                    <span className="inline-form">
                      <LabelledInput label="Reason for removing" value={removeReason} onChange={(e) => setRemoveReason(e.target.value)} />
                      <button type="button" className="danger" disabled={!isReason(removeReason)} onClick={() => void remove(rule.id)}>
                        Remove
                      </button>
                    </span>
                  ) : (
                    <button type="button" onClick={() => setRemoving(rule.id)}>
                      Remove<span className="visually-hidden"> {rule.value}</span>
                    </button>
                  ),
              },
            ]}
          />
        )}
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
        <LabelledInput label="Name" value={name} onChange={(e) => setName(e.target.value)} placeholder="Office laptops" />
        {tenantUser ? null : (
          <LabelledSelect
            label="Tenant"
            value={tenantId}
            onChange={setTenantId}
            options={tenantOptions(tenants)}
            placeholder="Choose a tenant"
          />
        )}
        <LabelledInput
          label="Valid for (hours)"
          type="number"
          min={1}
          max={8760}
          value={validityHours}
          onChange={(e) => setValidityHours(e.target.value)}
        />
        <LabelledInput label="Uses" type="number" min={1} value={maxUses} onChange={(e) => setMaxUses(e.target.value)} />
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
        {({ tokens: list }) => (
          <DataTable
            caption="Enroll tokens"
            rows={list}
            rowKey={(token) => token.id}
            empty={<EmptyState title="No enroll tokens" />}
            columns={[
              {
                header: 'Name',
                cell: (token) => (
                  <>
                    {token.name} {token.prefix ? <code>{token.prefix}…</code> : null}
                  </>
                ),
              },
              {
                header: 'Tenant',
                cell: (token) =>
                  tenants.state === 'ready' ? (tenants.value.tenants.find((t) => t.id === token.tenantId)?.name ?? '—') : '—',
              },
              {
                header: 'Status',
                cell: (token) => (
                  <span className={`status status-${token.status === 'active' ? 'ok' : 'off'}`}>{token.status.replace('_', ' ')}</span>
                ),
              },
              {
                header: 'Uses',
                cell: (token) => (
                  <>
                    {token.useCount} / {token.maxUses}
                  </>
                ),
              },
              { header: 'Last used', cell: (token) => formatTime(token.lastUsedAt) },
              { header: 'Expires', cell: (token) => formatTime(token.expiresAt) },
              {
                ...ACTIONS,
                cell: (token) =>
                  token.status !== 'active' ? null : (
                    <button type="button" onClick={() => void revoke(token.id)}>
                      Revoke<span className="visually-hidden"> {token.name}</span>
                    </button>
                  ),
              },
            ]}
          />
        )}
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

  const setValue = (key: keyof typeof form) => (value: string) => setForm((f) => ({ ...f, [key]: value }));
  const set = (key: keyof typeof form) => (e: { target: { value: string } }) => setValue(key)(e.target.value);
  return (
    <div>
      <form onSubmit={(e) => void create(e)} className="inline-form" aria-labelledby={`${id}-title`}>
        <h2 id={`${id}-title`}>New user</h2>
        <LabelledInput label="Email" type="email" value={form.email} onChange={set('email')} />
        <LabelledInput label="Name" value={form.displayName} onChange={set('displayName')} />
        <LabelledSelect label="Role" value={form.role} onChange={setValue('role')} options={plainOptions(roles)} />
        {isPlatformAdmin && (form.role === 'tenant_admin' || form.role === 'technician') ? (
          <LabelledSelect
            label="Tenant"
            value={form.tenantId}
            onChange={setValue('tenantId')}
            options={tenantOptions(tenants)}
            placeholder="Choose a tenant"
          />
        ) : null}
        <LabelledInput
          label="Initial password"
          type="password"
          autoComplete="new-password"
          value={form.password}
          onChange={set('password')}
        />
        <button type="submit" className="primary" disabled={!form.email || !form.displayName || form.password.length < 12}>
          Create user
        </button>
      </form>
      {created ? <p role="status">{created}</p> : null}
      {error ? <ErrorNotice error={error} /> : null}
      <LoadView value={users} onRetry={reload} loadingLabel="Loading users…">
        {({ users: list }) => (
          <DataTable
            caption="Users"
            rows={list}
            rowKey={(u) => u.id}
            empty={<EmptyState title="No users" />}
            columns={[
              { header: 'Name', cell: (u) => u.displayName },
              { header: 'Email', cell: (u) => u.email },
              { header: 'Role', cell: (u) => u.role },
              { header: 'Authenticator', cell: (u) => (u.mfaEnrolled ? 'set up' : 'not yet') },
            ]}
          />
        )}
      </LoadView>
    </div>
  );
}
