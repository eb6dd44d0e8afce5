/**
 * Pair discovery: hourly bars of a symbol universe from the broker → Engle-Granger scan (strategy/scan.ts) →
 * the top N pairs upserted into pair_registry, and their symbols' bars into market_data. Registry pairs that drop out of the top N are deactivated
 * unless they hold a live trade (the cycle still has to manage it).
 */
import type { BarSeries, Broker } from '../broker/types';
import type { StrategyConfig } from '../config/schema';
import type { Db } from '../db/connection';
import { upsertBars, type BarRow } from '../db/queries/market-data';
import { NOW } from '../db/queries/now';
import type { NewPair } from '../db/schema';
import { alignBarCloses } from '../strategy/align-bar-closes';
import type { PriceMatrix } from '../strategy/price-matrix';
import { scanUniverse, type ScannedPair } from '../strategy/scan';
import { pearson } from '../strategy/spread';
import { lookbackSpanMs } from './market-data';

export type DiscoverySettings = StrategyConfig['discovery'];

export interface DiscoveryInput {
  db: Db;
  broker: Broker;
  /** The tradable universe to scan (the simulator's asset list, or a configured symbol list). */
  symbols: string[];
  settings: DiscoverySettings;
  /** Worker threads for the scan (default 'auto'). */
  workers?: number | 'auto';
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

const LIVE_STATUSES = ['PENDING', 'OPEN', 'CLOSING'] as const;

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

function barRows(series: BarSeries): BarRow[] {
  return Array.from(series.ts, (t, i) => ({
    symbol: series.symbol, ts: new Date(t), open: series.open[i], high: series.high[i], low: series.low[i],
    close: series.close[i], volume: series.volume[i],
  }));
}

function registryRow(pair: ScannedPair, rank: number): NewPair {
  return {
    symbol1: pair.symbol1,
    symbol2: pair.symbol2,
    hedge_ratio: pair.beta,
    hedge_alpha: pair.alpha,
    half_life: Number.isFinite(pair.halfLife) ? pair.halfLife : null,
    cointegration_pvalue: pair.pvalue,
    cointegration_stat: pair.stat,
    correlation: pair.correlation,
    score: pair.score,
    rank,
    is_active: true,
    entry_threshold: null,
    exit_threshold: null,
    stop_loss_threshold: null,
  };
}

/** Upserts the ranked pairs (one statement, ON CONFLICT (symbol1, symbol2) DO UPDATE) and deactivates the rest. */
export async function storeDiscoveredPairs(db: Db, ranked: ScannedPair[]): Promise<{ ids: number[]; deactivated: number }> {
  return db.transaction().execute(async (trx) => {
    let ids: number[] = [];
    if (ranked.length > 0) {
      const rows = await trx.insertInto('strategy_engine.pair_registry')
        .values(ranked.map((p, k) => registryRow(p, k + 1)))
        .onConflict((oc) => oc.columns(['symbol1', 'symbol2']).doUpdateSet((eb) => ({
          hedge_ratio: eb.ref('excluded.hedge_ratio'),
          hedge_alpha: eb.ref('excluded.hedge_alpha'),
          half_life: eb.ref('excluded.half_life'),
          cointegration_pvalue: eb.ref('excluded.cointegration_pvalue'),
          cointegration_stat: eb.ref('excluded.cointegration_stat'),
          correlation: eb.ref('excluded.correlation'),
          score: eb.ref('excluded.score'),
          rank: eb.ref('excluded.rank'),
          is_active: true,
          updated_at: NOW,
        })))
        .returning(['id', 'symbol1', 'symbol2'])
        .execute();
      const idOf = new Map(rows.map((r) => [`${r.symbol1}/${r.symbol2}`, r.id]));
      ids = ranked.map((p) => idOf.get(`${p.symbol1}/${p.symbol2}`)!);
    }
    let query = trx.updateTable('strategy_engine.pair_registry')
      .set({ is_active: false, rank: null, updated_at: NOW })
      .where('is_active', '=', true)
      .where(({ not, exists, selectFrom }) => not(exists(
        selectFrom('strategy_engine.pair_trade').select('id')
          .whereRef('strategy_engine.pair_trade.pair_id', '=', 'strategy_engine.pair_registry.id')
          .where('strategy_engine.pair_trade.status', 'in', [...LIVE_STATUSES]),
      )));
    if (ids.length > 0) query = query.where('id', 'not in', ids);
    const result = await query.executeTakeFirst();
    return { ids, deactivated: Number(result.numUpdatedRows) };
  });
}

export { pearson };

/**
 * Fetches bars, scans the universe and stores the top N of the pairs that pass every discovery filter:
 * p-value, half-life range, mean crossings (in the scan) and price correlation (here).
 */
export async function discoverPairs(input: DiscoveryInput): Promise<DiscoveryResult> {
  const { settings } = input;
  const { matrix, series } = await fetchUniverseHistory(input.broker, input.symbols, settings.lookback_bars);
  if (matrix.symbols.length < 2 || matrix.timestamps.length < 100) {
    throw new Error(`discovery needs at least 2 symbols with 100 common hourly bars; got ${matrix.symbols.length} symbols, ${matrix.timestamps.length} bars`);
  }
  const nPairs = (matrix.symbols.length * (matrix.symbols.length - 1)) / 2;
  // The scan's own correlation filter works on log returns; config's min_correlation is documented as the
  // correlation of prices, so the scan keeps every ranked pair and the price filter is applied here.
  const scan = await scanUniverse(matrix, {
    maxPvalue: settings.max_pvalue,
    minHalfLife: settings.min_half_life,
    maxHalfLife: settings.max_half_life,
    minAbsCorrelation: 0,
    minCrossings: settings.min_crossings,
    top: nPairs,
    workers: input.workers ?? 'auto',
  });
  const kept = scan.pairs
    .map((p) => ({ ...p, correlation: pearson(matrix.prices[p.i], matrix.prices[p.j]) }))
    .filter((p) => p.correlation >= settings.min_correlation)
    .slice(0, settings.top_n);
  const stored = await storeDiscoveredPairs(input.db, kept);
  // The kept pairs' history goes to market_data too: the first cycle then only fetches new bars, and
  // POST /backtest has data to run on from the start.
  const keptSymbols = [...new Set(kept.flatMap((p) => [p.symbol1, p.symbol2]))];
  const barsStored = await upsertBars(input.db, keptSymbols.flatMap((s) => barRows(series.get(s)!)));
  return {
    symbolsScanned: matrix.symbols.length,
    bars: matrix.timestamps.length,
    pairsTested: scan.nPairsTested,
    pairs: kept.map((p, k) => ({
      id: stored.ids[k], symbol1: p.symbol1, symbol2: p.symbol2, score: p.score, pvalue: p.pvalue, halfLife: p.halfLife,
    })),
    deactivated: stored.deactivated,
    barsStored,
  };
}

/**
 * True when pair_registry holds active pairs and was refreshed within `maxAgeMs`: discovery can be skipped,
 * so a second start is fast.
 */
export async function registryIsFresh(db: Db, maxAgeMs: number, nowMs = Date.now()): Promise<boolean> {
  const row = await db.selectFrom('strategy_engine.pair_registry')
    .select((eb) => [eb.fn.countAll<number>().as('active'), eb.fn.max('updated_at').as('newest')])
    .where('is_active', '=', true)
    .executeTakeFirstOrThrow();
  if (Number(row.active) === 0 || !row.newest) return false;
  return nowMs - new Date(row.newest as Date).getTime() <= maxAgeMs;
}
