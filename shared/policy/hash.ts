/**
 * sha256 of a text's UTF-8 bytes, as lower-case hex: the identity of a script for
 * permit-by-hash. @noble/hashes is pure JS, so this runs unchanged in every process; Node
 * processes install their native implementation (node:crypto) at start with `useNativeSha256`,
 * which is several times faster on the hot path of every decision. Both give the same digest
 * for every text, lone surrogates included (encoded as U+FFFD); tests compare them.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';

/** The part of node:crypto's `createHash` this needs (shared/ cannot import node modules). */
export type Sha256Factory = (algorithm: 'sha256') => {
  update(data: string, encoding: 'utf8'): { digest(encoding: 'hex'): string };
};

export function portableSha256Hex(text: string): string {
  return bytesToHex(sha256(utf8ToBytes(text)));
}

let implementation: (text: string) => string = portableSha256Hex;

/** Called once by Node entry points with node:crypto's `createHash`. */
export function useNativeSha256(createHash: Sha256Factory): void {
  implementation = (text) => createHash('sha256').update(text, 'utf8').digest('hex');
}

export function sha256Hex(text: string): string {
  return implementation(text);
}
