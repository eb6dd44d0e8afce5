import { readFileSync } from 'node:fs';
import path from 'node:path';
import { BacktestInputError, preparePair, runBacktest, type BacktestCosts, type BacktestInput, type TradeLogEntry } from '../../strategy/backtest';
import { decideSignal, type Thresholds, type TradeSide } from '../../strategy/signals';
import { closedTradeStats, sizeLegs } from '../../strategy/sizing';
import { fitHedge } from '../../strategy/ols';
import { GATE, passesGate } from '../../strategy/metrics';
import { noise, syntheticPair } from './backtest-fixtures';

const ZERO_COSTS: BacktestCosts = { commissionPerShare: 0, minCommissionPerOrder: 0, slippageBps: 0 };
const FORMATION = 200;

function referencePair(id: string): Pick<BacktestInput, 'timestamps' | 'price1' | 'price2'> {
  const file = path.join('/work/shared/reference', `pair_${id}.json`);
  const doc = JSON.parse(readFileSync(file, 'utf8')) as { inputs: { time_ms: number[]; p1: number[]; p2: number[] } };
  return { timestamps: Float64Array.from(doc.inputs.time_ms), price1: Float64Array.from(doc.inputs.p1), price2: Float64Array.from(doc.inputs.p2) };
}

/**
 * Test spread: flat, then at test bar 60 a shock beyond the stop (no entry), 61..63 moderately
 * cheap (entry at 61, hold), and `at64` at test bar 64; flat afterwards.
 */
function shockScenario(at64: number, length = 65): number[] {
  return Array.from({ length }, (_, k) => (k === 60 ? -0.006 : k > 60 && k < 64 ? -0.004 : k === 64 ? at64 : 0));
}

function run(spread: number[], thresholds: Partial<Thresholds>, costs: BacktestCosts = ZERO_COSTS) {
  const pair = syntheticPair(FORMATION, spread);
  const input: BacktestInput = {
    ...pair,
    formationBars: FORMATION,
    window: 40,
    costs,
    thresholds: { entry: 2, exit: 0.5, stopLoss: 3, maxHoldHours: 72, ...thresholds },
  };
  return { pair, input, prepared: preparePair(input), result: runBacktest(input) };
}

describe('signal handling in the backtest', () => {
  it('does not enter beyond the stop, enters on the next bar inside it', () => {
    const { prepared, result } = run(shockScenario(-0.004), { maxHoldHours: 2 });
    expect(prepared.z[60]).toBeLessThan(-3);
    expect(prepared.z[61]).toBeLessThan(-2);
    expect(prepared.z[61]).toBeGreaterThan(-3);
    const first = result.trade_log[0];
    expect(first.side).toBe('LONG_SPREAD');
    expect(first.entry_time).toBe(prepared.timestamps[61]);
    expect(first.entry_z).toBe(prepared.z[61]);
  });

  it('stops out rather than expiring when both apply on the same bar', () => {
    const { prepared, result } = run(shockScenario(-0.02), { maxHoldHours: 2 });
    expect(prepared.z[64]).toBeLessThan(-3); // stop condition
    const first = result.trade_log[0];
    expect(first.hold_hours).toBe(3); // > maxHoldHours: expire condition too
    expect(first.exit_reason).toBe('STOP_LOSS');
    expect(first.exit_time).toBe(prepared.timestamps[64]);
  });

  it('expires on hold time when z stays between exit and stop', () => {
    const { prepared, result } = run(shockScenario(-0.004), { maxHoldHours: 2 });
    expect(Math.abs(prepared.z[64])).toBeGreaterThan(0.5);
    expect(Math.abs(prepared.z[64])).toBeLessThan(3);
    expect(result.trade_log[0]).toMatchObject({ exit_reason: 'EXPIRE', hold_hours: 3, exit_time: prepared.timestamps[64] });
  });

  it('expires at 3 x the formation half-life when that is tighter than maxHoldHours', () => {
    const spread = Array.from({ length: 100 }, (_, k) => (k >= 61 ? -0.004 : k === 60 ? -0.006 : 0));
    const { prepared, result } = run(spread, { maxHoldHours: 1000 });
    expect(prepared.halfLifeHours).not.toBeNull();
    const limit = 3 * (prepared.halfLifeHours as number);
    const t = result.trade_log[0];
    expect(t.exit_reason).toBe('EXPIRE');
    expect(t.hold_hours).toBeGreaterThan(limit);
    expect(t.hold_hours - 1).toBeLessThanOrEqual(limit); // the first bar beyond the limit
  });

  it('exits when |z| falls inside the exit band', () => {
    const { prepared, result } = run(shockScenario(-0.0014), {});
    expect(Math.abs(prepared.z[64])).toBeLessThan(0.5);
    expect(result.trade_log[0]).toMatchObject({ exit_reason: 'EXIT', exit_time: prepared.timestamps[64] });
  });

  it('closes an open trade on the last bar with reason END', () => {
    const { prepared, result } = run(shockScenario(-0.004).slice(0, 63), {});
    expect(result.trade_log).toHaveLength(1);
    expect(result.trade_log[0]).toMatchObject({ exit_reason: 'END', exit_time: prepared.timestamps[62] });
    expect(result.equity_curve).toHaveLength(63);
  });
});

