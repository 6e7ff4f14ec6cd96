import type { FastifyError, FastifyInstance } from 'fastify';
import { AppError, ERROR_STATUS, type ErrorCode } from '../errors.js';
import { databaseProblem } from '../db/faults.js';
import { frameworkProblem, trackRouteMethods } from './framework-errors.js';
import { sendProblem } from './problem-document.js';
import { describeValidationErrors } from './validation-messages.js';

/** Every error leaves as RFC 9457 problem+json: never a stack, a SQL fragment or a secret. */
export function registerProblemHandlers(app: FastifyInstance): void {
  const methodsFor = trackRouteMethods(app);
  app.setErrorHandler((error: FastifyError | AppError, request, reply) => {
    if (error instanceof AppError) {
      reply.headers(error.headers);
      return sendProblem(request, reply, error.status, error.code, error.message, error.extensions);
    }
    if ('validation' in error && error.validation) {
      const errors = describeValidationErrors(error.validation, error.validationContext ?? 'body');
      const detail = errors
        .map((e) => `${e.location}${e.path === '/' ? '' : e.path}: ${e.message}`)
        .join('; ');
      return sendProblem(request, reply, 400, 'validation_failed', detail, { errors });
    }
    const framework = frameworkProblem(error, request);
    if (framework) return sendProblem(request, reply, framework.status, framework.code, framework.detail);
    const database = databaseProblem(error);
    if (database) {
      const { message, code } = error as { message: string; code?: unknown };
      request.log.warn({ err: { message, code } }, `database fault: ${database.code}`);
      reply.headers(database.headers);
      return sendProblem(request, reply, database.status, database.code, database.message);
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      const code = codeForStatus(status);
      return sendProblem(request, reply, status, code, error.message);
    }
    request.log.error({ err: error }, 'unhandled error');
    return sendProblem(request, reply, 500, 'internal_error', 'An unexpected error occurred');
  });

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '/';
    const allowed = methodsFor(path);
    if (allowed.length > 0) {
      reply.header('allow', allowed.join(', '));
      const detail = `${request.method} is not allowed on ${path}: use ${allowed.join(', ')}`;
      return sendProblem(request, reply, 405, 'method_not_allowed', detail);
    }
    return sendProblem(request, reply, 404, 'not_found', `No route for ${request.method} ${path}`);
  });
}

function codeForStatus(status: number): ErrorCode | string {
  const known = Object.entries(ERROR_STATUS).find(([, s]) => s === status);
  return known ? known[0] : 'bad_request';
}
