import { describe, expect, it } from 'vitest';
import type { DestinationRule } from '../types';
import { checkDestinationValue, checkEmailDomain, destinationsNotAllowed, isDestinationAllowed } from './check';
import { extractDestinations } from './extract';

const rules: DestinationRule[] = [
  { id: 'd1', kind: 'domain', value: 'evil.example', reason: 'phishing' },
  { id: 'i1', kind: 'ip', value: '203.0.113.9' },
  { id: 'c1', kind: 'cidr', value: '198.51.100.0/24' },
  { id: 'u1', kind: 'url_prefix', value: 'https://files.example.com/bad/' },
];

describe('checkDestinationValue (server URLs, hosts, IPs)', () => {
  it('reports the rule and the normalised value', () => {
    expect(checkDestinationValue('https://Api.EVIL.example./v1', rules)).toEqual({
      blocked: true,
      rule: rules[0],
      normalized: 'https://api.evil.example/v1',
      kind: 'url',
    });
    expect(checkDestinationValue('203.0.113.9', rules)).toMatchObject({
      blocked: true,
      rule: rules[1],
      normalized: '203.0.113.9',
      kind: 'ip',
    });
    expect(checkDestinationValue('wss://198.51.100.20:9000/agent', rules)).toMatchObject({ blocked: true, rule: rules[2] });
    expect(checkDestinationValue('https://files.example.com/bad/x', rules)).toMatchObject({ blocked: true, rule: rules[3] });
    expect(checkDestinationValue('https://files.example.com/good/x', rules)).toEqual({
      blocked: false,
      normalized: 'https://files.example.com/good/x',
      kind: 'url',
    });
  });
  it('accepts host:port, host/path, [v6]:port, UNC', () => {
    expect(checkDestinationValue('evil.example:8443', rules).blocked).toBe(true);
    expect(checkDestinationValue('files.example.com/bad/y', rules)).toMatchObject({
      blocked: false,
      normalized: 'http://files.example.com/bad/y',
    });
    expect(checkDestinationValue('[::ffff:203.0.113.9]:443', rules).blocked).toBe(true);
    expect(checkDestinationValue('\\\\www.evil.example\\share', rules).blocked).toBe(true);
  });
  it('reports unusable input as an error, not as allowed-by-accident', () => {
    for (const bad of ['', '   ', 'http://', 'exa mple', 'a..b', 'javascript://x']) {
      const r = checkDestinationValue(bad, rules);
      expect(r.blocked).toBe(false);
      expect(r.error, bad).toBeTruthy();
    }
  });
});

describe('checkEmailDomain', () => {
  it('checks the part after the last @', () => {
    expect(checkEmailDomain('Bob@Mail.Evil.Example', rules)).toMatchObject({
      blocked: true,
      rule: rules[0],
      normalized: 'mail.evil.example',
    });
    expect(checkEmailDomain('"a@b"@evil.example', rules).blocked).toBe(true);
    expect(checkEmailDomain('bob@notevil.example', rules).blocked).toBe(false);
    expect(checkEmailDomain('bob@evil-example.com', rules).blocked).toBe(false);
    expect(checkEmailDomain('bob@bücher.de', [{ id: 'x', kind: 'domain', value: 'xn--bcher-kva.de' }]).blocked).toBe(true);
    expect(checkEmailDomain('evil.example', rules).blocked).toBe(true);
  });
  it('address literals are checked against ip and cidr rules', () => {
    expect(checkEmailDomain('bob@[203.0.113.9]', rules).blocked).toBe(true);
    expect(checkEmailDomain('bob@[IPv6:::ffff:198.51.100.1]', rules).blocked).toBe(true);
  });
  it('errors on an invalid domain', () => {
    expect(checkEmailDomain('bob@', rules).error).toBeTruthy();
    expect(checkEmailDomain('bob@exa mple.com', rules).error).toBeTruthy();
  });
});

describe('allowlist', () => {
  const allow: DestinationRule[] = [
    { id: 'a1', kind: 'domain', value: 'example.com' },
    { id: 'a2', kind: 'cidr', value: '10.0.0.0/8' },
    { id: 'a3', kind: 'url_prefix', value: 'https://cdn.vendor.example/pub/' },
  ];
  it('no allowlist means everything may be reached', () => {
    expect(isDestinationAllowed({ host: 'anything.example' }, null)).toBe(true);
    expect(isDestinationAllowed({ host: 'anything.example' }, undefined)).toBe(true);
  });
  it('an empty allowlist allows nothing but loopback', () => {
    expect(isDestinationAllowed({ host: 'example.com' }, [])).toBe(false);
    expect(isDestinationAllowed({ host: '127.0.0.1' }, [])).toBe(true);
    expect(isDestinationAllowed({ host: '::1' }, [])).toBe(true);
    expect(isDestinationAllowed({ host: 'localhost' }, [])).toBe(true);
  });
  it('only listed destinations pass', () => {
    const ds = extractDestinations(
      'iwr https://www.example.com/a; iwr https://example.com.evil.net/b; ping 10.1.2.3; ping 11.0.0.1; iwr https://cdn.vendor.example/pub/x.msi; iwr https://cdn.vendor.example/private/y',
    );
    expect(destinationsNotAllowed(ds, allow).map((d) => d.value)).toEqual([
      'https://example.com.evil.net/b',
      '11.0.0.1',
      'https://cdn.vendor.example/private/y',
    ]);
  });
});
