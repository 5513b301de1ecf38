/**
 * The one list of IPC channels between the renderer (through the preload) and main.
 * Main refuses any channel not listed here (see main/ipc/validated-ipc.ts). Names are `area:action`.
 * Extend this list; never rename a channel (the renderer and the browser host code against it).
 */
export const IpcChannel = {
  AppInfo: 'app:info',

  PrefsGetServerUrl: 'prefs:get-server-url',
  PrefsSetServerUrl: 'prefs:set-server-url',

  /** First run: does the server need its first platform admin, and can this console create it? */
  SetupStatus: 'setup:status',
  /** Creates the first platform admin; main adds the launcher's one-time token (it never crosses IPC). */
  SetupCreateFirstAdmin: 'setup:create-first-admin',

  AuthSignIn: 'auth:sign-in',
  AuthStartEnrollment: 'auth:start-enrollment',
  AuthVerifyCode: 'auth:verify-code',
  AuthResume: 'auth:resume',
  AuthSignOut: 'auth:sign-out',
  AuthMe: 'auth:me',
  AuthStepUp: 'auth:step-up',

  /** Generic admin-API call, restricted to the route names in shared/ipc/api-routes.ts. */
  ApiCall: 'api:call',
  /** A file from an export route (CSV/JSONL), restricted to CONSOLE_DOWNLOAD_ROUTES; bounded in size. */
  ApiDownload: 'api:download',

  PolicyCheck: 'policy:check',

  TerminalOpen: 'terminal:open',
  TerminalSendLine: 'terminal:send-line',
  TerminalInput: 'terminal:input',
  /** Asks the server for raw (keystroke) or line mode; raw is granted only with active extended trust. */
  TerminalSetMode: 'terminal:set-mode',
  /** Keystrokes as typed; refused unless the server has put this terminal in raw mode. */
  TerminalRawInput: 'terminal:raw-input',
  TerminalResize: 'terminal:resize',
  TerminalClose: 'terminal:close',

  ViewerStart: 'viewer:start',
  ViewerStop: 'viewer:stop',

  ScriptsRun: 'scripts:run',
  SchedulesCreate: 'schedules:create',

  ExternalOpen: 'external:open',
} as const;

export type IpcChannelName = (typeof IpcChannel)[keyof typeof IpcChannel];
export const IPC_CHANNELS: readonly IpcChannelName[] = Object.values(IpcChannel);

/** Main → renderer notifications. The preload strips the IPC event and passes only the validated payload. */
export const IpcEvent = {
  SignedOut: 'event:signed-out',
  TerminalOutput: 'event:terminal-output',
  TerminalClosed: 'event:terminal-closed',
  /** The server says which mode a terminal is in now (e.g. raw granted, or back to line mode when trust ended). */
  TerminalMode: 'event:terminal-mode',
  PolicyBlock: 'event:policy-block',
  ViewerFrame: 'event:viewer-frame',
  ScriptRunProgress: 'event:script-run-progress',
} as const;

export type IpcEventName = (typeof IpcEvent)[keyof typeof IpcEvent];
export const IPC_EVENTS: readonly IpcEventName[] = Object.values(IpcEvent);

export function isIpcChannel(value: unknown): value is IpcChannelName {
  return typeof value === 'string' && (IPC_CHANNELS as readonly string[]).includes(value);
}

export function isIpcEvent(value: unknown): value is IpcEventName {
  return typeof value === 'string' && (IPC_EVENTS as readonly string[]).includes(value);
}
