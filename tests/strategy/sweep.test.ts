import { readFileSync } from 'node:fs';
import { runBacktest, type BacktestInput } from '../../strategy/backtest';
import { sweepThresholds } from '../../strategy/sweep';

function referencePair(id: string): BacktestInput {
  const doc = JSON.parse(readFileSync(`/work/shared/reference/pair_${id}.json`, 'utf8')) as { inputs: { time_ms: number[]; p1: number[]; p2: number[] } };
  return { timestamps: Float64Array.from(doc.inputs.time_ms), price1: Float64Array.from(doc.inputs.p1), price2: Float64Array.from(doc.inputs.p2) };
}

describe('sweepThresholds', () => {
  const input: BacktestInput = { ...referencePair('coint_hl20'), formationBars: 400, thresholds: { entry: 2, exit: 0.5, stopLoss: 3, maxHoldHours: 48 } };
  const grid = { entry: [1.5, 2, 2.5], exit: [0, 0.5, 2], stopLoss: [2.5, 3.5] };
  const result = sweepThresholds(input, grid);

  it('runs every consistent combination and counts the skipped ones', () => {
    // inconsistent: exit >= entry (exit 2 with entry 1.5 or 2) or stop <= entry (2.5 with entry 2.5)
    const consistent = grid.entry.flatMap((entry) => grid.exit.flatMap((exit) => grid.stopLoss.filter((stop) => exit < entry && stop > entry).map((stop) => [entry, exit, stop])));
    expect(result.rows.map((r) => [r.entry, r.exit, r.stopLoss])).toEqual(consistent);
    expect(result.skipped).toBe(18 - consistent.length);
    expect(result.barSteps).toBe(consistent.length * (1500 - 400));
  });

  it('gives each row exactly the metrics of a full backtest at the same thresholds', () => {
    for (const row of result.rows) {
      const { equity_curve, trade_log, ...full } = runBacktest({ ...input, thresholds: { entry: row.entry, exit: row.exit, stopLoss: row.stopLoss, maxHoldHours: 48 } });
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
