import { errorReply, type Reply } from './http-util';
import { MINUTE_MS } from '../../strategy/time-units';

/** Server-side requests-per-minute limit per API key, in fixed one-minute windows (real time), answered as Alpaca does. */
export class RateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  /** Counts a request; the 429 reply when it goes over `limit`, else null (always null for a limit of 0). */
  check(key: string, limit: number): Reply | null {
    if (!limit) return null;
    const now = Date.now();
    let window = this.windows.get(key);
    if (!window || now - window.start >= MINUTE_MS) {
      window = { start: now, count: 0 };
      this.windows.set(key, window);
    }
    window.count++;
    const reset = Math.ceil((window.start + MINUTE_MS) / 1000);
    if (window.count <= limit) return null;
    return errorReply(
      429,
      42910000,
      'rate limit exceeded',
      {},
      {
        'Retry-After': String(Math.max(1, reset - Math.floor(now / 1000))),
        'X-RateLimit-Limit': String(limit),
        'X-RateLimit-Remaining': '0',
        'X-RateLimit-Reset': String(reset),
      },
    );
  }
}
