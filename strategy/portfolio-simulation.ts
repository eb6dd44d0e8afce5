/**
 * Several pairs traded together on shared capital over one stretch of bars: the walk-forward's trading
 * (and in-sample) simulation. Per bar and pair it calls the live cycle's rules: classifySignal (the core of
 * decideSignal) and legCapital / sharesFor (the core of sizeLegs), with the single-pair backtester's
 * execution model (backtest-simulation.ts): fills at the bar close moved against us by the slippage, a
 * commission per order, at most one action per pair per bar, no entry on the last bar, and every position
 * still open on the last bar closed there (exit reason END).
 *
 * Shared capital, as the live engine sees it:
 *   - equity = cash + signed quantities x closes of every open position (the broker's account equity);
 *   - on each bar, exits are handled first (all pairs), then entries in the pairs' rank order; each entry is
 *     sized on the equity at that moment (after the fills before it) and on the closed-trade record of the
 *     whole portfolio (count, wins, mean win, mean loss), like planEntry with closedTradeStats(pair_trade);
 *   - the record and the cash carry over from one call to the next (PortfolioState).
 * With one pair this is exactly simulate() (tested number for number).
 */
import { fillPrice, orderCommission } from './backtest-costs';
import type { BacktestExitReason, TradeLogEntry } from './backtest-result';
import * as signals from './signals';
import { holdLimitHours, type Thresholds } from './signals';
import type { SimParams } from './sim-params';
import * as sizing from './sizing';
import { medianSpacingHours } from './bars-per-year';

const { classifySignal, POS_FLAT, POS_LONG, POS_SHORT, SIG_EXIT, SIG_EXPIRE, SIG_LONG_SPREAD, SIG_NONE, SIG_STOP_LOSS } = signals;
const { legCapital, sharesFor } = sizing;
const REASON_OF_CODE: Record<number, BacktestExitReason> = { [SIG_EXIT]: 'EXIT', [SIG_STOP_LOSS]: 'STOP_LOSS', [SIG_EXPIRE]: 'EXPIRE' };

/** One pair over the simulated bars (arrays aligned with the timestamps). */
export interface PortfolioPair {
  name: string;
  price1: Float64Array;
  price2: Float64Array;
  /** z-score at each bar, from the pair's own hedge ratio and rolling window, without look-ahead. */
  z: Float64Array;
  /** Half-life in hours (bars x bar spacing); null when the spread does not mean-revert. */
  halfLifeHours: number | null;
  /** Bar spacing in hours (default: the median spacing of the timestamps); hold time is bars held x this. */
  barHours?: number;
}

/** What carries from one simulated stretch to the next. */
export interface PortfolioState {
  cash: number;
  closedTrades: number;
  wins: number;
  grossWin: number;
  /** Positive magnitude. */
  grossLoss: number;
}

/** A closed trade of the portfolio: the single-pair backtest's trade log entry, with the pair's name. */
export interface PortfolioTrade extends TradeLogEntry {
  pair: string;
}

export type PortfolioParams = Omit<SimParams, 'initialCapital' | 'thresholds'> & { thresholds: Thresholds };

export interface PortfolioRun {
  /** Marked-to-market equity at each bar's close. */
  equity: Float64Array;
  /** Trades closed in this stretch. */
  trades: number;
  wins: number;
  /** Realised P&L of the trades closed in this stretch. */
  pnl: number;
}

export function initialPortfolioState(capital: number): PortfolioState {
  return { cash: capital, closedTrades: 0, wins: 0, grossWin: 0, grossLoss: 0 };
}

/**
 * Simulates `pairs` over `timestamps`, updating `state` in place. `tradeLog`, when given, receives every
 * closed trade.
 */
