import { describe, expect, it } from 'vitest';
import { credentialAccessRules } from './credential-access';
import { run, ruleIds, spansValid, verdict } from './family-test-support';
import type { Shell } from '../types';

const blocked: Array<[string, Shell, string]> = [
  ['procdump.exe -accepteula -ma lsass.exe C:\\t\\l.dmp', 'cmd', 'cred.lsass-dump'],
  ['"C:\\Tools\\procdump64.exe" -ma lsass.exe out.dmp', 'cmd', 'cred.lsass-dump'],
  [
    'rundll32.exe C:\\windows\\System32\\comsvcs.dll, MiniDump (Get-Process lsass).id $env:TEMP\\l.dmp full',
    'powershell',
    'cred.lsass-dump',
  ],
  ['reg save HKLM\\sam C:\\t\\sam', 'cmd', 'cred.hive-export'],
  ['REG.EXE SAVE hklm\\security sec.hiv', 'cmd', 'cred.hive-export'],
  ['r^e^g save HKLM\\SYSTEM sys.hiv', 'cmd', 'cred.hive-export'],
  ['reg export HKEY_LOCAL_MACHINE\\SAM sam.reg', 'cmd', 'cred.hive-export'],
  ['mimikatz.exe "privilege::debug" "sekurlsa::logonpasswords" exit', 'cmd', 'cred.tool'],
  ['C:\\t\\m.exe "sekurlsa::logonpasswords"', 'cmd', 'cred.mimikatz'],
  ['Invoke-Mimikatz -DumpCreds', 'powershell', 'cred.tool'],
  ['ntdsutil "ac i ntds" "ifm" "create full C:\\t\\ntds" q q', 'cmd', 'cred.ntds'],
  ['esentutl.exe /y /vss C:\\Windows\\System32\\config\\SAM /d C:\\t\\SAM', 'cmd', 'cred.hive-export'],
  ['copy \\\\?\\GLOBALROOT\\Device\\HarddiskVolumeShadowCopy1\\Windows\\NTDS\\NTDS.dit C:\\t\\ntds.dit', 'cmd', 'cred.shadow-copy-hives'],
  ['sudo cat /etc/shadow', 'bash', 'cred.shadow-file'],
  ['cp /etc/shadow /tmp/s', 'bash', 'cred.shadow-file'],
  ['hydra -l root -P words.txt 203.0.113.7 ssh', 'bash', 'cred.tool'],
  ['john --wordlist=words.txt hashes.txt', 'bash', 'cred.tool'],
  ['hashcat -m 1000 -a 0 hashes.txt words.txt', 'bash', 'cred.tool'],
  ['security dump-keychain -d login.keychain', 'zsh', 'cred.keychain'],
  ['security find-generic-password -wa "Chrome"', 'zsh', 'cred.tool'],
  // Crackers with input, however written.
  ['J^o^h^n hashes.txt', 'cmd', 'cred.tool'],
  ["& 'john' --show hashes.txt", 'powershell', 'cred.tool'],
  ['cat hashes.txt | john', 'bash', 'cred.tool'],
  ['john < hashes.txt', 'bash', 'cred.tool'],
  ['h""ashcat -m 0 h.txt', 'bash', 'cred.tool'],
];

const allowed: Array<[string, Shell]> = [
  ['Get-Process lsass', 'powershell'],
  ['tasklist /fi "imagename eq lsass.exe"', 'cmd'],
  ['ls -l /etc/shadow', 'bash'],
  ['sudo chmod 640 /etc/shadow', 'bash'],
  ['reg query HKLM\\SYSTEM\\CurrentControlSet\\Control\\Lsa', 'cmd'],
  ['reg save HKCU\\Software\\Vendor vendor.hiv', 'cmd'],
  ['cmdkey /list', 'cmd'],
  ['security find-certificate -a -p', 'zsh'],
  ['Get-Credential', 'powershell'],
  ['passwd alice', 'bash'],
  // A cracker's name alone does nothing (prints usage): in pasted output or a list it is a name.
  ['John\nJane\nJoe', 'powershell'],
  ['$object = [pscustomobject]@{ Names = @("John","Jane") }', 'powershell'],
  ['hashcat', 'bash'],
];

describe('credential access', () => {
  it.each(blocked)('blocks %s', (text, shell, id) => {
    const f = run(credentialAccessRules, text, shell, shell === 'zsh' ? 'macos' : undefined);
    expect(ruleIds(f).some((r) => r === id || r.startsWith('cred.'))).toBe(true);
    expect(verdict(f)).toBe('block');
    expect(f.every((x) => x.code === 'credential_access')).toBe(true);
    expect(f.filter((x) => x.standard === 'block').every((x) => x.extended === 'block')).toBe(true);
    expect(spansValid(f, text)).toBe(true);
  });
  it.each(allowed)('allows %s', (text, shell) => {
    expect(run(credentialAccessRules, text, shell, shell === 'zsh' ? 'macos' : undefined)).toEqual([]);
  });
});
