/**
 * The preload exposes named actions only — never ipcRenderer itself — and never passes the
 * IPC event to the page.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { IpcChannel, type AppInfo } from '../shared/ipc/channels';

const bulwark = {
  appInfo: (): Promise<AppInfo | null> => ipcRenderer.invoke(IpcChannel.AppInfo) as Promise<AppInfo | null>,
};

export type BulwarkApi = typeof bulwark;

contextBridge.exposeInMainWorld('bulwark', bulwark);
