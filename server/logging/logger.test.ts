import { describe, expect, it } from 'vitest';
import { createLogger } from './logger';

describe('logger', () => {
  it('redacts passwords, tokens, TOTP material and credential headers wherever they appear', () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'info', destination: { write: (line: string) => lines.push(line) } });
    const secrets = {
      password: 'hunter2-password',
      code: '123456',
      accessToken: 'bwa_secretaccess',
      refreshToken: 'bwr_secretrefresh',
      challengeToken: 'bwc_secretchallenge',
      totpSecret: 'JBSWY3DPEHPK3PXP',
      otpauthUrl: 'otpauth://totp/x?secret=JBSWY3DPEHPK3PXP',
    };
    logger.info(secrets, 'top level');
    logger.info({ input: secrets }, 'nested');
    logger.info(
      { req: { method: 'POST', url: '/api/v1/auth/mfa?token=abc', headers: { authorization: 'Bearer bwa_header', cookie: 's=1' } } },
      'request',
    );
    logger.info({ headers: { authorization: 'Bearer bwa_header2', cookie: 'session=abc' } }, 'headers');
    const output = lines.join('\n');
    for (const value of [...Object.values(secrets), 'bwa_header', 'bwa_header2', 'session=abc', 'token=abc']) {
      expect(output).not.toContain(value);
    }
    expect(output).toContain('/api/v1/auth/mfa');
    expect(output).toContain('[redacted]');
  });
});
