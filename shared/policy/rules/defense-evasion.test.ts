import { describe, expect, it } from 'vitest';
import { defenseEvasionRules } from './defense-evasion';
import { run, ruleIds, spansValid, verdict } from './family-test-support';
import type { Shell } from '../types';

const blocked: Array<[string, Shell, string]> = [
  ['vssadmin.exe delete shadows /all /quiet', 'cmd', 'evasion.shadow-copies.delete'],
  ['v^s^s^a^d^m^i^n delete shadows /all /quiet', 'cmd', 'evasion.shadow-copies.delete'],
  ['vssadmin resize shadowstorage /for=c: /on=c: /maxsize=401MB', 'cmd', 'evasion.shadow-copies.delete'],
  ['wmic shadowcopy delete', 'cmd', 'evasion.shadow-copies.delete'],
  ['Get-WmiObject Win32_Shadowcopy | ForEach-Object {$_.Delete();}', 'powershell', 'evasion.shadow-copies.delete'],
  ['wbadmin delete catalog -quiet', 'cmd', 'evasion.backups.delete'],
  ['bcdedit /set {default} recoveryenabled no', 'cmd', 'evasion.recovery.disable'],
  [
    "[Ref].Assembly.GetType('System.Management.Automation.AmsiUtils').GetField('amsiInitFailed','NonPublic,Static').SetValue($null,$true)",
    'powershell',
    'evasion.amsi.bypass',
  ],
  [
    'Remove-Item -Path "HKLM:\\SOFTWARE\\Microsoft\\AMSI\\Providers\\{2781761E-28E0-4109-99FE-B9D127C57AFE}" -Recurse',
    'powershell',
    'evasion.amsi.registry',
  ],
  ['reg add HKCU\\Software\\Classes\\ms-settings\\shell\\open\\command /ve /d cmd.exe /f', 'cmd', 'evasion.uac-bypass'],
  ['copy C:\\Windows\\System32\\cmd.exe C:\\Users\\Public\\svchost.exe', 'cmd', 'evasion.masquerade'],
  ['copy %windir%\\system32\\certutil.exe %temp%\\tcm.tmp', 'cmd', 'evasion.masquerade'],
  ['sc sdset scmanager D:(A;;KA;;;WD)', 'cmd', 'evasion.service.sdset'],
  [' , echo     delete  shadows   all  | diskshadow', 'cmd', 'evasion.shadow-copies.delete'],
  [
    'Add-Type -TypeDefinition @"\nusing System; using System.Runtime.InteropServices;\npublic class K { [DllImport("kernel32")] public static extern IntPtr VirtualAlloc(IntPtr a, uint s, uint t, uint p);\n [DllImport("kernel32")] public static extern IntPtr CreateThread(IntPtr a, uint s, IntPtr st, IntPtr p, uint f, IntPtr id); }\n"@\n$m = [K]::VirtualAlloc(0, $sc.Length, 0x3000, 0x40)\n[Runtime.InteropServices.Marshal]::Copy($sc, 0, $m, $sc.Length)\n[K]::CreateThread(0, 0, $m, 0, 0, 0)',
    'powershell',
    'evasion.memory.shellcode-runner',
  ],
];

