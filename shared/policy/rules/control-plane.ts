/**
 * The identity and cloud control planes, reached from an admin shell: Active Directory (AD module, ds* tools, LDAP),
 * Exchange Online and Entra ID (Microsoft Graph, MSOnline, Az), and the cloud CLIs (az, aws, gcloud, kubectl), plus
 * MDM tools. One command there changes who can sign in, where mail goes or what is logged for a whole company, so
 * a technician session that does it is recorded (flag) and the destructive or credential-stealing forms are blocked:
 *
 * - persistence (flag): privileged groups joined with other tools than `Add-ADGroupMember` (`Set-ADObject -Add
 *   @{member=…}`, `dsmod`, `dsadd -memberof`, an LDIF); account settings that let an attacker back in (no Kerberos
 *   pre-authentication, delegation, shadow credentials, certificate mappings, enrolee-supplied subjects); directory
 *   ACLs granting replication rights or control of AdminSDHolder; mail forwarded outside; app secrets, consent and
 *   role grants; federation and trusts; guest invitations; cloud firewall openings; role assignments;
 * - defense evasion (flag): audit logging, security defaults, MFA, mail filtering, security-centre plans and log
 *   sinks switched off, Intune security policies assigned to nobody; (block) backups and their soft-delete protection removed;
 * - credential access (block): every LAPS password or every vault secret read in one go; etcd's secrets;
 * - download-execute (block): a VM told to fetch a script from a URL and run it.
 *
 * Reading any of it (`Get-Mailbox`, `az role assignment list`, `aws iam list-users`) stays allowed.
 */
import type { Document, SimpleCommand, Word } from '../analysis/document';
import { isSecurityServiceName } from '../catalog/security-software';
import { pipelineNeighbours } from '../analysis/semantics';
import {
  ChecksByName,
  DocumentCache,
  FindingCollector,
  argLowers,
  commandWord,
  docHas,
  docHasAny,
  fullText,
  hasVerbs,
  isRemote,
  optionKey,
  optionValue,
  setFalse,
  startsWithVerbs,
  switchOn,
  type Invocation,
  NeedleGroup,
} from './command-match';
import { credentialAccessSpec as credentials } from './credential-access';
import { LAPS_ATTRIBUTES } from './credential-exfiltration';
import { evasionFlagSpec as evasion, RECOVERY, evasionBlockSpec } from './defense-evasion';
import { PRIVILEGED_GROUPS, persistenceSpec as persistence } from './persistence';
import type { RuleContext, RuleFamily } from './rule';

export const controlPlaneRules: RuleFamily = (doc: Document, _ctx: RuleContext) => {
  const out = new FindingCollector();
  CHECKS.runOver(doc, out);
  checkSecretStoreDump(doc, out);
  return out.findings;
};

// ---------------------------------------------------------------------------------------------
// Active Directory

function privilegedGroupIn(text: string): string | undefined {
  // The groups `net localgroup … /add` and Add-ADGroupMember are flagged for (Remote Desktop Users and localized names included).
  return PRIVILEGED_GROUPS.find((g) => text.includes(`cn=${g},`) || text.includes(`cn=${g} `) || text === g || text.includes(`'${g}'`));
}

/**
 * `Set-ADObject -Identity 'CN=Domain Admins,…' -Add @{member=…}`, `Set-ADGroup 'Domain Admins' -Add @{member=…}`,
 * `dsmod group "CN=Domain Admins,…" -addmbr …`, `dsadd user … -memberof "CN=Domain Admins,…"`, an LDIF that adds a
 * member to one (`ldapmodify <<EOF dn: CN=Domain Admins,… add: member`).
 */
function checkPrivilegedMembership(inv: Invocation, out: FindingCollector, doc: Document): void {
  const n = inv.name;
  let group: string | undefined;
  if (n === 'set-adobject' || n === 'set-adgroup') {
    const text = fullText(inv, doc);
    if (!text.includes('member=')) return;
    group = privilegedGroupIn(optionValue(inv.args, 'identity')?.lower ?? inv.args.find((w) => !w.lower.startsWith('-'))?.lower ?? '');
  } else if (n === 'dsmod') {
    if (argLowers(inv)[0] !== 'group' || !argLowers(inv).some((l) => l === '-addmbr' || l === '-chmbr')) return;
    group = privilegedGroupIn(inv.args[1]?.lower ?? '');
  } else if (n === 'dsadd') {
    group = privilegedGroupIn(optionValue(inv.args, 'memberof')?.lower ?? '');
  } else if (n === 'ldapmodify' || n === 'ldapadd') {
    const ldif = fullText(inv, doc);
    if (!ldif.includes('member:')) return;
    const dn = /dn:\s*(cn=[^\n,]*,)/.exec(ldif)?.[1];
    group = dn === undefined ? undefined : privilegedGroupIn(dn);
  } else if (n === 'add-addomaincontrollerpasswordreplicationpolicy') {
    // Letting a read-only DC cache the passwords of a privileged group puts them on a less protected machine.
    const allowed = optionValue(inv.args, 'allowedlist');
    group = allowed === undefined ? undefined : privilegedGroupIn(allowed.lower);
    if (group !== undefined)
      out.add(persistence('persist.ad.rodc-cache', `${inv.name} lets a read-only domain controller cache the passwords of ${group}.`), [
        commandWord(inv),
        allowed,
      ]);
    return;
  }
  if (group !== undefined)
    out.add(persistence('persist.account.privileged-group', `${inv.name} makes an account a member of ${group}.`), [commandWord(inv)]);
}

