import type { Db } from '../db/connection';
import { recentCloses } from '../db/queries/market-data';
import { listActivePairs } from '../db/queries/pairs';
import { insertSignals, type SignalInsert } from '../db/queries/signals';
import { latestSpreadTimes, upsertSpreads, type SpreadInsert } from '../db/queries/spreads';
import { getStrategyState } from '../db/queries/strategy-state';
import { listLiveTrades } from '../db/queries/trades';
import { evaluatePair } from '../strategy/pair-evaluation';
import type { StrategyConfig } from '../config/schema';
import type { EntryRoute, EvaluationChunk, ExitRoute, PairsCycleActivities, PairsEvaluation } from '../workflows/contracts/pairs-cycle';
import { loadConfigForActivity } from './config-load';
import type { Broker } from '../broker/types';
import { setMarketDataIssues } from '../db/queries/trade-market-data';
import { entryStatsFrom } from '../strategy/trade-entry-stats';
import { liveTradeContexts } from './live-trade-contexts';

export interface PairEvaluationDeps {
  db: Db;
  configPath: string;
  /** Calendar, latest trades and asset status for live trades (absent: weekday calendar, no latest prices). */
  broker?: Broker;
}

type Route = { kind: 'entry'; route: Omit<EntryRoute, 'signalId'> } | { kind: 'exit'; route: Omit<ExitRoute, 'signalId'> } | null;

