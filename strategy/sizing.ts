/**
 * Position sizing per the spec (half-Kelly with a bootstrap phase and a per-leg hard cap).
 * Called once per entry by both the live cycle and the backtester.
 *
 *   bootstrap (closed < bootstrapTrades): per_leg_capital = bootstrapPct x equity
 *   kelly     (closed >= bootstrapTrades):
 *     kelly_f         = win_rate - (1 - win_rate) / avg_win_ratio,  avg_win_ratio = meanWin / meanLoss
 *     per_leg_capital = (kelly_f / 2) x equity / 2
 *   both: per_leg_capital <= maxLegPct x equity; shares = floor(per_leg_capital / price) per leg.
 *
 * Edge cases (Kelly phase):
 *   - no losing trades (or mean loss 0): the ratio is unbounded, so the loss term vanishes and
 *     kelly_f = win_rate (= 1); the hard cap then binds.
 *   - no winning trades: the formula diverges to -infinity; kelly_f is reported as null and no
 *     position is taken.
 *   - kelly_f <= 0: no edge, no position (ok: false).
 * A trade counts as a win when its P&L is > 0; every other closed trade is a loss.
 */

export interface ClosedTradeStats {
  count: number;
  wins: number;
  meanWin: number;
  meanLoss: number;
} // meanLoss as a positive magnitude
export interface SizingInput {
  equity: number;
  price1: number;
  price2: number;
  closed: ClosedTradeStats;
  /** position_pct: fraction of equity per leg in the bootstrap phase (spec: 0.02). */
  bootstrapPct: number;
  /** Hard cap per leg as a fraction of equity (spec: 0.10). */
  maxLegPct?: number;
  /** Closed trades needed before Kelly sizing applies (spec: 20). */
  bootstrapTrades?: number;
}
export type SizingResult =
  | {
      ok: true;
      phase: 'bootstrap' | 'kelly';
      kellyFraction: number | null;
      perLegCapital: number;
      qty1: number;
      qty2: number;
      capped: boolean;
      reason: string;
    }
  | { ok: false; phase: 'bootstrap' | 'kelly'; kellyFraction: number | null; reason: string };

export const DEFAULT_MAX_LEG_PCT = 0.1;
export const DEFAULT_BOOTSTRAP_TRADES = 20;
/** Absorbs binary rounding (e.g. 0.1 x 3 / 0.3 = 0.9999...) before flooring to whole shares. */
const SHARE_EPSILON = 1e-9;

/** Summary of closed-trade P&Ls for Kelly sizing. */
export function closedTradeStats(pnls: ArrayLike<number>): ClosedTradeStats {
  let wins = 0;
  let sumWin = 0;
  let sumLoss = 0;
  for (let i = 0; i < pnls.length; i++) {
    const p = pnls[i];
    if (!Number.isFinite(p)) throw new RangeError(`closed trade P&L #${i} is not a finite number: ${String(p)}`);
    if (p > 0) {
      wins++;
      sumWin += p;
    } else {
      sumLoss -= p;
    }
  }
  const losses = pnls.length - wins;
  return {
    count: pnls.length,
    wins,
    meanWin: wins > 0 ? sumWin / wins : 0,
    meanLoss: losses > 0 ? sumLoss / losses : 0,
  };
}

/**
 * Full Kelly fraction from closed-trade stats (see the edge cases above); null when there are no
 * trades or no wins.
 */
export function kellyFraction(stats: ClosedTradeStats): number | null {
  const kf = kellyFromCounts(stats.count, stats.wins, stats.meanWin, stats.meanLoss);
  return Number.isNaN(kf) ? null : kf;
}

/** kellyFraction on plain numbers; NaN stands for "undefined" (no trades or no wins). */
export function kellyFromCounts(count: number, wins: number, meanWin: number, meanLoss: number): number {
  if (count <= 0 || wins <= 0) return NaN;
  const winRate = wins / count;
  if (count === wins || !(meanLoss > 0)) return winRate;
  return winRate - (1 - winRate) / (meanWin / meanLoss);
}

/**
 * The sizing rule on plain numbers, allocation-free for the backtester's loop: per-leg capital
 * after the hard cap, or 0 when the Kelly phase refuses to trade (Kelly undefined or <= 0).
 * Inputs are assumed valid; sizeLegs validates them and explains the result.
 */
export function legCapital(
  equity: number,
  closedCount: number,
  wins: number,
  meanWin: number,
  meanLoss: number,
  bootstrapPct: number,
  maxLegPct: number,
  bootstrapTrades: number,
): number {
  let wanted: number;
  if (closedCount < bootstrapTrades) {
    wanted = bootstrapPct * equity;
  } else {
    const kf = kellyFromCounts(closedCount, wins, meanWin, meanLoss);
    if (!(kf > 0)) return 0;
    wanted = ((kf / 2) * equity) / 2;
  }
  const cap = maxLegPct * equity;
  return wanted > cap ? cap : wanted;
}

