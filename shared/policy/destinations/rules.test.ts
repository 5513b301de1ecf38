import { describe, expect, it } from 'vitest';
import type { DestinationRule, DestinationRuleKind } from '../types';
import { matchDestinationRule, parseDestinationRule } from './rules';
import { checkDestinationValue } from './check';

const rule = (kind: DestinationRuleKind, value: string, id = `${kind}:${value}`): DestinationRule => ({ id, kind, value });
const blocked = (value: string, rules: DestinationRule[]) => checkDestinationValue(value, rules).blocked;

describe('parseDestinationRule: normalised values', () => {
  it.each([
    ['domain', 'Example.COM', 'example.com'],
    ['domain', 'example.com.', 'example.com'],
    ['domain', 'example.com..', 'example.com'],
    ['domain', ' example.com ', 'example.com'],
    ['domain', 'bücher.de', 'xn--bcher-kva.de'],
    ['domain', 'BÜCHER.de', 'xn--bcher-kva.de'],
    ['domain', 'xn--bcher-kva.de', 'xn--bcher-kva.de'],
    ['domain', 'пример.рф', 'xn--e1afmkfd.xn--p1ai'],
    ['domain', 'ｅｘａｍｐｌｅ．ｃｏｍ', 'example.com'], // full-width letters and dot
    ['domain', 'example。com', 'example.com'], // ideographic full stop
    ['domain', 'localhost', 'localhost'],
    ['ip', '192.168.1.1', '192.168.1.1'],
    ['ip', '3232235777', '192.168.1.1'],
    ['ip', '0xC0A80101', '192.168.1.1'],
    ['ip', '0300.0250.1.1', '192.168.1.1'],
    ['ip', '2001:0DB8::0001', '2001:db8::1'],
    ['ip', '[2001:db8::1]', '2001:db8::1'],
    ['ip', '::ffff:10.1.2.3', '10.1.2.3'],
    ['cidr', '10.0.0.0/8', '10.0.0.0/8'],
    ['cidr', '10.9.8.7/8', '10.0.0.0/8'],
    ['cidr', '2001:DB8::/32', '2001:db8::/32'],
    ['cidr', '2001:db8::1/64', '2001:db8::/64'],
    ['cidr', '::ffff:10.0.0.0/104', '10.0.0.0/8'],
    ['url_prefix', 'HTTPS://Example.COM', 'https://example.com/'],
    ['url_prefix', 'https://example.com:443/dl/', 'https://example.com/dl/'],
    ['url_prefix', 'https://example.com/a/../dl/%7Efoo', 'https://example.com/dl/~foo'],
    ['url_prefix', 'http://user:pw@example.com/x', 'http://example.com/x'],
  ])('%s %s → %s', (kind, value, expected) => {
    expect(parseDestinationRule(kind, value)).toEqual({ ok: true, kind, value: expected });
  });
});

describe('parseDestinationRule: clear errors', () => {
  it.each([
    ['domain', '', /empty/],
    ['domain', '*.example.com', /already covers all subdomains.*"example\.com"/],
    ['domain', 'https://example.com/', /looks like a URL.*url_prefix/],
    ['domain', 'bob@example.com', /email address/],
    ['domain', '1.2.3.4', /IP address; use the kind "ip"/],
    ['domain', 'exa mple.com', /spaces/],
    ['domain', 'exa$mple.com', /not a valid domain/],
    ['domain', 'a..b.com', /not a valid domain/],
    ['domain', `${'a'.repeat(64)}.com`, /not a valid domain/],
    ['domain', 'example.com:443', /port/],
    ['ip', '10.0.0.0/8', /use the kind "cidr"/],
    ['ip', 'example.com', /not an IP address/],
    ['ip', '256.1.1.1', /not an IP address/],
    ['cidr', '10.0.0.0', /no prefix length/],
    ['cidr', '10.0.0.0/33', /out of range for IPv4/],
    ['cidr', '2001:db8::/129', /out of range for IPv6/],
    ['cidr', '10.0.0.0/x', /not a prefix length/],
    ['cidr', 'example.com/8', /not an IP address/],
    ['url_prefix', 'example.com/path', /starts with a scheme/],
    ['url_prefix', 'javascript:alert(1)', /starts with a scheme/],
    ['hostname', 'example.com', /Unknown rule kind.*domain, ip, cidr, url_prefix/],
  ])('%s %j', (kind, value, message) => {
    const r = parseDestinationRule(kind, value);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(message);
  });
});

describe('domain rules', () => {
  const rules = [rule('domain', 'example.com')];
  it('match the domain and its subdomains', () => {
    expect(blocked('example.com', rules)).toBe(true);
    expect(blocked('a.b.example.com', rules)).toBe(true);
    expect(blocked('https://cdn.EXAMPLE.com./x', rules)).toBe(true);
  });
  it('do not match look-alike suffixes or prefixes', () => {
    expect(blocked('evil-example.com', rules)).toBe(false);
    expect(blocked('notexample.com', rules)).toBe(false);
    expect(blocked('example.com.evil.net', rules)).toBe(false);
    expect(blocked('example.co', rules)).toBe(false);
    expect(blocked('https://example.com@evil.net/', rules)).toBe(false); // user info is not the host
    expect(blocked('https://evil.net@example.com/', rules)).toBe(true);
  });
  it('match IDN in Unicode, punycode and full-width spellings', () => {
    const idn = [rule('domain', 'bücher.de')];
    expect(blocked('https://xn--bcher-kva.de/', idn)).toBe(true);
    expect(blocked('https://BÜCHER.de/', idn)).toBe(true);
    expect(blocked('https://shop.bücher.de./', idn)).toBe(true);
    expect(blocked('https://bucher.de/', idn)).toBe(false);
    expect(blocked('ｅｘａｍｐｌｅ．ｃｏｍ', rules)).toBe(true);
    expect(blocked('http://ex%61mple.com/', rules)).toBe(true); // percent-encoded host
  });
  it('a TLD rule covers the whole TLD', () => {
    expect(blocked('foo.zip', [rule('domain', 'zip')])).toBe(true);
    expect(blocked('foo.zipper', [rule('domain', 'zip')])).toBe(false);
  });
  it('never match IP hosts', () => {
    expect(blocked('1.2.3.4', [rule('domain', 'com')])).toBe(false);
  });
});