describe('accounting', () => {
  const spread = shockScenario(-0.0014); // one LONG_SPREAD trade, bars 61 -> 64
  const closes = syntheticPair(FORMATION, spread);
  const bar = (k: number) => FORMATION + k;

  it('books both legs, the short leg included, and marks equity to market each bar', () => {
    const { result } = run(spread, {});
    expect(result.trade_log).toHaveLength(1);
    const t = result.trade_log[0];
    const [e1, e2, x1, x2] = [closes.price1[bar(61)], closes.price2[bar(61)], closes.price1[bar(64)], closes.price2[bar(64)]];
    expect(t.qty1).toBe(Math.floor(2000 / e1)); // bootstrap: 2% of 100k per leg
    expect(t.qty2).toBe(Math.floor(2000 / e2));
    const expectedPnl = t.qty1 * (x1 - e1) - t.qty2 * (x2 - e2);
    expect(t.pnl).toBeCloseTo(expectedPnl, 9);
    expect(result.total_return).toBeCloseTo(expectedPnl / 100_000, 12);
    const mid = result.equity_curve[62];
    expect(mid.timestamp).toBe(closes.timestamps[bar(62)]);
    expect(mid.equity).toBeCloseTo(100_000 + t.qty1 * (closes.price1[bar(62)] - e1) - t.qty2 * (closes.price2[bar(62)] - e2), 9);
    expect(result.equity_curve[60].equity).toBe(100_000);
  });

  it('costs reduce P&L by exactly the commissions and slippage computed by hand', () => {
    const costs: BacktestCosts = { commissionPerShare: 0.05, minCommissionPerOrder: 2.2, slippageBps: 10 };
    const free = run(spread, {}).result.trade_log[0];
    const paid = run(spread, {}, costs).result;
    const t = paid.trade_log[0];
    expect([t.qty1, t.qty2]).toEqual([free.qty1, free.qty2]);
    const s = 10 / 10_000;
    const [e1, e2, x1, x2] = [closes.price1[bar(61)], closes.price2[bar(61)], closes.price1[bar(64)], closes.price2[bar(64)]];
    // long leg 1: buy above, sell below; short leg 2: sell below, buy back above
    expect(t.entry_price1).toBeCloseTo(e1 * (1 + s), 12);
    expect(t.entry_price2).toBeCloseTo(e2 * (1 - s), 12);
    expect(t.exit_price1).toBeCloseTo(x1 * (1 - s), 12);
    expect(t.exit_price2).toBeCloseTo(x2 * (1 + s), 12);
    const commission = 2 * (Math.max(2.2, 0.05 * t.qty1) + Math.max(2.2, 0.05 * t.qty2));
    const slippage = s * (t.qty1 * (e1 + x1) + t.qty2 * (e2 + x2));
    expect(free.pnl - t.pnl).toBeCloseTo(commission + slippage, 9);
    expect(paid.equity_curve[paid.equity_curve.length - 1].equity).toBeCloseTo(100_000 + t.pnl, 9);
  });
});

