/**
 * Persistence techniques found missing by the Atomic Red Team pseudo held-out set: autostart registry
 * keys the catalog lacked (T1112/T1137/T1546/T1547), path interception (T1574.007–.009) and setuid or
 * capability-carrying binaries (T1548.001). Each is flagged in every shell it exists in; the ordinary
 * administration that looks like it stays allowed by the whole engine.
 */
import { describe, expect, it } from 'vitest';
import { persistenceRules, specialBitOfMode } from './persistence';
import { evaluateLine, run, ruleIds, spansValid, verdict } from './family-test-support';
import type { Shell } from '../types';

const flagged: Array<[string, Shell, string]> = [
  // Safe Mode service entries (held-out 0084/0085) and the Safe Mode shell.
  ['REG ADD "HKLM\\SYSTEM\\CurrentControlSet\\Control\\SafeBoot\\Minimal\\Upd" /VE /T REG_SZ /F /D "Service"', 'cmd', 'persist.registry'],
  [
    'New-Item -Path "HKLM:\\SYSTEM\\CurrentControlSet\\Control\\SafeBoot\\Network\\Upd" -Value Service -Force',
    'powershell',
    'persist.registry',
  ],
  ['reg add HKLM\\SYSTEM\\ControlSet001\\Control\\SafeBoot /v AlternateShell /d C:\\t\\x.exe /f', 'cmd', 'persist.registry'],
  // Event Viewer help-link redirection (0098/0099).
  [
    'reg add "HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\Event Viewer" /v MicrosoftRedirectionProgram /t REG_EXPAND_SZ /d "C:\\t\\x.exe" /f',
    'cmd',
    'persist.registry',
  ],
  [
    "Set-ItemProperty 'HKLM:\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\Event Viewer' -Name MicrosoftRedirectionURL -Value 'file://C:\\t\\x.exe'",
    'powershell',
    'persist.registry',
  ],
  // Outlook home pages (0245, T1137.004) and Office add-ins (T1137.006).
  [
    'reg.exe add HKCU\\Software\\Microsoft\\Office\\16.0\\Outlook\\WebView\\Inbox /v URL /t REG_SZ /d file://C:\\t\\p.html /f',
    'cmd',
    'persist.registry',
  ],
  [
    'Set-ItemProperty -Path HKCU:\\Software\\Microsoft\\Office\\16.0\\Outlook\\Today -Name UserDefinedUrl -Value http://198.51.100.7/p.html',
    'powershell',
    'persist.registry',
  ],
  [
    'reg add HKCU\\Software\\Microsoft\\Office\\Excel\\Addins\\Evil.Connect /v LoadBehavior /t REG_DWORD /d 3 /f',
    'cmd',
    'persist.registry',
  ],
  // Remote Assistance enabled (0089) and other autostart locations from the Autoruns categories.
  [
    'reg add "HKLM\\System\\CurrentControlSet\\Control\\Terminal Server" /v fAllowToGetHelp /t REG_DWORD /d 1 /f',
    'cmd',
    'persist.registry',
  ],
  [
    'reg add "HKLM\\SYSTEM\\CurrentControlSet\\Control\\Print\\Environments\\Windows x64\\Print Processors\\pp" /v Driver /d pp.dll /f',
    'cmd',
    'persist.registry',
  ],
  ['reg add "HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\AeDebug" /v Debugger /d C:\\t\\x.exe /f', 'cmd', 'persist.registry'],
  ['reg add HKCU\\Environment /v COR_PROFILER_PATH /d C:\\t\\p.dll /f', 'cmd', 'persist.registry'],
  // Path interception (0183): compiled, copied, moved or written into WindowsApps or a Program Files root.
  [
    'C:\\Windows\\Microsoft.NET\\Framework64\\v4.0.30319\\csc.exe /out:"$env:localappdata\\Microsoft\\WindowsApps\\Get-Variable.exe" C:\\t\\calc.cs',
    'powershell',
    'persist.path-interception',
  ],
  ['csc -out:%LOCALAPPDATA%\\Microsoft\\WindowsApps\\whoami.exe x.cs', 'cmd', 'persist.path-interception'],
  ['Move-Item .\\a.exe "$env:LOCALAPPDATA\\Microsoft\\WindowsApps\\python.exe"', 'powershell', 'persist.path-interception'],
  ['copy C:\\t\\x.bat "%LOCALAPPDATA%\\Microsoft\\WindowsApps\\git.bat"', 'cmd', 'persist.path-interception'],
  ['copy C:\\t\\x.exe C:\\Program.exe', 'cmd', 'persist.path-interception'],
  ['Copy-Item C:\\t\\x.exe "C:\\Program Files\\Common.exe"', 'powershell', 'persist.path-interception'],
  ['Set-Content -Path "C:\\Program Files (x86)\\Microsoft.exe" -Value $bytes -Encoding Byte', 'powershell', 'persist.path-interception'],
  [
    'Add-Type -TypeDefinition $src -OutputAssembly "$env:ProgramFiles\\Windows.exe" -OutputType ConsoleApplication',
    'powershell',
    'persist.path-interception',
  ],
  ['mklink "%LOCALAPPDATA%\\Microsoft\\WindowsApps\\notepad.exe" C:\\t\\x.exe', 'cmd', 'persist.path-interception'],
  // setuid/setgid root binaries (0251/0252) and root-equivalent file capabilities.
  ['sudo chown root /tmp/evilBinary; sudo chmod u+s /tmp/evilBinary', 'bash', 'persist.setuid'],
  ['chmod 4755 /tmp/sh', 'bash', 'persist.setuid'],
  ['chmod +s /home/bob/.cache/x', 'sh', 'persist.setuid'],
  ['sudo chmod a+rwxs ~/bin/helper', 'zsh', 'persist.setuid'],
  ['chmod 2755 /var/tmp/x', 'bash', 'persist.setuid'],
  ['sudo install -m 4755 -o root hello /usr/local/bin/hello', 'bash', 'persist.setuid'],
  ['sudo setcap cap_setuid+ep /tmp/python3', 'bash', 'persist.capability'],
  ["setcap 'cap_dac_read_search,cap_dac_override=eip' /usr/local/bin/tar", 'bash', 'persist.capability'],
  ['setcap =ep /tmp/x', 'bash', 'persist.capability'],
];

