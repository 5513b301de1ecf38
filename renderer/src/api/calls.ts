/**
 * The renderer's way to the server: always through main (window.bulwark or the browser-host
 * bridge), never directly. Only routes listed in CONSOLE_API_ROUTES, typed by their contract
 * (main validates the input and parses the answer with the route's own schemas).
 */
import { getBulwark } from '../bridge/index';
import type { ConsoleRouteName, RouteInput, RouteOutput } from '../../../shared/ipc/api-routes';
import type { IpcError, IpcResult } from '../../../shared/ipc/schemas';

export type Result<T> = IpcResult<T>;

export function callRoute<N extends ConsoleRouteName>(route: N, input: RouteInput<N>): Promise<Result<RouteOutput<N>>> {
  return guard(() => getBulwark().api.call(route, input));
}

/** Every call resolves: a thrown error (bridge gone, bug) becomes a result with a message. */
export async function guard<T>(call: () => Promise<Result<T>>): Promise<Result<T>> {
  try {
    return await call();
  } catch (cause) {
    return {
      ok: false,
      error: { code: 'console_internal_error', message: cause instanceof Error ? cause.message : 'Something went wrong in the console.' },
    };
  }
}

/** A message a person can act on, by error code. */
export function describeError(error: IpcError): string {
  switch (error.code) {
    case 'server_unreachable':
      return `${sentence(error.message)} Check the address and your network, then try again.`;
    case 'forbidden':
      return `${sentence(error.message)} Ask an administrator if you need this.`;
    case 'unavailable':
      return 'This is not available on this server yet.';
    default:
      return error.message;
  }
}

/** Ends a message with a full stop before more text follows it. */
function sentence(message: string): string {
  return /[.!?…]$/.test(message.trim()) ? message.trim() : `${message.trim()}.`;
}
