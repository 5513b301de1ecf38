import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../config/config';
import type { TenantControlsRow } from '../db/schema-controls';
import { trustAt } from './policy-context';
import { effectiveAllowlist, effectiveLimits } from './tenant-controls';

const now = new Date('2030-01-01T00:00:00Z');
function row(overrides: Partial<TenantControlsRow>): TenantControlsRow {
  return {
    tenant_id: '00000000-0000-4000-8000-000000000001',
    verified: false,
    verified_at: null,
    verified_by: null,
    origin: 'signup',
    signup_ip: null,
    signup_email_domain: null,
    trust_expires_at: null,
    trust_granted_at: null,
    trust_request_id: null,
    trust_expiry_recorded: false,
    dispatches_per_minute: null,
    concurrent_terminal_sessions: null,
    enroll_max_active_tokens: null,
    enroll_max_uses_per_token: null,
    enroll_max_validity_hours: null,
    destination_allowlist: null,
    updated_at: now,
    updated_by: null,
    ...overrides,
  };
}

describe('tenant controls', () => {
  const config = defaultConfig({ trialDestinationAllowlist: ['domain:updates.example.com', 'cidr:10.0.0.0/8'] });

  it('gives trial tenants the trial limits, verified (and admin-created) tenants the normal ones, overrides win', () => {
    expect(effectiveLimits(config, row({})).dispatchesPerMinute).toBe(config.trialDispatchesPerMinute);
    expect(effectiveLimits(config, undefined).dispatchesPerMinute).toBe(config.dispatchesPerMinute);
    expect(effectiveLimits(config, row({ verified: true })).enrollTokens.maxActive).toBe(config.enrollMaxActiveTokens);
    expect(effectiveLimits(config, row({ enroll_max_uses_per_token: 3 })).enrollTokens.maxUsesPerToken).toBe(3);
  });

  it('applies the configured trial allowlist only to trial tenants without their own', () => {
    expect(effectiveAllowlist(config, row({}))?.map((r) => `${r.kind}:${r.value}`)).toEqual([
      'domain:updates.example.com',
      'cidr:10.0.0.0/8',
    ]);
    expect(effectiveAllowlist(config, row({ verified: true }))).toBeNull();
    expect(effectiveAllowlist(config, undefined)).toBeNull();
    const own = row({ destination_allowlist: [{ id: 'a', kind: 'ip', value: '192.0.2.1' }] });
    expect(effectiveAllowlist(config, own)).toEqual([{ id: 'a', kind: 'ip', value: '192.0.2.1', scope: 'tenant' }]);
    expect(effectiveAllowlist(defaultConfig(), row({}))).toBeNull();
  });

  it('counts extended trust only strictly before its end', () => {
    const end = new Date(now.getTime() + 1000);
    expect(trustAt({ trust_expires_at: end }, now)).toEqual({ level: 'extended', expiresAt: end.getTime() });
    expect(trustAt({ trust_expires_at: end }, end)).toEqual({ level: 'standard' });
    expect(trustAt({ trust_expires_at: null }, now)).toEqual({ level: 'standard' });
  });
});