const allowed: Array<[string, Shell]> = [
  ['chmod 755 /usr/local/bin/tool', 'bash'],
  ['chmod u+x script.sh', 'bash'],
  ['chmod -R u+rwX,g-w,o-rwx ~/project', 'bash'],
  ['chmod 1777 /srv/scratch', 'bash'],
  // setgid on a shared team directory keeps the group on new files: routine.
  ['chmod g+s /srv/team', 'bash'],
  ['sudo chmod 2775 /var/www/html', 'bash'],
  ['sudo chmod u-s /usr/bin/at', 'bash'],
  ['install -m 755 build/tool /usr/local/bin/tool', 'bash'],
  // Binding ports below 1024 is all it grants: the usual way to run a web server without root.
  ['sudo setcap cap_net_bind_service=+ep /usr/bin/node', 'bash'],
  ["sudo setcap 'cap_net_raw,cap_net_admin=eip' /usr/bin/dumpcap", 'bash'],
  ['sudo setcap -r /usr/bin/node', 'bash'],
  ['getcap /usr/bin/ping', 'bash'],
  ['reg query "HKLM\\SYSTEM\\CurrentControlSet\\Control\\SafeBoot\\Network"', 'cmd'],
  ['reg query "HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\Event Viewer"', 'cmd'],
  ['Get-ItemProperty "HKCU:\\Software\\Microsoft\\Office\\16.0\\Outlook\\WebView\\Inbox"', 'powershell'],
  ['Copy-Item app.exe "C:\\Program Files\\App\\app.exe"', 'powershell'],
  ['copy setup.exe C:\\setup.exe', 'cmd'],
  ['xcopy /E /I build "C:\\Program Files\\Contoso"', 'cmd'],
  ['Copy-Item .\\readme.txt "C:\\Program Files\\readme.txt"', 'powershell'],
  ['winget install Microsoft.PowerToys', 'powershell'],
  ['csc /out:hello.exe hello.cs', 'cmd'],
  ['Add-Type -TypeDefinition $src -OutputAssembly C:\\build\\tool.exe -OutputType ConsoleApplication', 'powershell'],
  ['dir "%LOCALAPPDATA%\\Microsoft\\WindowsApps"', 'cmd'],
];

describe('persistence: held-out techniques', () => {
  it.each(flagged)('flags %s', (text, shell, rule) => {
    const f = run(persistenceRules, text, shell);
    expect(ruleIds(f)).toContain(rule);
    expect(f.filter((x) => x.code === 'persistence').every((x) => x.standard === 'flag')).toBe(true);
    expect(spansValid(f, text)).toBe(true);
  });

  it.each(allowed)('allows %s', (text, shell) => {
    expect(ruleIds(run(persistenceRules, text, shell))).toEqual([]);
    expect(evaluateLine(text, shell).decision).toBe('allow');
  });

  it('flags the held-out setuid test as a whole', () => {
    const text = 'sudo touch /tmp/evilBinary\nsudo chown root /tmp/evilBinary\nsudo chmod u+s /tmp/evilBinary';
    expect(evaluateLine(text, 'sh').decision).toBe('flag');
  });

  it('keeps the password-filter value apart from other LSA packages', () => {
    const f = run(
      persistenceRules,
      'Set-ItemProperty "HKLM:\\SYSTEM\\CurrentControlSet\\Control\\Lsa\\" "Notification Packages" $values',
      'powershell',
    );
    expect(verdict(f)).toBe('flag');
    expect(f[0]?.message).toContain('password filter');
  });
});

describe('specialBitOfMode', () => {
  it.each([
    ['4755', 'setuid'],
    ['04755', 'setuid'],
    ['6755', 'setuid'],
    ['2755', 'setgid'],
    ['u+s', 'setuid'],
    ['+s', 'setuid'],
    ['ug+s', 'setuid'],
    ['g+s', 'setgid'],
    ['u=rwxs,g=rx', 'setuid'],
  ] as const)('%s sets %s', (mode, bit) => {
    expect(specialBitOfMode(mode)).toBe(bit);
  });

  it.each(['755', '1777', '0755', 'u+x', 'o+s', 'u-s', 'g-s', 'sus', 'a+rx', '-R'])('%s sets no special bit', (mode) => {
    expect(specialBitOfMode(mode)).toBeUndefined();
  });
});
