import { useCallback, useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { MAX_TRUST_DAYS, type TrustRequest } from '../../../shared/api/controls';
import { callRoute } from '../api/calls';

export interface TrustView {
  level: 'standard' | 'extended';
  expiresAt: string | null;
  pendingRequest: TrustRequest | null;
}

/** A tenant's trust (for the raw-mode toggle and the request button) and a way to ask for more. */
export function useTrustStatus(tenantId: string | null) {
  const [status, setStatus] = useState<TrustView | null>(null);
  const load = useCallback(async () => {
    if (!tenantId) return;
    const result = await callRoute('getTrust', { params: { id: tenantId } });
    if (result.ok) setStatus(result.value);
  }, [tenantId]);
  useEffect(() => {
    void load();
  }, [load]);
  const request = useCallback(
    async (days: number, reason: string): Promise<{ ok: true } | { ok: false; message: string }> => {
      if (!tenantId) return { ok: false, message: 'No tenant.' };
      const result = await callRoute('requestTrust', { params: { id: tenantId }, body: { days, reason } });
      if (!result.ok) return { ok: false, message: result.error.message };
      void load();
      return { ok: true };
    },
    [tenantId, load],
  );
  return status ? { ...status, request } : { level: 'standard' as const, expiresAt: null, pendingRequest: null, request, unknown: true };
}

/** Tenant admins ask a supervisor for extended trust: days (≤ 30) and a reason. */
export function TrustRequestDialog({
  onSubmit,
  onClose,
}: {
  onSubmit: (days: number, reason: string) => Promise<{ ok: true } | { ok: false; message: string }>;
  onClose: () => void;
}) {
  const id = useId();
  const [days, setDays] = useState('7');
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  const firstRef = useRef<HTMLInputElement>(null);
  useEffect(() => {
    const previous = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    firstRef.current?.focus();
    return () => previous?.focus();
  }, []);
  const dayCount = Number(days);
  const valid = Number.isInteger(dayCount) && dayCount >= 1 && dayCount <= MAX_TRUST_DAYS && reason.trim().length >= 3;

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!valid) {
      setError(`Give 1 to ${MAX_TRUST_DAYS} days and a reason of at least 3 characters.`);
      return;
    }
    setBusy(true);
    const result = await onSubmit(dayCount, reason.trim());
    setBusy(false);
    if (result.ok) setDone(true);
    else setError(result.message);
  }

  return (
    <div className="modal-backdrop">
      <div
        className="modal"
        role="dialog"
        aria-modal="true"
        aria-labelledby={`${id}-title`}
        onKeyDown={(event) => {
          if (event.key === 'Escape') onClose();
        }}
      >
        <h2 id={`${id}-title`}>Ask for extended trust</h2>
        {done ? (
          <>
            <p role="status">Your request was sent. A supervisor will approve or deny it; you will see the result on this tenant.</p>
            <button type="button" onClick={onClose}>
              Close
            </button>
          </>
        ) : (
          <form onSubmit={(event) => void submit(event)} noValidate>
            <p>
              Extended trust lets lines that are otherwise blocked (such as downloads that run code) through, still checked and audited.
            </p>
            <label htmlFor={`${id}-days`}>Days (1–{MAX_TRUST_DAYS})</label>
            <input
              ref={firstRef}
              id={`${id}-days`}
              type="number"
              min={1}
              max={MAX_TRUST_DAYS}
              value={days}
              onChange={(event) => setDays(event.target.value)}
            />
            <label htmlFor={`${id}-reason`}>Reason</label>
            <textarea id={`${id}-reason`} rows={3} value={reason} onChange={(event) => setReason(event.target.value)} />
            {error ? (
              <p role="alert" className="error-text">
                {error}
              </p>
            ) : null}
            <div className="button-row">
              <button type="submit" className="primary" disabled={busy}>
                {busy ? 'Sending…' : 'Send request'}
              </button>
              <button type="button" onClick={onClose}>
                Cancel
              </button>
            </div>
          </form>
        )}
      </div>
    </div>
  );
}
