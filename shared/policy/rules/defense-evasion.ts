/**
 * Defence evasion (`defense_evasion`, ATT&CK TA0005).
 *
 * Flag (recorded for review, any trust): switching off or weakening security tooling and
 * logging — Defender exclusions and disabling, stopping EDR/AV/logging services, clearing or
 * disabling event logs and auditing, disabling the firewall, SELinux, Gatekeeper, SIP — because
 * technicians sometimes have to, and the audit trail must show it.
 *
 * Block (any trust): actions with no administrative reading — deleting shadow copies and
 * backups or disabling recovery (ransomware preparation), AMSI bypasses, UAC-bypass hijacks,
 * masquerading (a system binary copied under another name) and executing hidden streams.
 */
import type { Document, Word } from '../analysis/document';
import { DEFENDER_DISABLE_PARAMS, DEFENDER_EXCLUSION_PARAMS, SECURITY_REGISTRY, isSecurityServiceName } from '../catalog/security-software';
import {
  argLowers,
  ChecksByName,
  FindingCollector,
  NeedleGroup,
  baseName,
  commandWord,
  docHas,
  docHasAny,
  findOption,
  invocations,
  needlesInDocument,
  optionValue,
  positionals,
  searchFirst,
  writeTargets,
  type FindingSpec,
  type Invocation,
} from './command-match';
import { REGISTRY_WRITER_NAMES, registryWriteText } from './persistence';
import type { RuleContext, RuleFamily } from './rule';

function flagSpec(ruleId: string, message: string): FindingSpec {
  return {
    code: 'defense_evasion',
    ruleId,
    standard: 'flag',
    extended: 'flag',
    message: `${message} Weakening security tooling or logging is recorded for review.`,
  };
}
function blockSpec(ruleId: string, message: string): FindingSpec {
  return { code: 'defense_evasion', ruleId, standard: 'block', extended: 'block', message };
}

const RECOVERY =
  'Deleting shadow copies or backups, or disabling recovery, is the standard first step of ransomware and has no place in remote administration.';

export const defenseEvasionRules: RuleFamily = (doc: Document, _ctx: RuleContext) => {
  const out = new FindingCollector();
  // INVOCATION_CHECKS is at the end of this file: it names constants of the checks.
  for (const inv of invocations(doc)) for (const check of INVOCATION_CHECKS.for(inv.name)) check(inv, out, doc);
  checkDocumentLevel(doc, out);
  return out.findings;
};

// --- Recovery destruction (block) ---------------------------------------------------------------

const BACKUP_EXTENSIONS = ['.vhd', '.vhdx', '.bak', '.bac', '.bkf', '.wbcat', '.set', '.win', '.dsk', '.tib', '.vbk', '.vib', '.vrb'];

function checkShadowCopiesAndBackups(inv: Invocation, out: FindingCollector): void {
  const n = inv.name;
  const lowers = argLowers(inv);
  if (
    n === 'vssadmin' &&
    ((lowers[0] === 'delete' && lowers[1] === 'shadows') || (lowers[0] === 'resize' && lowers[1] === 'shadowstorage' && tinyMaxSize(inv)))
  ) {
    out.add(blockSpec('evasion.shadow-copies.delete', `vssadmin ${lowers[0]} ${lowers[1]} destroys Volume Shadow Copies. ${RECOVERY}`), [
      commandWord(inv),
      inv.args[1],
    ]);
  } else if (n === 'wmic' && lowers.includes('shadowcopy') && lowers.includes('delete')) {
    out.add(blockSpec('evasion.shadow-copies.delete', `wmic shadowcopy delete destroys Volume Shadow Copies. ${RECOVERY}`), [
      commandWord(inv),
    ]);
  } else if (n === 'wbadmin' && lowers[0] === 'delete') {
    out.add(blockSpec('evasion.backups.delete', `wbadmin delete removes Windows Server backups or the backup catalog. ${RECOVERY}`), [
      commandWord(inv),
      inv.args[0],
    ]);
  } else if (
    n === 'bcdedit' &&
    lowers.includes('/set') &&
    ((lowers.some((l) => l === 'recoveryenabled') && lowers.includes('no')) || lowers.includes('ignoreallfailures'))
  ) {
    out.add(blockSpec('evasion.recovery.disable', `bcdedit disables Windows recovery at boot. ${RECOVERY}`), [commandWord(inv)]);
  } else if (n === 'diskshadow' && inv.args.some((w) => w.lower.includes('delete'))) {
    out.add(blockSpec('evasion.shadow-copies.delete', `diskshadow deletes shadow copies. ${RECOVERY}`), [commandWord(inv)]);
  } else if ((n === 'del' || n === 'erase' || n === 'remove-item' || n === 'rm') && inv.args.length > 0) {
    const wild = inv.args.filter(
      (w) =>
        w.lower.includes('*') &&
        BACKUP_EXTENSIONS.some((e) => w.lower.endsWith(e) || w.lower.includes(e + '*') || w.lower.includes('backup*')),
    );
    if (wild.length >= 2)
      out.add(
        blockSpec(
          'evasion.backups.delete',
          `Deletes backup files of several kinds by wildcard (${wild.map((w) => baseName(w.value)).join(', ')}). ${RECOVERY}`,
        ),
        [commandWord(inv), wild[0]],
      );
  } else if (n === 'tmutil' && (lowers[0] === 'disable' || lowers[0] === 'delete' || lowers[0] === 'deletelocalsnapshots')) {
    out.add(blockSpec('evasion.backups.timemachine', `tmutil ${lowers[0]} disables Time Machine or deletes its backups. ${RECOVERY}`), [
      commandWord(inv),
    ]);
  } else if (
    n === 'schtasks' &&
    findOption(inv.args, 'change', 'delete') &&
    inv.args.some((w) => w.lower.includes('systemrestore') || w.lower.includes('windows defender'))
  ) {
    out.add(flagSpec('evasion.scheduled-protection', 'schtasks disables or deletes a System Restore / Defender scheduled task.'), [
      commandWord(inv),
    ]);
  }
}

/** `vssadmin resize shadowstorage /maxsize=401MB` squeezes shadow copies out of existence; a percentage or GB size is housekeeping. */
function tinyMaxSize(inv: Invocation): boolean {
  const v = optionValue(inv.args, 'maxsize')?.lower;
  if (!v) return false;
  return v.endsWith('mb') || v.endsWith('kb') || (v.length > 0 && [...v].every((c) => c >= '0' && c <= '9'));
}

// --- Defender ---------------------------------------------------------------------------------------

