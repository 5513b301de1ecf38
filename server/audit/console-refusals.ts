import type { ConsoleRefusalRequest, ConsoleRefusalResponse } from '../../shared/api/audit';
import { evaluatePolicy } from '../../shared/policy/engine';
import { REASON_CODES, type ReasonCode } from '../../shared/policy/types';
import { getVisibleEndpoint } from '../agents/endpoints';
import type { ServerContext } from '../context';
import { loadTenantPolicyContext } from '../controls/policy-context';
import { errors } from '../errors';
import type { Principal, RequestMeta } from '../identity/principal';
import { recordScriptLog, type ScriptLogReasonInput } from './script-logs';

const ACTION_OF = { terminal_line: 'terminal_line', command: 'command', script_run: 'script', schedule_run: 'schedule' } as const;
const KNOWN_CODES = new Set<string>(REASON_CODES);

/**
 * The console refuses a blocked line before sending it (to explain), so the server would never
 * hear of it; the console reports the refusal here so it is in the audit trail like any other
 * block. The report can only add a record — it never allows anything. The server checks the
 * text again with its own view of the tenant: its reasons are recorded when it agrees; otherwise
 * the console's reason codes are (they may rest on session history only the console holds).
 */
export async function recordConsoleRefusal(
  ctx: ServerContext,
  principal: Principal,
  input: ConsoleRefusalRequest,
  meta: RequestMeta,
): Promise<ConsoleRefusalResponse> {
  const endpoint = await getVisibleEndpoint(ctx, principal, input.endpointId);
  if (principal.kind !== 'user') throw errors.forbidden();
  const snapshot = await loadTenantPolicyContext(ctx, endpoint.tenant_id);
  const result = evaluatePolicy({
    text: input.text,
    shell: input.shell,
    platform: endpoint.os_family,
    action: ACTION_OF[input.kind],
    context: snapshot.policy,
  });
  const serverAgrees = result.decision === 'block';
  const reasons: ScriptLogReasonInput[] = serverAgrees
    ? result.reasons.map((reason) => ({ ...reason }))
    : input.reasonCodes
        .filter((code): code is ReasonCode => KNOWN_CODES.has(code))
        .map((code) => ({ code, message: 'Refused by the console’s policy check before sending (with the session’s earlier lines)' }));
  const { id } = await recordScriptLog(ctx, {
    tenantId: endpoint.tenant_id,
    endpointId: endpoint.id,
    userId: principal.userId,
    kind: input.kind,
    text: input.text,
    decision: 'block',
    reasons: reasons.length > 0 ? reasons : [{ code: 'console_refused', message: 'Refused by the console’s policy check before sending' }],
    sessionId: input.remoteSessionId ?? null,
    meta,
    blockedBySecurityPolicy: true,
  });
  return { scriptLogId: id, serverAgrees };
}
