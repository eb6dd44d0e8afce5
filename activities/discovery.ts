/**
 * Pair discovery: hourly bars of a symbol universe from the broker → Engle-Granger scan (strategy/scan.ts) →
 * the top N pairs upserted into pair_registry, and their symbols' bars into market_data. Registry pairs that drop out of the top N are deactivated
 * unless they hold a live trade (the cycle still has to manage it).
 */
import type { BarSeries, Broker } from '../broker/types';
import type { StrategyConfig } from '../config/schema';
import type { Db } from '../db/connection';
import { upsertBars, type BarRow } from '../db/queries/market-data';
import { storeDiscoveredPairs } from '../db/queries/pairs';
import { alignBarCloses } from '../strategy/align-bar-closes';
import type { PriceMatrix } from '../strategy/price-matrix';
import { selectPairs } from '../strategy/pair-selection';
import { lookbackSpanMs } from '../strategy/bar-window';

export type DiscoverySettings = StrategyConfig['discovery'];

export interface DiscoveryDeps {
  db: Db;
  broker: Broker;
  /** Worker threads for the scan (default 'auto'). */
  workers?: number | 'auto';
}

export interface DiscoveryInput {
  /** The tradable universe to scan (the simulator's asset list, or a configured symbol list). */
  symbols: string[];
  settings: DiscoverySettings;
}

export interface DiscoveryResult {
  /** Symbols that had enough bars to be scanned. */
  symbolsScanned: number;
  bars: number;
  pairsTested: number;
  /** The pairs kept, best first, as stored (ids from pair_registry). */
  pairs: Array<{ id: number; symbol1: string; symbol2: string; score: number; pvalue: number; halfLife: number }>;
  deactivated: number;
  /** Bars of the kept pairs' symbols upserted into market_data. */
  barsStored: number;
}

export interface UniverseHistory {
  /** Closes of every usable symbol on their common hourly bars, the last `lookbackBars` of them. */
  matrix: PriceMatrix;
  /** The bars as fetched, per symbol. */
  series: Map<string, BarSeries>;
}

export async function fetchUniverseHistory(broker: Broker, symbols: string[], lookbackBars: number): Promise<UniverseHistory> {
  const nowMs = (await broker.getClock()).timestamp.getTime();
  const series = await broker.getHourlyBars(symbols, new Date(nowMs - lookbackSpanMs(lookbackBars)), new Date(nowMs));
  // A symbol with no bars at all would empty the common grid for everyone; leave it out instead.
  const usable = symbols.filter((s) => (series.get(s)?.ts.length ?? 0) > 0);
  const { ts, closes } = alignBarCloses(series, usable);
  const from = Math.max(0, ts.length - lookbackBars);
  const matrix = { timestamps: ts.slice(from), symbols: usable, prices: usable.map((s) => closes[s].slice(from)) };
  return { matrix, series };
}

/** One hourly bar series as market_data rows. */
export function barRows(series: BarSeries): BarRow[] {
  return Array.from(series.ts, (t, i) => ({
    symbol: series.symbol,
    ts: new Date(t),
    open: series.open[i],
    high: series.high[i],
    low: series.low[i],
    close: series.close[i],
    volume: series.volume[i],
  }));
}

export function createDiscoveryActivities({ db, broker, workers = 'auto' }: DiscoveryDeps) {
  return {
    /**
     * Fetches bars, scans the universe and stores the top N of the pairs that pass every discovery filter:
     * p-value, half-life range, mean crossings (in the scan) and price correlation (here).
     */
    discoverPairs: (input: DiscoveryInput): Promise<DiscoveryResult> => discoverPairs({ db, broker, workers }, input),
  };
}

async function discoverPairs({ db, broker, workers }: Required<DiscoveryDeps>, input: DiscoveryInput): Promise<DiscoveryResult> {
  const { settings } = input;
  const { matrix, series } = await fetchUniverseHistory(broker, input.symbols, settings.lookback_bars);
  if (matrix.symbols.length < 2 || matrix.timestamps.length < 100) {
    throw new Error(
      `discovery needs at least 2 symbols with 100 common hourly bars; got ${matrix.symbols.length} symbols, ${matrix.timestamps.length} bars`,
    );
  }
  // The live discovery rule (scan, price-correlation filter, top N) lives in strategy/pair-selection.ts, shared
  // with the walk-forward backtest.
  const { pairs: kept, nPairsTested } = await selectPairs(matrix, settings, { workers });
  const stored = await storeDiscoveredPairs(db, kept);
  // The kept pairs' history goes to market_data too: the first cycle then only fetches new bars, and
  // POST /backtest has data to run on from the start.
  const keptSymbols = [...new Set(kept.flatMap((p) => [p.symbol1, p.symbol2]))];
  const barsStored = await upsertBars(
    db,
    keptSymbols.flatMap((s) => barRows(series.get(s)!)),
  );
  return {
    symbolsScanned: matrix.symbols.length,
    bars: matrix.timestamps.length,
    pairsTested: nPairsTested,
    pairs: kept.map((p, k) => ({
      id: stored.ids[k],
      symbol1: p.symbol1,
      symbol2: p.symbol2,
      score: p.score,
      pvalue: p.pvalue,
      halfLife: p.halfLife,
    })),
    deactivated: stored.deactivated,
    barsStored,
  };
}
