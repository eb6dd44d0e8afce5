import type { Broker } from '../broker/types';
import type { Db } from '../db/connection';
import { latestBarTimes, upsertBars, type BarRow } from '../db/queries/market-data';
import { listActivePairs } from '../db/queries/pairs';
import { barsRequestStart } from '../strategy/bar-window';
import type { PairsCycleActivities } from '../workflows/contracts/pairs-cycle';
import { brokerCall } from './broker-errors';
import type { StrategyConfig } from '../config/schema';
import { loadConfigForActivity } from './config-load';

export function createMarketDataActivities({
  db,
  broker,
  configPath,
}: {
  db: Db;
  broker: Broker;
  configPath: string;
}): Pick<PairsCycleActivities, 'readMarketClock' | 'refreshMarketData'> {
  return {
    async readMarketClock(): Promise<{ isOpen: boolean; nowMs: number }> {
      const clock = await brokerCall(() => broker.getClock());
      return { isOpen: clock.isOpen, nowMs: clock.timestamp.getTime() };
    },

    /** One batched bars request for every symbol of the active pairs, upserted into market_data. */
    async refreshMarketData(input: { nowMs: number; config?: StrategyConfig }): Promise<{ symbols: number; barsUpserted: number }> {
      const config = input.config ?? (await loadConfigForActivity(db, configPath));
      const pairs = await listActivePairs(db);
      const symbols = [...new Set(pairs.flatMap((p) => [p.symbol1, p.symbol2]))].sort();
      if (symbols.length === 0) return { symbols: 0, barsUpserted: 0 };
      const start = barsRequestStart(symbols, await latestBarTimes(db, symbols), input.nowMs, config.lookback_bars);
      const bars = await brokerCall(() => broker.getHourlyBars(symbols, new Date(start), new Date(input.nowMs)));
      const rows: BarRow[] = [];
      for (const series of bars.values()) {
        for (let i = 0; i < series.ts.length; i++) {
          rows.push({
            symbol: series.symbol,
            ts: new Date(series.ts[i]),
            open: series.open[i],
            high: series.high[i],
            low: series.low[i],
            close: series.close[i],
            volume: series.volume[i],
          });
        }
      }
      return { symbols: symbols.length, barsUpserted: await upsertBars(db, rows) };
    },
  };
}
