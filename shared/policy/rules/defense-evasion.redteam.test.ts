/**
 * Red-team gaps in defence evasion (round 4): each technique with the attack, two evasive variants
 * and benign look-alikes that must stay allowed.
 */
import { describe, expect, it } from 'vitest';
import { defenseEvasionRules } from './defense-evasion';
import { run, ruleIds, spansValid, verdict } from './family-test-support';
import type { Platform, Shell } from '../types';

type Case = [text: string, shell: Shell, ruleId: string, platform?: Platform];

const techniques: Record<string, { flagged?: Case[]; blocked?: Case[]; allowed: Array<[string, Shell, Platform?]> }> = {
  'history tampering': {
    flagged: [
      ['history -c && unset HISTFILE', 'bash', 'evasion.history.tamper'],
      ['export HISTFILE=/dev/null', 'bash', 'evasion.history.tamper'],
      ['HISTSIZE=0', 'bash', 'evasion.history.tamper'],
      ['set +o history', 'bash', 'evasion.history.tamper'],
      ['ln -sf /dev/null ~/.bash_history', 'bash', 'evasion.history.tamper'],
      ['ln -s /dev/null /root/.zsh_history', 'zsh', 'evasion.history.tamper'],
      ['Remove-Item (Get-PSReadlineOption).HistorySavePath', 'powershell', 'evasion.history.tamper'],
      ['Set-PSReadLineOption -HistorySaveStyle SaveNothing', 'powershell', 'evasion.history.tamper'],
      ['Set-PSReadlineOption -HistorySaveStyle:SaveNothing', 'powershell', 'evasion.history.tamper'],
    ],
    allowed: [
      ['history -c', 'bash'],
      ['history | grep ssh', 'bash'],
      ['export HISTSIZE=10000', 'bash'],
      ['export HISTFILE=~/.bash_history_work', 'bash'],
      ['set -o history', 'bash'],
      ['Set-PSReadLineOption -HistorySaveStyle SaveIncrementally', 'powershell'],
      ['Get-Content (Get-PSReadlineOption).HistorySavePath', 'powershell'],
      ['Clear-History', 'powershell'],
    ],
  },
  timestomping: {
    flagged: [
      ['touch -r /bin/ls /tmp/.x', 'bash', 'evasion.timestomp'],
      ['touch -cr /usr/bin/ssh /usr/sbin/.sshd', 'bash', 'evasion.timestomp'],
      ['touch -t 201901010000 /var/www/html/shell.php', 'bash', 'evasion.timestomp'],
      ["(Get-Item C:\\ProgramData\\u.exe).LastWriteTime = '01/01/2019 00:00:00'", 'powershell', 'evasion.timestomp'],
      [
        '$f = Get-Item C:\\ProgramData\\u.exe; $f.CreationTime = (Get-Item C:\\Windows\\notepad.exe).CreationTime',
        'powershell',
        'evasion.timestomp',
      ],
      ["[IO.File]::SetLastWriteTime('C:\\ProgramData\\u.exe', [datetime]'2019-01-01')", 'powershell', 'evasion.timestomp'],
    ],
    allowed: [
      ['touch /var/run/app/healthcheck.ok', 'bash'],
      ['touch -d "5 hours ago" /srv/support/file', 'bash'],
      ['touch -c -t 202401010000 /srv/support/report.txt', 'bash'],
      ['Get-ItemPropertyValue -Path C:\\Temp -Name LastWriteTime', 'powershell'],
      ['Get-ChildItem C:\\Temp | Sort-Object LastWriteTime | Select-Object Name, LastWriteTime', 'powershell'],
    ],
  },
  'journal and event-log clearing': {
    flagged: [
      ['fsutil usn deletejournal /D C:', 'cmd', 'evasion.usn-journal.delete'],
      ['fsutil.exe USN DeleteJournal /n c:', 'cmd', 'evasion.usn-journal.delete'],
      [
        'Get-WinEvent -ListLog * | ForEach-Object { [Diagnostics.Eventing.Reader.EventLogSession]::GlobalSession.ClearLog($_.LogName) }',
        'powershell',
        'evasion.eventlog.clear',
      ],
      [
        "$s = [System.Diagnostics.Eventing.Reader.EventLogSession]::GlobalSession; $s.ClearLog('Security')",
        'powershell',
        'evasion.eventlog.clear',
      ],
      ['wevtutil sl Security /e:false', 'cmd', 'evasion.eventlog.disable'],
      ['wevtutil sl Security /ms:1024', 'cmd', 'evasion.eventlog.disable'],
      ['& $PSHOME\\RegisterManifest.ps1 -Unregister', 'powershell', 'evasion.eventlog.provider-removed'],
      ['wevtutil um C:\\Windows\\Sysmon.man', 'cmd', 'evasion.eventlog.provider-removed'],
    ],
    allowed: [
      ['& $PSHOME\\RegisterManifest.ps1', 'powershell'],
      ['wevtutil im C:\\Vendor\\app.man', 'cmd'],
      ['fsutil usn queryjournal C:', 'cmd'],
      ['wevtutil sl Application /ms:104857600', 'cmd'],
      ['wevtutil sl Security /ms:4194304 /rt:false', 'cmd'],
      ['Get-WinEvent -ListLog * | Where-Object RecordCount -gt 0', 'powershell'],
    ],
  },
  'security services through a pipeline, kill or package removal': {
    flagged: [
      ['Get-Service WinDefend | Stop-Service -Force', 'powershell', 'evasion.security-service.stop'],
      ['gsv Sysmon64 | Set-Service -StartupType Disabled', 'powershell', 'evasion.security-service.stop'],
      ['Get-Process MsMpEng | Stop-Process -Force', 'powershell', 'evasion.security-service.stop'],
      ['kill -9 $(pgrep -f osqueryd)', 'bash', 'evasion.security-service.stop'],
      ['kill `pidof auditd`', 'bash', 'evasion.security-service.stop'],
      // The same lookups a `kill $pids` variable is read through: ps piped to grep and awk.
      ["kill -9 $(ps aux | grep -i falcon-sensor | awk '{print $2}')", 'bash', 'evasion.security-service.stop'],
      ["kill $(ps -ax | grep SophosScanD | grep -v grep | awk '{print $1}')", 'zsh', 'evasion.security-service.stop', 'macos'],
      ['pkill falcon', 'bash', 'evasion.security-service.stop'],
      ['yum remove -y falcon-sensor', 'bash', 'evasion.security-service.uninstall'],
      ['sudo apt purge -y crowdstrike-falcon-sensor', 'bash', 'evasion.security-service.uninstall'],
      ['dpkg -r sentinelagent', 'bash', 'evasion.security-service.uninstall'],
      ['systemctl disable --now wazuh-agent', 'bash', 'evasion.security-service.stop'],
      ['sudo launchctl bootout system /Library/LaunchDaemons/com.sentinelone.sentineld.plist', 'zsh', 'evasion.security-service.stop'],
    ],
    allowed: [
      ['Get-Service WinDefend | Select-Object Status', 'powershell'],
      ['Get-Service Spooler | Stop-Service -Force', 'powershell'],
      ['Get-Service WinDefend | Start-Service', 'powershell'],
      ['kill -9 $(pgrep -f myapp)', 'bash'],
      ["kill $(ps aux | grep -i nginx | awk '{print $2}')", 'bash'],
      ["kill -HUP $(ps aux | grep -i auditd | awk '{print $2}')", 'bash'],
      ['sudo apt remove htop', 'bash'],
      ['yum install -y falcon-sensor', 'bash'],
      ['systemctl status auditd', 'bash'],
    ],
  },
  'macOS quarantine, firewall and Time Machine': {
    flagged: [
      ['xattr -d com.apple.quarantine /tmp/U.app', 'bash', 'evasion.quarantine.remove', 'macos'],
      ['xattr -cr /Applications/Tool.app', 'zsh', 'evasion.quarantine.remove', 'macos'],
      ['sudo xattr -rd com.apple.quarantine ~/Downloads/x', 'zsh', 'evasion.quarantine.remove', 'macos'],
      ['defaults write com.apple.LaunchServices LSQuarantine -bool NO', 'bash', 'evasion.quarantine.disable', 'macos'],
      ['sudo defaults write /Library/Preferences/com.apple.alf globalstate -int 0', 'bash', 'evasion.firewall.disable', 'macos'],
      ['spctl --master-disable', 'bash', 'evasion.security-control.disable', 'macos'],
    ],
    blocked: [
      ['tmutil disable', 'bash', 'evasion.backups.timemachine', 'macos'],
      ['sudo tmutil deletelocalsnapshots /', 'bash', 'evasion.backups.timemachine', 'macos'],
      ['sudo /usr/bin/tmutil delete /Volumes/Backup/Backups.backupdb/mac/2024-01-01-000000', 'zsh', 'evasion.backups.timemachine', 'macos'],
    ],
    allowed: [
      ['xattr -l ~/Downloads/report.pdf', 'bash', 'macos'],
      ['xattr -d com.apple.quarantine report.txt', 'bash', 'macos'],
      ['xattr -c report.txt', 'bash', 'macos'],
      ['defaults write com.apple.LaunchServices LSQuarantine -bool YES', 'bash', 'macos'],
      ['defaults write com.apple.Dock autohide -bool false', 'bash', 'macos'],
      ['tmutil listbackups', 'bash', 'macos'],
      ['sudo tmutil startbackup --auto', 'bash', 'macos'],
    ],
  },
  'Windows boot signing, legacy firewall, PowerShell 2': {
    flagged: [
      ['bcdedit /set testsigning on', 'cmd', 'evasion.driver-signing'],
      ['bcdedit.exe /set {current} nointegritychecks on', 'cmd', 'evasion.driver-signing'],
      ['netsh firewall set opmode disable', 'cmd', 'evasion.firewall.disable'],
      ['netsh firewall set opmode mode=disable', 'cmd', 'evasion.firewall.disable'],
      ['powershell -version 2 -nop -c Get-Date', 'cmd', 'evasion.powershell-downgrade'],
      ['powershell.exe -v 2.0 -Command whoami', 'cmd', 'evasion.powershell-downgrade'],
      ['PowerShell -Ver 2 -File x.ps1', 'powershell', 'evasion.powershell-downgrade'],
    ],
    allowed: [
      ['bcdedit /set testsigning off', 'cmd'],
      ['bcdedit /enum', 'cmd'],
      ['netsh firewall show opmode', 'cmd'],
      ['powershell -version 5.1 -c Get-Date', 'cmd'],
      ['$PSVersionTable.PSVersion', 'powershell'],
    ],
  },
  'Defender preferences and log clean-up that restore or retain': {
    flagged: [
      ['Set-MpPreference -DisableRealtimeMonitoring $true', 'powershell', 'evasion.defender.disable'],
      ['Set-MpPreference -DisableRealtimeMonitoring:1', 'powershell', 'evasion.defender.disable'],
      ['Set-MpPreference -DisableIOAVProtection $false -DisableBehaviorMonitoring "true"', 'powershell', 'evasion.defender.disable'],
      ['Set-MpPreference -MAPSReporting 0', 'powershell', 'evasion.defender.disable'],
      ['find /var/log -type f -delete', 'bash', 'evasion.logs.delete'],
    ],
    allowed: [
      ['Set-MpPreference -DisableRealtimeMonitoring $false', 'powershell'],
      ['Set-MpPreference -DisableRealtimeMonitoring:$false -drtm 0', 'powershell'],
      ['Set-MpPreference -MAPSReporting Advanced -SubmitSamplesConsent SendSafeSamples', 'powershell'],
      ['Set-MpPreference -PUAProtection Enabled', 'powershell'],
      ["find /var/log -name '*.gz' -mtime +30 -exec rm {} \\;", 'bash'],
      ["find /var/log -name '*.old' -mtime +7 -delete", 'bash'],
    ],
  },
};

