import type { Logger } from 'pino';
import type { Db } from '../db/connection';
import type { ReadCache } from './read-cache';
import type { ConfigSource } from './config-source';
import type { StrategyControl } from './strategy-control';

/** What every router needs; built once by createApp. */
export interface ApiContext {
  db: Db;
  config: ConfigSource;
  control: StrategyControl;
  logger: Logger;
  /** Account equity before the first trade, the base of /performance max_drawdown (percent). */
  startingEquity: number;
  /** How long GET /{id}/details waits for a trade workflow's stateQuery before answering from the database. */
  liveQueryTimeoutMs: number;
  /** Epoch ms "now" on the broker's clock (simulated time under the simulator); see market-clock.ts. */
  marketNow: () => Promise<number>;
  /** JSON bodies of GET endpoints, shared by concurrent requests and kept briefly; cleared by every write. */
  reads: ReadCache<string>;
}

/** Rejects after `ms` so a hung dependency cannot hold a request forever. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
