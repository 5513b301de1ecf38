/**
 * TEST-ONLY stand-in for `evaluatePolicy`, so the tool tests do not depend on the engine:
 * `iex` blocks, `schtasks` flags, the text "boom" throws; destinations come from the real
 * destinations module, so blocked-destination rules passed on the command line take effect.
 */
import { destinationFindings } from '../../shared/policy/destinations/findings';
import { extractDestinations } from '../../shared/policy/destinations/extract';
import type { PolicyInput, PolicyResult, Reason } from '../../shared/policy/types';

export function fakeEvaluate(input: PolicyInput): PolicyResult {
  const { text } = input;
  if (text === 'boom') throw new Error('engine exploded');
  const reasons: Reason[] = [];
  const lower = text.toLowerCase();
  const iex = lower.indexOf('iex');
  if (iex >= 0)
    reasons.push({
      code: 'download_execute',
      severity: 'block',
      ruleId: 'fake.iex',
      message: 'Runs downloaded code.',
      spans: [{ start: iex, end: iex + 3 }],
      remedy: 'a supervisor can grant extended trust',
    });
  const st = lower.indexOf('schtasks');
  if (st >= 0)
    reasons.push({
      code: 'persistence',
      severity: 'flag',
      ruleId: 'fake.schtasks',
      message: 'Creates a scheduled task.',
      spans: [{ start: st, end: st + 8 }],
    });
  if (input.context.history.some((h) => h.includes('DOWNLOAD')))
    reasons.push({
      code: 'download_execute',
      severity: 'block',
      ruleId: 'fake.history',
      message: 'Runs what an earlier line downloaded.',
      spans: [],
    });
  const destinations = extractDestinations(text);
  for (const f of destinationFindings(destinations, input.context.blockedDestinations, input.context.destinationAllowlist)) {
    reasons.push({
      code: f.code,
      severity: f.standard,
      ruleId: f.ruleId,
      message: f.message,
      spans: f.spans,
      ...(f.remedy ? { remedy: f.remedy } : {}),
    });
  }
  const decision = reasons.some((r) => r.severity === 'block') ? 'block' : reasons.length ? 'flag' : 'allow';
  const extended = input.context.trust.level === 'extended' && input.context.trust.expiresAt > input.context.now;
  return {
    decision: extended && decision === 'block' && !reasons.some((r) => r.code === 'blocked_destination') ? 'flag' : decision,
    reasons,
    destinations,
    sha256: '0'.repeat(64),
    shell: input.shell === 'auto' ? 'bash' : input.shell,
    permittedByHash: false,
    trustInForce: extended ? 'extended' : 'standard',
  };
}