describe('no look-ahead', () => {
  const ref = referencePair('coint_hl10');
  const formationBars = 500;

  it('fits the hedge ratio on the formation window only', () => {
    const prepared = preparePair({ ...ref, formationBars });
    const fit = fitHedge(Array.from(ref.price1.subarray(0, formationBars), Math.log), Array.from(ref.price2.subarray(0, formationBars), Math.log));
    expect(prepared.beta).toBe(fit.beta);
    const laterChanged = { ...ref, price1: ref.price1.map((p, i) => (i >= formationBars ? p * 1.3 : p)) };
    expect(preparePair({ ...laterChanged, formationBars }).beta).toBe(prepared.beta);
    const formationChanged = { ...ref, price1: ref.price1.map((p, i) => (i < formationBars && i % 2 ? p * 1.01 : p)) };
    expect(preparePair({ ...formationChanged, formationBars }).beta).not.toBe(prepared.beta);
  });

  it('decisions up to bar t do not change when prices after t change', () => {
    const base = runBacktest({ ...ref, formationBars, costs: ZERO_COSTS });
    const cut = formationBars + 500; // test bar index 500
    const rnd = noise(99);
    const perturbed = runBacktest({
      ...ref,
      formationBars,
      costs: ZERO_COSTS,
      price1: ref.price1.map((p, i) => (i > cut ? p * (1 + 0.05 * rnd()) : p)),
      price2: ref.price2.map((p, i) => (i > cut ? p * (1 + 0.05 * rnd()) : p)),
    });
    const tCut = ref.timestamps[cut];
    const closedBy = (log: TradeLogEntry[]) => log.filter((t) => t.exit_time <= tCut);
    expect(closedBy(perturbed.trade_log)).toEqual(closedBy(base.trade_log));
    expect(closedBy(base.trade_log).length).toBeGreaterThan(3);
    expect(perturbed.equity_curve.slice(0, 501)).toEqual(base.equity_curve.slice(0, 501));
    expect(perturbed.trade_log).not.toEqual(base.trade_log); // the perturbation does change later decisions
  });
});

describe('same rules as the live cycle', () => {
  it('reproduces the trade log by stepping decideSignal and sizeLegs bar by bar', () => {
    const ref = referencePair('coint_hl20');
    const thresholds: Thresholds = { entry: 2, exit: 0.5, stopLoss: 3, maxHoldHours: 72 };
    const input: BacktestInput = { ...ref, formationBars: 500, thresholds, costs: ZERO_COSTS };
    const p = preparePair(input);
    const result = runBacktest(input);

    let equity = 100_000;
    let open: { side: TradeSide; bar: number; q1: number; q2: number } | null = null;
    const pnls: number[] = [];
    const walked: Array<Pick<TradeLogEntry, 'side' | 'entry_time' | 'exit_time' | 'qty1' | 'qty2' | 'exit_reason'>> = [];
    const n = p.timestamps.length;
    for (let i = 0; i < n; i++) {
      // Hold time in bars x bar spacing: like the live cycle's regular-session hours, nights and weekends do not count.
      const holdHours = open ? (i - open.bar) * p.barHours : 0;
      const d = decideSignal({
        position: open?.side ?? null,
        holdHours,
        halfLifeHours: p.halfLifeHours,
        thresholds,
        audit: { z: p.z[i], mean: 0, std: 0, beta: p.beta, window: 40 },
      });
      if (open && (d.type === 'EXIT' || d.type === 'STOP_LOSS' || d.type === 'EXPIRE' || i === n - 1)) {
        const sign = open.side === 'LONG_SPREAD' ? 1 : -1;
        const pnl = sign * (open.q1 * (p.price1[i] - p.price1[open.bar]) - open.q2 * (p.price2[i] - p.price2[open.bar]));
        pnls.push(pnl);
        equity += pnl;
        walked.push({
          side: open.side,
          entry_time: p.timestamps[open.bar],
          exit_time: p.timestamps[i],
          qty1: open.q1,
          qty2: open.q2,
          exit_reason: d.type === null ? 'END' : (d.type as TradeLogEntry['exit_reason']),
        });
        open = null;
      } else if (!open && i < n - 1 && (d.type === 'LONG_SPREAD' || d.type === 'SHORT_SPREAD')) {
        const size = sizeLegs({ equity, price1: p.price1[i], price2: p.price2[i], closed: closedTradeStats(pnls), bootstrapPct: 0.02 });
        if (size.ok) open = { side: d.type, bar: i, q1: size.qty1, q2: size.qty2 };
      }
    }
    expect(walked.length).toBeGreaterThan(20); // reaches the Kelly phase
    expect(
      result.trade_log.map(({ side, entry_time, exit_time, qty1, qty2, exit_reason }) => ({ side, entry_time, exit_time, qty1, qty2, exit_reason })),
    ).toEqual(walked);
    result.trade_log.forEach((t, k) => expect(t.pnl).toBeCloseTo(pnls[k], 6));
  });
});

