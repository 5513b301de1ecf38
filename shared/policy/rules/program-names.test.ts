/**
 * Program and variable names are untrusted text: a name that is also a property of every JavaScript
 * object (`constructor`, `__proto__`, `hasOwnProperty`, `toString`) must be looked up like any other
 * name, not found on Object.prototype (where a lookup table keyed by name would answer a function and
 * the rule family would fail, blocking the text as engine.family-failed).
 */
import { describe, expect, it } from 'vitest';
import type { Shell } from '../types';
import { evaluateLine as evaluate } from './family-test-support';

const SHELLS: readonly Shell[] = ['bash', 'sh', 'zsh', 'powershell', 'cmd'];
const TEXTS = [
  'constructor x',
  '__proto__ y',
  'hasOwnProperty z',
  'toString a',
  'valueOf b',
  'isPrototypeOf c',
  'sudo constructor stop',
  'command __proto__ start',
  'hasOwnProperty stop __proto__',
];
/** Forms that reach other name tables (PowerShell aliases, POSIX wrappers, cmd environment variables). */
const SHELL_SPECIFIC: readonly (readonly [string, Shell])[] = [
  ['constructor -x y', 'bash'],
  ['echo %constructor%', 'cmd'],
  ['echo %__proto__%', 'cmd'],
];

describe('names that are also properties of every object', () => {
  const cases = [...SHELLS.flatMap((shell) => TEXTS.map((text) => [text, shell] as const)), ...SHELL_SPECIFIC];
  it.each(cases)('allows %s (%s)', (text, shell) => {
    const r = evaluate(text, shell);
    expect(r.reasons).toEqual([]);
    expect(r.decision).toBe('allow');
  });
});
