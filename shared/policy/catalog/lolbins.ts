/**
 * Signed system binaries that can be made to fetch or run someone else's code ("LOLBins"),
 * after the public LOLBAS project (https://lolbas-project.github.io) and GTFOBins. Each entry
 * lists the argument shapes that make a use abuse-shaped; ordinary uses (certutil -hashfile,
 * regsvr32 of a local DLL, msiexec of a local MSI) match none of them and stay allowed.
 *
 * All conditions of one abuse must hold. Strings are lower case; option keys are written
 * without their dash (`urlcache` matches `-urlcache`, `/urlcache`, `–urlcache`, `/urlcache:x`).
 */
export interface LolbinAbuse {
  /** Stable rule id, e.g. `proxy.certutil.download`. */
  ruleId: string;
  /** At least one of these options is present. */
  options?: readonly string[];
  /** Some argument is a URL or UNC path. */
  remote?: boolean;
  /** Some argument starts with one of these. */
  argPrefixes?: readonly string[];
  /** Some argument contains one of these. */
  argIncludes?: readonly string[];
  /** The binary is given at least one argument (binaries with no common legitimate use). */
  anyArgument?: boolean;
  /**
   * Some argument that is not an option names what to fetch: the cache listing `certutil -urlcache *`
   * and its clean-up `certutil -urlcache * delete` name nothing.
   */
  namesSource?: boolean;
  /** What the use does, completing "<binary> …". */
  what: string;
}

export interface Lolbin {
  /** Program names (lower case, no `.exe`). */
  names: readonly string[];
  abuses: readonly LolbinAbuse[];
  /**
   * Set when a URL or network path is an ordinary argument of the binary (msiexec /i \\deploy\x.msi,
   * cdb's symbol server, winrm -r:http://host:5985). Every other binary listed here given a URL or a
   * network path is treated as proxy execution (the generic `proxy.lolbin.remote` rule).
   */
  remoteIsRoutine?: boolean;
  /**
   * Set when a network path counts only as the module the binary loads (its first argument):
   * `rundll32 \\host\s\x.dll,Entry` loads remote code, while `rundll32 printui.dll,PrintUIEntry /in
   * /n \\printserver\queue` only names a printer. URLs count wherever they stand.
   */
  networkPathOnlyAsModule?: boolean;
  /**
   * Set when the first argument that is not an option is a search string, not a file (`findstr /v
   * "\\\\Microsoft\\\\" tasks.csv`): no rule reads it as a path.
   */
  patternFirst?: boolean;
}