const flagged: Array<[string, Shell, string]> = [
  // A security product removed by its own uninstaller or through Win32_Product.
  ['/opt/sophos-spl/bin/uninstall.sh --force', 'bash', 'evasion.security-service.uninstall'],
  ['"C:\\Program Files\\CrowdStrike\\CSUninstallTool.exe" /quiet', 'cmd', 'evasion.security-service.uninstall'],
  [
    "Get-CimInstance Win32_Product | Where-Object Name -like '*Sophos*' | Invoke-CimMethod -MethodName Uninstall",
    'powershell',
    'evasion.security-service.uninstall',
  ],
  ['(Get-WmiObject Win32_Product -Filter "Name like \'%CrowdStrike%\'").Uninstall()', 'powershell', 'evasion.security-service.uninstall'],
  // From the fourth blind probe round: options before the verb, abbreviated parameters, in-place log edits, ASLR.
  ['sudo ufw --force disable', 'bash', 'evasion.firewall.disable'],
  ['Set-MpPreference -DisableRe $true', 'powershell', 'evasion.defender.disable'],
  ['Set-MpPreference -ExclusionP C:\\x', 'powershell', 'evasion.defender.exclusion'],
  ["sed -i '/10.1.2.3/d' /var/log/auth.log", 'bash', 'evasion.security-control.disable'],
  ['echo 0 > /proc/sys/kernel/randomize_va_space', 'bash', 'evasion.security-control.disable'],
  ['Set-MpPreference -DisableRealtimeMonitoring $true', 'powershell', 'evasion.defender.disable'],
  ['Set-MpPreference -drtm 1', 'powershell', 'evasion.defender.disable'],
  ['Add-MpPreference -ExclusionPath C:\\Temp', 'powershell', 'evasion.defender.exclusion'],
  ['A`dd-MpPreference -ExclusionProcess x.exe', 'powershell', 'evasion.defender.exclusion'],
  ['reg add "HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows Defender" /v DisableAntiSpyware /t REG_DWORD /d 1 /f', 'cmd', 'evasion.registry'],
  ['sc stop WinDefend', 'cmd', 'evasion.security-service.stop'],
  ['sudo systemctl stop falcon-sensor', 'bash', 'evasion.security-service.stop'],
  ['sudo launchctl unload /Library/LaunchDaemons/com.crowdstrike.falcond.plist', 'zsh', 'evasion.security-service.stop'],
  ['wevtutil cl Security', 'cmd', 'evasion.eventlog.clear'],
  ['Clear-EventLog -LogName Application, System', 'powershell', 'evasion.eventlog.clear'],
  ['auditpol /clear /y', 'cmd', 'evasion.audit.disable'],
  ['auditctl -e 0', 'bash', 'evasion.audit.disable'],
  ['netsh advfirewall set allprofiles state off', 'cmd', 'evasion.firewall.disable'],
  ['Set-NetFirewallProfile -Profile Domain,Public,Private -Enabled False', 'powershell', 'evasion.firewall.disable'],
  ['sudo ufw disable', 'bash', 'evasion.firewall.disable'],
  // Credential protections weakened through the Lsa key (names whose protective value is not what they say).
  ['reg add "hklm\\system\\currentcontrolset\\control\\lsa" /f /v DisableRestrictedAdmin /t REG_DWORD /d 0', 'cmd', 'evasion.registry'],
  ['Set-ItemProperty HKLM:\\SYSTEM\\CurrentControlSet\\Control\\Lsa -Name LmCompatibilityLevel -Value 1', 'powershell', 'evasion.registry'],
  ['reg add HKLM\\SYSTEM\\CurrentControlSet\\Control\\Lsa /v NoLMHash /t REG_DWORD /d 0 /f', 'cmd', 'evasion.registry'],
  ['reg add HKLM\\SYSTEM\\CurrentControlSet\\Control\\Lsa /v LsaCfgFlags /t REG_DWORD /d 0 /f', 'cmd', 'evasion.registry'],
  ['setenforce 0', 'bash', 'evasion.security-control.disable'],
  ['sudo spctl --master-disable', 'zsh', 'evasion.security-control.disable'],
  ['csrutil disable', 'zsh', 'evasion.security-control.disable'],
  ['fltmc unload SysmonDrv', 'cmd', 'evasion.security-service.stop'],
  ['sysmon -u', 'cmd', 'evasion.sysmon.uninstall'],
  ['cat /dev/null > /var/log/auth.log', 'bash', 'evasion.logs.delete'],
  ['shred -u /var/log/secure', 'bash', 'evasion.logs.delete'],
  ['truncate -s 0 /var/log/messages', 'bash', 'evasion.logs.delete'],
];

