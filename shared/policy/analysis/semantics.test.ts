/** Helpers of semantics.ts that rules lean on for variable flow. */
import { describe, expect, it } from 'vitest';
import { analyse } from './analyse';
import { referencedVariables, referencesAny } from './semantics';

function words(text: string, shell: 'powershell' | 'bash' | 'cmd') {
  const cmd = analyse(text, shell, shell === 'bash' ? 'linux' : 'windows').commands[0]!;
  return { cmd, last: cmd.words[cmd.words.length - 1]! };
}

describe('referencedVariables', () => {
  it('names every variable of a word, however many decoys come first', () => {
    const decoys = '$a'.repeat(40);
    const { cmd, last } = words(`Invoke-Expression "${decoys}$payload"`, 'powershell');
    const names = referencedVariables(last);
    expect(names).toContain('payload');
    expect(referencesAny(cmd, new Set(['payload']))).toBe(true);
  });

  it('reads cmd %variables% past many decoys too', () => {
    const { last } = words(`echo ${'%a%'.repeat(40)}%payload%`, 'cmd');
    expect(referencedVariables(last)).toContain('payload');
  });

  it('lower-cases names and drops PowerShell scope prefixes', () => {
    const { last } = words('Write-Output "$Script:Url ${Global:Body} $env:TEMP"', 'powershell');
    expect(referencedVariables(last)).toEqual(expect.arrayContaining(['url', 'body', 'env:temp']));
  });

  it('finds nothing in a word without references', () => {
    const { cmd, last } = words("Write-Output 'plain text'", 'powershell');
    expect(referencedVariables(last)).toEqual([]);
    expect(referencesAny(cmd, new Set(['plain']))).toBe(false);
  });
});
