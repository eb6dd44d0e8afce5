/**
 * The backtest's simulation loop over a prepared pair. Per bar it calls the same rules the live cycle
 * uses: classifySignal (the core of decideSignal) and legCapital/sharesFor (the core of sizeLegs).
 *
 * Execution model:
 *   - every action fills at the close of the bar whose z triggered it, moved against us by slippageBps
 *     (buys higher, sells lower);
 *   - commission per order = max(minCommissionPerOrder, commissionPerShare x qty), on both legs at
 *     entry and at exit;
 *   - at most one action per bar (an exit does not re-enter on the same bar), no entries on the
 *     last test bar, and an open trade is closed on the last test bar with exit_reason END;
 *   - hold time is bars held x the bar spacing (prepared-pair.ts barHours), compared with 3 x half-life in
 *     hours: gaps between bars (nights, weekends, halts) do not age a trade, as the live cycle counts
 *     regular-session hours (README "Market data").
 *
 * Equity is marked to market at every bar close: cash + signed quantities x close prices.
 *
 * Metrics (barsPerYear inferred from the bar timestamps, see prepared-pair.ts; any bar frequency, daily CSVs included):
 *   - sharpe_ratio: mean / sample std of the per-bar change of marked-to-market equity, x sqrt(barsPerYear)
 *     (per-bar P&L on the initial capital base; the scale cancels, and no division per bar is needed);
 *     0 when the equity never moves;
 *   - max_drawdown: largest (peak - equity) / peak over the test bars, a fraction;
 *   - annualized_return: (1 + total_return)^(barsPerYear / test bars) - 1, null if that overflows;
 *   - win_rate: trades with P&L > 0 / all closed trades (0 without trades);
 *   - profit_factor: gross profit / gross loss, null when no trade lost money (JSON has no Infinity);
 *   - kelly_fraction: full Kelly (sizing.ts kellyFraction) over this run's trades, null without wins;
 *   - passed_gate: Sharpe > 0.5 && win rate > 0.45 && max drawdown < 0.15.
 */
import type { BacktestExitReason, BacktestMetrics, TradeLogEntry } from './backtest-result';
import { annualizeReturn, annualizedSharpe, passesGate } from './metrics';
import type { PreparedPair } from './prepared-pair';
import * as signals from './signals';
import { holdLimitHours, type TradeSide } from './signals';
import type { SimParams } from './sim-params';
import * as sizing from './sizing';
import { kellyFromCounts } from './sizing';

// Module-local bindings: CommonJS imports compile to property reads on the module object, which
// cost more than the rest of a bar's work in the simulation loop.
const { classifySignal, POS_FLAT, POS_LONG, POS_SHORT, SIG_EXIT, SIG_EXPIRE, SIG_LONG_SPREAD, SIG_NONE, SIG_STOP_LOSS } = signals;
const { legCapital, sharesFor } = sizing;
const SIDE_OF_POSITION: Record<number, TradeSide> = { [POS_LONG]: 'LONG_SPREAD', [POS_SHORT]: 'SHORT_SPREAD' };
const REASON_OF_CODE: Record<number, BacktestExitReason> = { [SIG_EXIT]: 'EXIT', [SIG_STOP_LOSS]: 'STOP_LOSS', [SIG_EXPIRE]: 'EXPIRE' };

/** Optional sinks for the full report; the sweep passes null and gets metrics only. */
export interface SimRecorder {
  equity: Float64Array;
  trades: TradeLogEntry[];
}

/**
 * The simulation loop. Allocation-free per bar (and per trade when `rec` is null), so the sweep can
 * call it once per parameter set.
 */
