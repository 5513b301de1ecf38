import { sql } from 'kysely';
import type { AbuseSignal } from '../../shared/api/audit';
import type { ServerContext } from '../context';

/**
 * Per-tenant abuse signals, computed from what is already recorded (audit events and script
 * logs), so they work whichever area wrote the records. Each signal counts events in its
 * window; at `threshold` it scores `weight` points, at twice the threshold twice as many, up to
 * three times. The sum is the tenant's score.
 */
export interface SignalRule {
  code: string;
  windowHours: number;
  threshold: number;
  weight: number;
}

export const SIGNAL_RULES = {
  /** Many enroll tokens created or agent installers downloaded in a short time. */
  enrollTokenBurst: { code: 'enroll_token_burst', windowHours: 1, threshold: 5, weight: 20 },
  /** Many endpoints enrolled in a short time. */
  fastEnrollment: { code: 'fast_enrollment', windowHours: 1, threshold: 10, weight: 20 },
  /** Frequent executions blocked by the security policy. */
  blockedCommands: { code: 'blocked_commands', windowHours: 24, threshold: 10, weight: 25 },
  /** Repeated attempts to reach blocked (or not allowed) destinations. */
  blockedDestinations: { code: 'blocked_destinations', windowHours: 24, threshold: 3, weight: 30 },
  /** Other tenants signed up recently with the same email domain. */
  sharedSignupDomain: { code: 'shared_signup_domain', windowHours: 7 * 24, threshold: 2, weight: 20 },
  /** Other tenants signed up recently from the same network (IPv4 /24, IPv6 /64). */
  sharedSignupNetwork: { code: 'shared_signup_network', windowHours: 7 * 24, threshold: 2, weight: 20 },
} as const satisfies Record<string, SignalRule>;

/** Audit actions and script-log decisions that can change a score: they trigger a re-assessment. */
export const SIGNAL_ACTIONS = new Set([
  'enroll_token.created',
  'installer.downloaded',
  'endpoint.enrolled',
  'enroll_token.used',
  'tenant.signed_up',
  'script.block',
]);

const EVIDENCE_LIMIT = 20;
const HOUR_MS = 3_600_000;
const FREE_MAIL_NOTE = 'Shared free-mail domains are common; weigh this signal with the others.';

export function pointsFor(rule: SignalRule, count: number): number {
  if (count < rule.threshold) return 0;
  return rule.weight * Math.min(3, Math.floor(count / rule.threshold));
}

