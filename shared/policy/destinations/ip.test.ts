import { describe, expect, it } from 'vitest';
import { cidrContains, formatIp, parseIPv4, parseIPv6, parseIp, type Ip } from './ip';
import { parseDestinationRule } from './rules';

const v4 = (s: string): Ip => {
  const ip = parseIp(s);
  if (!ip) throw new Error(`not an ip: ${s}`);
  return ip;
};

describe('IPv4 forms resolvers accept', () => {
  it.each([
    ['192.168.1.1', '192.168.1.1'],
    ['3232235777', '192.168.1.1'], // decimal
    ['0xC0A80101', '192.168.1.1'], // hex
    ['0xc0a80101', '192.168.1.1'],
    ['0300.0250.1.1', '192.168.1.1'], // octal
    ['0300.0250.0.01', '192.168.0.1'],
    ['0xC0.0xA8.1.1', '192.168.1.1'], // mixed
    ['0xC0.168.01.1', '192.168.1.1'],
    ['192.11010305', '192.168.1.1'], // two parts: last fills 3 bytes
    ['192.168.257', '192.168.1.1'], // three parts: last fills 2 bytes
    ['127.1', '127.0.0.1'],
    ['1.2.3.4.', '1.2.3.4'], // one trailing dot
    ['0x7f.1', '127.0.0.1'],
  ])('%s → %s', (input, expected) => {
    expect(formatIp(v4(input))).toBe(expected);
  });

  it.each(['256.1.1.1', '1.2.3.4.5', '4294967296', '0x100000000', '09.1.1.1', '1..2.3', '', '1.2.3.256', '0xg.1.1.1'])(
    'rejects %s',
    (s) => {
      expect(parseIPv4(s)).toBeNull();
    },
  );

  it('handles a huge digit run without precision loss', () => {
    expect(parseIPv4('9'.repeat(10_000))).toBeNull();
    expect(parseIPv4('0'.repeat(200) + '1')).toBe(1); // leading zeros: octal 1
  });
});

describe('IPv6', () => {
  it.each([
    ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
    ['2001:db8::1', '2001:db8::1'],
    ['::1', '::1'],
    ['::', '::'],
    ['fe80::1%eth0', 'fe80::1'],
    ['2001:db8:0:1:0:0:0:1', '2001:db8:0:1::1'], // longest zero run
    ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'],
    ['2001:db8:1:1:1:1:1:0', '2001:db8:1:1:1:1:1:0'], // single zero group not compressed
    ['[2001:db8::1]', '2001:db8::1'],
    ['::ffff:192.168.1.1', '192.168.1.1'], // IPv4-mapped → the IPv4 address
    ['::ffff:c0a8:101', '192.168.1.1'],
    ['64:ff9b::192.0.2.1', '64:ff9b::c000:201'],
  ])('%s → %s', (input, expected) => {
    expect(formatIp(v4(input))).toBe(expected);
  });

  it.each([':::', '1:2:3:4:5:6:7:8:9', '1::2::3', 'g::1', '12345::1', '1:2:3:4:5:6:7', '::ffff:1.2.3', '::ffff:01.2.3.4', ':1'])(
    'rejects %s',
    (s) => {
      expect(parseIPv6(s)).toBeNull();
    },
  );
});

describe('CIDR containment', () => {
  const cidr = (s: string) => {
    const r = parseDestinationRule('cidr', s);
    if (!r.ok) throw new Error(r.error);
    const [a, p] = r.value.split('/');
    return { ip: v4(a!), prefix: Number(p) };
  };
  it('v4 edges', () => {
    const c = cidr('10.0.0.0/8');
    expect(cidrContains(c, v4('10.0.0.0'))).toBe(true);
    expect(cidrContains(c, v4('10.255.255.255'))).toBe(true);
    expect(cidrContains(c, v4('9.255.255.255'))).toBe(false);
    expect(cidrContains(c, v4('11.0.0.0'))).toBe(false);
    expect(cidrContains(cidr('0.0.0.0/0'), v4('203.0.113.9'))).toBe(true);
    expect(cidrContains(cidr('203.0.113.9/32'), v4('203.0.113.9'))).toBe(true);
    expect(cidrContains(cidr('203.0.113.9/32'), v4('203.0.113.8'))).toBe(false);
    expect(cidrContains(cidr('192.168.0.0/23'), v4('192.168.1.255'))).toBe(true);
    expect(cidrContains(cidr('192.168.0.0/23'), v4('192.168.2.0'))).toBe(false);
  });
  it('v6 edges', () => {
    const c = cidr('2001:db8::/32');
    expect(cidrContains(c, v4('2001:db8:ffff:ffff:ffff:ffff:ffff:ffff'))).toBe(true);
    expect(cidrContains(c, v4('2001:db9::'))).toBe(false);
    expect(cidrContains(cidr('2001:db8::/127'), v4('2001:db8::1'))).toBe(true);
    expect(cidrContains(cidr('2001:db8::/127'), v4('2001:db8::2'))).toBe(false);
    expect(cidrContains(cidr('::/0'), v4('2001:db8::2'))).toBe(true);
    expect(cidrContains(cidr('2001:db8::1/128'), v4('2001:db8::1'))).toBe(true);
  });
  it('v4 rules see v4 inside IPv6 (mapped, NAT64) and v6 mapped ranges see v4', () => {
    expect(cidrContains(cidr('192.168.0.0/16'), v4('::ffff:192.168.1.1'))).toBe(true);
    expect(cidrContains(cidr('192.168.0.0/16'), v4('64:ff9b::192.168.1.1'))).toBe(true);
    expect(cidrContains(cidr('192.168.0.0/16'), v4('2001:db8::192.168.1.1'))).toBe(false);
    expect(cidrContains(cidr('::ffff:192.168.0.0/112'), v4('192.168.3.4'))).toBe(true);
  });
});
