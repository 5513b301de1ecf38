import { useId, useState } from 'react';
import type { AbuseReview } from '../../../shared/api/audit';
import { callRoute } from '../api/calls';
import { EmptyState, ErrorNotice, formatTime, LoadView, useLoad } from '../components/common';

type Status = 'open' | 'dismissed' | 'actioned';

/** One piece of evidence as "key: value" pairs (server-built records with open-ended keys, shown as text). */
function evidenceText(record: Record<string, unknown>): string {
  return Object.entries(record)
    .map(([key, value]) => `${key}: ${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(' · ');
}

/**
 * Abuse review queue (platform admins and supervisors): tenants whose abuse score crossed the
 * review threshold, with the signals and evidence behind the score; close a review as dismissed
 * (nothing wrong) or actioned (the tenant was dealt with, e.g. restricted under Admin), with a note.
 */
export function ReviewQueueScreen() {
  const id = useId();
  const [status, setStatus] = useState<Status>('open');
  const [reviews, reload] = useLoad(() => callRoute('abuseReviewQueue', { query: { status } }), [status]);
  return (
    <section aria-labelledby={`${id}-title`}>
      <h1 id={`${id}-title`}>Review queue</h1>
      <div className="segmented" role="group" aria-label="Reviews to show">
        {(['open', 'dismissed', 'actioned'] as const).map((s) => (
          <button key={s} type="button" aria-pressed={status === s} onClick={() => setStatus(s)}>
            {s === 'open' ? 'Open' : s === 'dismissed' ? 'Dismissed' : 'Actioned'}
          </button>
        ))}
      </div>
      <LoadView value={reviews} onRetry={reload} loadingLabel="Loading reviews…">
        {({ reviews: list }) =>
          list.length === 0 ? (
            <EmptyState title={status === 'open' ? 'Nothing to review' : `No ${status} reviews`}>
              {status === 'open' ? 'Tenants appear here when their abuse score crosses the review threshold.' : null}
            </EmptyState>
          ) : (
            <ul className="review-list">
              {list.map((review) => (
                <ReviewItem key={review.id} review={review} onResolved={reload} />
              ))}
            </ul>
          )
        }
      </LoadView>
    </section>
  );
}

function ReviewItem({ review, onResolved }: { review: AbuseReview; onResolved: () => void }) {
  const id = useId();
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ code: string; message: string } | null>(null);

  async function resolve(status: 'dismissed' | 'actioned') {
    setBusy(true);
    setError(null);
    const result = await callRoute('resolveAbuseReview', { params: { id: review.id }, body: { status, note: note.trim() } });
    setBusy(false);
    if (result.ok) onResolved();
    else setError(result.error);
  }

  return (
    <li className="detail" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>
        {review.tenantName ?? review.tenantId} — score {review.score}
      </h2>
      <p className="muted">
        Opened {formatTime(review.openedAt)} · tenant {review.tenantState ?? 'unknown'}
        {review.autoRestricted ? ' · restricted automatically' : ''}
        {review.resolvedAt ? ` · ${review.status} ${formatTime(review.resolvedAt)}: ${review.resolutionNote ?? ''}` : ''}
      </p>
      <ul>
        {review.signals.map((signal) => (
          <li key={signal.code}>
            <strong>{signal.summary}</strong>{' '}
            <span className="muted">
              ({signal.code}: {signal.count} in {signal.windowHours} h, threshold {signal.threshold}, {signal.points} points)
            </span>
            {signal.evidence.length > 0 ? (
              <details>
                <summary>Evidence ({signal.evidence.length})</summary>
                <ul>
                  {signal.evidence.map((record, index) => (
                    <li key={index}>
                      <code>{evidenceText(record)}</code>
                    </li>
                  ))}
                </ul>
              </details>
            ) : null}
          </li>
        ))}
      </ul>
      {review.status === 'open' ? (
        <div className="inline-form">
          <label>
            Note
            <input value={note} onChange={(e) => setNote(e.target.value)} />
          </label>
          <button type="button" disabled={busy || note.trim().length < 3} onClick={() => void resolve('dismissed')}>
            Dismiss<span className="visually-hidden"> the review of {review.tenantName ?? review.tenantId}</span>
          </button>
          <button type="button" className="danger" disabled={busy || note.trim().length < 3} onClick={() => void resolve('actioned')}>
            Mark actioned<span className="visually-hidden"> for {review.tenantName ?? review.tenantId}</span>
          </button>
        </div>
      ) : null}
      {error ? <ErrorNotice error={error} /> : null}
    </li>
  );
}
