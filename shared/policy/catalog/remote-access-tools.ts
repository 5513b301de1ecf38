/**
 * Third-party remote-access and RMM software (names after the public LOLRMM catalog,
 * https://lolrmm.io, and vendor documentation). Installing or starting any of these on a
 * managed endpoint gives someone a second, unaudited way in, so the `rmm_tool` rules block it.
 *
 * All strings are lower case. `executables` are process names without `.exe`; `tokens` are
 * distinctive substrings of installer file names, install paths, package ids and service names
 * (chosen so that no ordinary word contains them); `services` are Windows service / Linux unit
 * names; `domains` are vendor download and relay domains (a domain matches itself and subdomains).
 */
import { NeedleSet } from '../analysis/needles';

export interface RemoteAccessTool {
  id: string;
  name: string;
  executables: readonly string[];
  tokens: readonly string[];
  services: readonly string[];
  domains: readonly string[];
  /**
   * Combinations of command-line switches that only this tool's executable or installer takes, so
   * a renamed copy is still recognised. Every switch of one combination must be present. A switch
   * ending in `=` matches `key=anything`, `key=value` also matches a comma list holding the value;
   * `<path>` after a switch means its value is a file path.
   */
  switchSets?: readonly (readonly string[])[];
  /**
   * Programs installed with the agent that only read or write its own data (NinjaOne's `ninjarmm-cli get|set` of
   * custom fields), which the vendor's scripts call through the agent already running: they start and install nothing.
   */
  dataClis?: readonly string[];
}

