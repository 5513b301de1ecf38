/**
 * zod schemas of every IPC channel's request and response, and of every event payload.
 * Main validates requests (refusing anything else) and parses responses before they cross,
 * so a field not declared here never reaches the renderer. No schema here may describe a
 * session credential: see main/ipc/no-token-on-ipc.test.ts.
 */
import { z } from 'zod';
import { LoginPassword, Email, NewPassword, TotpCode, StepUpGrant } from '../api/auth';
import { Id, Timestamp } from '../api/common';
import { Role, StepUpAction, TenantState } from '../api/roles';
import { CONSOLE_API_ROUTES, CONSOLE_DOWNLOAD_ROUTES } from './api-routes';
import { IpcChannel, IpcEvent } from './channels';
import { checkServerUrl } from './server-url';

// ---------- shared pieces ----------

export const ServerUrl = z
  .string()
  .max(2048)
  .superRefine((value, ctx) => {
    const check = checkServerUrl(value);
    if (!check.ok) ctx.addIssue({ code: 'custom', message: check.message });
  });

/** A refusal crossing IPC: a stable code to branch on and a message a person can act on. */
export const IpcError = z.object({
  code: z.string(),
  message: z.string(),
  /** Per-field messages (dotted paths), for forms. */
  fields: z.record(z.string(), z.string()).optional(),
});
export type IpcError = z.infer<typeof IpcError>;

/** Console-side error codes, next to the server's (shared/api/common.ts ErrorCode). */
export const ConsoleErrorCode = {
  /** The channel, sender or payload was refused by main's IPC gate. */
  ipcRefused: 'ipc_refused',
  invalidRequest: 'invalid_request',
  notSignedIn: 'not_signed_in',
  noPendingSignIn: 'no_pending_sign_in',
  insecureServerUrl: 'insecure_server_url',
  serverUnreachable: 'server_unreachable',
  /** The server does not offer this yet (route missing): shown as "not available on this server". */
  unavailable: 'unavailable',
  policyBlocked: 'policy_blocked',
  terminalNotOpen: 'terminal_not_open',
  /** Raw keystrokes were sent while the terminal is in line mode (the server has not granted raw mode). */
  terminalNotRaw: 'terminal_not_raw',
  /** First-run setup is not possible from this console (no launcher token, or another server). */
  firstRunUnavailable: 'first_run_unavailable',
  /** An export is larger than the console carries (MAX_DOWNLOAD_CHARS). */
  downloadTooLarge: 'download_too_large',
  internal: 'console_internal_error',
} as const;

export const AppInfo = z.object({
  name: z.string(),
  version: z.string(),
  /** Where the console runs: inside Electron, or served to a browser by the Node host. */
  host: z.enum(['electron', 'browser']),
});
export type AppInfo = z.infer<typeof AppInfo>;

/** Whether the session survives a restart: only when the OS keychain holds it. */
export const VaultStatus = z.object({
  remembered: z.boolean(),
  /** Why not, when not (e.g. no keychain backend): shown to the user. */
  message: z.string().nullable(),
});
export type VaultStatus = z.infer<typeof VaultStatus>;

/** The signed-in state the renderer sees. Never tokens: those stay in main and the keychain. */
export const SessionView = z.object({
  serverUrl: z.string(),
  user: z.object({ id: Id, email: z.string(), displayName: z.string(), role: Role, tenantId: Id.nullable() }),
  tenant: z.object({ id: Id, name: z.string(), state: TenantState, stateReason: z.string().nullable() }).nullable(),
  sessionId: Id,
  sessionExpiresAt: Timestamp,
  stepUps: z.array(StepUpGrant),
  vault: VaultStatus,
});
export type SessionView = z.infer<typeof SessionView>;

export const Span = z.object({ start: z.number().int().min(0), end: z.number().int().min(0) });

/** One reason from the policy engine (console) or from the server's refusal. */
export const BlockReason = z.object({
  /** Engine reason code (shared/policy REASON_CODES) or a server/tenant-limit code. */
  code: z.string(),
  severity: z.enum(['block', 'flag']),
  ruleId: z.string(),
  message: z.string(),
  /** UTF-16 offsets into `PolicyBlock.text` (the original text). */
  spans: z.array(Span),
  remedy: z.string().optional(),
});
export type BlockReason = z.infer<typeof BlockReason>;

