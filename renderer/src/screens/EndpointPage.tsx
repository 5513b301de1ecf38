import { useEffect, useId, useState, type KeyboardEvent } from 'react';
import { getBulwark } from '../bridge/index';
import { callRoute, guard } from '../api/calls';
import { toVisibleString } from '../blocked/highlight';
import { EmptyState, ErrorNotice, formatTime, LoadView, Progress, useLoad } from '../components/common';
import { DataTable } from '../components/DataTable';
import { LabelledSelect } from '../components/fields';
import { useNav, type EndpointTab } from '../state/nav-store';
import { hasFreshStepUp, useSession } from '../state/session-store';
import { StepUpPrompt } from '../stepup/StepUpPrompt';
import { TerminalView } from '../terminal/TerminalView';
import { describeOs, useTenantNames } from './EndpointsScreen';
import { ScriptRunner } from './ScriptRunner';

const TABS: readonly { tab: EndpointTab; label: string }[] = [
  { tab: 'terminal', label: 'Terminal' },
  { tab: 'run-script', label: 'Run script' },
  { tab: 'viewer', label: 'Viewer' },
  { tab: 'history', label: 'History' },
];

export function EndpointPage({ endpointId, tab }: { endpointId: string; tab: EndpointTab }) {
  const id = useId();
  const go = useNav((s) => s.go);
  const [loaded, reload] = useLoad(() => callRoute('getEndpoint', { params: { id: endpointId } }), [endpointId]);
  const tenantNames = useTenantNames();
  const endpoint = loaded.state === 'ready' ? loaded.value : undefined;
  const name = endpoint?.hostname ?? 'Endpoint';

  function onTabKey(event: KeyboardEvent<HTMLDivElement>) {
    const index = TABS.findIndex((t) => t.tab === tab);
    const next = event.key === 'ArrowRight' ? index + 1 : event.key === 'ArrowLeft' ? index - 1 : null;
    if (next === null) return;
    const target = TABS[(next + TABS.length) % TABS.length];
    if (!target) return;
    event.preventDefault();
    go({ screen: 'endpoint', endpointId, tab: target.tab });
    document.getElementById(`${id}-tab-${target.tab}`)?.focus();
  }

  return (
    <section aria-labelledby={`${id}-title`}>
      <p>
        <button type="button" className="link" onClick={() => go({ screen: 'endpoints' })}>
          ← All endpoints
        </button>
      </p>
      <h1 id={`${id}-title`}>{name}</h1>
      {endpoint ? (
        <p className="muted">
          <span className={endpoint.online ? 'status status-ok' : 'status status-off'}>{endpoint.online ? 'Online' : 'Offline'}</span> ·{' '}
          {describeOs(endpoint.os)} · {tenantNames.get(endpoint.tenantId) ?? endpoint.tenantId}
          {endpoint.user ? ` · ${endpoint.user}` : ''}
          {endpoint.ips.length > 0 ? ` · ${endpoint.ips.join(', ')}` : ''}
        </p>
      ) : null}
      {loaded.state === 'error' ? <ErrorNotice error={loaded.error} onRetry={reload} /> : null}
      <div role="tablist" aria-label="Endpoint" onKeyDown={onTabKey}>
        {TABS.map((t) => (
          <button
            key={t.tab}
            id={`${id}-tab-${t.tab}`}
            type="button"
            role="tab"
            aria-selected={t.tab === tab}
            aria-controls={`${id}-panel`}
            tabIndex={t.tab === tab ? 0 : -1}
            onClick={() => go({ screen: 'endpoint', endpointId, tab: t.tab })}
          >
            {t.label}
          </button>
        ))}
      </div>
      <div id={`${id}-panel`} role="tabpanel" aria-labelledby={`${id}-tab-${tab}`}>
        {tab === 'terminal' ? <TerminalView endpointId={endpointId} endpointName={name} tenantId={endpoint?.tenantId ?? null} /> : null}
        {tab === 'run-script' ? <RunScriptTab endpointId={endpointId} endpointName={name} tenantId={endpoint?.tenantId ?? null} /> : null}
        {tab === 'viewer' ? <ViewerTab endpointId={endpointId} endpointName={name} /> : null}
        {tab === 'history' ? <HistoryTab endpointId={endpointId} /> : null}
      </div>
    </section>
  );
}

