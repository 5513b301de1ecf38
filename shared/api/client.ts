import type { z } from 'zod';
import { ErrorBody } from './common';
import type { RouteContract } from './routes';

/**
 * A typed caller for the admin API contract, independent of how bytes travel: the console's
 * main process, tests and tools inject a transport (usually a thin wrapper over fetch).
 */
export interface ApiTransport {
  (request: { method: string; path: string; headers: Record<string, string>; body?: string }): Promise<{ status: number; body: unknown }>;
}

type InputOf<R, K extends string> = R extends { [P in K]: infer S } ? (S extends z.ZodType ? z.input<S> : never) : never;

export type CallInput<R extends RouteContract> = {
  token?: string;
} & (R extends { params: z.ZodType } ? { params: InputOf<R, 'params'> } : { params?: never }) &
  (R extends { query: z.ZodType } ? { query?: InputOf<R, 'query'> } : { query?: never }) &
  (R extends { body: z.ZodType } ? { body: InputOf<R, 'body'> } : { body?: never });

/** A refusal from the server, with its stable code and per-field messages. */
export class ApiCallError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ApiCallError';
  }
}

export function buildPath(template: string, params: Record<string, unknown> = {}, query: Record<string, unknown> = {}): string {
  const path = template.replace(/:([A-Za-z]+)/g, (_match, name: string) => {
    const value = params[name];
    if (value === undefined || value === null) throw new Error(`missing path parameter "${name}"`);
    return encodeURIComponent(scalarText(value));
  });
  const pairs = Object.entries(query)
    .filter(([, value]) => value !== undefined && value !== null)
    .map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(scalarText(value))}`);
  return pairs.length > 0 ? `${path}?${pairs.join('&')}` : path;
}

function scalarText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new Error('path and query parameters must be strings, numbers or booleans');
}

/** Calls one route; resolves with the validated response or throws ApiCallError. */
export async function callApi<R extends RouteContract>(
  transport: ApiTransport,
  route: R,
  input: CallInput<R>,
): Promise<z.output<R['response']>> {
  const loose = input as { token?: string; params?: Record<string, unknown>; query?: Record<string, unknown>; body?: unknown };
  const headers: Record<string, string> = { accept: 'application/json' };
  if (loose.token) headers.authorization = `Bearer ${loose.token}`;
  let body: string | undefined;
  if (loose.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(loose.body);
  }
  const response = await transport({
    method: route.method,
    path: buildPath(route.path, loose.params, loose.query),
    headers,
    ...(body ? { body } : {}),
  });
  if (response.status !== route.successStatus) {
    const parsed = ErrorBody.safeParse(response.body);
    if (parsed.success) {
      const { code, message, fields } = parsed.data.error;
      throw new ApiCallError(response.status, code, message, fields);
    }
    throw new ApiCallError(response.status, 'unexpected_response', `Unexpected answer from the server (HTTP ${response.status})`);
  }
  return route.response.parse(response.body) as z.output<R['response']>;
}
