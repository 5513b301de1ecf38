/**
 * Real published admin scripts (held-out set 15): Disk Cleanup's handler for Defender's leftover files is not a Defender
 * setting, and a program started with its switches in one string is still the program that was downloaded.
 */
import { describe, expect, it } from 'vitest';
import { decisionOf as decision, evaluateLine } from './family-test-support';
import type { Shell } from '../types';

const rules = (text: string, shell: Shell) => evaluateLine(text, shell).reasons.map((r) => r.ruleId);

describe('real scripts, set 15', () => {
  it("selecting Disk Cleanup's handlers (StateFlags) is not a Defender change; Defender's own keys still are", () => {
    const cleanup = [
      '$DWordName = "StateFlags0112"',
      '$Locations = "HKLM:\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Explorer\\VolumeCaches\\Temporary Files",',
      '"HKLM:\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Explorer\\VolumeCaches\\Windows Defender"',
      'foreach ($location in $Locations) { New-ItemProperty -Path $location -Name $DWordName -Value 2 -Type DWord | Out-Null }',
      'cleanmgr.exe /d C: /sagerun:112',
    ].join('\n');
    expect(decision(cleanup, 'powershell')).toBe('allow');
    expect(
      decision(
        'reg add "HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Explorer\\VolumeCaches\\Windows Defender" /v StateFlags0001 /t REG_DWORD /d 2 /f',
        'cmd',
      ),
    ).toBe('allow');
    expect(
      rules('reg add "HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows Defender" /v DisableAntiSpyware /t REG_DWORD /d 1 /f', 'cmd'),
    ).toContain('evasion.registry');
    expect(
      rules(
        'reg add "HKLM\\SOFTWARE\\Microsoft\\Windows Defender\\Real-Time Protection" /v DisableRealtimeMonitoring /t REG_DWORD /d 1 /f',
        'cmd',
      ),
    ).toContain('evasion.registry');
  });

  it('Start-Process "$Exe /s /e" runs $Exe: downloaded first, it is download and execute', () => {
    const script = [
      '$ExePath = "C:\\Windows\\Temp\\hp-hpia-5.1.7.exe"',
      'Invoke-WebRequest -Uri "https://hpia.hpcloud.hp.com/downloads/hpia/hp-hpia-5.1.7.exe" -OutFile $ExePath',
      'Start-Process -wait "$ExePath /s /e /f C:\\Hpia"',
    ].join('\n');
    expect(rules(script, 'powershell')).toContain('dl.file-then-run');
    expect(decision('Start-Process -Wait "C:\\Program Files\\App\\tool.exe"', 'powershell')).toBe('allow');
    expect(decision('Start-Process "C:\\Hpia\\HPImageAssistant.exe /Operation:Analyze /Silent"', 'powershell')).toBe('allow');
  });
});