describe('metrics and gate', () => {
  it('applies the spec gate with strict thresholds', () => {
    expect(passesGate(0.51, 0.46, 0.14)).toBe(true);
    expect(passesGate(GATE.minSharpe, 0.46, 0.14)).toBe(false);
    expect(passesGate(0.51, GATE.minWinRate, 0.14)).toBe(false);
    expect(passesGate(0.51, 0.46, GATE.maxDrawdown)).toBe(false);
  });

  it('passes a mean-reverting pair and fails a non-cointegrated one (no costs)', () => {
    const good = runBacktest({ ...referencePair('coint_hl20'), costs: ZERO_COSTS });
    expect(good.sharpe_ratio).toBeGreaterThan(0.5);
    expect(good.win_rate).toBeGreaterThan(0.45);
    expect(good.passed_gate).toBe(true);
    const bad = runBacktest({ ...referencePair('nocoint_drift'), costs: ZERO_COSTS });
    expect(bad.passed_gate).toBe(false);
    expect(bad.passed_gate).toBe(passesGate(bad.sharpe_ratio, bad.win_rate, bad.max_drawdown));
  });

  it('derives the summary metrics from the trade log and equity curve', () => {
    const r = runBacktest({ ...referencePair('coint_hl10') });
    const pnls = r.trade_log.map((t) => t.pnl);
    const wins = pnls.filter((x) => x > 0);
    const losses = pnls.filter((x) => x <= 0);
    expect(r.total_trades).toBe(r.trade_log.length);
    expect(r.win_rate).toBeCloseTo(wins.length / pnls.length, 12);
    expect(r.profit_factor).toBeCloseTo(wins.reduce((a, b) => a + b, 0) / -losses.reduce((a, b) => a + b, 0), 9);
    expect(r.avg_hold_time_hours).toBeCloseTo(r.trade_log.reduce((a, t) => a + t.hold_hours, 0) / pnls.length, 9);
    let peak = 100_000;
    let dd = 0;
    for (const { equity } of r.equity_curve) {
      peak = Math.max(peak, equity);
      dd = Math.max(dd, (peak - equity) / peak);
    }
    expect(r.max_drawdown).toBeCloseTo(dd, 12);
    expect(r.total_return).toBeCloseTo(r.equity_curve[r.equity_curve.length - 1].equity / 100_000 - 1, 12);
    const stats = closedTradeStats(pnls);
    expect(r.kelly_fraction).toBeCloseTo(stats.wins / stats.count - (1 - stats.wins / stats.count) / (stats.meanWin / stats.meanLoss), 9);
  });

  it('stays JSON-safe without trades: no NaN, null profit factor and Kelly', () => {
    const r = runBacktest({ ...referencePair('coint_hl10'), thresholds: { entry: 8, exit: 0.5, stopLoss: 9, maxHoldHours: 72 } });
    expect(r).toMatchObject({
      total_trades: 0,
      win_rate: 0,
      profit_factor: null,
      kelly_fraction: null,
      sharpe_ratio: 0,
      max_drawdown: 0,
      total_return: 0,
      avg_hold_time_hours: 0,
      passed_gate: false,
    });
    expect(JSON.stringify(r)).not.toMatch(/NaN|Infinity/);
  });
});

describe('input validation', () => {
  const ref = referencePair('coint_hl10');
  it.each<[Partial<BacktestInput>, RegExp]>([
    [{ formationBars: 10 }, /formation bars must be an integer >= 40/],
    [{ testStartIndex: 100, formationBars: 500 }, /need 500 formation bars before the test start, only 100 available/],
    [{ testStartIndex: 1499 }, /test period has 1 bars; need at least 2/],
    [{ startMs: 2, endMs: 1 }, /end is before start/],
    [{ thresholds: { entry: 2, exit: 2.5, stopLoss: 3, maxHoldHours: 72 } }, /exit threshold \(2\.5\) must be below entry/],
    [{ initialCapital: 0 }, /initial capital must be a positive number/],
    [{ window: 1 }, /z-score window must be an integer >= 2/],
    [{ costs: { slippageBps: -1 } }, /slippageBps must be a non-negative number/],
    [{ price2: ref.price2.map((p, i) => (i === 7 ? 0 : p)) }, /price2 at bar 7 is not a positive number/],
    [{ price1: ref.price1.subarray(1) }, /series lengths differ/],
    [{ timestamps: ref.timestamps.map((t, i) => (i === 5 ? ref.timestamps[4] : t)) }, /timestamps must increase strictly \(bar 5\)/],
    [{ price2: ref.price2.map((p, i) => (i < 600 ? 50 : p)) }, /price2 is constant over the formation window/],
  ])('rejects %#', (over, message) => {
    expect(() => runBacktest({ ...ref, ...over })).toThrow(BacktestInputError);
    expect(() => runBacktest({ ...ref, ...over })).toThrow(message);
  });
});
