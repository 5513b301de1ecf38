import { useCallback, useEffect, useRef, useState } from 'react';
import { Terminal } from '@xterm/xterm';
import { FitAddon } from '@xterm/addon-fit';
import { getBulwark } from '../bridge/index';
import type { PolicyBlock } from '../../../shared/ipc/schemas';
import { guard } from '../api/calls';
import { BlockedReasonPanel } from '../blocked/BlockedReasonPanel';
import { describeCharacter, toVisibleString } from '../blocked/highlight';
import { ErrorNotice, Progress } from '../components/common';
import { hasFreshStepUp, hasRole, useSession } from '../state/session-store';
import { StepUpPrompt } from '../stepup/StepUpPrompt';
import { TrustRequestDialog, useTrustStatus } from '../screens/trust-shared';
import { LineEditor } from './line-editor';

type Phase =
  | { kind: 'idle' }
  | { kind: 'step-up' }
  | { kind: 'opening' }
  | { kind: 'open'; terminalId: string; shell: string; platform: string }
  | { kind: 'closed'; reason: string | null }
  | { kind: 'failed'; code: string; message: string };

interface BlockedLine {
  id: number;
  block: PolicyBlock;
}

/** Text for the local line preview: invisible and control characters become visible ⟨U+XXXX⟩ markers. */
export function visibleText(text: string): string[] {
  const cells: string[] = [];
  for (const char of text) {
    const special = describeCharacter(char.codePointAt(0) ?? 0);
    cells.push(special && special.kind !== 'lookalike' ? `\u001b[7m⟨${special.label}⟩\u001b[27m` : char);
  }
  return cells;
}

function visibleLength(cell: string): number {
  return cell.startsWith('\u001b[7m') ? cell.length - '\u001b[7m'.length - '\u001b[27m'.length : 1;
}

const CSI = '\u001b[';

/**
 * The terminal tab: step-up, then xterm in line mode. Each finished line goes to main, which runs
 * the policy engine first; a blocked line is never sent and is explained right under the terminal.
 */
