import { afterEach, describe, expect, it, vi } from 'vitest';

const missing = { available: false, reason: 'thing not installed' };
const present = { available: true, reason: '' };

describe('service gate', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.resetModules();
    vi.restoreAllMocks();
  });

  it('skips with a printed reason when a service is missing locally', async () => {
    vi.stubEnv('BULWARK_REQUIRE_SERVICES', '');
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const { serviceGate } = await import('./services');
    expect(serviceGate('suite', present)).toEqual({ run: true, missing: null });
    expect(serviceGate('suite', present, missing)).toEqual({ run: false, missing: null });
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('thing not installed'));
  });

  it('turns a missing service into a failure when BULWARK_REQUIRE_SERVICES=1', async () => {
    vi.stubEnv('BULWARK_REQUIRE_SERVICES', '1');
    const { serviceGate } = await import('./services');
    expect(serviceGate('suite', missing)).toEqual({ run: false, missing: 'suite: thing not installed' });
  });
});
