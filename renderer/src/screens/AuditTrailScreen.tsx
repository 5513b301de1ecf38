import { useId, useState } from 'react';
import type { AuditTimelineEntry } from '../../../shared/api/audit';
import type { RouteOutput } from '../../../shared/ipc/api-routes';
import type { IpcError } from '../../../shared/ipc/schemas';
import { callRoute, type Result } from '../api/calls';
import { EmptyState, ErrorNotice, formatTime, LoadView, Progress, useLoad } from '../components/common';
import { DataTable } from '../components/DataTable';
import { LabelledInput, LabelledSelect, tenantOptions } from '../components/fields';
import { exportToFile } from './export';
import { ExportButtons, ExportStatus, useFileExport } from './ExportControls';

type Source = '' | 'audit' | 'login' | 'script';

const SOURCES = [
  { value: 'audit', label: 'Audit events' },
  { value: 'login', label: 'Login events' },
  { value: 'script', label: 'Script logs' },
];

/** Rows per page; "Load more" asks for the next page with the answer's `nextCursor`. */
const PAGE_SIZE = 200;

const FILTER_LABELS: Record<string, string> = { source: 'Source', action: 'Action', tenantId: 'Tenant', from: 'From', to: 'To' };

/** A filter's message from a refused query (main and the server name the field `query.action`). */
function filterMessage(error: IpcError | null | undefined, field: string): string | undefined {
  return error?.fields?.[`query.${field}`] ?? error?.fields?.[field];
}

/** A refusal that names fields says which filter and why, instead of only "Some fields are not valid". */
function explainFields<T>(result: Result<T>): Result<T> {
  if (result.ok || !result.error.fields || Object.keys(result.error.fields).length === 0) return result;
  const messages = Object.entries(result.error.fields).map(([key, message]) => {
    const field = key.replace(/^query\./, '');
    return `${FILTER_LABELS[field] ?? field}: ${message}`;
  });
  return { ok: false, error: { ...result.error, message: messages.join('; ') } };
}

type TimelinePage = RouteOutput<'auditTimeline'>;

/** Pages after the first, kept only while the first page they continue is the one shown. */
interface MorePages {
  base: TimelinePage;
  events: AuditTimelineEntry[];
  nextCursor: string | null;
  loading: boolean;
  error: IpcError | null;
}

