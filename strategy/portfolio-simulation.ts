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
 *     portfolio (count, wins, mean win, mean loss): with `risk`, over its Kelly window as live; without, all of it;
 *   - the record and the cash carry over from one call to the next (PortfolioState).
 * With one pair and no `risk` this is exactly simulate() (tested number for number).
 *
 * With `risk` (the walk-forward always passes it) every entry goes through the live engine's own rules, the same
 * functions the cycle calls: Kelly over the rolling window of the latest closed trades with the no-edge policy
 * (kellyEdge), the pair's cooldown after a stop-out (cooldowns) and the pre-trade checks (checkEntry) on the
 * simulated account: equity, signed market value per symbol, the pairs holding a trade, and buying power as
 * Alpaca's Reg T computes it (2 x equity - gross market value, as broker/simulator/exchange.ts). The trading
 * state is always ACTIVE: daily-loss and drawdown halts wait for an operator, whom the simulation does not have;
 * entries never fail, so there is no failed-entry cooldown. A refused entry is counted by rule (PortfolioRun).
 */
import { fillPrice, orderCommission } from './backtest-costs';
import type { BacktestExitReason, TradeLogEntry } from './backtest-result';
import * as signals from './signals';
import { holdLimitHours, type Thresholds } from './signals';
import type { SimParams } from './sim-params';
import * as sizing from './sizing';
import { medianSpacingHours } from './bars-per-year';
import { cooldowns, type EndedTrade } from './risk/cooldown';
import { kellyEdge, type KellyEdge } from './risk/kelly-edge';
import type { RiskLimits } from './risk/limits';
import { checkEntry, type RiskRule, type RiskSnapshot } from './risk/pre-trade';
import { HOUR_MS } from './time-units';

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
  /** The legs' symbols, for the per-symbol limits (default: the name split at '/'). */
  symbol1?: string;
  symbol2?: string;
}

/** What carries from one simulated stretch to the next. */
export interface PortfolioState {
  cash: number;
  closedTrades: number;
  wins: number;
  grossWin: number;
  /** Positive magnitude. */
  grossLoss: number;
  /** Closed-trade P&Ls, oldest first: Kelly's rolling window reads the latest ones. */
  pnls: number[];
  /** Recent stop-outs, for cooldowns; pair ids from `pairIds`. */
  ended: EndedTrade[];
  /** Pair name -> the id cooldowns and the open-pairs count know it by (stable across stretches). */
  pairIds: Record<string, number>;
}

/** A deep copy (the in-sample trials start from the portfolio's state without changing it). */
export function copyPortfolioState(s: PortfolioState): PortfolioState {
  return { ...s, pnls: [...s.pnls], ended: [...s.ended], pairIds: { ...s.pairIds } };
}

/** A closed trade of the portfolio: the single-pair backtest's trade log entry, with the pair's name. */
export interface PortfolioTrade extends TradeLogEntry {
  pair: string;
}

export type PortfolioParams = Omit<SimParams, 'initialCapital' | 'thresholds'> & {
  thresholds: Thresholds;
  /** The live engine's portfolio risk rules (config `risk`); absent: none, as the single-pair backtester. */
  risk?: RiskLimits;
};

/** Entries refused by the risk rules, by rule. */
export type RiskRefusals = Partial<Record<RiskRule, number>>;

export interface PortfolioRun {
  /** Marked-to-market equity at each bar's close. */
  equity: Float64Array;
  /** Trades closed in this stretch. */
  trades: number;
  wins: number;
  /** Realised P&L of the trades closed in this stretch. */
  pnl: number;
  /** Entry signals the risk rules refused in this stretch, by rule (empty without `risk`). */
  refused: RiskRefusals;
}

export function initialPortfolioState(capital: number): PortfolioState {
  return { cash: capital, closedTrades: 0, wins: 0, grossWin: 0, grossLoss: 0, pnls: [], ended: [], pairIds: {} };
}