export const REMOTE_ACCESS_TOOLS: readonly RemoteAccessTool[] = [
  {
    id: 'anydesk',
    name: 'AnyDesk',
    executables: ['anydesk'],
    tokens: ['anydesk'],
    services: ['anydesk'],
    domains: ['anydesk.com', 'net.anydesk.com'],
    switchSets: [
      ['--install <path>', '--silent'],
      ['--install <path>', '--start-with-win'],
      ['--start-with-win'],
      ['--install <path>', '--set-password'],
    ],
  },
  {
    id: 'teamviewer',
    name: 'TeamViewer',
    executables: ['teamviewer', 'teamviewer_service', 'tv_w32', 'tv_x64', 'teamviewerqs', 'teamviewerd'],
    tokens: ['teamviewer'],
    services: ['teamviewer'],
    domains: ['teamviewer.com', 'tvcdn.de'],
    switchSets: [['customconfigid=', 'apitoken=']],
  },
  {
    id: 'screenconnect',
    name: 'ConnectWise ScreenConnect (Control)',
    executables: ['screenconnect.clientservice', 'screenconnect.windowsclient', 'connectwisecontrol.client'],
    tokens: ['screenconnect', 'connectwisecontrol', 'connectwise control'],
    services: ['screenconnect client'],
    domains: ['screenconnect.com', 'connectwise.com', 'itsupport247.net'],
  },
  {
    id: 'connectwise-automate',
    name: 'ConnectWise Automate (LabTech)',
    executables: ['ltsvc', 'ltsvcmon', 'lttray', 'labtechagent'],
    tokens: ['labtech', 'ltsvc', 'connectwiseautomate'],
    services: ['ltservice', 'ltsvcmon'],
    domains: ['hostedrmm.com'],
  },
  {
    id: 'meshcentral',
    name: 'MeshCentral / MeshAgent',
    executables: ['meshagent', 'meshagent64', 'meshcentral'],
    tokens: ['meshagent', 'meshcentral'],
    services: ['mesh agent', 'meshagent'],
    domains: ['meshcentral.com'],
  },
  {
    id: 'atera',
    name: 'Atera',
    executables: ['ateraagent', 'atera.agentpackage.common'],
    tokens: ['ateraagent', 'atera agent', 'setup_undefined', 'atera_rmm'],
    services: ['ateraagent'],
    domains: ['atera.com', 'atera-agent-heartbeat.servicebus.windows.net'],
    switchSets: [['integratorlogin=']],
  },
  {
    id: 'tacticalrmm',
    name: 'Tactical RMM',
    executables: ['tacticalrmm', 'tacticalagent', 'tacticalrmm-agent'],
    tokens: ['tacticalrmm', 'tacticalagent', 'tactical rmm'],
    services: ['tacticalrmm', 'tacticalagent'],
    domains: ['tacticalrmm.com', 'tacticalrmm.io'],
  },
  {
    id: 'ultravnc',
    name: 'UltraVNC',
    executables: ['winvnc', 'winvnc4', 'uvnc_service', 'ultravnc'],
    tokens: ['ultravnc', 'uvnc bvba', 'uvnc_', 'winvnc'],
    services: ['uvnc_service'],
    domains: ['uvnc.com', 'ultravnc.com'],
  },
  {
    id: 'tightvnc',
    name: 'TightVNC',
    executables: ['tvnserver', 'tightvnc'],
    tokens: ['tightvnc', 'tvnserver'],
    services: ['tvnserver'],
    domains: ['tightvnc.com'],
  },
  {
    id: 'realvnc',
    name: 'RealVNC / VNC Server',
    executables: [
      'vncserver',
      'vncserver-x11',
      'vncserver-x11-serviced',
      'vncserverui',
      'vncagent',
      'x11vnc',
      'x0vncserver',
      'tigervncserver',
      'tigervnc',
      'vncsession',
      'vino-server',
    ],
    tokens: ['realvnc', 'vnc-server', 'vncserver', 'tigervnc', 'x11vnc'],
    services: ['vncserver', 'vncserver-x11-serviced', 'x11vnc'],
    domains: ['realvnc.com'],
  },
  {
    id: 'guacamole',
    name: 'Apache Guacamole',
    executables: ['guacd'],
    tokens: ['guacamole', 'guacd'],
    services: ['guacd'],
    domains: ['guacamole.apache.org'],
  },
  {
    id: 'netsupport',
    name: 'NetSupport Manager',
    executables: ['client32', 'pcicfgui', 'netsupport'],
    tokens: ['netsupport', 'client32.ini'],
    services: ['client32'],
    domains: ['netsupportsoftware.com', 'netsupportmanager.com'],
  },
  {
    id: 'splashtop',
    name: 'Splashtop',
    executables: ['srserver', 'srmanager', 'srservice', 'strwinclt', 'srfeature', 'splashtop'],
    tokens: ['splashtop'],
    services: ['splashtopremoteservice'],
    domains: ['splashtop.com'],
    switchSets: [['prevercheck', 'dcode=']],
  },
  {
    id: 'rustdesk',
    name: 'RustDesk',
    // hbbs/hbbr: the self-hosted RustDesk ID and relay servers.
    executables: ['rustdesk', 'hbbs', 'hbbr'],
    tokens: ['rustdesk'],
    services: ['rustdesk', 'rustdesksignal', 'rustdeskrelay'],
    domains: ['rustdesk.com'],
  },
  {
    id: 'kaseya',
    name: 'Kaseya VSA',
    executables: ['agentmon', 'kaseyad', 'kusrinit', 'kaseyaremotecontrolhost', 'kcssetup'],
    tokens: ['kaseya', 'kcssetup', 'agentmon.exe'],
    services: ['kaseya agent', 'kaseyaagent'],
    domains: ['kaseya.com', 'kaseya.net'],
    // The VSA agent installer: /e (no shortcut), /g=<machine group>, /c (use the computer name).
    switchSets: [['/e', '/g=', '/c']],
  },
  {
    id: 'n-able',
    name: 'N-able (SolarWinds) N-central / Take Control',
    executables: ['basupsrvc', 'basupsrvcupdater', 'winagent', 'mspagent', 'bascreenrecorder'],
    tokens: ['n-able', 'solarwinds msp', 'takecontrol', 'beanywhere', 'basupsrvc', 'windows agent.exe'],
    services: ['basupportexpressstandaloneservice', 'windows agent service'],
    domains: ['n-able.com', 'beanywhere.com', 'systemmonitor.us', 'system-monitor.com'],
  },
  {
    id: 'ninjaone',
    name: 'NinjaOne (NinjaRMM)',
    executables: ['ninjarmmagent', 'ninjarmmagentpatcher', 'ncstreamer'],
    tokens: ['ninjarmm', 'ninjaone', 'ninjaagent'],
    services: ['ninjarmmagent'],
    domains: ['ninjarmm.com', 'ninjaone.com'],
    dataClis: ['ninjarmm-cli'],
  },
  {
    id: 'logmein',
    name: 'LogMeIn',
    executables: ['logmein', 'logmeinsystray', 'lmiguardiansvc', 'lmi_rescue', 'lmi_rescue_srv', 'logmeinrescue'],
    tokens: ['logmein', 'lmi_rescue', 'lmiguardian'],
    services: ['logmein', 'lmiguardiansvc'],
    domains: ['logmein.com', 'logme.in', 'logmeinrescue.com', 'logmein-gateway.com'],
  },
  {
    id: 'goto',
    name: 'GoTo (GoToAssist / GoToMyPC / GoTo Resolve)',
    executables: ['gotoassist', 'g2ax_comm_customer', 'g2svc', 'g2comm', 'gotomypc', 'goto-resolve-agent', 'gotoresolve'],
    tokens: ['gotoassist', 'gotomypc', 'goto resolve', 'gotoresolve', 'g2ax_'],
    services: ['gotoassist', 'gotomypc'],
    domains: ['getgo.com', 'goto.com', 'gotoassist.com', 'gotomypc.com', 'logmeininc.com'],
  },
  {
    id: 'remote-utilities',
    name: 'Remote Utilities',
    executables: ['rutserv', 'rfusclient', 'rutview'],
    tokens: ['remote utilities', 'remoteutilities', 'rutserv', 'rfusclient'],
    services: ['rmanservice'],
    domains: ['remoteutilities.com'],
    // The Host installer (host<version>.msi) selects its one feature by this property.
    switchSets: [['addlocal=hostfeature']],
  },
  {
    id: 'dwservice',
    name: 'DWService',
    executables: ['dwagent', 'dwagsvc'],
    tokens: ['dwagent', 'dwservice'],
    services: ['dwagent'],
    domains: ['dwservice.net'],
  },
  {
    id: 'action1',
    name: 'Action1',
    executables: ['action1_agent', 'action1_remote', 'action1_connector'],
    tokens: ['action1'],
    services: ['a1agent', 'action1 agent'],
    domains: ['action1.com'],
  },
  {
    id: 'level',
    name: 'Level',
    executables: ['level-windows-amd64', 'level-remote-control'],
    tokens: ['level-windows', 'level-linux', 'level-darwin', 'levelrmm', 'level.io'],
    services: ['level'],
    domains: ['level.io'],
    switchSets: [['level_api_key=']],
  },
  {
    id: 'zoho-assist',
    name: 'Zoho Assist',
    executables: ['za_connect', 'za_access', 'zohomeeting', 'zaservice', 'zohotray', 'zohours'],
    tokens: ['zohoassist', 'zoho assist', 'za_connect', 'za_access', 'zohomeeting'],
    services: ['zoho assist-remote support', 'zaservice'],
    domains: ['assist.zoho.com', 'zoho.com', 'zohoassist.com'],
  },
  {
    id: 'manageengine',
    name: 'ManageEngine (Endpoint Central / Remote Access Plus)',
    executables: ['dcagentservice', 'uems_agent', 'dcfaservice', 'remcomsvc_me'],
    tokens: ['manageengine', 'uems_agent', 'desktopcentral', 'dcagent'],
    services: ['manageengine desktop central - agent', 'dcfaservice'],
    domains: ['manageengine.com'],
  },
  {
    id: 'beyondtrust',
    name: 'BeyondTrust Remote Support (Bomgar)',
    executables: ['bomgar-scc', 'bomgar-rdp', 'bomgar-pac', 'bomgar-jmp', 'bomgar-ps'],
    tokens: ['bomgar', 'beyondtrust'],
    services: ['bomgar-ps'],
    domains: ['bomgar.com', 'beyondtrustcloud.com', 'beyondtrust.com'],
  },
  {
    id: 'ammyy',
    name: 'Ammyy Admin',
    executables: ['ammyy', 'aa_v3', 'ammyy_admin'],
    tokens: ['ammyy', 'aa_v3'],
    services: ['ammyyadmin'],
    domains: ['ammyy.com'],
  },
  {
    id: 'radmin',
    name: 'Radmin',
    executables: ['radmin', 'rserver3', 'radmin3', 'famitrfc'],
    tokens: ['radmin', 'rserver3'],
    services: ['rserver3'],
    domains: ['radmin.com', 'radmin-vpn.com'],
  },
  {
    id: 'supremo',
    name: 'Supremo',
    executables: ['supremo', 'supremohelper', 'supremoservice', 'supremosystem'],
    tokens: ['supremo'],
    services: ['supremoservice'],
    domains: ['supremocontrol.com', 'nanosystems.it'],
  },
  {
    id: 'chrome-remote-desktop',
    name: 'Chrome Remote Desktop',
    executables: ['remoting_host', 'remoting_start_host', 'remoting_desktop', 'chrome-remote-desktop-host'],
    tokens: ['chromeremotedesktop', 'chrome-remote-desktop', 'remoting_host', 'remoting_start_host'],
    services: ['chromoting', 'chrome-remote-desktop'],
    domains: ['remotedesktop.google.com', 'remotedesktop-pa.googleapis.com'],
  },
  {
    id: 'parsec',
    name: 'Parsec',
    executables: ['parsecd', 'pservice'],
    tokens: ['parsec-windows', 'parsec-linux', 'parsec-macos', 'parsecd', 'parsec.app'],
    services: ['parsec'],
    domains: ['parsec.app', 'parsecgaming.com'],
  },
  {
    id: 'dameware',
    name: 'DameWare Remote Support',
    executables: ['dwrcc', 'dwrcs', 'dwrcst', 'dntus26', 'damewaremrc'],
    tokens: ['dameware', 'dwrcs', 'dwrcc'],
    services: ['dwmrcs'],
    domains: ['dameware.com'],
  },
  {
    id: 'pdq',
    name: 'PDQ Deploy / Connect',
    executables: ['pdqdeployrunner', 'pdqconnectagent', 'pdqinventory'],
    tokens: ['pdqdeploy', 'pdqconnect', 'pdq deploy', 'pdq connect'],
    services: ['pdqdeployrunner', 'pdqconnectagent'],
    domains: ['pdq.com', 'pdq.tools'],
  },
  {
    id: 'syncro',
    name: 'Syncro',
    executables: ['syncro.service', 'syncro.overmind.service', 'syncrolive.agent.runner', 'kabuto.app.runner'],
    tokens: ['syncroinstaller', 'syncro.service', 'syncromsp', 'syncrolive', 'kabuto'],
    services: ['syncro'],
    domains: ['syncromsp.com', 'servably.com', 'kabuto.io'],
  },
  {
    id: 'pulseway',
    name: 'Pulseway',
    executables: ['pcmonitorsrv', 'pcmonitormanager', 'pulseway'],
    tokens: ['pulseway', 'pcmonitorsrv'],
    services: ['pc monitor', 'pcmonitorsrv'],
    domains: ['pulseway.com'],
  },
  {
    id: 'simplehelp',
    name: 'SimpleHelp',
    executables: ['simplehelpcustomer', 'simpleservice', 'remote access', 'simplegatewayservice'],
    // SimpleHelp's installers are JWrapper bundles named after the app ("JWrapper-Remote Access-….exe").
    tokens: ['simplehelp', 'simpleservice', 'jwrapper-remote access', 'jwrapper-remote support'],
    services: ['simplehelp', 'simplegatewayservice'],
    domains: ['simple-help.com'],
  },
  {
    id: 'fleetdeck',
    name: 'FleetDeck',
    executables: ['fleetdeck_agent', 'fleetdeck_agent_svc', 'fleetdeck_commander_launcher'],
    tokens: ['fleetdeck'],
    services: ['fleetdeck'],
    domains: ['fleetdeck.io'],
  },
  {
    id: 'isl-online',
    name: 'ISL Online (ISL Light / AlwaysOn)',
    executables: ['isllight', 'isllightclient', 'isllightservice', 'islalwayson'],
    tokens: ['isllight', 'isl light', 'islalwayson', 'isl alwayson'],
    services: ['islalwayson'],
    domains: ['islonline.com', 'islonline.net'],
  },
  {
    id: 'showmypc',
    name: 'ShowMyPC',
    executables: ['showmypc', 'smpcsetup'],
    tokens: ['showmypc'],
    services: [],
    domains: ['showmypc.com'],
  },
  {
    id: 'aeroadmin',
    name: 'AeroAdmin',
    executables: ['aeroadmin'],
    tokens: ['aeroadmin'],
    services: ['aeroadmin'],
    domains: ['aeroadmin.com'],
  },
  {
    id: 'todesk',
    name: 'ToDesk',
    executables: ['todesk', 'todesk_service'],
    tokens: ['todesk'],
    services: ['todesk_service'],
    domains: ['todesk.com', 'todesk.cn'],
  },
  {
    id: 'sunlogin',
    name: 'Sunlogin (Oray)',
    executables: ['sunloginclient', 'sunloginremote', 'slservice', 'oray_rundll'],
    tokens: ['sunlogin', 'oray_'],
    services: ['slservice'],
    domains: ['sunlogin.oray.com', 'oray.com', 'oray.net'],
  },
  {
    id: 'ultraviewer',
    name: 'UltraViewer',
    executables: ['ultraviewer', 'ultraviewer_desktop', 'ultraviewer_service', 'uvuninstall'],
    tokens: ['ultraviewer'],
    services: ['ultraviewerservice'],
    domains: ['ultraviewer.net'],
  },
  {
    id: 'remotepc',
    name: 'RemotePC',
    executables: ['remotepc', 'remotepcdesktop', 'remotepcservice', 'rpcsuite', 'remotepchost'],
    tokens: ['remotepc'],
    services: ['remotepcservice'],
    domains: ['remotepc.com'],
  },
  {
    id: 'msp360-connect',
    name: 'MSP360 Connect (CloudBerry Remote Assistant)',
    executables: ['cloudraservice', 'cloudrautilities', 'cloudberryra'],
    tokens: ['msp360', 'cloudberry remote', 'cloudraservice', '\\connect\\connect.exe', 'cloudberryra'],
    services: ['cloudraservice'],
    domains: ['msp360.com', 'cloudberrylab.com'],
  },
  {
    id: 'anyviewer',
    name: 'AnyViewer',
    executables: ['anyviewer', 'rcservice', 'avcore'],
    tokens: ['anyviewer'],
    services: ['rcservice'],
    domains: ['anyviewer.com'],
  },
  {
    id: 'hoptodesk',
    name: 'HopToDesk',
    executables: ['hoptodesk'],
    tokens: ['hoptodesk'],
    services: ['hoptodesk'],
    domains: ['hoptodesk.com'],
  },
  {
    id: 'getscreen',
    name: 'Getscreen.me',
    executables: ['getscreen'],
    tokens: ['getscreen'],
    services: ['getscreen'],
    domains: ['getscreen.me'],
  },
  {
    id: 'nomachine',
    name: 'NoMachine',
    executables: ['nxserver', 'nxnode', 'nxd', 'nxplayer', 'nxservice64'],
    tokens: ['nomachine'],
    services: ['nxservice', 'nxserver'],
    domains: ['nomachine.com'],
  },
  {
    id: 'datto-rmm',
    name: 'Datto RMM (CentraStage)',
    executables: ['cagservice', 'aemagent', 'centrastage'],
    tokens: ['centrastage', 'cagservice', 'aemagent', 'datto rmm', 'dattorm'],
    services: ['cagservice'],
    domains: ['centrastage.net', 'rmm.datto.com'],
  },
  {
    id: 'itarian',
    name: 'ITarian / Comodo RMM',
    executables: ['itsmagent', 'rmmservice', 'itsmservice'],
    tokens: ['itarian', 'itsmagent', 'comodo rmm'],
    services: ['itsmservice'],
    domains: ['itarian.com', 'cmdm.comodo.com'],
  },
  {
    id: 'litemanager',
    name: 'LiteManager',
    executables: ['romserver', 'romviewer', 'romfusclient'],
    tokens: ['litemanager', 'romserver'],
    services: ['romservice'],
    domains: ['litemanager.com', 'litemanager.ru'],
  },
  {
    id: 'aspia',
    name: 'Aspia',
    executables: ['aspia_host', 'aspia_host_service', 'aspia_desktop_agent'],
    tokens: ['aspia_host', 'aspia host'],
    services: ['aspia-host-service'],
    domains: ['aspia.org'],
  },
  {
    id: 'netop',
    name: 'Netop Remote Control',
    executables: ['nhstw32', 'nldrw32', 'netop'],
    tokens: ['netop remote', 'nhstw32'],
    services: ['netop host'],
    domains: ['netop.com'],
  },
  {
    id: 'goverlan',
    name: 'Goverlan Reach',
    executables: ['goverrmc', 'govagentx64', 'goverlan'],
    tokens: ['goverlan'],
    services: ['goverlan agent'],
    domains: ['goverlan.com'],
  },
  {
    id: 'iperius',
    name: 'Iperius Remote',
    executables: ['iperiusremote'],
    tokens: ['iperiusremote', 'iperius remote'],
    services: ['iperiusremote'],
    domains: ['iperiusremote.com'],
  },
  {
    id: 'distant-desktop',
    name: 'Distant Desktop',
    executables: ['ddsystem', 'dd_service'],
    tokens: ['distant desktop', 'distantdesktop'],
    services: [],
    domains: ['distantdesktop.com'],
  },
  {
    id: 'anyplace-control',
    name: 'Anyplace Control',
    executables: ['apc_host', 'apc_admin'],
    tokens: ['anyplace control', 'anyplace-control', 'apc_host'],
    services: ['apc_host'],
    domains: ['anyplace-control.com'],
  },
  {
    id: 'xrdp',
    name: 'xrdp (RDP server for Linux)',
    executables: ['xrdp', 'xrdp-sesman'],
    tokens: ['xrdp'],
    services: ['xrdp', 'xrdp-sesman'],
    domains: ['xrdp.org'],
  },
  {
    id: 'xeox',
    name: 'XEOX',
    executables: ['xeox-agent_x64', 'xeox_service_windows'],
    tokens: ['xeox'],
    services: ['xeox'],
    domains: ['xeox.com'],
  },
];

