import { HOUR_MS } from './time-units';
import { logPrices, rollingZScore, spreadSeries } from './spread';
import { decideSignal, type SignalDecision, type Thresholds, type TradeSide } from './signals';
import type { LiveTradeContext } from './trade-entry-stats';

/** Closes of one symbol, oldest first (epoch ms). */
export interface CloseSeries {
  ts: number[];
  close: number[];
}

/** The registry fields the cycle evaluates a pair with; threshold overrides are null when the config applies. */
export interface PairForEvaluation {
  id: number;
  symbol1: string;
  symbol2: string;
  hedge_ratio: number;
  half_life: number | null;
  entry_threshold: number | null;
  exit_threshold: number | null;
  stop_loss_threshold: number | null;
}

/** The strategy settings the evaluation reads (a subset of config/pairs.yaml). */
export interface EvaluationSettings {
  lookback_bars: number;
  z_score_window: number;
  max_bar_age_hours: number;
  max_hold_hours: number;
  entry_threshold: number;
  exit_threshold: number;
  stop_loss_threshold: number;
}

/** One bar of a pair's spread with its rolling statistics (null until the window is full). */
export interface SpreadPoint {
  tsMs: number;
  price1: number;
  price2: number;
  spread: number;
  mean: number | null;
  std: number | null;
  z: number | null;
}

export interface PairEvaluationInput {
  pair: PairForEvaluation;
  series1: CloseSeries;
  series2: CloseSeries;
  config: EvaluationSettings;
  /** Side of the pair's live trade, null when flat. */
  position: TradeSide | null;
  entryTimeMs: number | null;
  /** Broker clock: staleness and hold time are measured against it (the simulator's clock may run fast). */
  nowMs: number;
  /** Latest pair_spread row already stored; only newer bars (and always the last one) are written. */
  lastStoredSpreadMs: number | null;
  /** The live trade's entry statistics, session hold time and latest prices (absent: registry stats, wall-clock hold). */
  trade?: LiveTradeContext | null;
}

export interface PairEvaluation {
  spreads: SpreadPoint[];
  latestBarMs: number | null;
  z: number | null;
  /** The rule's verdict; null when the pair was skipped. */
  decision: SignalDecision | null;
  /** Why no signal was computed (stale or missing bars). */
  skipReason: string | null;
  /** Hedge ratio the spreads were computed with: the open trade's entry ratio, else the registry's. */
  hedgeRatio?: number;
  /** Set when the bars are stale but a live trade was still evaluated (stop on latest trade prices, EXPIRE on hold time). */
  staleReason?: string;
}

const finiteOrNull = (x: number): number | null => (Number.isFinite(x) ? x : null);

export function thresholdsFor(pair: PairForEvaluation, config: EvaluationSettings): Thresholds {
  return {
    entry: pair.entry_threshold ?? config.entry_threshold,
    exit: pair.exit_threshold ?? config.exit_threshold,
    stopLoss: pair.stop_loss_threshold ?? config.stop_loss_threshold,
    maxHoldHours: config.max_hold_hours,
  };
}

/** Closes of both symbols on the bars they share, oldest first, at most `limit` of the latest. */
export function alignPairCloses(a: CloseSeries, b: CloseSeries, limit: number): { ts: number[]; p1: number[]; p2: number[] } {
  const byTs = new Map<number, number>();
  for (let i = 0; i < b.ts.length; i++) byTs.set(b.ts[i], b.close[i]);
  const ts: number[] = [];
  const p1: number[] = [];
  const p2: number[] = [];
  for (let i = 0; i < a.ts.length; i++) {
    const other = byTs.get(a.ts[i]);
    if (other === undefined) continue;
    ts.push(a.ts[i]);
    p1.push(a.close[i]);
    p2.push(other);
  }
  const from = Math.max(0, ts.length - limit);
  return { ts: ts.slice(from), p1: p1.slice(from), p2: p2.slice(from) };
}

/**
 * One pair's step of the cycle, pure: spread and rolling z-score over the stored bars with the registry's
 * hedge ratio, the rows to persist, and the signal rule's verdict for the latest bar — unless the latest
 * bar is older than max_bar_age_hours.
 */
