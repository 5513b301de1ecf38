import { useEffect, useState } from 'react';
import { getBulwark } from '../bridge/index';
import type { IpcError, PolicyBlock } from '../../../shared/ipc/schemas';
import { guard } from '../api/calls';
import { BlockedReasonPanel } from '../blocked/BlockedReasonPanel';
import { ErrorNotice, Progress } from '../components/common';
import { hasFreshStepUp, useSession } from '../state/session-store';
import { StepUpPrompt } from '../stepup/StepUpPrompt';

type RunStatus = 'dispatched' | 'queued' | 'running' | 'succeeded' | 'failed' | 'blocked';

interface EndpointRun {
  endpointId: string;
  status: RunStatus;
  runId: string | null;
  block: PolicyBlock | null;
  error: IpcError | null;
  output: string;
  exitCode: number | null;
}

/**
 * Runs a saved script on one or many endpoints (after step-up) and shows live progress per
 * endpoint; a run refused by the policy is explained with the same panel as a terminal line.
 */
export function ScriptRunner({ scriptId, endpoints }: { scriptId: string; endpoints: readonly { id: string; name: string }[] }) {
  const session = useSession((s) => s.session);
  const refreshSession = useSession((s) => s.refresh);
  const [stepUp, setStepUp] = useState(false);
  const [starting, setStarting] = useState(false);
  const [error, setError] = useState<IpcError | null>(null);
  const [runs, setRuns] = useState<EndpointRun[]>([]);

  useEffect(() => {
    let off: (() => void) | undefined;
    try {
      off = getBulwark().events.onScriptRunProgress((event) => {
        setRuns((current) =>
          current.map((run) =>
            run.runId === event.runId && run.endpointId === event.endpointId
              ? { ...run, status: event.status, output: run.output + (event.output ?? ''), exitCode: event.exitCode ?? run.exitCode }
              : run,
          ),
        );
      });
    } catch {
      off = undefined;
    }
    return () => off?.();
  }, []);

  async function run() {
    setStarting(true);
    setError(null);
    const result = await guard(() => getBulwark().scripts.run({ scriptId, endpointIds: endpoints.map((e) => e.id) }));
    setStarting(false);
    if (!result.ok) {
      if (result.error.code === 'step_up_required') setStepUp(true);
      else setError(result.error);
      return;
    }
    setRuns(result.value.runs.map((r) => ({ ...r, output: '', exitCode: null })));
  }

  function start() {
    if (hasFreshStepUp(session, 'script')) void run();
    else setStepUp(true);
  }

  const nameOf = (id: string) => endpoints.find((e) => e.id === id)?.name ?? id;

  return (
    <div className="script-runner">
      <button type="button" className="primary" onClick={start} disabled={starting || endpoints.length === 0}>
        {endpoints.length > 1 ? `Run on ${endpoints.length} endpoints` : 'Run script'}
      </button>
      {starting ? <Progress label="Checking and dispatching…" /> : null}
      {error ? <ErrorNotice error={error} title="The run did not start" /> : null}
      {stepUp ? (
        <StepUpPrompt
          action="script"
          onCancel={() => setStepUp(false)}
          onSubmit={async (code) => {
            const result = await guard(() => getBulwark().auth.stepUp({ action: 'script', code }));
            if (!result.ok) return { ok: false, message: result.error.message };
            setStepUp(false);
            void refreshSession();
            void run();
            return { ok: true };
          }}
        />
      ) : null}
      {runs.length > 0 ? (
        <ul className="run-list" aria-label="Progress per endpoint">
          {runs.map((run) => (
            <li key={run.endpointId}>
              <p>
                <strong>{nameOf(run.endpointId)}</strong> <span className={`status status-${run.status}`}>{run.status}</span>
                {run.exitCode !== null ? <span className="muted"> exit code {run.exitCode}</span> : null}
                {run.status === 'queued' || run.status === 'running' || run.status === 'dispatched' ? (
                  <span className="spinner" aria-hidden="true" />
                ) : null}
              </p>
              {run.block ? (
                <BlockedReasonPanel text={run.block.text} reasons={run.block.reasons} refusedBy={run.block.source} headingLevel={4} />
              ) : null}
              {run.error ? <ErrorNotice error={run.error} /> : null}
              {run.output ? <pre className="run-output">{run.output}</pre> : null}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