const byExecutable = new Map<string, RemoteAccessTool>();
const byService = new Map<string, RemoteAccessTool>();
const tokenList: Array<[string, RemoteAccessTool]> = [];
for (const tool of REMOTE_ACCESS_TOOLS) {
  for (const e of tool.executables) byExecutable.set(e, tool);
  for (const s of tool.services) byService.set(s, tool);
  for (const t of tool.tokens) tokenList.push([t, tool]);
}

/** Tools with switch combinations, and every switch key (the `key=` part, or the whole switch) any of them uses. */
const toolsWithSwitches = REMOTE_ACCESS_TOOLS.filter((tool) => tool.switchSets !== undefined);
const switchKeys = new Set<string>();
for (const tool of toolsWithSwitches) for (const set of tool.switchSets!) for (const s of set) switchKeys.add(switchKey(s));

function switchKey(entry: string): string {
  const space = entry.indexOf(' ');
  const bare = space >= 0 ? entry.slice(0, space) : entry;
  const eq = bare.indexOf('=');
  return eq >= 0 && eq < bare.length - 1 ? bare.slice(0, eq + 1) : bare;
}

/** True when an argument (lower case) is one of the switch keys: the cheap test before a full match. */
export function isRemoteToolSwitch(arg: string): boolean {
  if (switchKeys.has(arg)) return true;
  const eq = arg.indexOf('=');
  return eq > 0 && switchKeys.has(arg.slice(0, eq + 1));
}