export function createPairEvaluationActivities({ db, configPath, broker }: PairEvaluationDeps): Pick<PairsCycleActivities, 'evaluatePairs'> {
  return {
    /**
     * Every active pair in one pass: spreads and z-scores from stored bars, the signal rule, one multi-row
     * upsert of pair_spread and one insert of pair_signal. Entries are suppressed (recorded as SKIPPED with
     * the reason) while the strategy is inactive or `entriesBlockedReason` is set; exits are always routed.
     */
    async evaluatePairs(input: {
      nowMs: number;
      entriesBlockedReason: string | null;
      config?: StrategyConfig;
      chunk?: EvaluationChunk;
    }): Promise<PairsEvaluation> {
      const config = input.config ?? (await loadConfigForActivity(db, configPath));
      const [allPairs, liveTrades, state] = await Promise.all([listActivePairs(db), listLiveTrades(db), getStrategyState(db)]);
      const chunk = input.chunk;
      const pairs = chunk ? allPairs.filter((p) => p.id % chunk.parts === chunk.part) : allPairs;
      const symbols = [...new Set(pairs.flatMap((p) => [p.symbol1, p.symbol2]))];
      // Enough rows per symbol to align the pair's lookback even when a symbol misses a few bars.
      const [closes, stored] = await Promise.all([
        recentCloses(db, symbols, config.lookback_bars + 50),
        latestSpreadTimes(
          db,
          pairs.map((p) => p.id),
        ),
      ]);
      const pairIds = new Set(pairs.map((p) => p.id));
      const chunkTrades = liveTrades.filter((t) => pairIds.has(t.pair_id));
      const liveCtx = await liveTradeContexts(db, broker, chunkTrades, closes, input.nowMs, config.max_bar_age_hours);
      const issues = new Map<number, string | null>();
      const liveByPair = new Map(liveTrades.map((t) => [t.pair_id, t]));
      // The cycle's reason (reconciliation, trading state) says more than the flag it implies.
      const blockedReason = input.entriesBlockedReason ?? (!state.is_active ? 'strategy inactive' : null);
      const cycleTs = new Date(Math.floor(input.nowMs / 1000) * 1000);

      const spreads: SpreadInsert[] = [];
      const signals: SignalInsert[] = [];
      const routes: Route[] = [];
      for (const pair of pairs) {
        const live = liveByPair.get(pair.id) ?? null;
        const result = evaluatePair({
          pair,
          config,
          nowMs: input.nowMs,
          series1: closes.get(pair.symbol1)!,
          series2: closes.get(pair.symbol2)!,
          position: live ? live.side : null,
          entryTimeMs: live?.entry_time ? new Date(live.entry_time).getTime() : null,
          lastStoredSpreadMs: stored.get(pair.id) ?? null,
          trade: live ? (liveCtx.contexts.get(live.id) ?? null) : null,
        });
        if (live) {
          const symbolIssue = [live.symbol1, live.symbol2].map((s) => liveCtx.symbolIssues.get(s)).filter(Boolean);
          issues.set(live.id, symbolIssue.length ? symbolIssue.join('; ') : (result.staleReason ?? null));
        }
        for (const p of result.spreads) {
          spreads.push({
            pair_id: pair.id,
            ts: new Date(p.tsMs),
            price1: p.price1,
            price2: p.price2,
            hedge_ratio: result.hedgeRatio ?? pair.hedge_ratio,
            spread: p.spread,
            rolling_mean: p.mean,
            rolling_std: p.std,
            z_score: p.z,
          });
        }
        if (result.skipReason !== null) {
          signals.push({
            pair_id: pair.id,
            ts: cycleTs,
            type: 'SKIPPED',
            z_score: result.z,
            reason: result.skipReason,
            inputs: { latestBarMs: result.latestBarMs },
          });
          routes.push(null);
          continue;
        }
        const decision = result.decision!;
        if (decision.type === null) {
          // A live trade on stale bars that no risk exit closed: recorded, so the stale state is visible.
          if (result.staleReason) {
            const inputs = { latestBarMs: result.latestBarMs, ...decision.inputs };
            signals.push({
              pair_id: pair.id,
              ts: cycleTs,
              type: 'SKIPPED',
              z_score: result.z,
              reason: decision.reason,
              trade_id: live?.id ?? null,
              inputs,
            });
            routes.push(null);
          }
          continue;
        }
        const ts = result.staleReason || result.latestBarMs === null ? cycleTs : new Date(result.latestBarMs);
        const base = { pair_id: pair.id, ts, z_score: result.z, inputs: decision.inputs as unknown as Record<string, unknown> };
        if (decision.type === 'LONG_SPREAD' || decision.type === 'SHORT_SPREAD') {
          // A pair whose re-test failed while it held a trade retires once that trade closes: no new entry meanwhile.
          const pairBlocked = blockedReason ?? (pair.retire_pending_reason ? `retiring: ${pair.retire_pending_reason}` : null);
          if (pairBlocked !== null) {
            signals.push({ ...base, type: 'SKIPPED', reason: `${decision.type} entry suppressed (${pairBlocked}): ${decision.reason}` });
            routes.push(null);
          } else {
            signals.push({ ...base, type: decision.type, reason: decision.reason });
            routes.push({
              kind: 'entry',
              route: {
                pairId: pair.id,
                symbol1: pair.symbol1,
                symbol2: pair.symbol2,
                side: decision.type,
                z: result.z,
                entryStats: entryStatsFrom(decision.inputs, pair.half_life),
              },
            });
          }
          continue;
        }
        signals.push({ ...base, type: decision.type, reason: decision.reason, trade_id: live?.id ?? null });
        const routable = live && live.workflow_id && (live.status === 'OPEN' || live.status === 'PENDING');
        routes.push(
          routable
            ? { kind: 'exit', route: { pairId: pair.id, tradeId: live.id, workflowId: live.workflow_id!, reason: decision.type, z: result.z } }
            : null,
        );
      }

      await setMarketDataIssues(db, issues);
      const spreadsWritten = await upsertSpreads(db, spreads);
      const storedSignals = await insertSignals(db, signals);
      const evaluation: PairsEvaluation = { pairsProcessed: pairs.length, signals: {}, spreadsWritten, entries: [], exits: [] };
      storedSignals.forEach((s, i) => {
        evaluation.signals[s.type] = (evaluation.signals[s.type] ?? 0) + 1;
        const route = routes[i];
        if (route?.kind === 'entry') evaluation.entries.push({ ...route.route, signalId: s.id });
        if (route?.kind === 'exit') evaluation.exits.push({ ...route.route, signalId: s.id });
      });
      return evaluation;
    },
  };
}
