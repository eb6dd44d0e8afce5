import express, { type RequestHandler, type Router } from 'express';
import { HttpError, methodNotAllowed } from '../errors';

export type Method = 'get' | 'post';

export interface RouteDef {
  method: Method;
  path: string;
  handlers: RequestHandler[];
}

/**
 * Registers routes grouped by path; every path answers other methods with 405 + Allow. Each route records its
 * pattern in res.locals.route so latency metrics are labelled by pattern, not by raw URL.
 */
export function mountRoutes(router: Router, prefix: string, routes: RouteDef[]): void {
  const byPath = new Map<string, RouteDef[]>();
  for (const r of routes) byPath.set(r.path, [...(byPath.get(r.path) ?? []), r]);
  for (const [path, defs] of byPath) {
    const route = router.route(path);
    for (const def of defs) {
      const label: RequestHandler = (_req, res, next) => {
        res.locals.route = `${prefix}${path}`;
        next();
      };
      route[def.method](label, ...def.handlers);
    }
    route.all(methodNotAllowed(defs.map((d) => d.method.toUpperCase())));
  }
}

const MAX_JSON_DEPTH = 16;

function depthOf(value: unknown): number {
  let max = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    if (depth > max) max = depth;
    if (max > MAX_JSON_DEPTH) return max;
    for (const child of Object.values(node)) stack.push([child, depth + 1]);
  }
  return max;
}

/**
 * JSON bodies for POST routes: a body, when present, must be application/json (415 otherwise, so a text body can
 * never slip past as "no body"), at most `limit` (413), well-formed (400) and at most 16 levels deep (400).
 */
export function jsonBody(limit: string): RequestHandler[] {
  const requireJson: RequestHandler = (req, _res, next) => {
    const length = req.headers['content-length'];
    const hasBody = req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
    if (hasBody && !req.is('application/json')) {
      next(new HttpError(415, 'Unsupported media type', ['send the body as application/json']));
      return;
    }
    next();
  };
  const parse = express.json({ limit, strict: true, type: 'application/json' });
  const limitDepth: RequestHandler = (req, _res, next) => {
    if (depthOf(req.body) > MAX_JSON_DEPTH) {
      next(new HttpError(400, 'JSON body nested too deeply', [`at most ${MAX_JSON_DEPTH} levels of objects and arrays`]));
      return;
    }
    next();
  };
  return [requireJson, parse, limitDepth];
}