/** userAccountControl bits that weaken an account: no Kerberos pre-authentication, (constrained) delegation, no password. */
const UAC_DONT_REQUIRE_PREAUTH = 0x400000;
const UAC_TRUSTED_FOR_DELEGATION = 0x80000;
const UAC_TRUSTED_TO_AUTH_FOR_DELEGATION = 0x1000000;
const UAC_PASSWD_NOTREQD = 0x20;

/** Directory attributes whose writing gives a way back in, and what each does. */
const SENSITIVE_ATTRIBUTES: readonly { name: string; what: string }[] = [
  { name: 'msds-keycredentiallink', what: 'adds a key credential (shadow credentials: sign-in with a key the writer holds)' },
  { name: 'altsecurityidentities', what: 'maps a certificate to the account (whoever holds it signs in as the account)' },
  { name: 'msds-allowedtoactonbehalfofotheridentity', what: 'sets resource-based constrained delegation' },
  { name: 'msds-allowedtodelegateto', what: 'sets constrained delegation' },
  { name: 'mspki-certificate-name-flag', what: 'lets certificate requesters choose the subject (any user, ESC1)' },
  { name: 'serviceprincipalname', what: 'adds a service principal name (the account becomes Kerberoastable)' },
];

const AD_WRITERS: ReadonlySet<string> = new Set(['set-aduser', 'set-adcomputer', 'set-adobject', 'set-adserviceaccount']);

/**
 * `Set-ADAccountControl -DoesNotRequirePreAuth $true` (AS-REP roasting), `-TrustedForDelegation $true`, `Set-ADUser
 * -Replace @{userAccountControl=4260352}`, `Set-ADComputer -PrincipalsAllowedToDelegateToAccount …`, writes of
 * msDS-KeyCredentialLink, altSecurityIdentities and certificate-template name flags.
 */
function checkAccountBackdoors(inv: Invocation, out: FindingCollector, doc: Document): void {
  const n = inv.name;
  if (n === 'set-adaccountcontrol') {
    const option = ['doesnotrequirepreauth', 'trustedfordelegation', 'trustedtoauthfordelegation', 'passwordnotrequired'].find((o) =>
      switchOn(inv, o),
    );
    if (option !== undefined)
      out.add(persistence('persist.ad.account-control', `${inv.name} sets ${option} on the account, a standing way to its credentials.`), [
        commandWord(inv),
      ]);
    return;
  }
  if (!AD_WRITERS.has(n) && n !== 'ldapmodify') return;
  if (n === 'set-adcomputer' || n === 'set-aduser' || n === 'set-adserviceaccount') {
    const delegation = optionValue(inv.args, 'principalsallowedtodelegatetoaccount');
    if (delegation !== undefined) {
      out.add(
        persistence(
          'persist.ad.delegation',
          `${inv.name} lets ${delegation.value} act as any user towards the account (resource-based delegation).`,
        ),
        [commandWord(inv), delegation],
      );
      return;
    }
    if (switchOn(inv, 'trustedfordelegation')) {
      out.add(persistence('persist.ad.delegation', `${inv.name} trusts the account for unconstrained delegation.`), [commandWord(inv)]);
      return;
    }
  }
  const text = fullText(inv, doc);
  const uac = /useraccountcontrol\s*[=:]\s*(\d{1,10})/.exec(text);
  if (uac !== null) {
    const value = Number(uac[1]);
    const bits = [UAC_DONT_REQUIRE_PREAUTH, UAC_TRUSTED_FOR_DELEGATION, UAC_TRUSTED_TO_AUTH_FOR_DELEGATION, UAC_PASSWD_NOTREQD];
    if (bits.some((b) => (value & b) !== 0)) {
      out.add(
        persistence(
          'persist.ad.account-control',
          `${inv.name} sets userAccountControl ${value}: no pre-authentication, delegation or no password.`,
        ),
        [commandWord(inv)],
      );
      return;
    }
  }
  const attribute = SENSITIVE_ATTRIBUTES.find((a) => text.includes(a.name));
  if (attribute !== undefined && (text.includes('-add') || text.includes('-replace') || text.includes('add:') || text.includes('replace:')))
    out.add(persistence('persist.ad.attribute', `${inv.name} ${attribute.what}.`), [commandWord(inv)]);
}

/** Extended rights that let their holder replicate password hashes from a domain controller (DCSync). */
const REPLICATION_RIGHTS: readonly string[] = [
  'replicating directory changes',
  '1131f6aa-9c07-11d1-f79f-00c04fc2dcd2',
  '1131f6ad-9c07-11d1-f79f-00c04fc2dcd2',
  '89e95b76-444d-4c62-991a-0facbeda640c',
];
const ACL_NEEDLES = new NeedleGroup([...REPLICATION_RIGHTS, 'adminsdholder', 'activedirectoryaccessrule']);

/**
 * `dsacls "DC=corp,DC=local" /G "CORP\x:CA;Replicating Directory Changes All"`, `dsacls "CN=AdminSDHolder,…" /G x:GA`,
 * `Set-Acl "AD:…" -AclObject $acl` after replication rights or a rule on AdminSDHolder were added: DCSync rights or
 * control of every protected account, granted in the directory.
 */
