import { describe, expect, it } from 'vitest';
import { networkOf, pointsFor, SIGNAL_RULES } from './signals';

describe('abuse signal helpers', () => {
  it('scores at the threshold, scales with multiples and caps at three times the weight', () => {
    const rule = SIGNAL_RULES.blockedCommands;
    expect(pointsFor(rule, rule.threshold - 1)).toBe(0);
    expect(pointsFor(rule, rule.threshold)).toBe(rule.weight);
    expect(pointsFor(rule, rule.threshold * 2)).toBe(rule.weight * 2);
    expect(pointsFor(rule, rule.threshold * 100)).toBe(rule.weight * 3);
  });

  it('groups sign-up addresses by network', () => {
    expect(networkOf('203.0.113.77')).toBe('203.0.113.0/24');
    expect(networkOf('::ffff:203.0.113.77')).toBe('203.0.113.0/24');
    expect(networkOf('2001:db8:0:12:abcd::1')).toBe('2001:db8:0:12::/64');
    expect(networkOf('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(networkOf(null)).toBeNull();
    expect(networkOf('not an address')).toBeNull();
  });
});
