/**
 * Shared by the technique-family tests: analyse a line with the real analysis and run one rule
 * family over it, or the whole engine. (Test support only; pure TypeScript so it type-checks with shared/.)
 */
import { describe, expect, it } from 'vitest';
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

/** The whole engine's decision on one text, as `evaluateLine` gives it. */
export function decisionOf(text: string, shell: Shell, history: string[] = []): PolicyResult['decision'] {
  return evaluateLine(text, shell, history).decision;
}

/** A case of a technique table: the text, its shell, the rule that must fire, the platform when not the shell's usual one. */
export type TechniqueCase = [text: string, shell: Shell, ruleId: string, platform?: Platform];

/** Per technique: what must be blocked or flagged (by a named rule), and the look-alikes that must stay allowed. */
export type TechniqueTable = Record<
  string,
  { blocked?: TechniqueCase[]; flagged?: TechniqueCase[]; allowed: Array<[string, Shell, Platform?]> }
>;

/**
 * One describe per technique of the table: each blocked case blocks through its rule (family and
 * engine), each flagged case is at least flagged, each look-alike gets no finding at all.
 */
export function describeTechniques(title: string, family: RuleFamily, techniques: TechniqueTable): void {
  describe(title, () => {
    for (const [technique, cases] of Object.entries(techniques)) {
      describe(technique, () => {
        for (const [text, shell, ruleId, platform] of cases.blocked ?? []) {
          it(`blocks [${shell}] ${text}`, () => {
            const f = run(family, text, shell, platform);
            expect(ruleIds(f)).toContain(ruleId);
            expect(verdict(f.filter((x) => x.ruleId === ruleId))).toBe('block');
            expect(spansValid(f, text)).toBe(true);
            expect(evaluateLine(text, shell, [], platform).decision).toBe('block');
          });
        }
        for (const [text, shell, ruleId, platform] of cases.flagged ?? []) {
          it(`flags [${shell}] ${text}`, () => {
            const f = run(family, text, shell, platform);
            expect(ruleIds(f)).toContain(ruleId);
            expect(spansValid(f, text)).toBe(true);
            expect(evaluateLine(text, shell, [], platform).decision).not.toBe('allow');
          });
        }
        for (const [text, shell, platform] of cases.allowed) {
          it(`allows [${shell}] ${text}`, () => {
            expect(run(family, text, shell, platform)).toEqual([]);
            expect(evaluateLine(text, shell, [], platform).decision).toBe('allow');
          });
        }
      });
    }
  });
}