function checkDirectoryAcl(inv: Invocation, out: FindingCollector, doc: Document): void {
  if (docHasAny(doc, ACL_NEEDLES) === undefined) return;
  if (inv.name === 'dsacls') {
    if (!argLowers(inv).some((l) => l === '/g')) return;
    const text = argLowers(inv).join(' ');
    const what = REPLICATION_RIGHTS.some((r) => text.includes(r))
      ? 'replication rights (DCSync: every password hash of the domain)'
      : text.includes('adminsdholder')
        ? 'rights on AdminSDHolder (copied onto every protected account)'
        : undefined;
    if (what !== undefined) out.add(persistence('persist.ad.acl', `dsacls grants ${what}.`), [commandWord(inv)]);
    return;
  }
  // Set-Acl on an AD: path; what it grants was built earlier in the text.
  const path = optionValue(inv.args, 'path') ?? inv.args.find((w) => !w.lower.startsWith('-'));
  if (path === undefined || !(path.lower.startsWith('ad:') || path.lower.startsWith('"ad:') || path.lower.startsWith('$'))) return;
  const replication = REPLICATION_RIGHTS.find((r) => docHas(doc, r));
  const holder = docHas(doc, 'adminsdholder') ? 'adminsdholder' : undefined;
  if (replication === undefined && holder === undefined) return;
  out.add(
    persistence(
      'persist.ad.acl',
      `Set-Acl writes a directory ACL that grants ${replication !== undefined ? 'replication rights (DCSync)' : 'rights on AdminSDHolder'}.`,
    ),
    [commandWord(inv), path],
  );
}

/** Group Policy: a delegation of edit rights on a domain-wide policy, a trust with another domain. */
function checkDomainWideGrants(inv: Invocation, out: FindingCollector): void {
  if (inv.name === 'set-gppermission') {
    const level = optionValue(inv.args, 'permissionlevel')?.lower ?? '';
    if (level.startsWith('gpoedit'))
      out.add(
        persistence(
          'persist.ad.gpo-permission',
          `Set-GPPermission gives ${level} on a Group Policy object (run code on every machine it applies to).`,
        ),
        [commandWord(inv)],
      );
  } else if (inv.name === 'netdom' && argLowers(inv)[0] === 'trust' && argLowers(inv).includes('/add')) {
    out.add(persistence('persist.ad.trust', 'netdom adds a trust with another domain or realm.'), [commandWord(inv)]);
  } else if (inv.name === 'new-adtrust') {
    out.add(persistence('persist.ad.trust', 'New-ADTrust creates a trust with another domain.'), [commandWord(inv)]);
  } else if (inv.name === 'dsadd' && argLowers(inv)[0] === 'user') {
    out.add(persistence('persist.account.create', 'dsadd creates a domain account.'), [commandWord(inv)]);
  }
}

/**
 * `jamf createAccount -username x -admin`: a local administrator made through the Jamf binary; `wbadmin start backup
 * -include:C:\Windows\NTDS`: the directory database (every password hash of the domain) copied out as a backup.
 */
function checkAccountsAndDatabases(inv: Invocation, out: FindingCollector): void {
  const lowers = argLowers(inv);
  if (inv.name === 'jamf' && lowers[0] === 'createaccount') {
    out.add(
      persistence(
        'persist.account.create',
        `jamf createAccount creates a local account${lowers.includes('-admin') ? ' with administrator rights' : ''}.`,
      ),
      [commandWord(inv)],
    );
  } else if (inv.name === 'wbadmin' && lowers[0] === 'start' && lowers[1] === 'backup') {
    const ntds = inv.args.find((w) => w.lower.includes('\\ntds') && (w.lower.startsWith('-include') || w.lower.startsWith('/include')));
    if (ntds !== undefined)
      out.add(
        credentials('cred.ntds', 'wbadmin backs up the NTDS folder: the directory database with every password hash of the domain.'),
        [commandWord(inv), ntds],
      );
  }
}

/**
 * `Invoke-MgGraphRequest -Method POST -Uri …/deviceManagement/deviceManagementScripts`: a script made an Intune
 * platform script (run as SYSTEM on the devices it is assigned to).
 */
function checkDeviceScriptPush(inv: Invocation, out: FindingCollector): void {
  if (optionValue(inv.args, 'method')?.lower !== 'post') return;
  const uri = optionValue(inv.args, 'uri', 'path');
  if (uri === undefined || !/devicemanagementscripts|deviceshellscripts|devicehealthscripts/.test(uri.lower)) return;
  out.add(
    persistence('persist.mdm.script', `${inv.name} adds or assigns a device management script: it runs on every device it is assigned to.`),
    [commandWord(inv), uri],
  );
}

/** Intune policies that protect devices: assigned to nobody, every device loses them at its next check-in. */
const SECURITY_POLICY_WORDS = new NeedleGroup([
  'defender',
  'antivirus',
  'firewall',
  'bitlocker',
  'attack surface',
  'endpoint protection',
  'edr',
]);

/**
 * `Invoke-MgGraphRequest -Method POST -Uri …/configurationPolicies/$id/assign -Body '{"assignments":[]}'`: a device
 * policy assigned to nobody, in a text that names a security policy (Defender, firewall, BitLocker …).
 */
function checkPolicyUnassigned(inv: Invocation, out: FindingCollector, doc: Document): void {
  if (optionValue(inv.args, 'method')?.lower !== 'post') return;
  const uri = optionValue(inv.args, 'uri', 'path');
  if (uri === undefined || !uri.lower.endsWith('/assign')) return;
  if (!/configurationpolicies|deviceconfigurations|intents|devicecompliancepolicies/.test(uri.lower)) return;
  const body = optionValue(inv.args, 'body');
  if (body === undefined || !/"assignments"\s*:\s*\[\s*\]/.test(body.lower) || docHasAny(doc, SECURITY_POLICY_WORDS) === undefined) return;
  out.add(evasion('evasion.mdm.policy-unassigned', `${inv.name} assigns a device security policy to nobody: every device drops it.`), [
    commandWord(inv),
    uri,
  ]);
}

/**
 * `Get-ADComputer -Filter * -Properties ms-Mcs-AdmPwd`, `ldapsearch … '(ms-MCS-AdmPwd=*)' ms-MCS-AdmPwd`: the local
 * administrator password of every computer at once. Reading one computer's to sign in to it is a technician's work.
 */