function checkDefender(inv: Invocation, out: FindingCollector): void {
  const n = inv.name;
  if (n === 'set-mppreference' || n === 'add-mppreference') {
    for (const w of inv.args) {
      if (!w.lower.startsWith('-')) continue;
      const p = w.lower.slice(1).split(':')[0]!;
      if (DEFENDER_EXCLUSION_PARAMS.has(p)) {
        out.add(
          flagSpec('evasion.defender.exclusion', `${n} adds a Microsoft Defender exclusion; anything placed there is no longer scanned.`),
          [commandWord(inv), w],
        );
        return;
      }
      if (DEFENDER_DISABLE_PARAMS.has(p) && !defenderValueEnables(inv, w, p)) {
        out.add(flagSpec('evasion.defender.disable', `${n} switches off a Microsoft Defender protection (${w.value}).`), [
          commandWord(inv),
          w,
        ]);
        return;
      }
    }
    return;
  }
  if (n === 'mpcmdrun' && findOption(inv.args, 'removedefinitions')) {
    out.add(flagSpec('evasion.defender.definitions', 'MpCmdRun -RemoveDefinitions removes Defender signatures.'), [commandWord(inv)]);
    return;
  }
  if (
    (n === 'dism' || n === 'disable-windowsoptionalfeature' || n === 'uninstall-windowsfeature' || n === 'remove-windowsfeature') &&
    inv.args.some((w) => w.lower.includes('defender'))
  ) {
    out.add(flagSpec('evasion.defender.remove', `${n} removes or disables the Microsoft Defender feature.`), [commandWord(inv)]);
    return;
  }
  if (
    n === 'wmic' &&
    inv.args.some((w) => w.lower.includes('msft_mppreference')) &&
    inv.args.some((w) => w.lower === 'call' || w.lower === 'set')
  ) {
    out.add(flagSpec('evasion.defender.exclusion', 'wmic changes Microsoft Defender preferences (e.g. adds an exclusion).'), [
      commandWord(inv),
    ]);
    return;
  }
  if (n === 'mdatp') {
    const text = inv.args.map((w) => w.lower).join(' ');
    if (
      ((text.includes('real-time-protection') || text.includes('behavior-monitoring') || text.includes('cloud')) &&
        text.includes('disabled')) ||
      (text.includes('exclusion') && text.includes('add'))
    ) {
      out.add(flagSpec('evasion.defender.disable', 'mdatp disables a Defender for Endpoint protection or adds an exclusion.'), [
        commandWord(inv),
      ]);
    }
  }
}

/** Values that switch a Defender `-Disable…` preference off again, or turn an `-Enable…`/reporting preference on. */
const DEFENDER_FALSY = new Set(['$false', '0', 'false', '"false"', "'false'"]);
const DEFENDER_ENABLING: ReadonlyMap<string, ReadonlySet<string>> = new Map([
  ['mapsreporting', new Set(['1', '2', 'basic', 'advanced'])],
  ['submitsamplesconsent', new Set(['1', '3', 'sendsafesamples', 'sendallsamples'])],
  ['puaprotection', new Set(['1', 'enabled'])],
  ['enablecontrolledfolderaccess', new Set(['1', 'enabled'])],
  ['enablenetworkprotection', new Set(['1', 'enabled'])],
]);

/** `-DisableRealtimeMonitoring $false` turns protection back on: the value, attached (`-p:$false`) or the next word, decides. */
function defenderValueEnables(inv: Invocation, param: Word, name: string): boolean {
  const colon = param.lower.indexOf(':');
  let value: string | undefined;
  if (colon >= 0) value = param.lower.slice(colon + 1);
  else {
    const next = inv.args[inv.args.indexOf(param) + 1];
    if (next && !next.lower.startsWith('-')) value = next.lower;
  }
  if (value === undefined) return false;
  const enabling = DEFENDER_ENABLING.get(name);
  if (enabling) return enabling.has(value);
  // The `Disable…` parameters and their aliases (drtm, dbm …) all start with d.
  return name.startsWith('d') && DEFENDER_FALSY.has(value);
}

// --- Security / logging services -------------------------------------------------------------------

/** Program → the verbs with which it stops or disables a service (a Map: program names are untrusted text, and `constructor` must not find Object's). */
const STOP_VERBS: ReadonlyMap<string, ReadonlySet<string>> = new Map([
  ['sc', new Set(['stop', 'config', 'delete', 'pause'])],
  ['net', new Set(['stop', 'pause'])],
  ['net1', new Set(['stop', 'pause'])],
  ['systemctl', new Set(['stop', 'disable', 'mask', 'kill'])],
  ['service', new Set(['stop'])],
  ['chkconfig', new Set(['off'])],
  ['launchctl', new Set(['unload', 'bootout', 'disable', 'remove', 'stop'])],
  ['taskkill', new Set(['/im', '-im', '/pid'])],
  ['pkill', new Set(['-f', '-9'])],
  ['killall', new Set(['-9'])],
  ['stop-service', new Set(['*'])],
  ['remove-service', new Set(['*'])],
  ['set-service', new Set(['disabled', 'stopped'])],
  ['stop-process', new Set(['*'])],
  ['fltmc', new Set(['unload', 'detach'])],
  ['sysrc', new Set(['*'])],
]);

function checkSecurityServices(inv: Invocation, out: FindingCollector): void {
  const n = inv.name;
  const verbs = STOP_VERBS.get(n);
  if (verbs) {
    const lowers = argLowers(inv);
    const hasVerb = verbs.has('*') || lowers.some((l) => verbs.has(l)) || n === 'pkill' || n === 'killall';
    if (!hasVerb) return;
    // `sc config X start= auto` re-enables; only disabling counts.
    if (n === 'sc' && lowers[0] === 'config' && !lowers.includes('disabled')) return;
    if (n === 'sysrc' && !lowers.some((l) => l.includes('_enable=') && (l.endsWith('no') || l.endsWith('"no"')))) return;
    for (const w of inv.args) {
      if (w.lower.startsWith('-') && !w.lower.endsWith('.plist')) continue;
      const name = w.lower.includes('_enable=') ? w.lower.slice(0, w.lower.indexOf('_enable=')) : w.lower;
      const token = isSecurityServiceName(name);
      if (token) {
        out.add(
          flagSpec(
            'evasion.security-service.stop',
            `${n} stops, disables or unloads "${w.value}", a security, logging or firewall component.`,
          ),
          [commandWord(inv), w],
        );
        return;
      }
    }
    return;
  }
  if (n === 'sysmon' || n === 'sysmon64') {
    if (inv.args.some((w) => w.lower === '-u' || w.lower === '/u'))
      out.add(flagSpec('evasion.sysmon.uninstall', 'Sysmon is uninstalled.'), [commandWord(inv)]);
    return;
  }
  // Uninstalling an EDR sensor through its own installer (WindowsSensor.exe /uninstall); the name is
  // looked up last, as few commands have an argument that says uninstall.
  if (inv.nameWord && inv.args.some((w) => w.lower.includes('uninstall')) && isSecurityServiceName(inv.name)) {
    out.add(flagSpec('evasion.security-service.uninstall', `Uninstalls the security agent "${inv.name}".`), [commandWord(inv)]);
  }
}

