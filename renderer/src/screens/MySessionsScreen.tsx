import { useId, useState } from 'react';
import { callRoute } from '../api/calls';
import { EmptyState, ErrorNotice, formatTime, LoadView, useLoad } from '../components/common';
import { DataTable } from '../components/DataTable';

export function MySessionsScreen() {
  const id = useId();
  const [sessions, reload] = useLoad(() => callRoute('listSessions', {}), []);
  const [status, setStatus] = useState<string | null>(null);
  const [error, setError] = useState<{ code: string; message: string } | null>(null);

  async function revoke(sessionId: string) {
    setError(null);
    const result = await callRoute('revokeSession', { params: { id: sessionId } });
    if (result.ok) setStatus('The session was ended. That device is signed out within seconds.');
    else setError(result.error);
    reload();
  }

  async function revokeOthers() {
    setError(null);
    const result = await callRoute('revokeOtherSessions', {});
    if (result.ok) setStatus(`${result.value.revoked} other session(s) ended.`);
    else setError(result.error);
    reload();
  }

  return (
    <section aria-labelledby={`${id}-title`}>
      <h1 id={`${id}-title`}>My sessions</h1>
      {status ? <p role="status">{status}</p> : null}
      {error ? <ErrorNotice error={error} /> : null}
      <LoadView value={sessions} onRetry={reload} loadingLabel="Loading sessions…">
        {({ sessions: list }) =>
          list.length === 0 ? (
            <EmptyState title="No active sessions" />
          ) : (
            <>
              <button type="button" className="danger" onClick={() => void revokeOthers()} disabled={list.every((s) => s.current)}>
                Sign out all other sessions
              </button>
              <DataTable
                caption="Your active sessions"
                rows={list}
                rowKey={(s) => s.id}
                columns={[
                  {
                    header: 'Client',
                    cell: (s) => (
                      <>
                        {s.clientName ?? s.userAgent ?? 'Unknown client'} {s.current ? <strong>(this session)</strong> : null}
                      </>
                    ),
                  },
                  { header: 'Address', cell: (s) => s.lastSeenIp ?? s.ip ?? '—' },
                  { header: 'Started', cell: (s) => formatTime(s.createdAt) },
                  { header: 'Last seen', cell: (s) => formatTime(s.lastSeenAt) },
                  {
                    header: 'Actions',
                    hiddenHeader: true,
                    cell: (s) =>
                      s.current ? null : (
                        <button type="button" onClick={() => void revoke(s.id)}>
                          Revoke<span className="visually-hidden"> session started {formatTime(s.createdAt)}</span>
                        </button>
                      ),
                  },
                ]}
              />
            </>
          )
        }
      </LoadView>
    </section>
  );
}
