/**
 * Security, logging and backup software whose stopping, disabling or uninstalling blinds the
 * defenders (ATT&CK T1562.001/.002/.006). Lower case substrings of service, unit, daemon or
 * process names; chosen to be distinctive (no ordinary service name contains them).
 */
import { NeedleSet } from '../analysis/needles';

export const SECURITY_SERVICE_TOKENS: readonly string[] = [
  // Microsoft Defender and Windows security plumbing
  'windefend',
  'wdnissvc',
  'wdfilter',
  'wdboot',
  'mssense',
  'sense',
  'msmpeng',
  'securityhealthservice',
  // Display names (Microsoft Defender Antivirus Service, Windows Defender Firewall), which filters match on
  'defender',
  'wscsvc',
  'mpssvc',
  'eventlog',
  'sysmon',
  'sysmondrv',
  'sysmon64',
  // AppLocker's enforcement service
  'appidsvc',
  'bfe',
  'windowssensor',
  'csfalconservice',
  // Third-party EDR / AV
  'falcon',
  'crowdstrike',
  'csagent',
  'csfalcon',
  'cbdaemon',
  'carbonblack',
  'cbdefense',
  'cbstream',
  'sentinelagent',
  'sentinelone',
  'sentinelctl',
  'cylance',
  'mcafee',
  'masvc',
  'macmnsvc',
  'mfemms',
  'symantec',
  'sepmasterservice',
  'sophos',
  'savservice',
  'ekrn',
  'eset',
  'kaspersky',
  'avp',
  'klnagent',
  'cyserver',
  'cortex',
  'traps',
  'tanium',
  'qualys',
  'ir_agent',
  'rapid7',
  'ds_agent',
  'tmbmsrv',
  'ntrtscan',
  'bdagent',
  'bitdefender',
  'epsecurityservice',
  'mbamservice',
  'malwarebytes',
  'avast',
  'avg',
  'webroot',
  'wrsvc',
  'fsecure',
  'f-secure',
  'xagt',
  'fireeye',
  'trellix',
  'elastic-agent',
  'elastic-endpoint',
  'wazuh',
  'ossec',
  'osqueryd',
  'velociraptor',
  'huntress',
  'blackberry',
  'littlesnitch',
  'opendns',
  'umbrella',
  'ciscoamp',
  'harfanglab',
  'cybereason',
  'deepinstinct',
  'secureworks',
  'taegis',
  'mdatp',
  'wdavdaemon',
  // Linux and macOS agents (daemons, packages, launchd labels such as com.crowdstrike.falcond)
  'falcond',
  'cbagentd',
  'cbagent',
  'sentineld',
  'osquery',
  'santad',
  'jamfprotect',
  'com.jamf.protect',
  'xprotect',
  'clamav',
  'clamd',
  'freshclam',
  'tripwire',
  'sysdig',
  'tetragon',
  'lacework',
  'threatlocker',
  'cisco-secure-endpoint',
  // Alibaba Cloud Security Center's agent (Aegis, "Aliyun Dun"), which cloud miners remove first
  'aegis',
  'aliyundun',
  // Logging and auditing
  'auditd',
  'rsyslog',
  'syslog-ng',
  'syslogd',
  'systemd-journald',
  'journald',
  'splunkforwarder',
  'splunkd',
  'nxlog',
  'winlogbeat',
  'filebeat',
  'auditbeat',
  'fluent-bit',
  'td-agent',
  // Backup agents and the shadow-copy services they rely on (stopped before encryption, T1489/T1490)
  'veeam',
  'backupexec',
  'acronis',
  'wbengine',
  'vss',
  'swprv',
  'sqlwriter',
  'shadowprotect',
  'cohesity',
  'rubrik',
  'datto',
  // Open-source backup tools, run by timers and services (`systemctl mask restic-backup.timer`)
  'restic',
  'borgmatic',
  'borgbackup',
  'pgbackrest',
  'bacula',
  'bareos',
  'urbackup',
  'duplicati',
  'commvault',
  'arcserve',
  // Firewalls and mandatory access control
  'ufw',
  'firewalld',
  'iptables',
  'nftables',
  'apparmor',
  'pf',
  'falco',
  'aide',
];