/** Package managers and the verbs with which they remove a package. */
const PACKAGE_REMOVE_VERBS: ReadonlyMap<string, ReadonlySet<string>> = new Map([
  ['yum', new Set(['remove', 'erase', 'autoremove'])],
  ['dnf', new Set(['remove', 'erase', 'autoremove'])],
  ['apt', new Set(['remove', 'purge', 'autoremove'])],
  ['apt-get', new Set(['remove', 'purge', 'autoremove'])],
  ['zypper', new Set(['remove', 'rm'])],
  ['rpm', new Set(['-e', '--erase'])],
  ['dpkg', new Set(['-r', '-p', '--remove', '--purge'])],
  ['snap', new Set(['remove'])],
  ['brew', new Set(['uninstall', 'remove', 'rm'])],
  ['pacman', new Set(['-r', '-rs', '-rns'])],
]);
/** Cmdlets that act on the services or processes piped into them (`Get-Service WinDefend | Stop-Service`). */
const PIPED_STOPPERS: ReadonlySet<string> = new Set(['stop-service', 'set-service', 'suspend-service', 'stop-process']);
const SERVICE_LISTERS: ReadonlySet<string> = new Set(['get-service', 'get-process', 'get-ciminstance', 'get-wmiobject']);

/**
 * A security agent removed by its package manager (`yum remove falcon-sensor`), killed by PID lookup
 * (`kill -9 $(pgrep -f osqueryd)`) or stopped through a pipeline whose first command names it.
 */
function checkSecurityAgentRemoval(inv: Invocation, out: FindingCollector, doc: Document): void {
  const n = inv.name;
  const removeVerbs = PACKAGE_REMOVE_VERBS.get(n);
  if (removeVerbs) {
    const lowers = argLowers(inv);
    if (!lowers.some((l) => removeVerbs.has(l))) return;
    const agent = positionals(inv.args).find((w) => !removeVerbs.has(w.lower) && isSecurityServiceName(w.lower));
    if (agent)
      out.add(flagSpec('evasion.security-service.uninstall', `${n} removes the security agent "${agent.value}".`), [
        commandWord(inv),
        agent,
      ]);
    return;
  }
  if (n === 'kill') {
    for (const w of inv.args) {
      for (const k of w.nested ?? []) {
        const lookup = doc.commands[k];
        if (!lookup || (lookup.name !== 'pgrep' && lookup.name !== 'pidof')) continue;
        const agent = lookup.words.find((x, i) => i > 0 && !x.lower.startsWith('-') && isSecurityServiceName(x.lower));
        if (agent) {
          out.add(flagSpec('evasion.security-service.stop', `kill stops the security process "${agent.value}".`), [
            commandWord(inv),
            agent,
          ]);
          return;
        }
      }
    }
    return;
  }
  if (PIPED_STOPPERS.has(n) && inv.command.position > 0) {
    if (n === 'set-service' && !argLowers(inv).some((l) => l === 'disabled' || l === 'stopped')) return;
    const previous = doc.pipelines[inv.command.pipeline]?.[inv.command.position - 1];
    const lister = previous === undefined ? undefined : doc.commands[previous];
    if (!lister || !SERVICE_LISTERS.has(lister.name)) return;
    const agent = lister.words.find((x, i) => i > 0 && !x.lower.startsWith('-') && isSecurityServiceName(x.lower));
    if (agent)
      out.add(
        flagSpec('evasion.security-service.stop', `${n} stops or disables "${agent.value}", a security, logging or firewall component.`),
        [commandWord(inv), agent],
      );
  }
}

// --- Event logs and auditing -----------------------------------------------------------------------

function checkEventLogs(inv: Invocation, out: FindingCollector): void {
  const n = inv.name;
  const lowers = argLowers(inv);
  if (n === 'wevtutil') {
    const sub = lowers[0];
    if (sub === 'cl' || sub === 'clear-log')
      out.add(flagSpec('evasion.eventlog.clear', 'wevtutil clears an event log, erasing the record of what happened.'), [
        commandWord(inv),
        inv.args[0],
      ]);
    else if (
      (sub === 'sl' || sub === 'set-log') &&
      lowers.some((l) => l === '/e:false' || l === '/enabled:false' || (l.startsWith('/ms:') && tinyLogSize(l.slice(4))))
    )
      out.add(flagSpec('evasion.eventlog.disable', 'wevtutil disables or shrinks an event log channel.'), [commandWord(inv)]);
  } else if (n === 'clear-eventlog' || n === 'remove-eventlog' || n === 'clear-winevent') {
    out.add(flagSpec('evasion.eventlog.clear', `${n} clears or removes event logs, erasing the record of what happened.`), [
      commandWord(inv),
    ]);
  } else if (n === 'auditpol' && (lowers.some((l) => l.includes(':disable')) || lowers.includes('/clear') || lowers.includes('/remove'))) {
    out.add(flagSpec('evasion.audit.disable', 'auditpol disables or clears the audit policy.'), [commandWord(inv)]);
  } else if (n === 'auditctl' && (lowers.includes('-d') || (lowers.includes('-e') && lowers.includes('0')))) {
    out.add(flagSpec('evasion.audit.disable', 'auditctl deletes audit rules or disables auditing.'), [commandWord(inv)]);
  } else if (n === 'log' && lowers[0] === 'erase') {
    out.add(flagSpec('evasion.eventlog.clear', 'log erase deletes the macOS unified log.'), [commandWord(inv)]);
  } else if (
    n === 'journalctl' &&
    lowers.some((l) => l.startsWith('--vacuum') && (l.endsWith('=0') || l.endsWith('=1s') || l.endsWith('=1')))
  ) {
    out.add(flagSpec('evasion.eventlog.clear', 'journalctl vacuums the whole systemd journal.'), [commandWord(inv)]);
  } else if (
    n === 'logman' &&
    (lowers[0] === 'stop' || lowers[0] === 'delete' || lowers[0] === 'update') &&
    lowers.some((l) => l.includes('eventlog-') || l === '-ets')
  ) {
    out.add(flagSpec('evasion.etw.tamper', 'logman stops or changes an event-trace session that feeds the event log.'), [commandWord(inv)]);
  } else if (
    (n === 'appcmd' && lowers.some((l) => l.includes('dontlog:true') || l.includes('httplogging'))) ||
    (n === 'set-webconfigurationproperty' && lowers.some((l) => l.includes('httplogging')))
  ) {
    out.add(flagSpec('evasion.iis.logging', `${n} turns off IIS request logging.`), [commandWord(inv)]);
  } else if (n === 'add-dnsclientnrptrule' && lowers.some((l) => l === '127.0.0.1' || l === '0.0.0.0' || l === '::1')) {
    out.add(
      flagSpec(
        'evasion.dns-sinkhole',
        "Add-DnsClientNrptRule resolves a domain to localhost, which can silence a security agent's cloud connection.",
      ),
      [commandWord(inv)],
    );
  } else if (
    n === 'new-netqospolicy' &&
    lowers.some((l) => isSecurityServiceName(l) !== undefined || l.includes('mssense') || l.includes('sense'))
  ) {
    out.add(flagSpec('evasion.edr-throttle', "New-NetQosPolicy throttles a security agent's network traffic."), [commandWord(inv)]);
  }
}

