import { useId } from 'react';
import { CommandHighlight } from './CommandHighlight';

/** A reason as the engine (shared/policy Reason), the IPC (BlockReason) or the audit log gives it. */
export interface DisplayReason {
  code: string;
  severity: 'block' | 'flag';
  ruleId: string;
  message: string;
  /** UTF-16 offsets into the original text. */
  spans: readonly { start: number; end: number }[];
  remedy?: string | undefined;
}

export type TrustRequestState = 'idle' | 'sending' | 'sent' | 'error';

export interface TrustRequestControl {
  /** Starts an extended-trust request for the tenant (tenant admins only; the caller decides). */
  onRequest: () => void;
  state?: TrustRequestState;
  /** Server message when the request failed, or a confirmation detail once sent. */
  message?: string;
}

export interface BlockedReasonPanelProps {
  /** The text exactly as the technician wrote it: every span is an offset into it. */
  text: string;
  reasons: readonly DisplayReason[];
  /** Who refused: the console's own pre-check, or the server (the authority). */
  refusedBy?: 'console' | 'server';
  /** Present for tenant admins; the button shows only when some reason can be lifted by extended trust. */
  trustRequest?: TrustRequestControl;
  /** Heading level inside the surrounding page. */
  headingLevel?: 2 | 3 | 4;
}

/** Reasons whose remedy is extended trust (the engine says so in the remedy it attaches). */
export function liftableByTrust(reasons: readonly DisplayReason[]): boolean {
  return reasons.some((reason) => reason.severity === 'block' && /extended trust/i.test(reason.remedy ?? ''));
}

/**
 * Explains a refused command: for each reason the message, the offending part of the command
 * highlighted, the rule code and the remedy. Nothing in here sends anything: the command was
 * not sent, and the panel says so.
 */
export function BlockedReasonPanel({ text, reasons, refusedBy = 'console', trustRequest, headingLevel = 3 }: BlockedReasonPanelProps) {
  const headingId = useId();
  const Heading = `h${headingLevel}` as const;
  const title = refusedBy === 'server' ? 'Refused by the server — nothing was run' : 'Blocked by the security policy — nothing was sent';
  const showTrustButton = trustRequest !== undefined && liftableByTrust(reasons);
  const trustState = trustRequest?.state ?? 'idle';

  return (
    <section className="blocked-panel" aria-labelledby={headingId} data-testid="blocked-reason-panel">
      <Heading id={headingId} className="blocked-title">
        {title}
      </Heading>
      {reasons.length === 0 ? <p>No reason was given.</p> : null}
      <ol className="reason-list">
        {reasons.map((reason, index) => (
          <li key={`${reason.ruleId}-${index}`} className={`reason reason-${reason.severity}`}>
            <p className="reason-head">
              <span className={`severity-badge severity-${reason.severity}`}>{reason.severity === 'block' ? 'Blocks' : 'Flagged'}</span>{' '}
              <code className="reason-code" aria-label={`Reason code ${reason.code}`}>
                {reason.code}
              </code>{' '}
              <span className="muted">
                rule <code aria-label={`Rule ${reason.ruleId}`}>{reason.ruleId}</code>
              </span>
            </p>
            <p className="reason-message">{reason.message}</p>
            {reason.spans.length > 0 ? (
              <CommandHighlight text={text} spans={reason.spans} label={`Matched part of the command for ${reason.code}`} />
            ) : (
              <p className="muted">This reason is not about one part of the command.</p>
            )}
            {reason.remedy ? (
              <p className="reason-remedy">
                <strong>What would allow it: </strong>
                {reason.remedy}
              </p>
            ) : null}
          </li>
        ))}
      </ol>
      {showTrustButton ? (
        <div className="trust-request">
          <button type="button" onClick={trustRequest.onRequest} disabled={trustState === 'sending' || trustState === 'sent'}>
            {trustState === 'sending' ? 'Sending request…' : trustState === 'sent' ? 'Request sent' : 'Ask a supervisor for extended trust'}
          </button>
          {trustState === 'sent' ? (
            <p role="status">A supervisor has been asked. You will see the trust on the tenant once it is approved.</p>
          ) : null}
          {trustState === 'error' ? <p role="alert">{trustRequest.message ?? 'The request could not be sent.'}</p> : null}
        </div>
      ) : null}
    </section>
  );
}
