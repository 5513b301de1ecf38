/**
 * Red-team gaps (round 9, Atomic Red Team style) in offensive tooling and proxy execution: token-theft tools,
 * release builds named with their target (`GodPotato-NET4`), parent-process spoofing through NtObjectManager and
 * token-stealing helpers, XSL transforms with scripting enabled, and shells started from Lua and Tcl.
 */
import { offensiveToolRules } from './offensive-tools';
import { proxyExecutionRules } from './proxy-execution';
import { describeTechniques, type TechniqueTable } from './family-test-support';

const offensive: TechniqueTable = {
  'token theft and impersonation tools (T1134)': {
    blocked: [
      ['"C:\\AtomicRedTeam\\atomics\\..\\ExternalPayloads\\RunasCs.exe" svc_backup P@ssw0rd1 "cmd /c whoami"', 'cmd', 'offensive.tool'],
      ['C:\\Tools\\incognito.exe execute -c "NT AUTHORITY\\SYSTEM" C:\\Windows\\System32\\cmd.exe', 'cmd', 'offensive.tool'],
      ['C:\\Users\\Public\\GodPotato-NET4.exe -cmd "cmd /c whoami > C:\\Users\\Public\\gp.txt"', 'cmd', 'offensive.tool'],
      ['C:\\Tools\\Rubeus_x64.exe kerberoast', 'cmd', 'offensive.tool'],
    ],
    allowed: [
      ['C:\\Tools\\node-v20.exe --version', 'cmd'],
      ['"C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe" --incognito https://example.com', 'cmd'],
    ],
  },
  'a process started under lsass or winlogon (T1134.002/.004)': {
    blocked: [
      [
        'Import-Module NtObjectManager\n$parent = Get-NtProcess -Name lsass.exe | Select-Object -First 1\n$cfg = New-Win32ProcessConfig "cmd.exe /c whoami"\n$cfg.ParentProcess = $parent\nNew-Win32Process -Config $cfg',
        'powershell',
        'offensive.system-parent-spoof',
      ],
      [
        '$proc = Get-Process -Name winlogon\nAdd-Type -Path C:\\AtomicRedTeam\\atomics\\T1134.001\\src\\TokenSteal.cs\n[TokenSteal]::DuplicateAndImpersonate($proc.Id)',
        'powershell',
        'offensive.system-parent-spoof',
      ],
    ],
    allowed: [
      ['Get-CimInstance Win32_Process | Select-Object Name, ProcessId, ParentProcessId | Where-Object Name -eq lsass.exe', 'powershell'],
    ],
  },
};

const proxy: TechniqueTable = {
  'XSL transforms with scripting enabled (T1220)': {
    blocked: [
      [
        '$xsl = New-Object System.Xml.Xsl.XslCompiledTransform\n$settings = New-Object System.Xml.Xsl.XsltSettings($true, $true)\n$xsl.Load("$env:TEMP\\payload.xsl", $settings, (New-Object System.Xml.XmlUrlResolver))\n$xsl.Transform("$env:TEMP\\input.xml", "$env:TEMP\\out.xml")',
        'powershell',
        'proxy.xsl-script',
      ],
    ],
    allowed: [
      [
        '$x = New-Object System.Xml.Xsl.XslCompiledTransform; $x.Load("C:\\reports\\style.xsl"); $x.Transform("in.xml","out.html")',
        'powershell',
      ],
    ],
  },
  'shells started from Lua and Tcl (GTFOBins)': {
    blocked: [
      ['lua -e \'os.execute("/bin/sh -i")\'', 'bash', 'proxy.gtfobins.interpreter-shell'],
      ["tclsh <<< 'exec /bin/sh -p <@stdin >@stdout 2>@stderr'", 'bash', 'proxy.gtfobins.interpreter-shell'],
    ],
    allowed: [
      ["lua -e 'print(os.date())'", 'bash'],
      ["tclsh <<< 'puts [exec uname -a]'", 'bash'],
      ["expect -c 'spawn ssh admin@10.0.0.5; interact'", 'bash'],
    ],
  },
};

describeTechniques('offensive tools, red-team round 9', offensiveToolRules, offensive);
describeTechniques('proxy execution, red-team round 9', proxyExecutionRules, proxy);
