import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { portableSha256Hex, sha256Hex, useNativeSha256 } from './hash';

describe('sha256Hex (portable @noble implementation)', () => {
  it('known vectors', () => {
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
  it('hashes the UTF-8 bytes (agrees with node:crypto)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), (s) => {
        expect(sha256Hex(s)).toBe(createHash('sha256').update(s, 'utf8').digest('hex'));
      }),
    );
  });
  it('agrees with node:crypto on any UTF-16 text, lone surrogates included (encoded as U+FFFD)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 300 }), (codes) => {
        const s = String.fromCharCode(...codes);
        expect(sha256Hex(s)).toBe(createHash('sha256').update(s, 'utf8').digest('hex'));
      }),
    );
  });
  it('handles every length around the 64-byte block and padding boundaries', () => {
    for (let n = 0; n < 200; n++) {
      for (const unit of ['a', '\u00e9', '\u20ac', '\u{1F600}']) {
        const s = unit.repeat(n);
        expect(sha256Hex(s)).toBe(createHash('sha256').update(s, 'utf8').digest('hex'));
      }
    }
  });
});

describe('sha256Hex with the native implementation installed', () => {
  it('gives exactly the portable digest for any text', () => {
    useNativeSha256(createHash);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 300 }), (codes) => {
        const s = String.fromCharCode(...codes);
        expect(sha256Hex(s)).toBe(portableSha256Hex(s));
      }),
    );
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});