/** Why something was not sent. `source` says who refused: the console's own pre-check or the server. */
export const PolicyBlock = z.object({
  source: z.enum(['console', 'server']),
  text: z.string(),
  sha256: z.string().nullable(),
  /** A one-line summary; details are in `reasons`. */
  message: z.string(),
  reasons: z.array(BlockReason),
});
export type PolicyBlock = z.infer<typeof PolicyBlock>;

export const PolicyAction = z.enum(['terminal_line', 'command', 'script', 'schedule']);

export const Verdict = z.discriminatedUnion('sent', [
  z.object({ sent: z.literal(true), flagged: z.array(BlockReason) }),
  z.object({ sent: z.literal(false), block: PolicyBlock }),
]);
export type Verdict = z.infer<typeof Verdict>;

const TerminalId = z.string().min(1).max(100);
const ViewerId = z.string().min(1).max(100);
const Shell = z.enum(['powershell', 'cmd', 'bash', 'sh', 'zsh']);
const Platform = z.enum(['windows', 'linux', 'macos']);
/** Raw keystrokes are limited to control characters (Ctrl-C, Ctrl-D, …): text goes through `sendLine` and its policy check. */
const ControlInput = z
  .string()
  .min(1)
  .max(16)
  .refine(isControlOnly, 'Only control keys (such as Ctrl-C) may be sent raw; type text as a line');
/** C0 controls and DEL, except CR and LF (Enter submits a line, which must go through its check). */
function isControlOnly(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (!((c < 0x20 && c !== 0x0a && c !== 0x0d) || c === 0x7f)) return false;
  }
  return true;
}
/** Raw mode: keystrokes as typed (escape sequences included), as the terminal protocol bounds them. */
const RawInput = z
  .string()
  .min(1)
  .max(8 * 1024);
const TerminalModeName = z.enum(['line', 'raw']);
const EndpointIds = z.array(Id).min(1).max(200);
const NoPayload = z.undefined();

// ---------- the contract ----------

