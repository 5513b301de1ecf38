import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DestinationRule } from '../types';
import { checkDestinationValue, checkEmailDomain } from './check';
import { extractDestinations } from './extract';
import { normalizeHost } from './host';
import { matchDestinationRule, parseDestinationRule } from './rules';

/** Text built from fragments that exercise every scanner path, plus arbitrary Unicode. */
const fragment = fc.constantFrom(
  'http://',
  'https:\\\\',
  'ftp:/',
  'file:////',
  'wss://',
  'git+https://',
  '\\\\',
  '//',
  '::',
  ':',
  '.',
  '..',
  '@',
  '@SSL',
  '%41',
  '%',
  '[',
  ']',
  '0x',
  '0',
  '07',
  '255',
  '256',
  '3232235777',
  'ffff',
  'fe80',
  '1.2.3.4',
  'evil.example',
  'bücher',
  'ｅｘ',
  '。',
  'xn--',
  '-',
  '/',
  '\\',
  ' ',
  '\n',
  '"',
  "'",
  '`',
  '^',
  '|',
  ';',
  '&',
  '&&',
  '(',
  ')',
  'curl ',
  'ssh ',
  'ping ',
  'iwr ',
  '-o ',
  '--url=',
  '#',
  'a',
  'Z',
  '\u200b',
);
const texty = fc.oneof(
  fc.array(fragment, { maxLength: 40 }).map((a) => a.join('')),
  fc.string({ unit: 'grapheme', maxLength: 80 }),
  fc.string({ maxLength: 200 }),
);

describe('extraction properties', () => {
  it('never throws; spans lie within the text and cover exactly the value', () => {
    fc.assert(
      fc.property(texty, (text) => {
        for (const d of extractDestinations(text)) {
          expect(d.span.start).toBeGreaterThanOrEqual(0);
          expect(d.span.end).toBeLessThanOrEqual(text.length);
          expect(d.span.start).toBeLessThan(d.span.end);
          expect(text.slice(d.span.start, d.span.end)).toBe(d.value);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('hosts found are already canonical (normalising again changes nothing)', () => {
    fc.assert(
      fc.property(texty, (text) => {
        for (const d of extractDestinations(text)) expect(normalizeHost(d.host)?.host).toBe(d.host);
      }),
      { numRuns: 2000 },
    );
  });

  it('the host of a URL does not depend on letter case', () => {
    const host = fc
      .array(fc.constantFrom('a', 'B', 'x', 'Q', '0', '-', 'é'), { minLength: 1, maxLength: 10 })
      .map((a) => `${a.join('')}.example`);
    fc.assert(
      fc.property(host, fc.constantFrom('http', 'HTTPS', 'Ftp'), (h, scheme) => {
        const lower = extractDestinations(`iwr ${scheme}://${h}/x`).map((d) => d.host);
        const upper = extractDestinations(`IWR ${scheme.toUpperCase()}://${h.toUpperCase()}/x`).map((d) => d.host);
        expect(upper).toEqual(lower);
      }),
    );
  });
});

describe('rule and value properties', () => {
  const kinds = fc.constantFrom('domain', 'ip', 'cidr', 'url_prefix', 'other');
  it('parseDestinationRule never throws and is idempotent on what it accepts', () => {
    fc.assert(
      fc.property(kinds, texty, (kind, value) => {
        const r = parseDestinationRule(kind, value);
        if (r.ok) expect(parseDestinationRule(kind, r.value)).toEqual(r);
        else expect(r.error.length).toBeGreaterThan(0);
      }),
      { numRuns: 3000 },
    );
  });

  it('single-value checks never throw; a rule made from a value blocks that value', () => {
    fc.assert(
      fc.property(texty, (value) => {
        checkEmailDomain(value, []);
        const c = checkDestinationValue(value, []);
        if (c.error) return;
        const kind = c.kind === 'url' ? 'url_prefix' : c.kind === 'ip' ? 'ip' : 'domain';
        const parsed = parseDestinationRule(kind, c.normalized);
        if (!parsed.ok) return;
        const rule: DestinationRule = { id: 'p', kind: parsed.kind, value: parsed.value };
        expect(checkDestinationValue(value, [rule]).blocked).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it('matching never throws on arbitrary hosts and URLs', () => {
    const rules: DestinationRule[] = [
      { id: '1', kind: 'domain', value: 'example.com' },
      { id: '2', kind: 'cidr', value: '10.0.0.0/8' },
      { id: '3', kind: 'cidr', value: '2001:db8::/32' },
      { id: '4', kind: 'url_prefix', value: 'https://example.com/x' },
      { id: '5', kind: 'ip', value: '::1' },
    ];
    fc.assert(
      fc.property(texty, texty, (host, url) => {
        matchDestinationRule({ host, url }, rules);
      }),
    );
  });
});
