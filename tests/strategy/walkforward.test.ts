/**
 * The walk-forward engine: a one-window fixture whose single trade is worked out by hand (below, from the
 * formulas of the README, not from the engine's functions) and compared number for number; the portfolio
 * simulation against the single-pair backtester; the statistics against published values; the real-data
 * fixture (tests/fixtures/walkforward/spisector-daily.csv, rebuilt by extract-spisector.R).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { probabilityOfBacktestOverfitting } from '../../strategy/backtest-overfitting';
import { inferBarsPerYear } from '../../strategy/bars-per-year';
import { preparePair, resolveSimParams, simulate, type SimRecorder } from '../../strategy/backtest';
import { deflatedSharpe, expectedMaxSharpe, probabilisticSharpe, returnMoments } from '../../strategy/deflated-sharpe';
import { normalQuantile } from '../../strategy/normal-quantile';
import { initialPortfolioState, simulatePortfolio, type PortfolioTrade } from '../../strategy/portfolio-simulation';
import { parsePriceCsv, type PriceMatrix } from '../../strategy/price-matrix';
import { mulberry32 } from '../../strategy/synthetic-universe';
import { DEFAULT_SWEEP_GRID, runWalkForward } from '../../strategy/walkforward';
import { runWalkForwardParallel } from '../../strategy/walkforward-parallel';
import { BacktestInputError } from '../../strategy/backtest-input-error';

const DAY = 86_400_000;
const FORMATION = 200;
const TRADING = 20;
const SPIKE = 5; // trading bar of the entry

/**
 * Two symbols on 220 consecutive daily bars. log B is a random walk; log A = log B + log(0.8) + u, with u an
 * AR(1) (phi 0.8) made exactly orthogonal to [1, log B] over the formation bars, so the OLS hedge ratio of the
 * formation window is exactly 1 (up to rounding) and the spread is log(0.8) + u. In the trading window u is
 * tiny noise except at trading bar 5, where it jumps by 3 formation standard deviations and comes back.
 */
function handFixture(): { matrix: PriceMatrix; u: Float64Array } {
  const n = FORMATION + TRADING;
  const rnd = mulberry32(2024);
  const lb = new Float64Array(n);
  const u = new Float64Array(n);
  lb[0] = Math.log(50);
  for (let t = 1; t < n; t++) lb[t] = lb[t - 1] + 0.01 * (rnd() - 0.5);
  for (let t = 1; t < FORMATION; t++) u[t] = 0.8 * u[t - 1] + 0.01 * (rnd() - 0.5);
  // Residualise u on [1, log B] over the formation bars.
  let mb = 0;
  let mu = 0;
  for (let t = 0; t < FORMATION; t++) {
    mb += lb[t];
    mu += u[t];
  }
  mb /= FORMATION;
  mu /= FORMATION;
  let sbb = 0;
  let sbu = 0;
  for (let t = 0; t < FORMATION; t++) {
    sbb += (lb[t] - mb) ** 2;
    sbu += (lb[t] - mb) * (u[t] - mu);
  }
  const slope = sbu / sbb;
  for (let t = 0; t < FORMATION; t++) u[t] = u[t] - mu - slope * (lb[t] - mb);
  let sd = 0;
  for (let t = 0; t < FORMATION; t++) sd += u[t] * u[t];
  sd = Math.sqrt(sd / (FORMATION - 1));
  for (let k = 0; k < TRADING; k++) u[FORMATION + k] = (k === SPIKE ? 3 * sd : 0) + 0.0001 * (rnd() - 0.5);
  const timestamps = new Float64Array(n);
  const a = new Float64Array(n);
  const b = new Float64Array(n);
  for (let t = 0; t < n; t++) {
    timestamps[t] = Date.UTC(2020, 0, 1) + t * DAY;
    b[t] = Math.exp(lb[t]);
    a[t] = Math.exp(lb[t] + Math.log(0.8) + u[t]);
  }
  return { matrix: { timestamps, symbols: ['AAA', 'BBB'], prices: [a, b] }, u };
}