/** Windows keeps event logs of at least 1 MiB; asking for less only serves to squeeze records out (`/ms:1`). Growing a log is housekeeping. */
function tinyLogSize(bytes: string): boolean {
  if (bytes.length === 0 || bytes.length > 7) return false;
  for (let i = 0; i < bytes.length; i++) if (bytes.charCodeAt(i) < 48 || bytes.charCodeAt(i) > 57) return false;
  return Number(bytes) < 1_048_576;
}

// --- Firewall, SELinux, Gatekeeper, SIP, ASLR ---------------------------------------------------

/** Commands checkFirewallOff reads the joined argument text of. */
const FIREWALL_TEXT_COMMANDS: ReadonlySet<string> = new Set([
  'netsh',
  'set-netfirewallprofile',
  'socketfilterfw',
  'esxcli',
  'plink',
  'ssh',
]);

function checkFirewallOff(inv: Invocation, out: FindingCollector): void {
  const n = inv.name;
  const lowers = argLowers(inv);
  const text = FIREWALL_TEXT_COMMANDS.has(n) ? lowers.join(' ') : '';
  let what: string | undefined;
  if (
    n === 'netsh' &&
    ((lowers.includes('advfirewall') && lowers.includes('state') && lowers.includes('off')) ||
      (lowers.includes('firewall') && (text.includes('mode=disable') || text.includes('opmode disable'))))
  )
    what = 'netsh turns the Windows Firewall off.';
  else if (n === 'set-netfirewallprofile' && text.includes('-enabled') && (text.includes('false') || text.includes(' 0')))
    what = 'Set-NetFirewallProfile turns the Windows Firewall off.';
  else if (n === 'ufw' && (lowers[0] === 'disable' || (lowers[0] === 'logging' && lowers[1] === 'off') || lowers[0] === 'reset'))
    what = `ufw ${lowers[0]} disables the firewall or its logging.`;
  else if (
    (n === 'iptables' || n === 'ip6tables') &&
    (lowers.includes('-f') ||
      lowers.includes('--flush') ||
      (lowers.includes('-p') && lowers.includes('accept') && lowers.includes('input')))
  )
    what = `${n} flushes the firewall rules or accepts everything.`;
  else if (n === 'nft' && lowers[0] === 'flush' && lowers[1] === 'ruleset') what = 'nft flushes the whole firewall ruleset.';
  else if (n === 'pfctl' && lowers.includes('-d')) what = 'pfctl disables the pf firewall.';
  else if (n === 'socketfilterfw' && text.includes('setglobalstate off')) what = 'The macOS application firewall is turned off.';
  else if (n === 'esxcli' && text.includes('firewall') && (text.includes('--enabled false') || text.includes('--default-action true')))
    what = 'esxcli opens the ESXi firewall.';
  else if (n === 'plink' || n === 'ssh') {
    if (text.includes('esxcli network firewall set')) what = 'A remote esxcli command opens the ESXi firewall.';
  }
  if (what) out.add(flagSpec('evasion.firewall.disable', what), [commandWord(inv)]);
}

function checkMandatoryControls(inv: Invocation, out: FindingCollector): void {
  const n = inv.name;
  const lowers = argLowers(inv);
  let what: string | undefined;
  if (n === 'setenforce' && (lowers[0] === '0' || lowers[0] === 'permissive')) what = 'setenforce 0 switches SELinux to permissive.';
  else if (n === 'aa-teardown' || (n === 'aa-disable' && inv.args.length > 0)) what = `${n} unloads AppArmor profiles.`;
  else if (n === 'spctl' && lowers.some((l) => l === '--master-disable' || l === '--global-disable' || l === '--disable'))
    what = 'spctl disables Gatekeeper.';
  else if (n === 'csrutil' && lowers[0] === 'disable') what = 'csrutil disable turns off System Integrity Protection.';
  else if (n === 'fdesetup' && lowers[0] === 'disable') what = 'fdesetup disable turns off FileVault disk encryption.';
  else if (
    n === 'sysctl' &&
    lowers.some((l) => l.startsWith('kernel.randomize_va_space=0') || l.startsWith('kernel.randomize_va_space = 0'))
  )
    what = 'sysctl disables address-space layout randomisation.';
  else if (
    n === 'sed' &&
    lowers.some((l) => l.includes('selinux=disabled') || l.includes('selinux=permissive') || l.includes('storage=none'))
  )
    what = 'sed rewrites a security or logging configuration to disable it.';
  else if (n === 'set-executionpolicy' && lowers.some((l) => l === 'unrestricted' || l === 'bypass')) what = undefined; // routine for script running; not evasion
  if (what) out.add(flagSpec('evasion.security-control.disable', what), [commandWord(inv)]);
}

// --- Registry settings -------------------------------------------------------------------------

const AMSI_CLSID = '{fdb00e52-a214-4aa1-8fba-4357bb0072ec}';
const UAC_BYPASS_CLASSES = [
  '\\mscfile\\shell\\open\\command',
  '\\ms-settings\\shell\\open\\command',
  '\\exefile\\shell\\open\\command',
  '\\folder\\shell\\open\\command',
  '\\launcher.systemsettings\\shell\\open\\command',
  '\\ms-cxh-full\\shell\\open\\command',
  '\\directory\\shell\\open\\command',
];

