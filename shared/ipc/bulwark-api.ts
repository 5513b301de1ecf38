/**
 * `BulwarkApi`: what the preload exposes as `window.bulwark` and what the browser-host adapter
 * implements. Both are built by `createBulwarkApi` from the same method → channel table, so
 * they cannot drift. Zod-free on purpose (the sandboxed preload bundle stays small); main
 * validates every request and response.
 */
import type { ConsoleDownloadRouteName, ConsoleRouteName, DownloadInput, RouteInput, RouteOutput } from './api-routes';
import { IpcChannel, IpcEvent, type IpcChannelName, type IpcEventName } from './channels';
import type { IpcError, IpcEventPayload, IpcRequest, IpcResponse, IpcResult } from './schemas';

type Call<C extends IpcChannelName> =
  undefined extends IpcRequest<C>
    ? () => Promise<IpcResult<IpcResponse<C>>>
    : (request: IpcRequest<C>) => Promise<IpcResult<IpcResponse<C>>>;
type Subscribe<E extends IpcEventName> = (listener: (payload: IpcEventPayload<E>) => void) => () => void;

export interface BulwarkApi {
  app: { info: Call<typeof IpcChannel.AppInfo> };
  prefs: { getServerUrl: Call<typeof IpcChannel.PrefsGetServerUrl>; setServerUrl: Call<typeof IpcChannel.PrefsSetServerUrl> };
  setup: { status: Call<typeof IpcChannel.SetupStatus>; createFirstAdmin: Call<typeof IpcChannel.SetupCreateFirstAdmin> };
  auth: {
    signIn: Call<typeof IpcChannel.AuthSignIn>;
    startEnrollment: Call<typeof IpcChannel.AuthStartEnrollment>;
    verifyCode: Call<typeof IpcChannel.AuthVerifyCode>;
    resume: Call<typeof IpcChannel.AuthResume>;
    signOut: Call<typeof IpcChannel.AuthSignOut>;
    me: Call<typeof IpcChannel.AuthMe>;
    stepUp: Call<typeof IpcChannel.AuthStepUp>;
  };
  /** Admin-API routes listed in CONSOLE_API_ROUTES, typed by the route's own contract. */
  api: {
    call: <N extends ConsoleRouteName>(route: N, input: RouteInput<N>) => Promise<IpcResult<RouteOutput<N>>>;
    /** An export file (listed in CONSOLE_DOWNLOAD_ROUTES) as text, for the renderer to save. */
    download: <N extends ConsoleDownloadRouteName>(
      route: N,
      input: DownloadInput<N>,
    ) => Promise<IpcResult<IpcResponse<typeof IpcChannel.ApiDownload>>>;
  };
  policy: { check: Call<typeof IpcChannel.PolicyCheck> };
  terminal: {
    open: Call<typeof IpcChannel.TerminalOpen>;
    sendLine: Call<typeof IpcChannel.TerminalSendLine>;
    input: Call<typeof IpcChannel.TerminalInput>;
    setMode: Call<typeof IpcChannel.TerminalSetMode>;
    rawInput: Call<typeof IpcChannel.TerminalRawInput>;
    resize: Call<typeof IpcChannel.TerminalResize>;
    close: Call<typeof IpcChannel.TerminalClose>;
  };
  viewer: { start: Call<typeof IpcChannel.ViewerStart>; stop: Call<typeof IpcChannel.ViewerStop> };
  scripts: { run: Call<typeof IpcChannel.ScriptsRun> };
  schedules: { create: Call<typeof IpcChannel.SchedulesCreate> };
  external: { open: Call<typeof IpcChannel.ExternalOpen> };
  events: {
    onSignedOut: Subscribe<typeof IpcEvent.SignedOut>;
    onTerminalOutput: Subscribe<typeof IpcEvent.TerminalOutput>;
    onTerminalClosed: Subscribe<typeof IpcEvent.TerminalClosed>;
    onTerminalMode: Subscribe<typeof IpcEvent.TerminalMode>;
    onPolicyBlock: Subscribe<typeof IpcEvent.PolicyBlock>;
    onViewerFrame: Subscribe<typeof IpcEvent.ViewerFrame>;
    onScriptRunProgress: Subscribe<typeof IpcEvent.ScriptRunProgress>;
  };
}

