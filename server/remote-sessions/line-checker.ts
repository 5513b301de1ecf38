/**
 * Line mode: every line a technician sends is checked by the shared policy engine, with the tenant's
 * current context and the session's earlier lines as history, and recorded as a script log BEFORE
 * it is forwarded or refused. The history is what makes cross-line chains visible:
 * `$u='http://x/a.ps1'` then `iex (irm $u)`, or a file downloaded by one line and run by the next.
 */
import { analyse, evaluatePolicy, extractDestinations, MAX_HISTORY_LINES } from '../../shared/policy/index';
import { plainReason, type Platform, type PolicyResult, type Shell } from '../../shared/policy/types';
import { findControlCharacter, type PolicyReasonView } from '../../shared/api/terminal-protocol';
import type { ServerContext } from '../context';
import { loadTenantPolicyContext, type TenantPolicySnapshot } from '../controls/policy-context';
import { recordScriptLog } from '../audit/script-logs';
import type { RequestMeta } from '../identity/principal';

export interface LineSessionInfo {
  sessionId: string;
  tenantId: string;
  endpointId: string;
  userId: string;
  shell: Shell;
  platform: Platform;
  meta: RequestMeta | null;
}

export type LineVerdict =
  | { forward: true; decision: 'allow' | 'flag'; reasons: PolicyReasonView[]; result: PolicyResult; snapshot: TenantPolicySnapshot }
  | { forward: false; decision: 'block'; reasons: PolicyReasonView[]; result: PolicyResult | null; snapshot: TenantPolicySnapshot | null }
  | { forward: false; decision: 'refused'; reasons: []; message: string };

/** Dependencies, injectable for unit tests of the checker alone; production uses the real ones. */
export interface LineCheckerDeps {
  loadTenantPolicyContext: (ctx: ServerContext, tenantId: string) => Promise<TenantPolicySnapshot>;
  recordScriptLog: typeof recordScriptLog;
}

const realDeps: LineCheckerDeps = { loadTenantPolicyContext, recordScriptLog };

/** Lines that may change shell state later lines depend on are kept longest once the history is full. */
const MAX_STATEFUL_LINES = Math.floor(MAX_HISTORY_LINES / 2);

/**
 * Whether a line may leave state that a later line could use: a variable assignment, an output
 * redirect (a file written), or a destination (a download). Such lines stay in the history even
 * when a long session pushes ordinary lines out of the engine's window.
 */
export function isStatefulLine(line: string, shell: Shell, platform: Platform): boolean {
  if (extractDestinations(line).length > 0) return true;
  const doc = analyse(line, shell, platform);
  if ((doc.assignments?.length ?? 0) > 0) return true;
  return doc.commands.some((command) => command.assignTo !== undefined || command.redirects.some((r) => r.op !== '<'));
}

export class TerminalLineChecker {
  /** Every line forwarded to the shell, oldest first, with whether it is stateful. */
  private readonly forwarded: { text: string; stateful: boolean }[] = [];

  constructor(
    private readonly ctx: ServerContext,
    readonly session: LineSessionInfo,
    private readonly deps: LineCheckerDeps = realDeps,
  ) {}

  /**
   * The history handed to the engine: all forwarded lines while they fit its window; beyond that
   * the most recent stateful lines (up to half the window) plus the most recent lines.
   */
  history(): string[] {
    if (this.forwarded.length <= MAX_HISTORY_LINES) return this.forwarded.map((line) => line.text);
    const recentCount = MAX_HISTORY_LINES - MAX_STATEFUL_LINES;
    const recentStart = this.forwarded.length - recentCount;
    const older = this.forwarded
      .slice(0, recentStart)
      .filter((line) => line.stateful)
      .slice(-MAX_STATEFUL_LINES)
      .map((line) => line.text);
    return [...older, ...this.forwarded.slice(recentStart).map((line) => line.text)];
  }

  /** Keeps memory bounded in very long sessions: drops what `history()` would never hand out again. */
  private compact() {
    if (this.forwarded.length <= 2 * MAX_HISTORY_LINES) return;
    const recentStart = this.forwarded.length - (MAX_HISTORY_LINES - MAX_STATEFUL_LINES);
    const keptOlder = this.forwarded
      .slice(0, recentStart)
      .filter((line) => line.stateful)
      .slice(-MAX_STATEFUL_LINES);
    this.forwarded.splice(0, recentStart, ...keptOlder);
    this.dropped += recentStart - keptOlder.length;
  }

  /** Lines no longer held (long sessions); they are still in the transcript and the script logs. */
  dropped = 0;

  get forwardedCount() {
    return this.forwarded.length;
  }

  /**
   * Checks one line. The script log is written (awaited) before this returns, whatever the verdict,
   * so the caller forwards or refuses only lines that are already on record.
   */
  async check(text: string): Promise<LineVerdict> {
    const control = findControlCharacter(text);
    if (control >= 0) {
      return {
        forward: false,
        decision: 'refused',
        reasons: [],
        message: `The line contains a control character (U+${text.charCodeAt(control).toString(16).toUpperCase().padStart(4, '0')} at position ${control}); in line mode send plain text only, or use raw mode (needs extended trust)`,
      };
    }
    const snapshot = await this.deps.loadTenantPolicyContext(this.ctx, this.session.tenantId);
    const result = evaluatePolicy({
      text,
      shell: this.session.shell,
      platform: this.session.platform,
      action: 'terminal_line',
      context: { ...snapshot.policy, history: this.history() },
    });
    await this.deps.recordScriptLog(this.ctx, {
      tenantId: this.session.tenantId,
      endpointId: this.session.endpointId,
      userId: this.session.userId,
      kind: 'terminal_line',
      text,
      decision: result.decision,
      reasons: result.reasons,
      sessionId: this.session.sessionId,
      meta: this.session.meta,
    });
    const reasons = result.reasons.map(plainReason);
    if (result.decision === 'block') return { forward: false, decision: 'block', reasons, result, snapshot };
    this.forwarded.push({ text, stateful: isStatefulLine(text, result.shell, this.session.platform) });
    this.compact();
    return { forward: true, decision: result.decision, reasons, result, snapshot };
  }
}
