/**
 * The discovery workflow's activities: the universe's bars into market_data once, the scan of one chunk of pairs,
 * the re-test of registered pairs, and the registry changes (add, retire, retire once the trade closes).
 */
import type { Broker } from '../broker/types';
import type { Db } from '../db/connection';
import { closesBetween, upsertBars } from '../db/queries/market-data';
import {
  addDiscoveredPair,
  liveTradeByPair,
  listRegisteredActivePairs,
  listRegisteredPairs,
  markRetiring,
  recordPassedRetest,
  retirePair,
  retirePairsWhoseTradesClosed,
} from '../db/queries/pair-retirement';
import { alignBarCloses } from '../strategy/align-bar-closes';
import { boundFailures, testPair, testPairRange, type PairBounds, type TestedPair } from '../strategy/pair-retest';
import type { PriceMatrix } from '../strategy/price-matrix';
import type {
  DiscoveryActivities,
  DiscoveryPlan,
  DiscoveryStoreResult,
  DiscoveryWindow,
  RetestResult,
  RetiredPair,
  TestedPairRecord,
} from '../workflows/contracts/discovery';
import { brokerCall } from './broker-errors';
import { loadVersionedConfigForActivity } from './config-load';
import { barRows, fetchUniverseHistory } from './discovery';

export interface DiscoveryStepsDeps {
  db: Db;
  broker: Broker;
  /** Seeds the stored config on an empty database. */
  configPath: string;
  /** The universe when the workflow input names none (PAIRS_UNIVERSE, or the simulator's symbols). */
  universe?: () => Promise<string[]>;
}

function boundsOf(window: DiscoveryWindow): PairBounds {
  const s = window.settings;
  return {
    maxPvalue: s.max_pvalue,
    minHalfLife: s.min_half_life,
    maxHalfLife: s.max_half_life,
    minCorrelation: s.min_correlation,
    minCrossings: s.min_crossings,
  };
}

function record(t: TestedPair): TestedPairRecord {
  return {
    symbol1: t.symbol1,
    symbol2: t.symbol2,
    pvalue: t.pvalue,
    stat: t.stat,
    alpha: t.alpha,
    beta: t.beta,
    halfLife: Number.isFinite(t.halfLife) ? t.halfLife : null,
    correlation: t.priceCorrelation,
    crossings: t.crossings,
    score: Number.isFinite(t.score) ? t.score : 0,
  };
}

/** The window's closes from market_data, on the bars every symbol has, the last `lookbackBars` of them. */
async function windowMatrix(db: Db, window: DiscoveryWindow, symbols = window.symbols): Promise<PriceMatrix> {
  const stored = await closesBetween(db, symbols, new Date(window.fromMs), new Date(window.toMs));
  const series = new Map([...stored].map(([s, c]) => [s, { ts: Float64Array.from(c.ts), close: Float64Array.from(c.close) }]));
  const usable = symbols.filter((s) => (series.get(s)?.ts.length ?? 0) > 0);
  const { ts, closes } = alignBarCloses(series, usable);
  const from = Math.max(0, ts.length - window.lookbackBars);
  return { timestamps: ts.subarray(from), symbols: usable, prices: usable.map((s) => closes[s].subarray(from)) };
}

const SCAN_SLICE = 10;

const nameOf = (p: { symbol1: string; symbol2: string }): string => `${p.symbol1}/${p.symbol2}`;

