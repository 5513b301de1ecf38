import { useId, useState } from 'react';
import { MAX_TRUST_DAYS, type TrustRequest } from '../../../shared/api/controls';
import { getBulwark } from '../bridge/index';
import { callRoute, guard } from '../api/calls';
import { EmptyState, ErrorNotice, formatRemaining, formatTime, LoadView, useLoad, useNow } from '../components/common';
import { DataTable } from '../components/DataTable';
import { SubmitCancel, useReasonAction } from '../components/fields';
import { hasFreshStepUp, hasRole, useSession } from '../state/session-store';
import { StepUpPrompt } from '../stepup/StepUpPrompt';
import { TrustRequestDialog, useTrustStatus } from './trust-shared';

type TrustRequestT = TrustRequest;

export function TrustScreen() {
  const session = useSession((s) => s.session);
  const id = useId();
  const [selected, setSelected] = useState<TrustRequestT | null>(null);
  const [pending, reloadPending] = useLoad(() => callRoute('listTrustRequests', { query: { status: 'pending' } }), []);
  const [approved, reloadApproved] = useLoad(() => callRoute('listTrustRequests', { query: { status: 'approved' } }), []);
  const now = useNow(30_000);
  const isSupervisor = hasRole(session, 'supervisor');
  const canRevoke = hasRole(session, 'supervisor', 'platform_admin');
  const reloadAll = () => {
    reloadPending();
    reloadApproved();
  };

  return (
    <section aria-labelledby={`${id}-title`}>
      <h1 id={`${id}-title`}>Trust requests</h1>
      {hasRole(session, 'tenant_admin') && session?.tenant ? <OwnTenantTrust tenantId={session.tenant.id} onChange={reloadAll} /> : null}
      <h2>Pending</h2>
      <LoadView value={pending} onRetry={reloadPending} loadingLabel="Loading requests…">
        {({ requests }) => (
          <DataTable
            caption="Pending trust requests"
            rows={requests}
            rowKey={(request) => request.id}
            isSelected={(request) => selected?.id === request.id}
            empty={<EmptyState title="No pending requests" />}
            columns={[
              { header: 'Tenant', cell: (request) => request.tenantName },
              { header: 'Days', cell: (request) => request.requestedDays },
              { header: 'Reason', cell: (request) => request.reason },
              { header: 'Asked', cell: (request) => formatTime(request.createdAt) },
              {
                header: 'Actions',
                hiddenHeader: true,
                cell: (request) => (
                  <button type="button" onClick={() => setSelected(request)}>
                    {isSupervisor ? 'Review' : 'Details'}
                    <span className="visually-hidden"> request from {request.tenantName}</span>
                  </button>
                ),
              },
            ]}
          />
        )}
      </LoadView>
      {selected ? (
        <TrustRequestDetail
          key={selected.id}
          request={selected}
          canDecide={isSupervisor && selected.status === 'pending'}
          onDone={() => {
            setSelected(null);
            reloadAll();
          }}
        />
      ) : null}
      <h2>Active extended trust</h2>
      <LoadView value={approved} onRetry={reloadApproved} loadingLabel="Loading active trust…">
        {({ requests }) => {
          const active = requests.filter((r) => r.expiresAt && Date.parse(r.expiresAt) > now);
          return active.length === 0 ? (
            <EmptyState title="No tenant has extended trust right now" />
          ) : (
            <ul className="card-list">
              {active.map((request) => (
                <ActiveTrust key={request.id} request={request} now={now} canRevoke={canRevoke} onRevoked={reloadAll} />
              ))}
            </ul>
          );
        }}
      </LoadView>
    </section>
  );
}

function OwnTenantTrust({ tenantId, onChange }: { tenantId: string; onChange: () => void }) {
  const trust = useTrustStatus(tenantId);
  const [dialog, setDialog] = useState(false);
  const now = useNow();
  return (
    <div className="notice notice-info">
      {trust.level === 'extended' && trust.expiresAt ? (
        <p>Your tenant has extended trust for {formatRemaining(trust.expiresAt, now)} more.</p>
      ) : trust.pendingRequest ? (
        <p>Your request for {trust.pendingRequest.requestedDays} days is waiting for a supervisor.</p>
      ) : (
        <p>
          Your tenant has standard trust.{' '}
          <button type="button" onClick={() => setDialog(true)}>
            Ask a supervisor for extended trust
          </button>
        </p>
      )}
      {dialog ? (
        <TrustRequestDialog
          onSubmit={async (days, reason) => {
            const result = await trust.request(days, reason);
            if (result.ok) onChange();
            return result;
          }}
          onClose={() => setDialog(false)}
        />
      ) : null}
    </div>
  );
}

function ActiveTrust({
  request,
  now,
  canRevoke,
  onRevoked,
}: {
  request: TrustRequestT;
  now: number;
  canRevoke: boolean;
  onRevoked: () => void;
}) {
  const id = useId();
  const [open, setOpen] = useState(false);
  const {
    reason,
    setReason,
    error,
    busy,
    valid,
    submit: revoke,
  } = useReasonAction((reason) => callRoute('revokeTrust', { params: { id: request.tenantId }, body: { reason } }), onRevoked);
  return (
    <li>
      <p>
        <strong>{request.tenantName}</strong> — extended trust ends in{' '}
        <span className="countdown">{request.expiresAt ? formatRemaining(request.expiresAt, now) : '—'}</span>{' '}
        <span className="muted">({formatTime(request.expiresAt)})</span>
      </p>
      {canRevoke && !open ? (
        <button type="button" onClick={() => setOpen(true)}>
          Revoke<span className="visually-hidden"> extended trust of {request.tenantName}</span>
        </button>
      ) : null}
      {open ? (
        <form onSubmit={(e) => void revoke(e)}>
          <label htmlFor={`${id}-reason`}>Reason for revoking</label>
          <input id={`${id}-reason`} value={reason} onChange={(e) => setReason(e.target.value)} />
          {error ? (
            <p role="alert" className="error-text">
              {error.message}
            </p>
          ) : null}
          <SubmitCancel label="Revoke trust" className="danger" disabled={busy || !valid} onCancel={() => setOpen(false)} />
        </form>
      ) : null}
    </li>
  );
}