const allowed: Array<[string, Shell]> = [
  ['Select-String -Path C:\\logs\\*.log -Pattern "VirtualAlloc|CreateThread|GetProcAddress"', 'powershell'],
  ['echo list shadows all | diskshadow', 'cmd'],
  ["Get-CimInstance Win32_Product | Where-Object Name -like '*7-Zip*' | Invoke-CimMethod -MethodName Uninstall", 'powershell'],
  ['"C:\\Program Files\\Notepad++\\uninstall.exe" /S', 'cmd'],
  ['/opt/vendor/app/bin/uninstall.sh', 'bash'],
  // Hardening and ordinary logging are not evasion.
  ['sudo ufw --force enable', 'bash'],
  ['echo 2 > /proc/sys/kernel/randomize_va_space', 'bash'],
  ["sed -n '/error/p' /var/log/syslog", 'bash'],
  ['echo "offboarding done" >> /var/log/offboarding.log', 'bash'],
  ['Set-ItemProperty -Path HKLM:\\SYSTEM\\CurrentControlSet\\Control\\Lsa -Name RunAsPPL -Value 1 -Type DWord', 'powershell'],
  ['reg add HKLM\\System\\CurrentControlSet\\Control\\Lsa /v DisableRestrictedAdmin /t REG_DWORD /d 1 /f', 'cmd'],
  ['Set-ItemProperty HKLM:\\SYSTEM\\CurrentControlSet\\Control\\Lsa -Name LmCompatibilityLevel -Value 5', 'powershell'],
  ['Set-ItemProperty HKLM:\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Policies\\System -Name EnableLUA -Value 1', 'powershell'],
  ['reg add "HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows Defender" /v DisableAntiSpyware /t REG_DWORD /d 0 /f', 'cmd'],
  ['Set-MpPreference -DisableRe $false', 'powershell'],
  // Reload and log-rotation signals leave the logger running.
  ['pkill -HUP rsyslogd', 'bash'],
  ['kill -s HUP $(pidof rsyslogd)', 'bash'],
  ['killall -USR1 auditd', 'bash'],
  ['Get-MpPreference', 'powershell'],
  ['Get-MpComputerStatus', 'powershell'],
  ['sc query WinDefend', 'cmd'],
  ['wevtutil qe System /c:5 /f:text', 'cmd'],
  ['Get-EventLog -LogName System -Newest 20', 'powershell'],
  ['vssadmin list shadows', 'cmd'],
  ['vssadmin resize shadowstorage /For=C: /On=C: /MaxSize=20%', 'cmd'],
  ['netsh advfirewall show allprofiles', 'cmd'],
  ['sudo ufw enable', 'bash'],
  ['tail -f /var/log/syslog', 'bash'],
  ['journalctl --vacuum-time 2d', 'bash'],
  ['truncate -s 0 /srv/app/cache.bin', 'bash'],
  ['copy C:\\Windows\\System32\\drivers\\etc\\hosts C:\\Backup\\hosts', 'cmd'],
  ['copy C:\\Windows\\System32\\sethc.exe C:\\Windows\\System32\\sethc_backup.exe', 'cmd'],
  ['Stop-Service -Name Spooler', 'powershell'],
  ['Stop-Service -Name "sysmonlog"', 'powershell'],
  ['del C:\\Temp\\*.bak', 'cmd'],
];

describe('defense evasion', () => {
  it.each(blocked)('blocks %s', (text, shell, id) => {
    const f = run(defenseEvasionRules, text, shell);
    expect(ruleIds(f)).toContain(id);
    expect(verdict(f)).toBe('block');
    expect(f.find((x) => x.ruleId === id)!.extended).toBe('block');
    expect(spansValid(f, text)).toBe(true);
  });
  it.each(flagged)('flags %s', (text, shell, id) => {
    const f = run(defenseEvasionRules, text, shell, shell === 'zsh' ? 'macos' : undefined);
    expect(ruleIds(f)).toContain(id);
    expect(verdict(f)).toBe('flag');
    expect(f.every((x) => x.code === 'defense_evasion')).toBe(true);
  });
  it.each(allowed)('allows %s', (text, shell) => {
    expect(run(defenseEvasionRules, text, shell)).toEqual([]);
  });
});

