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
import type { Document, SimpleCommand, Word } from '../analysis/document';
import type { Span } from '../types';
import { KERNEL_ROOTKIT_MODULES } from '../catalog/offensive-tools';
import {
  DEFENDER_DISABLE_PARAMS,
  DEFENDER_EXCLUSION_PARAMS,
  SECURITY_REGISTRY,
  isSecurityAppBundle,
  isSecurityServiceName,
  securityVendorDomain,
} from '../catalog/security-software';
import { globMatch } from '../analysis/names';
import { commandsNestedIn, pipelineNeighbours } from '../analysis/semantics';
import {
  argLowers,
  ChecksByName,
  DocumentCache,
  FindingCollector,
  NeedleGroup,
  baseName,
  commandWord,
  docHas,
  docHasAny,
  findOption,
  invocations,
  lastBefore,
  needlesInDocument,
  optionValue,
  positionals,
  registryValueWrite,
  searchFirst,
  writeTargets,
  type FindingSpec,
  type Invocation,
  TEXT_FILTERS,
  trimQuotes,
  FILE_COPIERS,
  inStagingFolder,
} from './command-match';
import { REGISTRY_WRITER_NAMES, asksForHelp, esxcliPath, registryWriteText } from './persistence';
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
// For the control-plane family: the same codes and wording for what it finds in identity and cloud settings.
export { flagSpec as evasionFlagSpec, blockSpec as evasionBlockSpec };

export const RECOVERY =
  'Deleting shadow copies or backups, or disabling recovery, is the standard first step of ransomware and has no place in remote administration.';

export const defenseEvasionRules: RuleFamily = (doc: Document, _ctx: RuleContext) => {
  const out = new FindingCollector();
  // INVOCATION_CHECKS is at the end of this file: it names constants of the checks.
  INVOCATION_CHECKS.runOver(doc, out);
  checkDocumentLevel(doc, out);
  return out.findings;
};

// --- Recovery destruction (block) ---------------------------------------------------------------

const BACKUP_EXTENSIONS = ['.vhd', '.vhdx', '.bak', '.bac', '.bkf', '.wbcat', '.set', '.win', '.dsk', '.tib', '.vbk', '.vib', '.vrb'];

function checkShadowCopiesAndBackups(inv: Invocation, out: FindingCollector, doc: Document): void {
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
  } else if (n === 'reagentc' && lowers.includes('/disable')) {
    out.add(blockSpec('evasion.recovery.disable', `reagentc /disable turns off the Windows Recovery Environment. ${RECOVERY}`), [
      commandWord(inv),
    ]);
  } else if (n === 'diskshadow' && inv.args.some((w) => w.lower.includes('delete'))) {
    out.add(blockSpec('evasion.shadow-copies.delete', `diskshadow deletes shadow copies. ${RECOVERY}`), [commandWord(inv)]);
  } else if ((n === 'del' || n === 'erase' || n === 'remove-item' || n === 'rm' || n === 'rd' || n === 'rmdir') && inv.args.length > 0) {
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
    else {
      // `rm -rf /var/backups/*`, `Remove-Item D:\Backups\* -Recurse`, `rd /s /q E:\Backup`: the whole folder, not one named file in it.
      const dir = wholeBackupFolderRemoved(inv);
      if (dir !== undefined)
        out.add(blockSpec('evasion.backups.delete', `${n} empties the backup folder ${dir.value}. ${RECOVERY}`), [commandWord(inv), dir]);
    }
  } else if (n === 'remove-vmsnapshot' || n === 'remove-vmcheckpoint') {
    const what = everyCheckpointRemoved(inv, doc);
    if (what) out.add(blockSpec('evasion.backups.delete', `${n} removes ${what}. ${RECOVERY}`), [commandWord(inv)]);
  } else if (n === 'tmutil' && (lowers[0] === 'disable' || lowers[0] === 'delete' || lowers[0] === 'deletelocalsnapshots')) {
    out.add(blockSpec('evasion.backups.timemachine', `tmutil ${lowers[0]} disables Time Machine or deletes its backups. ${RECOVERY}`), [
      commandWord(inv),
    ]);
  } else if (POSIX_SNAPSHOT_TOOLS.has(n)) {
    const what = posixSnapshotDestruction(inv, doc);
    if (what) out.add(blockSpec('evasion.backups.delete', `${what} ${RECOVERY}`), [commandWord(inv)]);
  }
}

/** Files that are a virtual machine's snapshots: VMware's state, metadata and delta disks, Hyper-V's checkpoint disks. */
const VM_SNAPSHOT_FILE_SUFFIXES: readonly string[] = ['.vmsn', '.vmsd', '-delta.vmdk', '-sesparse.vmdk', '.avhdx', '.avhd'];

function namesVmSnapshotFiles(lower: string): boolean {
  const l = trimQuotes(lower);
  return l.includes('*') && VM_SNAPSHOT_FILE_SUFFIXES.some((suffix) => l.endsWith(suffix));
}

/** `find … -delete`, `find … -exec rm {} \;` (also -execdir, -ok; shred, unlink). */
function findDeletes(inv: Invocation): boolean {
  return inv.args.some((w, i) => {
    if (w.lower === '-delete') return true;
    if (w.lower !== '-exec' && w.lower !== '-execdir' && w.lower !== '-ok') return false;
    const cmd = baseName(inv.args[i + 1]?.lower ?? '');
    return cmd === 'rm' || cmd === 'shred' || cmd === 'unlink';
  });
}

const FILE_REMOVERS: ReadonlySet<string> = new Set(['rm', 'del', 'erase', 'remove-item', 'ri', 'unlink', 'shred']);

/**
 * `rm -f /vmfs/volumes/*\/*\/*.vmsn`, `find /vmfs/volumes -name '*-delta.vmdk' | xargs rm -f`, `del /s D:\VMs\*.avhdx`: virtual
 * machines' snapshot files deleted by wildcard, behind the hypervisor's back (it removes snapshots with their VM's own
 * command, `vim-cmd vmsvc/snapshot.remove`, `Remove-VMSnapshot`). The machines lose every restore point.
 */
function checkVmSnapshotFilesRemoved(inv: Invocation, out: FindingCollector, doc: Document): void {
  let pattern: Word | undefined;
  if (FILE_REMOVERS.has(inv.name)) pattern = inv.args.find((w) => namesVmSnapshotFiles(w.lower));
  else if (inv.name === 'find') {
    pattern = inv.args.find(
      (w, k) => k > 0 && (inv.args[k - 1]!.lower === '-name' || inv.args[k - 1]!.lower === '-iname') && namesVmSnapshotFiles(w.lower),
    );
    // Or what it finds piped to a remover (`| xargs rm -f`).
    const deletes =
      pattern !== undefined &&
      (findDeletes(inv) ||
        pipelineNeighbours(doc, inv.command, 'after').some(
          (c) => FILE_REMOVERS.has(c.name) || (c.name === 'xargs' && c.words.some((w) => FILE_REMOVERS.has(w.lower))),
        ));
    if (!deletes) return;
  }
  if (pattern === undefined) return;
  out.add(blockSpec('evasion.backups.delete', `${inv.name} deletes virtual machines' snapshot files (${pattern.value}). ${RECOVERY}`), [
    commandWord(inv),
    pattern,
  ]);
}

// --- Protection scheduled tasks ------------------------------------------------------------------

function namesProtectionTask(lower: string): boolean {
  return lower.includes('windows defender') || lower.includes('systemrestore');
}

/** Whether any word of the text names a Defender or System Restore task (a list of task paths a loop goes through). */
const LISTS_PROTECTION_TASKS = new DocumentCache((doc: Document): boolean =>
  doc.commands.some((c) => c.words.some((w) => namesProtectionTask(w.lower))),
);

/**
 * Disabling or deleting a Defender or System Restore scheduled task (its scans, updates, restore points):
 * `schtasks /change /disable /tn "…\Windows Defender\…"`, `Disable-ScheduledTask -TaskPath "…\Windows
 * Defender\"`, the tasks `Get-ScheduledTask` piped in, or a task name computed in a loop over a list
 * that names such a task.
 */
function checkProtectionTasks(inv: Invocation, out: FindingCollector, doc: Document): void {
  const n = inv.name;
  const disables = n === 'schtasks' ? findOption(inv.args, 'change', 'delete') !== undefined : PS_TASK_DISABLERS.has(n);
  if (!disables) return;
  const named =
    inv.args.find((w) => namesProtectionTask(w.lower)) ??
    pipelineNeighbours(doc, inv.command, 'before')
      .flatMap((c) => c.words)
      .find((w) => namesProtectionTask(w.lower));
  const computed =
    named === undefined && inv.args.some((w) => w.value.includes('$') || w.value.includes('%')) && LISTS_PROTECTION_TASKS.of(doc);
  if (named === undefined && !computed) return;
  out.add(flagSpec('evasion.scheduled-protection', `${inv.name} disables or deletes a System Restore / Defender scheduled task.`), [
    commandWord(inv),
    named,
  ]);
}
const PS_TASK_DISABLERS: ReadonlySet<string> = new Set(['disable-scheduledtask', 'unregister-scheduledtask']);

/** Snapshot and backup tools of Linux, ESXi and NAS systems (`zfs destroy pool@snap`, `vim-cmd vmsvc/snapshot.removeall`). */
const POSIX_SNAPSHOT_TOOLS: ReadonlySet<string> = new Set([
  'zfs',
  'lvremove',
  'btrfs',
  'snapper',
  'timeshift',
  'vim-cmd',
  'proxmox-backup-client',
  'restic',
  'borg',
  'find',
]);
/** Folder names that hold backups or snapshots (`/var/backups`, `/mnt/nas/backups`, `/.snapshots`, `@snapshots`). */
const BACKUP_FOLDER_NAMES: ReadonlySet<string> = new Set([
  'backup',
  'backups',
  'snapshot',
  'snapshots',
  'timeshift',
  'timeshift-btrfs',
  'rsnapshot',
]);

/** Whether a path names a backup or snapshot folder or lies inside one (a loop's expanded items are comma-joined). */
function backupDirectory(lower: string): boolean {
  if (!lower.includes('backup') && !lower.includes('snapshot') && !lower.includes('timeshift')) return false;
  for (const segment of lower.split(/[/\\,]/)) {
    let seg = segment;
    while (seg.startsWith('.') || seg.startsWith('@')) seg = seg.slice(1);
    if (BACKUP_FOLDER_NAMES.has(seg)) return true;
  }
  return false;
}

/** `/var/backups/*`, `/backup/`, `/srv/backups`: the folder itself or all of its contents, not one named file in it. */
function wholeBackupFolder(lower: string): boolean {
  let path = lower;
  if (path.endsWith('/*')) path = path.slice(0, -2);
  while (path.endsWith('/')) path = path.slice(0, -1);
  const name = baseName(path);
  let seg = name;
  while (seg.startsWith('.') || seg.startsWith('@')) seg = seg.slice(1);
  if (BACKUP_FOLDER_NAMES.has(seg) || (lower.endsWith('/*') && backupDirectory(path))) return true;
  // `/srv/rsnapshot/daily.*`: every backup set of a kind, by a wildcard that ends the name (not `*.tmp`, not `*.log`).
  const parent = path.slice(0, Math.max(path.length - name.length - 1, 0));
  return name.endsWith('*') && name.length > 1 && backupDirectory(parent);
}

/**
 * The backup folder a recursive or whole-folder wildcard removal empties: `rm -rf /var/backups/*`, `rm -r /backup/`,
 * `Remove-Item 'D:\Hyper-V\Backups\*' -Recurse`, `rd /s /q E:\Backup`, `del /q F:\Backups\*`.
 */
function wholeBackupFolderRemoved(inv: Invocation): Word | undefined {
  const windows = inv.command.shell === 'cmd' || inv.command.shell === 'powershell';
  if (!windows && inv.name !== 'rm') return undefined;
  let recursive = false;
  for (const w of inv.args) {
    const v = w.value;
    if (windows) recursive ||= /^\/s$/i.test(v) || /^-r(e(c(u(r(se?)?)?)?)?)?$/i.test(v);
    else if (v === '--recursive' || (v.startsWith('-') && !v.startsWith('--') && (v.includes('r') || v.includes('R')))) recursive = true;
  }
  for (const w of inv.args) {
    if (w.value.startsWith('-') || (windows && /^\/[a-z]$/i.test(w.value))) continue;
    const path = windows ? w.lower.replace(/\\/g, '/') : w.lower;
    if (wholeBackupFolder(path) && (recursive || path.endsWith('/*'))) return w;
  }
  return undefined;
}

/** Listings that pass on Hyper-V checkpoints (or the machines whose checkpoints a remover then takes). */
const CHECKPOINT_LISTERS: ReadonlySet<string> = new Set(['get-vmsnapshot', 'get-vmcheckpoint', 'get-vm']);

/**
 * What a Hyper-V checkpoint removal takes when it takes all of them, or undefined: `-Name *`, or the checkpoints (or
 * machines) of a listing piped straight in with no name or filter. Removing a named checkpoint, or those a
 * `Where-Object` keeps (older than a week), is housekeeping.
 */
function everyCheckpointRemoved(inv: Invocation, doc: Document): string | undefined {
  const name = optionValue(inv.args, 'name');
  if (name !== undefined) return trimQuotes(name.value) === '*' ? 'every checkpoint of the virtual machines' : undefined;
  const before = pipelineNeighbours(doc, inv.command, 'before', 1)[0];
  if (before === undefined || !CHECKPOINT_LISTERS.has(before.name)) return undefined;
  const listed = optionValue(before.words.slice(1), 'name');
  if (listed !== undefined && trimQuotes(listed.value) !== '*') return undefined;
  return before.name === 'get-vm' ? 'every checkpoint of the virtual machines listed' : 'every checkpoint listed';
}

/** Whether the argument after `-keep-…` options leaves nothing: `restic forget --keep-last 0`. */
function keepsNothing(inv: Invocation): boolean {
  let keeps = 0;
  const args = inv.args;
  for (let i = 0; i < args.length; i++) {
    const l = args[i]!.lower;
    if (!l.startsWith('--keep-')) continue;
    keeps++;
    const eq = l.indexOf('=');
    const value = eq >= 0 ? l.slice(eq + 1) : (args[i + 1]?.lower ?? '');
    if (value !== '0' && !(value.startsWith('0') && value.length <= 3 && !value.includes('.'))) return false;
  }
  return keeps > 0;
}

/**
 * The snapshots the text takes itself, by base name (`data_snap` of `lvcreate -s -n data_snap /dev/vg0/data`,
 * `db@bk` of `zfs snapshot tank/db@bk`, the target of `btrfs subvolume snapshot`): a backup script's temporary copy.
 */
const OWN_SNAPSHOTS = new DocumentCache((doc: Document): ReadonlySet<string> => {
  const own = new Set<string>();
  for (const c of doc.commands) {
    const args = c.words.slice(1);
    if (c.name === 'lvcreate' && args.some((w) => w.lower === '--snapshot' || /^-[a-z]*s[a-z]*$/i.test(w.value))) {
      const name = optionValue(args, 'n', 'name');
      if (name !== undefined) own.add(baseName(name.lower));
    } else if (c.name === 'zfs' && args[0]?.lower === 'snapshot') {
      for (const w of args.slice(1)) if (w.lower.includes('@')) own.add(baseName(w.lower));
    } else if (c.name === 'btrfs' && args[0]?.lower.startsWith('sub') && args[1]?.lower === 'snapshot') {
      const target = positionals(args)
        .filter((w) => !w.value.startsWith('-'))
        .at(-1);
      if (target !== undefined) own.add(baseName(target.lower));
    }
  }
  return own;
});

/**
 * The destruction of snapshots or backups by a Linux, ESXi or NAS tool, described, or undefined. Retention with a
 * policy (`restic forget --keep-daily 7`, `find /backup -mtime +30 -delete`, `snapper cleanup number`), listing and
 * creating snapshots, and removing a dataset or volume that is not a snapshot are ordinary administration.
 */
