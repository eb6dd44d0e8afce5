import type { Broker } from '../broker/types';
import { withTimeout } from './context';

export const CLOCK_CACHE_MS = 30_000;
export const CLOCK_TIMEOUT_MS = 1_000;

/**
 * "Now" for hold times: the broker's clock, which is simulated time under the simulator (trades are stamped with
 * it) and real time under Alpaca. Cached for 30 s as an offset from the wall clock; when the broker does not
 * answer within 1 s the last known offset (initially 0: the wall clock) is used.
 */
export function createMarketClock(broker: Broker): () => Promise<number> {
  let offsetMs = 0;
  let fetchedAt = -Infinity;
  let inflight: Promise<void> | null = null;
  const refresh = async (): Promise<void> => {
    try {
      const clock = await withTimeout(broker.getClock(), CLOCK_TIMEOUT_MS, 'broker clock');
      offsetMs = clock.timestamp.getTime() - Date.now();
    } catch {
      // keep the previous offset
    }
    fetchedAt = Date.now();
  };
  return async () => {
    if (Date.now() - fetchedAt > CLOCK_CACHE_MS) {
      inflight ??= refresh().finally(() => {
        inflight = null;
      });
      await inflight;
    }
    return Date.now() + offsetMs;
  };
}
