/**
 * The walk-forward's portfolio simulation applies the live engine's risk rules (strategy/risk/*): each case runs
 * the same signals twice, once with a limit that must refuse an entry and once without it, and checks the trades.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { resolveSimParams } from '../../strategy/backtest';
import { initialPortfolioState, simulatePortfolio, type PortfolioPair, type PortfolioTrade } from '../../strategy/portfolio-simulation';
import { parsePriceCsv } from '../../strategy/price-matrix';
import { DEFAULT_RISK_LIMITS, type RiskLimits } from '../../strategy/risk/limits';
import { runWalkForward } from '../../strategy/walkforward';

const HOUR = 3_600_000;
const params = resolveSimParams({ thresholds: { entry: 2, exit: 0.5, stopLoss: 3, maxHoldHours: 1000 } });

function run(pairs: PortfolioPair[], n: number, risk: Partial<RiskLimits> | null, capital = 100_000) {
  const ts = Float64Array.from({ length: n }, (_, k) => k * HOUR);
  const log: PortfolioTrade[] = [];
  const state = initialPortfolioState(capital);
  const out = simulatePortfolio(ts, pairs, { ...params, ...(risk ? { risk: { ...DEFAULT_RISK_LIMITS, ...risk } } : {}) }, state, log);
  return { ...out, log, state, ts };
}

const flat = (n: number, v: number) => new Float64Array(n).fill(v);
const zPath = (n: number, f: (k: number) => number) => Float64Array.from({ length: n }, (_, k) => f(k));
const pair = (name: string, n: number, z: Float64Array): PortfolioPair => ({
  name,
  price1: flat(n, 50),
  price2: flat(n, 40),
  z,
  halfLifeHours: null,
});

describe('portfolio simulation with the live risk rules', () => {
  it('max_open_pairs 1: of two simultaneous entry signals only the first pair trades', () => {
    const n = 10;
    const z = zPath(n, (k) => (k >= 2 && k < 6 ? -2.5 : 0));
    const pairs = [pair('A/B', n, z), pair('C/D', n, z)];
    const limited = run(pairs, n, { max_open_pairs: 1 });
    expect(limited.log.map((t) => t.pair)).toEqual(['A/B']);
    // Refused on every bar C/D signals while A/B is open (bars 2..5).
    expect(limited.refused).toEqual({ MAX_OPEN_PAIRS: 4 });
    const open = run(pairs, n, { max_open_pairs: 2 });
    expect(open.log.map((t) => t.pair).sort()).toEqual(['A/B', 'C/D']);
    expect(open.refused).toEqual({});
  });

  it('max_pairs_per_symbol 1: a second pair sharing a leg is refused', () => {
    const n = 10;
    const z = zPath(n, (k) => (k >= 2 && k < 6 ? 2.5 : 0));
    const pairs = [pair('A/B', n, z), pair('A/C', n, z)];
    const limited = run(pairs, n, { max_pairs_per_symbol: 1 });
    expect(limited.log.map((t) => t.pair)).toEqual(['A/B']);
    expect(limited.refused.MAX_PAIRS_PER_SYMBOL).toBe(4);
    expect(run(pairs, n, { max_pairs_per_symbol: 2 }).log).toHaveLength(2);
  });

  it('exposure per symbol and buying power are measured on the simulated account', () => {
    const n = 10;
    const z = zPath(n, (k) => (k >= 2 && k < 6 ? -2.5 : 0));
    // Bootstrap 2% of 100k per leg: $2,000 of A, 2% of equity. A limit of 1.5% refuses it.
    const exposure = run([pair('A/B', n, z)], n, { max_symbol_exposure_pct: 1.5 });
    expect(exposure.log).toHaveLength(0);
    expect(exposure.refused.SYMBOL_EXPOSURE).toBe(4);
    expect(run([pair('A/B', n, z)], n, { max_symbol_exposure_pct: 2.5 }).log).toHaveLength(1);
    // Reg T buying power 2 x equity: legs of $4,000 x 1.03 leave less than a 199.99% reserve.
    const bp = run([pair('A/B', n, z)], n, { buying_power_reserve_pct: 199.99, max_symbol_exposure_pct: 400, max_gross_exposure_pct: 400 });
    expect(bp.refused.BUYING_POWER).toBe(4);
    expect(run([pair('A/B', n, z)], n, { buying_power_check: false, buying_power_reserve_pct: 199.99 }).log).toHaveLength(1);
  });

  it('a stop-out puts the pair in cooldown: no re-entry for cooldown_after_stop_loss_hours', () => {
    const n = 40;
    // Enter at bar 1 (z -2.5), stopped out at bar 2 (z -4, beyond stop 3), entry signal again from bar 3 to 30.
    const z = zPath(n, (k) => (k === 1 ? -2.5 : k === 2 ? -4 : k >= 3 && k <= 30 ? -2.5 : 0));
    const cooled = run([pair('A/B', n, z)], n, { cooldown_after_stop_loss_hours: 24 });
    expect(cooled.log.map((t) => t.exit_reason)).toEqual(['STOP_LOSS', 'EXIT']);
    // The cooldown ends 24 h after the stop-out (bar 2): the re-entry is at bar 26; bars 3..25 are refused.
    expect(cooled.log[1].entry_time).toBe(cooled.ts[26]);
    expect(cooled.refused).toEqual({ COOLDOWN: 23 });
    const none = run([pair('A/B', n, z)], n, { cooldown_after_stop_loss_hours: 0 });
    expect(none.log[1].entry_time).toBe(none.ts[3]);
    expect(none.refused).toEqual({});
  });

  it('Kelly over the rolling window with the no-edge policy: stop_entries stops, bootstrap keeps entering', () => {
    const n = 60;
    // A round trip every 4 bars on flat prices: every trade loses its costs, so Kelly has no edge.
    const z = zPath(n, (k) => (k % 4 === 1 ? -2.5 : 0));
    const bootstrapTrades = 3;
    const go = (risk: Partial<RiskLimits>) => {
      const ts = Float64Array.from({ length: n }, (_, k) => k * HOUR);
      const log: PortfolioTrade[] = [];
      const r = simulatePortfolio(
        ts,
        [pair('A/B', n, z)],
        { ...params, bootstrapTrades, risk: { ...DEFAULT_RISK_LIMITS, ...risk } },
        initialPortfolioState(100_000),
        log,
      );
      return { ...r, log };
    };
    const stopped = go({ kelly_no_edge: 'stop_entries', kelly_window_trades: 3 });
    expect(stopped.log).toHaveLength(bootstrapTrades);
    expect(stopped.log.every((t) => t.pnl < 0)).toBe(true);
    expect(stopped.refused.NO_EDGE).toBeGreaterThan(5);
    const bootstrap = go({ kelly_no_edge: 'bootstrap', kelly_window_trades: 3 });
    expect(bootstrap.log.length).toBe(Math.floor((n - 2) / 4) + 1);
    // Still at bootstrap size (2% of equity / $50 = 39 or 40 shares) after the losing streak.
    expect(bootstrap.log.every((t) => t.qty1 >= 39 && t.qty1 <= 40)).toBe(true);
    expect(bootstrap.refused).toEqual({});
  });

  it('Kelly reads only the latest kelly_window_trades: five winners no longer outweigh three losers', () => {
    const n = 80;
    const price1 = new Float64Array(n);
    // Trades enter on bars 1, 5, 9, ... and exit on the next bar. A rises 5% during each of the first five (winners),
    // then stays flat: every later trade loses its costs.
    let p = 50;
    for (let k = 0; k < n; k++) {
      if (k <= 18 && k % 4 === 2) p *= 1.05;
      price1[k] = p;
    }
    const z = zPath(n, (k) => (k % 4 === 1 ? -2.5 : 0));
    const ts = Float64Array.from({ length: n }, (_, k) => k * HOUR);
    const go = (window: number) => {
      const log: PortfolioTrade[] = [];
      const r = simulatePortfolio(
        ts,
        [{ name: 'A/B', price1, price2: flat(n, 40), z, halfLifeHours: null }],
        { ...params, bootstrapTrades: 3, risk: { ...DEFAULT_RISK_LIMITS, kelly_window_trades: window } },
        initialPortfolioState(100_000),
        log,
      );
      return { ...r, log };
    };
    const all = go(1000);
    expect(all.log.slice(0, 5).every((t) => t.pnl > 0)).toBe(true);
    expect(all.log).toHaveLength(20); // Kelly over every trade stays positive: entries on bars 1..77
    expect(all.refused).toEqual({});
    // Window 3: the three losers after the winners are the whole window, no edge, entries stop (the live rule).
    const windowed = go(3);
    expect(windowed.log).toHaveLength(8);
    expect(windowed.log.slice(5).every((t) => t.pnl < 0)).toBe(true);
    expect(windowed.refused.NO_EDGE).toBe(12);
  });
});

describe('walk-forward with the risk limits from its config input', () => {
  const matrix = parsePriceCsv(readFileSync(path.join(__dirname, '../fixtures/walkforward/spisector-daily.csv'), 'utf8'));

  it('defaults to the config defaults and never holds more pairs than max_open_pairs', () => {
    const defaults = runWalkForward(matrix, {});
    expect(defaults.params.risk).toEqual(DEFAULT_RISK_LIMITS);
    const one = runWalkForward(matrix, { risk: { max_open_pairs: 1, max_pairs_per_symbol: 5 } });
    expect(one.params.risk.max_open_pairs).toBe(1);
    expect(one.metrics.total_trades).toBeGreaterThan(0);
    const trades = [...one.trade_log].sort((a, b) => a.entry_time - b.entry_time);
    // Exits come before entries on a bar, so the next entry may be on the bar of the previous exit, not before.
    for (let i = 1; i < trades.length; i++) expect(trades[i].entry_time).toBeGreaterThanOrEqual(trades[i - 1].exit_time);
    expect(one.risk_refusals.MAX_OPEN_PAIRS).toBeGreaterThan(0);
    const perWindow = one.windows.reduce((s, w) => s + (w.risk_refusals.MAX_OPEN_PAIRS ?? 0), 0);
    expect(perWindow).toBe(one.risk_refusals.MAX_OPEN_PAIRS);
  });

  it('rejects an unusable risk limit with one line', () => {
    expect(() => runWalkForward(matrix, { risk: { max_open_pairs: 0 } })).toThrow(/risk max_open_pairs must be an integer >= 1/);
  });
});
