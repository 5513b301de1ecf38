import pino from 'pino';

export type AgentLogger = pino.Logger;

/** JSON lines on stderr; the credential is redacted wherever it could appear. */
export function createAgentLogger(level = process.env.BULWARK_AGENT_LOG_LEVEL ?? 'info'): AgentLogger {
  return pino(
    {
      level,
      base: { component: 'agent' },
      redact: { paths: ['credential', '*.credential', 'token', '*.token', 'authorization'], censor: '[redacted]' },
    },
    pino.destination(2),
  );
}
