/** The simulator's node:http request listener: /__sim/* control, else auth, rate limit, faults, Alpaca routes. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { alpacaRoute } from './alpaca-route';
import { authorizedKey } from './authorized-key';
import { controlRoute } from './control-route';
import { SimHttpError } from './exchange';
import { errorReply, sendReply, type Reply } from './http-util';
import { RateLimiter } from './rate-limiter';
import { replyWithFaults } from './reply-with-faults';
import type { SimulatorControl } from './simulator-control';
import type { SimulatorOptions } from './simulator-options';
import type { SimulatorState } from './simulator-state';

function routeErrorReply(err: unknown): Reply {
  if (err instanceof SimHttpError) return errorReply(err.status, err.code, err.message, err.extra);
  if (err instanceof URIError) return errorReply(400, 40010000, 'malformed request path');
  throw err;
}

export function createRequestHandler(
  state: SimulatorState,
  control: SimulatorControl,
  credentials: Pick<SimulatorOptions, 'keyId' | 'secret'>,
): (req: IncomingMessage, res: ServerResponse) => void {
  const rateLimiter = new RateLimiter();

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://sim.local');
    } catch {
      sendReply(res, errorReply(400, 40010000, 'malformed request URL'));
      return;
    }
    const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, '') : url.pathname;
    if (path.startsWith('/__sim/')) {
      sendReply(res, await controlRoute(state, control, method, path, req));
      return;
    }
    const key = authorizedKey(req, credentials);
    if (key === null) {
      sendReply(res, errorReply(401, 40110000, 'request is not authorized'));
      return;
    }
    const limited = rateLimiter.check(key, state.faults.config.rateLimitPerMinute);
    if (limited) {
      sendReply(res, limited);
      return;
    }
    await replyWithFaults(state, method, path, res, () => alpacaRoute(state, method, path, url.searchParams, req).catch(routeErrorReply));
  }

  return (req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (err instanceof SimHttpError) {
        sendReply(res, errorReply(err.status, err.code, err.message, err.extra));
        return;
      }
      process.stderr.write(`simulator: unexpected error: ${err instanceof Error ? err.stack : String(err)}\n`);
      sendReply(res, errorReply(500, 50010000, 'internal server error'));
    });
  };
}
