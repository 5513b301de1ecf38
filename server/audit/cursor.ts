import { errors } from '../errors';

/**
 * Keyset paging: a cursor is the (time, insertion order[, source]) of the last item of a page,
 * encoded so clients treat it as opaque. Lists order newest first and continue strictly below it.
 */
export interface KeysetPosition {
  at: Date;
  seq: string;
  source?: string;
}

export function encodeCursor(position: { at: Date | string; seq: string | number | bigint; source?: string }): string {
  const at = new Date(position.at).toISOString();
  const parts: string[] = [at, String(position.seq)];
  if (position.source) parts.push(position.source);
  return Buffer.from(JSON.stringify(parts), 'utf8').toString('base64url');
}

/** Decodes a cursor from a client; anything that is not one of ours is a 400 on `query.cursor`. */
export function decodeCursor(cursor: string, options: { withSource?: boolean } = {}): KeysetPosition {
  const invalid = () => errors.validation({ 'query.cursor': 'Not a cursor from this list; use the nextCursor of the previous page' });
  let parts: unknown;
  try {
    parts = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (!Array.isArray(parts) || parts.length !== (options.withSource ? 3 : 2)) throw invalid();
  const [at, seq, source] = parts as unknown[];
  if (typeof at !== 'string' || typeof seq !== 'string' || !/^\d{1,19}$/.test(seq)) throw invalid();
  const date = new Date(at);
  if (Number.isNaN(date.getTime()) || date.toISOString() !== at) throw invalid();
  if (options.withSource && (typeof source !== 'string' || !/^[a-z]{1,16}$/.test(source))) throw invalid();
  return { at: date, seq, ...(options.withSource ? { source: source as string } : {}) };
}

/** A LIKE pattern matching `text` literally anywhere: %, _ and the escape character lose their meaning. */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
}