/** The audit trail as one list: audit events, login events and script logs, newest first. */
export function AuditTrailScreen() {
  const id = useId();
  const [source, setSource] = useState<Source>('');
  // Typed: applied on Enter, Apply or leaving the field, not on every keystroke.
  const [actionDraft, setActionDraft] = useState('');
  const [action, setAction] = useState('');
  const [tenantId, setTenantId] = useState('');
  // datetime-local values (local time); sent as ISO timestamps.
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [more, setMore] = useState<MorePages | null>(null);
  const [tenants] = useLoad(() => callRoute('listTenants', {}), []);
  const [users] = useLoad(() => callRoute('listUsers', {}), []);
  // The list and the export take the same filters.
  const filters = {
    ...(source ? { source } : {}),
    ...(action ? { action } : {}),
    ...(tenantId ? { tenantId } : {}),
    ...(from ? { from: new Date(from).toISOString() } : {}),
    ...(to ? { to: new Date(to).toISOString() } : {}),
  };
  const [events, reload] = useLoad(
    () => callRoute('auditTimeline', { query: { limit: PAGE_SIZE, ...filters } }),
    [source, action, tenantId, from, to],
  );

  // The server writes the file (every matching event, formula-looking CSV cells neutralised); main fetches it, bounded.
  const fileExport = useFileExport(async (format) =>
    explainFields(await exportToFile('exportAuditTimeline', { query: { ...filters, format } })),
  );

  const listError = events.state === 'error' ? events.error : null;
  const actionError = filterMessage(listError, 'action');
  const tenantNames = new Map(tenants.state === 'ready' ? tenants.value.tenants.map((t) => [t.id, t.name] as const) : []);
  const userEmails = new Map(users.state === 'ready' ? users.value.users.map((u) => [u.id, u.email] as const) : []);

  const shownMore = events.state === 'ready' && more?.base === events.value ? more : null;
  async function loadMore(base: TimelinePage, cursor: string) {
    setMore({ base, events: shownMore?.events ?? [], nextCursor: cursor, loading: true, error: null });
    const result = await callRoute('auditTimeline', { query: { limit: PAGE_SIZE, ...filters, cursor } });
    setMore((current) => {
      // The filters changed (or the list reloaded) meanwhile: this page continues nothing shown.
      if (!current || current.base !== base) return current;
      return result.ok
        ? { base, events: [...current.events, ...result.value.events], nextCursor: result.value.nextCursor, loading: false, error: null }
        : { ...current, loading: false, error: result.error };
    });
  }

  function actor(e: AuditTimelineEntry): string {
    if (e.actorUserId) return userEmails.get(e.actorUserId) ?? e.actorUserId;
    // Sign-in attempts by an unknown address carry only the email typed.
    if (typeof e.details.email === 'string' && e.details.email) return e.details.email;
    if (e.actorApiKeyId) return `API key ${e.actorApiKeyId}`;
    return '—';
  }

  return (
    <section aria-labelledby={`${id}-title`}>
      <h1 id={`${id}-title`}>Audit trail</h1>
      <p className="muted">Audit events, login events and script logs as one list, newest first.</p>
      <form
        className="filters"
        role="search"
        aria-label="Filter the audit trail"
        onSubmit={(event) => {
          event.preventDefault();
          setAction(actionDraft.trim());
        }}
      >
        <LabelledSelect label="Source" value={source} onChange={setSource} options={SOURCES} placeholder="All sources" />
        <LabelledInput
          label="Action"
          value={actionDraft}
          placeholder="trust.approved or trust."
          spellCheck={false}
          autoCapitalize="off"
          aria-invalid={actionError ? true : undefined}
          aria-describedby={actionError ? `${id}-action-error` : undefined}
          onChange={(e) => setActionDraft(e.target.value)}
          onBlur={() => setAction(actionDraft.trim())}
        />
        <LabelledSelect label="Tenant" value={tenantId} onChange={setTenantId} options={tenantOptions(tenants)} placeholder="All tenants" />
        <LabelledInput label="From" type="datetime-local" value={from} onChange={(e) => setFrom(e.target.value)} />
        <LabelledInput label="To" type="datetime-local" value={to} onChange={(e) => setTo(e.target.value)} />
        <div className="button-row">
          <button type="submit">Apply</button>
          <ExportButtons fileExport={fileExport} />
        </div>
      </form>
      {actionError ? (
        <p id={`${id}-action-error`} className="error-text" role="alert">
          Action filter not valid: {actionError}
        </p>
      ) : null}
      <ExportStatus fileExport={fileExport} />
      {actionError ? (
        <EmptyState title="Correct the action filter to see events">
          An exact action such as trust.approved, or a family ending in a dot such as trust.
        </EmptyState>
      ) : (
        <LoadView value={events} onRetry={reload} loadingLabel="Loading the audit trail…">
          {(page) => {
            const list = shownMore ? [...page.events, ...shownMore.events] : page.events;
            const nextCursor = shownMore ? shownMore.nextCursor : page.nextCursor;
            return (
              <>
                <DataTable
                  caption="Audit trail, newest first"
                  rows={list}
                  rowKey={(e) => `${e.source}:${e.id}`}
                  empty={<EmptyState title="No events match">Widen the time range or clear a filter.</EmptyState>}
                  columns={[
                    { header: 'Time', cell: (e) => formatTime(e.at) },
                    { header: 'Source', cell: (e) => e.source },
                    { header: 'Action', cell: (e) => <code>{e.action}</code> },
                    { header: 'Result', cell: (e) => (e.result ? <span className={resultClass(e.result)}>{e.result}</span> : '—') },
                    { header: 'Reason code', cell: (e) => e.reasonCode ?? '—' },
                    { header: 'Actor', cell: actor },
                    { header: 'Tenant', cell: (e) => (e.tenantId ? (tenantNames.get(e.tenantId) ?? e.tenantId) : '—') },
                    { header: 'Target', cell: (e) => [e.targetType, e.targetId].filter(Boolean).join(' ') || '—' },
                    { header: 'Address', cell: (e) => e.ip ?? '—' },
                  ]}
                />
                {shownMore?.error ? <ErrorNotice error={shownMore.error} title="More events could not be loaded" /> : null}
                {shownMore?.loading ? (
                  <Progress label="Loading more events…" />
                ) : nextCursor ? (
                  <div className="button-row">
                    <button type="button" onClick={() => void loadMore(page, nextCursor)}>
                      Load more
                    </button>
                  </div>
                ) : null}
              </>
            );
          }}
        </LoadView>
      )}
    </section>
  );
}

function resultClass(result: string): string {
  if (result === 'success' || result === 'allow') return 'status status-ok';
  if (result === 'failure' || result === 'block') return 'status status-block';
  return 'status';
}