describe('walk-forward on a fixture worked out by hand', () => {
  const { matrix } = handFixture();
  const result = runWalkForward(matrix, { formationBars: FORMATION, tradingBars: TRADING });
  const [a, b] = matrix.prices;

  // By hand. Hedge ratio 1, so spread_t = ln A_t - ln B_t; z_t = (spread_t - mean) / std over the 40 spreads
  // ending at t (sample std).
  const spread = (t: number) => Math.log(a[t]) - Math.log(b[t]);
  const z = (t: number) => {
    let m = 0;
    for (let k = t - 39; k <= t; k++) m += spread(k);
    m /= 40;
    let v = 0;
    for (let k = t - 39; k <= t; k++) v += (spread(k) - m) ** 2;
    return (spread(t) - m) / Math.sqrt(v / 39);
  };
  const entryBar = FORMATION + SPIKE;

  it('discovers the pair with hedge ratio 1 and runs one window over the last 20 bars', () => {
    expect(result.windows).toHaveLength(1);
    const [w] = result.windows;
    expect(w.pairs.map((p) => p.name)).toEqual(['AAA/BBB']);
    expect(w.pairs[0].hedge_ratio).toBeCloseTo(1, 12);
    expect(w.trading_start).toBe(matrix.timestamps[FORMATION]);
    expect(w.trading_bars).toBe(TRADING);
    expect(result.params.bars_per_year).toBeCloseTo(365.25, 9);
  });

  it('makes exactly the trade the signal table, the bootstrap sizing and the costs give by hand', () => {
    // Every trading bar before the spike is inside the entry band; the spike is between entry 2 and stop 3:
    // SHORT_SPREAD (short AAA, long BBB). The next bar is back inside the exit band 0.5: EXIT.
    for (let t = FORMATION; t < entryBar; t++) expect(Math.abs(z(t))).toBeLessThan(2);
    expect(z(entryBar)).toBeGreaterThan(2);
    expect(z(entryBar)).toBeLessThan(3);
    expect(Math.abs(z(entryBar + 1))).toBeLessThan(0.5);
    // Bootstrap sizing: 2% of the $100,000 equity per leg, whole shares.
    const qtyA = Math.floor(2000 / a[entryBar]);
    const qtyB = Math.floor(2000 / b[entryBar]);
    // Fills 5 bps against us; commission max($1, $0.005 x shares) per order, four orders.
    const slip = 0.0005;
    const entryA = a[entryBar] * (1 - slip); // sell short
    const entryB = b[entryBar] * (1 + slip); // buy
    const exitA = a[entryBar + 1] * (1 + slip); // buy back
    const exitB = b[entryBar + 1] * (1 - slip); // sell
    const commission = (q: number) => Math.max(1, 0.005 * q);
    const pnl = qtyA * (entryA - exitA) + qtyB * (exitB - entryB) - 2 * commission(qtyA) - 2 * commission(qtyB);

    expect(result.trade_log).toHaveLength(1);
    const t = result.trade_log[0];
    expect(t).toMatchObject({ pair: 'AAA/BBB', side: 'SHORT_SPREAD', exit_reason: 'EXIT', qty1: qtyA, qty2: qtyB, window: 0 });
    expect(t.entry_time).toBe(matrix.timestamps[entryBar]);
    expect(t.exit_time).toBe(matrix.timestamps[entryBar + 1]);
    expect(t.hold_hours).toBe(24);
    expect(t.entry_z).toBeCloseTo(z(entryBar), 9);
    expect(t.exit_z).toBeCloseTo(z(entryBar + 1), 9);
    expect(t.entry_price1).toBeCloseTo(entryA, 10);
    expect(t.entry_price2).toBeCloseTo(entryB, 10);
    expect(t.exit_price1).toBeCloseTo(exitA, 10);
    expect(t.exit_price2).toBeCloseTo(exitB, 10);
    expect(t.pnl).toBeCloseTo(pnl, 9);

    // Equity: flat at $100,000 before the entry; at the entry bar's close, cash minus costs plus the marked legs.
    const cashAfterEntry = 100_000 + qtyA * entryA - qtyB * entryB - commission(qtyA) - commission(qtyB);
    const equityAtEntry = cashAfterEntry - qtyA * a[entryBar] + qtyB * b[entryBar];
    const curve = result.equity_curve.map((p) => p.equity);
    expect(curve.slice(0, SPIKE)).toEqual(new Array(SPIKE).fill(100_000));
    expect(curve[SPIKE]).toBeCloseTo(equityAtEntry, 8);
    for (let k = SPIKE + 1; k < TRADING; k++) expect(curve[k]).toBeCloseTo(100_000 + pnl, 8);

    const [w] = result.windows;
    expect(w.trades).toBe(1);
    expect(w.pnl).toBeCloseTo(pnl, 9);
    expect(w.return).toBeCloseTo(pnl / 100_000, 12);
    expect(result.metrics.total_trades).toBe(1);
    expect(result.metrics.win_rate).toBe(pnl > 0 ? 1 : 0);
    expect(result.metrics.total_return).toBeCloseTo(pnl / 100_000, 12);
    expect(result.metrics.final_equity).toBeCloseTo(100_000 + pnl, 8);

    // Sharpe by hand: per-bar returns of the 20 trading bars, mean / sample std x sqrt(365.25 bars a year).
    const returns = curve.map((e, k) => e / (k === 0 ? 100_000 : curve[k - 1]) - 1);
    const mean = returns.reduce((s, r) => s + r, 0) / returns.length;
    const std = Math.sqrt(returns.reduce((s, r) => s + (r - mean) ** 2, 0) / (returns.length - 1));
    expect(result.metrics.sharpe_ratio).toBeCloseTo((mean / std) * Math.sqrt(365.25), 6);
    // Max drawdown: the worst fall below the running peak.
    let peak = 100_000;
    let dd = 0;
    for (const e of curve) {
      peak = Math.max(peak, e);
      dd = Math.max(dd, (peak - e) / peak);
    }
    expect(result.metrics.max_drawdown).toBeCloseTo(dd, 12);
    // One pair tested, one configuration: N = 1, no deflation (DSR = PSR(0)).
    expect(result.deflated_sharpe.trials).toBe(1);
    expect(result.deflated_sharpe.deflatedSharpe).toBe(result.deflated_sharpe.probabilisticSharpe);
    expect(result.overfitting).toBeNull();
  });
});

