/**
 * Red-team gaps in defence evasion (round 9, written in the style of Atomic Red Team tests): policy keys that take
 * tools from users, security and backup services changed or stopped, hidden files, apps and tasks, .NET event-log
 * clearing, library injection, mock system folders and DLL side-loading. Each technique with its administrative
 * look-alikes that must stay allowed.
 */
import { defenseEvasionRules } from './defense-evasion';
import { describeTechniques, type TechniqueTable } from './family-test-support';

const REGISTRY = 'evasion.registry';
const SERVICE_STOP = 'evasion.security-service.stop';

const techniques: TechniqueTable = {
  'policy keys that take tools from users (T1112)': {
    flagged: [
      [
        'reg add HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Policies\\System /v DisableTaskMgr /t REG_DWORD /d 1 /f',
        'cmd',
        REGISTRY,
      ],
      [
        'Set-ItemProperty -Path HKCU:\\Software\\Microsoft\\Windows\\CurrentVersion\\Policies\\System -Name DisableRegistryTools -Value 1',
        'powershell',
        REGISTRY,
      ],
      ['reg add HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Policies\\Explorer /v NoRun /t REG_DWORD /d 1 /f', 'cmd', REGISTRY],
      ['reg add "HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows\\WindowsUpdate\\AU" /v NoAutoUpdate /t REG_DWORD /d 1 /f', 'cmd', REGISTRY],
      ['reg add HKLM\\SYSTEM\\CurrentControlSet\\Services\\SysmonDrv /v Start /t REG_DWORD /d 4 /f', 'cmd', REGISTRY],
    ],
    allowed: [
      ['reg add HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Policies\\System /v DisableTaskMgr /t REG_DWORD /d 0 /f', 'cmd'],
      ['reg add "HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows\\WindowsUpdate\\AU" /v NoAutoUpdate /t REG_DWORD /d 0 /f', 'cmd'],
      ['reg add HKLM\\SYSTEM\\CurrentControlSet\\Services\\Spooler /v Start /t REG_DWORD /d 4 /f', 'cmd'],
      ['reg query HKLM\\SYSTEM\\CurrentControlSet\\Services\\SysmonDrv', 'cmd'],
    ],
  },
  'backup services stopped before encryption (T1489/T1490)': {
    flagged: [
      ['net stop VSS /y', 'cmd', SERVICE_STOP],
      ['for %s in (VSS SQLWriter MSSQLSERVER veeam BackupExecJobEngine wbengine) do net stop %s /y', 'cmd', SERVICE_STOP],
      ["foreach ($n in 'SQLWriter','VeeamBackupSvc','AcronisAgent') { Stop-Service -Name $n -Force }", 'powershell', SERVICE_STOP],
    ],
    allowed: [
      ['sc query vss', 'cmd'],
      ['net start vss', 'cmd'],
      ['net stop spooler', 'cmd'],
    ],
  },
  'hidden files, apps and tasks (T1564, T1053.005)': {
    flagged: [
      ['attrib.exe +h +s C:\\Users\\Public\\svchostx.exe', 'cmd', 'evasion.hide.attributes'],
      ['chflags hidden /var/tmp/.hidden-directory', 'zsh', 'evasion.hide.attributes', 'macos'],
      ['sudo defaults write /Applications/Calculator.app/Contents/Info.plist LSUIElement 1', 'zsh', 'evasion.hide.app', 'macos'],
      [
        'reg delete "HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\Schedule\\TaskCache\\Tree\\UpdaterTask" /v SD /f',
        'cmd',
        'evasion.hide.task',
      ],
      ['mkdir -p /dev/shm/.x && cp /tmp/miner /dev/shm/.x/.kworker && chmod +x /dev/shm/.x/.kworker', 'bash', 'evasion.hidden-program'],
    ],
    allowed: [
      ['attrib +h +s C:\\Share\\desktop.ini', 'cmd'],
      ['attrib -h C:\\Users\\Public\\x.exe', 'cmd'],
      ['attrib +h C:\\Temp\\notes.txt', 'cmd'],
      ['chflags nohidden ~/Library', 'zsh', 'macos'],
      ['touch /var/tmp/T1564.001_mac.txt\nchflags hidden /var/tmp/T1564.001_mac.txt', 'zsh', 'macos'],
      ['reg query "HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\Schedule\\TaskCache\\Tree" /s', 'cmd'],
      ['chmod +x /tmp/install.sh', 'bash'],
      ['chmod 755 /tmp/build/.hooks/pre-commit', 'bash'],
    ],
  },
  'the PowerShell event provider removed (written without &)': {
    flagged: [['$PSHOME\\RegisterManifest.ps1 -Unregister', 'powershell', 'evasion.eventlog.provider-removed']],
    allowed: [['$PSHOME\\RegisterManifest.ps1', 'powershell']],
  },
  'event logs cleared through .NET (T1070.001)': {
    flagged: [
      [
        '$RemoteAppLog = New-Object -TypeName System.Diagnostics.EventLog Application, Server01\n$RemoteAppLog.Clear()',
        'powershell',
        'evasion.eventlog.clear',
      ],
      ['[System.Diagnostics.EventLog]::new("Application").Clear()', 'powershell', 'evasion.eventlog.clear'],
      ['[System.Diagnostics.Eventing.Reader.EventLogSession]::GlobalSession.ClearLog("Security")', 'powershell', 'evasion.eventlog.clear'],
    ],
    allowed: [['$log = New-Object System.Diagnostics.EventLog Application; $log.Entries | Select -First 5; $list.Clear()', 'powershell']],
  },
  'libraries preloaded into programs (T1574.006)': {
    blocked: [
      ['LD_PRELOAD=/tmp/T1574.006.so ls', 'bash', 'evasion.library-injection'],
      ['export LD_PRELOAD=/tmp/x.so; ls', 'bash', 'evasion.library-injection'],
      ['sudo env -i LD_PRELOAD=/home/u/x.so /usr/bin/id', 'bash', 'evasion.library-injection'],
      [
        'DYLD_INSERT_LIBRARIES=/tmp/T1574.006.dylib /Applications/Calculator.app/Contents/MacOS/Calculator',
        'zsh',
        'evasion.library-injection',
        'macos',
      ],
    ],
    allowed: [
      ['LD_PRELOAD=/usr/lib/x86_64-linux-gnu/libjemalloc.so.2 redis-server', 'bash'],
      ['echo $LD_PRELOAD', 'bash'],
      ['grep -r "LD_PRELOAD=/tmp" /etc', 'bash'],
      ["echo 'LD_PRELOAD=/tmp/x.so'", 'bash'],
    ],
  },
  'mock system folders and DLL side-loading (T1036.005, T1574.002)': {
    blocked: [
      [
        'mkdir "\\\\?\\C:\\Windows \\System32\\"\ncopy C:\\Windows\\System32\\winSAT.exe "\\\\?\\C:\\Windows \\System32\\winSAT.exe"\n"C:\\Windows \\System32\\winSAT.exe"',
        'cmd',
        'evasion.masquerade.mock-folder',
      ],
      [
        'copy /Y "C:\\AtomicRedTeam\\atomics\\T1574.002\\bin\\GUP.exe" "%TEMP%\\GUP.exe"\ncopy /Y "C:\\AtomicRedTeam\\atomics\\T1574.002\\bin\\libcurl.dll" "%TEMP%\\libcurl.dll"\nstart "" "%TEMP%\\GUP.exe"',
        'cmd',
        'evasion.dll-sideload',
      ],
    ],
    allowed: [
      ['copy \\\\fs\\apps\\tool.exe C:\\Tools\\\ncopy \\\\fs\\apps\\tool.dll C:\\Tools\\\nC:\\Tools\\tool.exe --version', 'cmd'],
      ['dir "C:\\Windows\\System32\\*.dll"', 'cmd'],
    ],
  },
};

describeTechniques('defence evasion, red-team round 9', defenseEvasionRules, techniques);