export function evaluatePair(input: PairEvaluationInput): PairEvaluation {
  const { pair, config } = input;
  const trade = input.position !== null ? (input.trade ?? null) : null;
  // An open trade keeps the spread it entered on; re-discovery changes the registry for future trades only.
  const beta = trade?.entryStats?.hedgeRatio ?? pair.hedge_ratio;
  const halfLife = trade?.entryStats ? trade.entryStats.halfLife : pair.half_life;
  const holdHours = trade ? trade.holdSessionHours : input.entryTimeMs === null ? 0 : Math.max(0, (input.nowMs - input.entryTimeMs) / HOUR_MS);
  const aligned = alignPairCloses(input.series1, input.series2, config.lookback_bars);
  const n = aligned.ts.length;
  if (n === 0) {
    const none = { spreads: [], latestBarMs: null, z: null, decision: null, skipReason: 'no bars shared by both symbols' };
    return trade
      ? staleTradeEvaluation(input, { ...none, skipReason: null }, beta, halfLife, holdHours, null, 'no bars shared by both symbols')
      : none;
  }

  const spread = spreadSeries(logPrices(aligned.p1), logPrices(aligned.p2), beta);
  const rolling = rollingZScore(spread, config.z_score_window);
  const spreads: SpreadPoint[] = [];
  for (let i = 0; i < n; i++) {
    if (input.lastStoredSpreadMs !== null && aligned.ts[i] <= input.lastStoredSpreadMs && i !== n - 1) continue;
    spreads.push({
      tsMs: aligned.ts[i],
      price1: aligned.p1[i],
      price2: aligned.p2[i],
      spread: spread[i],
      mean: finiteOrNull(rolling.mean[i]),
      std: finiteOrNull(rolling.std[i]),
      z: finiteOrNull(rolling.z[i]),
    });
  }
  const last = n - 1;
  const latestBarMs = aligned.ts[last];
  const z = finiteOrNull(rolling.z[last]);
  const ageHours = (input.nowMs - latestBarMs) / HOUR_MS;
  if (ageHours > config.max_bar_age_hours) {
    const staleReason = `stale data: latest bar ${ageHours.toFixed(1)} h old > max_bar_age_hours ${config.max_bar_age_hours}`;
    if (trade) {
      const window = lastFiniteWindow(rolling.mean, rolling.std);
      return staleTradeEvaluation(
        input,
        { spreads, latestBarMs, z, decision: null, skipReason: null, hedgeRatio: beta },
        beta,
        halfLife,
        holdHours,
        window,
        staleReason,
      );
    }
    return { spreads, latestBarMs, z, decision: null, skipReason: staleReason, hedgeRatio: beta };
  }
  const decision = decideSignal({
    position: input.position,
    holdHours,
    halfLifeHours: halfLife,
    thresholds: thresholdsFor(pair, config),
    audit: { z: rolling.z[last], mean: rolling.mean[last], std: rolling.std[last], beta, window: config.z_score_window },
  });
  return { spreads, latestBarMs, z, decision, skipReason: null, hedgeRatio: beta };
}

function lastFiniteWindow(mean: Float64Array, std: Float64Array): { mean: number; std: number } | null {
  for (let i = mean.length - 1; i >= 0; i--) if (Number.isFinite(mean[i]) && std[i] > 0) return { mean: mean[i], std: std[i] };
  return null;
}

/**
 * A live trade whose bars are stale or missing: risk exits must not wait for bars. STOP_LOSS is judged on the
 * latest trade prices against the last z window (the entry window when no bars are left), EXPIRE on the session
 * hold time; EXIT waits for fresh bars (a reversion is not urgent, and a halted leg could not be closed anyway).
 */
function staleTradeEvaluation(
  input: PairEvaluationInput,
  base: PairEvaluation,
  beta: number,
  halfLife: number | null,
  holdHours: number,
  window: { mean: number; std: number } | null,
  staleReason: string,
): PairEvaluation {
  const trade = input.trade!;
  const ref = window ?? (trade.entryStats ? { mean: trade.entryStats.spreadMean, std: trade.entryStats.spreadStd } : null);
  const prices = trade.latestPrices;
  let z = NaN;
  if (ref && prices && prices.price1 > 0 && prices.price2 > 0) z = (Math.log(prices.price1) - beta * Math.log(prices.price2) - ref.mean) / ref.std;
  const decision = decideSignal({
    position: input.position,
    holdHours,
    halfLifeHours: halfLife,
    thresholds: thresholdsFor(input.pair, input.config),
    audit: { z, mean: ref?.mean ?? NaN, std: ref?.std ?? NaN, beta, window: input.config.z_score_window },
  });
  const source = prices ? `z ${Number.isFinite(z) ? z.toFixed(2) : 'undefined'} on latest trade prices` : 'no latest trade prices';
  if (decision.type === 'EXIT') {
    decision.type = null;
    decision.reason = `EXIT waits for fresh bars (${decision.reason})`;
  }
  decision.reason = `${staleReason}; ${source}: ${decision.reason}`;
  return { ...base, z: finiteOrNull(z), decision, staleReason };
}
