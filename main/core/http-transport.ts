/** The admin API over fetch, for shared/api/client.ts. Only main ever talks to the server. */
import type { ReadableStream, ReadableStreamReadResult } from 'node:stream/web';
import type { ApiTransport } from '../../shared/api/client';
import { ConsoleErrorCode } from '../../shared/ipc/schemas';
import { ConsoleFailure } from './failure';

export class ServerUnreachableError extends Error {
  constructor(readonly origin: string) {
    super(`Cannot reach the server at ${origin}; check the address and your network`);
    this.name = 'ServerUnreachableError';
  }
}

/** Largest answer main reads from the server (bytes): exports are the big ones, and they are bounded too. */
export const MAX_RESPONSE_BYTES = 32 * 1024 * 1024;

/** Reads the body as UTF-8 text, refusing (and cancelling the download) beyond `maxBytes`. */
async function readBounded(response: Response, maxBytes: number): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel();
    throw tooLarge(maxBytes);
  }
  if (!response.body) return '';
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let received = 0;
  let text = '';
  for (;;) {
    const chunk: ReadableStreamReadResult<Uint8Array> = await reader.read();
    if (chunk.done) break;
    const value = chunk.value;
    received += value.byteLength;
    if (received > maxBytes) {
      await reader.cancel();
      throw tooLarge(maxBytes);
    }
    text += decoder.decode(value, { stream: true });
  }
  return text + decoder.decode();
}

function tooLarge(maxBytes: number): ConsoleFailure {
  return new ConsoleFailure(
    ConsoleErrorCode.downloadTooLarge,
    `The server's answer is larger than the console accepts (${Math.round(maxBytes / 1024 / 1024)} MiB); narrow the filters`,
  );
}

export function createFetchTransport(
  origin: string,
  fetchImpl: typeof fetch = fetch,
  timeoutMs = 15_000,
  maxBytes = MAX_RESPONSE_BYTES,
): ApiTransport {
  return async ({ method, path, headers, body }) => {
    let response: Response;
    let text: string;
    try {
      response = await fetchImpl(new URL(path, origin), {
        method,
        headers,
        body,
        redirect: 'error',
        signal: AbortSignal.timeout(timeoutMs),
      });
      text = await readBounded(response, maxBytes);
    } catch (error) {
      if (error instanceof ConsoleFailure) throw error;
      throw new ServerUnreachableError(origin);
    }
    const type = response.headers.get('content-type') ?? '';
    if (type.includes('application/json')) {
      try {
        return { status: response.status, body: JSON.parse(text) as unknown };
      } catch {
        return { status: response.status, body: null };
      }
    }
    // Exports (CSV, JSONL) arrive as text.
    return { status: response.status, body: text };
  };
}
