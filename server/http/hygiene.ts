import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ErrorCode, type ErrorBody } from '../../shared/api/common';
import { ApiError } from '../errors';
import type { Logger } from '../logging/logger';

/**
 * What every Bulwark listener does regardless of its routes: security headers on every
 * response, uniform error bodies without stack traces, JSON-only bodies, robots.txt.
 */
export function applyHttpHygiene(app: FastifyInstance, options: { tls: boolean; bodyLimitBytes: number; logger: Logger }) {
  // JSON only: fastify also parses text/plain by default, which no route needs.
  app.removeContentTypeParser('text/plain');
  // Fastify's own JSON parser (prototype-poisoning checks included), except that an empty body
  // counts as no body, so a DELETE or logout sent with a JSON content type but nothing in it works.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') {
      done(null, undefined);
      return;
    }
    void parseJson(request, text, done);
  });

  app.addHook('onSend', async (_request, reply, payload) => {
    reply.header('Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'");
    reply.header('X-Content-Type-Options', 'nosniff');
    reply.header('Referrer-Policy', 'no-referrer');
    reply.header('X-Frame-Options', 'DENY');
    reply.header('Cross-Origin-Resource-Policy', 'same-origin');
    reply.header('Cross-Origin-Opener-Policy', 'same-origin');
    // API answers carry identities and tokens: no cache (browser, proxy or disk) may keep them.
    if (!reply.hasHeader('Cache-Control')) reply.header('Cache-Control', 'no-store');
    if (options.tls) reply.header('Strict-Transport-Security', 'max-age=63072000; includeSubDomains');
    return payload;
  });

  app.get('/robots.txt', async (_request, reply) => {
    reply.header('Cache-Control', 'public, max-age=86400').type('text/plain; charset=utf-8');
    return 'User-agent: *\nDisallow: /\n';
  });

  app.setNotFoundHandler(async (request, reply) => {
    sendError(reply, 404, { code: ErrorCode.notFound, message: `No route ${request.method} ${request.url.split('?')[0]}` });
  });

  app.setErrorHandler(async (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    if (error instanceof ApiError) {
      for (const [name, value] of Object.entries(error.headers ?? {})) reply.header(name, value);
      return sendError(reply, error.status, { code: error.code, message: error.message, fields: error.fields, reasons: error.reasons });
    }
    const known = mapFrameworkError(error, options.bodyLimitBytes);
    if (known) return sendError(reply, known.status, known.body);
    options.logger.error({ err: error, req: request }, 'unhandled error while serving a request');
    return sendError(reply, 500, {
      code: ErrorCode.internal,
      message: `Something went wrong on the server; it has been logged (reference ${request.id})`,
    });
  });
}

export function sendError(reply: FastifyReply, status: number, error: ErrorBody['error']) {
  const body: ErrorBody = { error: { code: error.code, message: error.message } };
  if (error.fields && Object.keys(error.fields).length > 0) body.error.fields = error.fields;
  if (error.reasons) body.error.reasons = error.reasons;
  return reply.code(status).type('application/json; charset=utf-8').send(body);
}

function mapFrameworkError(error: FastifyError, bodyLimitBytes: number): { status: number; body: ErrorBody['error'] } | null {
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON':
      return { status: 400, body: { code: ErrorCode.malformedBody, message: 'The body is not valid JSON' } };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { status: 400, body: { code: ErrorCode.malformedBody, message: 'The body is empty; send a JSON object' } };
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return {
        status: 413,
        body: { code: ErrorCode.bodyTooLarge, message: `The body is larger than the limit of ${bodyLimitBytes} bytes` },
      };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return {
        status: 415,
        body: { code: ErrorCode.unsupportedMediaType, message: 'Send the body as JSON (Content-Type: application/json)' },
      };
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return { status: 400, body: { code: ErrorCode.malformedBody, message: 'The Content-Length does not match the body' } };
  }
  if (error instanceof SyntaxError || (/prototype|constructor/i.test(error.message) && error.statusCode === 400)) {
    return { status: 400, body: { code: ErrorCode.malformedBody, message: 'The body is not acceptable JSON' } };
  }
  if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
    return { status: error.statusCode, body: { code: 'bad_request', message: error.message } };
  }
  return null;
}
