/**
 * Held-out gaps in defence evasion (Atomic Red Team / tldr round): system-file takeover, hosts-file
 * blackholing of security vendors, PowerShell logging switched off by reflection, macOS masquerading
 * under Apple names and clearing macOS forensic stores. Each technique with the attack, variants in
 * other shells and spellings, and the administration that looks like it and must stay allowed.
 */
import { defenseEvasionRules } from './defense-evasion';
import { describeTechniques, type TechniqueTable } from './family-test-support';

const techniques: TechniqueTable = {
  'taking over a Windows system file (T1222.001)': {
    flagged: [
      ['takeown /f C:\\Windows\\System32\\termsrv.dll', 'cmd', 'evasion.system-file.takeover'],
      ['takeown.exe /F c:\\windows\\system32\\drivers\\WdFilter.sys /A', 'cmd', 'evasion.system-file.takeover'],
      ['takeown /f %windir%\\System32 /r /d y', 'cmd', 'evasion.system-file.takeover'],
      ['icacls C:\\Windows\\System32\\termsrv.dll /grant Administrators:F', 'cmd', 'evasion.system-file.takeover'],
      ['icacls "C:\\Windows\\SysWOW64\\termsrv.dll" /grant:r "BUILTIN\\Administrators":(F)', 'cmd', 'evasion.system-file.takeover'],
      ['icacls $env:windir\\System32\\termsrv.dll /grant "Everyone:(M)"', 'powershell', 'evasion.system-file.takeover'],
      ['icacls C:\\Windows\\System32\\drivers\\WdFilter.sys /setowner Administrators', 'cmd', 'evasion.system-file.takeover'],
      ['cacls C:\\Windows\\System32\\sethc.exe /E /G Everyone:F', 'cmd', 'evasion.system-file.takeover'],
      [
        '$acl = Get-Acl C:\\Windows\\System32\\termsrv.dll\n$rule = New-Object System.Security.AccessControl.FileSystemAccessRule("Administrators","FullControl","Allow")\n$acl.SetAccessRule($rule)\nSet-Acl C:\\Windows\\System32\\termsrv.dll $acl',
        'powershell',
        'evasion.system-file.takeover',
      ],
      [
        '$dll = "C:\\Windows\\System32\\termsrv.dll"\n$ACL = Get-Acl $dll\n$ACL.SetAccessRule((New-Object System.Security.AccessControl.FileSystemAccessRule "Administrators","FullControl","Allow"))\nSet-Acl -Path $dll -AclObject $ACL\nCopy-Item C:\\Users\\Public\\termsrv.dll $dll -Force',
        'powershell',
        'evasion.system-file.takeover',
      ],
    ],
    allowed: [
      ['icacls C:\\Data /grant Users:R', 'cmd'],
      ['icacls C:\\inetpub\\wwwroot /grant "IIS_IUSRS":(OI)(CI)RX', 'cmd'],
      ['icacls C:\\Windows\\System32\\drivers\\etc\\hosts', 'cmd'],
      ['icacls C:\\Windows\\System32\\termsrv.dll', 'cmd'],
      ['icacls C:\\Windows\\Temp /reset /t', 'cmd'],
      ['Get-Acl C:\\Windows\\System32\\drivers\\etc\\hosts', 'powershell'],
      ['takeown /f D:\\Shares\\Finance /r /d y', 'cmd'],
      [
        '$acl = Get-Acl D:\\Projects\n$acl.SetAccessRule((New-Object System.Security.AccessControl.FileSystemAccessRule("CORP\\dev","FullControl","Allow")))\nSet-Acl D:\\Projects $acl',
        'powershell',
      ],
    ],
  },
  'blackholing a security, MFA or update vendor in the hosts file (T1556.006, T1562.001)': {
    flagged: [
      [
        'Add-Content -Path "$env:windir\\System32\\drivers\\etc\\hosts" -Value "`n0.0.0.0 api-1234abcd.duosecurity.com"',
        'powershell',
        'evasion.hosts.blackhole',
      ],
      ['Add-Content C:\\Windows\\System32\\drivers\\etc\\hosts "`n0.0.0.0 agent.sentinelone.net"', 'powershell', 'evasion.hosts.blackhole'],
      [
        '"0.0.0.0 definitionupdates.microsoft.com" | Out-File -Append -Encoding ascii C:\\Windows\\System32\\drivers\\etc\\hosts',
        'powershell',
        'evasion.hosts.blackhole',
      ],
      ['echo 0.0.0.0 wdcp.microsoft.com >> C:\\Windows\\System32\\drivers\\etc\\hosts', 'cmd', 'evasion.hosts.blackhole'],
      ['echo "127.0.0.1 ts01-b.cloudsink.net" | sudo tee -a /etc/hosts', 'bash', 'evasion.hosts.blackhole', 'linux'],
      ['echo "127.0.0.1 cloud.sophos.com" >> /etc/hosts', 'bash', 'evasion.hosts.blackhole', 'linux'],
      ["printf '0.0.0.0 update.microsoft.com\\n' >> /mnt/c/Windows/System32/drivers/etc/hosts", 'bash', 'evasion.hosts.blackhole', 'linux'],
      ['sudo sh -c \'echo "127.0.0.1 mesu.apple.com swscan.apple.com" >> /etc/hosts\'', 'zsh', 'evasion.hosts.blackhole', 'macos'],
      ['echo "0.0.0.0 login.okta.com" | sudo tee -a /private/etc/hosts', 'zsh', 'evasion.hosts.blackhole', 'macos'],
    ],
    allowed: [
      ['echo "10.0.0.5 fileserver.corp.local" | sudo tee -a /etc/hosts', 'bash', 'linux'],
      ['echo "10.1.2.3 duo-proxy.corp.local" | sudo tee -a /etc/hosts', 'bash', 'linux'],
      ['echo "127.0.0.1 ads.doubleclick.net" >> /etc/hosts', 'bash', 'linux'],
      ['cat /etc/hosts | grep duosecurity', 'bash', 'linux'],
      ['Add-Content -Path "$env:windir\\System32\\drivers\\etc\\hosts" -Value "10.0.0.5 fileserver.corp.local"', 'powershell'],
      ['echo 192.168.1.20 printer01 >> C:\\Windows\\System32\\drivers\\etc\\hosts', 'cmd'],
      ['echo "0.0.0.0 api.duosecurity.com" >> ~/notes/blocked-hosts.txt', 'bash', 'linux'],
    ],
  },
  'PowerShell logging switched off by reflection (T1562.002)': {
    blocked: [
      [
        "$f = [Ref].Assembly.GetType('System.Management.Automation.Utils').GetField('cachedGroupPolicySettings','NonPublic,Static')\n$s = $f.GetValue($null)\n$s['ScriptBlockLogging']['EnableScriptBlockLogging'] = 0\n$s['ScriptBlockLogging']['EnableScriptBlockInvocationLogging'] = 0",
        'powershell',
        'evasion.pslogging.reflection',
      ],
      [
        "$GPF=[ref].Assembly.GetType('System.Management.Automation.Utils').\"GetFie`ld\"('cachedGroupP'+'olicySettings','N'+'onPublic,Static');$GPS=$GPF.GetValue($null);$GPS['ScriptB'+'lockLogging']['EnableScriptB'+'lockLogging']=0",
        'powershell',
        'evasion.pslogging.reflection',
      ],
      [
        "[Reflection.Assembly]::LoadWithPartialName('System.Core').GetType('System.Diagnostics.Eventing.EventProvider').GetField('m_enabled','NonPublic,Instance').SetValue([Ref].Assembly.GetType('System.Management.Automation.Tracing.PSEtwLogProvider').GetField('etwProvider','NonPublic,Static').GetValue($null),0)",
        'powershell',
        'evasion.pslogging.reflection',
      ],
      [
        "$p=[Ref].Assembly.GetType('System.Management.Automation.Tracing.PSEtw'+'LogProvider').GetField('etw'+'Provider','NonPublic,Static').GetValue($null); [System.Diagnostics.Eventing.EventProvider].GetField('m_'+'enabled','NonPublic,Instance').SetValue($p,0)",
        'powershell',
        'evasion.pslogging.reflection',
      ],
      [
        "powershell -c \"$f=[Ref].Assembly.GetType('System.Management.Automation.Utils').GetField('cachedGroupPolicySettings','NonPublic,Static');$f.GetValue($null)['ScriptBlockLogging']['EnableScriptBlockLogging']=0\"",
        'cmd',
        'evasion.pslogging.reflection',
      ],
    ],
    allowed: [
      ['Get-ItemProperty HKLM:\\Software\\Policies\\Microsoft\\Windows\\PowerShell\\ScriptBlockLogging', 'powershell'],
      ["[Ref].Assembly.GetType('System.Management.Automation.Utils').GetMethods('NonPublic,Static') | Select-Object Name", 'powershell'],
      ["Get-WinEvent -LogName 'Microsoft-Windows-PowerShell/Operational' -MaxEvents 20 | Where-Object Id -eq 4104", 'powershell'],
    ],
  },
  'macOS masquerading under an Apple name (T1036.003/.005)': {
    blocked: [
      ['cp /bin/sleep /tmp/com.apple.sleep\n/tmp/com.apple.sleep 60 &', 'bash', 'evasion.masquerade', 'macos'],
      [
        'cp /usr/bin/curl /private/tmp/com.apple.update && /private/tmp/com.apple.update -s https://example.com',
        'zsh',
        'evasion.masquerade',
        'macos',
      ],
      ['cp /bin/bash /Users/Shared/com.apple.mdworker_shared', 'bash', 'evasion.masquerade', 'macos'],
      ['cp /usr/bin/python3 ~/Library/softwareupdated', 'zsh', 'evasion.masquerade', 'macos'],
      ['ditto /usr/bin/nc /var/tmp/com.apple.mDNSResponder', 'bash', 'evasion.masquerade', 'macos'],
      ['mv /usr/local/bin/socat /tmp/com.apple.coreservices.appleidauthenticationd', 'bash', 'evasion.masquerade', 'macos'],
    ],
    allowed: [
      ['cp /Library/LaunchDaemons/com.apple.x.plist ~/backup/', 'bash', 'macos'],
      ['cp /System/Library/LaunchDaemons/com.apple.smbd.plist /tmp/com.apple.smbd.plist', 'bash', 'macos'],
      ['cp ~/Library/Preferences/com.apple.finder.plist ~/Desktop/com.apple.finder.plist.bak', 'bash', 'macos'],
      ['cp /usr/bin/curl ~/bin/curl-old', 'bash', 'macos'],
      ['cp /usr/bin/tail /tmp/tail', 'bash', 'macos'],
    ],
  },
  'clearing macOS forensic stores (T1070)': {
    flagged: [
      [
        'sqlite3 ~/Library/Preferences/com.apple.LaunchServices.QuarantineEventsV2 "DELETE FROM LSQuarantineEvent"',
        'zsh',
        'evasion.forensics.clear',
        'macos',
      ],
      [
        "echo 'delete from LSQuarantineEvent;' | sqlite3 ~/Library/Preferences/com.apple.LaunchServices.QuarantineEventsV*",
        'bash',
        'evasion.forensics.clear',
        'macos',
      ],
      ['sqlite3 ~/Library/Application\\ Support/Knowledge/knowledgeC.db "DELETE FROM ZOBJECT"', 'bash', 'evasion.forensics.clear', 'macos'],
      ['rm ~/Library/Preferences/com.apple.LaunchServices.QuarantineEventsV2', 'zsh', 'evasion.forensics.clear', 'macos'],
      ['rm -f "$HOME/Library/Application Support/Knowledge/knowledgeC.db"', 'bash', 'evasion.forensics.clear', 'macos'],
      ['sudo rm -rf /private/var/db/CoreDuet/Knowledge/knowledgeC.db*', 'bash', 'evasion.forensics.clear', 'macos'],
      [': > ~/Library/Preferences/com.apple.LaunchServices.QuarantineEventsV2', 'bash', 'evasion.forensics.clear', 'macos'],
    ],
    allowed: [
      // Reading the store is how a technician finds where a file came from.
      [
        'sqlite3 ~/Library/Preferences/com.apple.LaunchServices.QuarantineEventsV2 "SELECT LSQuarantineAgentName, LSQuarantineDataURLString FROM LSQuarantineEvent"',
        'zsh',
        'macos',
      ],
      ['sqlite3 ~/Library/Application\\ Support/Knowledge/knowledgeC.db "SELECT ZVALUESTRING FROM ZOBJECT LIMIT 10"', 'zsh', 'macos'],
      ['ls -la ~/Library/Preferences/com.apple.LaunchServices.QuarantineEventsV2', 'zsh', 'macos'],
      ['cp ~/Library/Preferences/com.apple.LaunchServices.QuarantineEventsV2 /tmp/qe.bak', 'zsh', 'macos'],
    ],
  },
};

describeTechniques('defence evasion held-out gaps (round 6)', defenseEvasionRules, techniques);
