/**
 * The one validated entry point for renderer → main calls (after VS Code's validatedIpcMain),
 * Electron-free so the browser host uses the very same gate. A call is refused unless:
 * its channel is in the shared allowlist, its sender is the app's own origin AND the main
 * frame, and its payload passes the channel's zod schema. Refusals are logged with the
 * channel and the reason only — never the payload. Answers are parsed with the channel's
 * response schema, so nothing undeclared (a token, say) can cross.
 */
import { z } from 'zod';
import { ApiCallError } from '../../shared/api/client';
import { isIpcChannel, type IpcChannelName } from '../../shared/ipc/channels';
import { ConsoleErrorCode, IPC_CONTRACT, type IpcContract, type IpcError, type IpcResult } from '../../shared/ipc/schemas';
import { ConsoleFailure } from '../core/failure';
import { ServerUnreachableError } from '../core/http-transport';
import type { ConsoleLogger } from '../core/logger';
import { SessionEndedError } from '../core/server-session';

/** Who sent a call: the frame's URL and whether it is the window's main frame. */
export interface IpcSender {
  url: string | null;
  isMainFrame: boolean;
}

export type IpcHandlers = {
  [C in IpcChannelName]: (
    request: z.output<IpcContract[C]['request']>,
  ) => Promise<z.input<IpcContract[C]['response']>> | z.input<IpcContract[C]['response']>;
};

export interface IpcGateOptions {
  /** The only origin allowed to call (app://console in Electron; the host's own origin in the browser). */
  appOrigin: string;
  handlers: IpcHandlers;
  log: ConsoleLogger;
}

export interface IpcGate {
  dispatch(channel: unknown, sender: IpcSender, payload: unknown): Promise<IpcResult<unknown>>;
}

function refused(message: string): IpcResult<never> {
  return { ok: false, error: { code: ConsoleErrorCode.ipcRefused, message } };
}

export function originOf(url: string | null): string | null {
  if (!url) return null;
  try {
    const parsed = new URL(url);
    // Custom schemes (app://console) have an opaque `origin` in WHATWG URL: rebuild it.
    return parsed.origin !== 'null' ? parsed.origin : `${parsed.protocol}//${parsed.host}`;
  } catch {
    return null;
  }
}

export function createIpcGate(options: IpcGateOptions): IpcGate {
  const { appOrigin, handlers, log } = options;
  return {
    async dispatch(channel, sender, payload) {
      if (!isIpcChannel(channel)) {
        log.warn('IPC refused: unknown channel', { channel: typeof channel === 'string' ? channel.slice(0, 64) : typeof channel });
        return refused('Unknown action');
      }
      const senderOrigin = originOf(sender.url);
      if (senderOrigin !== appOrigin || !sender.isMainFrame) {
        log.warn('IPC refused: foreign sender', { channel, senderOrigin: senderOrigin ?? 'none', mainFrame: sender.isMainFrame });
        return refused('This action is only available to the console window');
      }
      const contract = IPC_CONTRACT[channel];
      const request = contract.request.safeParse(payload ?? undefined);
      if (!request.success) {
        const fields = fieldMessages(request.error);
        log.warn('IPC refused: invalid payload', { channel, paths: Object.keys(fields).join(',') });
        return { ok: false, error: { code: ConsoleErrorCode.invalidRequest, message: 'Some fields are not valid', fields } };
      }
      try {
        const handler = handlers[channel] as (request: unknown) => unknown;
        const value = await handler(request.data);
        const response = contract.response.safeParse(value);
        if (!response.success) {
          log.warn('IPC answer did not match its schema; withheld', { channel });
          return { ok: false, error: { code: ConsoleErrorCode.internal, message: 'The console could not complete this action' } };
        }
        return { ok: true, value: response.data };
      } catch (error) {
        return { ok: false, error: toIpcError(error, channel, log) };
      }
    },
  };
}

export function fieldMessages(error: z.ZodError): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const issue of error.issues) {
    const key = issue.path.map(String).join('.') || '_';
    fields[key] ??= issue.message;
  }
  return fields;
}

/** Maps anything a handler throws to what the renderer may see: code, message, fields. */
export function toIpcError(error: unknown, channel: string, log: ConsoleLogger): IpcError {
  if (error instanceof ConsoleFailure)
    return { code: error.code, message: error.message, ...(error.fields ? { fields: error.fields } : {}) };
  if (error instanceof ApiCallError) {
    return { code: error.code, message: error.message, ...(Object.keys(error.fields).length > 0 ? { fields: error.fields } : {}) };
  }
  if (error instanceof SessionEndedError) return { code: error.end.reason, message: error.end.message };
  if (error instanceof ServerUnreachableError) return { code: ConsoleErrorCode.serverUnreachable, message: error.message };
  if (error instanceof z.ZodError) {
    // A server answer that does not match the contract (version mismatch).
    log.warn('server answer did not match the API contract', { channel });
    return { code: 'unexpected_response', message: 'The server answered in an unexpected format; is it the same Bulwark version?' };
  }
  log.warn('IPC handler failed', { channel, error: error instanceof Error ? error.name : typeof error });
  return { code: ConsoleErrorCode.internal, message: 'The console could not complete this action' };
}
