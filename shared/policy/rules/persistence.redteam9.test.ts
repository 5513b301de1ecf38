/**
 * Red-team gaps in persistence (round 9): environment variables that make processes run something (logon
 * scripts, CLR profilers, user-writable folders first on PATH, windir hijacks), DLLs planted where programs
 * load them, and a service's program replaced. Ordinary environment, PATH and copy work stays allowed.
 */
import { persistenceRules } from './persistence';
import { describeTechniques, type TechniqueTable } from './family-test-support';

const ENVIRONMENT = 'persist.environment';
const REGISTRY = 'persist.registry';
const HIJACK = 'persist.dll-hijack';

const techniques: TechniqueTable = {
  'environment variables that run code (T1574.012, T1037.001, T1574.007)': {
    flagged: [
      [
        'setx COR_ENABLE_PROFILING 1 /M\nsetx COR_PROFILER {cf0d821e-299b-5307-a3d8-b283c03916db} /M\nsetx COR_PROFILER_PATH C:\\Users\\Public\\p.dll /M',
        'cmd',
        ENVIRONMENT,
      ],
      ['setx PATH "C:\\Users\\Public\\bin;%PATH%" /M', 'cmd', ENVIRONMENT],
      [
        "[Environment]::SetEnvironmentVariable('COR_PROFILER','{cf0d821e-299b-5307-a3d8-b283c03916db}','Machine')",
        'powershell',
        ENVIRONMENT,
      ],
      [
        "$env:COR_ENABLE_PROFILING = 1; $env:COR_PROFILER_PATH = 'C:\\Users\\Public\\p.dll'; powershell -c 'Start-Sleep 1'",
        'powershell',
        ENVIRONMENT,
      ],
      ['reg add HKCU\\Environment /v UserInitMprLogonScript /d C:\\ProgramData\\u.bat /f', 'cmd', REGISTRY],
      ['reg add "HKCU\\Environment" /v windir /d "cmd.exe /c C:\\Users\\Public\\payload.exe & REM " /f', 'cmd', REGISTRY],
    ],
    allowed: [
      ['Set-ItemProperty -Path HKCU:\\Environment -Name Path -Value "$env:Path;C:\\Tools"', 'powershell'],
      ['reg add HKCU\\Environment /v Path /t REG_EXPAND_SZ /d "%PATH%;C:\\Tools" /f', 'cmd'],
      ['reg add HKCU\\Environment /v TEMP /d D:\\Temp /f', 'cmd'],
      ['setx PATH "%PATH%;C:\\Tools" /M', 'cmd'],
      ['setx variable value /M', 'cmd'],
      ["[Environment]::SetEnvironmentVariable('Foo','Bar','Machine')", 'powershell'],
    ],
  },
  'DLLs planted where programs load them, and replaced service programs (T1574.001/.002/.010)': {
    flagged: [
      [
        'copy C:\\AtomicRedTeam\\atomics\\T1574.001\\bin\\wlbsctrl.dll C:\\Windows\\System32\\wlbsctrl.dll\nsc stop IKEEXT\nsc start IKEEXT',
        'cmd',
        HIJACK,
      ],
      [
        'Copy-Item "C:\\Users\\Public\\CRYPTBASE.dll" -Destination "C:\\Program Files\\Contoso\\Agent\\CRYPTBASE.dll" -Force\nRestart-Service ContosoAgent',
        'powershell',
        HIJACK,
      ],
      [
        'sc stop "VulnSvc"\ncopy /y C:\\Users\\Public\\payload.exe "C:\\Program Files\\VulnSvc\\vulnsvc.exe"\nsc start "VulnSvc"',
        'cmd',
        'persist.program-replaced',
      ],
    ],
    allowed: [
      ['copy C:\\Temp\\tool.exe "C:\\Program Files\\Tool\\tool.exe"', 'cmd'],
      ['copy \\\\fs01\\drivers\\x.dll C:\\Windows\\Temp\\x.dll', 'cmd'],
      ['Copy-Item C:\\Reports\\*.csv \\\\fs01\\reports\\', 'powershell'],
    ],
  },
  'login items read, not made': {
    flagged: [
      [
        'osascript -e \'tell application "System Events" to make login item at end with properties {path:"/Users/Shared/x.app", hidden:true}\'',
        'zsh',
        'persist.login-item',
        'macos',
      ],
    ],
    allowed: [['osascript -e \'tell application "System Events" to get the name of every login item\'', 'zsh', 'macos']],
  },
};

describeTechniques('persistence, red-team round 9', persistenceRules, techniques);