const SECURITY_NEEDLES: readonly string[] = [
  '\\microsoft\\amsi',
  'amsienable',
  '{fdb00e52-a214-4aa1-8fba-4357bb0072ec}',
  ...UAC_BYPASS_CLASSES,
  ...SECURITY_REGISTRY.map((s) => s.needle),
];

function checkSecurityRegistry(inv: Invocation, out: FindingCollector, doc: Document): void {
  const write = registryWriteText(inv);
  const removing =
    inv.name === 'remove-item' || inv.name === 'remove-itemproperty' || (inv.name === 'reg' && inv.args[0]?.lower === 'delete');
  if (!write && !removing) return;
  let text = write ? write.text : inv.args.map((w) => w.lower).join(' ');
  // `Set-ItemProperty -Path $key …`: the key may be spelled out elsewhere in the script.
  if (write?.viaVariable) text += ' ' + [...needlesInDocument(doc, SECURITY_NEEDLES)].join(' ');
  if (text.includes('\\microsoft\\amsi') || text.includes('amsienable') || text.includes(AMSI_CLSID)) {
    out.add(
      blockSpec(
        'evasion.amsi.registry',
        'Disables or hijacks the Antimalware Scan Interface (AMSI) through the registry, so scripts are no longer scanned before they run.',
      ),
      [commandWord(inv), write?.word],
    );
    return;
  }
  if (removing) return;
  const uac = UAC_BYPASS_CLASSES.find((c) => text.includes(c));
  if (uac) {
    out.add(
      blockSpec(
        'evasion.uac-bypass',
        'Hijacks the open command of a class that auto-elevated Windows programs (eventvwr, fodhelper, computerdefaults, sdclt) launch: a User Account Control bypass.',
      ),
      [commandWord(inv), write?.word],
    );
    return;
  }
  const loc = SECURITY_REGISTRY.find((s) => text.includes(s.needle));
  if (loc) out.add(flagSpec('evasion.registry', `Changes ${loc.what} in the registry.`), [commandWord(inv), write?.word]);
}

// --- Log file destruction ----------------------------------------------------------------------------

const LOG_LOCATIONS = [
  '/var/log/',
  '/var/log',
  '/var/audit',
  '/var/adm/',
  '/var/spool/mail/',
  '/var/mail/',
  '.bash_history',
  '.zsh_history',
  '/var/run/utmp',
  '/var/log/wtmp',
  '/var/log/btmp',
  '/var/log/lastlog',
  '\\winevt\\logs',
];
const DESTROYERS = new Set(['rm', 'unlink', 'shred', 'srm', 'truncate', 'del', 'remove-item', 'wipe']);

function isLogPath(lower: string): boolean {
  return LOG_LOCATIONS.some((l) => lower.includes(l));
}

function checkLogFileDestruction(inv: Invocation, out: FindingCollector): void {
  if (DESTROYERS.has(inv.name)) {
    // truncate -s +50M grows a file; only truncating to zero destroys.
    if (inv.name === 'truncate' && !inv.args.some((w) => w.lower === '0' || w.lower === '--size=0' || w.lower === '-s0')) return;
    const target = positionals(inv.args).find((w) => isLogPath(w.lower));
    if (target)
      out.add(flagSpec('evasion.logs.delete', `${inv.name} deletes or empties log files (${target.value}).`), [commandWord(inv), target]);
    return;
  }
  if (
    inv.name === 'find' &&
    inv.args.some((w) => isLogPath(w.lower)) &&
    !olderThanFilter(inv) &&
    inv.args.some((w) => w.lower === '-delete' || w.lower === 'rm' || w.lower === 'shred' || w.lower === 'srm')
  ) {
    out.add(flagSpec('evasion.logs.delete', 'find deletes log files.'), [commandWord(inv)]);
    return;
  }
  // `cat /dev/null > /var/log/messages`, `echo '' > /var/log/secure`, `: > file`, `dd of=/var/log/…`.
  const targets = writeTargets(inv);
  if (targets.length === 0) return;
  const overwritten = targets.find((t) => isLogPath(t.lower) && !t.lower.endsWith('.log.bak'));
  if (
    (overwritten &&
      inv.command.redirects.some(
        (r) =>
          (r.op === '>' && r.target === overwritten) ||
          (r.op === '>>' && r.target === overwritten && inv.name === 'echo' && inv.args.length <= 1),
      )) ||
    (overwritten && inv.name === 'dd')
  ) {
    if (inv.name === 'tee' || inv.name === 'cp') return;
    out.add(flagSpec('evasion.logs.delete', `Overwrites a log file (${overwritten.value}).`), [commandWord(inv), overwritten]);
  }
}

/** `find /var/log -mtime +30 -delete`: removing only old files is log retention, not destroying the record. */
function olderThanFilter(inv: Invocation): boolean {
  const args = inv.args;
  for (let i = 0; i + 1 < args.length; i++) {
    const l = args[i]!.lower;
    if ((l === '-mtime' || l === '-mmin' || l === '-ctime' || l === '-cmin' || l === '-atime') && args[i + 1]!.lower.startsWith('+'))
      return true;
  }
  return false;
}

// --- Shell history, timestamps and the change journal -------------------------------------------

/** Shell variables that, emptied, pointed at /dev/null or set to zero, stop the history being written. */
const HISTORY_VARIABLES: ReadonlySet<string> = new Set(['histfile', 'histsize', 'histfilesize', 'savehist']);
const HISTORY_FILES = ['.bash_history', '.zsh_history', '.sh_history', 'consolehost_history', 'historysavepath'];

function silencesHistory(assignment: string): boolean {
  const eq = assignment.indexOf('=');
  if (eq < 0 || !HISTORY_VARIABLES.has(assignment.slice(0, eq))) return false;
  const value = assignment.slice(eq + 1);
  return value === '' || value === '/dev/null' || value === '0' || value === '""' || value === "''";
}

/**
 * Stopping the shell history or destroying its file (`unset HISTFILE`, `set +o history`, `ln -sf /dev/null
 * ~/.bash_history`, PSReadLine SaveNothing). `history -c` alone only empties the current session's list.
 */
