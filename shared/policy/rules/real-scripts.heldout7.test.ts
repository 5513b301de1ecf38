/**
 * False positives found on real published admin scripts (held-out set 7: Intune remediations, RMM components,
 * hardening batch files, Jamf scripts), each beside the technique it resembles, which must still be caught.
 */
import { describe, expect, it } from 'vitest';
import { decisionOf as decision, evaluateLine } from './family-test-support';
import type { Shell } from '../types';

function rules(text: string, shell: Shell): string[] {
  return evaluateLine(text, shell).reasons.map((r) => r.ruleId);
}

describe('settings read by the value they are given', () => {
  it('Office macro warnings set to refuse macros harden; set to 1 they let every macro run', () => {
    const key = 'reg add "HKCU\\Software\\Policies\\Microsoft\\Office\\16.0\\Word\\Security" /v vbawarnings /t REG_DWORD /d';
    expect(decision(`${key} 4 /f`, 'cmd')).toBe('allow');
    expect(decision(`${key} 2 /f`, 'cmd')).toBe('allow');
    expect(rules(`${key} 1 /f`, 'cmd')).toContain('evasion.registry');
  });

  it("Outlook's security key is persistence only where Level lets every macro run", () => {
    const key = 'reg add "HKCU\\Software\\Policies\\Microsoft\\Office\\16.0\\Outlook\\Security"';
    expect(decision(`${key} /v markinternalasunsafe /t REG_DWORD /d 0 /f`, 'cmd')).toBe('allow');
    expect(decision(`${key} /v level /t REG_DWORD /d 4 /f`, 'cmd')).toBe('allow');
    expect(rules(`${key} /v level /t REG_DWORD /d 1 /f`, 'cmd')).toContain('persist.registry');
  });

  it('Image File Execution Options: auditing LSASS is configuration, a Debugger or GlobalFlag runs code', () => {
    const key = 'reg add "HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\Image File Execution Options\\LSASS.exe"';
    expect(decision(`${key} /v AuditLevel /t REG_DWORD /d 00000008 /f`, 'cmd')).toBe('allow');
    const sethc = 'reg add "HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\Image File Execution Options\\sethc.exe"';
    expect(rules(`${sethc} /v Debugger /t REG_SZ /d C:\\Windows\\System32\\cmd.exe /f`, 'cmd')).toContain('persist.registry');
    expect(rules(`${sethc.replace('sethc', 'notepad')} /v GlobalFlag /t REG_DWORD /d 512`, 'cmd')).toContain('persist.registry');
  });

  it('Defender sample submission: only NeverSend weakens it (AlwaysPrompt, also written short, asks the user)', () => {
    expect(decision('Set-MpPreference -SubmitSamplesConsent AlwaysPrompt', 'powershell')).toBe('allow');
    expect(decision('powershell.exe Set-MpPreference -SubmitSamplesConsent Always', 'cmd')).toBe('allow');
    expect(rules('Set-MpPreference -SubmitSamplesConsent NeverSend', 'powershell')).toContain('evasion.defender.disable');
    expect(rules('Set-MpPreference -SubmitSamplesConsent 2', 'powershell')).toContain('evasion.defender.disable');
  });
});

describe('registry look-alikes that are not the registry location', () => {
  it('New-Item of a file or folder is not a registry key, whatever the names in the script', () => {
    const script =
      '$Path = "$env:SystemRoot\\Setup\\Scripts"\n$Tag = "DisableCMDRequest.TAG"\nIf (-not(Test-Path -Path "$Path\\$Tag" -PathType Leaf)) {New-Item -Path $Path -Name $Tag -ItemType File}';
    expect(decision(script, 'powershell')).toBe('allow');
    expect(
      rules(
        'New-Item -Path "HKCU:\\Software\\Policies\\Microsoft\\Windows\\System" -Force; Set-ItemProperty -Path "HKCU:\\Software\\Policies\\Microsoft\\Windows\\System" -Name DisableCMD -Value 1',
        'powershell',
      ),
    ).toContain('evasion.registry');
  });

  it('Classes\\Local Settings holds per-user app settings, not file-class handlers', () => {
    const script =
      "$base = 'HKCU:\\Software\\Classes\\Local Settings\\Software\\Microsoft\\Windows\\CurrentVersion\\AppModel\\SystemAppData\\Microsoft.OutlookForWindows_8wekyb3d8bbwe\\StartupId'\n$path = $base\nNew-ItemProperty -Path $path -Name 'State' -PropertyType DWord -Value 1 -Force | Out-Null";
    expect(decision(script, 'powershell')).toBe('allow');
    expect(
      rules(
        "Set-ItemProperty -Path 'HKCU:\\Software\\Classes\\ms-settings\\shell\\open\\command' -Name '(default)' -Value 'C:\\t\\x.exe'",
        'powershell',
      ).length,
    ).toBeGreaterThan(0);
  });
});
