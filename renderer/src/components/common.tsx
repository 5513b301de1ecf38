import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import type { IpcError } from '../../../shared/ipc/schemas';
import { describeError, type Result } from '../api/calls';

/** A visible, announced progress indicator. */
export function Progress({ label }: { label: string }) {
  return (
    <p className="progress" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      {label}
    </p>
  );
}

/** An error a person can act on: what happened, and a retry where retrying makes sense. */
export function ErrorNotice({ error, onRetry, title }: { error: IpcError; onRetry?: () => void; title?: string }) {
  if (error.code === 'unavailable') {
    return <EmptyState title={title ?? 'Not available yet'}>{describeError(error)}</EmptyState>;
  }
  return (
    <div className="notice notice-error" role="alert">
      {title ? <strong>{title}: </strong> : null}
      {describeError(error)}
      {onRetry ? (
        <>
          {' '}
          <button type="button" onClick={onRetry}>
            Try again
          </button>
        </>
      ) : null}
    </div>
  );
}

export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="empty-state">
      <p className="empty-title">{title}</p>
      {children ? <p className="muted">{children}</p> : null}
    </div>
  );
}

export type Loadable<T> = { state: 'loading' } | { state: 'error'; error: IpcError } | { state: 'ready'; value: T };

/** Loads once (and again when `deps` change or `reload` is called); ignores answers that arrive after unmount. */
export function useLoad<T>(load: () => Promise<Result<T>>, deps: readonly unknown[]): [Loadable<T>, () => void] {
  const [value, setValue] = useState<Loadable<T>>({ state: 'loading' });
  const [generation, setGeneration] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  useEffect(() => {
    let live = true;
    setValue({ state: 'loading' });
    void loadRef.current().then((result) => {
      if (!live) return;
      setValue(result.ok ? { state: 'ready', value: result.value } : { state: 'error', error: result.error });
    });
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- the caller lists what the load depends on
  }, [generation, ...deps]);
  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  return [value, reload];
}

/** Renders a Loadable: progress, an actionable error, or the content. */
export function LoadView<T>({
  value,
  onRetry,
  loadingLabel,
  children,
}: {
  value: Loadable<T>;
  onRetry: () => void;
  loadingLabel: string;
  children: (value: T) => ReactNode;
}) {
  if (value.state === 'loading') return <Progress label={loadingLabel} />;
  if (value.state === 'error') return <ErrorNotice error={value.error} onRetry={onRetry} />;
  return <>{children(value.value)}</>;
}

export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}

/** "3 d 4 h", "12 min", "expired": for trust and session countdowns. */
export function formatRemaining(untilIso: string, now: number): string {
  const ms = Date.parse(untilIso) - now;
  if (!(ms > 0)) return 'expired';
  const minutes = Math.floor(ms / 60_000);
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  if (days > 0) return `${days} d ${hours} h`;
  if (hours > 0) return `${hours} h ${minutes % 60} min`;
  return minutes > 0 ? `${minutes} min` : 'under a minute';
}

/** The current time, updated every `intervalMs` (countdowns). */
export function useNow(intervalMs = 30_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}