function checkHistoryTampering(inv: Invocation, out: FindingCollector): void {
  const n = inv.name;
  const lowers = argLowers(inv);
  let what: string | undefined;
  if (n === 'unset' && lowers.some((l) => HISTORY_VARIABLES.has(l))) what = 'unset stops the shell recording its history.';
  else if ((n === 'export' || n === 'declare' || n === 'typeset' || n === 'set') && lowers.some(silencesHistory))
    what = `${n} points the shell history at nothing.`;
  else if (n === 'set' && lowers.includes('+o') && lowers.includes('history'))
    what = 'set +o history stops the shell recording its history.';
  else if (
    n === 'ln' &&
    lowers.some((l) => l.startsWith('-') && l.includes('s')) &&
    lowers.includes('/dev/null') &&
    lowers.some((l) => HISTORY_FILES.some((h) => l.includes(h)))
  )
    what = 'ln links the shell history file to /dev/null.';
  else if (n === 'set-psreadlineoption' && lowers.some((l) => l.endsWith('savenothing'))) what = 'PSReadLine is told to save no history.';
  else if (
    (n === 'remove-item' || n === 'clear-content') &&
    lowers.some((l) => l.includes('historysavepath') || l.includes('consolehost_history'))
  )
    what = `${n} deletes the PowerShell history file.`;
  if (what) out.add(flagSpec('evasion.history.tamper', `${what} Commands run afterwards leave no trace.`), [commandWord(inv)]);
}

/** Timestomping (`touch -r /bin/ls x`, `touch -t 201901010000 x`), the NTFS change journal, test-signing and PowerShell 2. */
function checkTamperingTools(inv: Invocation, out: FindingCollector): void {
  const n = inv.name;
  const lowers = argLowers(inv);
  if (n === 'touch') {
    if (touchStampsTimes(inv))
      out.add(
        flagSpec('evasion.timestomp', "touch gives a system, hidden or executable file another file's or an old timestamp (timestomping)."),
        [commandWord(inv)],
      );
  } else if (n === 'fsutil' && lowers[0] === 'usn' && lowers[1] === 'deletejournal') {
    out.add(
      flagSpec('evasion.usn-journal.delete', 'fsutil usn deletejournal deletes the NTFS change journal, a record of file activity.'),
      [commandWord(inv)],
    );
  } else if (
    n === 'bcdedit' &&
    lowers.includes('/set') &&
    lowers.includes('on') &&
    lowers.some((l) => l === 'testsigning' || l === 'nointegritychecks')
  ) {
    out.add(flagSpec('evasion.driver-signing', 'bcdedit lets Windows load unsigned or test-signed drivers.'), [commandWord(inv)]);
  } else if (n === 'powershell' && powerShellVersion2(inv)) {
    out.add(flagSpec('evasion.powershell-downgrade', 'PowerShell 2 is started: it has no AMSI and no script-block logging.'), [
      commandWord(inv),
    ]);
  }
}

const SYSTEM_PREFIXES = [
  '/bin/',
  '/sbin/',
  '/usr/',
  '/etc/',
  '/lib',
  '/boot/',
  '/system/',
  '/library/',
  '/opt/',
  '/var/',
  '/tmp/',
  '/dev/shm/',
  'c:\\windows',
];
const CODE_SUFFIXES = ['.so', '.sh', '.exe', '.dll', '.php', '.jsp', '.aspx', '.py', '.pl', '.dylib', '.ko'];

/**
 * `touch -r /bin/ls /tmp/.x`, `touch -t 201901010000 /usr/sbin/x`: a copied or chosen timestamp on a
 * system, hidden or executable file hides when it arrived. Ageing ordinary files (`touch -t … report.txt`)
 * is routine, so the target or the reference must be of that kind.
 */
function touchStampsTimes(inv: Invocation): boolean {
  const args = inv.args;
  let stamped = false;
  const files: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const l = args[i]!.lower;
    if (l.startsWith('--reference')) stamped = true;
    else if (l.startsWith('-') && !l.startsWith('--') && l.length > 1) {
      // Short options cluster (`-cr`); -r, -t and -d take the next word, so they come last.
      const last = l[l.length - 1];
      if (last === 'r' || last === 't') stamped = true;
      if ((last === 'r' || last === 't' || last === 'd') && i + 1 < args.length) files.push(args[++i]!.lower);
    } else if (!l.startsWith('-')) files.push(l);
  }
  if (!stamped) return false;
  return files.some((f) => {
    const name = baseName(f);
    return name.startsWith('.') || SYSTEM_PREFIXES.some((p) => f.startsWith(p)) || CODE_SUFFIXES.some((s) => name.endsWith(s));
  });
}

/** `powershell -version 2` (any unambiguous prefix of -Version, value 2 or 2.0). */
function powerShellVersion2(inv: Invocation): boolean {
  const args = inv.args;
  for (let i = 0; i + 1 < args.length; i++) {
    const l = args[i]!.lower;
    if (l.length >= 2 && l.length <= 8 && '-version'.startsWith(l)) {
      const v = args[i + 1]!.lower;
      return v === '2' || v === '2.0';
    }
  }
  return false;
}

/** macOS: quarantine removed from an app or installer, quarantine switched off, the application firewall switched off. */
function checkMacProtections(inv: Invocation, out: FindingCollector): void {
  const lowers = argLowers(inv);
  if (inv.name === 'xattr') {
    const options = lowers.filter((l) => l.startsWith('-'));
    const clears = options.some((l) => l.includes('c'));
    const deletesQuarantine = options.some((l) => l.includes('d')) && lowers.includes('com.apple.quarantine');
    if (!clears && !deletesQuarantine) return;
    // Documents routinely lose the attribute; an app, installer or a whole tree losing it skips Gatekeeper's check.
    const recursive = options.some((l) => l.includes('r'));
    if (recursive || positionals(inv.args).some((w) => isMacCode(w.lower)))
      out.add(flagSpec('evasion.quarantine.remove', 'xattr strips the quarantine attribute, so Gatekeeper never checks the program.'), [
        commandWord(inv),
      ]);
  } else if (inv.name === 'defaults' && lowers[0] === 'write') {
    const off = lowers.some((l) => l === 'no' || l === 'false' || l === '0');
    if (off && lowers.includes('lsquarantine'))
      out.add(flagSpec('evasion.quarantine.disable', 'defaults write turns off quarantine of downloaded files.'), [commandWord(inv)]);
    else if (off && lowers.includes('globalstate') && lowers.some((l) => l.endsWith('com.apple.alf')))
      out.add(flagSpec('evasion.firewall.disable', 'defaults write turns the macOS application firewall off.'), [commandWord(inv)]);
  }
}

const MAC_CODE_SUFFIXES = ['.app', '.app/', '.pkg', '.mpkg', '.dmg', '.command', '.dylib', '.kext', '.jar'];
function isMacCode(lower: string): boolean {
  return MAC_CODE_SUFFIXES.some((s) => lower.endsWith(s));
}

// --- Masquerading (block) -------------------------------------------------------------------------------

