/**
 * Reading PowerShell parameter declarations and matching a call's arguments to them (see powershell-functions.ts),
 * and the analysis reading a function or script block body again with its parameters bound.
 */
import { describe, expect, it } from 'vitest';
import { analyse } from './analyse';
import { bindArguments, blockParameters, declaredParameters, functionName, type CallArgument } from './powershell-functions';

const declared = (text: string) => declaredParameters(text, 0, text.length);
const names = (text: string) => declared(text).map((p) => (p.switch ? p.name + '?' : p.name));

describe('parameter declarations', () => {
  it('reads names in order, through attributes, types and defaults', () => {
    expect(names('[Parameter(Mandatory=$true)][string]$ComputerName, [int]$Port = 443, [switch]$Force')).toEqual([
      'computername',
      'port',
      'force?',
    ]);
    expect(names("$Path = (Join-Path $env:TEMP 'x'), $Other = @{ a = $b }")).toEqual(['path', 'other']);
    expect(names('[ValidateSet(\'a,$b\', "c")]$Mode')).toEqual(['mode']);
  });

  it('finds a body’s param block after comments and attributes, and nothing when there is none', () => {
    const body = ' # helper\n  <# .SYNOPSIS x #>\n [CmdletBinding()]\n param([string]$Url, $OutFile)\n iwr $Url -OutFile $OutFile ';
    expect(blockParameters(body, 0, body.length)?.map((p) => p.name)).toEqual(['url', 'outfile']);
    const plain = ' Write-Host $args[0] ';
    expect(blockParameters(plain, 0, plain.length)).toBeNull();
  });

  it('drops a scope prefix from the function name', () => {
    expect(functionName('global:Invoke-Quiet')).toBe('invoke-quiet');
    expect(functionName('Get-Thing')).toBe('get-thing');
  });
});

describe('binding arguments', () => {
  const parameters = declared('$Exe, [switch]$Hidden, $Arguments, $Retries');
  const arg = (index: number, value?: string): CallArgument => ({ value, option: undefined, index });
  const opt = (index: number, option: string): CallArgument => ({ value: undefined, option, index });

  it('binds by name, by unique prefix and by position, skipping switches', () => {
    const bound = bindArguments(parameters, [opt(1, 'hidden'), opt(2, 'arg'), arg(3, '-nop'), arg(4, 'powershell.exe'), arg(5, '3')]);
    expect(Object.fromEntries(bound)).toEqual({ arguments: 3, exe: 4, retries: 5 });
  });

  it('leaves unknown values unbound, and takes an ambiguous or unknown name for a switch', () => {
    expect(Object.fromEntries(bindArguments(parameters, [opt(1, 'e'), arg(2, 'x'), arg(3)]))).toEqual({ exe: 2 });
    // `-Nam` could be either: it binds neither, and the value after it is the first positional argument.
    expect(Object.fromEntries(bindArguments(declared('$Name, $Namespace'), [opt(1, 'nam'), arg(2, 'x')]))).toEqual({ name: 2 });
    expect(Object.fromEntries(bindArguments(parameters, [opt(1, 'verbose'), arg(2, 'a.exe')]))).toEqual({ exe: 2 });
  });
});

describe('bodies read again with bound parameters', () => {
  const words = (text: string, name: string) =>
    analyse(text, 'powershell', 'windows')
      .commands.filter((c) => c.name === name)
      .map((c) => c.words.map((w) => w.value).join(' '));

  it('a function’s parameter takes the value of the call', () => {
    const text =
      "function Start-Detached([string]$CommandLine) {\n  Invoke-WmiMethod -Class Win32_Process -Name Create -ArgumentList $CommandLine\n}\n$line = 'notepad.exe C:\\x.txt'\nStart-Detached -CommandLine $line";
    expect(words(text, 'invoke-wmimethod')).toContain(
      'Invoke-WmiMethod -Class Win32_Process -Name Create -ArgumentList notepad.exe C:\\x.txt',
    );
  });

  it('a body param block, positional arguments and a parenthesised value', () => {
    const text =
      "function Run-Quiet { param($Exe, $Arguments) Start-Process $Exe -ArgumentList $Arguments }\nRun-Quiet 'msiexec.exe' ('/i ' + 'a.msi')";
    expect(words(text, 'start-process')).toContain('Start-Process msiexec.exe -ArgumentList /i a.msi');
  });

  it('Start-Job -ArgumentList items bind to the script block’s param() in order', () => {
    const text = "$exe = 'C:\\t\\tool.exe'\nStart-Job -ArgumentList $exe, 'run' -ScriptBlock { param($e, $verb) & $e $verb }";
    const d = analyse(text, 'powershell', 'windows');
    expect(d.commands.some((c) => c.name === 'tool' && c.words.map((w) => w.value).join(' ') === 'C:\\t\\tool.exe run')).toBe(true);
  });

  it('a call site inside the body maps back to the argument it came from', () => {
    const text = "function Go($u) { iex (irm $u) }\nGo 'https://example.com/a'";
    const d = analyse(text, 'powershell', 'windows');
    const bound = d.layers.find((l) => l.origin === 'bound_call');
    expect(bound).toBeDefined();
    const at = bound!.text.indexOf('https://');
    const span = bound!.toOriginal(at, at + 8);
    expect(text.slice(span.start, span.end)).toBe("'https://example.com/a'");
    const body = bound!.text.indexOf('iex');
    const bodySpan = bound!.toOriginal(body, body + 3);
    expect(text.slice(bodySpan.start, bodySpan.end)).toBe('iex');
  });

  it('many calls of a function are read again a bounded number of times', () => {
    const calls = Array.from({ length: 200 }, (_, i) => `Write-Log 'message ${i}'`).join('\n');
    const d = analyse('function Write-Log($m) { Add-Content C:\\log.txt $m }\n' + calls, 'powershell', 'windows');
    expect(d.layers.filter((l) => l.origin === 'bound_call').length).toBe(8);
    expect(d.notes.some((n) => n.kind === 'budget_exhausted')).toBe(false);
  });
});
