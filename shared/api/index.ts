/** The typed contract of the admin API, shared by the server (which enforces it) and the console. */
export * from './common';
export * from './roles';
export * from './auth';
export * from './sessions';
export * from './tenants';
export * from './users';
export * from './api-keys';
export * from './audit';
export * from './routes';
export * from './openapi';
export * from './client';
