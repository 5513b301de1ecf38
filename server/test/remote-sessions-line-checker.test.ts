import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ServerContext } from '../context';
import type { TenantPolicySnapshot } from '../controls/policy-context';
import type { ScriptLogInput } from '../audit/script-logs';
import { isStatefulLine, TerminalLineChecker } from '../remote-sessions/line-checker';

/**
 * The line checker on its own: the real policy engine, with the tenant context and the script-log
 * writer replaced by recorders (the end-to-end test covers them against the database).
 */
function checker(trust: TenantPolicySnapshot['policy']['trust'] = { level: 'standard' }) {
  const events: string[] = [];
  const logs: ScriptLogInput[] = [];
  const snapshot: TenantPolicySnapshot = {
    tenantId: randomUUID(),
    state: 'active',
    verified: true,
    policy: { tenantState: 'active', trust, now: Date.now(), blockedDestinations: [], permittedScriptHashes: [], history: [] },
    limits: {
      dispatchesPerMinute: 100,
      concurrentTerminalSessions: 5,
      enrollTokens: { maxActive: 5, maxUsesPerToken: 5, maxValidityHours: 24 },
    },
  };
  const lineChecker = new TerminalLineChecker(
    {} as ServerContext,
    {
      sessionId: randomUUID(),
      tenantId: snapshot.tenantId,
      endpointId: randomUUID(),
      userId: randomUUID(),
      shell: 'bash',
      platform: 'linux',
      meta: null,
    },
    {
      loadTenantPolicyContext: () => Promise.resolve(snapshot),
      recordScriptLog: (_ctx, input) => {
        events.push(`log:${input.decision}`);
        logs.push(input);
        return Promise.resolve({ id: randomUUID() });
      },
    },
  );
  return { lineChecker, events, logs };
}

describe('terminal line checker', () => {
  it('uses earlier lines as history and records every line before answering', async () => {
    const { lineChecker, events, logs } = checker();
    expect((await lineChecker.check("c='curl -s http://127.0.0.1:9/a.sh'")).decision).toBe('allow');
    const verdict = await lineChecker.check('$c | sh');
    expect(verdict.decision).toBe('block');
    expect(verdict.reasons.map((reason) => reason.code)).toContain('download_execute');
    expect(events).toEqual(['log:allow', 'log:block']);
    expect(logs[1]).toMatchObject({ kind: 'terminal_line', text: '$c | sh', decision: 'block' });
    // A blocked line never ran, so it is not part of the shell's history.
    expect(lineChecker.history()).toEqual(["c='curl -s http://127.0.0.1:9/a.sh'"]);
  });

  it('keeps stateful lines beyond the engine window, so a long session cannot flush an assignment out', async () => {
    const { lineChecker } = checker();
    await lineChecker.check("c='curl -s http://127.0.0.1:9/a.sh'");
    for (let i = 0; i < 1200; i++) await lineChecker.check(`echo ${i}`);
    expect(lineChecker.history().length).toBeLessThanOrEqual(500);
    expect(lineChecker.history()).toContain("c='curl -s http://127.0.0.1:9/a.sh'");
    expect((await lineChecker.check('$c | sh')).decision).toBe('block');
  });

  it('refuses control characters without evaluating or forwarding', async () => {
    const { lineChecker, logs } = checker();
    for (const text of ['ls\tx', 'echo a\u001b[Db', 'echo a\u0001b', 'a\rb', 'x\u007f']) {
      const verdict = await lineChecker.check(text);
      expect(verdict.decision).toBe('refused');
    }
    expect(logs).toEqual([]);
  });

  it('recognises lines that leave state behind', () => {
    expect(isStatefulLine('x=1', 'bash', 'linux')).toBe(true);
    expect(isStatefulLine('echo hi > /tmp/f', 'bash', 'linux')).toBe(true);
    expect(isStatefulLine('curl -o /tmp/f http://example.com/f', 'bash', 'linux')).toBe(true);
    expect(isStatefulLine('ls -la', 'bash', 'linux')).toBe(false);
  });
});
