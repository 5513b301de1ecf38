/**
 * Shared by the technique-family tests: analyse a line with the real analysis and run one rule
 * family over it, or the whole engine. (Test support only; pure TypeScript so it type-checks with shared/.)
 */
import { analyse } from '../analysis/analyse';
import { evaluatePolicy } from '../engine';
import type { Platform, PolicyResult, Shell } from '../types';
import type { Finding, RuleFamily } from './rule';

export function run(family: RuleFamily, text: string, shell: Shell, platform?: Platform): Finding[] {
  return family(analyse(text, shell, platform ?? platformOf(shell)), { history: [] });
}

/** The strongest standard-trust severity, or 'allow' when nothing fired. */
export function verdict(findings: readonly Finding[]): 'allow' | 'flag' | 'block' {
  if (findings.some((f) => f.standard === 'block')) return 'block';
  return findings.length > 0 ? 'flag' : 'allow';
}

export function ruleIds(findings: readonly Finding[]): string[] {
  return findings.map((f) => f.ruleId);
}

/** Every span lies inside the text and is non-empty. */
export function spansValid(findings: readonly Pick<Finding, 'spans'>[], text: string): boolean {
  return findings.every((f) => f.spans.every((s) => s.start >= 0 && s.end <= text.length && s.end > s.start));
}

/** Platform a line of this shell usually runs on (zsh: macOS, where it is the default shell). */
export function platformOf(shell: Shell): Platform {
  return shell === 'cmd' || shell === 'powershell' ? 'windows' : shell === 'zsh' ? 'macos' : 'linux';
}

/** The whole engine on one line, standard trust, active tenant, as a terminal sends it (with earlier lines as history). */
export function evaluateLine(text: string, shell: Shell, history: string[] = [], platform: Platform = platformOf(shell)): PolicyResult {
  return evaluatePolicy({
    text,
    shell,
    platform,
    context: { tenantState: 'active', trust: { level: 'standard' }, now: 0, blockedDestinations: [], permittedScriptHashes: [], history },
  });
}
