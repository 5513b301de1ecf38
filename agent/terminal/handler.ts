/**
 * The agent's side of terminal sessions: `terminal.*` messages from the server drive node-pty
 * sessions (pty-sessions.ts), with defence in depth: a pty opens only for an order signed by the
 * server for this endpoint; in line mode each line must come with its signed line order, is
 * re-checked by the shared policy engine (context signed at open + this agent's own record of the
 * session's earlier lines), and must arrive in sequence; raw keystrokes are accepted only with a
 * signed raw grant whose end (the tenant's extended trust) has not passed.
 */
import { z } from 'zod';
import { ORDER_CLOCK_SKEW_MS } from '../../shared/agent-protocol/signing';
import { TerminalInterruptOrder, TerminalLineOrder, TerminalOrder, TerminalRawGrant } from '../../shared/agent-protocol/sessions';
import type { ServerMessageOf } from '../../shared/agent-protocol/messages';
import { evaluatePolicy, MAX_HISTORY_LINES } from '../../shared/policy/index';
import type { AgentRuntime } from '../extensions';
import { osFamily } from '../inventory';
import { TerminalError, TerminalSessions, type TerminalSessionLimits } from './pty-sessions';

interface SessionState {
  order: TerminalOrder;
  nextSeq: number;
  history: string[];
  /** Signature of the raw grant last verified, so each keystroke chunk is not verified again. */
  rawGrant: { signature: string; payload: string; rawUntil: number } | null;
}

const InputOrder = z.discriminatedUnion('kind', [TerminalLineOrder, TerminalInterruptOrder, TerminalRawGrant]);

export function installTerminal(runtime: AgentRuntime, limits: Partial<TerminalSessionLimits> = {}): TerminalSessions {
  const sessions = new TerminalSessions(limits);
  const states = new Map<string, SessionState>();
  const endpointId = runtime.state.endpointId;

  const refuse = (sessionId: string, code: string, message: string) => {
    runtime.logger.warn({ sessionId, code, detail: message }, 'terminal message refused');
    runtime.send({ v: 1, type: 'terminal.refused', sessionId, code, message });
  };

  runtime.on('terminal.open', (message) => {
    const verified = runtime.serverKey.verify(message.order, TerminalOrder);
    if (!verified.ok) return refuse(message.sessionId, verified.code, verified.message);
    const order = verified.order;
    const now = Date.now();
    if (order.sessionId !== message.sessionId || order.endpointId !== endpointId) {
      return refuse(message.sessionId, 'wrong_endpoint', 'the signed terminal order is for another session or endpoint');
    }
    if (now > order.expiresAt + ORDER_CLOCK_SKEW_MS)
      return refuse(message.sessionId, 'order_expired', 'the signed terminal order has expired');
    if (states.has(message.sessionId)) return refuse(message.sessionId, 'duplicate_session', 'this terminal session is already open');
    try {
      sessions.open(
        message.sessionId,
        { shell: order.shell, cols: message.cols, rows: message.rows },
        {
          onOutput: (data) => runtime.send({ v: 1, type: 'terminal.output', sessionId: message.sessionId, data }),
          // Pauses the pty while the connection to the server is backed up, when the runtime can tell.
          isCongested: () => (runtime as AgentRuntime & { isCongested?: () => boolean }).isCongested?.() ?? false,
          onExit: (exit) => {
            states.delete(message.sessionId);
            runtime.send({
              v: 1,
              type: 'terminal.exit',
              sessionId: message.sessionId,
              exitCode: exit.exitCode,
              signal: exit.signal === null ? null : String(exit.signal),
              reason: exit.reason,
            });
          },
        },
      );
    } catch (error) {
      const code = error instanceof TerminalError ? error.code : 'spawn_failed';
      return refuse(message.sessionId, code, (error as Error).message);
    }
    states.set(message.sessionId, { order, nextSeq: 0, history: [], rawGrant: null });
    runtime.send({
      v: 1,
      type: 'terminal.opened',
      sessionId: message.sessionId,
      shell: order.shell,
      pid: sessions.pid(message.sessionId) ?? undefined,
    });
  });

  runtime.on('terminal.input', (message) => handleInput(message));

  function handleInput(message: ServerMessageOf<'terminal.input'>) {
    const state = states.get(message.sessionId);
    if (!state) return refuse(message.sessionId, 'no_such_session', 'no open terminal session with this id');
    const now = Date.now();
    // Raw keystrokes under a grant already verified: the common case in raw mode, kept cheap.
    if (state.rawGrant && message.order?.signature === state.rawGrant.signature && message.order.payload === state.rawGrant.payload) {
      if (now >= state.rawGrant.rawUntil)
        return refuse(message.sessionId, 'raw_mode_expired', 'raw mode ended with the extended trust; send lines');
      sessions.write(message.sessionId, message.data);
      return;
    }
    const verified = runtime.serverKey.verify(message.order, InputOrder);
    if (!verified.ok) return refuse(message.sessionId, verified.code, verified.message);
    const order = verified.order;
    if (order.sessionId !== message.sessionId || order.endpointId !== endpointId) {
      return refuse(message.sessionId, 'wrong_endpoint', 'the signed input is for another session or endpoint');
    }
    if (order.kind === 'terminal_raw') {
      if (now >= order.rawUntil) return refuse(message.sessionId, 'raw_mode_expired', 'raw mode ended with the extended trust; send lines');
      state.rawGrant = { signature: message.order!.signature, payload: message.order!.payload, rawUntil: order.rawUntil };
      sessions.write(message.sessionId, message.data);
      return;
    }
    if (now > order.expiresAt + ORDER_CLOCK_SKEW_MS) return refuse(message.sessionId, 'order_expired', 'the signed line has expired');
    if (order.seq !== state.nextSeq)
      return refuse(message.sessionId, 'replayed', `line ${order.seq} arrived out of sequence (expected ${state.nextSeq})`);
    if (order.kind === 'terminal_interrupt') {
      if (message.data !== '\u0003') return refuse(message.sessionId, 'hash_mismatch', 'an interrupt carries Ctrl-C only');
      state.nextSeq++;
      sessions.write(message.sessionId, message.data);
      return;
    }
    if (message.data !== order.text + '\r') return refuse(message.sessionId, 'hash_mismatch', 'the input does not match the signed line');
    state.nextSeq++;
    const result = evaluatePolicy({
      text: order.text,
      shell: state.order.shell,
      platform: osFamily(),
      action: 'terminal_line',
      context: { ...state.order.policy, now: Math.max(now, order.issuedAt), history: state.history.slice(-MAX_HISTORY_LINES) },
    });
    if (result.decision === 'block') {
      return refuse(
        message.sessionId,
        'policy_blocked',
        `the policy engine on this endpoint blocks this line (${result.reasons.map((r) => r.code).join(', ')}); it was not run`,
      );
    }
    state.history.push(order.text);
    if (state.history.length > 2 * MAX_HISTORY_LINES) state.history.splice(0, state.history.length - MAX_HISTORY_LINES);
    sessions.write(message.sessionId, message.data);
  }

  runtime.on('terminal.resize', (message) => {
    try {
      if (states.has(message.sessionId)) sessions.resize(message.sessionId, message.cols, message.rows);
    } catch (error) {
      refuse(message.sessionId, 'bad_size', (error as Error).message);
    }
  });

  runtime.on('terminal.close', (message) => sessions.close(message.sessionId, 'closed_by_server'));

  // The server's side of every session is gone with the connection: nobody could see or stop them.
  runtime.onDisconnect(() => sessions.closeAll('agent_shutdown'));
  return sessions;
}
