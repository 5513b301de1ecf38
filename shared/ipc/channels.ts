/**
 * The one list of IPC channels between the renderer (through the preload) and main.
 * Main refuses any channel not listed here (see main/ipc). Keep names `area:action`.
 */
export const IpcChannel = {
  AppInfo: 'app:info',
} as const;

export type IpcChannelName = (typeof IpcChannel)[keyof typeof IpcChannel];

export const IPC_CHANNELS: readonly IpcChannelName[] = Object.values(IpcChannel);

export interface AppInfo {
  name: string;
  version: string;
  /** Where the console runs: inside Electron, or served to a browser by the Node host. */
  host: 'electron' | 'browser';
}