export function simulate(pair: PreparedPair, params: SimParams, rec: SimRecorder | null): BacktestMetrics {
  const { timestamps: ts, price1: p1, price2: p2, z } = pair;
  const n = ts.length;
  const { entry, exit, stopLoss, maxHoldHours } = params.thresholds;
  const { commissionPerShare, minCommissionPerOrder } = params.costs;
  const slip = params.costs.slippageBps / 10_000;
  const { bootstrapPct, maxLegPct, bootstrapTrades } = params;
  const holdLimit = holdLimitHours(pair.halfLifeHours, maxHoldHours);
  const barHours = pair.barHours;
  const initial = params.initialCapital;

  let cash = initial;
  let pos = POS_FLAT;
  let q1 = 0; // signed share positions
  let q2 = 0;
  let entryBar = -1;
  let entryZ = 0;
  let entryFill1 = 0;
  let entryFill2 = 0;
  let entryCommission = 0;

  let trades = 0;
  let wins = 0;
  let grossWin = 0;
  let grossLoss = 0;
  let holdSum = 0;

  let prevEquity = initial;
  let peak = initial;
  let maxDd = 0;
  let ddFloor = initial;
  // Per-bar equity changes in $: sum and sum of squares (for the Sharpe ratio, see the header).
  let sumPnl = 0;
  let sumPnl2 = 0;
  let equity = initial;

  const lastBar = n - 1;
  for (let i = 0; i < n; i++) {
    const zi = z[i];
    if (pos === POS_FLAT) {
      // Flat and no entry: nothing changes, the bar's return is exactly 0 (fast path of the sweep).
      const code = i < lastBar ? classifySignal(POS_FLAT, zi, 0, holdLimit, entry, exit, stopLoss) : SIG_NONE;
      if (code === SIG_NONE) {
        if (rec !== null) rec.equity[i] = equity;
        continue;
      }
      const price1 = p1[i];
      const price2 = p2[i];
      const losses = trades - wins;
      const capital = legCapital(
        cash,
        trades,
        wins,
        wins > 0 ? grossWin / wins : 0,
        losses > 0 ? grossLoss / losses : 0,
        bootstrapPct,
        maxLegPct,
        bootstrapTrades,
      );
      const a1 = sharesFor(capital, price1);
      const a2 = sharesFor(capital, price2);
      if (a1 <= 0 || a2 <= 0) {
        if (rec !== null) rec.equity[i] = equity;
        continue;
      }
      // LONG_SPREAD: long symbol1, short symbol2; SHORT_SPREAD the reverse.
      pos = code === SIG_LONG_SPREAD ? POS_LONG : POS_SHORT;
      q1 = pos * a1;
      q2 = -pos * a2;
      entryFill1 = q1 > 0 ? price1 * (1 + slip) : price1 * (1 - slip);
      entryFill2 = q2 > 0 ? price2 * (1 + slip) : price2 * (1 - slip);
      const c1 = commissionPerShare * a1;
      const c2 = commissionPerShare * a2;
      entryCommission = (c1 > minCommissionPerOrder ? c1 : minCommissionPerOrder) + (c2 > minCommissionPerOrder ? c2 : minCommissionPerOrder);
      cash -= q1 * entryFill1 + q2 * entryFill2 + entryCommission;
      entryBar = i;
      entryZ = zi;
      equity = cash + q1 * price1 + q2 * price2;
    } else {
      const price1 = p1[i];
      const price2 = p2[i];
      const holdHours = (i - entryBar) * barHours;
      let code = classifySignal(pos, zi, holdHours, holdLimit, entry, exit, stopLoss);
      if (code === SIG_NONE && i === lastBar) code = -1; // END
      if (code !== SIG_NONE) {
        // Closing: sell what is long (fill below close), buy back what is short (fill above close).
        const exitFill1 = q1 > 0 ? price1 * (1 - slip) : price1 * (1 + slip);
        const exitFill2 = q2 > 0 ? price2 * (1 - slip) : price2 * (1 + slip);
        const a1 = q1 < 0 ? -q1 : q1;
        const a2 = q2 < 0 ? -q2 : q2;
        const c1 = commissionPerShare * a1;
        const c2 = commissionPerShare * a2;
        const exitCommission = (c1 > minCommissionPerOrder ? c1 : minCommissionPerOrder) + (c2 > minCommissionPerOrder ? c2 : minCommissionPerOrder);
        cash += q1 * exitFill1 + q2 * exitFill2 - exitCommission;
        const pnl = q1 * (exitFill1 - entryFill1) + q2 * (exitFill2 - entryFill2) - entryCommission - exitCommission;
        trades++;
        if (pnl > 0) {
          wins++;
          grossWin += pnl;
        } else {
          grossLoss -= pnl;
        }
        holdSum += holdHours;
        if (rec !== null) {
          rec.trades.push({
            side: SIDE_OF_POSITION[pos],
            entry_time: ts[entryBar],
            exit_time: ts[i],
            entry_z: entryZ,
            exit_z: Number.isFinite(zi) ? zi : null,
            qty1: a1,
            qty2: a2,
            entry_price1: entryFill1,
            entry_price2: entryFill2,
            exit_price1: exitFill1,
            exit_price2: exitFill2,
            pnl,
            hold_hours: holdHours,
            exit_reason: code === -1 ? 'END' : REASON_OF_CODE[code],
          });
        }
        pos = POS_FLAT;
        q1 = 0;
        q2 = 0;
      }
      equity = pos === POS_FLAT ? cash : cash + q1 * price1 + q2 * price2;
    }
    // Equity marked at this bar's close changed (in a position, or an entry / exit happened).
    const barPnl = equity - prevEquity;
    prevEquity = equity;
    sumPnl += barPnl;
    sumPnl2 += barPnl * barPnl;
    if (equity > peak) {
      peak = equity;
      ddFloor = peak * (1 - maxDd);
    } else if (equity < ddFloor) {
      // Below the level that would deepen the drawdown: only then is the division needed.
      const dd = (peak - equity) / peak;
      if (dd > maxDd) {
        maxDd = dd;
        ddFloor = peak * (1 - maxDd);
      }
    }
    if (rec !== null) rec.equity[i] = equity;
  }

  const totalReturn = equity / initial - 1;
  const pnlMean = sumPnl / n;
  const pnlVar = n > 1 ? (sumPnl2 - sumPnl * pnlMean) / (n - 1) : 0;
  const sharpe = annualizedSharpe(pnlMean, pnlVar > 0 ? Math.sqrt(pnlVar) : 0, pair.barsPerYear);
  const winRate = trades > 0 ? wins / trades : 0;
  const kf = kellyFromCounts(trades, wins, wins > 0 ? grossWin / wins : 0, trades > wins ? grossLoss / (trades - wins) : 0);
  return {
    total_return: totalReturn,
    annualized_return: annualizeReturn(totalReturn, n, pair.barsPerYear),
    sharpe_ratio: sharpe,
    max_drawdown: maxDd,
    win_rate: winRate,
    profit_factor: grossLoss > 0 ? grossWin / grossLoss : null,
    total_trades: trades,
    avg_hold_time_hours: trades > 0 ? holdSum / trades : 0,
    kelly_fraction: Number.isNaN(kf) ? null : kf,
    passed_gate: passesGate(sharpe, winRate, maxDd),
  };
}
