import { readFileSync } from 'node:fs';
import { runPairs } from '../helpers/cli';
import { SPISECTOR_CSV } from '../helpers/walkforward-fixture';

/**
 * `pairs backtest` on daily closes of real indices (SPISECTOR, fPortfolio; extract-spisector.R): the bar frequency
 * is inferred from the timestamps, so Sharpe and annualised return use ~250 bars a year, not the hourly count.
 */
describe('pairs backtest on a daily CSV', () => {
  it('annualises with the trading days per year the data has', () => {
    const capital = 100_000;
    const r = runPairs([
      'backtest',
      '--csv',
      SPISECTOR_CSV,
      '--symbols',
      'INDU,BASI',
      '--start',
      '2004-01-01',
      '--capital',
      String(capital),
      '--json',
    ]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as {
      sharpe_ratio: number;
      total_return: number;
      annualized_return: number | null;
      total_trades: number;
      equity_curve: { timestamp: number; equity: number }[];
    };
    expect(out.total_trades).toBeGreaterThan(0);

    // Trading days per year, counted in the CSV itself over its full calendar years.
    const years = new Map<string, number>();
    for (const line of readFileSync(SPISECTOR_CSV, 'utf8').trim().split('\n').slice(1)) {
      const y = line.slice(0, 4);
      years.set(y, (years.get(y) ?? 0) + 1);
    }
    const full = [...years.entries()].filter(([y]) => y >= '2000' && y <= '2007').map(([, n]) => n);
    const daysPerYear = full.reduce((a, b) => a + b, 0) / full.length;
    expect(daysPerYear).toBeGreaterThan(240);
    expect(daysPerYear).toBeLessThan(262);

    // Per-bar P&L of the marked-to-market equity, as the backtester defines the Sharpe ratio.
    const eq = out.equity_curve.map((p) => p.equity);
    const pnl = eq.map((e, i) => e - (i === 0 ? capital : eq[i - 1]));
    const mean = pnl.reduce((a, b) => a + b, 0) / pnl.length;
    const sd = Math.sqrt(pnl.reduce((a, b) => a + (b - mean) ** 2, 0) / (pnl.length - 1));
    const perBar = mean / sd;
    const impliedBarsPerYear = (out.sharpe_ratio / perBar) ** 2;
    expect(impliedBarsPerYear / daysPerYear).toBeGreaterThan(0.97);
    expect(impliedBarsPerYear / daysPerYear).toBeLessThan(1.03);

    expect(out.annualized_return).not.toBeNull();
    const impliedFromReturn = (Math.log(1 + out.annualized_return!) / Math.log(1 + out.total_return)) * eq.length;
    expect(impliedFromReturn / daysPerYear).toBeGreaterThan(0.97);
    expect(impliedFromReturn / daysPerYear).toBeLessThan(1.03);
  });
});
