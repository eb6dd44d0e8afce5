import { readFileSync } from 'node:fs';
import { runBacktest, type BacktestInput } from '../../strategy/backtest';
import { preparePair, resolveSimParams } from '../../strategy/backtest';
import { SweepPool, sweepThresholds, sweepThresholdsParallel, type SweepRow } from '../../strategy/sweep';

function referencePair(id: string): BacktestInput {
  const doc = JSON.parse(readFileSync(`/work/shared/reference/pair_${id}.json`, 'utf8')) as {
    inputs: { time_ms: number[]; p1: number[]; p2: number[] };
  };
  return { timestamps: Float64Array.from(doc.inputs.time_ms), price1: Float64Array.from(doc.inputs.p1), price2: Float64Array.from(doc.inputs.p2) };
}

describe('sweepThresholds', () => {
  const input: BacktestInput = {
    ...referencePair('coint_hl20'),
    formationBars: 400,
    thresholds: { entry: 2, exit: 0.5, stopLoss: 3, maxHoldHours: 48 },
  };
  const grid = { entry: [1.5, 2, 2.5], exit: [0, 0.5, 2], stopLoss: [2.5, 3.5] };
  const result = sweepThresholds(input, grid);

  it('runs every consistent combination and counts the skipped ones', () => {
    // inconsistent: exit >= entry (exit 2 with entry 1.5 or 2) or stop <= entry (2.5 with entry 2.5)
    const consistent = grid.entry.flatMap((entry) =>
      grid.exit.flatMap((exit) => grid.stopLoss.filter((stop) => exit < entry && stop > entry).map((stop) => [entry, exit, stop])),
    );
    expect(result.rows.map((r) => [r.entry, r.exit, r.stopLoss])).toEqual(consistent);
    expect(result.skipped).toBe(18 - consistent.length);
    expect(result.barSteps).toBe(consistent.length * (1500 - 400));
  });

  it('gives each row exactly the metrics of a full backtest at the same thresholds', () => {
    for (const row of result.rows) {
      const { equity_curve, trade_log, ...full } = runBacktest({
        ...input,
        thresholds: { entry: row.entry, exit: row.exit, stopLoss: row.stopLoss, maxHoldHours: 48 },
      });
      const { entry, exit, stopLoss, ...metrics } = row;
      expect(metrics).toEqual(full);
      expect(equity_curve.length).toBe(1100);
      expect(trade_log.length).toBe(row.total_trades);
    }
  });

  it('produces different outcomes for different thresholds', () => {
    expect(new Set(result.rows.map((r) => r.total_trades)).size).toBeGreaterThan(2);
  });

  it('rejects empty or non-finite grids', () => {
    expect(() => sweepThresholds(input, { ...grid, entry: [] })).toThrow(/entry must be a non-empty array/);
    expect(() => sweepThresholds(input, { ...grid, exit: [NaN] })).toThrow(/exit holds a non-finite value/);
  });
});

describe('sweepThresholdsParallel', () => {
  const input: BacktestInput = {
    ...referencePair('coint_hl20'),
    formationBars: 500,
    thresholds: { entry: 2, exit: 0.5, stopLoss: 3, maxHoldHours: 30 },
  };
  // Many chunks per worker, inconsistent combinations in between, a wide spread of outcomes (incl. null metrics).
  const grid = { entry: [0.5, 1, 1.25, 1.5, 2, 2.5, 3, 3.5], exit: [0, 0.25, 0.5, 1, 1.5], stopLoss: [1.5, 2.5, 3, 3.75, 4, 6] };
  const sync = sweepThresholds(input, grid);

  it('returns exactly the rows of the single-thread sweep, in order, on two workers', async () => {
    const parallel = await sweepThresholdsParallel(input, grid, { workers: 2 });
    expect(parallel.rows.length).toBeGreaterThan(50);
    expect(parallel.rows).toEqual(sync.rows);
    // Bit for bit: Object.is tells -0 from 0 and NaN from null.
    parallel.rows.forEach((row, k) => {
      for (const [key, value] of Object.entries(row)) expect(Object.is(value, (sync.rows[k] as unknown as Record<string, unknown>)[key])).toBe(true);
    });
    expect(parallel.skipped).toBe(sync.skipped);
    expect(parallel.barSteps).toBe(sync.barSteps);
    // The grid covers both values of every nullable / boolean metric, so packing them is exercised.
    for (const pick of [(r: SweepRow) => r.profit_factor === null, (r: SweepRow) => r.kelly_fraction === null, (r: SweepRow) => r.passed_gate]) {
      expect(parallel.rows.some(pick) && !parallel.rows.every(pick)).toBe(true);
    }
  });

  it('auto mode (a small grid stays on the calling thread) gives the same rows', async () => {
    const small = await sweepThresholdsParallel(input, { entry: [2], exit: [0.5], stopLoss: [3] });
    expect(small.rows).toEqual(sync.rows.filter((r) => r.entry === 2 && r.exit === 0.5 && r.stopLoss === 3));
  });

  it('reuses one pool for several grids', async () => {
    const pool = new SweepPool(preparePair(input), resolveSimParams(input), 2);
    try {
      const first = await pool.sweep(grid);
      const second = await pool.sweep({ ...grid, entry: [1.5] });
      expect(first.rows).toEqual(sync.rows);
      expect(second.rows).toEqual(sync.rows.filter((r) => r.entry === 1.5));
      await expect(pool.sweep({ ...grid, exit: [] })).rejects.toThrow(/exit must be a non-empty array/);
    } finally {
      await pool.close();
    }
  });
});
