import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SecretBox } from '../crypto/secret-box';
import { hashToken, newToken } from '../crypto/tokens';
import { ipAllowed } from './api-keys';
import { isCommonPassword } from './common-passwords';
import { passwordProblem } from './passwords';
import { matchTotpStep, newTotpSecret, totpCodeAt } from './totp';
import { throttleAddress } from './throttle';

describe('password policy', () => {
  it.each([
    'Password2024!',
    'P@ssw0rd12345',
    'qwertyuiop123',
    '123456789012',
    'aaaaaaaaaaaa',
    'abcabcabcabc',
    'letmein!letmein',
    'Welcome12345',
  ])('refuses the common password %s', (password) => {
    expect(passwordProblem(password)).not.toBeNull();
  });
  it.each(['correct horse battery staple', 'violet staple engine orbit', 'q7#Lm2!vXp9@Zr'])('accepts %s', (password) => {
    expect(passwordProblem(password)).toBeNull();
  });
  it('refuses short passwords and passwords containing the email name', () => {
    expect(passwordProblem('short')).toMatch(/12/);
    expect(passwordProblem('jdoe-unrelated-words', { email: 'jdoe@example.com' })).toMatch(/email/);
  });
  it('never throws on arbitrary input', () => {
    fc.assert(fc.property(fc.string({ maxLength: 200 }), (s) => typeof isCommonPassword(s) === 'boolean'));
  });
});

describe('secret box', () => {
  it('round-trips, and refuses another context or a tampered ciphertext', () => {
    const box = SecretBox.fromKey(randomBytes(32));
    const sealed = box.seal('JBSWY3DPEHPK3PXP', 'totp:user-1');
    expect(sealed).not.toContain('JBSWY3DPEHPK3PXP');
    expect(box.open(sealed, 'totp:user-1')).toBe('JBSWY3DPEHPK3PXP');
    expect(() => box.open(sealed, 'totp:user-2')).toThrow();
    // Flip one bit of the ciphertext itself (editing base64 text can hit only padding bits).
    const [version, iv, tag, ciphertext] = sealed.split('.') as [string, string, string, string];
    const bytes = Buffer.from(ciphertext, 'base64url');
    bytes[0] = bytes[0]! ^ 0x01;
    const tampered = [version, iv, tag, bytes.toString('base64url')].join('.');
    expect(() => box.open(tampered, 'totp:user-1')).toThrow();
    expect(() => SecretBox.fromKey(randomBytes(32)).open(sealed, 'totp:user-1')).toThrow();
  });
});

describe('tokens', () => {
  it('are long, prefixed and stored only as hashes', () => {
    const token = newToken('bwa_');
    expect(token).toMatch(/^bwa_[A-Za-z0-9_-]{43}$/);
    expect(hashToken(token)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashToken(token)).not.toContain(token.slice(4));
  });
});

describe('TOTP', () => {
  it('accepts the current and adjacent steps only', () => {
    const secret = newTotpSecret();
    const now = 1_700_000_015_000;
    const step = Math.floor(now / 30_000);
    expect(matchTotpStep(secret, totpCodeAt(secret, now), now)).toBe(step);
    expect(matchTotpStep(secret, totpCodeAt(secret, now + 30_000), now)).toBe(step + 1);
    expect(matchTotpStep(secret, totpCodeAt(secret, now - 30_000), now)).toBe(step - 1);
    expect(matchTotpStep(secret, totpCodeAt(secret, now - 90_000), now)).toBeNull();
  });
});

describe('API key source ranges', () => {
  it('matches IPv4, IPv6 and IPv4-mapped addresses', () => {
    expect(ipAllowed('127.0.0.1', [])).toBe(true);
    expect(ipAllowed('127.0.0.1', ['127.0.0.0/8'])).toBe(true);
    expect(ipAllowed('::ffff:127.0.0.1', ['127.0.0.0/8'])).toBe(true);
    expect(ipAllowed('127.0.0.1', ['203.0.113.0/24'])).toBe(false);
    expect(ipAllowed('2001:db8::5', ['2001:db8::/32'])).toBe(true);
    expect(ipAllowed('2001:db9::5', ['2001:db8::/32'])).toBe(false);
    expect(ipAllowed('203.0.113.7', ['203.0.113.7'])).toBe(true);
    expect(ipAllowed('garbage', ['0.0.0.0/0'])).toBe(false);
  });
});

describe('throttling unit', () => {
  it('throttles IPv4 per address and IPv6 per /64', () => {
    expect(throttleAddress('203.0.113.7')).toBe('203.0.113.7');
    expect(throttleAddress('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(throttleAddress('2001:0db8:0001:0002:ffff:ffff:ffff:ffff')).toBe('2001:db8:1:2::/64');
    expect(throttleAddress('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(throttleAddress('::1')).toBe('0:0:0:0::/64');
  });
});