const MASQUERADE_SOURCES = new Set([
  'cmd.exe',
  'powershell.exe',
  'pwsh.exe',
  'certutil.exe',
  'rundll32.exe',
  'regsvr32.exe',
  'mshta.exe',
  'wscript.exe',
  'cscript.exe',
  'bitsadmin.exe',
  'msbuild.exe',
  'installutil.exe',
  'wmic.exe',
  'calc.exe',
  'notepad.exe',
  'conhost.exe',
  'cmstp.exe',
  'msiexec.exe',
  'schtasks.exe',
  'reg.exe',
  'net.exe',
  'whoami.exe',
  'ie4uinit.exe',
  'customshellhost.exe',
  'explorer.exe',
  'taskmgr.exe',
  'procdump.exe',
  'psexec.exe',
]);
const PROTECTED_NAMES = new Set([
  'svchost.exe',
  'lsass.exe',
  'csrss.exe',
  'winlogon.exe',
  'services.exe',
  'smss.exe',
  'explorer.exe',
  'spoolsv.exe',
  'wininit.exe',
  'taskhostw.exe',
  'dllhost.exe',
  'conhost.exe',
  'rundll32.exe',
]);
/** Shells, interpreters and network tools that are copied under a daemon's or a hidden name (`cp /bin/bash /tmp/.sshd`). */
const POSIX_MASQUERADE_SOURCES: ReadonlySet<string> = new Set([
  'bash',
  'sh',
  'dash',
  'zsh',
  'ksh',
  'busybox',
  'nc',
  'ncat',
  'socat',
  'python',
  'python3',
  'perl',
]);
const POSIX_SYSTEM_DIRS = ['/bin/', '/usr/bin/', '/sbin/', '/usr/sbin/', '/usr/local/bin/'];
const POSIX_DAEMON_NAMES: ReadonlySet<string> = new Set([
  'sshd',
  'systemd',
  'systemd-journald',
  'systemd-logind',
  'cron',
  'crond',
  'dbus-daemon',
  'rsyslogd',
  'udevd',
  'init',
  'kthreadd',
  'agetty',
  'polkitd',
  'atd',
  'httpd',
  'nginx',
  'mysqld',
]);
const COPIERS = new Set(['copy', 'copy-item', 'cpi', 'cp', 'xcopy', 'move', 'move-item', 'mv', 'mi']);

/** A system binary copied under another name (`copy cmd.exe C:\svchost.exe`, `copy certutil.exe %temp%\tcm.tmp`). */
function checkMasquerade(inv: Invocation, out: FindingCollector): void {
  if (!COPIERS.has(inv.name)) return;
  const pos = positionals(inv.args).filter((w) => !w.lower.startsWith('-'));
  const source = optionValue(inv.args, 'path', 'literalpath') ?? pos[0];
  const dest = optionValue(inv.args, 'destination') ?? pos[pos.length - 1];
  if (!source || !dest || source === dest) return;
  const srcName = baseName(source.lower);
  const destName = baseName(dest.lower);
  if (POSIX_MASQUERADE_SOURCES.has(srcName) && POSIX_SYSTEM_DIRS.some((d) => source.lower.startsWith(d))) {
    if (destName === srcName || !(destName.startsWith('.') || POSIX_DAEMON_NAMES.has(destName) || destName.startsWith('kworker'))) return;
    out.add(
      blockSpec(
        'evasion.masquerade',
        `Copies the system program ${srcName} to "${destName}", a hidden or system-daemon name: it hides a shell or interpreter from process listings and from the technician reading the logs.`,
      ),
      [commandWord(inv), dest],
    );
    return;
  }
  if (!MASQUERADE_SOURCES.has(srcName)) return;
  if (!(
    source.lower.includes('system32') ||
    source.lower.includes('syswow64') ||
    source.lower.includes('%windir%') ||
    source.lower.includes('$env:windir') ||
    source.lower.includes('c:\\windows')
  ))
    return;
  if (destName === '' || destName === srcName || dest.lower.endsWith('\\') || dest.lower.endsWith('/') || !destName.includes('.')) return;
  // sethc_backup.exe, osk.exe.bak: a backup copy keeps the original name in the new one.
  if (destName.includes(srcName.slice(0, -4))) return;
  const protectedName = PROTECTED_NAMES.has(destName);
  out.add(
    blockSpec(
      'evasion.masquerade',
      `Copies the system binary ${srcName} to "${destName}"${protectedName ? ', the name of a core Windows process' : ''}: renaming a system tool hides its use from detection rules and from the technician reading the logs.`,
    ),
    [commandWord(inv), dest],
  );
}

function checkServicePermissions(inv: Invocation, out: FindingCollector): void {
  if (inv.name === 'sc' && inv.args.some((w) => w.lower === 'sdset')) {
    out.add(
      blockSpec(
        'evasion.service.sdset',
        "sc sdset rewrites a service's security descriptor, which can hide a service or lock administrators out of stopping it.",
      ),
      [commandWord(inv)],
    );
  }
}

// --- Whole-text shapes ---------------------------------------------------------------------------

const AMSI_BYPASS = new NeedleGroup([
  'amsiutils',
  'amsiinitfailed',
  'amsiscanbuffer',
  'amsicontext',
  'amsisession',
  'amsi.dll',
  'amsiopensession',
]);
const INVISIBLE_CHARS = new NeedleGroup([
  '[char]0x200b',
  '[char]0x200c',
  '[char]0x200d',
  '[char]0x200e',
  '[char]0x200f',
  '[char]0x202e',
  '[char]0x2060',
  '[char]0xfeff',
  '[char]8203',
  '[char]8204',
  '[char]8205',
  '[char]8238',
]);

