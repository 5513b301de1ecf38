/**
 * Public types of the Bulwark command policy engine.
 *
 * The engine is pure and deterministic: the same input (including `context.now`)
 * always yields the same result. It runs in the console (to explain), the server
 * (to enforce) and the agent (defence in depth), so this file must stay free of
 * Node and DOM types.
 */

export type Shell = 'powershell' | 'cmd' | 'bash' | 'sh' | 'zsh';
export type ShellOrAuto = Shell | 'auto';
export type Platform = 'windows' | 'linux' | 'macos';
export type Decision = 'allow' | 'flag' | 'block';
export type TenantState = 'active' | 'restricted' | 'blocked';

/** What is being evaluated; tenant state forbids some kinds (restricted tenants lose all of them). */
export type ActionKind = 'terminal_line' | 'command' | 'script' | 'schedule';

/** Stable reason codes. Renaming one is a breaking change for stored audit records. */
export const REASON_CODES = [
  'download_execute',
  'encoded_command',
  'obfuscation',
  'proxy_execution',
  'rmm_tool',
  'persistence',
  'tunnel',
  'reverse_shell',
  'defense_evasion',
  'credential_access',
  'offensive_tool',
  /** Destruction or lock-out at company scale: every device wiped, every administrator disabled. */
  'impact',
  /** Company data handed outside: snapshots shared with other accounts, storage made public, mailboxes exported. */
  'data_exposure',
  'blocked_destination',
  'destination_not_allowed',
  'unicode_trick',
  'tenant_restricted',
  'tenant_blocked',
  'input_too_large',
  /** The engine failed on this input (a bug); fails closed. */
  'analysis_failed',
] as const;
export type ReasonCode = (typeof REASON_CODES)[number];

/** Half-open range [start, end) of UTF-16 code-unit offsets into the ORIGINAL text. */
export interface Span {
  start: number;
  end: number;
}

export interface Reason {
  code: ReasonCode;
  /** What this reason alone does to the decision. */
  severity: 'block' | 'flag';
  /** Identifier of the rule that fired, e.g. `dl.ps.cradle`; stable, for audit and tests. */
  ruleId: string;
  /** One or two sentences a technician understands. */
  message: string;
  /** Offending parts of the original text (may be empty when nothing in the text is to blame). */
  spans: Span[];
  /** What would allow it, where something would. */
  remedy?: string;
}

export type DestinationRuleKind = 'domain' | 'ip' | 'cidr' | 'url_prefix';

export interface DestinationRule {
  id: string;
  kind: DestinationRuleKind;
  value: string;
  reason?: string;
  scope?: 'global' | 'tenant';
}

export type DestinationKind = 'url' | 'host' | 'ip';

export interface FoundDestination {
  kind: DestinationKind;
  /** Text as written (after shell-level deobfuscation, if it came from decoded content). */
  value: string;
  /** Normalised host: lower-case, punycode (ASCII), no trailing dot; IPs in canonical form. */
  host: string;
  /** Normalised URL for kind `url`. */
  url?: string;
  span: Span;
}

export type Trust =
  | { level: 'standard' }
  | {
      level: 'extended';
      /** Epoch milliseconds; trust at or after this instant counts as standard. */
      expiresAt: number;
    };

export interface PolicyContext {
  tenantState: TenantState;
  trust: Trust;
  /** Epoch milliseconds; used to decide whether extended trust is still in force. */
  now: number;
  blockedDestinations: readonly DestinationRule[];
  /** When present (new or unverified tenants), only destinations matching one of these may be reached. */
  destinationAllowlist?: readonly DestinationRule[] | null;
  /** Lower-case hex sha256 of permitted scripts. */
  permittedScriptHashes: readonly string[];
  /** Earlier lines sent in the same terminal session, oldest first. */
  history: readonly string[];
}

export interface PolicyInput {
  text: string;
  shell: ShellOrAuto;
  platform: Platform;
  action?: ActionKind;
  context: PolicyContext;
}

export interface PolicyResult {
  decision: Decision;
  reasons: Reason[];
  destinations: FoundDestination[];
  /** Lower-case hex sha256 of the UTF-8 encoding of the original text. */
  sha256: string;
  /** The shell the text was analysed as (resolves `auto`). */
  shell: Shell;
  /** True when the text's hash is permitted (permit-by-hash). */
  permittedByHash: boolean;
  /** Whether extended trust was in force for this decision. */
  trustInForce: 'standard' | 'extended';
}

/**
 * A reason as plain data with exactly its documented fields, for every wire it crosses (API,
 * IPC, agent protocol, audit): nothing the engine might attach travels by accident.
 */
export function plainReason(reason: Reason): Reason {
  return {
    code: reason.code,
    severity: reason.severity,
    ruleId: reason.ruleId,
    message: reason.message,
    spans: reason.spans.map((span) => ({ start: span.start, end: span.end })),
    ...(reason.remedy ? { remedy: reason.remedy } : {}),
  };
}
