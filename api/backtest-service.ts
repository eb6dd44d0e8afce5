import type { Db } from '../db/connection';
import { getPair } from '../db/queries/pairs';
import { insertBacktestRun, loadAlignedBars } from '../db/queries/backtest-runs';
import { BacktestInputError, DEFAULT_INITIAL_CAPITAL, runBacktest } from '../strategy/backtest';
import type { StrategyConfig } from '../config/schema';
import { badRequest, notFound } from './errors';
import type { BacktestRequest, BacktestResponse } from './schemas';
import { DAY_MS } from '../strategy/time-units';


/**
 * POST /backtest: runs strategy/backtest.ts on the pair's stored hourly bars. The hedge ratio and half-life are
 * fitted on `config.backtest.formation_bars` shared bars strictly before start_date; the test period is
 * start_date 00:00 UTC through end_date 23:59:59 UTC. Thresholds: request, else the pair's override, else the
 * config. The run is stored in backtest_run only once it has succeeded (a rejected request writes nothing).
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
  if (bars.formationCount < formationBars) {
    throw badRequest('Not enough market data', [
      `need ${formationBars} hourly bars of ${name} before ${request.start_date} to fit the hedge ratio, found ${bars.formationCount}`,
    ]);
  }
  const testBars = bars.ts.length - bars.formationCount;
  if (testBars < 2) {
    throw badRequest('Not enough market data', [
      `need at least 2 hourly bars of ${name} between ${request.start_date} and ${request.end_date}, found ${testBars}`,
    ]);
  }

  let result;
  try {
    result = runBacktest({
      timestamps: bars.ts,
      price1: bars.price1,
      price2: bars.price2,
      testStartIndex: bars.formationCount,
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
    start_date: request.start_date,
    end_date: request.end_date,
    params: {
      entry_threshold: thresholds.entry, exit_threshold: thresholds.exit, stop_loss_threshold: thresholds.stopLoss,
      max_hold_hours: thresholds.maxHoldHours, initial_capital: initialCapital, formation_bars: formationBars,
      z_score_window: config.z_score_window, position_pct: config.position_pct,
      commission_per_share: config.backtest.commission_per_share, slippage_bps: config.backtest.slippage_bps,
      bars: testBars,
    },
    ...result,
    // The column is NOT NULL; the backtester reports an overflowing annualisation as null.
    annualized_return: result.annualized_return ?? Infinity,
  });

  return { run_id: runId, pair_id: pair.id, ...result };
}
