import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fetchUniverseHistory } from '../../activities/discovery';
import { createAlpacaBroker } from '../../broker/alpaca-broker';
import { startSimulator } from '../../broker/simulator';
import { universeToCsv } from '../../strategy/synthetic-universe';
import { runPairs } from '../helpers/cli';

const SPISECTOR = path.resolve(__dirname, '../fixtures/walkforward/spisector-daily.csv');
const HOURLY = '/work/shared/reference/universe_30x1000.csv';

describe('pairs walkforward', () => {
  it('prints the whole result as JSON on the real-data fixture, with the sweep, DSR and PBO', () => {
    const r = runPairs(['walkforward', '--csv', SPISECTOR, '--sweep', '--json', '--workers', '0']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as {
      windows: unknown[];
      metrics: { passed_gate: boolean; bars: number };
      equity_curve: unknown[];
      drawdown_curve: unknown[];
      deflated_sharpe: { deflatedSharpe: number; trials: number };
      overfitting: { pbo: number } | null;
      params: { bars_per_year: number };
    };
    expect(out.windows).toHaveLength(14);
    expect(out.equity_curve).toHaveLength(out.metrics.bars);
    expect(out.drawdown_curve).toHaveLength(out.metrics.bars);
    expect(out.params.bars_per_year).toBeCloseTo(252, -1);
    expect(out.deflated_sharpe.trials).toBe(14 * 45 * 27);
    expect(out.overfitting?.pbo).toBeGreaterThanOrEqual(0);
  });

  it('runs hourly data with explicit windows and prints the window table and verdicts', () => {
    const r = runPairs(['walkforward', '--csv', HOURLY, '--formation-bars', '500', '--trading-bars', '100']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^walk-forward: 30 symbols, 5 windows \(formation 500 bars, trading 100, step 100\)/);
    expect(r.stdout).toMatch(/gate (PASSED|FAILED)/);
    expect(r.stdout).toMatch(/deflated Sharpe ratio/);
    expect(r.stdout).toMatch(/probability of backtest overfitting: n\/a \(no sweep\)/);
    expect(r.stdout).toMatch(
      /entries refused by the risk rules: .* \(max_open_pairs 5, max_pairs_per_symbol 1, kelly_window_trades 40, kelly_no_edge stop_entries\)/,
    );
  });

  it("applies the config's risk section: with max_open_pairs 1 no two trades overlap and the refusals are counted", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'pairs-wf-risk-'));
    try {
      const file = path.join(dir, 'pairs.yaml');
      const yaml = readFileSync(path.resolve(__dirname, '../../config/pairs.yaml'), 'utf8');
      expect(yaml).toMatch(/^ {2}max_open_pairs: 5$/m);
      writeFileSync(
        file,
        yaml.replace(/^ {2}max_open_pairs: 5$/m, '  max_open_pairs: 1').replace(/^ {2}max_pairs_per_symbol: 1$/m, '  max_pairs_per_symbol: 3'),
      );
      const r = runPairs(['walkforward', '--csv', SPISECTOR, '--json', '--workers', '0'], { PAIRS_CONFIG: file });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      const out = JSON.parse(r.stdout) as {
        params: { risk: { max_open_pairs: number; max_pairs_per_symbol: number } };
        risk_refusals: Record<string, number>;
        trade_log: { entry_time: number; exit_time: number }[];
      };
      expect(out.params.risk).toMatchObject({ max_open_pairs: 1, max_pairs_per_symbol: 3 });
      expect(out.risk_refusals.MAX_OPEN_PAIRS).toBeGreaterThan(0);
      const trades = [...out.trade_log].sort((a, b) => a.entry_time - b.entry_time);
      expect(trades.length).toBeGreaterThan(1);
      for (let i = 1; i < trades.length; i++) expect(trades[i].entry_time).toBeGreaterThanOrEqual(trades[i - 1].exit_time);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("runs on the simulator's hourly history, fetched through the broker adapter as discovery fetches it", async () => {
    const sim = await startSimulator({ seed: 11, startTime: '2025-03-04T15:00:00Z', paused: true });
    const dir = mkdtempSync(path.join(os.tmpdir(), 'pairs-wf-sim-'));
    try {
      const broker = createAlpacaBroker({ keyId: 'k', secret: 's', simulatorUrl: sim.url, timeoutMs: 60_000 });
      // Two of the simulator's clusters and four independent names: 12 symbols, 66 pairs per window.
      const symbols = ['ARQX', 'BLVN', 'CRDM', 'DUNE', 'MOSS', 'NOVA', 'OPAL', 'PRSM', 'QUIL', 'RAVN', 'SLTE', 'TKRA'];
      const { matrix } = await fetchUniverseHistory(broker, symbols, 1500);
      const file = path.join(dir, 'sim.csv');
      writeFileSync(file, universeToCsv(matrix));
      const r = runPairs(['walkforward', '--csv', file, '--formation-bars', '1000', '--trading-bars', '160', '--sweep', '--json']);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      const out = JSON.parse(r.stdout) as { windows: { pairs: { name: string }[] }[]; params: { bar_spacing_hours: number }; overfitting: unknown };
      expect(out.params.bar_spacing_hours).toBe(1);
      expect(out.windows).toHaveLength(Math.ceil((matrix.timestamps.length - 1000 - 1) / 160));
      // The cointegrated clusters are found.
      expect(out.windows.some((w) => w.pairs.length > 0)).toBe(true);
      expect(out.overfitting).not.toBeNull();
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await sim.stop();
    }
  });

  it('bad input exits 2 with one line', () => {
    for (const args of [
      ['walkforward'],
      ['walkforward', '--csv', '/no/such/file.csv'],
      ['walkforward', '--csv', SPISECTOR, '--trading-bars', '50', '--step-bars', '10'],
      ['walkforward', '--csv', SPISECTOR, '--sweep-entry', '1,x'],
      ['walkforward', '--csv', SPISECTOR, '--formation-bars', '99999'],
    ]) {
      const r = runPairs(args);
      expect(r.status).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });
});
