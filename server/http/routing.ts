import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { ErrorCode } from '../../shared/api/common';
import { FileDownload } from '../../shared/api/download';
import type { RouteContract } from '../../shared/api/routes';
import type { ServerContext } from '../context';
import { ApiError, errors } from '../errors';
import { authenticateApiKey, normalizeIp } from '../identity/api-keys';
import type { Principal, RequestMeta } from '../identity/principal';
import { authenticateAccessToken, requireStepUp } from '../identity/sessions';
import { TOKEN_PREFIX } from '../crypto/tokens';

type Parsed<R, K extends string> = R extends { [P in K]: infer S } ? (S extends z.ZodType ? z.output<S> : undefined) : undefined;

export interface HandlerInput<R extends RouteContract> {
  body: Parsed<R, 'body'>;
  params: Parsed<R, 'params'>;
  query: Parsed<R, 'query'>;
  principal: R['access'] extends { kind: 'public' } ? null : Principal;
  meta: RequestMeta;
}

export type RouteHandler<R extends RouteContract> = (input: HandlerInput<R>) => Promise<z.input<R['response']>>;

export type HandlerMap<Api extends Record<string, RouteContract>> = { [K in keyof Api]: RouteHandler<Api[K]> };

export function requestMeta(request: FastifyRequest): RequestMeta {
  const userAgent = request.headers['user-agent'];
  return { ip: normalizeIp(request.ip), userAgent: typeof userAgent === 'string' ? userAgent.slice(0, 254) : null };
}

/** Resolves the bearer credential (session access token or API key) to a principal, or refuses. */
export async function authenticate(ctx: ServerContext, request: FastifyRequest): Promise<Principal> {
  const header = request.headers.authorization;
  const match = typeof header === 'string' ? /^Bearer ([A-Za-z0-9_-]{1,200})$/.exec(header) : null;
  const token = match?.[1];
  if (!token) throw new ApiError(401, ErrorCode.unauthenticated, 'Sign in to continue', undefined, { 'WWW-Authenticate': 'Bearer' });
  const meta = requestMeta(request);
  if (token.startsWith(TOKEN_PREFIX.access)) return authenticateAccessToken(ctx, token, meta);
  if (token.startsWith(TOKEN_PREFIX.apiKey)) return authenticateApiKey(ctx, token, meta);
  throw new ApiError(401, ErrorCode.unauthenticated, 'Sign in to continue', undefined, { 'WWW-Authenticate': 'Bearer' });
}

function zodFields(error: z.ZodError, source: 'body' | 'params' | 'query', into: Record<string, string>) {
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) into[fieldKey(source, [...issue.path, key])] = 'Unknown field';
      continue;
    }
    const key = fieldKey(source, issue.path);
    if (source === 'body' && issue.path.length === 0 && issue.code === 'invalid_type') {
      into[key] = 'Send a JSON object as the body';
      continue;
    }
    into[key] ??= issue.message;
  }
}

function fieldKey(source: string, path: readonly PropertyKey[]): string {
  const dotted = path.map(String).join('.');
  if (source === 'body') return dotted || 'body';
  return dotted ? `${source}.${dotted}` : source;
}

/**
 * Registers one route of a contract. The order is fixed: authenticate (401), check the role
 * (403), validate every input (400, per field), check step-up (403 `step_up_required`),
 * run the handler, and send only what the response schema lists.
 */
export function registerContractRoute<R extends RouteContract>(
  app: FastifyInstance,
  ctx: ServerContext,
  contract: R,
  handler: RouteHandler<R>,
) {
  const access = contract.access;
  if (!access || (access.kind !== 'public' && (access.kind !== 'authenticated' || access.roles.length === 0))) {
    throw new Error(`route ${contract.method} ${contract.path} does not declare who may call it`);
  }
  app.route({
    method: contract.method,
    url: contract.path,
    handler: async (request, reply) => {
      let principal: Principal | null = null;
      if (access.kind === 'authenticated') {
        principal = await authenticate(ctx, request);
        if (principal.kind === 'api_key' && !access.apiKeys) throw errors.forbidden('API keys cannot use this route');
        if (!access.roles.includes(principal.role)) throw errors.forbidden();
      }
      const fields: Record<string, string> = {};
      const parse = (schema: z.ZodType | undefined, value: unknown, source: 'body' | 'params' | 'query') => {
        if (!schema) {
          const empty = value === undefined || value === null || (typeof value === 'object' && Object.keys(value).length === 0);
          if (!empty) fields[source] = source === 'body' ? 'This route takes no body' : 'This route takes no parameters here';
          return undefined;
        }
        const result = schema.safeParse(value);
        if (result.success) return result.data;
        zodFields(result.error, source, fields);
        return undefined;
      };
      const params = parse(contract.params, request.params, 'params');
      const query = parse(contract.query, request.query, 'query');
      const body = parse(contract.body, request.body, 'body');
      if (Object.keys(fields).length > 0) throw errors.validation(fields);
      if (access.kind === 'authenticated' && access.stepUp && principal) await requireStepUp(ctx, principal, access.stepUp);

      const result = await handler({ body, params, query, principal, meta: requestMeta(request) } as HandlerInput<R>);
      // Parsing the response strips any field the schema does not list: a safety net against leaks.
      const output = contract.response.parse(result);
      if (output instanceof FileDownload) {
        // A file (e.g. an audit export): sent as an attachment, streamed when the body is.
        reply.code(contract.successStatus).type(output.contentType);
        reply.header('Content-Disposition', `attachment; filename="${output.filename}"`);
        return reply.send(typeof output.body === 'string' ? output.body : Readable.from(output.body));
      }
      return reply.code(contract.successStatus).send(output);
    },
  });
}