function TrustRequestDetail({ request, canDecide, onDone }: { request: TrustRequestT; canDecide: boolean; onDone: () => void }) {
  const id = useId();
  const session = useSession((s) => s.session);
  const refreshSession = useSession((s) => s.refresh);
  const [history] = useLoad(() => callRoute('trustHistory', { params: { id: request.tenantId } }), [request.tenantId]);
  const [abuse] = useLoad(() => callRoute('tenantAbuseAssessment', { params: { id: request.tenantId } }), [request.tenantId]);
  const [days, setDays] = useState(String(Math.min(request.requestedDays, MAX_TRUST_DAYS)));
  const [reason, setReason] = useState('');
  const [stepUp, setStepUp] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ code: string; message: string } | null>(null);
  const dayCount = Number(days);
  const daysValid = Number.isInteger(dayCount) && dayCount >= 1 && dayCount <= Math.min(MAX_TRUST_DAYS, request.requestedDays);
  const reasonValid = reason.trim().length >= 3;

  async function approve() {
    setBusy(true);
    setError(null);
    const result = await callRoute('approveTrustRequest', { params: { id: request.id }, body: { days: dayCount, reason: reason.trim() } });
    setBusy(false);
    if (result.ok) onDone();
    else if (result.error.code === 'step_up_required') setStepUp(true);
    else setError(result.error);
  }

  async function deny() {
    setBusy(true);
    setError(null);
    const result = await callRoute('denyTrustRequest', { params: { id: request.id }, body: { reason: reason.trim() } });
    setBusy(false);
    if (result.ok) onDone();
    else setError(result.error);
  }

  return (
    <section className="detail" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Request from {request.tenantName}</h2>
      <dl className="facts">
        <dt>Requested</dt>
        <dd>{request.requestedDays} days</dd>
        <dt>Reason given</dt>
        <dd>{request.reason}</dd>
        <dt>Asked at</dt>
        <dd>{formatTime(request.createdAt)}</dd>
      </dl>
      <h3>Abuse signals</h3>
      {abuse.state === 'ready' ? (
        abuse.value.signals.length === 0 ? (
          <p>No abuse signals (score {abuse.value.score}).</p>
        ) : (
          <>
            <p>
              Score {abuse.value.score} (review from {abuse.value.reviewThreshold})
            </p>
            <ul>
              {abuse.value.signals.map((signal) => (
                <li key={signal.code}>
                  <code>{signal.code}</code>: {signal.summary}
                </li>
              ))}
            </ul>
          </>
        )
      ) : abuse.state === 'error' ? (
        <ErrorNotice error={abuse.error} />
      ) : (
        <p className="muted">Loading…</p>
      )}
      <h3>Trust history</h3>
      {history.state === 'ready' ? (
        history.value.changes.length === 0 ? (
          <p>No earlier trust changes.</p>
        ) : (
          <ul>
            {history.value.changes.slice(0, 10).map((change) => (
              <li key={change.id}>
                {formatTime(change.at)}: {change.event} ({change.from} → {change.to}
                {change.days ? `, ${change.days} days` : ''}) — {change.reason}
              </li>
            ))}
          </ul>
        )
      ) : history.state === 'error' ? (
        <ErrorNotice error={history.error} />
      ) : (
        <p className="muted">Loading…</p>
      )}
      {canDecide ? (
        <form
          onSubmit={(event) => {
            event.preventDefault();
            if (hasFreshStepUp(session, 'trust_approval')) void approve();
            else setStepUp(true);
          }}
          aria-label="Decision"
        >
          <label htmlFor={`${id}-days`}>Days to grant (at most {Math.min(MAX_TRUST_DAYS, request.requestedDays)})</label>
          <input
            id={`${id}-days`}
            type="number"
            min={1}
            max={Math.min(MAX_TRUST_DAYS, request.requestedDays)}
            value={days}
            aria-invalid={daysValid ? undefined : true}
            onChange={(e) => setDays(e.target.value)}
          />
          <label htmlFor={`${id}-reason`}>Reason for your decision</label>
          <textarea id={`${id}-reason`} rows={2} value={reason} onChange={(e) => setReason(e.target.value)} />
          {error ? <ErrorNotice error={error} /> : null}
          <div className="button-row">
            <button type="submit" className="primary" disabled={busy || !daysValid || !reasonValid}>
              Approve
            </button>
            <button type="button" className="danger" disabled={busy || !reasonValid} onClick={() => void deny()}>
              Deny
            </button>
          </div>
        </form>
      ) : null}
      {stepUp ? (
        <StepUpPrompt
          action="trust_approval"
          detail={`${request.tenantName}, ${dayCount} days.`}
          onCancel={() => setStepUp(false)}
          onSubmit={async (code) => {
            const result = await guard(() => getBulwark().auth.stepUp({ action: 'trust_approval', code }));
            if (!result.ok) return { ok: false, message: result.error.message };
            setStepUp(false);
            void refreshSession();
            void approve();
            return { ok: true };
          }}
        />
      ) : null}
    </section>
  );
}