function checkLapsDump(inv: Invocation, out: FindingCollector): void {
  const text = argLowers(inv).join(' ');
  const attribute = LAPS_ATTRIBUTES.find((a) => text.includes(a));
  if (attribute === undefined) return;
  const every =
    inv.name === 'ldapsearch'
      ? !/\((?:&\s*)?\(?(?:cn|name|samaccountname|dnshostname)=[^*)]+\)/.test(text)
      : optionValue(inv.args, 'filter')?.lower.replace(/["']/g, '') === '*' || optionValue(inv.args, 'ldapfilter') !== undefined;
  if (every)
    out.add(credentials('cred.laps-dump', `${inv.name} reads the LAPS password of every computer (${attribute}).`), [commandWord(inv)]);
}

// ---------------------------------------------------------------------------------------------
// Exchange Online and Entra ID

/** Free and anonymous mail services: forwarding a company's mail there is how business-email compromise collects it. */
const FREE_MAIL_DOMAINS: ReadonlySet<string> = new Set([
  'gmail.com',
  'googlemail.com',
  'outlook.com',
  'hotmail.com',
  'live.com',
  'yahoo.com',
  'icloud.com',
  'me.com',
  'aol.com',
  'gmx.com',
  'gmx.net',
  'gmx.de',
  'web.de',
  'mail.com',
  'yandex.com',
  'yandex.ru',
  'mail.ru',
  'proton.me',
  'protonmail.com',
  'pm.me',
  'tutanota.com',
  'tuta.io',
  'zoho.com',
]);

function mailDomain(lower: string): string | undefined {
  const at = lower.lastIndexOf('@');
  if (at < 0) return undefined;
  let end = at + 1;
  while (end < lower.length && !`"'>;, \t\n`.includes(lower[end] as string)) end++;
  const domain = lower.slice(at + 1, end);
  return domain.endsWith('.') ? domain.slice(0, -1) : domain;
}

/**
 * Where a forwarding goes outside: a free-mail address, or a domain other than the mailbox's own (when that is an address).
 * `addresses`: the forwarding values; `own`: the mailbox's identity.
 */
function externalAddress(addresses: readonly Word[], own: string | undefined): Word | undefined {
  const ownDomain = own === undefined ? undefined : mailDomain(own);
  return addresses.find((w) => {
    const d = mailDomain(w.lower);
    return d !== undefined && (FREE_MAIL_DOMAINS.has(d) || (ownDomain !== undefined && d !== ownDomain));
  });
}

const FORWARDING_PARAMETERS: ReadonlyMap<string, readonly string[]> = new Map([
  ['set-mailbox', ['forwardingsmtpaddress']],
  ['new-inboxrule', ['forwardto', 'redirectto', 'forwardasattachmentto']],
  ['set-inboxrule', ['forwardto', 'redirectto', 'forwardasattachmentto']],
  ['new-transportrule', ['blindcopyto', 'redirectmessageto', 'copyto', 'addtorecipients']],
  ['set-transportrule', ['blindcopyto', 'redirectmessageto', 'copyto', 'addtorecipients']],
]);

/** The values given to one of `names` (a list runs to the next parameter). */
function parameterValues(inv: Invocation, names: readonly string[]): Word[] {
  const out: Word[] = [];
  const args = inv.args;
  for (let i = 0; i < args.length; i++) {
    const key = optionKey(args[i] as Word);
    if (key === null || !names.includes(key)) continue;
    for (let k = i + 1; k < args.length && optionKey(args[k] as Word) === null; k++)
      if ((args[k] as Word).value !== ',') out.push(args[k] as Word);
  }
  return out;
}

/**
 * `Set-Mailbox cfo@x -ForwardingSmtpAddress smtp:y@gmail.com`, `New-InboxRule … -ForwardTo y@outlook.com`,
 * `New-TransportRule … -BlindCopyTo records@gmail.com`: a company's mail sent on to an outside address, which keeps
 * delivering after the session ends. Forwarding inside the company (`-ForwardingAddress manager`) is not this.
 */
function checkMailForwarding(inv: Invocation, out: FindingCollector, doc: Document): void {
  const n = inv.name;
  if (n === 'set-hostedoutboundspamfilterpolicy') {
    if (optionValue(inv.args, 'autoforwardingmode')?.lower === 'on')
      out.add(
        persistence('persist.mail.forwarding', 'Automatic forwarding of mail to outside addresses is switched on for the organisation.'),
        [commandWord(inv)],
      );
    return;
  }
  const names = FORWARDING_PARAMETERS.get(n);
  if (names === undefined) return;
  const values = parameterValues(inv, names);
  if (values.length === 0) return;
  // The mailbox's own address (a transport rule names none), else the address the text connects with.
  const mailbox = n.endsWith('transportrule') ? undefined : optionValue(inv.args, 'identity', 'mailbox')?.lower;
  const own = mailbox !== undefined && mailbox.includes('@') ? mailbox : CONNECTED_ADDRESS.of(doc);
  const target = externalAddress(values, own);
  if (target === undefined) return;
  out.add(persistence('persist.mail.forwarding', `${n} sends mail on to ${target.value}, outside the organisation.`), [
    commandWord(inv),
    target,
  ]);
}

/** The organisation's own mail address, when the text connects with one (`Connect-ExchangeOnline -UserPrincipalName a@x`). */
const CONNECTED_ADDRESS = new DocumentCache((doc: Document): string | undefined => {
  for (const c of doc.commands) {
    if (c.name !== 'connect-exchangeonline' && c.name !== 'connect-mggraph') continue;
    const upn = c.words.find((w) => w.lower.includes('@'));
    if (upn !== undefined) return upn.lower;
  }
  return undefined;
});

/**
 * `Get-Mailbox -ResultSize Unlimited | Add-MailboxPermission -User x -AccessRights FullAccess`: one account given every
 * mailbox; `New-ManagementRoleAssignment -Role ApplicationImpersonation`: an account that can act as every mailbox.
 */
function checkMailboxAccess(inv: Invocation, out: FindingCollector, doc: Document): void {
  if (inv.name === 'new-managementroleassignment') {
    const role = optionValue(inv.args, 'role')?.lower ?? '';
    if (role.includes('impersonation') || role.includes('mailbox import export'))
      out.add(persistence('persist.mail.impersonation', `New-ManagementRoleAssignment gives the ${role} role: access to every mailbox.`), [
        commandWord(inv),
      ]);
    return;
  }
  if (inv.name !== 'add-mailboxpermission' || !argLowers(inv).some((l) => l.includes('fullaccess'))) return;
  const everyMailbox = inv.command.position > 0 && pipelineNeighbours(doc, inv.command, 'before').some((c) => c.name === 'get-mailbox');
  if (everyMailbox)
    out.add(persistence('persist.mail.impersonation', 'Add-MailboxPermission gives one account full access to every mailbox piped in.'), [
      commandWord(inv),
    ]);
}

/** Graph and Azure AD cmdlets and CLI calls that give an app or principal a credential, consent or a role. */
const GRANTING_CMDLETS: ReadonlyMap<string, string> = new Map([
  ['add-mgapplicationpassword', 'adds a client secret to an application (sign-in as the app, with its permissions)'],
  ['add-mgserviceprincipalpassword', 'adds a client secret to a service principal'],
  ['add-mgapplicationkey', 'adds a certificate credential to an application'],
  ['new-azureadapplicationpasswordcredential', 'adds a client secret to an application'],
  ['new-azureadserviceprincipalpasswordcredential', 'adds a client secret to a service principal'],
  ['new-azadappcredential', 'adds a credential to an application'],
  ['new-azadspcredential', 'adds a credential to a service principal'],
  ['new-mgoauth2permissiongrant', 'grants delegated permissions (consent) to an application'],
  ['new-mgserviceprincipalapproleassignment', 'grants an application role (API permission) to a principal'],
  ['new-mgserviceprincipalapproleassignedto', 'grants an application role (API permission) to a principal'],
  ['new-mgdomainfederationconfiguration', 'federates a domain with an identity provider (it then vouches for every user)'],
  ['new-mginvitation', 'invites an outside guest account into the tenant'],
  ['new-azureadmsinvitation', 'invites an outside guest account into the tenant'],
]);

/**
 * CLI calls (program, verbs) that grant the same. Credentials and administrative roles given with the cloud CLIs (`az ad
 * sp credential reset`, `az role assignment create --role Owner`, `aws iam create-access-key`, `gcloud … add-iam-policy-
 * binding --role roles/owner`) are the persistence family's (`persist.cloud`).
 */
const GRANTING_CALLS: readonly { program: string; verbs: readonly string[]; what: string }[] = [
  { program: 'az', verbs: ['ad', 'app', 'permission', 'admin-consent'], what: 'grants tenant-wide consent to an application' },
  { program: 'aws', verbs: ['iam', 'update-assume-role-policy'], what: 'changes who may assume a role' },
];

function checkGrants(inv: Invocation, out: FindingCollector, doc: Document): void {
  const cmdlet = GRANTING_CMDLETS.get(inv.name);
  if (cmdlet !== undefined) {
    // Consent for the signed-in user only (`-ConsentType Principal`) is what any user may give.
    if (inv.name === 'new-mgoauth2permissiongrant' && optionValue(inv.args, 'consenttype')?.lower !== 'allprincipals') return;
    out.add(persistence('persist.identity.grant', `${inv.name} ${cmdlet}.`), [commandWord(inv)]);
    return;
  }
  for (const call of GRANTING_CALLS) {
    if (call.program !== inv.name || !hasVerbs(inv, call.verbs)) continue;
    out.add(persistence('persist.identity.grant', `${inv.name} ${call.verbs.join(' ')} ${call.what}.`), [commandWord(inv)]);
    return;
  }
  // `kubectl patch configmap aws-auth … system:masters`: an outside identity mapped to cluster administrators.
  if (inv.name === 'kubectl' && argLowers(inv).includes('aws-auth') && fullText(inv, doc).includes('system:masters'))
    out.add(persistence('persist.identity.grant', 'kubectl maps an AWS identity to the cluster administrators (system:masters).'), [
      commandWord(inv),
    ]);
}

// ---------------------------------------------------------------------------------------------
// Logging, auditing and protection switched off

/** PowerShell cmdlets with a parameter that turns a protection off (set false, or true for the `…Disabled` ones). */
const PROTECTION_OFF: readonly { cmdlet: string; parameter: string; off: 'false' | 'true' | 'zero' | 'empty'; what: string }[] = [
  { cmdlet: 'set-adminauditlogconfig', parameter: 'unifiedauditlogingestionenabled', off: 'false', what: 'the unified audit log' },
  { cmdlet: 'set-adminauditlogconfig', parameter: 'adminauditlogenabled', off: 'false', what: 'admin audit logging' },
  { cmdlet: 'set-organizationconfig', parameter: 'auditdisabled', off: 'true', what: 'mailbox auditing for the organisation' },
  { cmdlet: 'set-mailbox', parameter: 'auditenabled', off: 'false', what: 'mailbox auditing' },
  { cmdlet: 'set-mailbox', parameter: 'litigationholdenabled', off: 'false', what: 'the litigation hold' },
  { cmdlet: 'set-mailboxauditbypassassociation', parameter: 'auditbypassenabled', off: 'true', what: 'mailbox auditing for an account' },
  {
    cmdlet: 'update-mgpolicyidentitysecuritydefaultenforcementpolicy',
    parameter: 'isenabled',
    off: 'false',
    what: 'security defaults (MFA for everyone)',
  },
  { cmdlet: 'set-msoluser', parameter: 'strongauthenticationrequirements', off: 'empty', what: "a user's multi-factor authentication" },
  { cmdlet: 'set-addefaultdomainpasswordpolicy', parameter: 'lockoutthreshold', off: 'zero', what: 'account lockout' },
  { cmdlet: 'set-addefaultdomainpasswordpolicy', parameter: 'complexityenabled', off: 'false', what: 'password complexity' },
];
/** Cmdlets that switch a protection off by their name alone. */
const PROTECTION_OFF_CMDLETS: ReadonlyMap<string, string> = new Map([
  ['disable-safeattachmentrule', 'a Safe Attachments rule'],
  ['disable-safelinksrule', 'a Safe Links rule'],
  ['disable-antiphishrule', 'an anti-phishing rule'],
  ['disable-malwarefilterrule', 'a malware filter rule'],
  ['remove-mgidentityconditionalaccesspolicy', 'a Conditional Access policy'],
  ['remove-azureadmsconditionalaccesspolicy', 'a Conditional Access policy'],
  ['remove-azresourcelock', 'a resource lock (protection against deletion)'],
]);
function offValue(inv: Invocation, parameter: string, off: 'false' | 'true' | 'zero' | 'empty'): boolean {
  if (off === 'true') return switchOn(inv, parameter);
  if (off === 'false') return setFalse(inv, parameter) !== undefined;
  const v = optionValue(inv.args, parameter)?.lower;
  return off === 'zero' ? v === '0' : v === '@()' || v === '()' || v === '$null' || v === '';
}

function checkProtectionOff(inv: Invocation, out: FindingCollector): void {
  const byName = PROTECTION_OFF_CMDLETS.get(inv.name);
  if (byName !== undefined) {
    out.add(evasion('evasion.identity.protection', `${inv.name} switches off or removes ${byName}.`), [commandWord(inv)]);
    return;
  }
  const setting = PROTECTION_OFF.find((p) => p.cmdlet === inv.name && offValue(inv, p.parameter, p.off));
  if (setting !== undefined) {
    out.add(evasion('evasion.identity.protection', `${inv.name} switches off ${setting.what}.`), [commandWord(inv)]);
    return;
  }
  // `Update-MgIdentityConditionalAccessPolicy … -Conditions @{ Users = @{ ExcludeUsers = … } }`: whom a policy applies to
  // changed (its state turned off is the defense-evasion family's `evasion.security-control.disable`).
  if (inv.name === 'update-mgidentityconditionalaccesspolicy' || inv.name === 'set-azureadmsconditionalaccesspolicy') {
    if (argLowers(inv).some((l) => l.startsWith('-conditions')))
      out.add(evasion('evasion.identity.protection', `${inv.name} changes whom a Conditional Access policy applies to.`), [
        commandWord(inv),
      ]);
    return;
  }
  // `Invoke-AzRestMethod -Method DELETE -Path '…/diagnosticSettings/…'`: a log export removed through the REST API.
  if ((inv.name === 'invoke-azrestmethod' || inv.name === 'invoke-mggraphrequest') && optionValue(inv.args, 'method')?.lower === 'delete') {
    const path = optionValue(inv.args, 'path', 'uri');
    if (path !== undefined && path.lower.includes('diagnosticsettings'))
      out.add(evasion('evasion.cloud-logging', `${inv.name} deletes a diagnostic (log export) setting.`), [commandWord(inv), path]);
    return;
  }
  // `kubectl delete daemonset falco`, `jamf removeFramework`: a security or management agent removed.
  if (inv.name === 'kubectl' && hasVerbs(inv, ['delete'])) {
    const agent = inv.args.slice(1).find((w) => !w.lower.startsWith('-') && isSecurityServiceName(w.lower) !== undefined);
    if (agent !== undefined)
      out.add(evasion('evasion.security-service.stop', `kubectl deletes ${agent.value}, a security agent.`), [commandWord(inv), agent]);
  } else if (inv.name === 'jamf' && argLowers(inv)[0] === 'removeframework') {
    out.add(evasion('evasion.security-service.uninstall', 'jamf removeFramework removes device management from the Mac.'), [
      commandWord(inv),
    ]);
  }
}

/** Backups deleted or left unprotected in the cloud: recovery points, vault soft delete, backup data with its protection. */
const BACKUP_DESTRUCTION: readonly { program: string; verbs: readonly string[]; what: string; when?: (inv: Invocation) => boolean }[] = [
  { program: 'aws', verbs: ['backup', 'delete-recovery-point'], what: 'deletes an AWS Backup recovery point' },
  { program: 'aws', verbs: ['backup', 'delete-backup-vault'], what: 'deletes an AWS Backup vault' },
  { program: 'gcloud', verbs: ['sql', 'backups', 'delete'], what: 'deletes a Cloud SQL backup' },
  {
    program: 'az',
    verbs: ['backup', 'protection', 'disable'],
    what: 'stops protection and deletes the backup data',
    when: (inv) => ['true', 'yes'].includes(optionValue(inv.args, 'delete-backup-data')?.lower ?? ''),
  },
  {
    program: 'az',
    verbs: ['backup', 'vault', 'backup-properties', 'set'],
    what: "switches off the vault's soft delete",
    when: (inv) => optionValue(inv.args, 'soft-delete-feature-state')?.lower === 'disable',
  },
];

function checkCloudBackups(inv: Invocation, out: FindingCollector): void {
  if (inv.name === 'set-azrecoveryservicesvaultproperty') {
    if (optionValue(inv.args, 'softdeletefeaturestate')?.lower === 'disable')
      out.add(
        evasionBlockSpec(
          'evasion.backups.delete',
          `Set-AzRecoveryServicesVaultProperty switches off the backup vault's soft delete. ${RECOVERY}`,
        ),
        [commandWord(inv)],
      );
    return;
  }
  if (inv.name === 'disable-azrecoveryservicesbackupprotection' && switchOn(inv, 'removerecoverypoints')) {
    out.add(
      evasionBlockSpec('evasion.backups.delete', `Disable-AzRecoveryServicesBackupProtection deletes the recovery points. ${RECOVERY}`),
      [commandWord(inv)],
    );
    return;
  }
  for (const d of BACKUP_DESTRUCTION) {
    if (d.program !== inv.name || !hasVerbs(inv, d.verbs) || (d.when !== undefined && !d.when(inv))) continue;
    out.add(evasionBlockSpec('evasion.backups.delete', `${inv.name} ${d.what}. ${RECOVERY}`), [commandWord(inv)]);
    return;
  }
}

// ---------------------------------------------------------------------------------------------
// Cloud network and run-command (cloud tunnels are the tunnel family's)

/**
 * `az network nsg rule create … --access Allow --direction Inbound`, `aws ec2 authorize-security-group-ingress`, `gcloud
 * compute firewall-rules create` (ingress is the default): a cloud firewall opened, as `netsh advfirewall … allow` is.
 */
/** A source that means anyone on the internet: `*`, `0.0.0.0/0`, `::/0`, `Internet`, `Any`. */
function anySource(value: string | undefined): boolean {
  const v = (value ?? '').replace(/["']/g, '');
  return v === '*' || v === 'internet' || v === 'any' || v.includes('0.0.0.0/0') || v.includes('::/0');
}

/**
 * `az network nsg rule create … --source-address-prefixes '*'`, `aws ec2 authorize-security-group-ingress … --cidr
 * 0.0.0.0/0`, `gcloud compute firewall-rules create` without source ranges (the default is everyone): a cloud firewall
 * opened to the whole internet. Rules for the office's addresses are ordinary.
 */
function checkCloudFirewall(inv: Invocation, out: FindingCollector): void {
  let opens = false;
  if (inv.name === 'az' && hasVerbs(inv, ['network', 'nsg', 'rule'])) {
    const lowers = argLowers(inv);
    const creates = lowers.includes('create');
    const source = optionValue(inv.args, 'source-address-prefixes', 'source-address-prefix')?.lower;
    opens =
      (creates || lowers.includes('update')) &&
      (optionValue(inv.args, 'access')?.lower ?? 'allow') === 'allow' &&
      (optionValue(inv.args, 'direction')?.lower ?? 'inbound') === 'inbound' &&
      (anySource(source) || (creates && source === undefined));
  } else if (inv.name === 'aws' && hasVerbs(inv, ['ec2', 'authorize-security-group-ingress'])) {
    opens =
      anySource(optionValue(inv.args, 'cidr', 'cidr-ipv6')?.lower) ||
      argLowers(inv).some((l) => l.includes('0.0.0.0/0') || l.includes('::/0'));
  } else if (inv.name === 'gcloud' && hasVerbs(inv, ['compute', 'firewall-rules', 'create'])) {
    const source = optionValue(inv.args, 'source-ranges')?.lower;
    opens =
      (optionValue(inv.args, 'direction')?.lower ?? 'ingress') === 'ingress' &&
      optionValue(inv.args, 'action')?.lower !== 'deny' &&
      (source === undefined || anySource(source));
  }
  if (opens)
    out.add(persistence('persist.firewall.cloud', `${inv.name} opens an inbound port of a cloud firewall to the whole internet.`), [
      commandWord(inv),
    ]);
}

/**
 * `az vm extension set -n CustomScriptExtension --settings '{"fileUris":["https://…/s.ps1"],"commandToExecute":…}'`,
 * `Set-AzVMCustomScriptExtension -FileUri https://… -Run s.ps1`: a virtual machine told to download a script and run it.
 */
function checkRemoteScriptExtension(inv: Invocation, out: FindingCollector): void {
  const text = argLowers(inv).join(' ');
  const isExtension =
    (inv.name === 'az' && hasVerbs(inv, ['vm', 'extension', 'set']) && text.includes('fileuris') && text.includes('commandtoexecute')) ||
    (inv.name === 'set-azvmcustomscriptextension' && optionValue(inv.args, 'fileuri') !== undefined);
  if (!isExtension) return;
  const url = inv.args.find((w) => w.lower.includes('http://') || w.lower.includes('https://') || isRemote(w.value));
  if (url === undefined) return;
  out.add(
    {
      code: 'download_execute',
      ruleId: 'dl.vm-extension',
      standard: 'block',
      extended: 'flag',
      message: `${inv.name} has a virtual machine download a script from the internet and run it.`,
      remedy: 'Save the script in Bulwark and have its hash permitted, or ask a supervisor for extended trust.',
    },
    [commandWord(inv), url],
  );
}

// ---------------------------------------------------------------------------------------------
// Secret stores read whole

/** Commands that list a secret store's entries, and the ones that print one entry's value. */
const SECRET_LISTERS: readonly { program: string; verbs: readonly string[] }[] = [
  { program: 'az', verbs: ['keyvault', 'secret', 'list'] },
  { program: 'aws', verbs: ['secretsmanager', 'list-secrets'] },
  { program: 'aws', verbs: ['ssm', 'describe-parameters'] },
  { program: 'gcloud', verbs: ['secrets', 'list'] },
];
const SECRET_READERS: readonly { program: string; verbs: readonly string[]; needs?: string }[] = [
  { program: 'az', verbs: ['keyvault', 'secret', 'show'] },
  { program: 'aws', verbs: ['secretsmanager', 'get-secret-value'] },
  { program: 'aws', verbs: ['ssm', 'get-parameter'], needs: 'with-decryption' },
  { program: 'gcloud', verbs: ['secrets', 'versions', 'access'] },
];

function matchesCall(c: SimpleCommand, calls: readonly { program: string; verbs: readonly string[]; needs?: string }[]): boolean {
  return calls.some((call) => {
    if (c.name !== call.program) return false;
    const args = c.words.slice(1).map((w) => w.lower);
    return startsWithVerbs(args, call.verbs) && (call.needs === undefined || args.includes('--' + call.needs));
  });
}

const SECRET_STORE_NEEDLES = new NeedleGroup(['keyvault', 'secretsmanager', 'ssm', 'secrets', 'azkeyvaultsecret', 'etcdctl']);

/**
 * Every secret of a vault read in one text: a listing of the store and a read of each entry (`for s in $(aws
 * secretsmanager list-secrets …); do aws secretsmanager get-secret-value --secret-id $s`), `Get-AzKeyVaultSecret
 * -AsPlainText` over the listing, `aws ssm get-parameters-by-path --recursive --with-decryption`, `etcdctl get
 * /registry/secrets --prefix` (every Kubernetes secret). Reading one named secret stays allowed.
 */
function checkSecretStoreDump(doc: Document, out: FindingCollector): void {
  if (docHasAny(doc, SECRET_STORE_NEEDLES) === undefined) return;
  let lister: SimpleCommand | undefined;
  let reader: SimpleCommand | undefined;
  let listing: SimpleCommand | undefined;
  for (const c of doc.commands) {
    if (
      c.name === 'aws' &&
      c.words.some((w) => w.lower === 'get-parameters-by-path') &&
      c.words.some((w) => w.lower === '--with-decryption')
    ) {
      out.add(credentials('cred.secret-store-dump', 'aws ssm get-parameters-by-path decrypts every parameter under the path.'), [
        c.words[0],
      ]);
      return;
    }
    // Also inside a `kubectl exec … -- sh -c '… etcdctl get /registry/secrets --prefix'` string.
    if (c.words.some((w) => w.lower.includes('etcdctl')) && c.words.some((w) => w.lower.includes('/registry/secrets'))) {
      out.add(credentials('cred.secret-store-dump', "etcdctl reads the cluster's secrets straight from etcd."), [c.words[0]]);
      return;
    }
    if (c.name === 'get-azkeyvaultsecret') {
      if (c.words.some((w) => w.lower === '-asplaintext')) reader ??= c;
      else if (!c.words.some((w) => w.lower === '-name')) listing ??= c;
    }
    if (lister === undefined && matchesCall(c, SECRET_LISTERS)) lister = c;
    else if (reader === undefined && matchesCall(c, SECRET_READERS)) reader = c;
  }
  const from = lister ?? listing;
  if (from === undefined || reader === undefined) return;
  out.add(credentials('cred.secret-store-dump', `${reader.name} reads the value of every secret ${from.name} lists: the whole vault.`), [
    reader.words[0],
    from.words[0],
  ]);
}

// ---------------------------------------------------------------------------------------------

const CHECKS = new ChecksByName([
  {
    check: checkPrivilegedMembership,
    names: ['set-adobject', 'set-adgroup', 'dsmod', 'dsadd', 'ldapmodify', 'ldapadd', 'add-addomaincontrollerpasswordreplicationpolicy'],
  },
  { check: checkAccountBackdoors, names: ['set-adaccountcontrol', ...AD_WRITERS, 'ldapmodify'] },
  { check: checkDirectoryAcl, names: ['dsacls', 'set-acl'] },
  { check: checkDomainWideGrants, names: ['set-gppermission', 'netdom', 'new-adtrust', 'dsadd'] },
  { check: checkLapsDump, names: ['get-adcomputer', 'get-adobject', 'ldapsearch'] },
  { check: checkMailForwarding, names: [...FORWARDING_PARAMETERS.keys(), 'set-hostedoutboundspamfilterpolicy'] },
  { check: checkMailboxAccess, names: ['add-mailboxpermission', 'new-managementroleassignment'] },
  { check: checkGrants, names: [...GRANTING_CMDLETS.keys(), 'az', 'aws', 'gcloud', 'kubectl'] },
  {
    check: checkProtectionOff,
    names: [
      ...PROTECTION_OFF_CMDLETS.keys(),
      ...PROTECTION_OFF.map((p) => p.cmdlet),
      'update-mgidentityconditionalaccesspolicy',
      'set-azureadmsconditionalaccesspolicy',
      'invoke-azrestmethod',
      'invoke-mggraphrequest',
      'kubectl',
      'jamf',
    ],
  },
  {
    check: checkCloudBackups,
    names: ['aws', 'az', 'gcloud', 'set-azrecoveryservicesvaultproperty', 'disable-azrecoveryservicesbackupprotection'],
  },
  { check: checkCloudFirewall, names: ['az', 'aws', 'gcloud'] },
  { check: checkRemoteScriptExtension, names: ['az', 'set-azvmcustomscriptextension'] },
  { check: checkAccountsAndDatabases, names: ['jamf', 'wbadmin'] },
  { check: checkDeviceScriptPush, names: ['invoke-mggraphrequest', 'invoke-restmethod', 'irm', 'invoke-webrequest', 'iwr'] },
  { check: checkPolicyUnassigned, names: ['invoke-mggraphrequest', 'invoke-restmethod', 'irm', 'invoke-webrequest', 'iwr'] },
]);
