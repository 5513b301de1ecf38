import { describe, expect, it } from 'vitest';
import { ApiCallError, buildPath, callApi, type ApiTransport } from './client';
import { adminApi } from './routes';

describe('typed API client', () => {
  it('builds paths with encoded parameters and query strings', () => {
    expect(buildPath('/api/v1/tenants/:id/state', { id: 'a b/c' })).toBe('/api/v1/tenants/a%20b%2Fc/state');
    expect(buildPath('/api/v1/audit/logins', {}, { limit: 5, tenantId: undefined, result: 'failure' })).toBe(
      '/api/v1/audit/logins?limit=5&result=failure',
    );
    expect(() => buildPath('/api/v1/users/:id')).toThrow(/id/);
  });

  it('sends JSON with the bearer token, validates the answer and turns refusals into ApiCallError', async () => {
    const seen: Parameters<ApiTransport>[0][] = [];
    const transport: ApiTransport = (request) => {
      seen.push(request);
      if (request.path === '/api/v1/auth/login') {
        return Promise.resolve({
          status: 200,
          body: { next: 'mfa', challengeToken: 'bwc_x', expiresAt: '2030-01-01T00:00:00.000Z', extra: 'dropped' },
        });
      }
      return Promise.resolve({ status: 403, body: { error: { code: 'step_up_required', message: 'Confirm first' } } });
    };
    const login = await callApi(transport, adminApi.login, { body: { email: 'a@b.test', password: 'pw' } });
    expect(login).toEqual({ next: 'mfa', challengeToken: 'bwc_x', expiresAt: '2030-01-01T00:00:00.000Z' });
    expect(seen[0]).toMatchObject({ method: 'POST', headers: { 'content-type': 'application/json' } });

    const refused = callApi(transport, adminApi.createApiKey, {
      token: 'bwa_t',
      body: { name: 'k', role: 'technician', expiresInDays: 1 },
    });
    await expect(refused).rejects.toBeInstanceOf(ApiCallError);
    await expect(refused).rejects.toMatchObject({ status: 403, code: 'step_up_required' });
    expect(seen[1]?.headers.authorization).toBe('Bearer bwa_t');
  });
});