export const LOLBINS: readonly Lolbin[] = [
  {
    names: ['certutil'],
    abuses: [
      {
        ruleId: 'proxy.certutil.download',
        options: ['urlcache', 'verifyctl'],
        namesSource: true,
        what: 'downloads a file through the certificate cache (-urlcache / -verifyctl)',
      },
      { ruleId: 'proxy.certutil.download', remote: true, what: 'fetches content from a URL' },
      {
        ruleId: 'proxy.certutil.decode',
        options: ['decode', 'decodehex'],
        what: 'decodes an encoded payload to disk (-decode), a common way to smuggle executables',
      },
    ],
  },
  {
    names: ['bitsadmin'],
    abuses: [
      { ruleId: 'proxy.bitsadmin.transfer', options: ['transfer', 'addfile', 'download'], what: 'downloads a file with a BITS job' },
      {
        ruleId: 'proxy.bitsadmin.notify',
        options: ['setnotifycmdline'],
        what: 'makes a BITS job run a command when it completes (persistent execution)',
      },
    ],
  },
  {
    names: ['mshta'],
    abuses: [
      {
        ruleId: 'proxy.mshta',
        anyArgument: true,
        what: 'runs an HTML application or inline script (mshta has no place in remote administration)',
      },
    ],
  },
  {
    names: ['regsvr32'],
    abuses: [
      {
        ruleId: 'proxy.regsvr32.scriptlet',
        argIncludes: ['scrobj', '.sct'],
        what: 'runs a COM scriptlet through scrobj.dll ("Squiblydoo")',
      },
      { ruleId: 'proxy.regsvr32.remote', remote: true, what: 'loads code from a URL or network share' },
    ],
  },
  {
    names: ['rundll32'],
    networkPathOnlyAsModule: true,
    abuses: [
      {
        ruleId: 'proxy.rundll32.script',
        argPrefixes: ['javascript:', 'vbscript:', 'about:', '"javascript:', '"vbscript:'],
        what: 'runs inline script through mshtml',
      },
      { ruleId: 'proxy.rundll32.script', argIncludes: ['runhtmlapplication', 'mshtml,#135'], what: 'runs inline script through mshtml' },
      { ruleId: 'proxy.rundll32.remote', remote: true, what: 'loads or opens content from a URL or network share' },
      {
        ruleId: 'proxy.rundll32.export',
        argIncludes: [
          'launchinfsection',
          'registerocx',
          'setupinfobjectinstallaction',
          'installhinfsection',
          'url.dll,openurl',
          'url.dll,fileprotocolhandler',
          'ieframe.dll,openurl',
          'shdocvw.dll,openurl',
          'pcwutl.dll,launchapplication',
          'zipfldr.dll,routethecall',
          'shell32.dll,shellexec_rundll',
          'installscreensaver',
          'shopenverbapplication',
          'dfshim.dll',
          'openurla',
          'pcwrun',
          'mshtml.dll,printhtml',
          'shimgvw.dll,imageview_fullscreen',
        ],
        what: 'calls a DLL export that executes another program, script or INF section',
      },
    ],
  },
  { names: ['msxsl'], abuses: [{ ruleId: 'proxy.msxsl', anyArgument: true, what: 'runs script embedded in an XSL stylesheet' }] },
  {
    names: ['odbcconf'],
    abuses: [
      {
        ruleId: 'proxy.odbcconf',
        argIncludes: ['regsvr', 'installdriver', 'configsysdsn'],
        what: 'loads a DLL through an ODBC configuration action',
      },
      { ruleId: 'proxy.odbcconf', options: ['f'], what: 'runs a response file of ODBC actions (can load arbitrary DLLs)' },
    ],
  },
  {
    names: ['installutil'],
    abuses: [
      {
        ruleId: 'proxy.installutil',
        options: ['u', 'logtoconsole', 'logfile'],
        what: 'runs installer code from an assembly (a known application-control bypass)',
      },
    ],
  },
  {
    names: ['regasm'],
    abuses: [{ ruleId: 'proxy.regasm', options: ['u', 'unregister'], what: "runs code in an assembly's unregistration handler" }],
  },
  {
    names: ['regsvcs'],
    abuses: [{ ruleId: 'proxy.regsvcs', anyArgument: true, what: 'registers a .NET assembly, running code it contains' }],
  },
  {
    names: ['cmstp'],
    abuses: [
      {
        ruleId: 'proxy.cmstp.uac-bypass',
        options: ['au'],
        argIncludes: ['.inf'],
        what: 'installs a connection-manager profile silently for all users (a known UAC bypass that runs INF commands)',
      },
      { ruleId: 'proxy.cmstp.remote', remote: true, what: 'installs a connection-manager profile from a URL' },
    ],
  },
  { names: ['msbuild'], abuses: [] /* needs the project's extension: see proxy-execution.ts */ },
  // `forfiles /p \\server\logs … /c "cmd /c del @path"` is routine clean-up.
  { names: ['forfiles'], abuses: [] /* shape needs the /c command itself: see proxy-execution.ts */, remoteIsRoutine: true },
  {
    names: ['pcalua'],
    abuses: [{ ruleId: 'proxy.pcalua', options: ['a'], what: 'starts a program through the Program Compatibility Assistant' }],
  },
  { names: ['conhost'], abuses: [{ ruleId: 'proxy.conhost', anyArgument: true, what: 'starts a program as a child of the console host' }] },
  {
    names: ['scriptrunner'],
    abuses: [{ ruleId: 'proxy.scriptrunner', options: ['appvscript'], what: 'starts a program through the App-V script runner' }],
  },
  {
    names: ['syncappvpublishingserver'],
    abuses: [{ ruleId: 'proxy.syncappv', anyArgument: true, what: 'injects PowerShell through the App-V publishing script' }],
  },
  {
    names: ['hh'],
    abuses: [{ ruleId: 'proxy.hh.remote', remote: true, what: 'opens a compiled help file from the network (CHM files run script)' }],
  },
  { names: ['control'], abuses: [{ ruleId: 'proxy.control.remote', remote: true, what: 'loads a control-panel item from the network' }] },
  {
    names: ['msiexec'],
    abuses: [{ ruleId: 'proxy.msiexec.dll', options: ['y', 'z'], what: 'registers or unregisters a DLL, running its code (-y / -z)' }],
    remoteIsRoutine: true,
  },
  {
    names: ['mavinject', 'mavinject32', 'mavinject64'],
    abuses: [{ ruleId: 'proxy.mavinject', options: ['injectrunning', 'hmodule'], what: 'injects a DLL into a running process' }],
  },
  {
    names: ['register-cimprovider'],
    abuses: [{ ruleId: 'proxy.register-cimprovider', options: ['path'], what: 'loads a DLL as a CIM provider' }],
  },
  {
    names: ['wuauclt'],
    abuses: [{ ruleId: 'proxy.wuauclt', options: ['updatedeploymentprovider'], what: 'loads a DLL through the Windows Update client' }],
  },
  {
    names: ['ie4uinit'],
    abuses: [{ ruleId: 'proxy.ie4uinit', options: ['basesettings'], what: 'runs commands from an INF file placed next to it' }],
  },
  {
    names: ['customshellhost'],
    abuses: [{ ruleId: 'proxy.customshellhost', anyArgument: false, what: 'starts an explorer.exe found next to it' }],
  },
  {
    names: ['provlaunch'],
    abuses: [{ ruleId: 'proxy.provlaunch', anyArgument: true, what: 'runs commands stored under the provisioning registry key' }],
  },
  { names: ['wlrmdr'], abuses: [{ ruleId: 'proxy.wlrmdr', options: ['u'], what: 'starts a program through the Windows Logon Reminder' }] },
  {
    names: ['microsoft.workflow.compiler'],
    abuses: [{ ruleId: 'proxy.workflow-compiler', anyArgument: true, what: 'compiles and runs code from a workflow file' }],
  },
  {
    names: ['protocolhandler'],
    abuses: [{ ruleId: 'proxy.protocolhandler', argIncludes: ['http:', 'https:'], what: 'makes Office download a file from a URL' }],
  },
  {
    names: ['imewdbld'],
    abuses: [{ ruleId: 'proxy.imewdbld', remote: true, what: 'downloads a file through the IME dictionary builder' }],
  },
  {
    names: ['printbrm'],
    abuses: [{ ruleId: 'proxy.printbrm', remote: true, what: 'copies files from a network share through the printer migration tool' }],
  },
  { names: ['replace'], abuses: [{ ruleId: 'proxy.replace.remote', remote: true, what: 'copies a file from a network share' }] },
  {
    names: ['certreq'],
    abuses: [{ ruleId: 'proxy.certreq.post', options: ['post'], what: 'sends a file to, or fetches one from, a URL (-Post)' }],
  },
  {
    names: ['gup'],
    abuses: [{ ruleId: 'proxy.gup', options: ['unzipto'], what: 'downloads and unpacks an archive through the Notepad++ updater' }],
  },
  {
    names: ['sqlcmd'],
    abuses: [
      { ruleId: 'proxy.sqlcmd.remote', options: ['i'], remote: true, what: 'downloads a file by reading an "input script" from a URL' },
    ],
  },
  {
    names: ['onedrivestandaloneupdater'],
    abuses: [
      { ruleId: 'proxy.onedrive-updater', anyArgument: false, what: 'downloads a file named in the OneDrive update registry value' },
    ],
  },
  {
    names: ['mpcmdrun'],
    abuses: [
      { ruleId: 'proxy.mpcmdrun.download', options: ['downloadfile'], what: 'downloads a file through the Defender command-line tool' },
    ],
    // Signature updates from a share (-SignatureUpdate -UNC / -Path \\server\defs).
    remoteIsRoutine: true,
  },
  {
    names: ['esentutl'],
    abuses: [{ ruleId: 'proxy.esentutl.copy', options: ['y'], remote: true, what: 'copies a file from a network share' }],
  },
  {
    names: ['desktopimgdownldr'],
    abuses: [{ ruleId: 'proxy.desktopimgdownldr', options: ['lockscreenurl'], what: 'downloads a file as a lock-screen image' }],
  },
  {
    names: ['expand', 'extrac32'],
    abuses: [{ ruleId: 'proxy.expand.remote', remote: true, what: 'copies or unpacks a file from a network share' }],
  },
  { names: ['ieexec'], abuses: [{ ruleId: 'proxy.ieexec', remote: true, what: 'downloads and runs a .NET program from a URL' }] },
  {
    names: ['presentationhost'],
    abuses: [{ ruleId: 'proxy.presentationhost', anyArgument: true, what: 'runs a XAML browser application' }],
  },
  {
    names: ['xwizard'],
    abuses: [{ ruleId: 'proxy.xwizard', argIncludes: ['runwizard'], what: 'loads a COM object registered by the caller' }],
  },
  {
    names: ['atbroker'],
    abuses: [{ ruleId: 'proxy.atbroker', options: ['start'], what: 'starts a program registered as an assistive technology' }],
  },
  {
    names: ['cdb', 'ntsd'],
    abuses: [{ ruleId: 'proxy.debugger-script', options: ['cf', 'c'], what: 'runs debugger commands that can execute shellcode' }],
    // Symbol paths name a symbol server URL.
    remoteIsRoutine: true,
  },
  {
    names: ['dnscmd'],
    abuses: [{ ruleId: 'proxy.dnscmd.plugin', options: ['serverlevelplugindll'], what: 'makes the DNS server load a DLL' }],
  },
  {
    names: ['msdt'],
    abuses: [
      {
        ruleId: 'proxy.msdt',
        argIncludes: ['it_browseforfile', 'ms-msdt:', '/../'],
        what: 'runs code through a diagnostics troubleshooter ("Follina")',
      },
      {
        ruleId: 'proxy.msdt',
        options: ['param'],
        what: 'passes parameters to a troubleshooter (/param), the way "Follina" makes it run code',
      },
    ],
  },
  { names: ['appvlp'], abuses: [{ ruleId: 'proxy.appvlp', anyArgument: true, what: 'starts a program through the App-V launcher' }] },
  { names: ['tttracer'], abuses: [{ ruleId: 'proxy.tttracer', anyArgument: true, what: 'starts a program under the time-travel tracer' }] },
  {
    names: ['te'],
    abuses: [{ ruleId: 'proxy.te', argIncludes: ['.wsc', '.dll'], what: 'runs script or a DLL through the TAEF test runner' }],
  },
  { names: ['vsjitdebugger', 'dotnet-trace'], abuses: [] },
  { names: ['wsreset'], abuses: [] },
  {
    names: ['stordiag'],
    abuses: [{ ruleId: 'proxy.stordiag', anyArgument: false, what: 'starts systeminfo/fltmc from its own directory (binary planting)' }],
  },
  { names: ['diskshadow'], abuses: [] /* `delete shadows` is handled by defence evasion */ },
  {
    names: ['infdefaultinstall'],
    abuses: [{ ruleId: 'proxy.infdefaultinstall.remote', remote: true, what: 'runs an INF file from the network' }],
  },
  {
    names: ['wmic'],
    abuses: [] /* shapes need two words (process call create, /format:xsl): see proxy-execution.ts */,
    // `/namespace:\\\\root\\…` names a WMI namespace and `/node:` a managed machine, not a file to fetch.
    remoteIsRoutine: true,
  },
  {
    names: ['cscript', 'wscript'],
    abuses: [
      {
        ruleId: 'proxy.script-host.engine',
        options: ['e'],
        what: 'runs a file with a forced script engine (//E:jscript on a .txt or .log hides a script from extension-based controls)',
      },
    ],
    // Logon scripts run from \\domain\netlogon; a script on a network share is weighed by the network-share rule.
    remoteIsRoutine: true,
  },
  {
    names: ['certoc'],
    abuses: [
      { ruleId: 'proxy.certoc', options: ['loaddll'], what: 'loads a DLL (-LoadDLL)' },
      { ruleId: 'proxy.certoc', options: ['getcacaps'], what: 'downloads a file from a URL (-GetCACAPS)' },
    ],
  },
  {
    // Squirrel installers (Teams, Slack, Discord … Update.exe): `--processStart` runs any program next to it, `--download`/`--update` fetch packages.
    names: ['update', 'squirrel'],
    abuses: [
      {
        ruleId: 'proxy.squirrel',
        options: ['processstart', 'processstartandwait'],
        what: 'starts a program through the Squirrel updater (--processStart)',
      },
      { ruleId: 'proxy.squirrel', options: ['download', 'update', 'updaterollback'], remote: true, what: 'downloads a package from a URL' },
    ],
    remoteIsRoutine: true,
  },
  {
    names: ['msedge', 'msedge_proxy'],
    abuses: [
      {
        ruleId: 'proxy.msedge.download',
        options: ['dump-dom'],
        remote: true,
        what: 'saves a web page through headless Edge (--dump-dom), a download that looks like browsing',
      },
      {
        ruleId: 'proxy.msedge.download',
        options: ['gpu-launcher', 'utility-cmd-prefix', 'renderer-cmd-prefix'],
        what: 'starts a program as a browser helper',
      },
    ],
    remoteIsRoutine: true,
  },
  {
    names: ['winrm'],
    abuses: [
      {
        ruleId: 'proxy.winrm.process-create',
        argPrefixes: ['invoke', 'i'],
        argIncludes: ['win32_process'],
        what: 'starts a process through WMI (invoke Create … Win32_Process), which hides the parent and can target other machines',
      },
    ],
    // `-r:http://host:5985` names the machine to manage.
    remoteIsRoutine: true,
  },
  {
    names: ['cmdl32'],
    abuses: [{ ruleId: 'proxy.cmdl32', options: ['vpn', 'lan'], what: 'downloads a file through the Connection Manager (/vpn /lan)' }],
  },
  {
    names: ['configsecuritypolicy'],
    abuses: [{ ruleId: 'proxy.configsecuritypolicy', remote: true, what: "uploads or downloads a file through Defender's policy tool" }],
  },
  {
    names: ['rasautou'],
    abuses: [{ ruleId: 'proxy.rasautou', options: ['d'], what: 'loads a DLL through the Remote Access dialer (-d)' }],
  },
  {
    names: ['pcwrun'],
    abuses: [{ ruleId: 'proxy.pcwrun', anyArgument: true, what: 'starts a program through the Program Compatibility Wizard' }],
  },
  {
    names: ['jsc'],
    abuses: [
      { ruleId: 'proxy.jsc', anyArgument: true, what: 'compiles JScript.NET code into a program with the compiler shipped in Windows' },
    ],
  },
  {
    names: ['ilasm'],
    abuses: [
      { ruleId: 'proxy.ilasm', options: ['exe', 'dll'], what: 'assembles IL text into a program with the assembler shipped in Windows' },
    ],
  },
  { names: ['tracker'], abuses: [{ ruleId: 'proxy.tracker', options: ['d'], what: 'injects a DLL into the program it starts (/d)' }] },
  {
    names: ['msdeploy'],
    abuses: [{ ruleId: 'proxy.msdeploy', argIncludes: ['runcommand'], what: 'runs a command through Web Deploy (-source:RunCommand)' }],
  },
  // Abuse needs the pipeline (`finger user@host | cmd`): see proxy-execution.ts.
  { names: ['finger'], abuses: [], remoteIsRoutine: true },
  {
    // `findstr /V /L nomatch \\host\s\p.exe > p.exe` copies a file; searching logs on a share is routine.
    names: ['findstr'],
    abuses: [
      {
        ruleId: 'proxy.findstr.download',
        options: ['v'],
        argPrefixes: ['\\\\'],
        what: 'copies a file from a network share (/V with a pattern that never matches)',
      },
    ],
    remoteIsRoutine: true,
    patternFirst: true,
  },
  {
    names: ['print'],
    abuses: [{ ruleId: 'proxy.print.copy', options: ['d'], argPrefixes: ['\\\\'], what: 'copies a file from a network share (print /D)' }],
  },
];

