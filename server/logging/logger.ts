import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * Paths pino removes before anything is written. Tokens, passwords, TOTP material and
 * credentials in headers never reach the log, whatever a caller passes in.
 */
export const REDACTED_PATHS = [
  'password',
  'newPassword',
  'code',
  'secret',
  'totpSecret',
  'otpauthUrl',
  'token',
  'accessToken',
  'refreshToken',
  'challengeToken',
  'apiKey',
  'secretKey',
  'databaseUrl',
  'redisUrl',
  '*.password',
  '*.newPassword',
  '*.code',
  '*.secret',
  '*.totpSecret',
  '*.otpauthUrl',
  '*.token',
  '*.accessToken',
  '*.refreshToken',
  '*.challengeToken',
  '*.apiKey',
  '*.secretKey',
  '*.databaseUrl',
  '*.redisUrl',
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  'body',
  'req.body',
];

export function createLogger(options: { level?: string; destination?: pino.DestinationStream } = {}): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      base: { service: 'bulwark-server' },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      serializers: {
        // Only the parts of a request a log reader needs: never headers or bodies.
        req: (req: { method?: string; url?: string; ip?: string; id?: string }) => ({
          id: req.id,
          method: req.method,
          url: stripQuery(req.url),
          ip: req.ip,
        }),
        err: pino.stdSerializers.err,
      },
    },
    options.destination,
  );
}

/** Query strings can carry secrets by mistake (e.g. `?token=`); log the path only. */
function stripQuery(url: string | undefined): string | undefined {
  return url?.split('?')[0];
}
