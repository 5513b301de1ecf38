/** The typed contract of the admin API, shared by the server (which enforces it) and the console. */
export * from './common';
export * from './roles';
export * from './auth';
export * from './sessions';
export * from './tenants';
export * from './users';
export * from './api-keys';
export * from './audit';
export * from './controls';
export * from './enroll-tokens';
export * from './endpoints';
export * from './scripts';
export * from './remote-sessions';
export * from './terminal-protocol';
export * from './routes';
export * from './openapi';
export * from './client';