describe('defence evasion: red-team gaps', () => {
  for (const [technique, { flagged = [], blocked = [], allowed }] of Object.entries(techniques)) {
    describe(technique, () => {
      for (const [text, shell, ruleId, platform] of flagged) {
        it(`flags ${text}`, () => {
          const f = run(defenseEvasionRules, text, shell, platform);
          expect(verdict(f), text).toBe('flag');
          expect(ruleIds(f)).toContain(ruleId);
          expect(spansValid(f, text)).toBe(true);
        });
      }
      for (const [text, shell, ruleId, platform] of blocked) {
        it(`blocks ${text}`, () => {
          const f = run(defenseEvasionRules, text, shell, platform);
          expect(verdict(f), text).toBe('block');
          expect(ruleIds(f)).toContain(ruleId);
          expect(spansValid(f, text)).toBe(true);
        });
      }
      for (const [text, shell, platform] of allowed) {
        it(`allows ${text}`, () => {
          expect(ruleIds(run(defenseEvasionRules, text, shell, platform)), text).toEqual([]);
        });
      }
    });
  }
});

describe('defence evasion: POSIX masquerading', () => {
  it.each([['cp /bin/bash /tmp/.sshd && /tmp/.sshd -p'], ['cp /usr/bin/python3 /dev/shm/kworker'], ['sudo mv /bin/sh /var/tmp/crond']])(
    'blocks %s',
    (text) => {
      const f = run(defenseEvasionRules, text, 'bash');
      expect(verdict(f)).toBe('block');
      expect(ruleIds(f)).toContain('evasion.masquerade');
    },
  );
  it.each([
    ['cp /bin/bash /tmp/bash'],
    ['cp /usr/bin/python3 ./venv/bin/python3'],
    ['cp /bin/ls /tmp/.x/'],
    ['cp ~/.bashrc ~/.bashrc.bak'],
  ])('allows %s', (text) => {
    expect(ruleIds(run(defenseEvasionRules, text, 'bash'))).toEqual([]);
  });
});
