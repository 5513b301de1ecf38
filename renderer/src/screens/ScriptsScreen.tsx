import { useId, useState, type FormEvent } from 'react';
import type { z } from 'zod';
import type { Script, ScriptSummary } from '../../../shared/api/scripts';
import { callRoute } from '../api/calls';
import { EmptyState, ErrorNotice, formatTime, LoadView, Progress, useLoad } from '../components/common';
import { hasRole, useSession } from '../state/session-store';
import { useTenantNames } from './EndpointsScreen';
import { ScriptRunner } from './ScriptRunner';

const SHELLS = ['powershell', 'cmd', 'bash', 'sh', 'zsh'] as const;
type Summary = z.output<typeof ScriptSummary>;

export function ScriptsScreen() {
  const id = useId();
  const session = useSession((s) => s.session);
  const tenantNames = useTenantNames();
  const [scripts, reload] = useLoad(() => callRoute('listScripts', { query: {} }), []);
  const [selected, setSelected] = useState<Summary | 'new' | null>(null);
  const canWrite = hasRole(session, 'technician', 'tenant_admin', 'platform_admin');
  return (
    <section aria-labelledby={`${id}-title`}>
      <h1 id={`${id}-title`}>Scripts</h1>
      {canWrite ? (
        <button type="button" className="primary" onClick={() => setSelected('new')}>
          New script
        </button>
      ) : null}
      <LoadView value={scripts} onRetry={reload} loadingLabel="Loading scripts…">
        {({ scripts: list }) =>
          list.length === 0 ? (
            <EmptyState title="No scripts yet">Write one with New script; a permitted script's hash lets it run as written.</EmptyState>
          ) : (
            <table>
              <caption className="visually-hidden">Script library</caption>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Tenant</th>
                  <th scope="col">Shell</th>
                  <th scope="col">SHA-256</th>
                  <th scope="col">Permit</th>
                  <th scope="col">Updated</th>
                </tr>
              </thead>
              <tbody>
                {list.map((script) => (
                  <tr key={script.id}>
                    <td>
                      <button type="button" className="link" onClick={() => setSelected(script)}>
                        {script.name}
                      </button>
                    </td>
                    <td>{tenantNames.get(script.tenantId) ?? script.tenantId}</td>
                    <td>{script.shell}</td>
                    <td>
                      <code title={script.sha256}>{script.sha256.slice(0, 12)}…</code>
                    </td>
                    <td>
                      {script.permitted ? (
                        <span className="status status-ok">permitted</span>
                      ) : (
                        <span className="muted">not permitted</span>
                      )}
                    </td>
                    <td>{formatTime(script.updatedAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </LoadView>
      {selected ? (
        <ScriptEditor
          key={selected === 'new' ? 'new' : selected.id}
          scriptId={selected === 'new' ? null : selected.id}
          tenantNames={tenantNames}
          onSaved={() => {
            setSelected(null);
            reload();
          }}
          onChanged={reload}
        />
      ) : null}
    </section>
  );
}

function ScriptEditor({
  scriptId,
  tenantNames,
  onSaved,
  onChanged,
}: {
  scriptId: string | null;
  tenantNames: Map<string, string>;
  onSaved: () => void;
  onChanged: () => void;
}) {
  const [loaded, reload] = useLoad(
    () => (scriptId ? callRoute('getScript', { params: { id: scriptId } }) : Promise.resolve({ ok: true as const, value: null })),
    [scriptId],
  );
  return (
    <LoadView value={loaded} onRetry={reload} loadingLabel="Loading the script…">
      {(script) => (
        <ScriptForm
          script={script}
          tenantNames={tenantNames}
          onSaved={onSaved}
          onPermitted={() => {
            reload();
            onChanged();
          }}
        />
      )}
    </LoadView>
  );
}

type LoadedScript = z.output<typeof Script> | null;

function ScriptForm({
  script,
  tenantNames,
  onSaved,
  onPermitted,
}: {
  script: LoadedScript;
  tenantNames: Map<string, string>;
  onSaved: () => void;
  onPermitted: () => void;
}) {
  const id = useId();
  const session = useSession((s) => s.session);
  const [name, setName] = useState(script?.name ?? '');
  const [description, setDescription] = useState(script?.description ?? '');
  const [shell, setShell] = useState<(typeof SHELLS)[number]>(script?.shell ?? 'powershell');
  const [body, setBody] = useState(script?.body ?? '');
  const [tenantId, setTenantId] = useState(session?.user.tenantId ?? '');
  const [error, setError] = useState<{ code: string; message: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const [targets, setTargets] = useState<string[]>([]);
  const [permitReason, setPermitReason] = useState('');
  const [endpoints] = useLoad(
    () =>
      script
        ? callRoute('listEndpoints', { query: { tenantId: script.tenantId, limit: 500 } })
        : Promise.resolve({ ok: true as const, value: null }),
    [script?.tenantId],
  );
  const needsTenant = !script && !session?.user.tenantId;
  const canRun = hasRole(session, 'technician', 'tenant_admin', 'platform_admin');
  const canPermit = hasRole(session, 'supervisor', 'tenant_admin');

  async function save(event: FormEvent) {
    event.preventDefault();
    setError(null);
    setBusy(true);
    const result = script
      ? await callRoute('updateScript', { params: { id: script.id }, body: { name: name.trim(), description, shell, body } })
      : await callRoute('createScript', {
          body: { name: name.trim(), description, shell, body, ...(needsTenant && tenantId ? { tenantId } : {}) },
        });
    setBusy(false);
    if (result.ok) onSaved();
    else setError(result.error);
  }

  async function permit() {
    if (!script) return;
    setError(null);
    const result = await callRoute('permitScript', { params: { id: script.id }, body: { reason: permitReason.trim() } });
    if (result.ok) {
      setPermitReason('');
      onPermitted();
    } else setError(result.error);
  }

  const list = endpoints.state === 'ready' && endpoints.value ? endpoints.value.endpoints : [];
  return (
    <section className="detail" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{script ? `Edit ${script.name}` : 'New script'}</h2>
      <form onSubmit={(e) => void save(e)}>
        <label htmlFor={`${id}-name`}>Name</label>
        <input id={`${id}-name`} value={name} onChange={(e) => setName(e.target.value)} />
        <label htmlFor={`${id}-description`}>Description</label>
        <input id={`${id}-description`} value={description} onChange={(e) => setDescription(e.target.value)} />
        {needsTenant ? (
          <>
            <label htmlFor={`${id}-tenant`}>Tenant</label>
            <select id={`${id}-tenant`} value={tenantId} onChange={(e) => setTenantId(e.target.value)}>
              <option value="">Choose a tenant</option>
              {[...tenantNames.entries()].map(([tid, tname]) => (
                <option key={tid} value={tid}>
                  {tname}
                </option>
              ))}
            </select>
          </>
        ) : null}
        <label htmlFor={`${id}-shell`}>Shell</label>
        <select id={`${id}-shell`} value={shell} onChange={(e) => setShell(e.target.value as typeof shell)}>
          {SHELLS.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
        <label htmlFor={`${id}-body`}>Script</label>
        <textarea
          id={`${id}-body`}
          className="code-editor"
          rows={14}
          spellCheck={false}
          value={body}
          onChange={(e) => setBody(e.target.value)}
        />
        {script ? (
          <p className="muted">
            SHA-256 <code>{script.sha256}</code> — {script.permitted ? 'permitted for its tenant' : 'not permitted'}. Editing changes the
            hash, so a permit no longer applies.
          </p>
        ) : null}
        {error ? <ErrorNotice error={error} /> : null}
        {canRun ? (
          <button type="submit" className="primary" disabled={busy || !name.trim() || !body || (needsTenant && !tenantId)}>
            Save
          </button>
        ) : null}
        {busy ? <Progress label="Saving…" /> : null}
      </form>
      {script && canPermit && !script.permitted ? (
        <div className="inline-form">
          <label>
            Reason for permitting this exact script
            <input value={permitReason} onChange={(e) => setPermitReason(e.target.value)} />
          </label>
          <button type="button" disabled={permitReason.trim().length < 3} onClick={() => void permit()}>
            Permit this hash
          </button>
        </div>
      ) : null}
      {script && canRun ? (
        <fieldset>
          <legend>Run on endpoints</legend>
          {list.length === 0 ? (
            <p className="muted">No endpoints of this tenant.</p>
          ) : (
            list.map((endpoint) => (
              <label key={endpoint.id} className="inline-check">
                <input
                  type="checkbox"
                  checked={targets.includes(endpoint.id)}
                  onChange={(e) => setTargets((t) => (e.target.checked ? [...t, endpoint.id] : t.filter((x) => x !== endpoint.id)))}
                />
                {endpoint.hostname} {endpoint.online ? '' : '(offline)'}
              </label>
            ))
          )}
          <ScriptRunner
            scriptId={script.id}
            endpoints={list.filter((e) => targets.includes(e.id)).map((e) => ({ id: e.id, name: e.hostname }))}
          />
        </fieldset>
      ) : null}
    </section>
  );
}