/** The network a sign-up came from: IPv4 /24 or IPv6 /64, as text. */
export function networkOf(ip: string | null): string | null {
  if (!ip) return null;
  const v4 = /^(?:::ffff:)?(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.\d{1,3}$/i.exec(ip);
  if (v4) return `${v4[1]}.${v4[2]}.${v4[3]}.0/24`;
  if (!ip.includes(':')) return null;
  const [head = '', tail = ''] = ip.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = ip.includes('::') ? [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right] : left;
  if (groups.length !== 8) return null;
  return `${groups
    .slice(0, 4)
    .map((group) => group.toLowerCase().replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

function signal(rule: SignalRule, count: number, summary: string, evidence: Record<string, unknown>[]): AbuseSignal {
  return {
    code: rule.code,
    points: pointsFor(rule, count),
    count,
    threshold: rule.threshold,
    windowHours: rule.windowHours,
    summary,
    evidence: evidence.slice(0, EVIDENCE_LIMIT),
  };
}

async function auditEvidence(ctx: ServerContext, tenantId: string, actions: string[], since: Date) {
  const rows = await ctx.db
    .selectFrom('audit_events')
    .select(['id', 'at', 'action', 'target_type', 'target_id', 'actor_ip'])
    .where('tenant_id', '=', tenantId)
    .where('action', 'in', actions)
    .where('at', '>=', since)
    .orderBy('at', 'desc')
    .orderBy('seq', 'desc')
    .limit(1000)
    .execute();
  return rows.map((row) => ({
    auditEventId: row.id,
    at: new Date(row.at).toISOString(),
    action: row.action,
    target: row.target_type ? `${row.target_type}:${row.target_id ?? ''}` : null,
    ip: row.actor_ip,
  }));
}

async function blockedScriptLogs(ctx: ServerContext, tenantId: string, since: Date, reasonCodes?: string[]) {
  let query = ctx.db
    .selectFrom('script_logs')
    .select(['id', 'at', 'kind', 'endpoint_id', 'user_id', 'reason_codes', 'text_excerpt'])
    .where('tenant_id', '=', tenantId)
    .where('decision', '=', 'block')
    .where('at', '>=', since);
  query = reasonCodes
    ? query.where(sql<boolean>`reason_codes && ${sql.val(reasonCodes)}::text[]`)
    : query.where('was_blocked_by_security_policy', '=', true);
  const [{ count } = { count: 0 }] = await query
    .clearSelect()
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .execute();
  const rows = await query.orderBy('at', 'desc').orderBy('seq', 'desc').limit(EVIDENCE_LIMIT).execute();
  return {
    count: Number(count),
    evidence: rows.map((row) => ({
      scriptLogId: row.id,
      at: new Date(row.at).toISOString(),
      kind: row.kind,
      endpointId: row.endpoint_id,
      userId: row.user_id,
      reasonCodes: row.reason_codes,
      excerpt: row.text_excerpt.slice(0, 160),
    })),
  };
}

interface SignupRecord {
  tenantId: string;
  at: string;
  emailDomain: string | null;
  network: string | null;
}

async function signupsSince(ctx: ServerContext, since: Date): Promise<SignupRecord[]> {
  const rows = await ctx.db
    .selectFrom('audit_events')
    .select(['tenant_id', 'at', 'details', 'actor_ip'])
    .where('action', '=', 'tenant.signed_up')
    .where('at', '>=', since)
    .orderBy('at', 'desc')
    .limit(10_000)
    .execute();
  return rows
    .filter((row) => row.tenant_id)
    .map((row) => {
      const details = row.details ?? {};
      const domain =
        typeof details.emailDomain === 'string'
          ? details.emailDomain
          : typeof details.email === 'string'
            ? (details.email.split('@')[1] ?? null)
            : null;
      return {
        tenantId: row.tenant_id!,
        at: new Date(row.at).toISOString(),
        emailDomain: domain ? domain.toLowerCase() : null,
        network: networkOf(row.actor_ip),
      };
    });
}

/** All signals of one tenant at `now`, each with its evidence. */
export async function computeSignals(ctx: ServerContext, tenantId: string, now: Date): Promise<AbuseSignal[]> {
  const since = (rule: SignalRule) => new Date(now.getTime() - rule.windowHours * HOUR_MS);
  const signals: AbuseSignal[] = [];

  const tokens = await auditEvidence(ctx, tenantId, ['enroll_token.created', 'installer.downloaded'], since(SIGNAL_RULES.enrollTokenBurst));
  signals.push(
    signal(
      SIGNAL_RULES.enrollTokenBurst,
      tokens.length,
      `${tokens.length} enroll tokens or installers in ${SIGNAL_RULES.enrollTokenBurst.windowHours} h`,
      tokens,
    ),
  );

  const enrollments = await auditEvidence(ctx, tenantId, ['endpoint.enrolled', 'enroll_token.used'], since(SIGNAL_RULES.fastEnrollment));
  // An enrollment may be recorded both as endpoint.enrolled and enroll_token.used: count the larger.
  const enrolled = enrollments.filter((event) => event.action === 'endpoint.enrolled');
  const enrollCount = Math.max(enrolled.length, enrollments.length - enrolled.length);
  signals.push(
    signal(
      SIGNAL_RULES.fastEnrollment,
      enrollCount,
      `${enrollCount} endpoints enrolled in ${SIGNAL_RULES.fastEnrollment.windowHours} h`,
      enrollments,
    ),
  );

  const blocked = await blockedScriptLogs(ctx, tenantId, since(SIGNAL_RULES.blockedCommands));
  signals.push(
    signal(
      SIGNAL_RULES.blockedCommands,
      blocked.count,
      `${blocked.count} executions blocked by the security policy in ${SIGNAL_RULES.blockedCommands.windowHours} h`,
      blocked.evidence,
    ),
  );

  const destinations = await blockedScriptLogs(ctx, tenantId, since(SIGNAL_RULES.blockedDestinations), [
    'blocked_destination',
    'destination_not_allowed',
  ]);
  signals.push(
    signal(
      SIGNAL_RULES.blockedDestinations,
      destinations.count,
      `${destinations.count} attempts to reach blocked destinations in ${SIGNAL_RULES.blockedDestinations.windowHours} h`,
      destinations.evidence,
    ),
  );

  const windowStart = since(SIGNAL_RULES.sharedSignupDomain);
  const signups = await signupsSince(ctx, windowStart);
  const own = signups.find((signup) => signup.tenantId === tenantId);
  const sameDomain = own?.emailDomain ? signups.filter((s) => s.tenantId !== tenantId && s.emailDomain === own.emailDomain) : [];
  signals.push(
    signal(
      SIGNAL_RULES.sharedSignupDomain,
      sameDomain.length,
      `${sameDomain.length} other tenants signed up with ${own?.emailDomain ?? 'the same domain'} in ${SIGNAL_RULES.sharedSignupDomain.windowHours / 24} days. ${FREE_MAIL_NOTE}`,
      sameDomain.map((s) => ({ tenantId: s.tenantId, at: s.at, emailDomain: s.emailDomain })),
    ),
  );
  const sameNetwork = own?.network ? signups.filter((s) => s.tenantId !== tenantId && s.network === own.network) : [];
  signals.push(
    signal(
      SIGNAL_RULES.sharedSignupNetwork,
      sameNetwork.length,
      `${sameNetwork.length} other tenants signed up from ${own?.network ?? 'the same network'} in ${SIGNAL_RULES.sharedSignupNetwork.windowHours / 24} days`,
      sameNetwork.map((s) => ({ tenantId: s.tenantId, at: s.at, network: s.network })),
    ),
  );
  return signals;
}

/** Tenants with any scored activity since `since`: the ones a sweep needs to look at. */
export async function recentlyActiveTenants(ctx: ServerContext, since: Date): Promise<string[]> {
  const fromAudit = await ctx.db
    .selectFrom('audit_events')
    .select('tenant_id')
    .distinct()
    .where('tenant_id', 'is not', null)
    .where('action', 'in', [...SIGNAL_ACTIONS])
    .where('at', '>=', since)
    .execute();
  const fromScripts = await ctx.db
    .selectFrom('script_logs')
    .select('tenant_id')
    .distinct()
    .where('decision', '=', 'block')
    .where('at', '>=', since)
    .execute();
  return [...new Set([...fromAudit.map((row) => row.tenant_id!), ...fromScripts.map((row) => row.tenant_id)])];
}