describe('portfolio simulation', () => {
  const doc = JSON.parse(readFileSync('/work/shared/reference/pair_coint_hl20.json', 'utf8')) as {
    inputs: { time_ms: number[]; p1: number[]; p2: number[] };
  };
  const input = {
    timestamps: Float64Array.from(doc.inputs.time_ms),
    price1: Float64Array.from(doc.inputs.p1),
    price2: Float64Array.from(doc.inputs.p2),
    formationBars: 500,
    thresholds: { entry: 1.5, exit: 0.25, stopLoss: 3.5, maxHoldHours: 48 },
  };

  it('with one pair equals the single-pair backtester bar for bar and trade for trade', () => {
    const pair = preparePair(input);
    const params = resolveSimParams(input);
    const rec: SimRecorder = { equity: new Float64Array(pair.timestamps.length), trades: [] };
    const metrics = simulate(pair, params, rec);
    expect(metrics.total_trades).toBeGreaterThan(5);
    const state = initialPortfolioState(params.initialCapital);
    const log: PortfolioTrade[] = [];
    const run = simulatePortfolio(
      pair.timestamps,
      [{ name: 'P1/P2', price1: pair.price1, price2: pair.price2, z: pair.z, halfLifeHours: pair.halfLifeHours }],
      params,
      state,
      log,
    );
    expect(Array.from(run.equity)).toEqual(Array.from(rec.equity));
    expect(log.map(({ pair: _p, ...t }) => t)).toEqual(rec.trades);
    expect(run.trades).toBe(metrics.total_trades);
  });

  it('closes a position still open on the last bar of the stretch (END) and carries cash and the trade record', () => {
    const n = 10;
    const ts = Float64Array.from({ length: n }, (_, k) => k * 3_600_000);
    const flat = (v: number) => new Float64Array(n).fill(v);
    const z = Float64Array.from({ length: n }, (_, k) => (k >= 2 ? -2.5 : 0)); // LONG_SPREAD at bar 2, never back inside the exit band
    const params = resolveSimParams({});
    const state = initialPortfolioState(100_000);
    const log: PortfolioTrade[] = [];
    const run = simulatePortfolio(ts, [{ name: 'A/B', price1: flat(50), price2: flat(40), z, halfLifeHours: null }], params, state, log);
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({ side: 'LONG_SPREAD', exit_reason: 'END', entry_time: ts[2], exit_time: ts[n - 1], qty1: 40, qty2: 50 });
    // Flat prices: the P&L is the slippage on four fills and four $1 commissions.
    const pnl = 40 * (50 * 0.9995 - 50 * 1.0005) + -50 * (40 * 1.0005 - 40 * 0.9995) - 4;
    expect(log[0].pnl).toBeCloseTo(pnl, 9);
    expect(state).toMatchObject({ closedTrades: 1, wins: 0 });
    expect(state.cash).toBeCloseTo(100_000 + pnl, 9);
    expect(run.equity[n - 1]).toBeCloseTo(100_000 + pnl, 9);
  });

  it('shares the capital: a second pair is sized on the equity with the first position open', () => {
    const pair = preparePair(input);
    const params = resolveSimParams(input);
    const one = { name: 'X', price1: pair.price1, price2: pair.price2, z: pair.z, halfLifeHours: pair.halfLifeHours };
    const log: PortfolioTrade[] = [];
    simulatePortfolio(pair.timestamps, [one, { ...one, name: 'Y' }], params, initialPortfolioState(100_000), log);
    const x = log.filter((t) => t.pair === 'X');
    const y = log.filter((t) => t.pair === 'Y');
    expect(x.length).toBe(y.length);
    // Same signals on the same bars; Y enters after X on the same bar, so it sees the equity after X's costs.
    expect(x.map((t) => t.entry_time)).toEqual(y.map((t) => t.entry_time));
  });
});

