/** The server <-> agent protocol (version 1): message schemas, signed orders, policy wire types. */
export * from './messages';
export * from './signing';
export * from './sessions';
export * from './policy-wire';
export * from './enroll';