/** The tool one of whose switch combinations the arguments (lower case, in order) contain completely. */
export function remoteToolBySwitches(args: readonly string[]): RemoteAccessTool | undefined {
  for (const tool of toolsWithSwitches) for (const set of tool.switchSets!) if (set.every((entry) => hasSwitch(args, entry))) return tool;
  return undefined;
}

function hasSwitch(args: readonly string[], entry: string): boolean {
  const wantsPath = entry.endsWith(' <path>');
  const sw = wantsPath ? entry.slice(0, -7) : entry;
  for (let i = 0; i < args.length; i++) {
    if (switchMatches(args[i]!, sw) && (!wantsPath || looksLikePath(args[i + 1]))) return true;
  }
  return false;
}

/** `key=` matches any value, `key=value` also one value of a list (`ADDLOCAL=HostFeature,ViewerFeature`), others exactly. */
function switchMatches(arg: string, sw: string): boolean {
  if (sw.endsWith('=')) return arg.length > sw.length && arg.startsWith(sw);
  if (arg === sw) return true;
  const eq = sw.indexOf('=');
  if (eq < 0 || !arg.startsWith(sw.slice(0, eq + 1))) return false;
  return arg
    .slice(eq + 1)
    .split(',')
    .includes(sw.slice(eq + 1));
}

