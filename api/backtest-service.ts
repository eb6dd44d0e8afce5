import type { Db } from '../db/connection';
import { getPair } from '../db/queries/pairs';
import { insertBacktestRun, loadAlignedBars, sharedBarRange } from '../db/queries/backtest-runs';
import { BacktestInputError, DEFAULT_INITIAL_CAPITAL, runBacktest } from '../strategy/backtest';
import type { StrategyConfig } from '../config/schema';
import { badRequest, notFound } from './errors';
import type { BacktestRequest, BacktestResponse } from './schemas';
import { DAY_MS } from '../strategy/time-units';

const isoDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/**
 * POST /backtest: runs strategy/backtest.ts on the pair's stored hourly bars. The hedge ratio and half-life are
 * fitted on `config.backtest.formation_bars` shared bars strictly before start_date; the test period is
 * start_date 00:00 UTC through end_date 23:59:59 UTC. Thresholds: request, else the pair's override, else the
 * config. A period wider than the stored data runs over the overlap and the response reports the effective period
 * (effective_start_date, effective_end_date, also stored as the run's dates); 400 only when no usable overlap
 * remains, naming the stored range. The run is stored in backtest_run only once it has succeeded (a rejected
 * request writes nothing).
 */
export async function runBacktestForPair(db: Db, config: StrategyConfig, request: BacktestRequest): Promise<BacktestResponse> {
  const pair = await getPair(db, request.pair_id);
  if (!pair) throw notFound('Pair not found', [`no pair with id ${request.pair_id}`]);

  const thresholds = {
    entry: request.entry_threshold ?? pair.entry_threshold ?? config.entry_threshold,
    exit: request.exit_threshold ?? pair.exit_threshold ?? config.exit_threshold,
    stopLoss: request.stop_loss_threshold ?? pair.stop_loss_threshold ?? config.stop_loss_threshold,
    maxHoldHours: config.max_hold_hours,
  };
  if (!(thresholds.exit < thresholds.entry && thresholds.entry < thresholds.stopLoss)) {
    throw badRequest('Invalid thresholds', [
      `need exit_threshold < entry_threshold < stop_loss_threshold, got ${thresholds.exit} / ${thresholds.entry} / ${thresholds.stopLoss}`,
    ]);
  }
  const initialCapital = request.initial_capital ?? DEFAULT_INITIAL_CAPITAL;
  const formationBars = config.backtest.formation_bars;
  const startMs = Date.parse(`${request.start_date}T00:00:00Z`);
  const endExclusiveMs = Date.parse(`${request.end_date}T00:00:00Z`) + DAY_MS;

  const bars = await loadAlignedBars(db, pair.symbol1, pair.symbol2, new Date(startMs), new Date(endExclusiveMs), formationBars);
  const name = `${pair.symbol1}/${pair.symbol2}`;
  // A period wider than the stored data runs over the overlap: when fewer than formation_bars shared bars
  // precede start_date, every shared bar before end_date was loaded, so the first formation_bars of them fit
  // the hedge ratio and the test starts right after; the end is the last stored bar on or before end_date.
  const testStartIndex = Math.max(bars.formationCount, Math.min(formationBars, bars.ts.length));
  const testBars = bars.ts.length - testStartIndex;
  if (bars.ts.length < formationBars + 2 || testBars < 2) {
    const range = await sharedBarRange(db, pair.symbol1, pair.symbol2);
    const stored =
      range.count === 0
        ? `no hourly bars of ${name} are stored`
        : `the stored hourly bars of ${name} cover ${isoDay(range.first)} .. ${isoDay(range.last)} (${range.count} shared bars)`;
    throw badRequest('Not enough market data', [
      `no usable overlap with ${request.start_date} .. ${request.end_date}: ${stored}; a backtest needs ${formationBars} bars before its test period to fit the hedge ratio, then at least 2 test bars`,
    ]);
  }
  const effectiveStart = isoDay(bars.ts[testStartIndex]);
  const effectiveEnd = isoDay(bars.ts[bars.ts.length - 1]);

  let result;
  try {
    result = runBacktest({
      timestamps: bars.ts,
      price1: bars.price1,
      price2: bars.price2,
      testStartIndex,
      formationBars,
      window: config.z_score_window,
      thresholds,
      initialCapital,
      bootstrapPct: config.position_pct,
      costs: { commissionPerShare: config.backtest.commission_per_share, slippageBps: config.backtest.slippage_bps },
    });
  } catch (err) {
    if (err instanceof BacktestInputError) throw badRequest('Backtest cannot run on this data', [err.message]);
    throw err;
  }

  const runId = await insertBacktestRun(db, {
    pair_id: pair.id,
    start_date: effectiveStart,
    end_date: effectiveEnd,
    params: {
      requested_start_date: request.start_date,
      requested_end_date: request.end_date,
      entry_threshold: thresholds.entry,
      exit_threshold: thresholds.exit,
      stop_loss_threshold: thresholds.stopLoss,
      max_hold_hours: thresholds.maxHoldHours,
      initial_capital: initialCapital,
      formation_bars: formationBars,
      z_score_window: config.z_score_window,
      position_pct: config.position_pct,
      commission_per_share: config.backtest.commission_per_share,
      slippage_bps: config.backtest.slippage_bps,
      bars: testBars,
    },
    ...result,
    // The column is NOT NULL; the backtester reports an overflowing annualisation as null.
    annualized_return: result.annualized_return ?? Infinity,
  });

  return { run_id: runId, pair_id: pair.id, ...result, effective_start_date: effectiveStart, effective_end_date: effectiveEnd };
}
