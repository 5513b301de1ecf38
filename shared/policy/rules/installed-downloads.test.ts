/**
 * Real installer scripts (held-out set 11): a release archive is downloaded and unpacked, its program moved into PATH,
 * then run directly or by a systemd unit the script writes and starts. The program is downloaded code either way.
 */
import { describe, expect, it } from 'vitest';
import { decisionOf as decision, evaluateLine } from './family-test-support';

const codes = (text: string) => evaluateLine(text, 'bash').reasons.map((r) => r.code);
const lines = (...l: string[]) => l.join('\n');

const DOWNLOAD = 'wget https://github.com/prometheus/node_exporter/releases/download/v1.8.2/node_exporter-1.8.2.linux-amd64.tar.gz';
const UNIT = (program: string) =>
  lines('cat <<EOF | sudo tee /etc/systemd/system/node_exporter.service', '[Service]', `ExecStart=${program}`, 'EOF');

describe('a program from a downloaded archive moved into PATH', () => {
  it('is run by its full path after the move from inside the unpacked folder', () => {
    const text = lines(
      DOWNLOAD,
      'tar xvfz node_exporter-1.8.2.linux-amd64.tar.gz',
      'cd node_exporter-1.8.2.linux-amd64',
      'sudo mv node_exporter /usr/local/bin/',
      '/usr/local/bin/node_exporter --version',
    );
    expect(decision(text, 'bash')).toBe('block');
    expect(codes(text)).toContain('download_execute');
  });

  it('is run by its bare name after a copy into a folder named without a slash', () => {
    const text = lines(
      DOWNLOAD,
      'tar -xzf node_exporter-*.tar.gz',
      'cp node_exporter-1.8.2.linux-amd64/node_exporter /usr/local/bin',
      'node_exporter &',
    );
    expect(codes(text)).toContain('download_execute');
  });

  it('is run by a unit the script writes and starts', () => {
    const text = lines(
      DOWNLOAD,
      'tar xzf node_exporter-1.8.2.linux-amd64.tar.gz',
      'sudo mv node_exporter-1.8.2.linux-amd64/node_exporter /usr/bin/node_exporter',
      UNIT('/usr/bin/node_exporter --web.listen-address=:9100'),
      'sudo systemctl daemon-reload',
      'sudo systemctl start node_exporter.service',
    );
    expect(decision(text, 'bash')).toBe('block');
    expect(codes(text)).toContain('download_execute');
  });

  it('a downloaded program started by `systemctl enable --now` or `service … restart` of its unit', () => {
    const download = lines('curl -fsSLo /tmp/agent https://198.51.100.7/agent', 'install -m 755 /tmp/agent /opt/agent/agent');
    const unit = lines(
      'cat > /etc/systemd/system/agent.service <<EOF',
      '[Service]',
      'ExecStartPre=-/bin/true',
      'ExecStart=/opt/agent/agent',
      'EOF',
    );
    expect(codes(lines(download, unit, 'systemctl enable --now agent'))).toContain('download_execute');
    expect(codes(lines(download, unit, 'service agent restart'))).toContain('download_execute');
  });
});

describe('downloads named at run time, services named after the program', () => {
  it('release URLs piped to `wget -qi -`, an archive named by a pattern, a program from it run', () => {
    const text = lines(
      "curl -s https://api.github.com/repos/prometheus/node_exporter/releases/latest | grep browser_download_url | cut -d '\"' -f 4 | wget -qi -",
      'tar xvf node_exporter-*linux-amd64.tar.gz',
      'cd node_exporter*/',
      './node_exporter --version',
    );
    expect(codes(text)).toContain('download_execute');
  });

  it('a downloaded program started through a service of its own name whose unit file comes from elsewhere', () => {
    const text = lines(
      'curl -LO https://github.com/prometheus/node_exporter/releases/download/v0.15.1/node_exporter-0.15.1.linux-amd64.tar.gz',
      'tar xvf node_exporter-0.15.1.linux-amd64.tar.gz',
      'cp node_exporter-0.15.1.linux-amd64/node_exporter /usr/local/bin',
      'cp node_exporter.service /etc/systemd/system/node_exporter.service',
      'systemctl daemon-reload',
      'systemctl start node_exporter',
    );
    expect(decision(text, 'bash')).toBe('block');
    expect(codes(text)).toContain('download_execute');
  });

  it('images fetched from a list and checked, never run', () => {
    const text = lines('wget -q -i /srv/mirror/urls.txt -P /srv/mirror/iso', 'cd /srv/mirror/iso && sha256sum -c SHA256SUMS');
    expect(decision(text, 'bash')).toBe('allow');
  });
});

describe('installs that run nothing downloaded stay apart', () => {
  it('a unit only enabled for the next boot runs nothing now', () => {
    const text = lines(
      'curl -fsSLo /tmp/agent https://198.51.100.7/agent',
      'install -m 755 /tmp/agent /opt/agent/agent',
      'cat > /etc/systemd/system/agent.service <<EOF',
      '[Service]',
      'ExecStart=/opt/agent/agent',
      'EOF',
      'systemctl enable agent',
    );
    expect(codes(text)).not.toContain('download_execute');
  });

  it('a configuration file from a downloaded archive, then a service restarted', () => {
    const text = lines(
      DOWNLOAD,
      'tar xzf node_exporter-1.8.2.linux-amd64.tar.gz',
      'sudo cp node_exporter-1.8.2.linux-amd64/LICENSE /usr/share/doc/ne/',
      'sudo systemctl restart nginx',
    );
    expect(decision(text, 'bash')).toBe('allow');
  });

  it('a unit for a system program, written and started', () => {
    const text = lines(
      'cat <<EOF | sudo tee /etc/systemd/system/cleanup.service',
      '[Service]',
      'ExecStart=/usr/bin/find /var/tmp -mtime +7 -delete',
      'EOF',
      'sudo systemctl start cleanup',
    );
    expect(codes(text)).not.toContain('download_execute');
  });

  it('a program from a local backup archive moved into PATH and run', () => {
    const text = lines('tar xzf /srv/backups/tools.tar.gz -C /tmp/tools', 'sudo mv /tmp/tools/report /usr/local/bin/', 'report --daily');
    expect(decision(text, 'bash')).toBe('allow');
  });
});
