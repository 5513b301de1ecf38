/**
 * Places where writing something makes it run again later (ATT&CK TA0003 "Persistence"):
 * Windows autostart registry locations (after Sysinternals Autoruns and the ATT&CK T1547/T1546
 * sub-techniques) and POSIX/macOS files and directories. Lower case substrings; registry keys are
 * written without hive so that `HKLM\…`, `HKLM:\…`, `HKEY_LOCAL_MACHINE\…` and `Registry::…` all match.
 */

export interface AutostartLocation {
  /** Lower-case substring of the key path (or value name) that identifies the location. */
  needle: string;
  /** What running from there means, completing "writes …". */
  what: string;
  /**
   * Registry only: the key's values that run code (lower case). Writing another value there, or creating the key
   * (it always exists), is configuration: `Winlogon /v AutoLogonCount` is not `Winlogon /v Shell`.
   */
  codeValues?: readonly string[];
  /** Registry only: whether setting a value (name and data, lower case) makes the location run code; absent: any write does. */
  runsCode?: (name: string, data: string) => boolean;
  /** Lower-case substrings of key paths that contain the needle but are not this location. */
  unless?: readonly string[];
}

/** A registry number as written (`1`, `0x1`, `dword:00000001`, quoted); NaN when it is not one. */
function registryNumber(data: string): number {
  const d = data.replace(/["']/g, '');
  if (d.startsWith('dword:')) return parseInt(d.slice(6), 16);
  if (d.startsWith('0x')) return parseInt(d.slice(2), 16);
  return d === '' ? NaN : Number(d);
}

/** Office add-in keys: LoadBehavior without its "load at startup" bit (0, 1, 8, 9) turns the add-in off; other writes register or load one. */
/** The HKCR key under which apps are registered for toast notifications. */
const NOTIFICATION_APP_IDS = '\\appusermodelid';

function officeAddInLoads(name: string, data: string): boolean {
  if (name !== 'loadbehavior') return true;
  const n = Number(data.replace(/["']/g, ''));
  return !Number.isInteger(n) || (n & 2) !== 0 || n === 16;
}

/**
 * Values of a class key that only describe how Explorer shows it: Windows Property System settings
 * (`System.IsPinnedToNameSpaceTree`, which pins or unpins OneDrive in the navigation pane) and display
 * strings and flags. Every other value, the default one above all, can name code (a command, a DLL, a
 * DelegateExecute or CodeBase).
 */
function classValueRunsCode(name: string): boolean {
  return !(name.startsWith('system.') || CLASS_DISPLAY_VALUES.has(name));
}
const CLASS_DISPLAY_VALUES: ReadonlySet<string> = new Set(['infotip', 'friendlytypename', 'editflags', 'sortorderindex', 'nodisplay']);

export const AUTOSTART_REGISTRY: readonly AutostartLocation[] = [
  { needle: '\\currentversion\\run', what: 'a Run/RunOnce autostart entry' },
  { needle: '\\currentversion\\policies\\explorer\\run', what: 'a policy Run autostart entry' },
  { needle: '\\winlogon\\notify', what: 'a Winlogon notification package loaded at every logon' },
  {
    needle: '\\winlogon',
    what: 'a Winlogon value (Shell, Userinit, Taskman …) run at every logon',
    codeValues: ['shell', 'userinit', 'taskman', 'appsetup', 'ginadll', 'vmapplet', 'system'],
  },
  {
    needle: '\\image file execution options',
    what: 'an Image File Execution Options entry (debugger hijack)',
    // Debugger replaces the program; GlobalFlag turns on SilentProcessExit monitoring; VerifierDlls loads DLLs into it.
    // Other values (AuditLevel, MitigationOptions, PerfOptions) configure how the program runs.
    codeValues: ['debugger', 'globalflag', 'verifierdlls'],
  },
  { needle: '\\silentprocessexit', what: 'a SilentProcessExit monitor that runs a program' },
  { needle: 'appinit_dlls', what: 'an AppInit_DLLs entry loaded into every process' },
  { needle: 'appcertdlls', what: 'an AppCertDlls entry loaded into every new process' },
  { needle: '\\command processor', what: 'a cmd.exe AutoRun command' },
  { needle: 'userinitmprlogonscript', what: 'a logon script' },
  // Password filters are listed in their own value of the Lsa key.
  {
    needle: 'notification packages',
    what: 'a password filter DLL (LSA notification package) that receives every new password in clear text',
  },
  // The Lsa key's package lists only: its other values (LmCompatibilityLevel, RunAsPPL …) are settings.
  { needle: 'authentication packages', what: 'an LSA authentication package loaded into lsass' },
  { needle: 'security packages', what: 'an LSA security package (SSP) loaded into lsass' },
  { needle: '\\print\\monitors', what: 'a print monitor DLL loaded by the spooler' },
  { needle: '\\print\\providers', what: 'a print provider DLL loaded by the spooler' },
  // A provider's other values (SpecialPollInterval, Enabled of the built-in NtpClient …) are time settings.
  { needle: '\\timeproviders', what: 'a time provider DLL loaded by the time service', runsCode: (name) => name === 'dllname' },
  { needle: '\\microsoft\\netsh', what: 'a netsh helper DLL' },
  { needle: '\\shell\\open\\command', what: 'a file-type/protocol open command hijack' },
  { needle: '\\inprocserver32', what: 'a COM server registration (COM hijack)' },
  { needle: '\\localserver32', what: 'a COM server registration (COM hijack)' },
  { needle: '\\treatas', what: 'a COM TreatAs redirection' },
  { needle: '\\active setup\\installed components', what: 'an Active Setup StubPath run at logon' },
  { needle: 'shell folders', what: 'a redirected Startup folder' },
  { needle: '\\accessibility\\ats', what: 'an assistive-technology registration started at the logon screen' },
  // Session Manager values and subkeys that run or load code at boot (its Power, Memory Management … settings do not).
  { needle: 'bootexecute', what: 'a Session Manager value (BootExecute) run at boot' },
  { needle: 'setupexecute', what: 'a Session Manager value (SetupExecute) run at boot' },
  { needle: 's0initialcommand', what: 'a Session Manager value (S0InitialCommand) run at boot' },
  { needle: '\\session manager\\knowndlls', what: 'a KnownDLLs entry (a DLL every process loads)' },
  { needle: '\\session manager\\appcertdlls', what: 'an AppCertDlls entry (a DLL loaded into every process that creates one)' },
  { needle: '\\wds\\rdpwd', what: 'an RDP StartupPrograms entry' },
  { needle: 'bootverificationprogram', what: 'a boot verification program' },
  // Only the DLL values load code: `ClxDllPath`, and an add-in's `Name` under `Default\AddIns\<x>` (not printer or drive settings).
  { needle: '\\terminal server client', what: 'an RDP client add-in DLL', codeValues: ['clxdllpath', 'name'] },
  { needle: '\\terminal server\\addins', what: 'an RDP virtual channel add-in DLL' },
  { needle: '\\windows error reporting\\hangs', what: 'a WER hang debugger' },
  { needle: 'startup-path', what: 'an Office startup folder' },
  { needle: '\\office test\\special\\perf', what: 'an "Office Test" DLL loaded by Office' },
  { needle: 'scrnsave.exe', what: 'a screensaver executable' },
  { needle: '\\appcompatflags\\custom', what: 'an application shim database' },
  { needle: '\\appcompatflags\\installedsdb', what: 'an application shim database' },
  { needle: '\\winsock2\\parameters', what: 'a Winsock AutodialDLL' },
  { needle: 'lsadbextpt', what: 'an NTDS LSA extension DLL' },
  { needle: '\\services\\', what: 'a service definition' },
  { needle: '\\explorer\\shellserviceobjectdelayload', what: 'a shell service object' },
  { needle: '\\shellserviceobjects', what: 'a shell service object' },
  { needle: '\\browser helper objects', what: 'a browser helper object' },
  { needle: '\\windows nt\\currentversion\\windows', what: 'a Windows Load/Run value' },
  { needle: '\\group policy\\scripts', what: 'a Group Policy logon/startup script' },
  { needle: '\\gpextensions', what: 'a Group Policy client-side extension DLL' },
  { needle: '\\environment', what: 'an environment variable read by every new process' },
  { needle: 'fdenytsconnections', what: 'a change that enables Remote Desktop connections' },
  { needle: '\\winstations\\rdp-tcp', what: 'a Remote Desktop listener setting' },
  { needle: '\\networkprovider\\order', what: 'a network provider DLL that receives logon passwords' },
  // T1112/T1547: SafeBoot\Minimal|Network\<name> keeps a service (or driver) running in Safe Mode, where
  // security software does not start; SafeBoot\AlternateShell replaces the Safe Mode shell.
  { needle: '\\control\\safeboot', what: 'a Safe Mode entry (a service kept running in Safe Mode, or the Safe Mode shell)' },
  // Event Viewer's "Event Log Online Help" link starts this program or URL when a technician clicks it.
  { needle: 'microsoftredirectionprogram', what: 'an Event Viewer redirection program (started from the event log help link)' },
  { needle: 'microsoftredirectionurl', what: 'an Event Viewer redirection URL (opened from the event log help link)' },
  // T1137.004: an Outlook folder home page or Outlook Today page runs script every time the folder opens.
  { needle: '\\outlook\\webview', what: 'an Outlook folder home page (T1137.004, runs script when the folder opens)' },
  { needle: '\\outlook\\today', what: 'an Outlook Today home page (T1137.004, runs script when Outlook opens)' },
  // T1137.006: Office add-ins loaded at every start of the application.
  { needle: '\\word\\addins', what: 'an Office add-in loaded at every Word start', runsCode: officeAddInLoads },
  { needle: '\\excel\\addins', what: 'an Office add-in loaded at every Excel start', runsCode: officeAddInLoads },
  { needle: '\\outlook\\addins', what: 'an Office add-in loaded at every Outlook start', runsCode: officeAddInLoads },
  { needle: '\\powerpoint\\addins', what: 'an Office add-in loaded at every PowerPoint start', runsCode: officeAddInLoads },
  // Remote Assistance: a standing way for another user to view or take over the desktop.
  { needle: 'fallowtogethelp', what: 'a change that allows Remote Assistance connections' },
  { needle: 'fallowunsolicited', what: 'a change that allows unsolicited Remote Assistance offers' },
  { needle: '\\print processors', what: 'a print processor DLL loaded by the spooler' },
  { needle: '\\credential providers', what: 'a credential provider DLL loaded by the logon screen' },
  { needle: '\\shellexecutehooks', what: 'a shell execute hook loaded by Explorer' },
  { needle: '\\sharedtaskscheduler', what: 'a shared task scheduler object loaded by Explorer' },
  { needle: '\\shell extensions\\approved', what: 'an approved shell extension loaded by Explorer' },
  { needle: '\\shelliconoverlayidentifiers', what: 'an icon overlay handler loaded by Explorer' },
  { needle: '\\currentversion\\drivers32', what: 'a codec driver DLL loaded by media programs' },
  { needle: '\\currentversion\\app paths', what: 'an App Paths entry (which program a bare name starts)' },
  { needle: '\\aedebug', what: 'an AeDebug post-mortem debugger run when any program crashes' },
  { needle: 'dbgmanageddebugger', what: 'a .NET debugger run when any managed program crashes' },
  { needle: 'runtimeexceptionhelpermodules', what: 'a WER runtime exception module loaded into crashing processes' },
  { needle: 'cor_profiler', what: 'a .NET profiler DLL loaded into every .NET program (T1574.012)' },
  // Office macros (T1137): trusting the VBA object model lets a script write macros into Normal.dotm / PERSONAL.XLSB;
  // Outlook's security Level 1 runs the macros of VbaProject.OTM at every start.
  {
    needle: 'accessvbom',
    what: 'trust of the Office VBA project object model (AccessVBOM), which lets scripts write macros into templates',
  },
  {
    needle: '\\outlook\\security',
    what: "Outlook's macro security level (lets the macros of VbaProject.OTM run at every Outlook start)",
    // Level 1 runs every macro; 2–4 prompt or refuse. The key's other values (MarkInternalAsUnsafe, …) are other settings.
    codeValues: ['level'],
    runsCode: (_name, data) => registryNumber(data) === 1 || Number.isNaN(registryNumber(data)),
  },
  // `Classes\Local Settings\…` is a per-user store of settings (app model, MUI cache), not a class; `AppUserModelId\<id>`
  // names an app for toast notifications (display name, icon).
  {
    needle: '\\classes\\',
    what: 'a file-class handler',
    unless: ['\\classes\\local settings\\', NOTIFICATION_APP_IDS],
    runsCode: classValueRunsCode,
  },
  { needle: 'hkey_classes_root\\', what: 'a file-class handler', unless: [NOTIFICATION_APP_IDS], runsCode: classValueRunsCode },
  { needle: 'hkcr\\', what: 'a file-class handler', unless: [NOTIFICATION_APP_IDS], runsCode: classValueRunsCode },
  { needle: 'hkcr:\\', what: 'a file-class handler', unless: [NOTIFICATION_APP_IDS], runsCode: classValueRunsCode },
];

/** What a modprobe configuration file is (an `install` line there runs a command whenever the module loads). */
export const MODPROBE_RULE = 'a modprobe rule (an install line runs a command whenever the module loads)';
export const PAM_MODULE_LINE = 'a PAM module line (pam_exec.so and other modules run code at every login)';
export const BOOT_MODULE_LIST = 'the list of kernel modules loaded at every boot';
export const PACKAGE_MANAGER_HOOK = 'a package-manager configuration (an Invoke hook there runs a command as root at every update)';

/**
 * Kernel modules that ship with Linux and that host set-up scripts load at boot (containers and Kubernetes,
 * bridges and VLANs, IPVS, storage and virtualisation, sensors). Underscore spelling (modprobe treats `-` as `_`).
 * Naming one of these in modules-load.d loads the distribution's own code; a module of the script's own is not here.
 */
export const STOCK_KERNEL_MODULES: ReadonlySet<string> = new Set([
  'overlay',
  'br_netfilter',
  'bridge',
  'veth',
  'vxlan',
  'geneve',
  'tun',
  'macvlan',
  'ipvlan',
  'dummy',
  '8021q',
  'bonding',
  'ip_vs',
  'ip_vs_rr',
  'ip_vs_wrr',
  'ip_vs_sh',
  'ip_vs_lc',
  'nf_conntrack',
  'nf_conntrack_ipv4',
  'nf_conntrack_ipv6',
  'nf_nat',
  'ip_tables',
  'ip6_tables',
  'iptable_nat',
  'iptable_filter',
  'iptable_mangle',
  'iptable_raw',
  'ip6table_filter',
  'ip6table_nat',
  'xt_conntrack',
  'xt_nat',
  'xt_set',
  'xt_mark',
  'xt_comment',
  'xt_multiport',
  'ip_set',
  'nf_tables',
  'nft_chain_nat',
  'tcp_bbr',
  'sch_fq',
  'sch_cake',
  'wireguard',
  'loop',
  'fuse',
  'dm_mod',
  'dm_crypt',
  'dm_multipath',
  'dm_thin_pool',
  'dm_snapshot',
  'dm_mirror',
  'raid1',
  'raid456',
  'md_mod',
  'nvme_tcp',
  'nvme_fabrics',
  'iscsi_tcp',
  'libiscsi',
  'rbd',
  'ceph',
  'nfs',
  'nfsd',
  'nfs_common',
  'sunrpc',
  'kvm',
  'kvm_intel',
  'kvm_amd',
  'vhost_net',
  'vhost_vsock',
  'vfio',
  'vfio_pci',
  'vfio_iommu_type1',
  'vfio_virqfd',
  'virtio_net',
  'virtio_blk',
  'virtio_scsi',
  'virtio_balloon',
  'hv_vmbus',
  'hv_utils',
  'vmw_vmci',
  'vmw_balloon',
  'i2c_dev',
  'ipmi_devintf',
  'ipmi_si',
  'msr',
  'cpuid',
  'coretemp',
  'k10temp',
  'drivetemp',
  'nct6775',
  'lp',
  'ppdev',
  'parport_pc',
  'snd_aloop',
  'uinput',
  'zram',
]);

/** POSIX/macOS locations: writing (creating, appending, copying into) any of these is persistence. */
export const AUTOSTART_PATHS: readonly AutostartLocation[] = [
  { needle: '/etc/cron', what: 'a cron job' },
  { needle: '/var/spool/cron', what: 'a cron table' },
  { needle: '/etc/anacrontab', what: 'an anacron job' },
  { needle: '/var/at/', what: 'an at job' },
  { needle: '/etc/systemd/', what: 'a systemd unit' },
  { needle: '/lib/systemd/system', what: 'a systemd unit' },
  { needle: '/usr/lib/systemd/', what: 'a systemd unit' },
  { needle: '.config/systemd/', what: 'a user systemd unit' },
  { needle: '/run/systemd/system', what: 'a systemd unit' },
  { needle: '/etc/init.d/', what: 'a SysV init script' },
  { needle: '/etc/rc.local', what: 'a boot script' },
  { needle: '/etc/rc.common', what: 'a boot script' },
  { needle: '/etc/rc.d/', what: 'a boot script' },
  { needle: '/usr/local/etc/rc.d/', what: 'a boot script' },
  { needle: '/etc/inittab', what: 'an init entry' },
  { needle: '/etc/profile', what: 'a login-shell profile' },
  { needle: '/etc/bash.bashrc', what: 'a shell start-up file' },
  { needle: '/etc/bashrc', what: 'a shell start-up file' },
  { needle: '/etc/zshrc', what: 'a shell start-up file' },
  { needle: '/etc/zsh/', what: 'a shell start-up file' },
  { needle: '/etc/zprofile', what: 'a shell start-up file' },
  { needle: '/etc/environment', what: 'the system environment' },
  { needle: '/etc/ld.so.preload', what: 'a library preloaded into every program' },
  { needle: '/etc/sudoers', what: 'a sudo rule' },
  // systemd-sysusers creates the accounts listed here at every boot (and when a package runs it).
  { needle: '/etc/sysusers.d/', what: 'a systemd-sysusers account definition' },
  { needle: '/etc/pam.d/', what: PAM_MODULE_LINE },
  { needle: '/etc/pam.conf', what: PAM_MODULE_LINE },
  { needle: '/etc/passwd', what: 'an account entry' },
  { needle: '/etc/udev/rules.d', what: 'a udev rule that runs programs' },
  { needle: '/lib/udev/rules.d', what: 'a udev rule that runs programs' },
  // macOS periodic(8): scripts run daily, weekly and monthly as root (daily.local and the like are read by it).
  { needle: '/etc/periodic/', what: 'a periodic (daily/weekly/monthly) job' },
  { needle: '/etc/daily.local', what: 'a periodic (daily) job' },
  { needle: '/etc/weekly.local', what: 'a periodic (weekly) job' },
  { needle: '/etc/monthly.local', what: 'a periodic (monthly) job' },
  { needle: 'periodic.conf', what: 'the periodic(8) configuration (which scripts run daily, weekly and monthly)' },
  // Kernel modules (T1547.006): loaded at every boot by name, or an `install` line runs a command when one loads.
  { needle: '/modules-load.d/', what: BOOT_MODULE_LIST },
  { needle: '/etc/modules', what: BOOT_MODULE_LIST },
  { needle: '/etc/sysconfig/modules/', what: 'a boot-time kernel-module script' },
  { needle: '/modprobe.d/', what: MODPROBE_RULE },
  // Package managers (T1546.016): APT's Pre-/Post-Invoke and DPkg hooks, yum's and dnf's plugins, run as root.
  { needle: '/etc/apt/apt.conf.d/', what: PACKAGE_MANAGER_HOOK },
  { needle: '/etc/apt/apt.conf', what: PACKAGE_MANAGER_HOOK },
  { needle: '/usr/lib/yum-plugins/', what: 'a yum plugin (run as root by every yum command)' },
  { needle: '/dnf-plugins/', what: 'a dnf plugin (run as root by every dnf command)' },
  { needle: '/etc/modprobe.conf', what: MODPROBE_RULE },
  { needle: '/lib/modules/', what: 'a kernel module installed where modprobe loads it from' },
  { needle: '/etc/update-motd.d', what: 'a login message script' },
  { needle: '/etc/xdg/autostart', what: 'a desktop autostart entry' },
  { needle: '.config/autostart', what: 'a desktop autostart entry' },
  { needle: '/etc/periodic', what: 'a periodic job' },
  { needle: '/etc/emond.d', what: 'an emond rule' },
  { needle: '/var/db/emondclients', what: 'an emond trigger' },
  { needle: '/library/launchagents', what: 'a launchd agent' },
  { needle: '/library/launchdaemons', what: 'a launchd daemon' },
  { needle: '/library/startupitems', what: 'a macOS StartupItem' },
  { needle: 'com.apple.loginwindow', what: 'a login hook' },
  { needle: '/library/scripting additions', what: 'a scripting addition' },
  { needle: '.ssh/authorized_keys', what: 'an SSH authorized key (a standing way in)' },
  // ESXi keeps each account's keys in /etc/ssh/keys-<user>/authorized_keys (root: keys-root).
  { needle: '/etc/ssh/keys-', what: 'an ESXi SSH authorized key (a standing way in)' },
  { needle: '.ssh/rc', what: 'an SSH login script' },
  { needle: '.git/hooks/', what: 'a git hook (run by every commit, checkout or merge in that repository)' },
  { needle: '.git\\hooks\\', what: 'a git hook (run by every commit, checkout or merge in that repository)' },
  { needle: 'windowsterminal_8wekyb3d8bbwe\\localstate\\settings.json', what: 'the Windows Terminal settings (a start-up command)' },
  { needle: 'windowsterminal_8wekyb3d8bbwe/localstate/settings.json', what: 'the Windows Terminal settings (a start-up command)' },
  { needle: 'sitecustomize.py', what: 'a Python start-up hook' },
  { needle: 'usercustomize.py', what: 'a Python start-up hook' },
  { needle: '\\start menu\\programs\\startup', what: 'a Startup-folder item' },
  { needle: '/start menu/programs/startup', what: 'a Startup-folder item' },
  { needle: '\\windows\\setup\\scripts', what: 'a Windows setup script' },
  { needle: '\\apppatch\\custom', what: 'an application shim database' },
  // Office start-up macros (T1137, T1137.001): matched on the '/' spelling, which every path is also tried in.
  { needle: '/microsoft/outlook/vbaproject.otm', what: 'the Outlook VBA project, whose macros run in every Outlook session' },
  { needle: '/microsoft/templates/normal.dotm', what: 'the Word Normal template, whose macros run at every Word start' },
  { needle: '/microsoft/word/startup/', what: 'the Word start-up folder, whose templates load at every Word start' },
  { needle: '/microsoft/excel/xlstart/', what: 'the Excel XLSTART folder, whose workbooks open at every Excel start' },
  // Group Policy files in SYSVOL (T1484.001): what is written there runs on every computer the policy applies to.
  { needle: '/preferences/scheduledtasks/', what: 'a Group Policy scheduled task (run by every computer the policy applies to)' },
  { needle: '/machine/scripts/', what: 'a Group Policy startup or shutdown script (run by every computer the policy applies to)' },
  { needle: '/user/scripts/', what: 'a Group Policy logon or logoff script (run for every user the policy applies to)' },
];

/**
 * Group Policy files known by their fixed names (matched on the file name, as the policy folder is often computed:
 * `"$path\ScheduledTasks.xml"`): every computer or user the policy applies to runs what they list.
 */
export const GROUP_POLICY_FILES: ReadonlyMap<string, string> = new Map([
  ['scheduledtasks.xml', 'a Group Policy scheduled task list (run by every computer the policy applies to)'],
  ['scripts.ini', 'a Group Policy script list (run by every computer or user the policy applies to)'],
  ['psscripts.ini', 'a Group Policy PowerShell script list (run by every computer or user the policy applies to)'],
]);

/** Shell start-up files in a home directory (matched on the file name). */
export const SHELL_PROFILE_FILES: ReadonlySet<string> = new Set([
  '.bashrc',
  '.bash_profile',
  '.bash_login',
  '.bash_logout',
  '.bash_aliases',
  '.profile',
  '.zshrc',
  '.zprofile',
  '.zshenv',
  '.zlogin',
  '.zlogout',
  '.shrc',
  '.kshrc',
  '.mkshrc',
  '.cshrc',
  '.tcshrc',
  '.login',
  '.logout',
  'config.fish',
  '.xprofile',
  '.xinitrc',
  '.xsession',
  'microsoft.powershell_profile.ps1',
  'profile.ps1',
  'microsoft.powershellise_profile.ps1',
  'microsoft.vscode_profile.ps1',
]);

/** Unit and job file suffixes whose creation anywhere is persistence-shaped. */
export const UNIT_FILE_SUFFIXES: readonly string[] = ['.service', '.timer', '.socket', '.path'];

/** Windows accessibility binaries replaced or debugger-hijacked for a logon-screen backdoor. */
export const ACCESSIBILITY_BINARIES: ReadonlySet<string> = new Set([
  'sethc.exe',
  'utilman.exe',
  'osk.exe',
  'magnify.exe',
  'narrator.exe',
  'displayswitch.exe',
  'atbroker.exe',
]);
