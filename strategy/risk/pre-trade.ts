import type { TradeSide } from '../signals';
import type { RiskLimits, TradingState } from './limits';

/** The rule that refused an entry, as recorded on its signal row. */
export type RiskRule =
  'TRADING_STATE' | 'NO_EDGE' | 'COOLDOWN' | 'MAX_OPEN_PAIRS' | 'MAX_PAIRS_PER_SYMBOL' | 'SYMBOL_EXPOSURE' | 'GROSS_EXPOSURE' | 'BUYING_POWER';

/** The account and engine as they are right before an entry (broker numbers live, trades from the database). */
export interface RiskSnapshot {
  tradingState: TradingState;
  equity: number;
  buyingPower: number;
  /** Signed market value per symbol held at the broker. */
  positions: Record<string, number>;
  /** Live trades (PENDING, OPEN, CLOSING, NEEDS_ATTENTION); the entering pair's own is ignored by the checks. */
  liveTrades: Array<{ pairId: number; symbol1: string; symbol2: string }>;
  /** Entries planned but not filled yet (PENDING trades), by symbol, as signed notional: not in `positions` yet. */
  pendingExposure: Record<string, number>;
  /** Pair id -> end of its cooldown (epoch ms) and why. */
  cooldowns: Record<number, { untilMs: number; reason: string }>;
  /** Kelly over the window says there is no edge and the policy is to stop entering. */
  noEdge: { reason: string } | null;
  nowMs: number;
}

export interface EntryProposal {
  pairId: number;
  symbol1: string;
  symbol2: string;
  side: TradeSide;
  /** Estimated notional of each leg at the latest price (positive). */
  notional1: number;
  notional2: number;
}

export type RiskVerdict = { ok: true } | { ok: false; rule: RiskRule; reason: string; numbers: Record<string, number | string> };

const pct = (x: number): string => `${x.toFixed(2)}%`;
const usd = (x: number): string => `$${x.toFixed(2)}`;
const round2 = (x: number): number => Math.round(x * 100) / 100;

/** Signed notional of each leg: LONG_SPREAD buys symbol1 and sells symbol2. */
export function legExposure(p: EntryProposal): Record<string, number> {
  const sign = p.side === 'LONG_SPREAD' ? 1 : -1;
  const out: Record<string, number> = {};
  out[p.symbol1] = (out[p.symbol1] ?? 0) + sign * p.notional1;
  out[p.symbol2] = (out[p.symbol2] ?? 0) - sign * p.notional2;
  return out;
}

/**
 * The pre-trade checks, in order, first refusal wins: trading state, Kelly edge, the pair's cooldown, open pairs,
 * pairs per symbol, exposure per symbol, gross exposure, buying power. Exposure counts broker positions, entries
 * still pending and this entry's legs.
 */
export function checkEntry(limits: RiskLimits, s: RiskSnapshot, p: EntryProposal): RiskVerdict {
  const refuse = (rule: RiskRule, reason: string, numbers: Record<string, number | string>): RiskVerdict => ({ ok: false, rule, reason, numbers });
  if (s.tradingState !== 'ACTIVE')
    return refuse('TRADING_STATE', `trading state is ${s.tradingState}: no entries`, { trading_state: s.tradingState });
  if (s.noEdge) return refuse('NO_EDGE', s.noEdge.reason, { kelly_window_trades: limits.kelly_window_trades });
  const cooldown = s.cooldowns[p.pairId];
  if (cooldown && cooldown.untilMs > s.nowMs) {
    const hours = (cooldown.untilMs - s.nowMs) / 3_600_000;
    return refuse('COOLDOWN', `pair in cooldown for ${hours.toFixed(1)} h more (${cooldown.reason})`, {
      cooldown_until: new Date(cooldown.untilMs).toISOString(),
      hours_left: round2(hours),
    });
  }
  const others = s.liveTrades.filter((t) => t.pairId !== p.pairId);
  const openPairs = new Set(others.map((t) => t.pairId)).size;
  if (openPairs + 1 > limits.max_open_pairs) {
    return refuse('MAX_OPEN_PAIRS', `${openPairs} pairs already live, max_open_pairs ${limits.max_open_pairs}`, {
      open_pairs: openPairs,
      max_open_pairs: limits.max_open_pairs,
    });
  }
  for (const symbol of [p.symbol1, p.symbol2]) {
    const live = others.filter((t) => t.symbol1 === symbol || t.symbol2 === symbol).length;
    if (live + 1 > limits.max_pairs_per_symbol) {
      return refuse('MAX_PAIRS_PER_SYMBOL', `${symbol} is already in ${live} live trade(s), max_pairs_per_symbol ${limits.max_pairs_per_symbol}`, {
        symbol,
        live_trades: live,
        max_pairs_per_symbol: limits.max_pairs_per_symbol,
      });
    }
  }
  if (!(s.equity > 0)) return refuse('GROSS_EXPOSURE', `equity ${usd(s.equity)} is not positive`, { equity: s.equity });

  const after: Record<string, number> = { ...s.positions };
  for (const [symbol, v] of Object.entries(s.pendingExposure)) after[symbol] = (after[symbol] ?? 0) + v;
  const entry = legExposure(p);
  for (const [symbol, v] of Object.entries(entry)) after[symbol] = (after[symbol] ?? 0) + v;
  for (const symbol of Object.keys(entry)) {
    const exposurePct = (Math.abs(after[symbol]) / s.equity) * 100;
    if (exposurePct > limits.max_symbol_exposure_pct) {
      return refuse(
        'SYMBOL_EXPOSURE',
        `${symbol} exposure would be ${pct(exposurePct)} of equity > max_symbol_exposure_pct ${limits.max_symbol_exposure_pct}`,
        {
          symbol,
          exposure: round2(after[symbol]),
          exposure_pct: round2(exposurePct),
          equity: round2(s.equity),
          max_symbol_exposure_pct: limits.max_symbol_exposure_pct,
        },
      );
    }
  }
  const gross = Object.values(after).reduce((sum, v) => sum + Math.abs(v), 0);
  const grossPct = (gross / s.equity) * 100;
  if (grossPct > limits.max_gross_exposure_pct) {
    return refuse('GROSS_EXPOSURE', `gross exposure would be ${pct(grossPct)} of equity > max_gross_exposure_pct ${limits.max_gross_exposure_pct}`, {
      gross_exposure: round2(gross),
      gross_exposure_pct: round2(grossPct),
      equity: round2(s.equity),
      max_gross_exposure_pct: limits.max_gross_exposure_pct,
    });
  }
  if (limits.buying_power_check) {
    // Both legs open positions, so both consume buying power (Alpaca reserves market orders at price x 1.03).
    const required = (p.notional1 + p.notional2) * 1.03;
    const pendingRequired = Object.values(s.pendingExposure).reduce((sum, v) => sum + Math.abs(v), 0) * 1.03;
    const left = s.buyingPower - pendingRequired - required;
    const reserve = (limits.buying_power_reserve_pct / 100) * s.equity;
    if (left < reserve) {
      return refuse(
        'BUYING_POWER',
        `entry needs ${usd(required)} of buying power; ${usd(s.buyingPower)} available would leave ${usd(left)} < reserve ${usd(reserve)} (buying_power_reserve_pct ${limits.buying_power_reserve_pct})`,
        {
          buying_power: round2(s.buyingPower),
          required: round2(required),
          pending_required: round2(pendingRequired),
          reserve: round2(reserve),
          equity: round2(s.equity),
        },
      );
    }
  }
  return { ok: true };
}
