import { z } from 'zod';
import { ErrorBody } from './common';
import { FileDownloadResponse } from './download';
import type { RouteContract } from './routes';

/** Builds the OpenAPI 3.1 document of a route table from the very zod schemas that validate it. */
export function buildOpenApiDocument(routes: Record<string, RouteContract>, info: { title: string; version: string }) {
  const paths: Record<string, Record<string, unknown>> = {};
  const toSchema = (schema: z.ZodType, io: 'input' | 'output') =>
    z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' });
  const errorResponse = { content: { 'application/json': { schema: toSchema(ErrorBody, 'output') } } };

  for (const [name, contract] of Object.entries(routes)) {
    const openApiPath = contract.path.replace(/:([A-Za-z]+)/g, '{$1}');
    const parameters: unknown[] = [];
    for (const [location, schema] of [
      ['path', contract.params],
      ['query', contract.query],
    ] as const) {
      if (!schema) continue;
      const json = toSchema(schema, 'input') as { properties?: Record<string, unknown>; required?: string[] };
      for (const [param, paramSchema] of Object.entries(json.properties ?? {})) {
        parameters.push({
          name: param,
          in: location,
          required: location === 'path' || (json.required ?? []).includes(param),
          schema: paramSchema,
        });
      }
    }
    const access = contract.access;
    const operation: Record<string, unknown> = {
      operationId: name,
      summary: contract.summary,
      parameters,
      responses: {
        [String(contract.successStatus)]:
          contract.response === FileDownloadResponse
            ? {
                description: 'A file (attachment): CSV or JSON Lines, as the route says',
                content: {
                  'text/csv': { schema: { type: 'string' } },
                  'application/x-ndjson': { schema: { type: 'string' } },
                },
              }
            : { description: 'Success', content: { 'application/json': { schema: toSchema(contract.response, 'output') } } },
        '4XX': { description: 'Refused; see `error.code`', ...errorResponse },
      },
      security: access.kind === 'public' ? [] : [{ bearer: [] }],
      'x-bulwark-access':
        access.kind === 'public' ? 'public' : { roles: access.roles, apiKeys: access.apiKeys, stepUp: access.stepUp ?? null },
    };
    if (contract.body) {
      operation.requestBody = {
        required: !contract.body.safeParse(undefined).success,
        content: { 'application/json': { schema: toSchema(contract.body, 'input') } },
      };
    }
    paths[openApiPath] ??= {};
    paths[openApiPath][contract.method.toLowerCase()] = operation;
  }
  return {
    openapi: '3.1.0',
    info,
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'Session access token or API key' },
      },
    },
    paths,
  };
}