/** Signed Windows scripts that proxy execution when run through cscript/wscript. */
export const PROXY_SCRIPTS: ReadonlyArray<{ script: string; ruleId: string; argIncludes?: string; what: string }> = [
  { script: 'pubprn.vbs', ruleId: 'proxy.pubprn', argIncludes: 'script:', what: 'pubprn.vbs loads a remote COM scriptlet' },
  { script: 'manage-bde.wsf', ruleId: 'proxy.manage-bde', what: 'manage-bde.wsf runs whatever %COMSPEC% points to' },
  { script: 'syncappvpublishingserver.vbs', ruleId: 'proxy.syncappv', what: 'SyncAppvPublishingServer.vbs injects PowerShell' },
  { script: 'winrm.vbs', ruleId: 'proxy.winrm-vbs', argIncludes: '-format:pretty', what: 'winrm.vbs loads a planted XSL stylesheet' },
  { script: 'cl_invocation.ps1', ruleId: 'proxy.cl-invocation', what: 'CL_Invocation.ps1 (SyncInvoke) starts a program' },
  {
    script: 'cl_mutexverifiers.ps1',
    ruleId: 'proxy.cl-mutexverifiers',
    what: 'CL_MutexVerifiers.ps1 (runAfterCancelProcess) starts a program',
  },
  { script: 'pester.bat', ruleId: 'proxy.pester', what: 'Pester.bat runs an arbitrary command' },
];

const index = new Map<string, Lolbin>();
for (const bin of LOLBINS) for (const n of bin.names) index.set(n, bin);

export function lolbinByName(name: string): Lolbin | undefined {
  return index.get(name);
}