describe('statistics', () => {
  it('normalQuantile inverts the normal CDF', () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963984540054, 13);
    expect(normalQuantile(0.5)).toBe(0);
    expect(normalQuantile(1e-10)).toBeCloseTo(-6.361340902404056, 11);
  });

  it('reproduces the numerical example of Bailey & López de Prado (2014): SR0 0.1132, DSR 0.9004', () => {
    // N = 100 trials, V[SR_n] = 1/2 annualised, T = 1250 daily returns, SR 2.5 annualised, skew -3, kurtosis 10.
    const sr0 = expectedMaxSharpe(100, 0.5 / 250);
    expect(sr0).toBeCloseTo(0.1132, 4);
    const dsr = probabilisticSharpe({ count: 1250, mean: 0, std: 1, sharpe: 2.5 / Math.sqrt(250), skewness: -3, kurtosis: 10 }, sr0);
    expect(dsr).toBeCloseTo(0.9004, 4);
  });

  it('moments: skewness and kurtosis of a known sample; one trial is no deflation', () => {
    const m = returnMoments([1, 2, 3, 4, 10]);
    expect(m.mean).toBe(4);
    expect(m.std).toBeCloseTo(Math.sqrt(50 / 4), 12);
    // deviations -3 -2 -1 0 6: population m2 = 50 / 5 = 10, m3 = 180 / 5 = 36, m4 = 1394 / 5 = 278.8
    expect(m.skewness).toBeCloseTo(36 / Math.pow(10, 1.5), 12);
    expect(m.kurtosis).toBeCloseTo(2.788, 12);
    const d = deflatedSharpe([0.01, -0.005, 0.02, 0.003], 1, 0.5);
    expect(d.expectedMaxSharpe).toBe(0);
    expect(d.deflatedSharpe).toBe(d.probabilisticSharpe);
  });

  it('PBO by hand on 2 blocks and 2 configurations', () => {
    // Block 1: A wins; block 2: B wins. IS block 1 -> picks A, A is worst OOS (rank 1 of 2): omega 1/3, logit < 0.
    // IS block 2 -> picks B, B worst in block 1: logit < 0. PBO = 1.
    const A = [0.02, 0.01, 0.03, 0.02, -0.01, -0.02, -0.01, -0.03];
    const B = [-0.01, -0.02, -0.01, -0.03, 0.02, 0.01, 0.03, 0.02];
    const r = probabilityOfBacktestOverfitting([A, B], 2)!;
    expect(r.combinations).toBe(2);
    expect(r.pbo).toBe(1);
    expect(r.logits[0]).toBeCloseTo(Math.log(1 / 3 / (2 / 3)), 12);
    // A persistent winner is never overfit.
    const C = A.map((x) => x + 0.1 + 0.001 * Math.sin(x * 1000));
    expect(probabilityOfBacktestOverfitting([A, B, C], 2)!.pbo).toBe(0);
  });

  it('PBO of pure noise configurations is about one half on average', () => {
    // One matrix's PBO varies a lot (the combinations share blocks), so average over 20 noise matrices.
    const rnd = mulberry32(99);
    let sum = 0;
    for (let k = 0; k < 20; k++) {
      const cols = Array.from({ length: 10 }, () => Array.from({ length: 160 }, () => rnd() - 0.5));
      const r = probabilityOfBacktestOverfitting(cols, 8)!;
      expect(r.combinations).toBe(70);
      sum += r.pbo;
    }
    expect(sum / 20).toBeGreaterThan(0.35);
    expect(sum / 20).toBeLessThan(0.65);
    expect(probabilityOfBacktestOverfitting([[1, 2, 3, 4, 5, 6, 7, 8]], 2)).toBeNull();
    expect(
      probabilityOfBacktestOverfitting(
        Array.from({ length: 20 }, () => Array.from({ length: 800 }, () => rnd())),
        16,
      )!.combinations,
    ).toBe(12870);
  });

  it('bars per year from the timestamps', () => {
    const daily = Float64Array.from({ length: 366 }, (_, k) => k * DAY);
    expect(inferBarsPerYear(daily)).toBeCloseTo(365.25, 9);
  });
});