function posixSnapshotDestruction(inv: Invocation, doc: Document): string | undefined {
  const n = inv.name;
  const lowers = argLowers(inv);
  const all = positionals(inv.args).filter((w) => !w.value.startsWith('-'));
  const own = OWN_SNAPSHOTS.of(doc);
  // The snapshots a backup script took itself (`lvcreate -s -n data_snap`, `zfs snapshot tank/db@bk`), removed once copied:
  // when those are all that is removed (after the sub-command words), nothing else is destroyed.
  const targets = own.size === 0 ? all : all.filter((w) => !own.has(baseName(w.lower)));
  const verbs = n === 'zfs' ? 1 : n === 'btrfs' ? 2 : n === 'lvremove' ? 0 : -1;
  if (targets.length < all.length && targets.length === verbs) return undefined;
  switch (n) {
    case 'zfs': {
      if (lowers[0] !== 'destroy') return undefined;
      const datasets = targets.slice(1);
      if (datasets.some((w) => w.lower.includes('@') || backupDirectory(w.lower))) return 'zfs destroy deletes ZFS snapshots.';
      // `zfs list -t snapshot -o name | xargs -n1 zfs destroy`, `for s in $(zfs list -t snapshot …); do zfs destroy "$s"`.
      const unknown = datasets.length === 0 || datasets.some((w) => w.value.includes('$'));
      return unknown && docHas(doc, 'snapshot') ? 'zfs destroy is fed the list of ZFS snapshots.' : undefined;
    }
    case 'lvremove': {
      const select = optionValue(inv.args, 's', 'select');
      if (select && (select.lower.includes('snap') || select.lower.includes('origin') || select.lower.includes('~^s')))
        return 'lvremove selects and removes LVM snapshots.';
      const volumes = select ? [] : targets;
      if (volumes.some((w) => baseName(w.lower).includes('snap') || baseName(w.lower).includes('backup')))
        return 'lvremove removes LVM snapshot or backup volumes.';
      return volumes.length === 0 && !select && docHas(doc, 'snap') ? 'lvremove is fed a list of LVM snapshots.' : undefined;
    }
    case 'btrfs': {
      const sub = lowers[0] ?? '';
      const verb = targets[1]?.lower ?? '';
      if (!(sub.length >= 2 && 'subvolume'.startsWith(sub) && verb.length >= 2 && 'delete'.startsWith(verb))) return undefined;
      return targets.slice(2).some((w) => backupDirectory(w.lower)) ? 'btrfs subvolume delete removes snapshot subvolumes.' : undefined;
    }
    case 'snapper': {
      const verb = targets.find((w) => w.lower === 'delete' || w.lower === 'remove' || w.lower === 'rm');
      return verb && targets.indexOf(verb) <= 1 ? `snapper ${verb.lower} deletes filesystem snapshots.` : undefined;
    }
    case 'timeshift':
      return lowers.includes('--delete-all') || lowers.includes('--delete') ? 'timeshift deletes system snapshots.' : undefined;
    case 'vim-cmd':
      return lowers[0]?.endsWith('snapshot.removeall') ? 'vim-cmd removes every snapshot of a virtual machine.' : undefined;
    case 'proxmox-backup-client':
      return lowers[0] === 'forget' || (lowers[0] === 'snapshot' && lowers[1] === 'forget')
        ? 'proxmox-backup-client forget deletes backup snapshots.'
        : undefined;
    case 'restic':
      return lowers.includes('forget') && keepsNothing(inv)
        ? 'restic forget with a policy that keeps nothing deletes every snapshot.'
        : undefined;
    case 'borg': {
      const verb = targets[0]?.lower;
      if (verb === 'repo-delete' || verb === 'rdelete') return 'borg deletes the whole backup repository.';
      if (verb !== 'delete') return undefined;
      const every = optionValue(inv.args, 'glob-archives', 'a', 'match-archives');
      if (every && (every.lower === '*' || every.lower === "'*'" || every.lower === '"*"')) return 'borg delete removes every archive.';
      return targets.length >= 2 && !targets.slice(1).some((w) => w.value.includes('::'))
        ? 'borg delete removes the whole backup repository.'
        : undefined;
    }
    case 'find': {
      // `find /backup -type f -delete`, `find /mnt/nas/backups -exec rm {} \;`; an age filter (`-mtime +30`) is retention.
      const roots: Word[] = [];
      for (const w of inv.args) {
        if (w.value.startsWith('-') || w.value === '(' || w.value === '!') break;
        roots.push(w);
      }
      if (!roots.some((w) => backupDirectory(w.lower)) || olderThanFilter(inv)) return undefined;
      return findDeletes(inv) ? 'find deletes every file in a backup folder.' : undefined;
    }
    default:
      return undefined;
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
    // `-AttackSurfaceReductionRules_Actions Disabled` (or AuditMode, 0, 2): rules that block what malware does, switched off.
    const asr = optionValue(inv.args, 'attacksurfacereductionrules_actions');
    if (asr && asr.lower.split(',').some((v) => ['disabled', 'auditmode', '0', '2', 'warn', '6'].includes(trimQuotes(v)))) {
      out.add(
        flagSpec('evasion.defender.disable', `${n} switches attack surface reduction rules to ${asr.value}: what they block is allowed.`),
        [commandWord(inv), asr],
      );
      return;
    }
    for (const w of inv.args) {
      if (!w.lower.startsWith('-')) continue;
      const p = defenderParameter(w.lower.slice(1).split(':')[0]!);
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
  // Only 2 (NeverSend) stops samples reaching Microsoft; 0 (AlwaysPrompt) asks the user each time.
  ['submitsamplesconsent', new Set(['0', '1', '3', 'alwaysprompt', 'sendsafesamples', 'sendallsamples'])],
  ['puaprotection', new Set(['1', 'enabled'])],
  ['enablecontrolledfolderaccess', new Set(['1', 'enabled'])],
  ['enablenetworkprotection', new Set(['1', 'enabled'])],
]);

/** `-DisableRealtimeMonitoring $false` turns protection back on: the value, attached (`-p:$false`) or the next word, decides. */
/** Every Set-/Add-MpPreference parameter the checks know, for PowerShell's unambiguous prefixes (`-DisableRe`). */
const DEFENDER_PARAMS: readonly string[] = [...DEFENDER_EXCLUSION_PARAMS, ...DEFENDER_DISABLE_PARAMS];

/**
 * The known parameter an abbreviated name stands for: the first that starts with it when all that do are
 * of one kind (all exclusions, or all switches that turn a protection off), else the name itself.
 */
function defenderParameter(name: string): string {
  if (DEFENDER_EXCLUSION_PARAMS.has(name) || DEFENDER_DISABLE_PARAMS.has(name) || name.length < 6) return name;
  const matches = DEFENDER_PARAMS.filter((p) => p.startsWith(name));
  const first = matches[0];
  if (first === undefined) return name;
  const kind = DEFENDER_EXCLUSION_PARAMS.has(first) ? DEFENDER_EXCLUSION_PARAMS : DEFENDER_DISABLE_PARAMS;
  return matches.every((p) => kind.has(p)) ? first : name;
}

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
  // A named value may be written short (`-SubmitSamplesConsent Always`): the value it begins.
  if (enabling) return enabling.has(value) || (value.length >= 4 && [...enabling].some((v) => v.startsWith(value)));
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

/** Signals that make a daemon reload or reopen its logs rather than stop. */
const RELOAD_SIGNALS = new Set(['-hup', '-1', '-sighup', '-usr1', '-sigusr1', '-usr2', '-sigusr2', '--signal=hup']);

/** `-HUP`, `-s HUP`, `--signal USR1` among a kill command's arguments. */
function sendsReloadSignal(lowers: readonly string[]): boolean {
  return lowers.some((l, k) => RELOAD_SIGNALS.has(l) || ((l === '-s' || l === '--signal') && RELOAD_SIGNALS.has('-' + lowers[k + 1])));
}

/** Verbs that start a service again. */
const START_VERBS: ReadonlySet<string> = new Set([
  'start',
  'restart',
  'reload-or-restart',
  'try-restart',
  'load',
  'bootstrap',
  'kickstart',
]);

/** Whether a later command of the text starts the same service again (`systemctl start X`, `service X start`, `Start-Service X`). */
/**
 * Service name (as written, lower case) → where the last command that starts it again begins: `Start-Service x`,
 * `systemctl start x`, `/etc/init.d/x start`. One pass per document, so that checking every stop of a long script stays linear.
 */
const LAST_STARTS = new DocumentCache((doc: Document): Map<string, number> => {
  const last = new Map<string, number>();
  const note = (name: string, at: number) => {
    if ((last.get(name) ?? -1) < at) last.set(name, at);
  };
  for (const i of invocations(doc)) {
    if (!(i.name === 'start-service' || i.name === 'restart-service' || i.args.some((w) => START_VERBS.has(w.lower)))) continue;
    const at = i.command.span.start;
    for (const w of i.args) note(w.lower, at);
    // `/etc/init.d/vmsyslogd start`: the init script is named by its path.
    if (i.nameWord !== undefined && isInitScriptPath(i.nameWord.lower)) note(baseName(i.nameWord.lower), at);
  }
  return last;
});

function startedAgainLater(doc: Document, stop: Invocation, service: string): boolean {
  const from = stop.command.span.end;
  const starts = LAST_STARTS.of(doc);
  return (starts.get(service) ?? -1) >= from || (starts.get(service + '.service') ?? -1) >= from;
}

/**
 * `/etc/init.d/vmsyslogd stop`, `rc-service auditd stop`, `chmod -x /etc/init.d/rsyslog`: a SysV or OpenRC init script (ESXi,
 * Alpine, older Linux) stopped or made unrunnable. The script is the service: its name says what stops.
 */
function initScriptStop(inv: Invocation): Word | undefined {
  const lowers = argLowers(inv);
  if (inv.name === 'rc-service') return lowers.includes('stop') ? inv.args.find((w) => !w.lower.startsWith('-')) : undefined;
  if (inv.name === 'chmod') {
    if (!lowers.some((l) => l === '-x' || l === 'a-x' || l === 'ugo-x' || l === '000' || l === '0000')) return undefined;
    return inv.args.find((w) => isInitScriptPath(w.lower));
  }
  const path = inv.nameWord?.lower;
  return path !== undefined && isInitScriptPath(path) && lowers[0] === 'stop' ? inv.nameWord : undefined;
}

function isInitScriptPath(lower: string): boolean {
  return lower.startsWith('/etc/init.d/') || lower.startsWith('/etc/rc.d/');
}

function checkSecurityServices(inv: Invocation, out: FindingCollector, doc: Document): void {
  const n = inv.name;
  const script = initScriptStop(inv);
  if (script !== undefined) {
    const token = isSecurityServiceName(script.lower);
    if (token && !startedAgainLater(doc, inv, baseName(script.lower)))
      out.add(
        flagSpec(
          'evasion.security-service.stop',
          `${n} stops or disables the init script "${script.value}", a security, logging or firewall component.`,
        ),
        [commandWord(inv), script],
      );
    return;
  }
  const verbs = STOP_VERBS.get(n);
  if (verbs) {
    const lowers = argLowers(inv);
    const hasVerb = verbs.has('*') || lowers.some((l) => verbs.has(l)) || n === 'pkill' || n === 'killall';
    if (!hasVerb) return;
    // `pkill -HUP rsyslogd`, `kill -USR1 …`: a reload or log-rotation signal leaves the service running.
    if (sendsReloadSignal(lowers)) return;
    // `sc config X start= auto` re-enables; only disabling counts.
    if (n === 'sc' && lowers[0] === 'config' && !lowers.includes('disabled')) return;
    if (n === 'sysrc' && !lowers.some((l) => l.includes('_enable=') && (l.endsWith('no') || l.endsWith('"no"')))) return;
    for (const w of inv.args) {
      if (w.lower.startsWith('-') && !w.lower.endsWith('.plist')) continue;
      const name = w.lower.includes('_enable=') ? w.lower.slice(0, w.lower.indexOf('_enable=')) : w.lower;
      const token = isSecurityServiceName(name);
      if (token) {
        // `systemctl stop clamav-freshclam; freshclam; systemctl start clamav-freshclam`: stopped for maintenance and started again.
        if (startedAgainLater(doc, inv, name)) return;
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
  // An EDR agent's own control tool switching its protection off (`sentinelctl unprotect`, `unload -slam`).
  if (inv.name.endsWith('ctl') && AGENT_OFF_VERBS.has(positionals(inv.args)[0]?.lower ?? '') && isSecurityServiceName(inv.name)) {
    out.add(flagSpec('evasion.security-service.stop', `${inv.name} switches its own protection off (${inv.args[0]!.value}).`), [
      commandWord(inv),
    ]);
    return;
  }
  // Uninstalling an EDR sensor through its own installer (WindowsSensor.exe /uninstall); the name is
  // looked up last, as few commands have an argument that says uninstall.
  if (inv.nameWord && inv.args.some((w) => w.lower.includes('uninstall')) && isSecurityServiceName(inv.name)) {
    out.add(flagSpec('evasion.security-service.uninstall', `Uninstalls the security agent "${inv.name}".`), [commandWord(inv)]);
    return;
  }
  // A vendor's own uninstaller run from its folder: `/opt/sophos-spl/bin/uninstall.sh`, `…\CrowdStrike\CSUninstallTool.exe`.
  const vendor = inv.nameWord && inv.name.includes('uninstall') ? securityFolderOf(inv.nameWord.lower) : undefined;
  if (vendor)
    out.add(flagSpec('evasion.security-service.uninstall', `Runs the uninstaller of the security agent in "${vendor}".`), [
      commandWord(inv),
    ]);
}

/** The folder of a path that names a security product (`sophos-spl` in `/opt/sophos-spl/bin/uninstall.sh`), if any. */
function securityFolderOf(path: string): string | undefined {
  const parts = path.split(/[\\/]/);
  for (let k = 0; k < parts.length - 1; k++) {
    const part = parts[k] as string;
    if (part.length >= 4 && isSecurityServiceName(part)) return part;
  }
  return undefined;
}

/**
 * `Get-CimInstance Win32_Product | ? Name -like '*Sophos*' | Invoke-CimMethod -MethodName Uninstall`,
 * `(Get-WmiObject Win32_Product -Filter "Name like '%CrowdStrike%'").Uninstall()`, `wmic product where "name like
 * '%Sophos%'" call uninstall`, `msiexec /x $p.IdentifyingNumber` of a product looked up by name: a security product
 * removed through Windows Installer's WMI class (wmic's `product` alias).
 */
function checkSecurityProductUninstall(doc: Document, out: FindingCollector): void {
  // One needle first (`win32_product` and wmic's alias both hold it): this runs for every text.
  if (!docHas(doc, 'product')) return;
  if (!docHas(doc, 'win32_product') && !doc.commands.some((c) => c.name === 'wmic' && c.words.some((w) => w.lower === 'product'))) return;
  // Or the product's code given to `msiexec /x $p.IdentifyingNumber`.
  const removes =
    docHas(doc, 'uninstall') || doc.commands.some((c) => c.name === 'msiexec' && c.words.some((w) => /^[-/]x$/i.test(w.value)));
  if (!removes) return;
  for (const c of doc.commands) {
    for (const w of c.words) {
      const name = w.lower.replace(/[*%'"]/g, '');
      if (name.length < 4 || name.length > 64) continue;
      const product = isSecurityServiceName(name);
      if (product) {
        out.add(flagSpec('evasion.security-service.uninstall', `Uninstalls the security product "${w.value}" through Win32_Product.`), [w]);
        return;
      }
    }
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
/** EventTracingManagement cmdlets that take a provider out of a trace session or autologger, or end one. */
const ETW_SESSION_REMOVERS: ReadonlySet<string> = new Set([
  'remove-etwtraceprovider',
  'stop-etwtracesession',
  'remove-etwtracesession',
  'remove-autologgerconfig',
]);

/** The trace sessions that feed the event log (`EventLog-Security`, `EventLog-Application`) or a security agent. */
function namesLoggingSession(lower: string): boolean {
  return lower.includes('eventlog-') || lower.includes('defender') || lower.includes('sysmon');
}

/** What a security agent's control tool (`…ctl`: SentinelOne's sentinelctl, Sophos' sophosctl …) is told that turns it off. */
const AGENT_OFF_VERBS: ReadonlySet<string> = new Set(['unprotect', 'unload', 'disable', 'stop', 'kill']);

/** Cmdlets that act on the services or processes piped into them (`Get-Service WinDefend | Stop-Service`). */
const PIPED_STOPPERS: ReadonlySet<string> = new Set(['stop-service', 'set-service', 'suspend-service', 'stop-process']);
const SERVICE_LISTERS: ReadonlySet<string> = new Set(['get-service', 'get-process', 'get-ciminstance', 'get-wmiobject']);
/** Cmdlets that pass on some of the items piped into them. */
const PIPELINE_FILTERS: ReadonlySet<string> = new Set(['where-object', 'sort-object', 'select-object']);

/**
 * A security agent removed by its package manager (`yum remove falcon-sensor`), killed by PID lookup
 * (`kill -9 $(pgrep -f osqueryd)`, `kill $(ps ax | grep falcond | awk '{print $1}')`, or a variable holding one)
 * or stopped through a pipeline whose first command names it.
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
    if (sendsReloadSignal(argLowers(inv))) return;
    const looked = lookedUpAgent(inv, doc);
    if (looked) {
      out.add(flagSpec('evasion.security-service.stop', `kill stops the security process "${looked.value}" its PIDs were looked up by.`), [
        commandWord(inv),
        looked,
      ]);
      return;
    }
    for (const w of inv.args) {
      for (const k of w.nested ?? []) {
        const lookup = doc.commands[k];
        if (!lookup || !PID_LOOKUPS.has(lookup.name)) continue;
        const agent = securityProcessNamed(lookup);
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
    // The listing may be narrowed by filters on the way (`Get-Service | ? DisplayName -like '*Sophos*' | Stop-Service`).
    const upstream = pipelineNeighbours(doc, inv.command, 'before', 4);
    const listerAt = upstream.findIndex((c) => !PIPELINE_FILTERS.has(c.name));
    const lister = upstream[listerAt];
    if (!lister || !SERVICE_LISTERS.has(lister.name)) return;
    const filters = upstream.slice(0, listerAt).flatMap((f) => [f, ...commandsNestedIn(doc, f.words)]);
    const agent = securityProcessNamed(lister) ?? filters.map(securityProcessNamed).find((w) => w !== undefined);
    if (agent)
      out.add(
        flagSpec('evasion.security-service.stop', `${n} stops or disables "${agent.value}", a security, logging or firewall component.`),
        [commandWord(inv), agent],
      );
  }
}

/** The security service or process a lookup or listing command names (`pgrep falcond`, `Get-Service WinDefend`), if any. */
function securityProcessNamed(command: SimpleCommand): Word | undefined {
  return command.words.find((x, i) => i > 0 && !x.lower.startsWith('-') && isSecurityServiceName(x.lower));
}

/** Variable name → where it is assigned a pipeline's output, in text order (computed once per document). */
const COMPUTED_ASSIGNMENTS = new DocumentCache((doc: Document): ReadonlyMap<string, { start: number; pipeline: number }[]> => {
  const byName = new Map<string, { start: number; pipeline: number }[]>();
  for (const a of doc.assignments ?? []) {
    if (a.pipeline === undefined) continue;
    const list = byName.get(a.name);
    const entry = { start: a.span.start, pipeline: a.pipeline };
    if (list) list.push(entry);
    else byName.set(a.name, [entry]);
  }
  for (const list of byName.values()) list.sort((x, y) => x.start - y.start);
  return byName;
});

/** The pipeline whose output `name` holds at `position`: its last computed assignment before it (binary search). */
function assignedPipelineAt(doc: Document, name: string, position: number): number | undefined {
  const list = COMPUTED_ASSIGNMENTS.of(doc).get(name);
  return list === undefined ? undefined : lastBefore(list, position, (a) => a.start)?.pipeline;
}

/** Programs that find the PIDs of a process by name (`ps -ax | grep Sophos | awk '{print $1}'`). */
const PID_LOOKUPS: ReadonlySet<string> = new Set(['pgrep', 'pidof', 'grep', 'egrep', 'awk']);

/**
 * `pids=$(ps -ax | grep Sophos | awk '{print $1}'); kill $pids`: the security process named in the
 * lookup whose output the variable holds.
 */
function lookedUpAgent(inv: Invocation, doc: Document): Word | undefined {
  for (const w of inv.args) {
    const v = w.value;
    if (!v.startsWith('$')) continue;
    const name = v.startsWith('${') ? v.slice(2, v.indexOf('}') < 0 ? v.length : v.indexOf('}')) : v.slice(1);
    const pipeline = assignedPipelineAt(doc, name, inv.command.span.start);
    for (const index of pipeline === undefined ? [] : (doc.pipelines[pipeline] ?? [])) {
      const lookup = doc.commands[index];
      if (lookup === undefined || !PID_LOOKUPS.has(lookup.name)) continue;
      const agent = securityProcessNamed(lookup);
      if (agent) return agent;
    }
  }
  return undefined;
}

/**
 * Where products are installed, in lower case with forward slashes: a security product's bundle, folder
 * or launchd job there, deleted, is the product removed (`rm -rf "/Applications/Sophos Endpoint.app"`).
 */
const PRODUCT_ROOTS: readonly { root: string; launchd?: true }[] = [
  { root: '/library/launchdaemons/', launchd: true },
  { root: '/library/launchagents/', launchd: true },
  { root: '/library/application support/' },
  { root: '/library/' },
  { root: '/applications/' },
  { root: '/opt/' },
  { root: 'program files/' },
  { root: 'program files (x86)/' },
  { root: 'programfiles/' },
  { root: 'programfiles%/' },
  { root: 'programfiles(x86)%/' },
  { root: 'programdata/' },
  { root: 'programdata%/' },
];
const PRODUCT_REMOVERS: ReadonlySet<string> = new Set(['rm', 'srm', 'del', 'erase', 'rd', 'rmdir', 'remove-item']);

/** The security product a deleted path is the bundle, folder or launchd job of (not a file inside it), if any. */
function securityProductPath(lower: string): string | undefined {
  let p = trimQuotes(lower).replace(/\\/g, '/');
  while (p.endsWith('/') || p.endsWith('/*')) p = p.slice(0, p.endsWith('*') ? -2 : -1);
  for (const { root, launchd } of PRODUCT_ROOTS) {
    const at = p.indexOf(root);
    // At the start, after a drive, `~` or an environment variable (`$env:ProgramFiles/`, `%ProgramData%/`).
    if (at < 0 || (at > 0 && !/(^~|^[a-z]:\/?|[:%{]|^\$env:|\/)$/.test(p.slice(0, at)))) continue;
    const child = p.slice(at + root.length);
    if (child.length === 0 || child.length > 128 || child.includes('/')) continue;
    if (launchd) return isSecurityAppBundle(child.endsWith('.plist') ? child.slice(0, -6) : child) ? child : undefined;
    const name = child.endsWith('.app') ? child.slice(0, -4) : child;
    return isSecurityServiceName(name) !== undefined ? child : undefined;
  }
  return undefined;
}

/** Deleting a security product's application bundle, install folder or launchd job: the product removed without its uninstaller. */
function checkSecurityProductFilesRemoved(inv: Invocation, out: FindingCollector): void {
  for (const w of inv.args) {
    if (w.value.startsWith('-')) continue;
    const product = securityProductPath(w.lower);
    if (product === undefined) continue;
    out.add(
      flagSpec('evasion.security-service.uninstall', `${inv.name} deletes ${w.value}, the files of a security product, removing it.`),
      [commandWord(inv), w],
    );
    return;
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
    else if (sub === 'um' || sub === 'uninstall-manifest')
      out.add(
        flagSpec('evasion.eventlog.provider-removed', 'wevtutil uninstalls an event provider manifest: its events are no longer logged.'),
        [commandWord(inv), inv.args[0]],
      );
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
    lowers.some((l) => l.startsWith('--vacuum') && (l.endsWith('=0') || l.endsWith('=1s') || l.endsWith('=1') || tinyJournalSize(l)))
  ) {
    out.add(flagSpec('evasion.eventlog.clear', 'journalctl vacuums the whole systemd journal.'), [commandWord(inv)]);
  } else if (
    n === 'logman' &&
    (lowers[0] === 'stop' || lowers[0] === 'delete' || lowers[0] === 'update') &&
    lowers.some((l) => l.includes('eventlog-') || l === '-ets')
  ) {
    out.add(flagSpec('evasion.etw.tamper', 'logman stops or changes an event-trace session that feeds the event log.'), [commandWord(inv)]);
  } else if (ETW_SESSION_REMOVERS.has(n) && lowers.some(namesLoggingSession)) {
    out.add(
      flagSpec(
        'evasion.etw.tamper',
        `${n} removes or stops a provider or session of an event-trace logger that feeds the event log or a security agent.`,
      ),
      [commandWord(inv)],
    );
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
  'localcli',
  'plink',
  'ssh',
]);

/** ufw's sub-command and its argument, after options such as `--force` and `--dry-run`. */
function ufwVerb(lowers: readonly string[]): string[] {
  return lowers.filter((l) => !l.startsWith('-')).slice(0, 2);
}

function ufwTurnsOff(lowers: readonly string[]): boolean {
  const [verb, arg] = ufwVerb(lowers);
  return verb === 'disable' || verb === 'reset' || (verb === 'logging' && arg === 'off');
}

/** Whether the word after `key` is a value the analysis could not resolve: a variable or expression left as written. */
function unknownValueAfter(lowers: readonly string[], key: string): boolean {
  const at = lowers.indexOf(key);
  const value = at >= 0 ? lowers[at + 1] : undefined;
  return value !== undefined && (value.startsWith('$') || value.startsWith('%') || value.startsWith('!'));
}

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
  else if (n === 'netsh' && lowers.includes('advfirewall') && unknownValueAfter(lowers, 'state'))
    what = 'netsh sets the Windows Firewall state to a value only known when the script runs (it may be off).';
  else if (n === 'set-netfirewallprofile' && text.includes('-enabled') && (text.includes('false') || text.includes(' 0')))
    what = 'Set-NetFirewallProfile turns the Windows Firewall off.';
  else if (n === 'set-netfirewallprofile' && unknownValueAfter(lowers, '-enabled'))
    what = 'Set-NetFirewallProfile sets the firewall to a value only known when the script runs (it may be off).';
  else if (n === 'ufw' && ufwTurnsOff(lowers)) what = `ufw ${ufwVerb(lowers).join(' ')} disables the firewall or its logging.`;
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
  else if (
    (n === 'esxcli' || n === 'localcli') &&
    text.includes('firewall') &&
    (text.includes('--enabled false') || text.includes('--default-action true'))
  )
    what = `${n} opens the ESXi firewall.`;
  else if (n === 'plink' || n === 'ssh') {
    if (text.includes('esxcli network firewall set')) what = 'A remote esxcli command opens the ESXi firewall.';
  }
  if (what) out.add(flagSpec('evasion.firewall.disable', what), [commandWord(inv)]);
}

// --- ESXi hardening and logging ----------------------------------------------------------------

/** The value an esxcli option is given (`-i 0`, `--int-value=0`, `--loghost=''` → ''), or undefined when the option is absent. */
function esxcliOption(args: readonly Word[], ...keys: string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const w = args[i]!;
    const l = w.lower;
    const dashes = l.startsWith('--') ? 2 : l.startsWith('-') ? 1 : 0;
    if (dashes === 0) continue;
    const eq = l.indexOf('=');
    const key = l.slice(dashes, eq < 0 ? l.length : eq);
    if (!keys.includes(key)) continue;
    if (eq >= 0) return unquote(l.slice(eq + 1));
    const next = args[i + 1];
    return next && !next.lower.startsWith('-') ? unquote(next.lower) : '';
  }
  return undefined;
}

function unquote(l: string): string {
  return l === "''" || l === '""' ? '' : l;
}

const ESXCLI_FALSE: ReadonlySet<string> = new Set(['false', '0', 'no', 'off', 'f']);
/** Log folders whose contents do not survive a reboot, or go nowhere. */
const VOLATILE_LOG_DIRS = ['/tmp', '/dev/null', '/var/tmp'];

/**
 * ESXi ransomware preparation: `execInstalledOnly` switched off (`esxcli system settings advanced set
 * -o /User/execInstalledOnly -i 0`, `… kernel set -s execInstalledOnly -v FALSE`, `… encryption set
 * --require-exec-installed-only=F`), so the host runs binaries that no signed VIB installed, and the
 * host's logging cut (`syslog config set --loghost=''` or `--logdir=/tmp`, `auditrecords … disable`).
 * Reading the settings, turning the protection on and pointing logs at another collector stay allowed.
 */
function checkEsxiTampering(inv: Invocation, out: FindingCollector): void {
  const path = esxcliPath(inv);
  const args = inv.args;
  let what: string | undefined;
  let ruleId = 'evasion.esxi.exec-installed-only';
  if (path === 'system settings advanced set') {
    const option = esxcliOption(args, 'o', 'option');
    if (option?.endsWith('/user/execinstalledonly') && esxcliOption(args, 'i', 'int-value') === '0')
      what = `${inv.name} turns off /User/execInstalledOnly: the ESXi host runs binaries no signed package installed.`;
  } else if (path === 'system settings kernel set') {
    const setting = esxcliOption(args, 's', 'setting');
    const value = esxcliOption(args, 'v', 'value');
    if (setting === 'execinstalledonly' && value !== undefined && ESXCLI_FALSE.has(value))
      what = `${inv.name} turns off the execInstalledOnly kernel setting: the ESXi host runs binaries no signed package installed.`;
  } else if (path === 'system settings encryption set') {
    const value = esxcliOption(args, 'require-exec-installed-only', 'e') ?? esxcliOption(args, 'require-secure-boot', 's');
    if (value !== undefined && ESXCLI_FALSE.has(value))
      what = `${inv.name} drops the enforced execInstalledOnly / secure-boot requirement of the ESXi host.`;
  } else if (path === 'system syslog config set') {
    ruleId = 'evasion.esxi.logging';
    const loghost = esxcliOption(args, 'loghost');
    const logdir = esxcliOption(args, 'logdir');
    const reset = esxcliOption(args, 'reset');
    if (loghost === '' || reset === 'loghost') what = `${inv.name} removes the remote syslog collector: the host's logs stop leaving it.`;
    else if (logdir !== undefined && VOLATILE_LOG_DIRS.some((d) => logdir === d || logdir.startsWith(d + '/')))
      what = `${inv.name} moves the host's logs to ${logdir}, where they do not survive a reboot.`;
  } else if (path === 'system auditrecords local disable' || path === 'system auditrecords remote disable') {
    ruleId = 'evasion.esxi.logging';
    what = `${inv.name} ${path} turns off ESXi audit records.`;
  }
  if (what) out.add(flagSpec(ruleId, what), [commandWord(inv)]);
}

// --- macOS privacy database (TCC) ---------------------------------------------------------------

/** Both TCC databases (per user and system-wide) end in this path. */
const TCC_DATABASE = 'com.apple.tcc/tcc.db';
/** SQL statements that change a table. */
const SQL_WRITES: ReadonlySet<string> = new Set(['insert', 'update', 'delete', 'replace', 'drop', 'alter', 'create']);

/** Whether an SQL text contains a statement that writes (word by word, letters only). */
function sqlWrites(lower: string): boolean {
  let word = '';
  for (let i = 0; i <= lower.length; i++) {
    const c = i < lower.length ? lower.charCodeAt(i) : 32;
    if (c >= 97 && c <= 122) word += lower[i];
    else {
      if (SQL_WRITES.has(word)) return true;
      word = '';
    }
  }
  return false;
}

/**
 * `sqlite3 ~/Library/Application\ Support/com.apple.TCC/TCC.db "INSERT INTO access …"`: camera,
 * screen-recording or Full Disk Access granted (or a grant removed) behind the user's back by
 * writing the privacy database directly (T1548, TCC bypass); blocked — managed Macs grant these
 * through PPPC configuration profiles. Reading it (`SELECT`) shows which apps hold which
 * permissions and is flagged. `tccutil reset SERVICE BUNDLE` revokes one app's permission: blocked
 * for security and management agents (it blinds them); for other apps it is a support step
 * (re-prompting a meeting client for the camera) and allowed, as `tccutil reset Camera` or `All` is.
 */
function checkPrivacyDatabase(inv: Invocation, out: FindingCollector, doc: Document): void {
  if (inv.name === 'tccutil') {
    const words = positionals(inv.args);
    if (words[0]?.lower !== 'reset' || words.length < 3) return;
    const bundle = words[2]!;
    if (isSecurityAppBundle(bundle.lower))
      out.add(
        blockSpec(
          'evasion.tcc.revoke',
          `tccutil revokes the privacy permission (${words[1]!.value}) of the security agent ${bundle.value}, so it can no longer see what it protects.`,
        ),
        [commandWord(inv), bundle],
      );
    return;
  }
  const db = inv.args.find((w) => w.lower.includes(TCC_DATABASE));
  if (!db) {
    checkForensicStoreSql(inv, out, doc);
    return;
  }
  const write = sqlWriteWord(inv, doc, db);
  if (write)
    out.add(
      blockSpec(
        'evasion.tcc.write',
        'Writes the macOS privacy database (TCC.db) directly, granting or removing camera, microphone, screen-recording or Full Disk Access permissions without the user or an MDM profile: a TCC bypass.',
      ),
      [commandWord(inv), db, write],
    );
  else
    out.add(flagSpec('evasion.tcc.read', 'Reads the macOS privacy database (TCC.db): which apps hold which privacy permissions.'), [
      commandWord(inv),
      db,
    ]);
}

/** The SQL an sqlite3 invocation runs that writes, as an argument or piped in (`echo "INSERT …" | sqlite3 db`). */
function sqlWriteWord(inv: Invocation, doc: Document, db: Word): Word | undefined {
  const piped = pipelineNeighbours(doc, inv.command, 'before', 2).flatMap((c) => c.words.slice(1));
  return [...inv.args, ...piped].find((w) => w !== db && sqlWrites(w.lower));
}

/**
 * macOS stores that record what the user downloaded and ran: the quarantine events database (every
 * file downloaded, from where, by which app) and KnowledgeC (app usage, a timeline of activity).
 * Emptying them removes the record an investigation starts from (T1070).
 */
const FORENSIC_STORES: ReadonlyArray<{ needle: string; what: string }> = [
  { needle: 'com.apple.launchservices.quarantineevents', what: 'the quarantine events database (the record of every download)' },
  { needle: 'knowledgec.db', what: 'the KnowledgeC database (the timeline of app usage)' },
];

function forensicStore(lower: string): string | undefined {
  return FORENSIC_STORES.find((s) => lower.includes(s.needle))?.what;
}

/**
 * `sqlite3 ~/Library/Preferences/com.apple.LaunchServices.QuarantineEventsV2 "DELETE FROM LSQuarantineEvent"`:
 * clearing a forensic store, flagged like clearing event logs. Reading it (`SELECT`) is how an
 * investigator or a technician finds where a file came from, and is allowed.
 */
function checkForensicStoreSql(inv: Invocation, out: FindingCollector, doc: Document): void {
  let what: string | undefined;
  const db = inv.args.find((w) => (what = forensicStore(w.lower)) !== undefined);
  if (!db || !what) return;
  const write = sqlWriteWord(inv, doc, db);
  if (write) out.add(flagSpec('evasion.forensics.clear', `${inv.name} deletes records from ${what}.`), [commandWord(inv), db, write]);
}

/** Writers whose words are written text, not options: `echo -h 0 > …` writes `-h 0`. */
const TEXT_WRITERS: ReadonlySet<string> = new Set(['echo', 'printf', 'tee']);

/**
 * `aa-teardown -h`, `spctl --master-disable --help`, `aa-complain --version`: a help or version switch
 * prints and changes nothing. Persistence's help switches plus the short and version spellings, which
 * the security tools read as help everywhere (persistence cannot: `-h` is a host or a home elsewhere).
 */
function printsHelpOrVersion(inv: Invocation): boolean {
  if (TEXT_WRITERS.has(inv.name)) return false;
  if (asksForHelp(inv)) return true;
  return inv.args.some((w) => w.lower === '-h' || w.value === '-V' || w.lower === '--version');
}

/** apparmor_parser short options that take a value: a cluster ends at them (`-Lcache`, `-oout`). */
const APPARMOR_PARSER_VALUE_OPTIONS = 'bDfIjLmMnoO';

/**
 * Whether an apparmor_parser word is the short option `letter` or a cluster holding it (`-rC`).
 * Case-sensitive: `-R` removes, `-r` replaces, `-C` is complain mode, `-Q` skips the kernel load.
 */
function apparmorParserOption(value: string, letter: string): boolean {
  if (value.length < 2 || value[0] !== '-' || value[1] === '-') return false;
  for (let i = 1; i < value.length; i++) {
    const c = value[i]!;
    if (c === letter) return true;
    if (APPARMOR_PARSER_VALUE_OPTIONS.includes(c)) return false;
  }
  return false;
}

/** apparmor_parser runs that never reach the kernel: preprocess, skip the load, write to stdout or a file, list names. */
const APPARMOR_PARSER_OFFLINE_LONG: ReadonlySet<string> = new Set(['--preprocess', '--skip-kernel-load', '--stdout', '--ofile', '--names']);
const APPARMOR_PARSER_OFFLINE_SHORT = ['p', 'Q', 'S', 'o', 'N'];

/**
 * `apparmor_parser -R profile` removes a profile from the kernel (the program runs unconfined);
 * `-C`/`--complain` loads it in complain mode (logged, not enforced): the aa-disable / aa-complain
 * techniques through the parser. `-r`/`-a` (load or replace, enforced) and offline runs stay allowed.
 */
function apparmorParserWeakens(inv: Invocation): string | undefined {
  let remove = false;
  let complain = false;
  for (const w of inv.args) {
    const v = w.value;
    if (v.length < 2 || v[0] !== '-') continue;
    if (v[1] === '-') {
      const key = w.lower.split('=')[0]!;
      if (APPARMOR_PARSER_OFFLINE_LONG.has(key)) return undefined;
      if (key === '--remove') remove = true;
      else if (key === '--complain') complain = true;
      continue;
    }
    if (APPARMOR_PARSER_OFFLINE_SHORT.some((letter) => apparmorParserOption(v, letter))) return undefined;
    if (apparmorParserOption(v, 'R')) remove = true;
    if (apparmorParserOption(v, 'C')) complain = true;
  }
  if (remove) return 'apparmor_parser -R removes AppArmor profiles from the kernel: the programs run unconfined.';
  if (complain) return 'apparmor_parser -C loads AppArmor profiles in complain mode, which logs but no longer enforces.';
  return undefined;
}

function checkMandatoryControls(inv: Invocation, out: FindingCollector): void {
  const n = inv.name;
  if (printsHelpOrVersion(inv)) return;
  const lowers = argLowers(inv);
  let what: string | undefined;
  if (n === 'setenforce' && (lowers[0] === '0' || lowers[0] === 'permissive')) what = 'setenforce 0 switches SELinux to permissive.';
  else if (n === 'aa-teardown' || (n === 'aa-disable' && inv.args.length > 0)) what = `${n} unloads AppArmor profiles.`;
  else if (n === 'aa-complain' && inv.args.length > 0)
    what = 'aa-complain switches AppArmor profiles to complain mode, which logs but no longer enforces.';
  else if (n === 'apparmor_parser') what = apparmorParserWeakens(inv);
  else if (n === 'mokutil' && lowers.includes('--disable-validation'))
    what = 'mokutil --disable-validation turns off Secure Boot signature checks in shim.';
  else if (n === 'spctl' && lowers.some((l) => l === '--master-disable' || l === '--global-disable' || l === '--disable'))
    what = 'spctl disables Gatekeeper.';
  else if (n === 'csrutil' && lowers[0] === 'disable') what = 'csrutil disable turns off System Integrity Protection.';
  else if (
    n === 'defaults' &&
    lowers[0] === 'write' &&
    lowers.includes('gkautorearm') &&
    lowers.some((l) => l === 'false' || l === '0' || l === 'no')
  )
    what = 'defaults write GKAutoRearm false keeps Gatekeeper from turning itself back on after it was disabled.';
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
  else if (n === 'sed' && lowers.some((l) => l === '-i' || l.startsWith('-i') || l === '--in-place') && lowers.some(isLogPath))
    what = 'sed edits a log file in place: lines are removed or rewritten in the record (log scrubbing).';
  else if (
    (n === 'echo' || n === 'printf' || n === 'tee') &&
    lowers.includes('0') &&
    writeTargets(inv).some((t) => t.lower.endsWith('/proc/sys/kernel/randomize_va_space'))
  )
    what = 'Writing 0 to randomize_va_space disables address-space layout randomisation.';
  else if (n === 'set-executionpolicy' && lowers.some((l) => l === 'unrestricted' || l === 'bypass')) what = undefined; // routine for script running; not evasion
  if (what) out.add(flagSpec('evasion.security-control.disable', what), [commandWord(inv)]);
}

/** `--vacuum-size=1K`: a journal shrunk to a few megabytes at most keeps almost nothing. */
function tinyJournalSize(option: string): boolean {
  if (!option.startsWith('--vacuum-size=')) return false;
  const m = /^([0-9]{1,9})([kmg]?)$/.exec(option.slice(14));
  if (!m) return false;
  const n = Number(m[1]);
  return m[2] === 'g' ? false : m[2] === 'm' ? n <= 8 : true;
}

/** Cloud audit trails switched off or deleted (T1562.008): by CLI sub-command path. */
const CLOUD_LOGGING_OFF: readonly { cli: string; path: readonly string[]; what: string; when?: (inv: Invocation) => boolean }[] = [
  { cli: 'aws', path: ['cloudtrail', 'stop-logging'], what: 'stops a CloudTrail trail' },
  { cli: 'aws', path: ['cloudtrail', 'delete-trail'], what: 'deletes a CloudTrail trail' },
  { cli: 'aws', path: ['guardduty', 'delete-detector'], what: 'deletes the GuardDuty detector' },
  { cli: 'aws', path: ['config', 'stop-configuration-recorder'], what: 'stops AWS Config recording' },
  { cli: 'aws', path: ['config', 'delete-configuration-recorder'], what: 'deletes the AWS Config recorder' },
  { cli: 'az', path: ['monitor', 'diagnostic-settings', 'delete'], what: 'deletes an Azure diagnostic setting (where logs are sent)' },
  { cli: 'az', path: ['monitor', 'log-profiles', 'delete'], what: 'deletes an Azure activity-log profile' },
  { cli: 'gcloud', path: ['logging', 'sinks', 'delete'], what: 'deletes a Cloud Logging sink' },
  { cli: 'gcloud', path: ['logging', 'buckets', 'delete'], what: 'deletes a Cloud Logging bucket' },
  // A sink narrowed to almost nothing (`--log-filter="severity>=EMERGENCY"`) exports as little as a deleted one.
  {
    cli: 'gcloud',
    path: ['logging', 'sinks', 'update'],
    what: "changes a Cloud Logging sink's filter",
    when: (inv) => optionValue(inv.args, 'log-filter') !== undefined,
  },
  {
    cli: 'az',
    path: ['security', 'pricing', 'create'],
    what: 'switches a Microsoft Defender for Cloud plan to the free tier (no threat detection)',
    when: (inv) => optionValue(inv.args, 'tier')?.lower === 'free',
  },
];

function checkCloudLogging(inv: Invocation, out: FindingCollector): void {
  const words = positionals(inv.args).map((w) => w.lower);
  const hit = CLOUD_LOGGING_OFF.find((c) => c.cli === inv.name && c.path.every((p, i) => words[i] === p) && (c.when?.(inv) ?? true));
  if (hit)
    out.add(flagSpec('evasion.cloud-logging', `${inv.name} ${hit.what}: the cloud account's audit record stops.`), [commandWord(inv)]);
}

/**
 * Application control removed (T1562.001): AppLocker replaced by a policy file without `-Merge`, WDAC policies removed with
 * CiTool or deleted from CiPolicies\Active, Entra conditional access turned off or to report-only.
 */
function checkApplicationControl(inv: Invocation, out: FindingCollector): void {
  const n = inv.name;
  const lowers = argLowers(inv);
  let what: string | undefined;
  if (n === 'set-applockerpolicy' && !lowers.includes('-merge'))
    what = 'Set-AppLockerPolicy replaces the AppLocker policy (without -Merge).';
  else if (n === 'citool' && lowers.some((l) => l === '--remove-policy' || l === '-rp'))
    what = 'CiTool removes a Windows Defender Application Control policy.';
  else if (
    (n === 'remove-item' || n === 'del' || n === 'erase' || n === 'rm') &&
    lowers.some((l) => l.includes('\\codeintegrity\\cipolicies'))
  )
    what = `${n} deletes Windows Defender Application Control policy files.`;
  else if (n === 'update-mgidentityconditionalaccesspolicy') {
    const state = optionValue(inv.args, 'state');
    if (state && (state.lower.includes('disabled') || state.lower.includes('reporting')))
      what = `Conditional access is set to ${state.value}: its sign-in controls no longer apply.`;
  }
  if (what) out.add(flagSpec('evasion.security-control.disable', what), [commandWord(inv)]);
}

/**
 * PowerShell 7's `$PSHOME\RegisterManifest.ps1 -Unregister` removes its event provider (script-block logging, 4104). Written
 * without `&` it stands as an expression, so the command word is looked at before any argument is.
 */
function checkProviderUnregistered(inv: Invocation, out: FindingCollector): void {
  if (inv.name !== 'registermanifest' && !(inv.command.words[0]?.lower.endsWith('\\registermanifest.ps1') ?? false)) return;
  if (!inv.args.some((w) => w.lower === '-unregister')) return;
  out.add(
    flagSpec(
      'evasion.eventlog.provider-removed',
      "RegisterManifest.ps1 -Unregister removes PowerShell's event provider: its script-block and engine events are no longer logged.",
    ),
    [commandWord(inv)],
  );
}

// --- Kernel-module rootkits (T1014) ------------------------------------------------------------

/** Diamorphine's signals: 31 hides or shows a process, 63 the module itself, 64 makes the caller root. */
const ROOTKIT_SIGNALS: ReadonlySet<string> = new Set(['31', '63', '64']);

/** `insmod /path/diamorphine.ko`, `modprobe reptile_module`, `insmod rootkit.ko`: the module name without path or `.ko`. */
function rootkitModule(w: Word): boolean {
  let name = baseName(w.lower);
  if (name.endsWith('.ko.xz') || name.endsWith('.ko.gz')) name = name.slice(0, -6);
  else if (name.endsWith('.ko')) name = name.slice(0, -3);
  return KERNEL_ROOTKIT_MODULES.has(name) || name.includes('rootkit');
}

/**
 * Loading a known kernel-module rootkit (Diamorphine, Reptile, Suterusu, adore-ng …), or sending
 * Diamorphine's hide signals (`kill -31 PID`, `kill -63 0`, `kill -s 64`). Blocked: hiding
 * processes and modules from the administrator has no administrative reading. Ordinary modules
 * (`modprobe br_netfilter`) and ordinary signals stay allowed.
 */
function checkKernelRootkit(inv: Invocation, out: FindingCollector): void {
  if (inv.name === 'kill') {
    const args = inv.args;
    for (let i = 0; i < args.length; i++) {
      const v = args[i]!.value;
      const signal = v === '-s' || v === '-n' ? args[i + 1]?.value : v.startsWith('-') ? v.slice(1) : undefined;
      if (signal !== undefined && ROOTKIT_SIGNALS.has(signal)) {
        out.add(
          blockSpec(
            'evasion.rootkit',
            `kill -${signal} is a kernel rootkit's (Diamorphine's) command to hide a process or the module, or to grant root.`,
          ),
          [commandWord(inv), args[i]!],
        );
        return;
      }
    }
    return;
  }
  const module = inv.args.find((w) => !w.value.startsWith('-') && rootkitModule(w));
  if (module)
    out.add(
      blockSpec(
        'evasion.rootkit',
        `${inv.name} loads ${module.value}, a known kernel-module rootkit that hides processes, files and itself.`,
      ),
      [commandWord(inv), module],
    );
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

/**
 * `New-ItemProperty -Path "…\Explorer\VolumeCaches\Windows Defender" -Name StateFlags0112 -Value 2`: Disk Cleanup's handlers
 * are named after what they clean (Defender's old scan files among them), and a `StateFlagsNNNN` value only selects one
 * for `cleanmgr /sagerun:NNNN`. No setting of the component changes.
 */
function diskCleanupSelection(text: string, viaVariable: boolean, doc: Document): boolean {
  if (!/(^|[\s:/-])stateflags\d{4}\b/.test(text) || text.includes('\\policies\\')) return false;
  return text.includes('\\volumecaches\\') || (viaVariable && docHas(doc, '\\volumecaches\\'));
}

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
  if (text.includes('uselogoncredential') && text.includes('wdigest') && setsOne(inv)) {
    out.add(
      {
        code: 'credential_access',
        ruleId: 'evasion.wdigest.cleartext',
        standard: 'block',
        extended: 'block',
        message:
          'Sets WDigest UseLogonCredential to 1, so Windows keeps the cleartext password of every user who logs on in LSASS memory, ready to be dumped.',
      },
      [commandWord(inv), write?.word],
    );
    return;
  }
  const loc = SECURITY_REGISTRY.find((s) => text.includes(s.needle));
  if (loc && !hardens(inv) && !createsEmptyKey(inv) && !diskCleanupSelection(text, write?.viaVariable === true, doc)) {
    out.add(flagSpec('evasion.registry', `Changes ${loc.what} in the registry.`), [commandWord(inv), write?.word]);
    return;
  }
  // `reg add HKLM\SYSTEM\CurrentControlSet\Services\SysmonDrv /v Start /d 4`: a security component's service entry.
  const service = serviceKeyName(text);
  const component = service === undefined ? undefined : isSecurityServiceName(service);
  if (component !== undefined) {
    out.add(
      flagSpec(
        'evasion.registry',
        `Changes the service entry of "${service}", a security, logging or firewall component, in the registry.`,
      ),
      [commandWord(inv), write?.word],
    );
  }
}

/** `New-Item HKLM:\…\ScriptBlockLogging -Force`: a key made with no value sets nothing; the values written into it decide. */
function createsEmptyKey(inv: Invocation): boolean {
  return (
    (inv.name === 'new-item' || inv.name === 'ni') && optionValue(inv.args, 'value') === undefined && positionals(inv.args).length <= 1
  );
}

/** The service a registry path names (`…\currentcontrolset\services\sysmondrv` → `sysmondrv`), or undefined. */
function serviceKeyName(text: string): string | undefined {
  const at = text.indexOf('controlset\\services\\');
  if (at < 0) return undefined;
  const from = at + 20;
  let end = from;
  while (end < text.length && end - from < 128 && !'\\ "\''.includes(text[end]!)) end++;
  return end > from ? text.slice(from, end) : undefined;
}

/** Values whose protective setting is not what their name says (`DisableRestrictedAdmin = 0` turns pass-the-hash logons on). */
const PROTECTIVE_VALUES: ReadonlyMap<string, (n: number) => boolean> = new Map([
  ['runasppl', (n) => n >= 1],
  ['lsacfgflags', (n) => n >= 1],
  // Device Guard: 1 requires Secure Boot, 3 Secure Boot and DMA protection; both are what enabling VBS asks for.
  ['requireplatformsecurityfeatures', (n) => n >= 1],
  ['disablerestrictedadmin', (n) => n === 1],
  ['nolmhash', (n) => n === 1],
  ['lmcompatibilitylevel', (n) => n >= 3],
  ['disabledomaincreds', (n) => n === 1],
  ['userauthentication', (n) => n === 1],
  ['consentpromptbehavioradmin', (n) => n === 1 || n === 2],
  ['localaccounttokenfilterpolicy', (n) => n === 0],
  ['autoadminlogon', (n) => n === 0],
  ['etwenabled', (n) => n === 1],
  ['noautoupdate', (n) => n === 0],
  ['norun', (n) => n === 0],
  // Office: 2 disables macros with a notification, 3 all but signed ones, 4 all; only 1 lets every macro run.
  ['vbawarnings', (n) => n >= 2],
]);

/**
 * A registry write that turns a protection on: `Disable…` set to 0, `Enable…` set to 1 or more
 * (`EnableLUA = 1`, `EnableScriptBlockLogging = 1`), or a known value at its protective setting
 * (`RunAsPPL = 1`). Hardening is ordinary administration, not evasion.
 */
function hardens(inv: Invocation): boolean {
  const written = registryValueWrite(inv);
  const name = written?.name;
  const data = written?.value?.replace(/["']/g, '');
  if (name === undefined || data === undefined) return false;
  const n = data.startsWith('dword:') ? parseInt(data.slice(6), 16) : data.startsWith('0x') ? parseInt(data.slice(2), 16) : Number(data);
  if (!Number.isInteger(n)) return false;
  const known = PROTECTIVE_VALUES.get(name);
  if (known) return known(n);
  if (name.startsWith('disable')) return n === 0;
  if (name.startsWith('enable')) return n >= 1;
  return false;
}

/** The value a registry write sets is 1 (`/d 1`, `-Value 1`, `0x00000001`): turning a setting on. */
function setsOne(inv: Invocation): boolean {
  const v = registryValueWrite(inv)?.value;
  return v === '1' || v === '0x1' || v === '0x00000001' || v === 'dword:00000001';
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
const DESTROYERS = new Set(['rm', 'unlink', 'shred', 'srm', 'truncate', 'del', 'remove-item', 'wipe', 'erase']);

/** `C:\Windows\Prefetch\*.pf`, `$env:SystemRoot\prefetch\…`, `%windir%\Prefetch`. */
function isPrefetchPath(lower: string): boolean {
  const at = lower.indexOf('\\prefetch');
  if (at < 0) return false;
  const before = lower.slice(0, at);
  return (
    before.endsWith('windows') ||
    before.endsWith('systemroot') ||
    before.endsWith('windir') ||
    before.endsWith('windir%') ||
    before.endsWith('systemroot%')
  );
}

function isLogPath(lower: string): boolean {
  return LOG_LOCATIONS.some((l) => lower.includes(l));
}

/**
 * Names under /var/log that are the system's own record, never a product's folder: deleting them is
 * log tampering whatever else the text removes.
 */
const SYSTEM_LOG_NAMES: ReadonlySet<string> = new Set([
  'syslog',
  'auth.log',
  'kern.log',
  'daemon.log',
  'user.log',
  'sudo.log',
  'boot.log',
  'dpkg.log',
  'wtmp',
  'btmp',
  'utmp',
  'lastlog',
  'faillog',
  'tallylog',
  'journal',
  'audit',
  'messages',
  'secure',
  'maillog',
  'cron',
  'dmesg',
  'apt',
  'installer',
  'sa',
  'sysstat',
  'private',
]);

/** Where a product's files live: a removed path here names the product (`/var/lib/rustdesk-server`, `/usr/bin/hbbs`). */
const PRODUCT_LOCATIONS = ['/opt/', '/var/lib/', '/var/opt/', '/var/cache/', '/etc/', '/usr/', '/lib/', '/srv/'];
const UNIT_SUFFIXES = ['.service', '.socket', '.timer'];

/** `rustdesk-server` → `rustdesk`, `zabbix-agent` → `zabbix`: the name up to its first separator, if that is a word. */
function productStem(name: string): string {
  let i = 0;
  while (i < name.length && name[i] !== '-' && name[i] !== '_' && name[i] !== '.' && name[i] !== '@') i++;
  return i >= 3 ? name.slice(0, i) : name;
}

function unitName(name: string): string {
  for (const suffix of UNIT_SUFFIXES) if (name.endsWith(suffix)) return name.slice(0, -suffix.length);
  return name;
}

/**
 * Stems of the products the document uninstalls: packages removed by a package manager, units
 * disabled or masked, and product files or folders deleted (units, binaries, data and config folders).
 * Computed once per document, and only when a product log folder is deleted.
 */
const UNINSTALLED_PRODUCTS = new DocumentCache((doc: Document): ReadonlySet<string> => {
  const stems = new Set<string>();
  for (const inv of invocations(doc)) {
    const n = inv.name;
    const removeVerbs = PACKAGE_REMOVE_VERBS.get(n);
    if (removeVerbs) {
      if (!argLowers(inv).some((l) => removeVerbs.has(l))) continue;
      for (const w of positionals(inv.args)) if (!removeVerbs.has(w.lower)) stems.add(productStem(trimQuotes(w.lower)));
    } else if (n === 'systemctl') {
      const lowers = argLowers(inv);
      if (!lowers.includes('disable') && !lowers.includes('mask')) continue;
      for (const w of positionals(inv.args))
        if (w.lower !== 'disable' && w.lower !== 'mask') stems.add(productStem(unitName(trimQuotes(w.lower))));
    } else if (DESTROYERS.has(n)) {
      for (const w of positionals(inv.args)) {
        const quoted = trimQuotes(w.lower);
        let end = quoted.length;
        while (end > 1 && quoted[end - 1] === '/') end--;
        const path = quoted.slice(0, end);
        if (!PRODUCT_LOCATIONS.some((prefix) => path.startsWith(prefix))) continue;
        const name = unitName(baseName(path));
        if (name.length > 0 && !name.includes('*')) stems.add(productStem(name));
      }
    }
  }
  return stems;
});

/**
 * `rm -rf /var/log/rustdesk-server/` in the text that also disables rustdesk-hbbs and deletes
 * /var/lib/rustdesk-server: an uninstall removing the product's own log folder, not tampering with
 * the record. Only a named sub-folder of /var/log qualifies (never /var/log itself, a glob, a `.log`
 * file or a system log), and only when the same product is uninstalled in the same text.
 */
function uninstalledProductLogs(lower: string, doc: Document): boolean {
  const path = trimQuotes(lower);
  if (!path.startsWith('/var/log/')) return false;
  const rest = path.slice('/var/log/'.length);
  const slash = rest.indexOf('/');
  const name = slash < 0 ? rest : rest.slice(0, slash);
  if (name.length === 0 || name.endsWith('.log') || SYSTEM_LOG_NAMES.has(name)) return false;
  for (let i = 0; i < name.length; i++) if (name[i] === '*' || name[i] === '?' || name[i] === '[' || name[i] === '$') return false;
  return UNINSTALLED_PRODUCTS.of(doc).has(productStem(name));
}

function checkLogFileDestruction(inv: Invocation, out: FindingCollector, doc: Document): void {
  if (DESTROYERS.has(inv.name)) {
    // truncate -s +50M grows a file; only truncating to zero destroys.
    if (inv.name === 'truncate' && !inv.args.some((w) => w.lower === '0' || w.lower === '--size=0' || w.lower === '-s0')) return;
    const prefetch = positionals(inv.args).find((w) => isPrefetchPath(w.lower));
    if (prefetch) {
      out.add(
        flagSpec('evasion.prefetch.delete', `${inv.name} deletes Windows Prefetch files, the record of which programs ran and when.`),
        [commandWord(inv), prefetch],
      );
      return;
    }
    let store: string | undefined;
    const storeWord = positionals(inv.args).find((w) => (store = forensicStore(w.lower)) !== undefined);
    if (storeWord && store) {
      out.add(flagSpec('evasion.forensics.clear', `${inv.name} deletes ${store}.`), [commandWord(inv), storeWord]);
      return;
    }
    const target = positionals(inv.args).find((w) => isLogPath(w.lower) && !uninstalledProductLogs(w.lower, doc));
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
  const emptied = targets.find((t) => forensicStore(t.lower) !== undefined);
  if (emptied && inv.command.redirects.some((r) => r.op === '>' && r.target === emptied)) {
    out.add(flagSpec('evasion.forensics.clear', `Empties ${forensicStore(emptied.lower)!}.`), [commandWord(inv), emptied]);
    return;
  }
  const overwritten = targets.find((t) => isLogPath(t.lower) && !t.lower.endsWith('.log.bak'));
  if (
    (overwritten &&
      // An append (`echo done >> /var/log/x.log`, a script's own log) destroys nothing.
      inv.command.redirects.some((r) => r.op === '>' && r.target === overwritten)) ||
    (overwritten && inv.name === 'dd')
  ) {
    if (inv.name === 'tee' || inv.name === 'cp') return;
    // A program started with its output sent to its own log (`nohup worker > /var/log/app/worker.out &`) writes a
    // log rather than destroying one; replacing a log's text is done with echo, printf, cat, `:` or dd.
    if (!LOG_REPLACERS.has(inv.name)) return;
    out.add(flagSpec('evasion.logs.delete', `Overwrites a log file (${overwritten.value}).`), [commandWord(inv), overwritten]);
  }
}

/** Commands whose output replaces a file's text with what they print (nothing, or chosen text). */
const LOG_REPLACERS: ReadonlySet<string> = new Set([
  '',
  ':',
  'true',
  'false',
  'echo',
  'printf',
  'cat',
  'dd',
  'head',
  'tail',
  'write-output',
  'set-content',
  'out-file',
]);

/** `find /var/log -mtime +30 -delete`: removing only old files is log retention, not destroying the record. */
function olderThanFilter(inv: Invocation): boolean {
  const args = inv.args;
  for (let i = 0; i + 1 < args.length; i++) {
    const l = args[i]!.lower;
    // `+30` (older than) or `30` (that age exactly, a common slip for the same intent): only files of some age go.
    if ((l === '-mtime' || l === '-mmin' || l === '-ctime' || l === '-cmin' || l === '-atime') && /^\+?0*[1-9]/.test(args[i + 1]!.lower))
      return true;
  }
  return false;
}

// --- Shell history, timestamps and the change journal -------------------------------------------

/** Shell variables that, emptied, pointed at /dev/null or set to zero, stop the history being written. */
const HISTORY_VARIABLES: ReadonlySet<string> = new Set(['histfile', 'histsize', 'histfilesize', 'savehist']);
const HISTORY_FILES = ['.bash_history', '.zsh_history', '.sh_history', 'consolehost_history', 'historysavepath'];

/** Registry keys that keep what was typed into Win+R (RunMRU) and Explorer's address bar (TypedPaths). */
const RUN_HISTORY_KEYS = ['\\explorer\\runmru', '\\explorer\\typedpaths'];
const RUN_HISTORY_REMOVERS: ReadonlySet<string> = new Set(['remove-itemproperty', 'clear-itemproperty', 'remove-item']);

function silencesHistory(assignment: string): boolean {
  const eq = assignment.indexOf('=');
  if (eq < 0) return false;
  const name = assignment.slice(0, eq);
  const value = trimQuotes(assignment.slice(eq + 1));
  // `HISTIGNORE='*'` keeps every command out of the history; `HISTCONTROL=ignorespace` every command typed after a space.
  if (name === 'histignore') return value === '*' || value.startsWith('*:') || value.endsWith(':*');
  if (name === 'histcontrol') return value.includes('ignorespace') || value.includes('ignoreboth');
  if (!HISTORY_VARIABLES.has(name)) return false;
  return value === '' || value === '/dev/null' || value === '0';
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
    (n === 'remove-item' || n === 'clear-content' || n === 'del' || n === 'erase') &&
    lowers.some((l) => l.includes('historysavepath') || l.includes('consolehost_history'))
  )
    what = `${n} deletes the PowerShell history file.`;
  else if (
    (RUN_HISTORY_REMOVERS.has(n) || (n === 'reg' && lowers[0] === 'delete')) &&
    lowers.some((l) => RUN_HISTORY_KEYS.some((k) => l.includes(k)))
  )
    what = `${n} clears what was typed into the Run dialog or Explorer's address bar, where paste-and-run lures are entered.`;
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
  } else if (n === 'bcdedit' && lowers.includes('/set') && lowers.some((l) => l === 'safeboot' || l === 'safebootalternateshell')) {
    // `/deletevalue {current} safeboot` leaves Safe Mode again; only `/set` sends the next boot into it.
    out.add(
      flagSpec(
        'evasion.safe-mode-boot',
        'bcdedit makes Windows boot into Safe Mode, where most security agents and their drivers do not start.',
      ),
      [commandWord(inv)],
    );
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
  // macOS daemons
  'launchd',
  'mds',
  'mds_stores',
  'mdworker',
  'mdworker_shared',
  'softwareupdated',
  'trustd',
  'syspolicyd',
  'coreservicesd',
  'cfprefsd',
  'mdnsresponder',
  'securityd',
  'xprotectservice',
  'windowserver',
  'loginwindow',
  'kernel_task',
]);
const COPIERS = new Set(['copy', 'copy-item', 'cpi', 'cp', 'xcopy', 'move', 'move-item', 'mv', 'mi', 'ditto']);
/** Files that are not programs: a copy under an Apple-style name is a backup or a configuration file. */
const DATA_SUFFIXES = ['.plist', '.bak', '.old', '.orig', '.txt', '.log', '.db', '.json', '.xml', '.conf', '.tar', '.gz', '.zip'];

/**
 * `com.apple.softwareupdated`, `softwareupdated`, `kworker/0:1`: a name that reads as Apple's or as a
 * system daemon's, so a process running under it passes for part of the system.
 */
function systemLookingName(destName: string): boolean {
  if (destName.startsWith('com.apple.')) return !DATA_SUFFIXES.some((s) => destName.endsWith(s));
  return POSIX_DAEMON_NAMES.has(destName) || kernelThreadName(destName);
}

/** Linux kernel threads (`kworker/0:1`, `ksoftirqd/0`, `rcu_sched`): they have no program file, so a file or process so named is hiding. */
const KERNEL_THREAD_PREFIXES = [
  'kworker',
  'kthreadd',
  'ksoftirqd',
  'kswapd',
  'kauditd',
  'khugepaged',
  'kcompactd',
  'kdevtmpfs',
  'kblockd',
  'kintegrityd',
  'rcu_sched',
  'rcu_preempt',
  'rcu_bh',
  'rcu_gp',
  'rcu_par_gp',
  'migration/',
  'watchdog/',
  'cpuhp/',
  'jbd2/',
  'irq/',
  'oom_reaper',
];
// `irq/` is left out of the text needles: `/proc/irq/` is an ordinary path.
const KERNEL_THREAD_NEEDLES = new NeedleGroup(KERNEL_THREAD_PREFIXES.filter((p) => p !== 'irq/'));

/** `kworkerd`, `kworker/0:1`, `[kthreadd]`, `[watchdogd]`: the name of a kernel thread, or a name in the brackets `ps` shows them in. */
function kernelThreadName(name: string): boolean {
  let n = name;
  if (n.startsWith('[')) {
    if (n.endsWith(']') && n.length > 3 && !n.includes('.')) return true;
    n = n.slice(1);
  }
  return KERNEL_THREAD_PREFIXES.some((p) => n.startsWith(p));
}

/** `/tmp/`, `/dev/shm/` …: world-writable folders, where no genuine daemon is kept. */
function inWorldWritable(lower: string): boolean {
  return WORLD_WRITABLE.some((f) => lower.startsWith(f));
}

/**
 * A dropped program given a kernel thread's name anywhere (`cp /tmp/.b /usr/sbin/kworkerd`, `install x /usr/bin/ksoftirqd`),
 * or a daemon's name in a world-writable folder (`cp x /dev/shm/systemd-journald`) or from one (`cp /tmp/.x /usr/sbin/sshd`).
 * Installing a build under its own name (`cp ./build/sshd /usr/sbin/sshd`) or an upgrade (`mv nginx.new nginx`) is not.
 */
function disguisedAsSystem(inv: Invocation, source: Word, dest: Word, srcName: string, destName: string): string | undefined {
  if (kernelThreadName(destName)) return 'a Linux kernel thread';
  if (inv.name === 'ln' || srcName === destName || srcName.startsWith(destName + '.')) return undefined;
  const daemon = POSIX_DAEMON_NAMES.has(destName) || destName.startsWith('systemd-');
  if (!daemon) return undefined;
  if (inWorldWritable(dest.lower)) return `the ${destName} daemon, in a world-writable folder`;
  const dropped = inWorldWritable(source.lower) || srcName.startsWith('.');
  return dropped && POSIX_SYSTEM_DIRS.some((d) => dest.lower.startsWith(d)) ? `the ${destName} daemon` : undefined;
}

/** A system binary copied under another name (`copy cmd.exe C:\svchost.exe`, `copy certutil.exe %temp%\tcm.tmp`). */
function checkMasquerade(inv: Invocation, out: FindingCollector): void {
  const posixOnly = inv.name === 'install' || inv.name === 'ln';
  if (!COPIERS.has(inv.name) && !posixOnly) return;
  const pos = positionals(inv.args).filter((w) => !w.lower.startsWith('-'));
  // `install -m 755 SRC DEST`: the mode is a positional word here, so the source is the one before the destination.
  const source = optionValue(inv.args, 'path', 'literalpath') ?? (posixOnly ? pos[pos.length - 2] : pos[0]);
  const dest = optionValue(inv.args, 'destination') ?? pos[pos.length - 1];
  if (!source || !dest || source === dest) return;
  const srcName = baseName(source.lower);
  const destName = baseName(dest.lower);
  const disguise =
    dest.lower.startsWith('/') && !dest.lower.endsWith('/') ? disguisedAsSystem(inv, source, dest, srcName, destName) : undefined;
  if (disguise) {
    out.add(
      blockSpec(
        'evasion.masquerade',
        `Gives the program ${srcName} the name "${destName}", ${disguise}: it hides the program in process listings and from the technician reading the logs.`,
      ),
      [commandWord(inv), dest],
    );
    return;
  }
  if (posixOnly) return;
  if (POSIX_SYSTEM_DIRS.some((d) => source.lower.startsWith(d))) {
    // Any system program under an Apple or daemon name (`cp /bin/sleep /tmp/com.apple.sleep`); shells,
    // interpreters and network tools under a hidden name as well (`cp /bin/bash /tmp/.sshd`). An upgrade
    // (`mv /usr/sbin/nginx.new /usr/sbin/nginx`) keeps the name.
    if (destName === srcName || destName === '' || dest.lower.endsWith('/') || srcName.startsWith(destName + '.')) return;
    const shellLike = POSIX_MASQUERADE_SOURCES.has(srcName);
    if (!(systemLookingName(destName) || (shellLike && destName.startsWith('.')))) return;
    out.add(
      blockSpec(
        'evasion.masquerade',
        `Copies the system program ${srcName} to "${destName}", a hidden, Apple or system-daemon name: it hides ${shellLike ? 'a shell or interpreter' : 'the program'} from process listings and from the technician reading the logs.`,
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

/** Core Windows processes: a second program under one of these names exists only to hide among them. */
const SYSTEM_PROCESS_NAMES: ReadonlySet<string> = new Set([
  ...PROTECTED_NAMES,
  'lsm.exe',
  'lsaiso.exe',
  'taskhost.exe',
  'sihost.exe',
  'fontdrvhost.exe',
  'dwm.exe',
  'wmiprvse.exe',
  'runtimebroker.exe',
  'searchindexer.exe',
  'ctfmon.exe',
  'audiodg.exe',
]);
/** Programs that give a file its name: copy, move and rename, compilers, downloads saved to a path. */
const NAME_GIVERS: ReadonlySet<string> = new Set([
  ...COPIERS,
  'ren',
  'rename',
  'rename-item',
  'rni',
  'add-type',
  'csc',
  'vbc',
  'invoke-webrequest',
  'invoke-restmethod',
  'start-bitstransfer',
  'curl',
  'wget',
]);
const COMPILERS: ReadonlySet<string> = new Set(['csc', 'vbc']);

/** The word naming the file a copy, rename, compile or download creates. */
function createdFile(inv: Invocation): Word | undefined {
  const n = inv.name;
  if (n === 'add-type') return optionValue(inv.args, 'outputassembly');
  if (COMPILERS.has(n)) return optionValue(inv.args, 'out');
  if (n === 'invoke-webrequest' || n === 'invoke-restmethod') return optionValue(inv.args, 'outfile');
  if (n === 'curl' || n === 'wget') return optionValue(inv.args, 'o', 'output', 'output-document');
  if (n === 'rename-item' || n === 'rni') {
    const named = optionValue(inv.args, 'newname');
    if (named) return named;
  }
  const pos = positionals(inv.args);
  return optionValue(inv.args, 'destination') ?? (pos.length >= 2 ? pos[pos.length - 1] : undefined);
}

/** Last name in a path or built path (`($env:TEMP + "\svchost.exe")`), lower case, without quotes or brackets. */
function builtFileName(lower: string): string {
  let end = lower.length;
  while (end > 0 && ' "\')}'.includes(lower[end - 1]!)) end--;
  let start = end;
  while (start > 0 && !' \\/"\'+('.includes(lower[start - 1]!)) start--;
  return lower.slice(start, end);
}

/**
 * A file given the name of a core Windows process (`copy x.exe %TEMP%\svchost.exe`, `Copy-Item x ($env:TEMP +
 * "\lsass.exe")`, `Add-Type -OutputAssembly …\svchost.exe`, `csc /out:…\csrss.exe`). Copying the genuine
 * binary under its own name, or restoring `svchost.exe.bak`, keeps the name and is not masquerading.
 */
function checkSystemProcessName(inv: Invocation, out: FindingCollector): void {
  if (out.has('evasion.masquerade')) return;
  const dest = createdFile(inv);
  if (!dest) return;
  const destName = builtFileName(dest.lower);
  if (!SYSTEM_PROCESS_NAMES.has(destName)) return;
  const pos = positionals(inv.args);
  const source = COPIERS.has(inv.name) || inv.name.startsWith('ren') ? (optionValue(inv.args, 'path', 'literalpath') ?? pos[0]) : undefined;
  if (source && source !== dest && builtFileName(source.lower).includes(destName.slice(0, -4))) return;
  out.add(systemProcessNameSpec(destName), [commandWord(inv), dest]);
}

function systemProcessNameSpec(destName: string): FindingSpec {
  return blockSpec(
    'evasion.masquerade',
    `Gives a program the name "${destName}", a core Windows process: a second ${destName} outside its real place exists only to hide among the genuine ones in process lists and logs.`,
  );
}

const DOTNET_FILE_COPY = new NeedleGroup(['file]::copy(', 'file]::move(']);

/** `[IO.File]::Copy($src, "$env:TEMP\svchost.exe")`: the .NET spelling of the copy above. */
function checkDotNetSystemProcessName(doc: Document, out: FindingCollector): void {
  const method = docHasAny(doc, DOTNET_FILE_COPY);
  if (!method || out.has('evasion.masquerade')) return;
  for (const c of doc.commands) {
    for (const w of c.words) {
      const at = w.lower.indexOf(method);
      if (at < 0) continue;
      const [source = '', dest = ''] = w.lower.slice(at + method.length).split(',');
      const destName = builtFileName(dest);
      if (!SYSTEM_PROCESS_NAMES.has(destName) || builtFileName(source).includes(destName.slice(0, -4))) continue;
      out.add(systemProcessNameSpec(destName), [w]);
      return;
    }
  }
}

/** A path segment that is only dots (`...`) or starts or ends with a space (`init `, ` sshd`, `.. `): in a listing it reads as `..` or as the real name. */
function deceptiveSegment(value: string): string | undefined {
  let start = 0;
  for (let i = 0; i <= value.length; i++) {
    if (i < value.length && value[i] !== '/') continue;
    const seg = value.slice(start, i);
    start = i + 1;
    if (seg.length === 0 || seg === '.' || seg === '..' || seg.startsWith('$')) continue;
    if (seg.trim() !== seg || onlyDots(seg)) return seg;
  }
  return undefined;
}

/** Cheap pre-check for `deceptiveSegment`, which runs on every program path. */
function mayDeceive(value: string): boolean {
  return (
    value.includes('..') ||
    value.charCodeAt(0) === 32 ||
    value.charCodeAt(value.length - 1) === 32 ||
    value.includes(' /') ||
    value.includes('/ ')
  );
}

function onlyDots(seg: string): boolean {
  for (let i = 0; i < seg.length; i++) if (seg[i] !== '.') return false;
  return true;
}

/** chmod modes that make a file executable: `+x`, `u+x`, `755`. */
function executableMode(mode: string): boolean {
  if (mode.includes('x')) return mode.includes('+') || mode.includes('=');
  for (let i = 0; i < mode.length; i++) {
    const c = mode.charCodeAt(i);
    if (c < 48 || c > 55) return false;
  }
  return mode.length >= 3 && [...mode.slice(-3)].some((c) => (c.charCodeAt(0) - 48) % 2 === 1);
}

const DECEPTIVE_PATH_WRITERS: ReadonlySet<string> = new Set(['cp', 'mv', 'install', 'ln', 'mkdir', 'chmod']);

/**
 * POSIX: running, copying into or making executable a path whose name only looks like another (T1036.005/.006):
 * `$HOME/.../sh`, `'./dir /init '`, `cp /bin/sh ' sshd'`. Making such a directory is flagged: it is only made to be used.
 */
function checkDeceptivePath(inv: Invocation, out: FindingCollector): void {
  if (inv.command.shell === 'cmd' || inv.command.shell === 'powershell') return;
  const n = inv.name;
  let word: Word | undefined;
  if (inv.nameWord && mayDeceive(inv.nameWord.value) && deceptiveSegment(inv.nameWord.value) !== undefined) word = inv.nameWord;
  else if (DECEPTIVE_PATH_WRITERS.has(n)) {
    const pos = positionals(inv.args);
    if (n === 'chmod' && !(pos[0] && executableMode(pos[0].lower))) return;
    // cp, mv, install and ln name what they create last; mkdir and chmod act on every path.
    const paths = n === 'mkdir' ? pos : n === 'chmod' ? pos.slice(1) : pos.slice(-1);
    word = paths.find((w) => deceptiveSegment(w.value) !== undefined);
  }
  if (!word) return;
  const seg = deceptiveSegment(word.value)!;
  const spec =
    n === 'mkdir'
      ? flagSpec(
          'evasion.masquerade.deceptive-path',
          `mkdir makes "${seg}", a name that reads as ".." or as another name with a hidden space.`,
        )
      : blockSpec(
          'evasion.masquerade.deceptive-path',
          `Uses the path segment "${seg}" (only dots, or a name with a leading or trailing space): in a listing it reads as the parent folder or as a genuine program, hiding what runs.`,
        );
  out.add(spec, [commandWord(inv), word]);
}

/** The value of `mount -o bind` / `-o rbind,ro`. */
function isBindOption(lower: string): boolean {
  return lower === 'bind' || lower === 'rbind' || lower.startsWith('bind,') || lower.startsWith('rbind,');
}

/** `mount --bind /proc/<other> /proc/<pid>` lays another process's /proc entry over one, so ps and top no longer show it. */
function checkProcessHidingMount(inv: Invocation, out: FindingCollector): void {
  const lowers = argLowers(inv);
  if (!lowers.some((l) => l === '-b' || l === '--bind' || l === '--rbind' || isBindOption(l))) return;
  const pos = positionals(inv.args).filter((w) => !isBindOption(w.lower));
  const target = pos[pos.length - 1];
  if (!target || !target.lower.startsWith('/proc/') || target.lower.length <= 6) return;
  out.add(
    blockSpec(
      'evasion.process-hiding.mount',
      'Bind-mounts over a /proc/<pid> entry, so process listings show another process in its place: a way to hide a running program.',
    ),
    [commandWord(inv), target],
  );
}

/**
 * Whether a service security descriptor (SDDL) hides the service or locks administrators out: a deny entry
 * (`(D;;…;;;IU)`, how services are hidden from listings), or no entry letting Administrators start and stop it.
 * Microsoft's documented defaults (full control for SYSTEM and Administrators, read for users) do neither.
 */
function sddlHidesOrLocks(sddl: string): boolean {
  const dacl = sddl.startsWith('d:') ? sddl.slice(2).split('s:')[0]! : '';
  if (dacl === '') return true;
  let adminsControl = false;
  for (const ace of dacl.split('(')) {
    const fields = ace.replace(/\).*$/, '').split(';');
    if (fields.length < 6) continue;
    if (fields[0] === 'd') return true;
    if (fields[0] === 'a' && fields[5] === 'ba' && fields[2]!.includes('rp') && fields[2]!.includes('wp')) adminsControl = true;
  }
  return !adminsControl;
}

function checkServicePermissions(inv: Invocation, out: FindingCollector): void {
  const at = inv.name === 'sc' ? inv.args.findIndex((w) => w.lower === 'sdset') : -1;
  if (at >= 0) {
    const sddl = inv.args.slice(at + 1).find((w) => w.lower.startsWith('d:'));
    if (sddl && !sddlHidesOrLocks(sddl.lower)) return;
    out.add(
      blockSpec(
        'evasion.service.sdset',
        "sc sdset rewrites a service's security descriptor, which can hide a service or lock administrators out of stopping it.",
      ),
      [commandWord(inv)],
    );
  }
}

// --- System file takeover (flag) ---------------------------------------------------------------------

/** Where Windows keeps its own programs and drivers (lower case). */
const WINDOWS_DIRS = [
  '\\system32',
  '\\syswow64',
  '\\sysnative',
  'c:\\windows\\',
  '%windir%\\',
  '$env:windir\\',
  '%systemroot%\\',
  '$env:systemroot\\',
];
/** Files that are code: what a takeover replaces (termsrv.dll, utilman.exe, WdFilter.sys). */
const WINDOWS_CODE_SUFFIXES = ['.exe', '.dll', '.sys', '.cpl', '.ocx', '.scr', '.drv', '.mui', '.com'];
/** The System32 folder itself (`takeown /f C:\Windows\System32 /r`). */
const WINDOWS_SYSTEM_FOLDERS: ReadonlySet<string> = new Set([
  'c:\\windows\\system32',
  'c:\\windows\\syswow64',
  '%windir%\\system32',
  '$env:windir\\system32',
  '%systemroot%\\system32',
  '$env:systemroot\\system32',
]);

/** Whether a path names a Windows system program, library or driver, or the System32 folder itself. */
function isWindowsSystemCode(lower: string): boolean {
  let l = lower.replaceAll('/', '\\');
  while (l.endsWith('"') || l.endsWith("'") || l.endsWith('\\') || l.endsWith('*')) l = l.slice(0, -1);
  while (l.startsWith('"') || l.startsWith("'")) l = l.slice(1);
  if (WINDOWS_SYSTEM_FOLDERS.has(l)) return true;
  return WINDOWS_DIRS.some((d) => l.includes(d)) && WINDOWS_CODE_SUFFIXES.some((s) => l.endsWith(s));
}

/** icacls rights that let the grantee replace the file: full, modify, write, delete, write-DAC or -owner, generic all/write. */
const WRITE_RIGHTS: ReadonlySet<string> = new Set(['f', 'm', 'w', 'd', 'wd', 'wdac', 'wo', 'ga', 'gw']);

/** `Administrators:F`, `"BUILTIN\Administrators":(F)`, `Everyone:(OI)(CI)(M)`, `%USERNAME%:(W,D)`. */
function grantsWrite(grant: string): boolean {
  const colon = grant.lastIndexOf(':');
  if (colon < 0) return false;
  let token = '';
  const rights = grant.slice(colon + 1) + ')';
  for (const c of rights) {
    if (c === '(' || c === ')' || c === ',' || c === '"' || c === "'") {
      if (WRITE_RIGHTS.has(token)) return true;
      token = '';
    } else token += c;
  }
  return false;
}

/** The last constant value assigned to each variable of a document (lower case), computed once per document. */
const CONSTANT_VARIABLES = new DocumentCache((doc: Document) => {
  const values = new Map<string, string>();
  for (const a of doc.assignments ?? []) if (a.value !== undefined) values.set(a.name.toLowerCase(), a.value.toLowerCase());
  return values;
});

/** A `$name` argument resolved through the document's constant assignments (`$termsrvDll = "C:\…\termsrv.dll"`). */
function resolvedLower(doc: Document, w: Word): string {
  if (!w.lower.startsWith('$') || !doc.assignments) return w.lower;
  return CONSTANT_VARIABLES.of(doc).get(w.lower.slice(1)) ?? w.lower;
}

/** FileSystemAccessRule rights that let the grantee replace the file. */
const ACL_WRITE_RIGHTS = new NeedleGroup(['fullcontrol', 'modify', 'takeownership', 'changepermissions', 'setowner', '"write"', "'write'"]);

/**
 * `takeown /f C:\Windows\System32\termsrv.dll` then `icacls … /grant Administrators:F`, or Get-Acl /
 * FileSystemAccessRule FullControl / Set-Acl on a file under System32: taking a Windows program,
 * library or driver away from TrustedInstaller so it can be patched or replaced (T1222.001 — the
 * first step of termsrv.dll patching for concurrent RDP, sticky-keys backdoors, disabling a
 * Defender driver). Flagged as defence evasion: it removes the protection Windows keeps on its
 * own files, whatever is written next. Permissions on data folders and reading ACLs stay allowed.
 */
function checkSystemFileTakeover(inv: Invocation, out: FindingCollector, doc: Document): void {
  const n = inv.name;
  let target: Word | undefined;
  if (n === 'takeown') {
    target = optionValue(inv.args, 'f');
    if (target && !isWindowsSystemCode(target.lower)) target = undefined;
  } else if (n === 'icacls' || n === 'cacls' || n === 'xcacls') {
    const path = positionals(inv.args)[0];
    if (!path || !isWindowsSystemCode(path.lower)) return;
    const lowers = argLowers(inv);
    const grant = lowers.findIndex((l) => l.startsWith('/grant') || l === '/g' || l === '/e');
    const changes = lowers.some((l) => l === '/setowner') || (grant >= 0 && lowers.slice(grant + 1).some((l) => grantsWrite(l)));
    if (changes) target = path;
  } else if (n === 'set-acl') {
    const path = optionValue(inv.args, 'path', 'literalpath') ?? positionals(inv.args)[0];
    if (path && docHasAny(doc, ACL_WRITE_RIGHTS) && isWindowsSystemCode(resolvedLower(doc, path))) target = path;
  }
  if (!target) return;
  out.add(
    flagSpec(
      'evasion.system-file.takeover',
      `${n} takes ${target.value} away from Windows's own protection (ownership or write access for others), the step before a system program, library or driver is patched or replaced.`,
    ),
    [commandWord(inv), target],
  );
}

// --- NTFS alternate data streams (block) ------------------------------------------------------------

/**
 * The stream a Windows path names (`file.txt:hidden.exe`, `C:\x\desktop.ini:desktop.ini`), or undefined.
 * Drive letters, `$env:` variables, ports (`host:8080`), the default stream (`file::$DATA`) and
 * Zone.Identifier (the mark of the web, written and removed by ordinary tools) are not hidden streams.
 */
function streamOf(lower: string, needPath: boolean): string | undefined {
  // Most words have no colon past a drive letter's: no stream, and nothing else to look at.
  if (lower.indexOf(':', 2) < 0) return undefined;
  let start = 0;
  let end = lower.length;
  while (start < end && '"\'('.includes(lower[start]!)) start++;
  while (end > start && '"\')'.includes(lower[end - 1]!)) end--;
  if (end - start < 3 || lower[start] === '-' || lower[start] === '/' || lower.includes('://')) return undefined;
  const cut = Math.max(lower.lastIndexOf('\\', end - 1), lower.lastIndexOf('/', end - 1));
  let name = lower.slice(Math.max(cut + 1, start), end);
  if (name.startsWith('$') || name.startsWith('%')) return undefined;
  // `c:file.txt:stream` is drive-relative: the drive's colon is not a stream's.
  if (cut < start && name.length > 2 && name[1] === ':') name = name.slice(2);
  const colon = name.indexOf(':');
  if (colon <= 0 || colon === name.length - 1 || name[colon + 1] === ':') return undefined;
  // `vbscript:Execute("…")`, `ms-settings:`: a scheme, not a file. Quotes or brackets before the colon are script
  // text, and `%date:~-4,4%` or `!t:~0,2!` a cmd variable substring.
  if (SCHEME.test(lower.slice(start)) || /[ "'()%!{}]/.test(name.slice(0, colon))) return undefined;
  if (needPath && cut < start && !name.slice(0, colon).includes('.')) return undefined;
  const stream = name.slice(colon + 1).split(':')[0]!;
  if (stream === 'zone.identifier' || /^[0-9]+$/.test(stream)) return undefined;
  return stream;
}

const SCHEME = /^[a-z][a-z0-9+-]+:/;

/** Programs that run a file they are given, and so run a stream when given one (`wmic process call create file.txt:x.exe`). */
const STREAM_RUNNERS: ReadonlySet<string> = new Set([
  'start',
  'start-process',
  'wmic',
  'rundll32',
  'regsvr32',
  'wscript',
  'cscript',
  'mshta',
  'forfiles',
  'invoke-wmimethod',
  'invoke-cimmethod',
  'mavinject',
  'control',
  'powershell',
  'pwsh',
]);
/** Programs that copy or unpack a file into the path they are given. */
const STREAM_WRITERS: ReadonlySet<string> = new Set(['esentutl', 'expand', 'extrac32', 'makecab', 'certutil']);
const SHELL_READERS: ReadonlySet<string> = new Set(['cmd', 'powershell', 'pwsh', 'wscript', 'cscript']);
const COMSPEC_NAMES: ReadonlySet<string> = new Set(['cmd', '$env:comspec', '%comspec%']);

/** Hiding a payload in an alternate data stream, or running one from it (T1564.004). */
/** A quoted value written out in full: no variable, sub-expression or command in it. */
function isWrittenText(value: Word | undefined): boolean {
  return value !== undefined && value.quoted === true && (value.nested?.length ?? 0) === 0 && !value.value.includes('$');
}

function checkAlternateDataStreams(inv: Invocation, out: FindingCollector): void {
  const shell = inv.command.shell;
  if (shell !== 'cmd' && shell !== 'powershell') return;
  for (const r of inv.command.redirects) {
    const stream = streamOf(r.target.lower, false);
    if (!stream) continue;
    if (r.op === '<') {
      if (SHELL_READERS.has(inv.name)) out.add(runsStream(stream), [commandWord(inv), r.target]);
    } else out.add(hidesInStream(stream), [commandWord(inv), r.target]);
    return;
  }
  const n = inv.name;
  if (STREAM_RUNNERS.has(n) || STREAM_WRITERS.has(n)) {
    const word = (STREAM_RUNNERS.has(n) && inv.nameWord ? [inv.nameWord, ...inv.args] : inv.args).find(
      (w) => streamOf(w.lower, true) !== undefined,
    );
    if (!word) return;
    const stream = streamOf(word.lower, true)!;
    out.add(STREAM_RUNNERS.has(n) ? runsStream(stream) : hidesInStream(stream), [commandWord(inv), word]);
  } else if (COMSPEC_NAMES.has(n) && inv.args.length > 0) {
    // `Start-Process $env:ComSpec -ArgumentList "/c,type,x.exe,>,y.txt:z.exe"`: a redirect the outer shell only passes on.
    const parts = inv.args
      .map((w) => w.lower)
      .join(' ')
      .split(/[ ,]+/);
    const gt = parts.findIndex((p) => p === '>' || p === '>>');
    const stream = gt >= 0 && gt + 1 < parts.length ? streamOf(parts[gt + 1]!, false) : undefined;
    if (stream) out.add(hidesInStream(stream), [commandWord(inv)]);
  } else if ((n === 'set-content' || n === 'add-content' || n === 'out-file') && !out.has('evasion.ads')) {
    const stream = optionValue(inv.args, 'stream');
    // A sentence written into a stream (`-Value 'Added a stream'`) hides nothing to run; bytes, a
    // variable or piped content may be a payload. Running a stream is a check of its own.
    if (stream && stream.lower !== 'zone.identifier' && stream.lower !== '*' && !isWrittenText(optionValue(inv.args, 'value')))
      out.add(
        flagSpec(
          'evasion.ads.write',
          `${n} writes the alternate data stream "${stream.value}", a part of the file that listings do not show.`,
        ),
        [commandWord(inv), stream],
      );
  }
}

function runsStream(stream: string): FindingSpec {
  return blockSpec(
    'evasion.ads.execute',
    `Runs code from the NTFS alternate data stream "${stream}", a part of a file that Explorer, dir and most scanners do not show.`,
  );
}
function hidesInStream(stream: string): FindingSpec {
  return blockSpec(
    'evasion.ads.hide',
    `Writes into the NTFS alternate data stream "${stream}": the content is hidden inside another file, where Explorer, dir and most scanners do not look.`,
  );
}

/** `for /f %%i in (file.txt:stream) do %%i`: the loop's file set is read by cmd itself, not by a command the lexer sees. */
function forLoopOverStream(doc: Document): { stream: string; spans: Span[] } | undefined {
  for (const layer of doc.layers) {
    if (layer.shell !== 'cmd') continue;
    const text = layer.lower;
    let at = text.indexOf(' in (');
    while (at >= 0) {
      const close = text.indexOf(')', at);
      if (close < 0) break;
      const set = text.slice(at + 5, close);
      const head = text.slice(Math.max(0, at - 200), at);
      if (head.includes('for ') && head.includes('/f') && set.length < 400) {
        for (const part of set.split(' ')) {
          const stream = streamOf(part, true);
          if (stream) return { stream, spans: [layer.toOriginal(at + 5, close)] };
        }
      }
      at = text.indexOf(' in (', close);
    }
  }
  return undefined;
}

// --- Tools for UAC bypass and parent-process spoofing (block) ------------------------------------------

/** Public tools that exist only to bypass UAC (UACME's Akagi) or to start a process under a forged parent (T1134.004). */
const EVASION_TOOLS = new NeedleGroup(['akagi', 'ppid-spoof', 'ppidspoof', 'spoof-ppid', 'selectmyparent']);
const PPID_SPOOF_API = new NeedleGroup(['proc_thread_attribute_parent_process', 'updateprocthreadattribute']);

function checkEvasionTools(doc: Document, out: FindingCollector): void {
  const tool = docHasAny(doc, EVASION_TOOLS);
  if (tool) {
    // Run, dot-sourced or imported: a mention in a search or a log query is not use.
    const used = invocations(doc).some(
      (inv) =>
        inv.name.includes(tool) ||
        ((inv.name === '.' || inv.name === 'import-module' || inv.command.invocation === '.') &&
          inv.args.some((w) => w.lower.includes(tool))),
    );
    if (used) {
      const uac = tool === 'akagi';
      out.add(
        blockSpec(
          uac ? 'evasion.uac-bypass.tool' : 'evasion.ppid-spoof',
          uac
            ? 'Runs UACME (Akagi), a collection of User Account Control bypasses that start programs elevated without a prompt.'
            : 'Runs a parent-process spoofing tool: the new process appears to be started by another (e.g. explorer), misleading detection and investigation.',
        ),
        searchFirst(doc, tool),
      );
    }
  }
  const api = docHasAny(doc, PPID_SPOOF_API);
  if (api && (api === 'proc_thread_attribute_parent_process' || docHas(doc, 'createprocess')) && !out.has('evasion.ppid-spoof')) {
    out.add(
      blockSpec(
        'evasion.ppid-spoof',
        'Starts a process with a forged parent (PROC_THREAD_ATTRIBUTE_PARENT_PROCESS), so it appears to be started by another program.',
      ),
      searchFirst(doc, api),
    );
  }
}

// --- Whole-system deletion (block) -----------------------------------------------------------------------

/** `rm -rf / --no-preserve-root`, `rm -rf /*`, `rd /s /q C:\`, `Remove-Item C:\ -Recurse`: wiping the system, its logs and any way back. */
function checkWholeSystemDeletion(inv: Invocation, out: FindingCollector): void {
  const lowers = argLowers(inv);
  const n = inv.name;
  let recursive: boolean;
  if (n === 'rm') recursive = lowers.some((l) => l === '--recursive' || (l.startsWith('-') && !l.startsWith('--') && l.includes('r')));
  else if (n === 'remove-item') recursive = lowers.some((l) => l.startsWith('-r') && '-recurse'.startsWith(l.split(':')[0]!));
  else recursive = lowers.includes('/s');
  if (!recursive) return;
  const target =
    inv.args.find((w) => isSystemRoot(w.lower)) ?? (n === 'rm' ? inv.args.find((w) => w.lower === '--no-preserve-root') : undefined);
  if (!target) return;
  out.add(blockSpec('evasion.destroy.system', `${n} recursively deletes the whole system drive (${target.value}). ${RECOVERY}`), [
    commandWord(inv),
    target,
  ]);
}

const SYSTEM_ROOT_PREFIXES = ['$env:systemdrive', '%systemdrive%', '$env:systemroot', '%systemroot%', '$env:windir', '%windir%'];

function isSystemRoot(lower: string): boolean {
  if (lower === '/' || lower === '/*' || lower === '//' || lower === '/.*') return true;
  let l = lower;
  while (l.endsWith('*') || l.endsWith('\\') || l.endsWith('/')) l = l.slice(0, -1);
  // Only the system drive: wiping a data or USB drive (`rd /s /q E:\\`) is how technicians reuse one.
  return l === 'c:' || l === 'c:\\windows' || l === 'c:\\windows\\system32' || SYSTEM_ROOT_PREFIXES.includes(l);
}

// --- Hosts-file blackholing (flag) ----------------------------------------------------------------

/** The hosts file, on Linux and macOS (`/etc/hosts`, `/private/etc/hosts`) and Windows (`…\drivers\etc\hosts`, also from WSL). */
const HOSTS_FILE = new NeedleGroup(['etc/hosts', 'etc\\hosts']);

function isHostsFile(lower: string): boolean {
  let l = lower;
  while (l.endsWith('"') || l.endsWith("'")) l = l.slice(0, -1);
  return l.endsWith('etc/hosts') || l.endsWith('etc\\hosts');
}

/** Whether a character may stand in a host name (letters, digits, dot, hyphen). */
function isHostChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 46 || c === 45;
}

/** The first security, MFA or update vendor name in a written text (`0.0.0.0 api-x.duosecurity.com`), as [host, vendor domain]. */
function vendorHostIn(lower: string): [string, string] | undefined {
  let start = -1;
  for (let i = 0; i <= lower.length; i++) {
    if (i < lower.length && isHostChar(lower.charCodeAt(i))) {
      if (start < 0) start = i;
      continue;
    }
    if (start >= 0 && i - start > 3) {
      const token = lower.slice(start, i);
      const vendor = token.includes('.') ? securityVendorDomain(token) : undefined;
      if (vendor) return [token, vendor];
    }
    start = -1;
  }
  return undefined;
}

/**
 * `Add-Content …\drivers\etc\hosts "0.0.0.0 api-x.duosecurity.com"`, `echo "127.0.0.1 ts01-b.cloudsink.net" |
 * sudo tee -a /etc/hosts`, `echo … >> /etc/hosts`: a hosts entry for a security, MFA, EDR or OS-update
 * vendor's name cuts the host off from it without stopping anything (T1556.006, T1562.001): MFA
 * fails open, the EDR console stops hearing from the sensor, updates never arrive. Entries for
 * internal hosts (`10.0.0.5 fileserver.corp.local`) are ordinary administration.
 */
function checkHostsBlackhole(doc: Document, out: FindingCollector): void {
  if (!docHasAny(doc, HOSTS_FILE)) return;
  for (const inv of invocations(doc)) {
    const target = writeTargets(inv).find((w) => isHostsFile(w.lower));
    if (!target) continue;
    // The entry is an argument (`Add-Content hosts "…"`, `echo … >> hosts`) or piped in (`echo … | tee -a hosts`).
    const piped = pipelineNeighbours(doc, inv.command, 'before', 2).flatMap((c) => c.words);
    for (const w of [...inv.args, ...piped]) {
      if (w === target) continue;
      const found = vendorHostIn(w.lower);
      if (!found) continue;
      out.add(
        flagSpec(
          'evasion.hosts.blackhole',
          `Adds ${found[0]} to the hosts file: the host can no longer reach ${found[1]}, a security, MFA or update service, and nothing reports it.`,
        ),
        [commandWord(inv), w],
      );
      return;
    }
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

/** Members of System.Management.Automation.AmsiUtils that bypasses look up by reflection. */
const AMSI_MEMBERS = ['amsiutils', 'amsiinitfailed', 'amsicontext', 'amsisession'];
/**
 * Ordinary type and field names with the same endings: a pattern that also matches one of these
 * (`*Utils`, `*Failed`) is too general to tell an AMSI bypass from browsing the types.
 */
const AMSI_DECOYS = [
  'utils',
  'psutils',
  'moduleutils',
  'pathutils',
  'securityutils',
  'failed',
  'initfailed',
  'context',
  'executioncontext',
  'session',
];

/** A `-match` regular expression as a wildcard: `siUtils$` → `*siutils`, `^a.*ils` → `a*ils`. */
function regexAsWildcard(regex: string): string {
  let r = regex.split('.*').join('*').split('.').join('?');
  const start = r.startsWith('^');
  const end = r.endsWith('$');
  if (start) r = r.slice(1);
  if (end) r = r.slice(0, -1);
  return (start ? '' : '*') + r + (end ? '' : '*');
}

/** Longest operand read: a name filter, never a paragraph (keeps the scan linear on unclosed quotes). */
const MAX_OPERAND = 64;

/** Whether a `-like`/`-match` operand picks out an AMSI member and nothing ordinary. */
function namesAmsiMember(pattern: string): boolean {
  if (pattern.length === 0 || pattern.length > MAX_OPERAND) return false;
  return AMSI_MEMBERS.some((m) => globMatch(pattern, m)) && !AMSI_DECOYS.some((d) => globMatch(pattern, d));
}

/** The operand after a comparison operator at `from`: a quoted string or a bare word ('' when longer than MAX_OPERAND). */
function operandAt(lower: string, from: number): string {
  let i = from;
  while (i < lower.length && lower[i] === ' ') i++;
  const q = lower[i];
  const quoted = q === "'" || q === '"';
  const begin = quoted ? i + 1 : i;
  const limit = Math.min(lower.length, begin + MAX_OPERAND + 1);
  for (let j = begin; j < limit; j++) {
    const c = lower[j];
    if (quoted ? c === q : c === ' ' || c === '}' || c === ')' || c === ';') return lower.slice(begin, j);
  }
  return quoted || limit - begin > MAX_OPERAND ? '' : lower.slice(begin, limit);
}

/** The first `-like`/`-match` operand in the text that names an AMSI member by pattern, or undefined. */
function amsiNamePattern(doc: Document): string | undefined {
  for (const layer of doc.layers) {
    const lower = layer.lower;
    for (const op of ['like', 'match']) {
      for (let at = lower.indexOf(op); at >= 0; at = lower.indexOf(op, at + op.length)) {
        // `-like`, `-ilike`, `-clike`, `-match` …
        const dash = lower[at - 1] === '-' ? at - 1 : lower[at - 2] === '-' && 'ic'.includes(lower[at - 1] ?? '') ? at - 2 : -1;
        if (dash < 0) continue;
        const operand = operandAt(lower, at + op.length);
        if (namesAmsiMember(op === 'match' ? regexAsWildcard(operand) : operand)) return operand;
      }
    }
  }
  return undefined;
}

/**
 * `[Ref].Assembly.GetTypes() | ? { $_.Name -like '*iUtils' }`, `… -match 'siUtils$'`, `GetFields(
 * 'NonPublic,Static') | ? Name -like '*ms*ils'`: the AMSI bypass with its names hidden behind
 * wildcards, so that no "AmsiUtils" appears in the text. Reflection over PowerShell's own
 * assembly together with a name pattern that only an AMSI member matches; browsing the types
 * (`-like '*Utils'`, which matches ordinary names too) stays allowed.
 */
function checkAmsiByPattern(doc: Document, out: FindingCollector): void {
  if (out.has('evasion.amsi.bypass') || !docHas(doc, '.assembly.gettype') || !docHasAny(doc, ['like', 'match'])) return;
  const pattern = amsiNamePattern(doc);
  if (pattern === undefined) return;
  out.add(
    blockSpec(
      'evasion.amsi.bypass',
      `Looks up AMSI's internals by reflection under a wildcard name ("${pattern}") to switch the Antimalware Scan Interface off: a standard step before running malicious PowerShell.`,
    ),
    searchFirst(doc, pattern),
  );
}

/** PowerShell's in-memory logging switches: the cached Group Policy settings (in the Utils class) and the ETW log provider. */
const PS_LOGGING_INTERNALS = new NeedleGroup(['cachedgrouppolicysettings', 'psetwlogprovider', 'automation.utils']);
/** Reflection that reaches non-public members. */
const NONPUBLIC_REFLECTION = new NeedleGroup(['getfield', 'nonpublic', 'bindingflags']);
/** What is written to switch the ETW provider off: `EventProvider.m_enabled` set through `SetValue`. */
const ETW_SWITCH = new NeedleGroup(['m_enabled', 'eventprovider', 'setvalue']);
/**
 * What is switched off in the cached policy: the script-block logging keys. `logging` and
 * `policysettings` also survive names split into pieces (`'EnableScriptB'+'lockLogging'`), which
 * the deobfuscated layer does not join inside a method call's arguments.
 */
const POLICY_LOGGING = new NeedleGroup(['cachedgrouppolicysettings', 'policysettings', 'logging']);

/**
 * `[Ref].Assembly.GetType('System.Management.Automation.Utils').GetField('cachedGroupPolicySettings',
 * 'NonPublic,Static')` with `EnableScriptBlockLogging` set to 0, or `PSEtwLogProvider` → `etwProvider` →
 * `m_enabled` set to 0: PowerShell's script-block logging switched off in memory by reflection, the
 * sibling of the AMSI bypass (blocked for the same reason: no administrative reading; the policy
 * way is the registry, which is flagged). Listing the Utils class's methods stays allowed.
 */
function checkLoggingByReflection(doc: Document, out: FindingCollector): void {
  if (!docHasAny(doc, PS_LOGGING_INTERNALS) || !docHasAny(doc, NONPUBLIC_REFLECTION)) return;
  const etw = docHas(doc, 'psetwlogprovider') && docHasAny(doc, ETW_SWITCH) !== undefined;
  const policy =
    !etw &&
    (docHas(doc, 'cachedgrouppolicysettings') || (docHas(doc, 'automation.utils') && docHas(doc, 'getfield'))) &&
    docHasAny(doc, POLICY_LOGGING) !== undefined;
  if (!etw && !policy) return;
  out.add(
    blockSpec(
      'evasion.pslogging.reflection',
      etw
        ? "Switches off PowerShell's event tracing (PSEtwLogProvider) in memory by reflection, so the scripts that follow leave no script-block log: a standard step before running malicious PowerShell."
        : "Rewrites PowerShell's cached Group Policy settings by reflection to turn script-block logging off in memory, so the scripts that follow leave no log: a standard step before running malicious PowerShell.",
    ),
    searchFirst(
      doc,
      etw ? 'psetwlogprovider' : docHas(doc, 'cachedgrouppolicysettings') ? 'cachedgrouppolicysettings' : 'automation.utils',
    ),
  );
}

const WMI_DELETERS = ['remove-ciminstance', 'remove-wmiobject'];

/**
 * The shadow copies are what is deleted: the deletion is in the statement that gets them (`Get-CimInstance Win32_ShadowCopy |
 * Remove-CimInstance`, `… | % { $_.Delete() }`) or acts on a variable holding them. A count of shadow copies in one part of
 * a script and profiles removed in another are not this.
 */
/** `Remove-CimInstance`, `$x.Delete()`, `Invoke-CimMethod -InputObject $_ -MethodName Delete`: a WMI object deleted. */
function isWmiDeletion(c: SimpleCommand): boolean {
  if (WMI_DELETERS.includes(c.name)) return true;
  if (c.name === 'invoke-cimmethod' || c.name === 'invoke-wmimethod') return c.words.some((w) => w.lower === 'delete');
  return c.words.some((w) => w.lower.includes('.delete('));
}

function deletesShadowCopies(doc: Document): boolean {
  const statements = new Set<number>();
  const holders: string[] = [];
  for (const c of doc.commands) {
    if (!c.words.some((w) => w.lower.includes('win32_shadowcopy'))) continue;
    if (c.statement !== undefined) statements.add(c.statement);
    if (c.assignTo !== undefined) holders.push('$' + c.assignTo.toLowerCase());
  }
  const mentionsHolder = (c: SimpleCommand | undefined) => c !== undefined && c.words.some((w) => holders.some((h) => w.lower.includes(h)));
  // `foreach ($c in $copies) { $c.Delete() }`: the loop variable holds them too.
  for (const c of doc.commands) {
    const loopVariable = c.words[0];
    if (holders.length > 0 && c.words[1]?.lower === 'in' && loopVariable?.value.startsWith('$') && mentionsHolder(c))
      holders.push(loopVariable.lower);
  }
  for (const c of doc.commands) {
    if (!isWmiDeletion(c)) continue;
    // The deletion, or a block it sits in (`… | ForEach-Object { $_.Delete() }`), belongs to the statement that gets them.
    let at: SimpleCommand | undefined = c;
    for (let depth = 0; at !== undefined && depth < 4; depth++) {
      if (at.statement !== undefined && statements.has(at.statement)) return true;
      at = at.parent === undefined ? undefined : doc.commands[at.parent];
    }
    // Or it acts on a variable that holds them (`$s | Remove-CimInstance`, `$s.Delete()`).
    if (holders.length > 0 && (doc.pipelines[c.pipeline] ?? []).some((k) => mentionsHolder(doc.commands[k]))) return true;
  }
  return false;
}

/** `echo   delete  shadows all | diskshadow`: the script text echoed, however many blanks separate its words. */
function echoesDeleteShadows(doc: Document): boolean {
  return doc.commands.some(
    (c) =>
      (c.name === 'echo' || c.name === 'write-output') &&
      c.words.some((w, k) => w.lower === 'delete' && c.words[k + 1]?.lower === 'shadows'),
  );
}

/**
 * `$log = New-Object System.Diagnostics.EventLog Application; $log.Clear()`, `EventLogSession…ClearLog('Security')`:
 * the .NET routes to what Clear-EventLog and wevtutil cl do.
 */
function checkEventLogClearedByDotNet(doc: Document, out: FindingCollector): void {
  let cleared: Span | undefined;
  if (docHas(doc, 'clearlog(') && docHas(doc, 'eventlogsession')) cleared = searchFirst(doc, 'clearlog(')[0];
  else if (docHas(doc, 'diagnostics.eventlog') && docHas(doc, '.clear()')) {
    // The object cleared is an event log: made in the same word, or held by a variable assigned one.
    const logs = new Set<string>();
    for (const c of doc.commands) {
      if (c.shell !== 'powershell') continue;
      if (c.assignTo !== undefined && c.words.some((w) => w.lower.includes('diagnostics.eventlog'))) logs.add(c.assignTo);
      const w = c.words.find(
        (x) =>
          x.lower.includes('.clear()') &&
          (x.lower.includes('diagnostics.eventlog') || [...logs].some((v) => x.lower.includes(`$${v}.clear()`))),
      );
      if (w) {
        cleared = w.span;
        break;
      }
    }
  }
  if (cleared)
    out.add(flagSpec('evasion.eventlog.clear', 'Clears an event log through .NET, erasing the record of what happened.'), [cleared]);
}

/** A Windows path compared by value: lower case, quotes and a trailing separator removed, `/` as `\`. */
function windowsPathKey(value: string): string {
  return trimQuotes(value.toLowerCase()).split('/').join('\\').replace(/\\+$/, '');
}

/**
 * `copy GUP.exe %TEMP%\ & copy libcurl.dll %TEMP%\ & start %TEMP%\GUP.exe`: a program and a DLL copied into one
 * folder and the program run from there. A signed program loads the DLL next to it first, so the planted DLL runs
 * inside a trusted process (DLL side-loading, T1574.002).
 */
function checkSideLoading(doc: Document, out: FindingCollector): void {
  if (!docHas(doc, '.dll') || !docHas(doc, '.exe')) return;
  const folders = new Map<string, { programs: Set<string>; dlls: number }>();
  for (const inv of invocations(doc)) {
    if (FILE_COPIERS.includes(inv.name)) {
      const targets = writeTargets(inv);
      const source = positionals(inv.args).find((w) => !targets.includes(w) && !w.value.startsWith('/'));
      const target = targets[targets.length - 1];
      if (!source || !target) continue;
      const targetKey = windowsPathKey(target.value);
      const intoFolder = !baseName(targetKey).includes('.');
      const folder = intoFolder ? targetKey : targetKey.slice(0, Math.max(0, targetKey.lastIndexOf('\\')));
      const name = intoFolder ? baseName(trimQuotes(source.lower)) : baseName(targetKey);
      const isProgram = name.endsWith('.exe');
      if (!isProgram && !name.endsWith('.dll')) continue;
      const entry = folders.get(folder) ?? { programs: new Set<string>(), dlls: 0 };
      if (isProgram) entry.programs.add(name);
      else entry.dlls++;
      folders.set(folder, entry);
      continue;
    }
    const path = inv.nameWord === undefined ? '' : windowsPathKey(inv.nameWord.value);
    const cut = path.lastIndexOf('\\');
    if (cut < 0) continue;
    const folder = path.slice(0, cut);
    const entry = folders.get(folder);
    if (entry && entry.dlls > 0 && entry.programs.has(path.slice(cut + 1)) && inStagingFolder(folder + '\\')) {
      out.add(
        blockSpec(
          'evasion.dll-sideload',
          `Copies a program and a DLL into ${path.slice(0, cut)} and runs the program there: it loads the DLL placed next to it (DLL side-loading).`,
        ),
        [commandWord(inv)],
      );
      return;
    }
  }
}

/** `C:\Windows \System32\`: a look-alike of a trusted system folder (the mock-folder UAC bypass, T1036.005/T1548.002). */
const MOCK_SYSTEM_FOLDERS = new NeedleGroup([':\\windows \\', '\\system32 \\', ':\\program files \\', '\\syswow64 \\']);

/** Where the system's and package managers' own libraries live: preloading one of them is tuning (jemalloc, libfaketime). */
const SYSTEM_LIBRARY_DIRS = ['/usr/lib/', '/lib/', '/usr/lib64/', '/lib64/', '/usr/local/lib/', '/opt/homebrew/lib/', '/usr/local/opt/'];
const PRELOAD_VARIABLES = ['ld_preload', 'dyld_insert_libraries'];
/** The text before an assignment given to env (`env -i A=1 LD_PRELOAD=…`); tested on at most 80 characters. */
const ENV_PREFIX = /(^|[\s;&|(])env(\s+-\S+)*(\s+[A-Za-z_][A-Za-z0-9_]*=\S*)*\s+$/;

/**
 * `LD_PRELOAD=/tmp/x.so ls`, `DYLD_INSERT_LIBRARIES=/tmp/x.dylib /Applications/…`: a library from outside the system's
 * library folders loaded into a program before its own code (T1574.006), which then runs inside it, hidden and
 * with its rights. (The persistent form, /etc/ld.so.preload, is an autostart location.)
 */
function checkLibraryInjection(doc: Document, out: FindingCollector): void {
  if (doc.shell === 'powershell' || doc.shell === 'cmd') return;
  const found: Array<{ value: string; span: Span }> = [];
  for (const a of doc.assignments ?? []) {
    if (PRELOAD_VARIABLES.includes(a.name.toLowerCase()) && a.value !== undefined) found.push({ value: a.value, span: a.span });
  }
  // `env LD_PRELOAD=… prog`: env's assignments are not shell assignments.
  for (const variable of PRELOAD_VARIABLES) {
    if (!docHas(doc, variable + '=')) continue;
    for (const span of doc.search(variable + '=')) {
      // Only as an argument of env (a bounded look back over env, its options and other assignments).
      if (!ENV_PREFIX.test(doc.original.slice(Math.max(0, span.start - 80), span.start))) continue;
      let end = span.end;
      while (end < doc.original.length && end - span.end < 4096 && !' \t\n;&|'.includes(doc.original[end]!)) end++;
      found.push({ value: doc.original.slice(span.end, end).replace(/["']/g, ''), span: { start: span.start, end } });
    }
  }
  const fromSystem = (lib: string) => SYSTEM_LIBRARY_DIRS.some((d) => lib.startsWith(d));
  const injected = found.find((f) => f.value !== '' && !f.value.split(':').every(fromSystem));
  if (!injected) return;
  out.add(
    blockSpec(
      'evasion.library-injection',
      `Preloads ${injected.value} into a program (LD_PRELOAD / DYLD_INSERT_LIBRARIES): a library from outside the system's folders runs inside the program, hidden and with its rights.`,
    ),
    [injected.span],
  );
}

/** Native calls that make memory executable, those that start code in it, and the ways a script binds them. */
const NATIVE_ALLOCATION = new NeedleGroup(['virtualalloc', 'virtualprotect', 'ntallocatevirtualmemory', 'ntprotectvirtualmemory']);
const NATIVE_THREAD_START = new NeedleGroup([
  'createthread',
  'createremotethread',
  'queueuserapc',
  'ntcreatethreadex',
  'rtlcreateuserthread',
  'getdelegateforfunctionpointer',
]);
const NATIVE_BINDING = new NeedleGroup(['dllimport', 'getprocaddress', 'getdelegateforfunctionpointer', 'definepinvokemethod']);

/**
 * `Add-Type` with `[DllImport("kernel32")] VirtualAlloc` and `CreateThread`, or the same calls bound by reflection:
 * bytes copied into executable memory and started as a thread (a shellcode runner, T1055/T1620), code that never
 * touches the disk where antivirus would scan it. Naming the calls alone (a search for them in logs) binds nothing.
 */
function checkShellcodeRunner(doc: Document, out: FindingCollector): void {
  const allocation = docHasAny(doc, NATIVE_ALLOCATION);
  if (!allocation) return;
  const start = docHasAny(doc, NATIVE_THREAD_START);
  if (!start || !docHasAny(doc, NATIVE_BINDING)) return;
  // A search for the names (`Select-String -Pattern "VirtualAlloc|CreateThread"`) runs none of them.
  if (!doc.commands.some((c) => !TEXT_FILTERS.has(c.name) && c.words.some((w) => w.lower.includes(allocation)))) return;
  out.add(
    blockSpec(
      'evasion.memory.shellcode-runner',
      'Binds native calls that make memory executable and start a thread in it: a shellcode runner, which runs code that is never written to disk where antivirus would scan it.',
    ),
    searchFirst(doc, allocation, start),
  );
}

/** Cmdlets that read a file's content, and so an alternate data stream's with `-Stream`. */
const STREAM_CONTENT_READERS: ReadonlySet<string> = new Set(['get-content', 'gc', 'cat', 'type']);

/**
 * `Get-Content x.txt -Stream payload`: the named stream's content read (its span), where the text also runs code.
 * Zone.Identifier (the download mark) and `*` are not payloads; `-Stream` of other cmdlets (`Out-String -Stream`)
 * and the word inside names (`google-drive-file-stream`) read nothing.
 */
function streamContentRead(doc: Document): Span | undefined {
  for (const inv of invocations(doc)) {
    if (!STREAM_CONTENT_READERS.has(inv.name) || inv.command.shell !== 'powershell') continue;
    const stream = optionValue(inv.args, 'stream', 'st', 'str', 'stre', 'strea');
    if (stream === undefined) continue;
    const name = stream.lower.replace(/^["']|["']$/g, '');
    if (name !== 'zone.identifier' && name !== '*' && name !== '') return { start: inv.command.span.start, end: stream.span.end };
  }
  return undefined;
}

function checkDocumentLevel(doc: Document, out: FindingCollector): void {
  checkSecurityProductUninstall(doc, out);
  checkHostsBlackhole(doc, out);
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
  checkAmsiByPattern(doc, out);
  checkLoggingByReflection(doc, out);
  checkShellcodeRunner(doc, out);
  checkEventLogClearedByDotNet(doc, out);
  checkLibraryInjection(doc, out);
  checkSideLoading(doc, out);
  const mock = docHasAny(doc, MOCK_SYSTEM_FOLDERS);
  if (mock) {
    out.add(
      blockSpec(
        'evasion.masquerade.mock-folder',
        `Uses a folder named like a Windows system folder with a trailing space ("${mock}"): Windows treats it as trusted, so a program copied there auto-elevates or loads a planted DLL.`,
      ),
      searchFirst(doc, mock),
    );
  }
  if (docHas(doc, 'win32_shadowcopy') && docHasAny(doc, ['delete', 'remove-ciminstance', 'remove-wmiobject']) && deletesShadowCopies(doc)) {
    out.add(
      blockSpec('evasion.shadow-copies.delete', `Deletes Volume Shadow Copies through WMI. ${RECOVERY}`),
      searchFirst(doc, 'win32_shadowcopy'),
    );
  }
  if (docHas(doc, 'diskshadow') && (docHas(doc, 'delete shadows') || (docHas(doc, 'shadows') && echoesDeleteShadows(doc)))) {
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
  const streamRead = docHas(doc, '-st') ? streamContentRead(doc) : undefined;
  if (streamRead !== undefined && docHasAny(doc, ['invoke-expression', 'iex ', 'iex(', 'start-process', '& $'])) {
    out.add(
      blockSpec('evasion.ads.execute', 'Runs code stored in an NTFS alternate data stream, a place ordinary tools and users do not look.'),
      [streamRead],
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
  const forStream = docHas(doc, ' in (') ? forLoopOverStream(doc) : undefined;
  if (forStream) out.add(runsStream(forStream.stream), forStream.spans);
  checkEvasionTools(doc, out);
  checkDotNetSystemProcessName(doc, out);
  checkProcessRename(doc, out);
  const svcWord = findSecurityServiceStopInArguments(doc);
  if (svcWord && !out.has('evasion.security-service')) {
    out.add(flagSpec('evasion.security-service.stop', `Stops the security service "${svcWord.value}" through another program.`), [svcWord]);
  }
}

/** Ways a process takes another name: `exec -a NAME`, Perl's `$0 =`, `prctl(PR_SET_NAME)`, `setproctitle`. */
const PROCESS_RENAMES = new NeedleGroup(['exec -a', '$0=', '$0 =', 'set_name(', 'pr_set_name', 'setproctitle', 'prctl(15']);

/** `exec -a '[kworker/0:1]' /tmp/.b`, `perl -e '$0="[kthreadd]"; …'`: a process renamed after a kernel thread. */
function checkProcessRename(doc: Document, out: FindingCollector): void {
  const rename = docHasAny(doc, PROCESS_RENAMES);
  if (rename === undefined) return;
  const thread = docHasAny(doc, KERNEL_THREAD_NEEDLES);
  if (thread === undefined) return;
  out.add(
    blockSpec(
      'evasion.masquerade',
      `Renames a running process after the Linux kernel thread "${thread}" (${rename}): it hides the program among kernel threads in process listings.`,
    ),
    searchFirst(doc, rename),
  );
}

const TIMESTAMP_WRITES = new NeedleGroup([
  'setlastwritetime',
  'setcreationtime',
  'setlastaccesstime',
  '.lastwritetime',
  '.creationtime',
  '.lastaccesstime',
]);

/**
 * `(Get-Item x).LastWriteTime = '01/01/2019'`: a statement assigning to a file's timestamp property. Setting it
 * to the present (`= Get-Date`, `[DateTime]::Now`) is what `touch` does to a marker file, not a chosen date.
 */
function timestampAssignment(doc: Document): boolean {
  for (const c of doc.commands) {
    if (c.words[1]?.value !== '=') continue;
    const target = c.words[0]!.lower;
    if (
      target.endsWith('time') &&
      (target.includes('.lastwritetime') || target.includes('.creationtime') || target.includes('.lastaccesstime')) &&
      !PRESENT_TIME.has(
        c.words
          .slice(2)
          .map((w) => w.lower.replace(/[()]/g, ''))
          .join(' '),
      )
    )
      return true;
  }
  return false;
}

const PRESENT_TIME: ReadonlySet<string> = new Set([
  'get-date',
  '[datetime]::now',
  '[datetime]::utcnow',
  '[system.datetime]::now',
  '[system.datetime]::utcnow',
]);

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
/** World-writable folders where dropped programs are staged on Linux and macOS. */
const WORLD_WRITABLE = ['/tmp/', '/var/tmp/', '/dev/shm/', '/private/tmp/'];

/**
 * `/dev/shm/.x`, `find /etc -exec /var/tmp/.u \;`: a program run from a hidden file (a name starting with
 * a dot) in a world-writable folder, which is where dropped malware keeps out of `ls` and out of sight.
 */
function checkHiddenProgram(inv: Invocation, out: FindingCollector, doc: Document): void {
  const path = inv.nameWord?.value;
  if (path === undefined || path.length < 7 || path.charCodeAt(0) !== 0x2f /* / */) return;
  // `nohup /usr/sbin/kworkerd -d &`: kernel threads have no program file, so one run by path is in disguise.
  if ((inv.name.charCodeAt(0) === 0x6b /* k */ || inv.name.charCodeAt(0) === 0x72) /* r */ && kernelThreadName(inv.name)) {
    out.add(
      blockSpec(
        'evasion.masquerade',
        `Runs ${path}, a program named like the Linux kernel thread "${inv.name}": kernel threads have no program file, so this one hides among them in process listings.`,
      ),
      [commandWord(inv)],
    );
    return;
  }
  const folder = WORLD_WRITABLE.find((f) => path.startsWith(f));
  if (folder === undefined) return;
  const name = path.slice(path.lastIndexOf('/') + 1);
  if (name.length < 2 || name[0] !== '.' || name === '..') return;
  // A file this text wrote itself (`cat > /tmp/.env <<EOF … EOF; . /tmp/.env`) is judged by what it holds.
  if (runsWrittenFile(doc, inv.command)) return;
  out.add(
    blockSpec(
      'evasion.hidden-program',
      `Runs ${path}, a hidden file in ${folder}: where dropped programs hide from listings and from whoever reads the history.`,
    ),
    [commandWord(inv)],
  );
}

/** Whether the text wrote the file this command runs, its content then read as a layer of its own (see WrittenFiles). */
function runsWrittenFile(doc: Document, command: SimpleCommand): boolean {
  for (const layer of doc.layers) {
    if (layer.origin !== 'written_file') continue;
    const at = layer.toOriginal(0, 0);
    if (at.start === command.span.start && at.end === command.span.end) return true;
  }
  return false;
}

// --- Hidden artifacts (T1564) ---------------------------------------------------------------------------

const HIDEABLE_PROGRAMS = ['.exe', '.dll', '.ps1', '.bat', '.cmd', '.vbs', '.js', '.hta', '.scr', '.sys'];
/** Files Windows itself keeps hidden and system (folder customisation), which admins set so as well. */
const SHELL_FILES = new Set(['desktop.ini', 'thumbs.db', 'folder.jpg', 'autorun.inf']);

/**
 * `attrib +h +s C:\Users\Public\svchostx.exe`: a program or script given the hidden (and system) attribute, so
 * Explorer and `dir` no longer show it. Unhiding (`-h`) and folder-customisation files stay allowed.
 */
function checkHiddenAttribute(inv: Invocation, out: FindingCollector): void {
  if (!inv.args.some((w) => w.lower === '+h')) return;
  const target = inv.args.find((w) => !w.lower.startsWith('+') && !w.lower.startsWith('-') && !w.lower.startsWith('/'));
  if (!target) return;
  const name = baseName(trimQuotes(target.lower));
  if (SHELL_FILES.has(name) || !HIDEABLE_PROGRAMS.some((e) => name.endsWith(e))) return;
  out.add(flagSpec('evasion.hide.attributes', `attrib hides ${target.value}, a program or script, from Explorer and dir.`), [
    commandWord(inv),
    target,
  ]);
}

const MAC_PROGRAM_SUFFIXES = ['.app', '.sh', '.command', '.dylib', '.plist', '.py', '.pl'];

/** A path that names a program, an app or a script (or has no extension), or lies in or is a dot-folder. */
function hidesProgram(path: string): boolean {
  const segments = (path.endsWith('/') ? path.slice(0, -1) : path).split('/');
  const name = segments[segments.length - 1] ?? '';
  if (segments.some(isHiddenName)) return true;
  return name.length > 0 && (!name.includes('.') || MAC_PROGRAM_SUFFIXES.some((e) => name.endsWith(e)));
}

/**
 * macOS hiding: `chflags hidden PATH` (Finder no longer shows it; `nohidden` undoes it), and an app's Info.plist
 * given `LSUIElement`/`LSBackgroundOnly` (it runs with no Dock icon or menu).
 */
function checkMacHiding(inv: Invocation, out: FindingCollector): void {
  if (inv.name === 'chflags') {
    // Hiding a program, an app, a script or anything in a dot-folder (what malware hides); a document is tidying.
    const flag = inv.args.find((w) => w.lower === 'hidden');
    const target = flag && inv.args.slice(inv.args.indexOf(flag) + 1).find((w) => hidesProgram(trimQuotes(w.lower)));
    if (flag && target) {
      out.add(flagSpec('evasion.hide.attributes', `chflags hidden hides ${target.value} from the Finder.`), [commandWord(inv), target]);
    }
    return;
  }
  const key = inv.args.find((w) => w.lower === 'lsuielement' || w.lower === 'lsbackgroundonly');
  if (
    key &&
    inv.args.some((w) => w.lower === 'write') &&
    inv.args.some((w) => w.lower.includes('.app/') || w.lower.endsWith('info.plist'))
  ) {
    out.add(flagSpec('evasion.hide.app', `Sets ${key.value} in an app's Info.plist, so it runs with no Dock icon or menu.`), [
      commandWord(inv),
      key,
    ]);
  }
}

/**
 * `reg delete …\Schedule\TaskCache\Tree\X /v SD`: a scheduled task without its security descriptor (or with its
 * Index zeroed) still runs but no longer shows in schtasks or Task Scheduler (the "Tarrask" technique).
 */
function checkHiddenTask(inv: Invocation, out: FindingCollector): void {
  const text = inv.args.map((w) => w.lower).join(' ');
  if (!text.includes('\\schedule\\taskcache\\tree')) return;
  const value = (inv.name === 'reg' ? optionValue(inv.args, 'v') : optionValue(inv.args, 'name'))?.lower.replace(/["']/g, '');
  const deleting = inv.name === 'remove-itemproperty' || (inv.name === 'reg' && inv.args[0]?.lower === 'delete');
  if ((value === 'sd' && (deleting || inv.name === 'reg' || inv.name === 'set-itemproperty')) || (value === 'index' && !deleting)) {
    out.add(
      flagSpec(
        'evasion.hide.task',
        "Removes or zeroes a scheduled task's registry entry (SD or Index): the task keeps running but disappears from schtasks and Task Scheduler.",
      ),
      [commandWord(inv)],
    );
  }
}

function isHiddenName(segment: string | undefined): boolean {
  return segment !== undefined && segment.length > 1 && segment[0] === '.' && segment !== '..';
}

/** `chmod +x /dev/shm/.x/.kworker`: a program made runnable under a hidden name in a world-writable folder. */
function checkHiddenProgramPrepared(inv: Invocation, out: FindingCollector): void {
  if (!inv.args.some((w) => w.lower === '+x' || w.lower === 'u+x' || w.lower === 'a+x' || /^[0-7]?[157][0-7][0-7]$/.test(w.lower))) return;
  for (const w of inv.args) {
    const folder = WORLD_WRITABLE.find((f) => w.value.startsWith(f));
    if (folder === undefined) continue;
    // The file itself or the folder right under the world-writable one is hidden (`/dev/shm/.x/agent`); a checkout's
    // `.git/hooks` deeper down is not a hiding place.
    const segments = w.value.slice(folder.length).split('/');
    if (isHiddenName(segments[0]) || isHiddenName(segments[segments.length - 1])) {
      out.add(
        flagSpec(
          'evasion.hidden-program',
          `Makes ${w.value} runnable: a program under a hidden name in ${folder}, where dropped programs hide.`,
        ),
        [commandWord(inv), w],
      );
      return;
    }
  }
}

const INVOCATION_CHECKS = new ChecksByName([
  // Any program can be run from a hidden file.
  { check: checkHiddenProgram },
  { check: checkHiddenAttribute, names: ['attrib'] },
  { check: checkMacHiding, names: ['chflags', 'defaults'] },
  { check: checkHiddenTask, names: ['reg', 'remove-itemproperty', 'set-itemproperty', 'new-itemproperty'] },
  { check: checkHiddenProgramPrepared, names: ['chmod'] },
  { check: checkProtectionTasks, names: ['schtasks', ...PS_TASK_DISABLERS] },
  {
    check: checkShadowCopiesAndBackups,
    names: [
      'vssadmin',
      'wmic',
      'wbadmin',
      'bcdedit',
      'reagentc',
      'diskshadow',
      'del',
      'erase',
      'remove-item',
      'rm',
      'rd',
      'rmdir',
      'remove-vmsnapshot',
      'remove-vmcheckpoint',
      'tmutil',
      ...POSIX_SNAPSHOT_TOOLS,
    ],
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
  { check: checkVmSnapshotFilesRemoved, names: [...FILE_REMOVERS, 'find'] },
  { check: checkSecurityAgentRemoval, names: [...PACKAGE_REMOVE_VERBS.keys(), 'kill', ...PIPED_STOPPERS] },
  { check: checkSecurityProductFilesRemoved, names: PRODUCT_REMOVERS },
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
      ...ETW_SESSION_REMOVERS,
      'appcmd',
      'set-webconfigurationproperty',
      'add-dnsclientnrptrule',
      'new-netqospolicy',
    ],
  },
  {
    check: checkFirewallOff,
    names: [
      'netsh',
      'set-netfirewallprofile',
      'ufw',
      'iptables',
      'ip6tables',
      'nft',
      'pfctl',
      'socketfilterfw',
      'esxcli',
      'localcli',
      'plink',
      'ssh',
    ],
  },
  { check: checkEsxiTampering, names: ['esxcli', 'localcli'] },
  { check: checkPrivacyDatabase, names: ['sqlite3', 'sqlite', 'tccutil'] },
  {
    check: checkMandatoryControls,
    names: [
      'setenforce',
      'aa-teardown',
      'aa-disable',
      'aa-complain',
      'apparmor_parser',
      'mokutil',
      'spctl',
      'csrutil',
      'fdesetup',
      'defaults',
      'sysctl',
      'sed',
      'echo',
      'printf',
      'tee',
    ],
  },
  { check: checkKernelRootkit, names: ['modprobe', 'insmod', 'kill'] },
  { check: checkCloudLogging, names: ['aws', 'az', 'gcloud'] },
  // `$PSHOME\RegisterManifest.ps1 -Unregister` written without `&` stands as an expression: a command with no name.
  { check: checkProviderUnregistered, names: ['registermanifest', ''] },
  {
    check: checkApplicationControl,
    names: ['set-applockerpolicy', 'citool', 'remove-item', 'del', 'erase', 'rm', 'update-mgidentityconditionalaccesspolicy'],
  },
  { check: checkSecurityRegistry, names: [...REGISTRY_WRITER_NAMES, 'remove-item', 'remove-itemproperty'] },
  // Redirections of any command can overwrite a log.
  { check: checkLogFileDestruction },
  { check: checkMasquerade, names: [...COPIERS, 'install', 'ln'] },
  { check: checkSystemProcessName, names: NAME_GIVERS },
  { check: checkProcessHidingMount, names: ['mount'] },
  { check: checkWholeSystemDeletion, names: ['rm', 'rd', 'rmdir', 'remove-item', 'del', 'erase'] },
  { check: checkServicePermissions, names: ['sc'] },
  { check: checkSystemFileTakeover, names: ['takeown', 'icacls', 'cacls', 'xcacls', 'set-acl'] },
  {
    check: checkHistoryTampering,
    names: [
      'unset',
      'export',
      'declare',
      'typeset',
      'set',
      'ln',
      'set-psreadlineoption',
      'remove-item',
      'clear-content',
      'del',
      'erase',
      'remove-itemproperty',
      'clear-itemproperty',
      'reg',
    ],
  },
  { check: checkTamperingTools, names: ['touch', 'fsutil', 'bcdedit', 'powershell'] },
  { check: checkMacProtections, names: ['xattr', 'defaults'] },
  // Every program: a deceptive path can name any program, and any command's output can be redirected into a stream.
  { check: checkDeceptivePath },
  { check: checkAlternateDataStreams },
]);