/** Which channel each method uses (the api.call method is special: it packs route + input). */
export const BULWARK_API_METHODS = {
  app: { info: IpcChannel.AppInfo },
  prefs: { getServerUrl: IpcChannel.PrefsGetServerUrl, setServerUrl: IpcChannel.PrefsSetServerUrl },
  setup: { status: IpcChannel.SetupStatus, createFirstAdmin: IpcChannel.SetupCreateFirstAdmin },
  auth: {
    signIn: IpcChannel.AuthSignIn,
    startEnrollment: IpcChannel.AuthStartEnrollment,
    verifyCode: IpcChannel.AuthVerifyCode,
    resume: IpcChannel.AuthResume,
    signOut: IpcChannel.AuthSignOut,
    me: IpcChannel.AuthMe,
    stepUp: IpcChannel.AuthStepUp,
  },
  policy: { check: IpcChannel.PolicyCheck },
  terminal: {
    open: IpcChannel.TerminalOpen,
    sendLine: IpcChannel.TerminalSendLine,
    input: IpcChannel.TerminalInput,
    setMode: IpcChannel.TerminalSetMode,
    rawInput: IpcChannel.TerminalRawInput,
    resize: IpcChannel.TerminalResize,
    close: IpcChannel.TerminalClose,
  },
  viewer: { start: IpcChannel.ViewerStart, stop: IpcChannel.ViewerStop },
  scripts: { run: IpcChannel.ScriptsRun },
  schedules: { create: IpcChannel.SchedulesCreate },
  external: { open: IpcChannel.ExternalOpen },
} as const satisfies { [G in Exclude<keyof BulwarkApi, 'api' | 'events'>]: { [M in keyof BulwarkApi[G]]: IpcChannelName } };

export const BULWARK_API_EVENTS = {
  onSignedOut: IpcEvent.SignedOut,
  onTerminalOutput: IpcEvent.TerminalOutput,
  onTerminalClosed: IpcEvent.TerminalClosed,
  onTerminalMode: IpcEvent.TerminalMode,
  onPolicyBlock: IpcEvent.PolicyBlock,
  onViewerFrame: IpcEvent.ViewerFrame,
  onScriptRunProgress: IpcEvent.ScriptRunProgress,
} as const satisfies { [M in keyof BulwarkApi['events']]: IpcEventName };

/** How an API implementation reaches main: Electron IPC in the preload, HTTP + server-sent events in the browser host. */
export interface BulwarkTransport {
  invoke(channel: IpcChannelName, payload: unknown): Promise<unknown>;
  /** Calls `listener` with the payload only (never a transport event object); returns an unsubscribe function. */
  subscribe(event: IpcEventName, listener: (payload: unknown) => void): () => void;
}

export function createBulwarkApi(transport: BulwarkTransport): BulwarkApi {
  const groups: Record<string, Record<string, unknown>> = {};
  for (const [group, methods] of Object.entries(BULWARK_API_METHODS)) {
    const built: Record<string, unknown> = {};
    for (const [method, channel] of Object.entries(methods)) {
      built[method] = (request?: unknown) => transport.invoke(channel, request);
    }
    groups[group] = built;
  }
  groups.api = {
    call: (route: string, input: unknown) => transport.invoke(IpcChannel.ApiCall, { route, input: input ?? {} }),
    download: (route: string, input: unknown) => transport.invoke(IpcChannel.ApiDownload, { route, input: input ?? {} }),
  };
  const events: Record<string, unknown> = {};
  for (const [method, event] of Object.entries(BULWARK_API_EVENTS)) {
    events[method] = (listener: (payload: unknown) => void) => transport.subscribe(event, (payload) => listener(payload));
  }
  groups.events = events;
  return groups as unknown as BulwarkApi;
}

/** A refused call, as an exception: `code` is the server's or the console's stable error code. */
export class BulwarkCallError extends Error {
  readonly code: string;
  readonly fields: Record<string, string>;
  constructor(error: IpcError) {
    super(error.message);
    this.name = 'BulwarkCallError';
    this.code = error.code;
    this.fields = error.fields ?? {};
  }
}

/** For callers that prefer exceptions: resolves with the value or throws BulwarkCallError. */
export async function unwrap<T>(result: Promise<IpcResult<T>> | IpcResult<T>): Promise<T> {
  const settled = await result;
  if (settled.ok) return settled.value;
  throw new BulwarkCallError(settled.error);
}
