/**
 * Shared by the technique-family tests: analyse a line with the real analysis and run one rule
 * family over it. (Test support only; pure TypeScript so it type-checks with shared/.)
 */
import { analyse } from '../analysis/analyse';
import type { Platform, Shell } from '../types';
import type { Finding, RuleFamily } from './rule';

export function run(family: RuleFamily, text: string, shell: Shell, platform?: Platform): Finding[] {
  const p: Platform = platform ?? (shell === 'cmd' || shell === 'powershell' ? 'windows' : 'linux');
  return family(analyse(text, shell, p), { history: [] });
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
export function spansValid(findings: readonly Finding[], text: string): boolean {
  return findings.every((f) => f.spans.every((s) => s.start >= 0 && s.end <= text.length && s.end > s.start));
}
