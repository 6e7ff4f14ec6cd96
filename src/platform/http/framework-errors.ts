import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, type ErrorCode } from '../errors.js';
import { sendProblem } from './problem-document.js';
import { securityHeadersFor } from './security-headers.js';

/**
 * What Fastify and Node raise before our code runs (routing, body parsing, connection errors), mapped to our own
 * problem codes with a detail a client can act on. Fastify's own `{error, message, statusCode}` never leaves.
 */

interface FrameworkProblem {
  status: number;
  code: ErrorCode;
  detail: string;
}

/** Our problem for a Fastify error, or null when it is not one of the framework's request errors. */
export function frameworkProblem(error: FastifyError, request: FastifyRequest): FrameworkProblem | null {
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE': {
      const sent = request.headers['content-type'];
      return {
        status: 415,
        code: 'unsupported_media_type',
        detail: `${sent ? `Content type "${sent}" is not accepted` : 'A body needs a content type'}: send it as application/json`,
      };
    }
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return {
        status: 413,
        code: 'payload_too_large',
        detail: `The body is larger than the ${request.routeOptions.bodyLimit} bytes this route accepts`,
      };
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return { status: 400, code: 'bad_request', detail: 'The body size does not match Content-Length' };
    case 'FST_ERR_BAD_URL':
      return { status: 400, code: 'bad_request', detail: 'The URL is not validly percent-encoded' };
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return {
        status: 414,
        code: 'uri_too_long',
        detail: 'A path segment is longer than the 100 characters any identifier here can have',
      };
    case 'FST_ERR_ASYNC_CONSTRAINT':
      return { status: 400, code: 'bad_request', detail: 'The request does not match any route constraint' };
    default:
      return null;
  }
}

/**
 * JSON bodies: an empty body with `content-type: application/json` (what curl and most clients send for a
 * body-less action such as `accept`) is no body at all; malformed JSON says where it broke. Prototype poisoning is
 * still refused by Fastify's own parser.
 */
export function registerJsonBodyParser(app: FastifyInstance): void {
  const secureParse = app.getDefaultJsonParser('error', 'error');
  // Fastify also parses text/plain by default: no route here takes text, so it is a 415 like any other type.
  app.removeContentTypeParser(['application/json', 'text/plain']);
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim().length === 0) {
      done(null, undefined);
      return;
    }
    // Called with a callback, the default parser answers through it; its return value carries nothing.
    void secureParse(request, text, (error, parsed) => {
      if (error) done(malformedJson(text), undefined);
      else done(null, parsed);
    });
  });
}

function malformedJson(text: string): AppError {
  try {
    JSON.parse(text);
  } catch (syntax) {
    return new AppError('malformed_json', `The body is not valid JSON: ${(syntax as Error).message}`);
  }
  return new AppError(
    'malformed_json',
    'The body may not contain "__proto__" or "constructor.prototype" keys',
  );
}

/** Routing and URL errors (Fastify's `frameworkErrors` option): answered like any other error. */
export function onFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const problem = frameworkProblem(error, request) ?? {
    status: 400,
    code: 'bad_request',
    detail: 'The request cannot be routed',
  };
  // Answered before routing, so no onSend hook runs: the headers every answer carries are set here.
  reply.headers({
    ...securityHeadersFor(request.server.config),
    'x-request-id': request.id,
    'cache-control': 'no-store',
  });
  void sendProblem(request, reply, problem.status, problem.code, problem.detail);
}

/**
 * Connection-level errors Node answers before any request exists (headers too large, a broken request line):
 * a problem document with our headers, written on the socket.
 */
export function clientErrorHandler(headers: Record<string, string>) {
  return (error: Error & { code?: string }, socket: Socket): void => {
    if (error.code === 'ECONNRESET' || socket.destroyed || !socket.writable) return;
    const [status, code, title, detail] =
      error.code === 'HPE_HEADER_OVERFLOW'
        ? [
            431,
            'headers_too_large',
            'Request Header Fields Too Large',
            'The request line or headers are too large',
          ]
        : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? [408, 'request_timeout', 'Request Timeout', 'The request took too long to arrive']
          : [400, 'bad_request', 'Bad Request', 'The request is not valid HTTP'];
    const requestId = randomUUID();
    const body = JSON.stringify({
      type: `urn:coulisses-crew:problem:${code}`,
      title,
      status,
      detail,
      code,
      request_id: requestId,
    });
    const lines = [
      `HTTP/1.1 ${status} ${title}`,
      'content-type: application/problem+json',
      `content-length: ${Buffer.byteLength(body)}`,
      'cache-control: no-store',
      'connection: close',
      `x-request-id: ${requestId}`,
      ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
    ];
    socket.end(`${lines.join('\r\n')}\r\n\r\n${body}`);
  };
}

/**
 * The methods declared for a concrete path, learnt from every route as it is added: a known path with another
 * method is 405 with `Allow`, not 404.
 */
export function trackRouteMethods(app: FastifyInstance): (path: string) => string[] {
  const routes: { methods: string[]; pattern: RegExp }[] = [];
  app.addHook('onRoute', (route) => {
    // The CORS catch-all (`OPTIONS *`) answers any path: it says nothing about which methods a path has.
    if (route.url === '*' || route.url === '/*') return;
    const source = route.url
      .replace(/[.+?^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/:\w+/g, '[^/]+');
    routes.push({ methods: [route.method].flat(), pattern: new RegExp(`^${source}/?$`) });
  });
  return (path) => [...new Set(routes.filter((r) => r.pattern.test(path)).flatMap((r) => r.methods))].sort();
}
