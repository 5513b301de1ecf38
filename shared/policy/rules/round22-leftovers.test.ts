/**
 * Blind round 22's leftovers outside the impact family: Kerberos-delegation abuse scripts, a task or script placed in a
 * Group Policy's SYSVOL folder, and an Intune security policy assigned to nobody.
 */
import { describe, expect, it } from 'vitest';
import { decisionOf as decision, evaluateLine } from './family-test-support';
import type { Shell } from '../types';

const rules = (text: string, shell: Shell) => evaluateLine(text, shell).reasons.map((r) => r.ruleId);

describe('round 22 leftovers', () => {
  it('Impacket and krbrelayx delegation and ACL abuse scripts are offensive tools', () => {
    const rbcd =
      "rbcd.py -delegate-from 'KIOSK07$' -delegate-to 'FILE01$' -action write corp.local/t.nguyen:'Pa55word1' && getST.py -spn cifs/file01.corp.local -impersonate administrator 'corp.local/KIOSK07$:Kiosk!'";
    expect(decision(rbcd, 'bash')).toBe('block');
    expect(rules(rbcd, 'bash')).toContain('offensive.tool');
    expect(decision("python3 dacledit.py -action write -rights DCSync -principal kiosk corp.local/t:'x'", 'bash')).toBe('block');
    expect(decision('impacket-addcomputer -computer-name KIOSK99$ -computer-pass x corp.local/t:x', 'bash')).toBe('block');
    expect(decision('gMSADumper.py -u t -p x -d corp.local', 'bash')).toBe('block');
  });

  it("a file written into a Group Policy's task or script folder is persistence, even when the policy path is computed", () => {
    const gpo = [
      "$gpo = Get-GPO -Name 'Default Domain Policy'",
      '$path = "\\\\corp.local\\SYSVOL\\corp.local\\Policies\\{$($gpo.Id)}\\Machine\\Preferences\\ScheduledTasks"',
      'New-Item -ItemType Directory -Path $path -Force | Out-Null; Copy-Item C:\\ProgramData\\st.xml "$path\\ScheduledTasks.xml"',
    ].join('\n');
    expect(rules(gpo, 'powershell')).toContain('persist.file');
    expect(rules('copy logon.bat \\\\corp.local\\SYSVOL\\corp.local\\Policies\\{31B2F340}\\User\\Scripts\\Logon\\', 'cmd')).toContain(
      'persist.file',
    );
    expect(decision('Get-ChildItem \\\\corp.local\\SYSVOL\\corp.local\\Policies -Recurse -Filter ScheduledTasks.xml', 'powershell')).toBe(
      'allow',
    );
    expect(decision('Backup-GPO -All -Path \\\\fs01\\gpo-backups', 'powershell')).toBe('allow');
  });

  it('an Intune security policy assigned to nobody is defense evasion; assigning it to a group is not', () => {
    const unassign = [
      '$id = (Invoke-MgGraphRequest -Method GET -Uri "https://graph.microsoft.com/beta/deviceManagement/configurationPolicies?`$filter=name eq \'Defender AV\'").value[0].id',
      'Invoke-MgGraphRequest -Method POST -Uri "https://graph.microsoft.com/beta/deviceManagement/configurationPolicies/$id/assign" -Body \'{"assignments":[]}\'',
    ].join('\n');
    expect(rules(unassign, 'powershell')).toContain('evasion.mdm.policy-unassigned');
    expect(
      decision(
        unassign.replace(
          '{"assignments":[]}',
          '{"assignments":[{"target":{"@odata.type":"#microsoft.graph.groupAssignmentTarget","groupId":"5c1e"}}]}',
        ),
        'powershell',
      ),
    ).toBe('allow');
    expect(decision(unassign.replaceAll('Defender AV', 'Wallpaper'), 'powershell')).toBe('allow');
  });
});