function legSymbols(p: PortfolioPair): [string, string] {
  if (p.symbol1 !== undefined && p.symbol2 !== undefined) return [p.symbol1, p.symbol2];
  const parts = p.name.split('/');
  return parts.length === 2 ? [parts[0], parts[1]] : [`${p.name}#1`, `${p.name}#2`];
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
  const { costs, bootstrapPct, maxLegPct, bootstrapTrades, risk } = params;
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
  const refused: RiskRefusals = {};
  const symbols = pairs.map(legSymbols);
  const ids = pairs.map((p) => (state.pairIds[p.name] ??= Object.keys(state.pairIds).length + 1));
  const longestCooldownMs = risk ? risk.cooldown_after_stop_loss_hours * HOUR_MS : 0;

  /** The account as the pre-trade checks see it right now (marked at bar i's closes). */
  const snapshot = (limits: RiskLimits, i: number, eq: number, kelly: KellyEdge): RiskSnapshot => {
    const positions: Record<string, number> = {};
    const liveTrades: RiskSnapshot['liveTrades'] = [];
    let gross = 0;
    for (let p = 0; p < k; p++) {
      if (pos[p] === POS_FLAT) continue;
      const [s1, s2] = symbols[p];
      const v1 = q1[p] * pairs[p].price1[i];
      const v2 = q2[p] * pairs[p].price2[i];
      positions[s1] = (positions[s1] ?? 0) + v1;
      positions[s2] = (positions[s2] ?? 0) + v2;
      gross += Math.abs(v1) + Math.abs(v2);
      liveTrades.push({ pairId: ids[p], symbol1: s1, symbol2: s2 });
    }
    const nowMs = timestamps[i];
    state.ended = state.ended.filter((t) => t.endedAtMs + longestCooldownMs > nowMs);
    return {
      tradingState: 'ACTIVE',
      equity: eq,
      buyingPower: Math.max(0, 2 * eq - gross),
      positions,
      liveTrades,
      pendingExposure: {},
      cooldowns: cooldowns(limits, state.ended),
      noEdge: kelly.refusal ? { reason: kelly.refusal } : null,
      nowMs,
    };
  };

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
      if (risk) {
        state.pnls.push(pnl);
        // Only the latest kelly_window_trades are read; trimmed in batches.
        if (state.pnls.length > 2 * risk.kelly_window_trades) state.pnls.splice(0, state.pnls.length - risk.kelly_window_trades);
        if (code === SIG_STOP_LOSS) state.ended.push({ pair_id: ids[p], status: 'CLOSED', exit_reason: 'STOP_LOSS', endedAtMs: timestamps[i] });
      }
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
      // Kelly over the window: the record only changes on exits, which came first.
      const kelly = risk ? kellyEdge(risk, state.pnls, bootstrapTrades) : null;
      for (let p = 0; p < k; p++) {
        if (pos[p] !== POS_FLAT || acted[p] === 1) continue;
        const zi = pairs[p].z[i];
        const code = classifySignal(POS_FLAT, zi, 0, holdLimit[p], entry, exit, stopLoss);
        if (code === SIG_NONE) continue;
        const price1 = pairs[p].price1[i];
        const price2 = pairs[p].price2[i];
        const losses = state.closedTrades - state.wins;
        const capital = kelly
          ? legCapital(
              eq,
              kelly.sizingStats.count,
              kelly.sizingStats.wins,
              kelly.sizingStats.meanWin,
              kelly.sizingStats.meanLoss,
              bootstrapPct,
              maxLegPct,
              bootstrapTrades,
            )
          : legCapital(
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
        // LONG_SPREAD: long symbol1, short symbol2; SHORT_SPREAD the reverse.
        const side = code === SIG_LONG_SPREAD ? POS_LONG : POS_SHORT;
        if (risk && kelly) {
          // As the live cycle: no edge refuses before sizing can say the same thing less clearly.
          const [symbol1, symbol2] = symbols[p];
          const verdict = checkEntry(risk, snapshot(risk, i, eq, kelly), {
            pairId: ids[p],
            symbol1,
            symbol2,
            side: side === POS_LONG ? 'LONG_SPREAD' : 'SHORT_SPREAD',
            notional1: a1 * price1,
            notional2: a2 * price2,
          });
          if (!verdict.ok) {
            refused[verdict.rule] = (refused[verdict.rule] ?? 0) + 1;
            continue;
          }
        }
        if (a1 <= 0 || a2 <= 0) continue;
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
  return { equity, trades, wins, pnl: pnlSum, refused };
}
