/**
 * Standing ways back in that earlier rounds missed (red-team round 14): root SSH logins switched on, cluster-admin
 * bound to an account, Redis made to write its dump into cron, and a cloud security agent removed. Each beside the
 * administration it resembles.
 */
import { describe, expect, it } from 'vitest';
import { decisionOf as decision, evaluateLine } from './family-test-support';
import type { Shell } from '../types';

function rules(text: string, shell: Shell = 'bash'): string[] {
  return evaluateLine(text, shell).reasons.map((r) => r.ruleId);
}

describe('root logins over SSH', () => {
  it('PermitRootLogin yes written into sshd_config by sed, tee or a drop-in', () => {
    expect(rules('sed -i "s/^#\\?PermitRootLogin.*/PermitRootLogin yes/" /etc/ssh/sshd_config && systemctl restart sshd')).toContain(
      'persist.ssh-root-login',
    );
    expect(rules('echo "PermitRootLogin yes" | sudo tee -a /etc/ssh/sshd_config')).toContain('persist.ssh-root-login');
    expect(rules("printf 'PermitRootLogin   yes\\n' > /etc/ssh/sshd_config.d/10-root.conf")).toContain('persist.ssh-root-login');
  });

  it('turning it off, or reading the setting, is hardening and inspection', () => {
    expect(decision('sed -i "s/^PermitRootLogin yes/PermitRootLogin no/" /etc/ssh/sshd_config', 'bash')).toBe('allow');
    expect(decision('grep -n "PermitRootLogin yes" /etc/ssh/sshd_config', 'bash')).toBe('allow');
    expect(decision('echo "PermitRootLogin yes" >> /tmp/notes.txt', 'bash')).toBe('allow');
  });
});

describe('cluster-admin bindings', () => {
  it('binding cluster-admin to a service account or user', () => {
    expect(rules('kubectl create clusterrolebinding ops-admin --clusterrole=cluster-admin --serviceaccount=default:default')).toContain(
      'persist.cluster-admin',
    );
    expect(rules('kubectl create rolebinding x --clusterrole cluster-admin --user=dev -n prod')).toContain('persist.cluster-admin');
  });

  it('a read-only role, or listing bindings, is ordinary', () => {
    expect(decision('kubectl create clusterrolebinding viewers --clusterrole=view --group=support', 'bash')).toBe('allow');
    expect(decision('kubectl get clusterrolebindings -o wide | grep cluster-admin', 'bash')).toBe('allow');
  });
});

describe('Redis writing its dump file into an autostart folder', () => {
  it('config set dir to a cron or .ssh folder', () => {
    expect(rules('redis-cli -h 10.0.3.7 config set dir /var/spool/cron/ && redis-cli -h 10.0.3.7 config set dbfilename root')).toContain(
      'persist.redis-dump',
    );
    expect(rules('redis-cli CONFIG SET dir /root/.ssh')).toContain('persist.redis-dump');
  });

  it('its own data folder, or reading the setting, is administration', () => {
    expect(decision('redis-cli config set dir /var/lib/redis', 'bash')).toBe('allow');
    expect(decision('redis-cli config get dir', 'bash')).toBe('allow');
  });
});

describe("Alibaba Cloud's security agent", () => {
  it('stopped, disabled and uninstalled is security software removed', () => {
    expect(rules('systemctl stop aegis; /usr/local/aegis/uninstall.sh')).toEqual(
      expect.arrayContaining(['evasion.security-service.stop', 'evasion.security-service.uninstall']),
    );
  });
});