export function createDiscoveryStepsActivities({ db, broker, configPath, universe }: DiscoveryStepsDeps): DiscoveryActivities {
  return {
    async prepareDiscovery(input: { symbols?: string[] }): Promise<DiscoveryPlan> {
      const { config, version } = await loadVersionedConfigForActivity(db, configPath);
      const symbols = input.symbols ?? (universe ? await universe() : []);
      if (symbols.length < 2) throw new Error('discovery needs a universe of at least 2 symbols (set PAIRS_UNIVERSE=SYM1,SYM2,...)');
      const settings = config.discovery;
      const { matrix, series } = await brokerCall(() => fetchUniverseHistory(broker, symbols, settings.lookback_bars));
      if (matrix.symbols.length < 2 || matrix.timestamps.length < 100) {
        throw new Error(
          `discovery needs at least 2 symbols with 100 common hourly bars; got ${matrix.symbols.length} symbols, ${matrix.timestamps.length} bars`,
        );
      }
      // Every chunk reads the same bars back from the database, and the kept pairs' cycles and backtests find them there.
      await upsertBars(
        db,
        matrix.symbols.flatMap((s) => barRows(series.get(s)!)),
      );
      const n = matrix.symbols.length;
      return {
        window: {
          symbols: matrix.symbols,
          fromMs: matrix.timestamps[0],
          toMs: matrix.timestamps[matrix.timestamps.length - 1],
          lookbackBars: settings.lookback_bars,
          settings,
        },
        nPairs: (n * (n - 1)) / 2,
        bars: matrix.timestamps.length,
        configVersion: version,
      };
    },

    async scanDiscoveryChunk(input: { window: DiscoveryWindow; start: number; count: number }): Promise<TestedPairRecord[]> {
      const matrix = await windowMatrix(db, input.window);
      if (matrix.symbols.length !== input.window.symbols.length) throw new Error('the stored bars of the discovery window changed');
      // In slices, yielding between them: the scan is CPU work on the worker's event loop, which also carries
      // the workflow tasks and heartbeats of everything else this worker runs.
      const out: TestedPairRecord[] = [];
      const end = input.start + input.count;
      for (let start = input.start; start < end; start += SCAN_SLICE) {
        out.push(...testPairRange(matrix, start, Math.min(SCAN_SLICE, end - start), boundsOf(input.window)).map(record));
        await new Promise((resolve) => setImmediate(resolve));
      }
      return out;
    },

    async retestRegisteredPairs(input: { window: DiscoveryWindow }): Promise<RetestResult[]> {
      const pairs = await listRegisteredActivePairs(db);
      const bounds = boundsOf(input.window);
      const results: RetestResult[] = [];
      for (const pair of pairs) {
        const matrix = await windowMatrix(db, input.window, [pair.symbol1, pair.symbol2]);
        if (matrix.symbols.length < 2 || matrix.timestamps.length < 100) {
          results.push({ pairId: pair.id, name: nameOf(pair), tested: null, failures: [] });
          continue;
        }
        const tested = testPair(pair.symbol1, pair.symbol2, matrix.prices[0], matrix.prices[1]);
        results.push({ pairId: pair.id, name: nameOf(pair), tested: record(tested), failures: boundFailures(tested, bounds) });
      }
      return results;
    },

    async storeDiscovery(input): Promise<DiscoveryStoreResult> {
      const live = await liveTradeByPair(db);
      const result: DiscoveryStoreResult = { added: [], kept: 0, retired: [], retiring: [] };
      const day = new Date().toISOString().slice(0, 10);
      const touched = new Set<string>();
      for (const r of input.retests) {
        const [symbol1, symbol2] = r.name.split('/') as [string, string];
        touched.add(nameOf({ symbol1, symbol2 }));
        if (r.tested === null) continue;
        if (r.failures.length === 0) {
          await recordPassedRetest(db, r.pairId, r.tested, !live.has(r.pairId));
          result.kept++;
          continue;
        }
        const reason = `re-test ${day}: ${r.failures.join('; ')}`;
        const tradeId = live.get(r.pairId);
        if (tradeId !== undefined) {
          await markRetiring(db, r.pairId, reason);
          result.retiring.push({ pairId: r.pairId, name: r.name, reason, tradeId });
        } else {
          await retirePair(db, r.pairId, reason);
          result.retired.push({ pairId: r.pairId, name: r.name, reason });
        }
      }
      // New pairs: the best of the scan not already registered (a retired one comes back when it passes again).
      const registered = new Map((await listRegisteredPairs(db)).map((p) => [nameOf(p), p]));
      const ranked = [...input.candidates].sort((a, b) => b.score - a.score || a.pvalue - b.pvalue).slice(0, input.topN);
      for (const [k, c] of ranked.entries()) {
        const existing = registered.get(nameOf(c));
        if (touched.has(nameOf(c)) || existing?.status === 'ACTIVE') continue;
        const id = await addDiscoveredPair(db, { ...c, rank: k + 1 });
        if (id !== null) result.added.push({ pairId: id, name: nameOf(c), score: c.score });
      }
      return result;
    },

    async retirePendingPairs(): Promise<{ retired: RetiredPair[]; stillPending: RetiredPair[] }> {
      const { retired, stillPending } = await retirePairsWhoseTradesClosed(db);
      return {
        retired: retired.map((p) => ({ pairId: p.id, name: nameOf(p), reason: p.retire_reason ?? '' })),
        stillPending: stillPending.map((p) => ({ pairId: p.id, name: nameOf(p), reason: p.retire_pending_reason ?? '' })),
      };
    },
  };
}