describe('macOS privacy database (TCC) tampering', () => {
  const writes: Array<[string, Shell]> = [
    [
      "sqlite3 \"$HOME/Library/Application Support/com.apple.TCC/TCC.db\" \"INSERT INTO access VALUES('kTCCServiceScreenCapture','com.x.app',0,2,4,1,NULL,NULL,0,'UNUSED',NULL,0,1687000000);\"",
      'zsh',
    ],
    [
      "sqlite3 '/Library/Application Support/com.apple.TCC/TCC.db' \"insert or replace into access values('kTCCServiceSystemPolicyAllFiles','/usr/local/bin/a',1,2,4,1,NULL,NULL,0,'UNUSED',NULL,0,0)\"",
      'bash',
    ],
    [
      'sqlite3 ~/Library/Application\\ Support/com.apple.TCC/TCC.db "UPDATE access SET auth_value=2 WHERE service=\'kTCCServiceMicrophone\'"',
      'zsh',
    ],
    ['sudo sqlite3 "/Library/Application Support/com.apple.TCC/TCC.db" "DELETE FROM access WHERE client=\'com.apple.Terminal\'"', 'bash'],
    ['echo "INSERT INTO access VALUES(1)" | sqlite3 ~/Library/Application\\ Support/com.apple.TCC/TCC.db', 'zsh'],
  ];
  it.each(writes)('blocks a direct write: %s', (text, shell) => {
    const f = run(defenseEvasionRules, text, shell, 'macos');
    expect(verdict(f)).toBe('block');
    expect(ruleIds(f)).toContain('evasion.tcc.write');
    expect(spansValid(f, text)).toBe(true);
  });

  it.each([
    ['tccutil reset SystemPolicyAllFiles com.crowdstrike.falcon.Agent'],
    ['tccutil reset All com.microsoft.wdav'],
    ['sudo tccutil reset Accessibility com.sentinelone.sentinel-agent'],
  ])("blocks revoking a security agent's permission: %s", (text) => {
    const f = run(defenseEvasionRules, text, 'zsh', 'macos');
    expect(verdict(f)).toBe('block');
    expect(ruleIds(f)).toContain('evasion.tcc.revoke');
  });

  it.each([
    ["sqlite3 ~/Library/Application\\ Support/com.apple.TCC/TCC.db 'SELECT client,service,auth_value FROM access'", 'evasion.tcc.read'],
  ])('flags: %s', (text, id) => {
    const f = run(defenseEvasionRules, text, 'zsh', 'macos');
    expect(verdict(f)).toBe('flag');
    expect(ruleIds(f)).toContain(id);
  });

  it.each([
    ['tccutil reset Camera'],
    ['sudo tccutil reset All'],
    // Re-prompting one app for a permission is a support step (a meeting client that lost the camera).
    ['tccutil reset ScreenCapture us.zoom.xos'],
    ['tccutil reset Camera com.microsoft.teams2'],
    ["sqlite3 ~/Library/Safari/History.db 'SELECT url FROM history_items LIMIT 5'"],
    ["sqlite3 /var/db/app.db \"INSERT INTO config VALUES('k','v')\""],
  ])('allows: %s', (text) => {
    expect(verdict(run(defenseEvasionRules, text, 'zsh', 'macos'))).toBe('allow');
  });
});

describe('AMSI bypass with wildcard names', () => {
  const bypasses: string[] = [
    "$a=[Ref].Assembly.GetTypes();ForEach($b in $a){if($b.Name -like '*iUtils'){$c=$b}};$d=$c.GetFields('NonPublic,Static');ForEach($e in $d){if($e.Name -like '*Failed'){$f=$e}};$f.SetValue($null,$true)",
    "[Ref].Assembly.GetTypes() | ? { $_.Name -like '*iUtils' } | % { $_.GetFields('NonPublic,Static') | ? Name -like '*Failed' | % { $_.SetValue($null,$true) } }",
    '$x = [Ref].Assembly.GetTypes() | Where-Object { $_.Name -like "*ms*ils" }; $y = $x.GetFields("NonPublic,Static") | Where-Object { $_.Name -like "*nit*ail*" }; $y.SetValue($null,$true)',
    "[Ref].Assembly.GetTypes() | Where-Object { $_.Name -match 'siUtils$' }",
    "[Ref].Assembly.GetTypes() | Where-Object { $_.Name -clike 'A?si*' } | % { $_.GetField('amsiSe'+'ssion','NonPublic,Static') }",
  ];
  it.each(bypasses)('blocks: %s', (text) => {
    const f = run(defenseEvasionRules, text, 'powershell');
    expect(verdict(f)).toBe('block');
    expect(ruleIds(f)).toContain('evasion.amsi.bypass');
    expect(spansValid(f, text)).toBe(true);
  });

  it.each([
    "[AppDomain]::CurrentDomain.GetAssemblies() | ForEach-Object { $_.GetTypes() } | Where-Object Name -like '*Utils' | Select-Object -First 5 Name",
    "[Ref].Assembly.GetTypes() | Where-Object { $_.Name -like '*Utils' } | Select-Object Name",
    "[psobject].Assembly.GetTypes() | Where-Object Name -match 'Failed$'",
    '[System.Management.Automation.PSObject].Assembly.GetName().Version',
    "Get-Process | Where-Object { $_.Name -like '*ms*ils' }",
  ])('allows: %s', (text) => {
    expect(verdict(run(defenseEvasionRules, text, 'powershell'))).toBe('allow');
  });
});

