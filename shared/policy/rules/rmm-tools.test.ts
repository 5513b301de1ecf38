import { describe, expect, it } from 'vitest';
import { REMOTE_ACCESS_TOOLS } from '../catalog/remote-access-tools';
import { rmmToolRules } from './rmm-tools';
import { run, ruleIds, spansValid, verdict } from './family-test-support';
import type { Shell } from '../types';

const blocked: Array<[string, Shell, string]> = [
  // A function of the text does not cover a program of the same name run as `name.exe`.
  ['function AnyDesk { "x" }\nAnyDesk.exe --install C:\\ad --silent', 'powershell', 'rmm.launch'],
  ['AnyDesk.exe --install "C:\\Program Files (x86)\\AnyDesk" --start-with-win --silent', 'cmd', 'rmm.launch'],
  ['"C:\\Program Files\\TeamViewer\\TeamViewer.exe" assignment --id 123', 'cmd', 'rmm.launch'],
  ['Start-Process "$env:TEMP\\T1219_NetSupport.exe" -ArgumentList "/S"', 'powershell', 'rmm.launch'],
  ["Start-Process $env:ProgramFiles\\'uvnc bvba\\UltraVnc\\vncviewer.exe'", 'powershell', 'rmm.launch'],
  ['start "" "C:\\Users\\Public\\ScreenConnect.ClientSetup.exe"', 'cmd', 'rmm.launch'],
  ['sudo rustdesk --deploy --token abc', 'bash', 'rmm.launch'],
  ['x11vnc -forever -shared', 'bash', 'rmm.launch'],
  ['msiexec /i RustDesk-1.msi /qn', 'cmd', 'rmm.install'],
  ['msiexec.exe /package C:\\t\\AteraAgentSetup.msi /quiet', 'cmd', 'rmm.install'],
  // A macOS app bundle copied into an Applications folder is installed.
  ['cp -R /Volumes/AnyDesk/AnyDesk.app /Applications/', 'zsh', 'rmm.install'],
  ['sudo ditto /Volumes/TeamViewer/TeamViewer.app ~/Applications/TeamViewer.app', 'zsh', 'rmm.install'],
  ['winget install --id AnyDesk.AnyDesk -e', 'powershell', 'rmm.package-install'],
  ['choco install teamviewer -y', 'powershell', 'rmm.package-install'],
  ['sudo apt install ./rustdesk-1.2.6-x86_64.deb', 'bash', 'rmm.package-install'],
  ['sc start AnyDesk', 'cmd', 'rmm.service-start'],
  ['Start-Service -Name TeamViewer', 'powershell', 'rmm.service-start'],
  ['sudo systemctl enable --now rustdesk', 'bash', 'rmm.service-start'],
  [
    'Invoke-WebRequest -OutFile C:\\t\\setup.exe https://download.anydesk.com/AnyDesk.exe\nStart-Process C:\\t\\setup.exe',
    'powershell',
    'rmm.download-install',
  ],
  [
    'curl -L https://github.com/rustdesk/rustdesk/releases/download/1.2.6/x.exe -o r.exe && r.exe --silent-install',
    'cmd',
    'rmm.download-install',
  ],
  // Self-hosted servers and container images of remote-access tools.
  ['docker run --name hbbs -v ./data:/root -td --net=host rustdesk/rustdesk-server hbbs', 'bash', 'rmm.container'],
  ['podman pull docker.io/rustdesk/rustdesk-server:latest', 'bash', 'rmm.container'],
  ['./hbbr -k _', 'bash', 'rmm.launch'],
  // Launchers are unwrapped.
  ['pkexec /usr/bin/rustdesk --service', 'bash', 'rmm.launch'],
  // A process manager keeping the relay running (RustDesk's own Windows instructions use pm2).
  ['pm2 start hbbs.exe -- -r rustdesk.example.com', 'cmd', 'rmm.launch'],
  ['pm2 start ./hbbr', 'bash', 'rmm.launch'],
];

const allowed: Array<[string, Shell]> = [
  // Removal scripts: the tool's paths kept in a list, and a function of the script named after the tool.
  [
    'function Get-TeamViewerUninstallPath {\n  $paths = @(\n    "C:\\Program Files\\TeamViewer\\uninstall.exe",\n    "$env:APPDATA\\TeamViewer\\uninstall.exe"\n  )\n  foreach ($p in $paths) { if (Test-Path $p) { return $p } }\n}\n$u = Get-TeamViewerUninstallPath\nif ($u) { Start-Process -FilePath $u -ArgumentList "/S" -Wait }',
    'powershell',
  ],
  ['cp -R /Volumes/Firefox/Firefox.app /Applications/', 'zsh'],
  ['cp -R /Applications/AnyDesk.app ~/Backup/', 'zsh'],
  ['pm2 start app.js --name api', 'bash'],
  ['pm2 start npm --name web -- start', 'bash'],
  // Status checks and removal are what a technician needs to find and remove unauthorised remote access.
  ['Get-Service AnyDesk', 'powershell'],
  ['sc query TeamViewer', 'cmd'],
  ['Stop-Service -Name AnyDesk', 'powershell'],
  ['winget uninstall AnyDesk.AnyDesk', 'powershell'],
  ['msiexec /x RustDesk-1.msi /qn', 'cmd'],
  ['"C:\\Program Files (x86)\\AnyDesk\\AnyDesk.exe" --remove', 'cmd'],
  ['vncserver --kill :1', 'bash'],
  ['Test-Path "C:\\Program Files\\TeamViewer"', 'powershell'],
  ['grep -i anydesk /var/log/syslog', 'bash'],
  ['sc start Spooler', 'cmd'],
  ['systemctl enable nginx', 'bash'],
  ['Get-Process | Where-Object Name -eq "lateral"', 'powershell'],
  ['docker run -d --name web -p 8080:80 nginx:1.27', 'bash'],
  ['docker pull ghcr.io/example/inventory-agent:2.1', 'bash'],
  ['docker logs rustdesk-server', 'bash'],
  ['pkexec apt-get update', 'bash'],
];

describe('rmm tools', () => {
  it('catalogs at least 40 tools, each with executables, tokens and domains', () => {
    expect(REMOTE_ACCESS_TOOLS.length).toBeGreaterThanOrEqual(40);
    for (const t of REMOTE_ACCESS_TOOLS) {
      expect(t.executables.length + t.tokens.length).toBeGreaterThan(0);
      expect(t.domains.length).toBeGreaterThan(0);
    }
  });
  it.each(blocked)('blocks %s', (text, shell, id) => {
    const f = run(rmmToolRules, text, shell);
    expect(ruleIds(f)).toContain(id);
    expect(verdict(f)).toBe('block');
    expect(f.every((x) => x.code === 'rmm_tool' && x.extended === 'block' && x.remedy)).toBe(true);
    expect(spansValid(f, text)).toBe(true);
  });
  it('flags a download from a vendor domain that is not run', () => {
    const f = run(rmmToolRules, 'Invoke-WebRequest -OutFile C:\\t\\ad.exe https://download.anydesk.com/AnyDesk.exe', 'powershell');
    expect(ruleIds(f)).toEqual(['rmm.download']);
    expect(verdict(f)).toBe('flag');
  });
  it.each(allowed)('allows %s', (text, shell) => {
    expect(run(rmmToolRules, text, shell)).toEqual([]);
  });
});