function checkDocumentLevel(doc: Document, out: FindingCollector): void {
  const amsi = docHasAny(doc, AMSI_BYPASS);
  if (
    amsi &&
    docHasAny(doc, ['getfield', 'setvalue', 'virtualprotect', 'getprocaddress', '[ref]', 'marshal]::copy', 'writeprocessmemory'])
  ) {
    out.add(
      blockSpec(
        'evasion.amsi.bypass',
        'Tampers with AMSI in memory so that the Antimalware Scan Interface stops scanning scripts: a standard step before running malicious PowerShell.',
      ),
      searchFirst(doc, amsi),
    );
  }
  if (docHas(doc, 'win32_shadowcopy') && docHasAny(doc, ['.delete(', 'remove-ciminstance', 'remove-wmiobject'])) {
    out.add(
      blockSpec('evasion.shadow-copies.delete', `Deletes Volume Shadow Copies through WMI. ${RECOVERY}`),
      searchFirst(doc, 'win32_shadowcopy'),
    );
  }
  if (docHas(doc, 'delete shadows') && docHas(doc, 'diskshadow')) {
    out.add(
      blockSpec('evasion.shadow-copies.delete', `Deletes shadow copies through diskshadow. ${RECOVERY}`),
      searchFirst(doc, 'delete shadows'),
    );
  }
  const invisible = docHasAny(doc, INVISIBLE_CHARS);
  if (invisible && docHasAny(doc, ['.exe', '.dll', '.ps1', '.bat', '.scr'])) {
    out.add(
      blockSpec(
        'evasion.masquerade.invisible-name',
        'Builds an executable file name containing an invisible or right-to-left character, so the file looks like something else.',
      ),
      searchFirst(doc, invisible),
    );
  }
  if (docHas(doc, '-stream') && docHasAny(doc, ['invoke-expression', 'iex ', 'iex(', 'start-process', '& $'])) {
    out.add(
      blockSpec('evasion.ads.execute', 'Runs code stored in an NTFS alternate data stream, a place ordinary tools and users do not look.'),
      searchFirst(doc, '-stream'),
    );
  }
  if (docHas(doc, 'sedebugprivilege') && docHasAny(doc, ['adjusttokenprivileges', 'dllimport'])) {
    out.add(
      blockSpec(
        'evasion.token.debug-privilege',
        'Enables SeDebugPrivilege through native API calls, which lets the script open and tamper with any process, including security agents and lsass.',
      ),
      searchFirst(doc, 'sedebugprivilege'),
    );
  }
  if (docHas(doc, 'eventlogsession') && docHas(doc, '.clearlog(')) {
    out.add(
      flagSpec('evasion.eventlog.clear', 'EventLogSession.ClearLog clears event logs, erasing the record of what happened.'),
      searchFirst(doc, '.clearlog('),
    );
  }
  const stamp = docHasAny(doc, TIMESTAMP_WRITES);
  if (stamp && (stamp.startsWith('set') || timestampAssignment(doc))) {
    out.add(flagSpec('evasion.timestomp', "Sets a file's timestamps to a chosen date (timestomping)."), searchFirst(doc, stamp));
  }
  if (docHas(doc, 'hist') && doc.assignments?.some((a) => a.value !== undefined && silencesHistory(a.name.toLowerCase() + '=' + a.value))) {
    out.add(
      flagSpec('evasion.history.tamper', 'The shell history is pointed at nothing. Commands run afterwards leave no trace.'),
      searchFirst(doc, 'hist'),
    );
  }
  const svcWord = findSecurityServiceStopInArguments(doc);
  if (svcWord && !out.has('evasion.security-service')) {
    out.add(flagSpec('evasion.security-service.stop', `Stops the security service "${svcWord.value}" through another program.`), [svcWord]);
  }
}

const TIMESTAMP_WRITES = new NeedleGroup([
  'setlastwritetime',
  'setcreationtime',
  'setlastaccesstime',
  '.lastwritetime',
  '.creationtime',
  '.lastaccesstime',
]);

/** `(Get-Item x).LastWriteTime = '01/01/2019'`: a statement assigning to a file's timestamp property. */
function timestampAssignment(doc: Document): boolean {
  for (const c of doc.commands) {
    if (c.words[1]?.value !== '=') continue;
    const target = c.words[0]!.lower;
    if (
      target.endsWith('time') &&
      (target.includes('.lastwritetime') || target.includes('.creationtime') || target.includes('.lastaccesstime'))
    )
      return true;
  }
  return false;
}

/** `AdvancedRun … /CommandLine "stop WinDefend"`: a stop verb and a security service inside one argument. */
function findSecurityServiceStopInArguments(doc: Document): Word | undefined {
  for (const c of doc.commands) {
    for (const w of c.words) {
      // Spaces first, on `value`: lower-casing adds or removes none, and most words need no lower-case copy then.
      if (!w.value.includes(' ') || w.lower.length > 64 || !w.lower.includes('stop')) continue;
      const parts = w.lower.split(' ');
      if (parts[0] !== 'stop' && !parts.includes('stop')) continue;
      for (const p of parts) {
        if (p !== 'stop' && p.length >= 4 && isSecurityServiceName(p)) return w;
      }
    }
  }
  return undefined;
}

/** The per-invocation checks, in order, each with the programs it acts on (none: every program). */
const INVOCATION_CHECKS = new ChecksByName([
  {
    check: checkShadowCopiesAndBackups,
    names: ['vssadmin', 'wmic', 'wbadmin', 'bcdedit', 'diskshadow', 'del', 'erase', 'remove-item', 'rm', 'tmutil', 'schtasks'],
  },
  {
    check: checkDefender,
    names: [
      'set-mppreference',
      'add-mppreference',
      'mpcmdrun',
      'dism',
      'disable-windowsoptionalfeature',
      'uninstall-windowsfeature',
      'remove-windowsfeature',
      'wmic',
      'mdatp',
    ],
  },
  // Every program: a security agent's installer runs under its own name.
  { check: checkSecurityServices },
  { check: checkSecurityAgentRemoval, names: [...PACKAGE_REMOVE_VERBS.keys(), 'kill', ...PIPED_STOPPERS] },
  {
    check: checkEventLogs,
    names: [
      'wevtutil',
      'clear-eventlog',
      'remove-eventlog',
      'clear-winevent',
      'auditpol',
      'auditctl',
      'log',
      'journalctl',
      'logman',
      'appcmd',
      'set-webconfigurationproperty',
      'add-dnsclientnrptrule',
      'new-netqospolicy',
    ],
  },
  {
    check: checkFirewallOff,
    names: ['netsh', 'set-netfirewallprofile', 'ufw', 'iptables', 'ip6tables', 'nft', 'pfctl', 'socketfilterfw', 'esxcli', 'plink', 'ssh'],
  },
  { check: checkMandatoryControls, names: ['setenforce', 'aa-teardown', 'aa-disable', 'spctl', 'csrutil', 'fdesetup', 'sysctl', 'sed'] },
  { check: checkSecurityRegistry, names: [...REGISTRY_WRITER_NAMES, 'remove-item', 'remove-itemproperty'] },
  // Redirections of any command can overwrite a log.
  { check: checkLogFileDestruction },
  { check: checkMasquerade, names: COPIERS },
  { check: checkServicePermissions, names: ['sc'] },
  {
    check: checkHistoryTampering,
    names: ['unset', 'export', 'declare', 'typeset', 'set', 'ln', 'set-psreadlineoption', 'remove-item', 'clear-content'],
  },
  { check: checkTamperingTools, names: ['touch', 'fsutil', 'bcdedit', 'powershell'] },
  { check: checkMacProtections, names: ['xattr', 'defaults'] },
]);
