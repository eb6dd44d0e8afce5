/** Small node:http helpers for the simulator: JSON replies, body reading and parameter parsing. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { SimHttpError } from './exchange';
import { DAY_MS } from '../../strategy/time-units';

const MAX_BODY_BYTES = 1 << 20;

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export function sendReply(res: ServerResponse, reply: Reply): void {
  if (res.headersSent || res.destroyed) return;
  if (reply.status === 204 || reply.body === undefined) {
    res.writeHead(reply.status, reply.headers ?? {});
    res.end();
    return;
  }
  const text = JSON.stringify(reply.body);
  res.writeHead(reply.status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    ...reply.headers,
  });
  res.end(text);
}

export function errorReply(
  status: number,
  code: number,
  message: string,
  extra: Record<string, unknown> = {},
  headers?: Record<string, string>,
): Reply {
  return { status, body: { code, message, ...extra }, headers };
}

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new SimHttpError(413, 41310000, 'request body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Parses a JSON object body or throws Alpaca's 400 "request body format is invalid". */
export function parseJsonObject(text: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new SimHttpError(400, 40010000, 'request body format is invalid');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new SimHttpError(400, 40010000, 'request body format is invalid');
  }
  return parsed as Record<string, unknown>;
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/** Accepts YYYY-MM-DD (UTC midnight) or RFC3339; throws a 400 naming the parameter. */
export function parseTimestamp(value: string, name: string): number {
  if (DATE_ONLY.test(value) || RFC3339.test(value)) {
    const ms = Date.parse(DATE_ONLY.test(value) ? `${value}T00:00:00Z` : value);
    if (Number.isFinite(ms)) return ms;
  }
  throw new SimHttpError(400, 40010001, `invalid ${name}: ${value}`);
}

export function parseDateParam(value: string, name: string): number {
  const day = value.slice(0, 10);
  if (!DATE_ONLY.test(day) || !Number.isFinite(Date.parse(`${day}T00:00:00Z`))) {
    throw new SimHttpError(400, 40010001, `invalid ${name}: ${value}`);
  }
  return Math.round(Date.parse(`${day}T00:00:00Z`) / DAY_MS);
}

export function parseIntParam(value: string | null, name: string, min: number, max: number, fallback: number): number {
  if (value === null || value === '') return fallback;
  if (!/^\d+$/.test(value)) throw new SimHttpError(422, 40010001, `invalid ${name}: ${value}`);
  const n = Number(value);
  if (n < min || n > max) throw new SimHttpError(422, 40010001, `${name} must be between ${min} and ${max}`);
  return n;
}
