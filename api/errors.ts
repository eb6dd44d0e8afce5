import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';

/** Every error response body: a short message and a list of specifics (field problems, allowed methods, ...). */
export interface ErrorBody {
  error: string;
  details: string[];
}

/** An error the client caused or may act on; rendered as `{error, details}` with its status. */
export class HttpError extends Error {
  override name = 'HttpError';
  constructor(
    readonly status: number,
    message: string,
    readonly details: string[] = [],
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const badRequest = (message: string, details: string[] = []) => new HttpError(400, message, details);
export const notFound = (message: string, details: string[] = []) => new HttpError(404, message, details);
export const conflict = (message: string, details: string[] = []) => new HttpError(409, message, details);

/** Answers any method a path does not route: 405 with the Allow header (OPTIONS gets 204 and the same header). */
export function methodNotAllowed(allowed: string[]): RequestHandler {
  const allow = [...new Set([...allowed, ...(allowed.includes('GET') ? ['HEAD'] : []), 'OPTIONS'])].join(', ');
  return (req, res) => {
    res.set('Allow', allow);
    if (req.method === 'OPTIONS') {
      res.status(204).end();
      return;
    }
    res.status(405).json({ error: 'Method not allowed', details: [`${req.method} is not supported here; allowed: ${allow}`] } satisfies ErrorBody);
  };
}

export const notFoundHandler: RequestHandler = (req, res) => {
  res.status(404).json({ error: 'Not found', details: [`no route for ${req.method} ${req.path.slice(0, 200)}`] } satisfies ErrorBody);
};

/** body-parser and raw-body errors carry `type` and a 4xx `status`; these are the client's fault. */
interface ClientFaultError {
  status?: number;
  statusCode?: number;
  type?: string;
  expose?: boolean;
  message?: string;
}

const BODY_ERROR_MESSAGES: Record<string, string> = {
  'entity.too.large': 'Request body too large',
  'entity.parse.failed': 'Malformed JSON body',
  'entity.verify.failed': 'Malformed JSON body',
  'encoding.unsupported': 'Unsupported content encoding',
  'charset.unsupported': 'Unsupported charset',
  'request.aborted': 'Request aborted',
  'request.size.invalid': 'Request size did not match Content-Length',
  'stream.encoding.set': 'Bad request stream',
  'parameters.too.many': 'Too many parameters',
};

/**
 * The last middleware: HttpError and body-parser errors become their 4xx with `{error, details}`; anything else
 * is logged and answered with a generic 500 (no internals leak to the client).
 */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    if (err instanceof HttpError) {
      res
        .set(err.headers)
        .status(err.status)
        .json({ error: err.message, details: err.details } satisfies ErrorBody);
      return;
    }
    const fault = (typeof err === 'object' && err !== null ? err : {}) as ClientFaultError;
    const status = fault.status ?? fault.statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      const message = (fault.type && BODY_ERROR_MESSAGES[fault.type]) ?? 'Bad request';
      const detail =
        fault.type === 'entity.too.large' ? 'the body exceeds the size limit' : fault.expose && fault.message ? fault.message.slice(0, 300) : message;
      res.status(status).json({ error: message, details: [detail] } satisfies ErrorBody);
      return;
    }
    logger.error({ err, method: req.method, path: req.path }, 'unhandled error in request');
    res.status(500).json({ error: 'Internal server error', details: [] } satisfies ErrorBody);
  };
}