describe('ip and cidr rules', () => {
  it('match every spelling of the address', () => {
    const rules = [rule('ip', '192.168.1.1')];
    for (const v of [
      '192.168.1.1',
      'http://3232235777/',
      'http://0xC0A80101/x',
      'http://0300.0250.1.1/',
      'http://0xC0.168.01.1',
      'http://[::ffff:192.168.1.1]/',
      'http://192.168.1.1.:8080/',
      '::ffff:c0a8:101',
    ]) {
      expect(blocked(v, rules), v).toBe(true);
    }
    expect(blocked('192.168.1.2', rules)).toBe(false);
  });
  it('v6 ip rules match canonical and non-canonical spellings', () => {
    const rules = [rule('ip', '2001:db8::1')];
    expect(blocked('http://[2001:0db8:0000::0001]/', rules)).toBe(true);
    expect(blocked('2001:db8:0:0:0:0:0:1', rules)).toBe(true);
    expect(blocked('2001:db8::2', rules)).toBe(false);
  });
  it('cidr rules: v4, v6 and mapped', () => {
    const rules = [rule('cidr', '10.0.0.0/8'), rule('cidr', '2001:db8::/32')];
    expect(blocked('http://10.200.0.1/', rules)).toBe(true);
    expect(blocked('http://167772161/', rules)).toBe(true); // 10.0.0.1 in decimal
    expect(blocked('http://[::ffff:10.0.0.1]/', rules)).toBe(true);
    expect(blocked('http://[2001:db8:1::5]/', rules)).toBe(true);
    expect(blocked('http://11.0.0.1/', rules)).toBe(false);
    expect(blocked('http://[2001:db9::5]/', rules)).toBe(false);
  });
});

describe('url_prefix rules', () => {
  const rules = [rule('url_prefix', 'https://example.com/dl')];
  it('match at path boundaries only', () => {
    expect(blocked('https://example.com/dl', rules)).toBe(true);
    expect(blocked('https://example.com/dl/x.ps1', rules)).toBe(true);
    expect(blocked('https://example.com/dl?x=1', rules)).toBe(true);
    expect(blocked('https://example.com/dl#frag', rules)).toBe(true);
    expect(blocked('https://example.com/dlx', rules)).toBe(false);
    expect(blocked('https://example.com/other/dl', rules)).toBe(false);
    expect(blocked('http://example.com/dl', rules)).toBe(false); // another scheme is another prefix
  });
  it('see through case, default ports, dot segments, encoding, backslashes and user info', () => {
    expect(blocked('HTTPS://EXAMPLE.com:443/DL/x', rules)).toBe(true);
    expect(blocked('https://example.com/safe/../dl/x', rules)).toBe(true);
    expect(blocked('https://example.com/%64l/x', rules)).toBe(true);
    expect(blocked('https:\\\\example.com\\dl\\x', rules)).toBe(true);
    expect(blocked('https://me@example.com./dl/x', rules)).toBe(true);
    expect(blocked('https://example.com:8443/dl/x', rules)).toBe(false);
    expect(blocked('https://example.com.evil.net/dl/x', rules)).toBe(false);
  });
  it('a prefix ending in / or with a query is a plain prefix', () => {
    expect(blocked('https://example.com/dlx', [rule('url_prefix', 'https://example.com/')])).toBe(true);
    expect(blocked('https://example.com/get?id=123', [rule('url_prefix', 'https://example.com/get?id=')])).toBe(true);
  });
  it('a host-only destination does not match a URL prefix', () => {
    expect(blocked('example.com', rules)).toBe(false);
  });
});

describe('matchDestinationRule', () => {
  it('returns the first matching rule in list order', () => {
    const rules = [
      rule('domain', 'b.example.com', 'r1'),
      rule('domain', 'example.com', 'r2'),
      rule('url_prefix', 'https://a.b.example.com/', 'r0'),
    ];
    expect(matchDestinationRule({ host: 'a.b.example.com', url: 'https://a.b.example.com/' }, rules)?.id).toBe('r1');
    expect(matchDestinationRule({ host: 'x.example.com' }, rules)?.id).toBe('r2');
  });
  it('ignores rules with invalid values instead of throwing', () => {
    const rules = [
      rule('domain', '*'),
      rule('cidr', 'nonsense'),
      rule('url_prefix', 'x'),
      { id: 'z', kind: 'bogus', value: 'x' } as unknown as DestinationRule,
      rule('domain', 'example.com'),
    ];
    expect(matchDestinationRule({ host: 'example.com' }, rules)?.value).toBe('example.com');
  });
  it('accepts stored values that were never normalised', () => {
    expect(blocked('https://xn--bcher-kva.de/', [rule('domain', 'BÜCHER.DE.')])).toBe(true);
    expect(blocked('http://10.0.0.1/', [rule('cidr', '10.1.1.1/8')])).toBe(true);
  });
});