/** Exact service names that are too short to be matched as substrings. */
export const SECURITY_SERVICE_EXACT: ReadonlySet<string> = new Set([
  'sense',
  'avp',
  'pf',
  'bfe',
  'ekrn',
  'traps',
  'eventlog',
  'avg',
  'mfemms',
  'eset',
  'sysmon',
  'falco',
  'aide',
  'vss',
  'swprv',
  'datto',
]);

/** Short tokens above must match a whole name; the rest may match inside a longer name. */
export function isSecurityServiceName(name: string): string | undefined {
  let n = name.toLowerCase();
  if (n.endsWith('.service')) n = n.slice(0, -8);
  else if (n.endsWith('.timer')) n = n.slice(0, -6);
  if (n.endsWith('.plist')) n = n.slice(0, -6);
  const slash = Math.max(n.lastIndexOf('/'), n.lastIndexOf('\\'));
  if (slash >= 0) n = n.slice(slash + 1);
  if (SECURITY_SERVICE_EXACT.has(n)) return n;
  return substringTokens().first(n);
}

let substringTokenSet: NeedleSet | null = null;
/** The tokens that may match inside a longer name, in list order, as one automaton. */
function substringTokens(): NeedleSet {
  substringTokenSet ??= new NeedleSet(SECURITY_SERVICE_TOKENS.filter((t) => !SECURITY_SERVICE_EXACT.has(t)));
  return substringTokenSet;
}

/** Defender preference parameters that switch protection off (Set-MpPreference), with their documented aliases. */
export const DEFENDER_DISABLE_PARAMS: ReadonlySet<string> = new Set([
  'disablerealtimemonitoring',
  'drtm',
  'disablebehaviormonitoring',
  'dbm',
  'disablescriptscanning',
  'dscrptsc',
  'disableblockatfirstseen',
  'dbaf',
  'disableioavprotection',
  'dioavp',
  'disableintrusionpreventionsystem',
  'dips',
  'disableprivacymode',
  'dpm',
  'disablearchivescanning',
  'darchsc',
  'disableemailscanning',
  'demsc',
  'disableremovabledrivescanning',
  'drdsc',
  'disablescanningnetworkfiles',
  'dsnf',
  'mapsreporting',
  'submitsamplesconsent',
  'disabletamperprotection',
  'puaprotection',
  'enablecontrolledfolderaccess',
  'enablenetworkprotection',
  'disablecatchupquickscan',
  'disablecatchupfullscan',
]);

/** Defender exclusion parameters (Add-/Set-MpPreference). */
export const DEFENDER_EXCLUSION_PARAMS: ReadonlySet<string> = new Set([
  'exclusionpath',
  'exclusionextension',
  'exclusionprocess',
  'exclusionipaddress',
  'attacksurfacereductiononlyexclusions',
  'controlledfolderaccessallowedapplications',
]);