describe('ESXi execInstalledOnly and logging tampering', () => {
  const tampering: Array<[string, string]> = [
    ['esxcli system settings advanced set -o /User/execInstalledOnly -i 0', 'evasion.esxi.exec-installed-only'],
    ['esxcli system settings advanced set --option=/User/execInstalledOnly --int-value=0', 'evasion.esxi.exec-installed-only'],
    ['esxcli system settings kernel set -s execInstalledOnly -v FALSE', 'evasion.esxi.exec-installed-only'],
    ['localcli system settings kernel set --setting=execInstalledOnly --value=false', 'evasion.esxi.exec-installed-only'],
    ['esxcli system settings encryption set --require-exec-installed-only=F', 'evasion.esxi.exec-installed-only'],
    ["esxcli system syslog config set --loghost=''", 'evasion.esxi.logging'],
    ['esxcli system syslog config set --reset=loghost', 'evasion.esxi.logging'],
    ['esxcli system syslog config set --logdir=/tmp && esxcli system syslog reload', 'evasion.esxi.logging'],
    ['esxcli system auditrecords local disable', 'evasion.esxi.logging'],
  ];
  it.each(tampering)('flags: %s', (text, rule) => {
    const f = run(defenseEvasionRules, text, 'sh');
    expect(verdict(f)).toBe('flag');
    expect(ruleIds(f)).toContain(rule);
  });

  const ordinary: string[] = [
    'esxcli system settings advanced list -o /User/execInstalledOnly',
    'esxcli system settings advanced set -o /User/execInstalledOnly -i 1',
    'esxcli system settings kernel set -s execInstalledOnly -v TRUE',
    'esxcli system settings advanced set -o /UserVars/SuppressShellWarning -i 1',
    "esxcli system syslog config set --loghost='udp://10.0.0.5:514'",
    'esxcli system syslog config set --logdir=/vmfs/volumes/datastore1/logs',
    'esxcli system syslog config get',
    'esxcli system auditrecords get',
  ];
  it.each(ordinary)('allows: %s', (text) => {
    expect(verdict(run(defenseEvasionRules, text, 'sh'))).toBe('allow');
  });
});

describe('a program run from a hidden file in a world-writable folder', () => {
  it.each<[string, Shell]>([
    ['/dev/shm/.x', 'bash'],
    ['chmod +x /var/tmp/.u && /var/tmp/.u', 'bash'],
    ['env -i /usr/bin/find /etc -maxdepth 0 -exec /var/tmp/.u \\; -quit', 'bash'],
    ['nohup /tmp/.cache/.d >/dev/null 2>&1 &', 'bash'],
  ])('blocks %s', (text, shell) => {
    const f = run(defenseEvasionRules, text, shell);
    expect(verdict(f)).toBe('block');
    expect(ruleIds(f)).toContain('evasion.hidden-program');
    expect(spansValid(f, text)).toBe(true);
  });

  it.each<[string, Shell]>([
    ['ls -la /tmp/.X11-unix', 'bash'],
    ['/tmp/build/run.sh', 'bash'],
    ['~/.local/bin/tool --version', 'bash'],
    ['./.venv/bin/python -m pip list', 'bash'],
  ])('allows %s', (text, shell) => {
    expect(ruleIds(run(defenseEvasionRules, text, shell))).not.toContain('evasion.hidden-program');
  });
});

