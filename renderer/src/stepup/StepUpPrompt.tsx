import { useEffect, useId, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import type { StepUpAction } from '../../../shared/api/roles';

export type StepUpOutcome = { ok: true } | { ok: false; message: string };

export interface StepUpPromptProps {
  action: StepUpAction;
  /** Sends the code to the server; resolves with the server's verdict (its message on refusal). */
  onSubmit: (code: string) => Promise<StepUpOutcome>;
  onCancel: () => void;
  /** What is about to happen, e.g. the endpoint name, shown under the title. */
  detail?: string;
}

const ACTION_TEXT: Record<StepUpAction, string> = {
  terminal: 'open a terminal',
  viewer: 'start the viewer',
  script: 'run a script',
  schedule: 'create a schedule',
  trust_approval: 'approve extended trust',
  api_key: 'create an API key',
};

const FOCUSABLE = 'button:not([disabled]), input:not([disabled]), [href], [tabindex]:not([tabindex="-1"])';

/**
 * Asks for a fresh TOTP code before a sensitive action. A modal dialog: focus goes to the code
 * field, Tab stays inside, Escape cancels, and focus returns to where it was when it closes.
 */
export function StepUpPrompt({ action, onSubmit, onCancel, detail }: StepUpPromptProps) {
  const titleId = useId();
  const descriptionId = useId();
  const errorId = useId();
  const dialogRef = useRef<HTMLDivElement>(null);
  const inputRef = useRef<HTMLInputElement>(null);
  const mounted = useRef(true);
  const [code, setCode] = useState('');
  const [submitting, setSubmitting] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    mounted.current = true;
    const previouslyFocused = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    inputRef.current?.focus();
    return () => {
      mounted.current = false;
      previouslyFocused?.focus();
    };
  }, []);

  const complete = /^\d{6}$/.test(code);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!complete || submitting) return;
    setSubmitting(true);
    setError(null);
    let outcome: StepUpOutcome;
    try {
      outcome = await onSubmit(code);
    } catch (cause) {
      outcome = { ok: false, message: cause instanceof Error ? cause.message : 'The code could not be checked. Try again.' };
    }
    if (!mounted.current || outcome.ok) return;
    setSubmitting(false);
    setError(outcome.message);
    setCode('');
    inputRef.current?.focus();
  }

  function onKeyDown(event: KeyboardEvent<HTMLDivElement>) {
    if (event.key === 'Escape') {
      event.preventDefault();
      onCancel();
      return;
    }
    if (event.key !== 'Tab' || !dialogRef.current) return;
    const focusable = Array.from(dialogRef.current.querySelectorAll<HTMLElement>(FOCUSABLE));
    const first = focusable[0];
    const last = focusable[focusable.length - 1];
    if (!first || !last) return;
    if (event.shiftKey && document.activeElement === first) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first.focus();
    }
  }

  return (
    <div className="modal-backdrop">
      <div
        ref={dialogRef}
        className="modal"
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        aria-describedby={descriptionId}
        onKeyDown={onKeyDown}
      >
        <h2 id={titleId}>Confirm it is you</h2>
        <p id={descriptionId}>
          Enter the current code from your authenticator app to {ACTION_TEXT[action]}.{detail ? ` ${detail}` : ''}
        </p>
        <form onSubmit={(event) => void submit(event)} noValidate>
          <label htmlFor={`${titleId}-code`}>Authenticator code</label>
          <input
            ref={inputRef}
            id={`${titleId}-code`}
            className="totp-input"
            name="code"
            inputMode="numeric"
            autoComplete="one-time-code"
            pattern="[0-9]{6}"
            maxLength={7}
            value={code}
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? errorId : undefined}
            disabled={submitting}
            onChange={(event) => setCode(event.target.value.replace(/\D/g, '').slice(0, 6))}
          />
          {error ? (
            <p id={errorId} role="alert" className="error-text">
              {error}
            </p>
          ) : null}
          <div className="button-row">
            <button type="submit" className="primary" disabled={!complete || submitting} aria-busy={submitting}>
              {submitting ? 'Checking…' : 'Confirm'}
            </button>
            <button type="button" onClick={onCancel}>
              Cancel
            </button>
          </div>
        </form>
      </div>
    </div>
  );
}