export const IPC_CONTRACT = {
  [IpcChannel.AppInfo]: { request: NoPayload, response: AppInfo },

  [IpcChannel.PrefsGetServerUrl]: { request: NoPayload, response: z.object({ serverUrl: z.string().nullable() }) },
  [IpcChannel.PrefsSetServerUrl]: { request: z.strictObject({ serverUrl: ServerUrl }), response: z.object({ serverUrl: z.string() }) },

  /**
   * First run (`npm start`): whether `serverUrl` still needs its first platform admin, and whether
   * this console can create it — only when it was started by the launcher with that server's
   * one-time token. The token itself stays in main.
   */
  [IpcChannel.SetupStatus]: {
    request: z.strictObject({ serverUrl: ServerUrl }),
    response: z.object({
      firstAdminNeeded: z.boolean(),
      firstRunEnabled: z.boolean(),
      /** True when the server needs its first admin, accepts first-run setup, and this console holds its launch token. */
      canCreateFirstAdmin: z.boolean(),
    }),
  },
  /** Creates the first platform admin; main adds the one-time token. TOTP is enrolled at the first sign-in that follows. */
  [IpcChannel.SetupCreateFirstAdmin]: {
    request: z.strictObject({
      serverUrl: ServerUrl,
      email: Email,
      displayName: z.string().trim().min(1).max(120).optional(),
      password: NewPassword,
    }),
    response: z.object({ user: z.object({ id: Id, email: z.string(), displayName: z.string(), role: Role }) }),
  },

  /** Step 1: password. The server's challenge stays in main; the answer says what to ask for next. */
  [IpcChannel.AuthSignIn]: {
    request: z.strictObject({ serverUrl: ServerUrl, email: Email, password: LoginPassword }),
    response: z.object({ next: z.enum(['mfa', 'enroll']), challengeExpiresAt: Timestamp }),
  },
  /** First-time TOTP: the otpauth URI (it holds the new TOTP key) so the renderer draws the QR code locally. */
  [IpcChannel.AuthStartEnrollment]: { request: NoPayload, response: z.object({ otpauthUri: z.string() }) },
  /** Step 2: the code (sign-in or enrollment confirmation). On success the session is held by main. */
  [IpcChannel.AuthVerifyCode]: { request: z.strictObject({ code: TotpCode }), response: SessionView },
  /** Reopens the session remembered in the keychain for the saved server, if any and still valid. */
  [IpcChannel.AuthResume]: { request: NoPayload, response: SessionView.nullable() },
  /** Revokes the server session and deletes the keychain entry. */
  [IpcChannel.AuthSignOut]: { request: NoPayload, response: z.object({ signedOut: z.literal(true) }) },
  [IpcChannel.AuthMe]: { request: NoPayload, response: SessionView },
  [IpcChannel.AuthStepUp]: { request: z.strictObject({ action: StepUpAction, code: TotpCode }), response: StepUpGrant },

  [IpcChannel.ApiCall]: {
    request: z.strictObject({
      route: z.enum(CONSOLE_API_ROUTES),
      // Checked again by main against the route's own params/query/body schemas.
      input: z.strictObject({ params: z.unknown().optional(), query: z.unknown().optional(), body: z.unknown().optional() }),
    }),
    // Parsed by main with the route's own response schema (see CONSOLE_API_ROUTES).
    response: z.unknown(),
  },

  /** An export file (CSV or JSON Lines) from a route in CONSOLE_DOWNLOAD_ROUTES, at most MAX_DOWNLOAD_CHARS. */
  [IpcChannel.ApiDownload]: {
    request: z.strictObject({
      route: z.enum(CONSOLE_DOWNLOAD_ROUTES),
      // Checked again by main against the route's own query schema.
      input: z.strictObject({ query: z.unknown().optional() }),
    }),
    response: z.object({
      /** A plain file name to save under (letters, digits, dot, dash, underscore). */
      filename: z.string().regex(/^[A-Za-z0-9._-]{1,100}$/),
      contentType: z.enum(['text/csv', 'application/x-ndjson']),
      content: z.string(),
    }),
  },

  /** What the console's pre-check would say, without sending anything (for previews). */
  [IpcChannel.PolicyCheck]: {
    request: z.strictObject({ endpointId: Id, text: z.string().max(1_000_000), action: PolicyAction }),
    response: Verdict,
  },

  [IpcChannel.TerminalOpen]: {
    request: z.strictObject({ endpointId: Id, cols: z.number().int().min(1).max(1000), rows: z.number().int().min(1).max(500) }),
    response: z.object({ terminalId: TerminalId, endpointId: Id, shell: Shell, platform: Platform }),
  },
  /** One line, checked by the policy engine first; a block is returned and the line is never sent. */
  [IpcChannel.TerminalSendLine]: { request: z.strictObject({ terminalId: TerminalId, line: z.string().max(100_000) }), response: Verdict },
  [IpcChannel.TerminalInput]: {
    request: z.strictObject({ terminalId: TerminalId, data: ControlInput }),
    response: z.object({ sent: z.literal(true) }),
  },
  [IpcChannel.TerminalSetMode]: {
    request: z.strictObject({ terminalId: TerminalId, mode: TerminalModeName }),
    // The server answers with event:terminal-mode (raw is granted only with active extended trust).
    response: z.object({ requested: TerminalModeName }),
  },
  [IpcChannel.TerminalRawInput]: {
    request: z.strictObject({ terminalId: TerminalId, data: RawInput }),
    response: z.object({ sent: z.literal(true) }),
  },
  [IpcChannel.TerminalResize]: {
    request: z.strictObject({ terminalId: TerminalId, cols: z.number().int().min(1).max(1000), rows: z.number().int().min(1).max(500) }),
    response: z.object({ resized: z.literal(true) }),
  },
  [IpcChannel.TerminalClose]: { request: z.strictObject({ terminalId: TerminalId }), response: z.object({ closed: z.literal(true) }) },

  [IpcChannel.ViewerStart]: { request: z.strictObject({ endpointId: Id }), response: z.object({ viewerId: ViewerId, endpointId: Id }) },
  [IpcChannel.ViewerStop]: { request: z.strictObject({ viewerId: ViewerId }), response: z.object({ stopped: z.literal(true) }) },

  /** Runs a saved script on one or many endpoints; each endpoint is pre-checked with its tenant's context. */
  [IpcChannel.ScriptsRun]: {
    request: z.strictObject({ scriptId: Id, endpointIds: EndpointIds }),
    response: z.object({
      runs: z.array(
        z.object({
          endpointId: Id,
          status: z.enum(['dispatched', 'blocked', 'failed']),
          runId: z.string().nullable(),
          block: PolicyBlock.nullable(),
          error: IpcError.nullable(),
        }),
      ),
    }),
  },
  [IpcChannel.SchedulesCreate]: {
    request: z.strictObject({
      scriptId: Id,
      endpointIds: EndpointIds,
      /** Five-field cron expression, evaluated by the server in UTC. */
      cron: z.string().trim().min(9).max(120),
      name: z.string().trim().min(1).max(120).optional(),
    }),
    response: Verdict,
  },

  /** Opens an allow-listed https link in the system browser (see main/security/external-links.ts). */
  [IpcChannel.ExternalOpen]: { request: z.strictObject({ url: z.string().max(2048) }), response: z.object({ opened: z.boolean() }) },
} as const satisfies Record<(typeof IpcChannel)[keyof typeof IpcChannel], { request: z.ZodType; response: z.ZodType }>;