export function TerminalView({
  endpointId,
  endpointName,
  tenantId,
}: {
  endpointId: string;
  endpointName: string;
  tenantId: string | null;
}) {
  const session = useSession((s) => s.session);
  const refreshSession = useSession((s) => s.refresh);
  const [phase, setPhase] = useState<Phase>({ kind: 'idle' });
  const [blocked, setBlocked] = useState<BlockedLine[]>([]);
  /** The mode the server confirmed (raw only while the tenant has extended trust). */
  const [rawMode, setRawMode] = useState(false);
  const [modeNotice, setModeNotice] = useState<{ error: boolean; message: string } | null>(null);
  const [trustDialog, setTrustDialog] = useState(false);
  const [trustRequestState, setTrustRequestState] = useState<'idle' | 'sent'>('idle');
  const trust = useTrustStatus(tenantId);
  const containerRef = useRef<HTMLDivElement>(null);
  const rawModeRef = useRef(rawMode);
  rawModeRef.current = rawMode;
  const blockId = useRef(0);
  const isTenantAdmin = hasRole(session, 'tenant_admin');
  const extendedTrust = trust?.level === 'extended' && trust.expiresAt !== null && Date.parse(trust.expiresAt) > Date.now();

  const open = useCallback(async () => {
    setPhase({ kind: 'opening' });
    const cols = 100;
    const rows = 30;
    const result = await guard(() => getBulwark().terminal.open({ endpointId, cols, rows }));
    if (result.ok) {
      setPhase({ kind: 'open', terminalId: result.value.terminalId, shell: result.value.shell, platform: result.value.platform });
    } else if (result.error.code === 'step_up_required') {
      setPhase({ kind: 'step-up' });
    } else {
      setPhase({ kind: 'failed', code: result.error.code, message: result.error.message });
    }
  }, [endpointId]);

  function start() {
    if (hasFreshStepUp(session, 'terminal')) void open();
    else setPhase({ kind: 'step-up' });
  }

  const terminalId = phase.kind === 'open' ? phase.terminalId : null;

  useEffect(() => {
    if (!terminalId || !containerRef.current) return;
    const api = getBulwark();
    // Every terminal starts in line mode; raw only once the server confirms it.
    rawModeRef.current = false;
    setRawMode(false);
    setModeNotice(null);
    const term = new Terminal({ cursorBlink: true, convertEol: false, fontSize: 14, scrollback: 5000, screenReaderMode: false });
    const fit = new FitAddon();
    term.loadAddon(fit);
    term.open(containerRef.current);
    const editor = new LineEditor();
    let previewActive = false;

    const erasePreview = () => {
      if (previewActive) term.write('\u001b8' + CSI + 'J');
      previewActive = false;
    };
    const drawPreview = () => {
      erasePreview();
      if (editor.buffer === '') return;
      const cells = visibleText(editor.buffer);
      const beforeCursor = visibleText(editor.buffer.slice(0, editor.cursor));
      const after = cells.slice(beforeCursor.length).reduce((sum, cell) => sum + visibleLength(cell), 0);
      term.write('\u001b7' + cells.join('') + (after > 0 ? `${CSI}${after}D` : ''));
      previewActive = true;
    };

    const doFit = () => {
      try {
        fit.fit();
      } catch {
        return;
      }
      void api.terminal.resize({ terminalId, cols: term.cols, rows: term.rows });
    };
    doFit();
    const observer = typeof ResizeObserver === 'function' ? new ResizeObserver(doFit) : null;
    observer?.observe(containerRef.current);

    const offOutput = api.events.onTerminalOutput((event) => {
      if (event.terminalId !== terminalId) return;
      erasePreview();
      term.write(event.data);
      if (editor.buffer !== '') drawPreview();
    });
    const offClosed = api.events.onTerminalClosed((event) => {
      if (event.terminalId !== terminalId) return;
      setPhase({ kind: 'closed', reason: event.reason });
    });
    const offMode = api.events.onTerminalMode((event) => {
      if (event.terminalId !== terminalId) return;
      rawModeRef.current = event.mode === 'raw';
      setRawMode(event.mode === 'raw');
      setModeNotice({ error: false, message: event.message });
    });
    const offBlock = api.events.onPolicyBlock((event) => {
      if (event.terminalId !== terminalId) return;
      blockId.current += 1;
      const id = blockId.current;
      setBlocked((list) => [{ id, block: event.block }, ...list].slice(0, 20));
    });

    const sendLine = async (line: string) => {
      const result = await guard(() => api.terminal.sendLine({ terminalId, line }));
      if (!result.ok) {
        term.write(`\r\n${CSI}31m${result.error.message}${CSI}0m\r\n`);
        return;
      }
      if (!result.value.sent) {
        const block = result.value.block;
        term.write(`${CSI}2m${visibleText(line).join('')}${CSI}0m  ${CSI}31m✗ blocked, not sent: see the explanation below${CSI}0m\r\n`);
        blockId.current += 1;
        const id = blockId.current;
        setBlocked((list) => [{ id, block }, ...list].slice(0, 20));
      }
    };

    // Lines go one after another: a blocked line stops the rest of a multi-line paste.
    let queue: Promise<void> = Promise.resolve();
    const onData = term.onData((data) => {
      if (rawModeRef.current) {
        void guard(() => api.terminal.rawInput({ terminalId, data })).then((result) => {
          if (!result.ok) term.write(`\r\n${CSI}31m${result.error.message}${CSI}0m\r\n`);
        });
        return;
      }
      for (const action of editor.handle(data)) {
        if (action.kind === 'redraw') drawPreview();
        else if (action.kind === 'control') {
          erasePreview();
          void guard(() => api.terminal.input({ terminalId, data: action.data }));
        } else if (action.kind === 'submit') {
          erasePreview();
          const line = action.line;
          queue = queue.then(() => sendLine(line));
        }
      }
    });
    term.focus();

    return () => {
      onData.dispose();
      offOutput();
      offClosed();
      offMode();
      offBlock();
      observer?.disconnect();
      term.dispose();
      void guard(() => api.terminal.close({ terminalId }));
    };
  }, [terminalId]);

  /** Asks the server for raw or line mode; the checkbox follows what the server confirms. */
  async function requestMode(mode: 'line' | 'raw') {
    if (!terminalId) return;
    setModeNotice(null);
    const result = await guard(() => getBulwark().terminal.setMode({ terminalId, mode }));
    if (!result.ok) setModeNotice({ error: true, message: result.error.message });
  }

  async function requestTrust(days: number, reason: string) {
    if (!tenantId) return { ok: false as const, message: 'No tenant for this endpoint.' };
    const result = await trust.request(days, reason);
    if (result.ok) setTrustRequestState('sent');
    return result;
  }

  return (
    <section aria-label={`Terminal on ${endpointName}`} className="terminal-tab">
      {phase.kind === 'idle' || phase.kind === 'closed' || phase.kind === 'failed' ? (
        <div className="terminal-start">
          {phase.kind === 'closed' ? <p role="status">The terminal closed{phase.reason ? `: ${phase.reason}` : '.'}</p> : null}
          {phase.kind === 'failed' ? (
            <ErrorNotice error={{ code: phase.code, message: phase.message }} title="The terminal could not be opened" />
          ) : null}
          <button type="button" className="primary" onClick={start}>
            {phase.kind === 'idle' ? 'Open terminal' : 'Open a new terminal'}
          </button>
        </div>
      ) : null}
      {phase.kind === 'step-up' ? (
        <StepUpPrompt
          action="terminal"
          detail={`Endpoint: ${endpointName}.`}
          onCancel={() => setPhase({ kind: 'idle' })}
          onSubmit={async (code) => {
            const result = await guard(() => getBulwark().auth.stepUp({ action: 'terminal', code }));
            if (!result.ok) return { ok: false, message: result.error.message };
            void refreshSession();
            void open();
            return { ok: true };
          }}
        />
      ) : null}
      {phase.kind === 'opening' ? <Progress label="Opening the terminal…" /> : null}
      {phase.kind === 'open' ? (
        <div className="terminal-toolbar">
          <span className="muted">
            {phase.shell} on {phase.platform} —{' '}
            {rawMode
              ? 'raw mode: keystrokes go to the shell as typed (extended trust; still recorded).'
              : 'line mode: each line is checked before it is sent. ↑/↓ recall earlier lines.'}
          </span>
          {extendedTrust || rawMode ? (
            <label className="inline-check">
              <input type="checkbox" checked={rawMode} onChange={(event) => void requestMode(event.target.checked ? 'raw' : 'line')} />
              Raw keystrokes (extended trust is in force)
            </label>
          ) : null}
          {modeNotice ? (
            <span className={modeNotice.error ? 'error-text' : 'muted'} role={modeNotice.error ? 'alert' : 'status'}>
              {modeNotice.message}
            </span>
          ) : null}
          <button type="button" onClick={() => setPhase({ kind: 'closed', reason: null })}>
            Close terminal
          </button>
        </div>
      ) : null}
      <div ref={containerRef} className="terminal-surface" role="application" aria-label="Terminal" hidden={phase.kind !== 'open'} />
      {blocked.length > 0 ? (
        <div className="blocked-lines" aria-live="polite">
          {blocked.map((entry, index) =>
            index === 0 ? (
              <BlockedReasonPanel
                key={entry.id}
                text={entry.block.text}
                reasons={entry.block.reasons}
                refusedBy={entry.block.source}
                trustRequest={
                  isTenantAdmin && tenantId
                    ? {
                        onRequest: () => setTrustDialog(true),
                        state: trustRequestState === 'sent' || trust?.pendingRequest ? 'sent' : 'idle',
                      }
                    : undefined
                }
              />
            ) : (
              <details key={entry.id} className="earlier-block">
                <summary>
                  Earlier blocked line: <code>{toVisibleString(entry.block.text.slice(0, 80))}</code>
                </summary>
                <BlockedReasonPanel text={entry.block.text} reasons={entry.block.reasons} refusedBy={entry.block.source} headingLevel={4} />
              </details>
            ),
          )}
        </div>
      ) : null}
      {trustDialog ? <TrustRequestDialog onSubmit={requestTrust} onClose={() => setTrustDialog(false)} /> : null}
    </section>
  );
}
