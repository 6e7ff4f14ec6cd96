import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * The RFC 9457 problem document every error answers with, and the one function that sends it: used by the error
 * handlers (problem.ts) and by the framework-error mapping (framework-errors.ts), which neither imports the other.
 */

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  409: 'Conflict',
  413: 'Payload Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  431: 'Request Header Fields Too Large',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  request_id: string;
  [extension: string]: unknown;
}

export function sendProblem(
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  code: string,
  detail: string,
  extensions: Record<string, unknown> = {},
): FastifyReply {
  // Extensions come first: they can never override the standard members.
  const problem: ProblemDocument = {
    ...extensions,
    type: `urn:coulisses-crew:problem:${code}`,
    title: TITLES[status] ?? 'Error',
    status,
    detail,
    code,
    request_id: request.id,
  };
  return reply.code(status).type('application/problem+json').send(problem);
}