export function simulatePortfolio(
  timestamps: Float64Array,
  pairs: readonly PortfolioPair[],
  params: PortfolioParams,
  state: PortfolioState,
  tradeLog: PortfolioTrade[] | null,
): PortfolioRun {
  const n = timestamps.length;
  const k = pairs.length;
  const { entry, exit, stopLoss, maxHoldHours } = params.thresholds;
  const { costs, bootstrapPct, maxLegPct, bootstrapTrades } = params;
  const slip = costs.slippageBps / 10_000;
  const pos = new Int8Array(k);
  const q1 = new Float64Array(k);
  const q2 = new Float64Array(k);
  const entryMs = new Float64Array(k);
  const entryZ = new Float64Array(k);
  const entryFill1 = new Float64Array(k);
  const entryFill2 = new Float64Array(k);
  const entryCommission = new Float64Array(k);
  const holdLimit = pairs.map((p) => holdLimitHours(p.halfLifeHours, maxHoldHours));
  const spacing = n > 1 ? medianSpacingHours(timestamps) : 1;
  const barHours = pairs.map((p) => p.barHours ?? spacing);
  const entryBar = new Int32Array(k);
  const acted = new Uint8Array(k);
  const equity = new Float64Array(n);
  let trades = 0;
  let wins = 0;
  let pnlSum = 0;
  const lastBar = n - 1;

  for (let i = 0; i < n; i++) {
    acted.fill(0);
    // Exits first.
    for (let p = 0; p < k; p++) {
      if (pos[p] === POS_FLAT) continue;
      const zi = pairs[p].z[i];
      // Bars held x spacing: gaps between bars (nights, weekends) do not age a trade, as live (README "Market data").
      const holdHours = (i - entryBar[p]) * barHours[p];
      let code = classifySignal(pos[p], zi, holdHours, holdLimit[p], entry, exit, stopLoss);
      if (code === SIG_NONE && i === lastBar) code = -1; // END
      if (code === SIG_NONE) continue;
      const price1 = pairs[p].price1[i];
      const price2 = pairs[p].price2[i];
      // Closing: sell what is long, buy back what is short.
      const exitFill1 = fillPrice(price1, q1[p] < 0, slip);
      const exitFill2 = fillPrice(price2, q2[p] < 0, slip);
      const a1 = Math.abs(q1[p]);
      const a2 = Math.abs(q2[p]);
      const exitCommission = orderCommission(a1, costs) + orderCommission(a2, costs);
      state.cash += q1[p] * exitFill1 + q2[p] * exitFill2 - exitCommission;
      const pnl = q1[p] * (exitFill1 - entryFill1[p]) + q2[p] * (exitFill2 - entryFill2[p]) - entryCommission[p] - exitCommission;
      state.closedTrades++;
      trades++;
      pnlSum += pnl;
      if (pnl > 0) {
        state.wins++;
        wins++;
        state.grossWin += pnl;
      } else {
        state.grossLoss -= pnl;
      }
      if (tradeLog !== null) {
        tradeLog.push({
          pair: pairs[p].name,
          side: pos[p] === POS_LONG ? 'LONG_SPREAD' : 'SHORT_SPREAD',
          entry_time: entryMs[p],
          exit_time: timestamps[i],
          entry_z: entryZ[p],
          exit_z: Number.isFinite(zi) ? zi : null,
          qty1: a1,
          qty2: a2,
          entry_price1: entryFill1[p],
          entry_price2: entryFill2[p],
          exit_price1: exitFill1,
          exit_price2: exitFill2,
          pnl,
          hold_hours: holdHours,
          exit_reason: code === -1 ? 'END' : REASON_OF_CODE[code],
        });
      }
      pos[p] = POS_FLAT;
      q1[p] = 0;
      q2[p] = 0;
      acted[p] = 1;
    }
    // Marked-to-market equity after the exits.
    // (Summed as the single-pair loop does, (cash + q1 p1) + q2 p2, so one pair reproduces it bit for bit.)
    let eq = state.cash;
    for (let p = 0; p < k; p++) if (pos[p] !== POS_FLAT) eq = eq + q1[p] * pairs[p].price1[i] + q2[p] * pairs[p].price2[i];
    // Entries, in rank order, each sized on the equity after the fills before it.
    if (i < lastBar) {
      for (let p = 0; p < k; p++) {
        if (pos[p] !== POS_FLAT || acted[p] === 1) continue;
        const zi = pairs[p].z[i];
        const code = classifySignal(POS_FLAT, zi, 0, holdLimit[p], entry, exit, stopLoss);
        if (code === SIG_NONE) continue;
        const price1 = pairs[p].price1[i];
        const price2 = pairs[p].price2[i];
        const losses = state.closedTrades - state.wins;
        const capital = legCapital(
          eq,
          state.closedTrades,
          state.wins,
          state.wins > 0 ? state.grossWin / state.wins : 0,
          losses > 0 ? state.grossLoss / losses : 0,
          bootstrapPct,
          maxLegPct,
          bootstrapTrades,
        );
        const a1 = sharesFor(capital, price1);
        const a2 = sharesFor(capital, price2);
        if (a1 <= 0 || a2 <= 0) continue;
        // LONG_SPREAD: long symbol1, short symbol2; SHORT_SPREAD the reverse.
        const side = code === SIG_LONG_SPREAD ? POS_LONG : POS_SHORT;
        pos[p] = side;
        q1[p] = side * a1;
        q2[p] = -side * a2;
        entryFill1[p] = fillPrice(price1, q1[p] > 0, slip);
        entryFill2[p] = fillPrice(price2, q2[p] > 0, slip);
        entryCommission[p] = orderCommission(a1, costs) + orderCommission(a2, costs);
        const cost = q1[p] * entryFill1[p] + q2[p] * entryFill2[p] + entryCommission[p];
        state.cash -= cost;
        eq = eq - cost + q1[p] * price1 + q2[p] * price2;
        entryMs[p] = timestamps[i];
        entryBar[p] = i;
        entryZ[p] = zi;
      }
    }
    let marked = state.cash;
    for (let p = 0; p < k; p++) if (pos[p] !== POS_FLAT) marked = marked + q1[p] * pairs[p].price1[i] + q2[p] * pairs[p].price2[i];
    equity[i] = marked;
  }
  return { equity, trades, wins, pnl: pnlSum };
}
