import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { parseDestinationRule, type ParsedDestinationRule } from '../../shared/policy/destinations/index';

/**
 * Server configuration: defaults < config file (BULWARK_CONFIG, JSON or YAML) < environment.
 * Everything is validated at start; a wrong value stops the server with one line per problem.
 */

const port = z.coerce.number().int().min(0).max(65535);
const seconds = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const count = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const boolish = z.union([z.boolean(), z.enum(['1', '0', 'true', 'false']).transform((v) => v === '1' || v === 'true')]);

export const Argon2Params = z.strictObject({
  /** OWASP: Argon2id, m=19 MiB, t=2, p=1. The configuration may only make it stronger. */
  memoryKiB: z.coerce.number().int().min(19456).max(4_194_304).default(19456),
  iterations: z.coerce.number().int().min(2).max(20).default(2),
  parallelism: z.coerce.number().int().min(1).max(16).default(1),
});
export type Argon2Params = z.infer<typeof Argon2Params>;

const ConfigSchema = z
  .strictObject({
    dataDir: z.string().min(1).default('.bulwark-data'),
    host: z.string().min(1).default('127.0.0.1'),
    adminPort: port.default(4780),
    agentPort: port.default(4781),
    databaseUrl: z
      .string()
      .refine((v) => /^postgres(ql)?:\/\//.test(v), 'must start with postgres:// or postgresql://')
      .optional(),
    redisUrl: z
      .string()
      .refine((v) => /^rediss?:\/\//.test(v), 'must start with redis:// or rediss://')
      .optional(),
    tlsCertFile: z.string().min(1).optional(),
    tlsKeyFile: z.string().min(1).optional(),
    /** Addresses or CIDRs of reverse proxies whose X-Forwarded-For is believed. Empty: none. */
    trustProxy: z.array(z.string().min(1)).default([]),
    /** Server key for encrypting TOTP secrets at rest (base64, 32 bytes). Default: a key file in the data dir. */
    secretKey: z.string().optional(),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    bodyLimitBytes: z.coerce
      .number()
      .int()
      .min(1024)
      .max(10 * 1024 * 1024)
      .default(64 * 1024),
    stepUpWindowSeconds: seconds(30, 3600).default(300),
    accessTokenTtlSeconds: seconds(60, 3600).default(600),
    sessionIdleTimeoutSeconds: seconds(300, 7 * 24 * 3600).default(1800),
    sessionAbsoluteTimeoutSeconds: seconds(600, 30 * 24 * 3600).default(12 * 3600),
    loginChallengeTtlSeconds: seconds(60, 1800).default(300),
    throttle: z
      .strictObject({
        /** Failures allowed per account before lockouts start. */
        accountFreeFailures: z.coerce.number().int().min(1).max(100).default(5),
        /** Failures allowed per source address before lockouts start (offices share addresses). */
        ipFreeFailures: z.coerce.number().int().min(1).max(10_000).default(30),
        /** First lockout; each further failure doubles it, up to the maximum. */
        lockoutBaseSeconds: seconds(1, 3600).default(30),
        lockoutMaxSeconds: seconds(1, 24 * 3600).default(900),
        /** Failures older than this are forgotten. */
        windowSeconds: seconds(60, 7 * 24 * 3600).default(3600),
      })
      .default({
        accountFreeFailures: 5,
        ipFreeFailures: 30,
        lockoutBaseSeconds: 30,
        lockoutMaxSeconds: 900,
        windowSeconds: 3600,
      }),
    argon2: Argon2Params.default({ memoryKiB: 19456, iterations: 2, parallelism: 1 }),
    /** Print a request log line per request (off by default: the audit tables are the record). */
    logRequests: boolish.default(false),
    // Tenant limits (controls, issue 5). Verified tenants get the first set, trial (unverified,
    // self-signed-up) tenants the stricter second set; platform admins can override per tenant.
    dispatchesPerMinute: count(0, 100_000).default(120),
    concurrentTerminalSessions: count(0, 10_000).default(20),
    enrollMaxActiveTokens: count(0, 10_000).default(50),
    enrollMaxUsesPerToken: count(1, 1_000_000).default(1000),
    enrollMaxValidityHours: count(1, 24 * 365).default(30 * 24),
    trialDispatchesPerMinute: count(0, 100_000).default(10),
    trialConcurrentTerminalSessions: count(0, 10_000).default(1),
    trialEnrollMaxActiveTokens: count(0, 10_000).default(2),
    trialEnrollMaxUsesPerToken: count(1, 1_000_000).default(5),
    trialEnrollMaxValidityHours: count(1, 24 * 365).default(24),
    /**
     * Destinations trial tenants may reach ("kind:value", e.g. "domain:example.com"); unset means no
     * allowlist for trial tenants. A tenant's own allowlist (set by a platform admin) wins.
     */
    trialDestinationAllowlist: z.array(z.string().min(1)).optional(),
    /** Public self-service sign-up (POST /api/v1/signup) creating trial tenants. */
    signupEnabled: boolish.default(true),
    /** Sign-ups accepted per source address (IPv6: per /64) per hour. */
    signupsPerAddressPerHour: count(1, 10_000).default(5),
    /**
     * One-time token that lets the console create the first platform admin (set by `npm start`
     * for each launch). Unset: first-run setup is refused and the CLI's create-admin is the way.
     */
    firstRunToken: z.string().min(32).max(200).optional(),
    // SIEM export (audit, issue 5): RFC 5424 syslog to one collector; off while syslogHost is unset.
    syslogHost: z.string().min(1).optional(),
    /** Default: 6514 for tls, 514 for tcp and udp. */
    syslogPort: port.optional(),
    syslogProtocol: z.enum(['tcp', 'tls', 'udp']).default('tcp'),
    /** PEM file of the CA(s) that signed the collector's certificate (tls); default the system's. */
    syslogTlsCaFile: z.string().min(1).optional(),
    /** Client certificate and key (PEM files) for collectors that require mutual TLS. */
    syslogTlsCertFile: z.string().min(1).optional(),
    syslogTlsKeyFile: z.string().min(1).optional(),
    /** Name the collector's certificate must carry; default syslogHost. */
    syslogTlsServerName: z.string().min(1).optional(),
    syslogAppName: z
      .string()
      .regex(/^[\x21-\x7e]{1,48}$/, 'printable ASCII without spaces, at most 48 characters')
      .default('bulwark'),
    /** Syslog facility 0–23; 13 is "log audit". */
    syslogFacility: count(0, 23).default(13),
    /** Private enterprise number in the structured-data id (bulwark@N). */
    syslogEnterpriseId: count(1, 2_147_483_647).default(32473),
    /** Messages buffered while the collector is unreachable; more are dropped and counted. */
    syslogBufferSize: count(1, 1_000_000).default(10_000),
    syslogRetryMinMs: count(10, 600_000).default(1000),
    syslogRetryMaxMs: count(10, 3_600_000).default(60_000),
    syslogMaxMessageBytes: count(480, 65_000).default(8192),
    /** Also forward allowed executions (blocked and flagged ones always are). */
    syslogIncludeAllowed: boolish.default(false),
    // Abuse signals (audit, issue 5).
    /** Score at which a tenant enters the review queue. */
    abuseReviewThreshold: count(1, 1_000_000).default(50),
    /** Score at which an active tenant is restricted automatically; unset: never (only reviewed). */
    abuseAutoRestrictThreshold: count(1, 1_000_000).optional(),
    /** How often recently active tenants are re-assessed; 0 turns the sweeper off (events still trigger). */
    abuseSweepIntervalSeconds: count(0, 7 * 24 * 3600).default(600),
  })
  // Cross-field rules. `when: () => true` runs them even when a field above is wrong, so the
  // operator sees every problem at once; hence the defensive type checks.
  .superRefine(
    (raw, ctx) => {
      const config = raw as Partial<Record<keyof typeof raw, unknown>>;
      if (Boolean(config.tlsCertFile) !== Boolean(config.tlsKeyFile)) {
        ctx.addIssue({
          code: 'custom',
          path: [config.tlsCertFile ? 'tlsKeyFile' : 'tlsCertFile'],
          message: 'set both the TLS certificate and key, or neither',
        });
      }
      if (!config.tlsCertFile && typeof config.host === 'string' && !isLoopbackHost(config.host)) {
        ctx.addIssue({
          code: 'custom',
          path: ['host'],
          message: `plain HTTP is only allowed on a loopback address; set BULWARK_TLS_CERT and BULWARK_TLS_KEY to listen on ${config.host}`,
        });
      }
      if (typeof config.adminPort === 'number' && config.adminPort !== 0 && config.adminPort === config.agentPort) {
        ctx.addIssue({ code: 'custom', path: ['agentPort'], message: 'must differ from the admin port' });
      }
      const idle = config.sessionIdleTimeoutSeconds;
      const absolute = config.sessionAbsoluteTimeoutSeconds;
      if (typeof idle === 'number' && typeof absolute === 'number' && absolute < idle) {
        ctx.addIssue({ code: 'custom', path: ['sessionAbsoluteTimeoutSeconds'], message: 'must be at least the idle timeout' });
      }
      if (Array.isArray(config.trustProxy)) {
        for (const [index, entry] of config.trustProxy.entries()) {
          if (typeof entry === 'string' && !isIP(entry.split('/')[0] ?? '')) {
            ctx.addIssue({ code: 'custom', path: ['trustProxy', index], message: 'expected an IP address or CIDR' });
          }
        }
      }
      if (Array.isArray(config.trialDestinationAllowlist)) {
        for (const [index, entry] of config.trialDestinationAllowlist.entries()) {
          if (typeof entry !== 'string') continue;
          const parsed = parseAllowlistSetting(entry);
          if (!parsed.ok) ctx.addIssue({ code: 'custom', path: ['trialDestinationAllowlist', index], message: parsed.error });
        }
      }
      if (typeof config.secretKey === 'string' && Buffer.from(config.secretKey, 'base64').length !== 32) {
        ctx.addIssue({ code: 'custom', path: ['secretKey'], message: 'must be 32 bytes, base64-encoded' });
      }
    },
    { when: () => true },
  );

export type Config = z.infer<typeof ConfigSchema>;

/** One "kind:value" allowlist setting, validated by the policy engine's own rule parser. */
export function parseAllowlistSetting(entry: string): ParsedDestinationRule {
  const colon = entry.indexOf(':');
  if (colon <= 0) return { ok: false, error: `expected kind:value (kinds: domain, ip, cidr, url_prefix), got "${entry}"` };
  return parseDestinationRule(entry.slice(0, colon).trim(), entry.slice(colon + 1));
}

/** Environment variable → config key; the names are the documented interface. */
export const ENVIRONMENT_VARIABLES = {
  BULWARK_DATA_DIR: 'dataDir',
  BULWARK_HOST: 'host',
  BULWARK_ADMIN_PORT: 'adminPort',
  BULWARK_AGENT_PORT: 'agentPort',
  DATABASE_URL: 'databaseUrl',
  REDIS_URL: 'redisUrl',
  BULWARK_TLS_CERT: 'tlsCertFile',
  BULWARK_TLS_KEY: 'tlsKeyFile',
  BULWARK_TRUST_PROXY: 'trustProxy',
  BULWARK_SECRET_KEY: 'secretKey',
  BULWARK_LOG_LEVEL: 'logLevel',
  BULWARK_BODY_LIMIT_BYTES: 'bodyLimitBytes',
  BULWARK_STEP_UP_WINDOW_SECONDS: 'stepUpWindowSeconds',
  BULWARK_ACCESS_TOKEN_TTL_SECONDS: 'accessTokenTtlSeconds',
  BULWARK_SESSION_IDLE_TIMEOUT_SECONDS: 'sessionIdleTimeoutSeconds',
  BULWARK_SESSION_ABSOLUTE_TIMEOUT_SECONDS: 'sessionAbsoluteTimeoutSeconds',
  BULWARK_LOG_REQUESTS: 'logRequests',
  BULWARK_DISPATCHES_PER_MINUTE: 'dispatchesPerMinute',
  BULWARK_CONCURRENT_TERMINAL_SESSIONS: 'concurrentTerminalSessions',
  BULWARK_ENROLL_MAX_ACTIVE_TOKENS: 'enrollMaxActiveTokens',
  BULWARK_ENROLL_MAX_USES_PER_TOKEN: 'enrollMaxUsesPerToken',
  BULWARK_ENROLL_MAX_VALIDITY_HOURS: 'enrollMaxValidityHours',
  BULWARK_TRIAL_DISPATCHES_PER_MINUTE: 'trialDispatchesPerMinute',
  BULWARK_TRIAL_CONCURRENT_TERMINAL_SESSIONS: 'trialConcurrentTerminalSessions',
  BULWARK_TRIAL_ENROLL_MAX_ACTIVE_TOKENS: 'trialEnrollMaxActiveTokens',
  BULWARK_TRIAL_ENROLL_MAX_USES_PER_TOKEN: 'trialEnrollMaxUsesPerToken',
  BULWARK_TRIAL_ENROLL_MAX_VALIDITY_HOURS: 'trialEnrollMaxValidityHours',
  BULWARK_TRIAL_DESTINATION_ALLOWLIST: 'trialDestinationAllowlist',
  BULWARK_SIGNUP_ENABLED: 'signupEnabled',
  BULWARK_SIGNUPS_PER_ADDRESS_PER_HOUR: 'signupsPerAddressPerHour',
  BULWARK_FIRST_RUN_TOKEN: 'firstRunToken',
  BULWARK_SYSLOG_HOST: 'syslogHost',
  BULWARK_SYSLOG_PORT: 'syslogPort',
  BULWARK_SYSLOG_PROTOCOL: 'syslogProtocol',
  BULWARK_SYSLOG_TLS_CA: 'syslogTlsCaFile',
  BULWARK_SYSLOG_TLS_CERT: 'syslogTlsCertFile',
  BULWARK_SYSLOG_TLS_KEY: 'syslogTlsKeyFile',
  BULWARK_SYSLOG_TLS_SERVER_NAME: 'syslogTlsServerName',
  BULWARK_SYSLOG_APP_NAME: 'syslogAppName',
  BULWARK_SYSLOG_FACILITY: 'syslogFacility',
  BULWARK_SYSLOG_ENTERPRISE_ID: 'syslogEnterpriseId',
  BULWARK_SYSLOG_BUFFER_SIZE: 'syslogBufferSize',
  BULWARK_SYSLOG_RETRY_MIN_MS: 'syslogRetryMinMs',
  BULWARK_SYSLOG_RETRY_MAX_MS: 'syslogRetryMaxMs',
  BULWARK_SYSLOG_MAX_MESSAGE_BYTES: 'syslogMaxMessageBytes',
  BULWARK_SYSLOG_INCLUDE_ALLOWED: 'syslogIncludeAllowed',
  BULWARK_ABUSE_REVIEW_THRESHOLD: 'abuseReviewThreshold',
  BULWARK_ABUSE_AUTO_RESTRICT_THRESHOLD: 'abuseAutoRestrictThreshold',
  BULWARK_ABUSE_SWEEP_INTERVAL_SECONDS: 'abuseSweepIntervalSeconds',
} as const satisfies Record<string, keyof Config>;

const SECRET_KEYS = new Set<string>(['secretKey', 'databaseUrl', 'redisUrl', 'firstRunToken']);

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function isLoopbackHost(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1' || host === '[::1]';
}

/**
 * Loads and validates the configuration. `env` defaults to process.env; the config file
 * is named by BULWARK_CONFIG. Throws ConfigError listing every wrong value.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const problems: string[] = [];
  let fromFile: Record<string, unknown> = {};
  const configFile = env.BULWARK_CONFIG;
  if (configFile) {
    try {
      const text = readFileSync(configFile, 'utf8');
      const parsed: unknown = /\.ya?ml$/i.test(configFile) ? parseYaml(text) : JSON.parse(text);
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
        problems.push(`BULWARK_CONFIG (${configFile}): expected an object of settings`);
      } else {
        fromFile = parsed as Record<string, unknown>;
      }
    } catch (error) {
      problems.push(`BULWARK_CONFIG (${configFile}): ${(error as Error).message}`);
    }
  }
  const fromEnv: Record<string, unknown> = {};
  for (const [variable, key] of Object.entries(ENVIRONMENT_VARIABLES)) {
    const value = env[variable];
    if (value === undefined || value === '') continue;
    fromEnv[key] =
      key === 'trustProxy' || key === 'trialDestinationAllowlist'
        ? value
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean)
        : value;
  }
  if (problems.length > 0) throw new ConfigError(problems);

  const result = ConfigSchema.safeParse({ ...fromFile, ...fromEnv });
  if (!result.success) {
    const keyToVariable = new Map<string, string>(Object.entries(ENVIRONMENT_VARIABLES).map(([v, k]) => [k, v]));
    for (const issue of result.error.issues) {
      const key = issue.path.map(String).join('.');
      const top = String(issue.path[0] ?? '');
      const variable = keyToVariable.get(top);
      const source = variable && top in fromEnv ? variable : configFile && top in fromFile ? `${key} (in ${configFile})` : key;
      const raw = variable ? env[variable] : undefined;
      const shown = raw !== undefined && !SECRET_KEYS.has(top) ? ` (got "${raw}")` : '';
      problems.push(`${source || 'configuration'}: ${issue.message}${shown}`);
    }
    throw new ConfigError(problems);
  }
  const config = result.data;
  return { ...config, dataDir: path.resolve(config.dataDir) };
}

/** Defaults for everything, for tests and tools that build a config in code. */
export function defaultConfig(overrides: Partial<Config> = {}): Config {
  return { ...ConfigSchema.parse({}), ...overrides };
}
