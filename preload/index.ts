/**
 * The preload exposes named actions only — never ipcRenderer itself — built from the shared
 * method → channel table, so the page cannot pick a channel. Event listeners receive the
 * payload alone: the IPC event (and its `sender`) never reaches the page.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { createBulwarkApi } from '../shared/ipc/bulwark-api';

const bulwark = createBulwarkApi({
  invoke: (channel, payload) => ipcRenderer.invoke(channel, payload),
  subscribe: (event, listener) => {
    const withoutEvent = (_event: IpcRendererEvent, payload: unknown) => listener(payload);
    ipcRenderer.on(event, withoutEvent);
    return () => {
      ipcRenderer.removeListener(event, withoutEvent);
    };
  },
});

contextBridge.exposeInMainWorld('bulwark', bulwark);