describe('AppArmor weakened through apparmor_parser, and help switches of security tools', () => {
  const weakened: Array<[string, Shell]> = [
    ['sudo apparmor_parser -R /etc/apparmor.d/usr.sbin.cupsd', 'bash'],
    ['apparmor_parser --remove /etc/apparmor.d/usr.bin.firefox', 'bash'],
    ['sudo apparmor_parser -C -r /etc/apparmor.d/usr.sbin.mysqld', 'bash'],
    ['apparmor_parser --complain --replace /etc/apparmor.d/usr.sbin.nginx', 'sh'],
    ['sudo apparmor_parser -rC /etc/apparmor.d/usr.sbin.tcpdump', 'bash'],
    ['sudo /sbin/apparmor_parser -R /etc/apparmor.d/usr.sbin.rsyslogd', 'bash'],
    ['for p in /etc/apparmor.d/usr.*; do apparmor_parser -R "$p"; done', 'bash'],
    ['aa-teardown -h; sudo aa-teardown', 'bash'],
    ['sudo aa-complain /etc/apparmor.d/usr.sbin.cupsd', 'bash'],
  ];
  const kept: Array<[string, Shell]> = [
    ['sudo apparmor_parser -r /etc/apparmor.d/usr.sbin.cupsd', 'bash'],
    ['apparmor_parser --replace /etc/apparmor.d/usr.bin.man', 'bash'],
    ['sudo apparmor_parser -a /etc/apparmor.d/usr.sbin.nginx', 'bash'],
    ['apparmor_parser -p /etc/apparmor.d/usr.sbin.nginx > /tmp/nginx.flat', 'bash'],
    ['apparmor_parser -Q -C /etc/apparmor.d/usr.sbin.nginx', 'bash'],
    ['apparmor_parser --skip-kernel-load --debug /etc/apparmor.d/usr.sbin.nginx', 'bash'],
    ['apparmor_parser -r -W -L /var/cache/apparmor /etc/apparmor.d/usr.sbin.nginx', 'bash'],
    ['apparmor_parser --version', 'bash'],
    ['aa-teardown -h', 'bash'],
    ['aa-teardown --help', 'bash'],
    ['aa-disable -h', 'bash'],
    ['sudo aa-teardown -V', 'bash'],
    ['aa-complain --version', 'bash'],
    ['apparmor_parser -R -h', 'bash'],
    ['spctl --master-disable --help', 'zsh'],
  ];
  it.each(weakened)('flags %s', (text, shell) => {
    const f = run(defenseEvasionRules, text, shell);
    expect(ruleIds(f)).toContain('evasion.security-control.disable');
    expect(verdict(f)).toBe('flag');
    expect(spansValid(f, text)).toBe(true);
  });
  it.each(kept)('allows %s', (text, shell) => {
    expect(run(defenseEvasionRules, text, shell, shell === 'zsh' ? 'macos' : undefined)).toEqual([]);
  });
});

describe("an uninstall deleting the product's own log folder", () => {
  const tampering: Array<[string, Shell]> = [
    ['rm -rf /var/log/nginx/', 'bash'],
    ['sudo systemctl stop nginx; sudo rm -rf /var/log/nginx/*', 'bash'],
    ['sudo apt purge -y rustdesk; sudo rm -rf /var/log/rustdesk /var/log/auth.log', 'bash'],
    ['sudo apt remove -y nginx && sudo rm -rf /var/log/journal', 'bash'],
    ['sudo apt purge -y nginx && sudo rm -rf /var/log/', 'bash'],
    ['sudo systemctl disable apache2; sudo rm -rf /var/log/audit/', 'bash'],
    ['sudo yum remove -y httpd && sudo rm -rf /var/log/nginx', 'bash'],
    ['rm -rf /tmp/nginx /var/log/nginx', 'bash'],
  ];
  const uninstalls: Array<[string, Shell]> = [
    [
      'sudo systemctl stop rustdesk-hbbs.service\nsudo systemctl disable rustdesk-hbbs.service\nsudo rm /etc/systemd/system/rustdesk-hbbs.service\nsudo rm /usr/bin/hbbs\nsudo rm -rf /var/lib/rustdesk-server/\nsudo rm -rf /var/log/rustdesk-server/',
      'sh',
    ],
    ['sudo apt purge -y zabbix-agent && sudo rm -rf /etc/zabbix /var/log/zabbix', 'bash'],
    ['sudo dnf remove -y grafana\nsudo rm -rf /var/lib/grafana /var/log/grafana/', 'bash'],
    ['sudo systemctl disable --now netdata\nsudo rm -rf /usr/sbin/netdata /var/log/netdata/', 'bash'],
    ['sudo rm -rf /opt/acme-agent /var/log/acme-agent', 'bash'],
  ];
  it.each(tampering)('flags %s', (text, shell) => {
    const f = run(defenseEvasionRules, text, shell);
    expect(ruleIds(f)).toContain('evasion.logs.delete');
    expect(verdict(f)).toBe('flag');
  });
  it.each(uninstalls)('allows %s', (text, shell) => {
    expect(run(defenseEvasionRules, text, shell)).toEqual([]);
  });
});
