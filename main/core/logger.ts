/**
 * The console's log interface. Callers pass only non-secret fields (channel names, codes,
 * origins); `redactSecrets` is a second line of defence for anything that slips through.
 */
export interface ConsoleLogger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
}

const SECRET_KEY = /token|secret|password|authorization|cookie|code|otpauth/i;

export function redactSecrets(fields: Record<string, unknown> = {}): Record<string, unknown> {
  const safe: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    safe[key] = SECRET_KEY.test(key) ? '[redacted]' : typeof value === 'string' ? value.slice(0, 200) : value;
  }
  return safe;
}

/** Writes one JSON line per message to stderr (the shell and the browser host both use it). */
export function createStderrLogger(write: (line: string) => void = (line) => process.stderr.write(line)): ConsoleLogger {
  const log = (level: string) => (message: string, fields?: Record<string, unknown>) =>
    write(`${JSON.stringify({ time: new Date().toISOString(), level, message, ...redactSecrets(fields) })}\n`);
  return { info: log('info'), warn: log('warn') };
}

export const silentLogger: ConsoleLogger = { info: () => undefined, warn: () => undefined };