export type IpcContract = typeof IPC_CONTRACT;
export type IpcRequest<C extends keyof IpcContract> = z.input<IpcContract[C]['request']>;
export type IpcResponse<C extends keyof IpcContract> = z.output<IpcContract[C]['response']>;

// ---------- events (main → renderer) ----------

export const SignedOutReason = z.enum([
  'signed_out',
  'session_revoked',
  'session_expired',
  'tenant_blocked',
  'refresh_token_reused',
  'invalid_token',
  'unauthenticated',
]);

export const IPC_EVENT_CONTRACT = {
  /** The session ended; the renderer returns to sign-in and shows `message`. */
  [IpcEvent.SignedOut]: z.object({ reason: SignedOutReason, message: z.string() }),
  [IpcEvent.TerminalOutput]: z.object({ terminalId: TerminalId, data: z.string() }),
  [IpcEvent.TerminalClosed]: z.object({ terminalId: TerminalId, reason: z.string().nullable(), exitCode: z.number().int().nullable() }),
  [IpcEvent.TerminalMode]: z.object({ terminalId: TerminalId, mode: TerminalModeName, message: z.string() }),
  /** A refusal that arrived on its own (e.g. the server refused a line it had accepted for checking). */
  [IpcEvent.PolicyBlock]: z.object({ terminalId: TerminalId.nullable(), block: PolicyBlock }),
  [IpcEvent.ViewerFrame]: z.object({
    viewerId: ViewerId,
    mime: z.enum(['image/png', 'image/jpeg', 'image/webp']),
    width: z.number().int().min(1),
    height: z.number().int().min(1),
    /** Base64 of the image bytes (draw via a data: URL, allowed by the CSP's img-src). */
    data: z.string(),
  }),
  [IpcEvent.ScriptRunProgress]: z.object({
    runId: z.string(),
    endpointId: Id,
    status: z.enum(['queued', 'running', 'succeeded', 'failed', 'blocked']),
    output: z.string().optional(),
    exitCode: z.number().int().nullable().optional(),
  }),
} as const satisfies Record<(typeof IpcEvent)[keyof typeof IpcEvent], z.ZodType>;

export type IpcEventContract = typeof IPC_EVENT_CONTRACT;
export type IpcEventPayload<E extends keyof IpcEventContract> = z.output<IpcEventContract[E]>;

/** Every answer crosses as a result, so the renderer gets the code and fields (thrown errors lose them). */
export type IpcResult<T> = { ok: true; value: T } | { ok: false; error: IpcError };
