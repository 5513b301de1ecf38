/**
 * sha256 of a text's UTF-8 bytes, as lower-case hex: the identity of a script for
 * permit-by-hash. @noble/hashes is pure JS, so this runs unchanged in every process.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';

export function sha256Hex(text: string): string {
  return bytesToHex(sha256(utf8ToBytes(text)));
}