/** Whole shares that per-leg capital buys at a price. */
export function sharesFor(capital: number, price: number): number {
  const q = Math.floor(capital / price + SHARE_EPSILON);
  return q > 0 ? q : 0;
}

function statsProblem(s: ClosedTradeStats): string | null {
  if (!s || typeof s !== 'object') return 'closed-trade stats missing';
  if (!Number.isInteger(s.count) || s.count < 0) return `closed trade count must be a non-negative integer, got ${String(s.count)}`;
  if (!Number.isInteger(s.wins) || s.wins < 0 || s.wins > s.count) return `wins must be an integer in [0, ${s.count}], got ${String(s.wins)}`;
  if (!Number.isFinite(s.meanWin) || s.meanWin < 0) return `meanWin must be a finite number >= 0, got ${String(s.meanWin)}`;
  if (!Number.isFinite(s.meanLoss) || s.meanLoss < 0) return `meanLoss must be a finite magnitude >= 0, got ${String(s.meanLoss)}`;
  return null;
}

const positive = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x) && x > 0;

export function sizeLegs(input: SizingInput): SizingResult {
  const maxLegPct = input.maxLegPct ?? DEFAULT_MAX_LEG_PCT;
  const bootstrapTrades = input.bootstrapTrades ?? DEFAULT_BOOTSTRAP_TRADES;
  const closedCount = input.closed && Number.isInteger(input.closed.count) ? input.closed.count : 0;
  const phase: 'bootstrap' | 'kelly' = closedCount < bootstrapTrades ? 'bootstrap' : 'kelly';
  const refuse = (reason: string, kf: number | null = null): SizingResult => ({ ok: false, phase, kellyFraction: kf, reason });

  if (!positive(input.equity)) return refuse(`equity must be a positive finite number, got ${String(input.equity)}`);
  if (!positive(input.price1)) return refuse(`price1 must be a positive finite number, got ${String(input.price1)}`);
  if (!positive(input.price2)) return refuse(`price2 must be a positive finite number, got ${String(input.price2)}`);
  if (!positive(input.bootstrapPct) || input.bootstrapPct > 1) return refuse(`bootstrapPct must be in (0, 1], got ${String(input.bootstrapPct)}`);
  if (!positive(maxLegPct) || maxLegPct > 1) return refuse(`maxLegPct must be in (0, 1], got ${String(maxLegPct)}`);
  if (!Number.isInteger(bootstrapTrades) || bootstrapTrades < 0)
    return refuse(`bootstrapTrades must be a non-negative integer, got ${String(bootstrapTrades)}`);
  const problem = statsProblem(input.closed);
  if (problem) return refuse(problem);

  const kf = phase === 'kelly' ? kellyFraction(input.closed) : null;
  let basis: string;
  if (phase === 'bootstrap') {
    basis = `bootstrap (${closedCount} of ${bootstrapTrades} closed trades): ${(input.bootstrapPct * 100).toFixed(2)}% of equity per leg`;
  } else {
    if (kf === null) return refuse(`no winning trades in ${closedCount}: Kelly fraction undefined, no position`);
    if (kf <= 0) return refuse(`Kelly fraction ${kf.toFixed(4)} <= 0: no edge, no position`, kf);
    basis = `half-Kelly (kelly_f ${kf.toFixed(4)} from ${closedCount} closed trades): ${((kf / 4) * 100).toFixed(2)}% of equity per leg`;
  }
  const { count, wins, meanWin, meanLoss } = input.closed;
  const perLegCapital = legCapital(input.equity, count, wins, meanWin, meanLoss, input.bootstrapPct, maxLegPct, bootstrapTrades);
  const wantedPct = phase === 'bootstrap' ? input.bootstrapPct : (kf as number) / 4;
  const capped = wantedPct > maxLegPct;
  const qty1 = sharesFor(perLegCapital, input.price1);
  const qty2 = sharesFor(perLegCapital, input.price2);
  const capNote = capped ? `, capped at ${(maxLegPct * 100).toFixed(2)}%` : '';
  if (qty1 < 1 || qty2 < 1) {
    const leg = qty1 < 1 ? `price1 ${input.price1}` : `price2 ${input.price2}`;
    return refuse(`${basis}${capNote}: $${perLegCapital.toFixed(2)} per leg buys 0 shares at ${leg}`, kf);
  }
  return {
    ok: true,
    phase,
    kellyFraction: kf,
    perLegCapital,
    qty1,
    qty2,
    capped,
    reason: `${basis}${capNote}: $${perLegCapital.toFixed(2)} per leg -> ${qty1} / ${qty2} shares`,
  };
}