function RunScriptTab({ endpointId, endpointName, tenantId }: { endpointId: string; endpointName: string; tenantId: string | null }) {
  // Scripts run on their own tenant's endpoints only.
  const [scripts, reload] = useLoad(() => callRoute('listScripts', { query: tenantId ? { tenantId } : {} }), [tenantId]);
  const [scriptId, setScriptId] = useState('');
  return (
    <LoadView value={scripts} onRetry={reload} loadingLabel="Loading scripts…">
      {({ scripts: list }) =>
        list.length === 0 ? (
          <EmptyState title="No saved scripts">Write one under Scripts first.</EmptyState>
        ) : (
          <div>
            <LabelledSelect
              label="Script"
              value={scriptId}
              onChange={setScriptId}
              options={list.map((s) => ({ value: s.id, label: s.name }))}
              placeholder="Choose a script"
            />
            {scriptId ? <ScriptRunner scriptId={scriptId} endpoints={[{ id: endpointId, name: endpointName }]} /> : null}
          </div>
        )
      }
    </LoadView>
  );
}

function ViewerTab({ endpointId, endpointName }: { endpointId: string; endpointName: string }) {
  const session = useSession((s) => s.session);
  const refreshSession = useSession((s) => s.refresh);
  const [viewerId, setViewerId] = useState<string | null>(null);
  const [stepUp, setStepUp] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ code: string; message: string } | null>(null);
  const [frame, setFrame] = useState<{ src: string; width: number; height: number } | null>(null);

  useEffect(() => {
    if (!viewerId) return;
    const api = getBulwark();
    const off = api.events.onViewerFrame((event) => {
      if (event.viewerId === viewerId)
        setFrame({ src: `data:${event.mime};base64,${event.data}`, width: event.width, height: event.height });
    });
    return () => {
      off();
      void guard(() => api.viewer.stop({ viewerId }));
    };
  }, [viewerId]);

  async function start() {
    setBusy(true);
    setError(null);
    const result = await guard(() => getBulwark().viewer.start({ endpointId }));
    setBusy(false);
    if (result.ok) setViewerId(result.value.viewerId);
    else if (result.error.code === 'step_up_required') setStepUp(true);
    else setError(result.error);
  }

  return (
    <div>
      {viewerId ? (
        <button type="button" onClick={() => setViewerId(null)}>
          Stop viewer
        </button>
      ) : (
        <button type="button" className="primary" onClick={() => (hasFreshStepUp(session, 'viewer') ? void start() : setStepUp(true))}>
          Start viewer
        </button>
      )}
      {busy ? <Progress label="Starting the viewer…" /> : null}
      {error ? <ErrorNotice error={error} title="The viewer could not start" /> : null}
      {stepUp ? (
        <StepUpPrompt
          action="viewer"
          detail={`Endpoint: ${endpointName}.`}
          onCancel={() => setStepUp(false)}
          onSubmit={async (code) => {
            const result = await guard(() => getBulwark().auth.stepUp({ action: 'viewer', code }));
            if (!result.ok) return { ok: false, message: result.error.message };
            setStepUp(false);
            void refreshSession();
            void start();
            return { ok: true };
          }}
        />
      ) : null}
      {viewerId && !frame ? <Progress label="Waiting for the first picture…" /> : null}
      {viewerId && frame ? (
        <img className="viewer-frame" src={frame.src} width={frame.width} height={frame.height} alt={`Screen of ${endpointName}`} />
      ) : null}
    </div>
  );
}

function HistoryTab({ endpointId }: { endpointId: string }) {
  const [events, reload] = useLoad(() => callRoute('listScriptLogs', { query: { endpointId, decision: 'any', limit: 100 } }), [endpointId]);
  return (
    <LoadView value={events} onRetry={reload} loadingLabel="Loading history…">
      {({ events: list }) => (
        <DataTable
          caption="What was run on this endpoint"
          rows={list}
          rowKey={(e) => e.id}
          empty={<EmptyState title="Nothing run on this endpoint yet" />}
          columns={[
            { header: 'Time', cell: (e) => formatTime(e.at) },
            { header: 'Kind', cell: (e) => e.kind },
            { header: 'Decision', cell: (e) => <span className={`status status-${e.decision}`}>{e.decision}</span> },
            { header: 'User', cell: (e) => e.userEmail ?? '—' },
            { header: 'Command', cell: (e) => <code>{toVisibleString(e.excerpt.slice(0, 120))}</code> },
          ]}
        />
      )}
    </LoadView>
  );
}