describe('walk-forward on the real-data fixture (SPISECTOR, Swiss sector indices, daily 2000-2008)', () => {
  const matrix = parsePriceCsv(readFileSync(path.join(__dirname, '../fixtures/walkforward/spisector-daily.csv'), 'utf8'));

  it('infers daily bars, uses the daily windows, sweeps 27 configurations and reports DSR and PBO', async () => {
    const result = await runWalkForwardParallel(matrix, { sweep: DEFAULT_SWEEP_GRID, workers: 0 });
    expect(result.params.bars_per_year).toBeGreaterThan(240);
    expect(result.params.bars_per_year).toBeLessThan(260);
    expect(result.params.formation_bars).toBe(504);
    expect(result.params.trading_bars).toBe(126);
    expect(result.windows.length).toBe(Math.ceil((2216 - 504 - 1) / 126));
    expect(result.configurations).toBe(27);
    expect(result.metrics.total_trades).toBeGreaterThan(10);
    expect(result.metrics.bars).toBe(2216 - 504);
    expect(result.equity_curve).toHaveLength(2216 - 504);
    // N counts every pair (45 per window) and configuration (27) tried.
    expect(result.deflated_sharpe.trials).toBe(result.windows.length * 45 * 27);
    expect(result.overfitting).not.toBeNull();
    expect(result.overfitting!.pbo).toBeGreaterThanOrEqual(0);
    expect(result.overfitting!.pbo).toBeLessThanOrEqual(1);
    // The parallel discovery gives the same answer as the single-thread run.
    expect(JSON.stringify(await runWalkForwardParallel(matrix, { sweep: DEFAULT_SWEEP_GRID, workers: 2 }))).toBe(JSON.stringify(result));
  });

  it('rejects unusable settings with one line', () => {
    expect(() => runWalkForward(matrix, { tradingBars: 100, stepBars: 50 })).toThrow(BacktestInputError);
    expect(() => runWalkForward(matrix, { formationBars: 5000 })).toThrow(/need at least formation bars/);
  });
});
