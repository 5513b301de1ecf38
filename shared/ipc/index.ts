/** The IPC contract between the console's renderer and its main process (Electron or the browser host). */
export * from './channels';
export * from './schemas';
export * from './api-routes';
export * from './server-url';
export * from './bulwark-api';