/** Registry locations whose values configure security features, logging or recovery. */
export const SECURITY_REGISTRY: ReadonlyArray<{ needle: string; what: string }> = [
  { needle: '\\windows defender', what: 'Microsoft Defender settings' },
  { needle: '\\windowsfirewall', what: 'Windows Firewall policy' },
  { needle: '\\firewallpolicy', what: 'Windows Firewall settings' },
  { needle: '\\wmi\\autologger', what: 'an event-log autologger session' },
  { needle: '\\winevt\\channels', what: 'an event-log channel' },
  { needle: '\\services\\eventlog', what: 'the event-log service' },
  { needle: '\\windows\\eventlog', what: 'event-log policy' },
  { needle: 'etwenabled', what: '.NET event tracing' },
  { needle: 'runasppl', what: 'LSA protection' },
  { needle: 'lsacfgflags', what: 'Credential Guard' },
  { needle: 'disablerestrictedadmin', what: 'Restricted Admin mode of Remote Desktop (logons with a password hash)' },
  { needle: 'nolmhash', what: 'the storage of LM password hashes' },
  { needle: 'lmcompatibilitylevel', what: 'the NTLM authentication level' },
  { needle: 'disabledomaincreds', what: 'the storage of domain credentials' },
  { needle: '\\deviceguard', what: 'virtualisation-based security / HVCI' },
  { needle: '\\systemrestore', what: 'System Restore' },
  { needle: 'userauthentication', what: 'Remote Desktop network-level authentication' },
  { needle: 'enablelua', what: 'User Account Control' },
  { needle: 'consentpromptbehavioradmin', what: 'User Account Control prompts' },
  { needle: 'localaccounttokenfilterpolicy', what: 'remote UAC filtering' },
  { needle: 'vbawarnings', what: 'Office macro warnings' },
  { needle: '\\protectedview', what: 'Office Protected View' },
  { needle: 'autoadminlogon', what: 'automatic logon (a stored cleartext password)' },
  { needle: '\\powershell\\scriptblocklogging', what: 'PowerShell script-block logging' },
  { needle: '\\powershell\\modulelogging', what: 'PowerShell module logging' },
  { needle: '\\powershell\\transcription', what: 'PowerShell transcription' },
  { needle: '\\smartscreen', what: 'SmartScreen' },
  { needle: 'enablesmartscreen', what: 'SmartScreen' },
  { needle: 'smartscreenenabled', what: 'SmartScreen' },
  { needle: '\\microsoft\\amsi', what: 'the Antimalware Scan Interface' },
  // Policies that take tools from the user (T1112): Task Manager, the Registry Editor, the command prompt, Run.
  { needle: 'disabletaskmgr', what: 'the Task Manager (users can no longer see or end processes)' },
  { needle: 'disableregistrytools', what: 'the Registry Editor' },
  { needle: 'disablecmd', what: 'the command prompt' },
  { needle: 'norun', what: 'the Run dialog' },
  { needle: 'noautoupdate', what: 'automatic Windows updates' },
];

/**
 * macOS bundle identifiers (prefixes and tokens) of security, EDR and device-management agents:
 * what their privacy (TCC) grants are recorded under. Revoking those grants (Full Disk Access,
 * Accessibility) blinds the agent without stopping it.
 */
export const SECURITY_APP_BUNDLE_TOKENS: readonly string[] = [
  'com.crowdstrike',
  'com.sentinelone',
  'com.microsoft.wdav',
  'com.microsoft.dlp',
  'com.carbonblack',
  'com.vmware.carbonblack',
  'com.sophos',
  'com.jamf',
  'com.eset',
  'com.bitdefender',
  'com.malwarebytes',
  'com.paloaltonetworks',
  'com.cylance',
  'com.trendmicro',
  'com.kaspersky',
  'com.mcafee',
  'com.symantec',
  'com.google.santa',
  'com.northpolesec.santa',
  'com.objective-see',
  'com.cisco.endpoint',
  'securityagent',
  'antivirus',
];

/** Whether a macOS bundle identifier belongs to a security or management agent. */
export function isSecurityAppBundle(bundle: string): boolean {
  const b = bundle.toLowerCase();
  return SECURITY_APP_BUNDLE_TOKENS.some((t) => b.includes(t)) || isSecurityServiceName(b) !== undefined;
}

/**
 * Domains of security, EDR, MFA / identity and OS-update services (lower case; a name matches when it
 * equals one or ends with "." + one). Pointing one at a dead address in a hosts file
 * (`0.0.0.0 api-xxxx.duosecurity.com`) silently cuts the host off from its MFA provider, its EDR
 * console or its updates (ATT&CK T1556.006, T1562.001). Built from the vendors above plus the
 * documented endpoints of their clouds.
 */