/** `C:\dir`, `\\server\share`, `%ProgramFiles%\x`, `$env:ProgramData\x` (the vendor switches are Windows installers'; `/S` is a switch, not a path). */
function looksLikePath(arg: string | undefined): boolean {
  if (!arg || arg.startsWith('-')) return false;
  return /^[a-z]:[\\/]/.test(arg) || arg.startsWith('\\\\') || ((arg.startsWith('%') || arg.startsWith('$')) && arg.includes('\\'));
}

/** The tool whose process name this is (lower case, no `.exe`). */
export function remoteToolByExecutable(name: string): RemoteAccessTool | undefined {
  return byExecutable.get(name);
}

/** The tool whose service/unit name this is, or whose token the name contains. */
export function remoteToolByService(name: string): RemoteAccessTool | undefined {
  const n = name.toLowerCase();
  const direct = byService.get(n) ?? byService.get(n.endsWith('.service') ? n.slice(0, -8) : n);
  return direct ?? remoteToolByToken(n);
}

/** The tool one of whose distinctive tokens occurs in `text` (lower case): installer names, install paths, package ids. */
export function remoteToolByToken(text: string): RemoteAccessTool | undefined {
  tokenSet ??= new NeedleSet(tokenList.map(([token]) => token));
  const i = tokenSet.firstIndex(text);
  return i < 0 ? undefined : tokenList[i]?.[1];
}
/** All tokens in one automaton: one pass over the text instead of one `includes` per token. */
let tokenSet: NeedleSet | null = null;

/** Domain → position in REMOTE_ACCESS_TOOLS of the first tool listing it. */
const toolIndexByDomain = new Map<string, number>();
REMOTE_ACCESS_TOOLS.forEach((tool, index) => {
  for (const d of tool.domains) if (!toolIndexByDomain.has(d)) toolIndexByDomain.set(d, index);
});

/** The tool that owns `host` (lower case), matching the domain itself and its subdomains. */
export function remoteToolByDomain(host: string): RemoteAccessTool | undefined {
  // The host and each suffix after one of its dots are the only domains it can belong to; when
  // several are listed, the tool listed first wins (as a scan of the list in order would find).
  let best = toolIndexByDomain.get(host) ?? -1;
  for (let dot = host.indexOf('.'); dot >= 0; dot = host.indexOf('.', dot + 1)) {
    const index = toolIndexByDomain.get(host.slice(dot + 1));
    if (index !== undefined && (best < 0 || index < best)) best = index;
  }
  return best < 0 ? undefined : REMOTE_ACCESS_TOOLS[best];
}
