import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { HttpError } from './errors';

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

/**
 * `Authorization: Bearer <token>` on every POST. Both sides are hashed first so timingSafeEqual compares equal
 * lengths and the comparison time says nothing about the token. With no token configured every POST is refused.
 */
export function requireBearerToken(apiToken: string | undefined): RequestHandler {
  const expected = apiToken ? digest(apiToken) : null;
  return (req, _res, next) => {
    const header = req.get('authorization');
    const match = header ? /^Bearer +(\S+) *$/i.exec(header) : null;
    if (!match) {
      next(unauthorized('missing bearer token: send Authorization: Bearer <PAIRS_API_TOKEN>'));
      return;
    }
    if (expected === null) {
      next(unauthorized('the API has no PAIRS_API_TOKEN configured; write endpoints are disabled'));
      return;
    }
    if (!timingSafeEqual(digest(match[1]), expected)) {
      next(unauthorized('invalid bearer token'));
      return;
    }
    next();
  };
}

function unauthorized(detail: string): HttpError {
  return new HttpError(401, 'Unauthorized', [detail], { 'WWW-Authenticate': 'Bearer realm="pairs"' });
}
