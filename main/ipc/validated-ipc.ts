/**
 * Electron's side of the validated IPC entry point: every allow-listed channel is registered
 * once, and each call goes through the gate with its sender frame (origin + main frame).
 * Channels outside the allowlist have no handler, so Electron refuses them before main runs.
 */
import { ipcMain, type IpcMainInvokeEvent } from 'electron';
import { IPC_CHANNELS } from '../../shared/ipc/channels';
import type { IpcGate, IpcSender } from './ipc-gate';

export function senderOf(event: Pick<IpcMainInvokeEvent, 'senderFrame' | 'sender'>): IpcSender {
  const frame = event.senderFrame;
  if (!frame) return { url: null, isMainFrame: false };
  const main = event.sender.mainFrame;
  const isMainFrame = frame.parent === null && frame.processId === main.processId && frame.routingId === main.routingId;
  return { url: frame.url, isMainFrame };
}

/** Registers the gate for every channel; returns a function that removes the handlers. */
export function registerValidatedIpc(gate: IpcGate): () => void {
  for (const channel of IPC_CHANNELS) {
    ipcMain.handle(channel, (event, payload: unknown) => gate.dispatch(channel, senderOf(event), payload));
  }
  return () => {
    for (const channel of IPC_CHANNELS) ipcMain.removeHandler(channel);
  };
}