export const SECURITY_VENDOR_DOMAINS: ReadonlySet<string> = new Set([
  // MFA and identity providers
  'duosecurity.com',
  'duo.com',
  'okta.com',
  'oktapreview.com',
  'okta-emea.com',
  'onelogin.com',
  'pingidentity.com',
  'pingone.com',
  'securid.com',
  'authy.com',
  'jumpcloud.com',
  'login.microsoftonline.com',
  'login.windows.net',
  'aadcdn.msauth.net',
  // Microsoft Defender, SmartScreen and Microsoft / Windows Update
  'wdcp.microsoft.com',
  'wdcpalt.microsoft.com',
  'smartscreen.microsoft.com',
  'smartscreen-prod.microsoft.com',
  'checkappexec.microsoft.com',
  'definitionupdates.microsoft.com',
  'securitycenter.windows.com',
  'securitycenter.microsoft.com',
  'security.microsoft.com',
  'endpoint.security.microsoft.com',
  'update.microsoft.com',
  'windowsupdate.microsoft.com',
  'windowsupdate.com',
  'delivery.mp.microsoft.com',
  // Apple software updates, XProtect and notarisation checks
  'swscan.apple.com',
  'swdist.apple.com',
  'swcdn.apple.com',
  'mesu.apple.com',
  'xp.apple.com',
  'gdmf.apple.com',
  'updates.cdn-apple.com',
  'ocsp.apple.com',
  'api.apple-cloudkit.com',
  // Linux security updates
  'security.ubuntu.com',
  'security.debian.org',
  'database.clamav.net',
  // EDR / AV clouds
  'crowdstrike.com',
  'cloudsink.net',
  'crowdstrike.mil',
  'sentinelone.net',
  'sentinelone.com',
  'carbonblack.io',
  'confer.net',
  'sophos.com',
  'sophosupd.com',
  'sophosupd.net',
  'sophosxl.net',
  'eset.com',
  'eset.net',
  'e5.sk',
  'kaspersky.com',
  'kaspersky-labs.com',
  'mcafee.com',
  'trellix.com',
  'symantec.com',
  'symantecliveupdate.com',
  'norton.com',
  'bitdefender.com',
  'bitdefender.net',
  'gravityzone.bitdefender.com',
  'malwarebytes.com',
  'mwbsys.com',
  'paloaltonetworks.com',
  'cylance.com',
  'trendmicro.com',
  'trendmicro.co.jp',
  'webroot.com',
  'webrootcloudav.com',
  'fireeye.com',
  'tanium.com',
  'qualys.com',
  'rapid7.com',
  'huntress.io',
  'cybereason.net',
  'cybereason.com',
  'avast.com',
  'avg.com',
  'f-secure.com',
  'withsecure.com',
  'fsapi.com',
  'threatlocker.com',
  'wazuh.com',
  'jamf.com',
  'jamfcloud.com',
  'harfanglab.io',
  'deepinstinct.com',
  'secureworks.com',
  'taegis.secureworks.com',
  'opendns.com',
  'umbrella.com',
  'amp.cisco.com',
]);

/** The security, MFA or update vendor domain a host name belongs to (`api-1.duosecurity.com` → `duosecurity.com`), or undefined. */
export function securityVendorDomain(host: string): string | undefined {
  let h = host.toLowerCase();
  while (h.endsWith('.')) h = h.slice(0, -1);
  // A DNS name is at most 253 characters: anything longer is not one.
  if (h.length > 253) return undefined;
  // The name itself, then each parent domain: a handful of Set lookups, linear in the name.
  for (let at = 0; at >= 0 && at < h.length;) {
    const candidate = h.slice(at);
    if (SECURITY_VENDOR_DOMAINS.has(candidate)) return candidate;
    const dot = h.indexOf('.', at);
    at = dot < 0 ? -1 : dot + 1;
  }
  return undefined;
}
