/**
 * Blind round 20: look-alikes that turn logging on or touch a marker file, and the intrusion steps it found
 * through other spellings of known techniques.
 */
import { describe, expect, it } from 'vitest';
import { decisionOf as decision, evaluateLine } from './family-test-support';
import type { Shell } from '../types';

const rules = (text: string, shell: Shell) => evaluateLine(text, shell).reasons.map((r) => r.ruleId);

describe('hardening look-alikes', () => {
  it('a policy key created empty, then given a protective value, is not weakening', () => {
    const key = 'HKLM:\\SOFTWARE\\Policies\\Microsoft\\Windows\\PowerShell\\ScriptBlockLogging';
    expect(
      decision(`$k = '${key}'\nNew-Item $k -Force | Out-Null\nSet-ItemProperty $k -Name EnableScriptBlockLogging -Value 1`, 'powershell'),
    ).toBe('allow');
    expect(rules(`New-Item '${key}' -Force\nSet-ItemProperty '${key}' -Name EnableScriptBlockLogging -Value 0`, 'powershell')).toContain(
      'evasion.registry',
    );
    expect(
      rules("New-Item 'HKLM:\\SOFTWARE\\Policies\\Microsoft\\Windows Defender' -Name DisableAntiSpyware -Value 1", 'powershell'),
    ).toContain('evasion.registry');
  });

  it('a timestamp set to the present is a touch; a chosen or copied date is timestomping', () => {
    expect(decision("$m = 'D:\\Backups\\last-run.txt'\n(Get-Item $m).LastWriteTime = Get-Date", 'powershell')).toBe('allow');
    expect(decision('(Get-Item x).LastWriteTime = [DateTime]::Now', 'powershell')).toBe('allow');
    expect(rules('(Get-Item x).LastWriteTime = (Get-Date).AddYears(-3)', 'powershell')).toContain('evasion.timestomp');
    expect(rules('(Get-Item x).CreationTime = (Get-Item C:\\Windows\\notepad.exe).CreationTime', 'powershell')).toContain(
      'evasion.timestomp',
    );
  });
});
