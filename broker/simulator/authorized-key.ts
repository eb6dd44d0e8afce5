import type { IncomingMessage } from 'node:http';

/**
 * The API key a request is made with (Alpaca's key/secret headers, or an OAuth bearer token), or null when it is
 * not authorized. With `expected.keyId` set only that key pair is accepted (and no bearer token); otherwise any
 * non-empty one is.
 */
export function authorizedKey(req: IncomingMessage, expected: { keyId?: string; secret?: string }): string | null {
  const key = req.headers['apca-api-key-id'];
  const secret = req.headers['apca-api-secret-key'];
  const bearer = req.headers.authorization;
  if (typeof key === 'string' && key && typeof secret === 'string' && secret) {
    if (expected.keyId !== undefined && (key !== expected.keyId || secret !== expected.secret)) return null;
    return key;
  }
  if (typeof bearer === 'string' && /^Bearer \S+$/.test(bearer) && expected.keyId === undefined) return bearer;
  return null;
}
