/**
 * Real published admin scripts (held-out set 14): an RMM agent's own field tool, policy keys held in object
 * properties, RDP client settings, toast-notification app IDs and a Startup folder only cleaned are not what
 * the engine first took them for; the same places used to install or start something still are.
 */
import { describe, expect, it } from 'vitest';
import { decisionOf as decision, evaluateLine } from './family-test-support';
import type { Shell } from '../types';

const rules = (text: string, shell: Shell) => evaluateLine(text, shell).reasons.map((r) => r.ruleId);

describe('false positives on real scripts', () => {
  it("NinjaOne's ninjarmm-cli writing a custom field uses the agent already there; starting the agent is still a launch", () => {
    const script = [
      'NINJA_CLI=/Applications/NinjaRMMAgent/programdata/ninjarmm-cli',
      'STATUS=$(fdesetup status | head -1)',
      '"$NINJA_CLI" set filevaultStatus "$STATUS"',
    ].join('\n');
    expect(decision(script, 'bash')).toBe('allow');
    expect(decision('& "C:\\ProgramData\\NinjaRMMAgent\\ninjarmm-cli.exe" get serialNumber', 'powershell')).toBe('allow');
    expect(rules('& "C:\\ProgramData\\NinjaRMMAgent\\NinjaRMMAgent.exe" /install', 'powershell')).toContain('rmm.launch');
  });

  it('New-Item of a path held in a property ($item.Path) is not a systemd unit named "….path"', () => {
    const script = [
      "$items = @(@{ Path = 'HKLM:\\SOFTWARE\\Policies\\Microsoft\\Edge'; Name = 'HideFirstRunExperience'; Value = 1 })",
      'foreach ($item in $items) {',
      '  if (-not (Test-Path $item.Path)) { New-Item -Path $item.Path -Force | Out-Null }',
      '  Set-ItemProperty -Path $item.Path -Name $item.Name -Value $item.Value',
      '}',
    ].join('\n');
    expect(decision(script, 'powershell')).toBe('allow');
    expect(rules('cat > /etc/systemd/system/x.path <<EOF\n[Path]\nPathChanged=/tmp/x\nEOF', 'bash')).toContain('persist.file');
    expect(rules("Add-Content -Path $PROFILE.AllUsersAllHosts -Value 'Start-Process C:\\ProgramData\\m.exe'", 'powershell')).toContain(
      'persist.file',
    );
  });

  it('RDP client settings are not an add-in; ClxDllPath or an add-in Name still is', () => {
    const key = 'HKLM:\\Software\\Microsoft\\Terminal Server Client';
    expect(
      decision(`New-ItemProperty -Path '${key}' -Name 'DisablePrinterRedirection' -Value 1 -PropertyType DWord -Force`, 'powershell'),
    ).toBe('allow');
    expect(rules(`New-ItemProperty -Path '${key}' -Name 'ClxDllPath' -Value 'C:\\Users\\Public\\c.dll' -Force`, 'powershell')).toContain(
      'persist.registry',
    );
    expect(
      rules(`reg add "HKCU\\Software\\Microsoft\\Terminal Server Client\\Default\\Addins\\X" /v Name /t REG_SZ /d "C:\\x.dll" /f`, 'cmd'),
    ).toContain('persist.registry');
  });

  it('an app ID registered for toast notifications under HKCR\\AppUserModelId is not a file-class handler', () => {
    const script = [
      '$AppRegPath = "HKCR:\\AppUserModelId"',
      '$RegPath = "$AppRegPath\\$AppID"',
      'If (!(Test-Path $RegPath)) { $null = New-Item -Path $AppRegPath -Name $AppID -Force }',
      '$null = New-ItemProperty -Path $RegPath -Name DisplayName -Value $AppDisplayName -PropertyType String -Force',
    ].join('\n');
    expect(decision(script, 'powershell')).toBe('allow');
    expect(
      rules("New-Item -Path 'HKCU:\\Software\\Classes\\ms-settings\\shell\\open\\command' -Value 'C:\\x.exe' -Force", 'powershell'),
    ).toContain('persist.registry');
  });

  it('a Startup folder listed and cleaned while a settings file is written elsewhere places nothing', () => {
    const script = [
      '$startupFolder = Join-Path $profilePath "AppData\\Roaming\\Microsoft\\Windows\\Start Menu\\Programs\\Startup"',
      'Get-ChildItem $startupFolder -Filter "*Teams*" | ForEach-Object { Remove-Item $_.FullName -Force }',
      '$config | ConvertTo-Json -Depth 10 | Set-Content $teamsConfig -Force',
    ].join('\n');
    expect(decision(script, 'powershell')).toBe('allow');
    const placed = [
      '$startup = Join-Path $env:APPDATA "Microsoft\\Windows\\Start Menu\\Programs\\Startup"',
      '$lnk = "$startup\\upd.lnk"',
      '$sc = (New-Object -ComObject WScript.Shell).CreateShortcut($lnk); $sc.TargetPath = "C:\\ProgramData\\u.exe"; $sc.Save()',
    ].join('\n');
    expect(rules(placed, 'powershell')).toContain('persist.file');
  });
});
