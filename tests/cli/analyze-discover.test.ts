/**
 * `pairs analyze` and `pairs discover` end to end: spawn `node bin/pairs.js`, compare the JSON with the
 * statsmodels reference files, and check every bad-input case exits 2 with one line on stderr.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ANALYZE_KEYS, expectNear, expectPvalue, PAIR_FILES, readReference, REFERENCE_DIR, TOL } from '../strategy/stats-helpers';

// Each spawn loads the whole CLI; on a shared 2-core machine that can take many seconds.
jest.setTimeout(300_000);

const ROOT = path.resolve(__dirname, '../..');
const BIN = path.join(ROOT, 'bin/pairs.js');
const UNIVERSE = path.join(REFERENCE_DIR, 'universe_30x1000.csv');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function pairs(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'pairs-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Writes a reference pair file's inputs as a price CSV with exactly the reference doubles. */
function pairCsv(file: string): string {
  const doc = readReference(file);
  const lines = ['timestamp,P1,P2'];
  doc.inputs.time_ms.forEach((t: number, k: number) => lines.push(`${new Date(t).toISOString()},${doc.inputs.p1[k]},${doc.inputs.p2[k]}`));
  const out = path.join(dir, file.replace('.json', '.csv'));
  writeFileSync(out, `${lines.join('\n')}\n`);
  return out;
}

describe('pairs analyze --json', () => {
  test.each(PAIR_FILES)('%s matches the reference', async (file) => {
    const o = readReference(file).outputs;
    const run = await pairs(['analyze', '--csv', pairCsv(file), '--symbols', 'P1,P2', '--json']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const a = JSON.parse(run.stdout);
    expect(Object.keys(a)).toEqual(ANALYZE_KEYS);
    expect([a.symbol1, a.symbol2, a.n]).toEqual(['P1', 'P2', o.n]);
    expectNear(a.hedge.beta, o.hedge.beta, TOL.beta, 'beta');
    expectNear(a.hedge.alpha, o.hedge.alpha, TOL.ratio, 'alpha');
    expectNear(a.coint.stat, o.coint_aic.stat, TOL.stat, 'coint stat');
    expectPvalue(a.coint.pvalue, o.coint_aic.pvalue, 'coint pvalue');
    a.coint.crit.forEach((v: number, k: number) => expectNear(v, o.coint_aic.crit[k], TOL.crit, `crit ${k}`));
    expect(a.coint.usedlag).toBe(o.coint_aic.usedlag);
    expectNear(a.coint_lag1.stat, o.coint_lag1.stat, TOL.stat, 'lag1 stat');
    expectPvalue(a.coint_lag1.pvalue, o.coint_lag1.pvalue, 'lag1 pvalue');
    expectNear(a.adf_spread.stat, o.adf_spread.stat, TOL.stat, 'adf stat');
    expectPvalue(a.adf_spread.pvalue, o.adf_spread.pvalue, 'adf pvalue');
    expect([a.adf_spread.usedlag, a.adf_spread.nobs]).toEqual([o.adf_spread.usedlag, o.adf_spread.nobs]);
    expectNear(a.half_life, o.half_life.half_life, TOL.ratio, 'half_life');
    expectNear(a.correlation.price, o.correlation.price, TOL.ratio, 'price correlation');
    expectNear(a.correlation.log_return, o.correlation.log_return, TOL.ratio, 'log-return correlation');
    expect(a.zscore_last).toHaveLength(100);
    a.zscore_last.forEach((v: number | null, k: number) => expectNear(v, o.zscore.last[k], TOL.zscore, `z ${k}`));
  });

  test('a universe pair matches the scan reference, and the table mode is readable', async () => {
    const ref = readReference('universe_30x1000_scan.json');
    const q = ref.pairs.s1.findIndex((s: string, k: number) => s === 'SYM06' && ref.pairs.s2[k] === 'SYM07');
    const json = await pairs(['analyze', '--csv', UNIVERSE, '--symbols', 'SYM06,SYM07', '--window', '30', '--json']);
    const a = JSON.parse(json.stdout);
    expectPvalue(a.coint.pvalue, ref.pairs.coint_pvalue[q], 'pvalue');
    expectNear(a.hedge.beta, ref.pairs.beta[q], TOL.beta, 'beta');
    expect(a.zscore_last.filter((z: number | null) => z === null)).toHaveLength(0);
    const text = await pairs(['analyze', '--csv', UNIVERSE, '--symbols', 'SYM06,SYM07']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/hedge beta\s+\d/);
    expect(text.stdout).toMatch(/coint p-value/);
    expect(() => JSON.parse(text.stdout)).toThrow();
  });
});

describe('pairs discover --json', () => {
  test('--all lists all 435 pairs with statsmodels p-values, statistics and betas', async () => {
    const ref = readReference('universe_30x1000_scan.json');
    const run = await pairs(['discover', '--csv', UNIVERSE, '--all', '--json']);
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(Object.keys(out)).toEqual(['pairs', 'n_pairs_tested', 'seconds']);
    expect(out.n_pairs_tested).toBe(435);
    expect(out.seconds).toBeGreaterThan(0);
    expect(out.pairs).toHaveLength(435);
    out.pairs.forEach((p: any, q: number) => {
      expect(Object.keys(p)).toEqual(['symbol1', 'symbol2', 'pvalue', 'stat', 'beta', 'half_life', 'correlation', 'score']);
      expect([p.symbol1, p.symbol2]).toEqual([ref.pairs.s1[q], ref.pairs.s2[q]]);
      expectPvalue(p.pvalue, ref.pairs.coint_pvalue[q], `${p.symbol1}/${p.symbol2} pvalue`);
      expectNear(p.stat, ref.pairs.coint_stat[q], TOL.stat, 'stat');
      expectNear(p.beta, ref.pairs.beta[q], TOL.beta, 'beta');
    });
  });

  test('default run returns ranked ground-truth pairs under the p-value cut; --top limits', async () => {
    const ref = readReference('universe_30x1000_scan.json');
    const truth = new Set(ref.ground_truth.cointegrated_pairs.map(([i, j]: number[]) => `${ref.symbols[i]},${ref.symbols[j]}`));
    const run = await pairs(['discover', '--csv', UNIVERSE, '--max-pvalue', '0.01', '--top', '5', '--json']);
    const out = JSON.parse(run.stdout);
    expect(out.pairs).toHaveLength(5);
    for (const p of out.pairs) {
      expect(truth.has(`${p.symbol1},${p.symbol2}`)).toBe(true);
      expect(p.pvalue).toBeLessThanOrEqual(0.01);
    }
    const scores = out.pairs.map((p: any) => p.score);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
    const table = await pairs(['discover', '--csv', UNIVERSE, '--top', '3']);
    expect(table.stdout).toMatch(/symbol1\s+symbol2\s+p-value/);
    expect(table.stdout).toMatch(/435 pairs tested/);
  });
});

describe('bad input exits 2 with one line on stderr', () => {
  function writeCsv(name: string, mutate: (lines: string[]) => string[]): string {
    const lines = readFileSync(UNIVERSE, 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => l.split(',').slice(0, 4).join(','));
    const file = path.join(dir, name);
    writeFileSync(file, `${mutate(lines).join('\n')}\n`);
    return file;
  }
  const setCell =
    (row: number, col: number, value: string) =>
    (lines: string[]): string[] => {
      const copy = [...lines];
      const cells = copy[row].split(',');
      cells[col] = value;
      copy[row] = cells.join(',');
      return copy;
    };

  test('every case', async () => {
    const cases: [string, string[], RegExp][] = [
      ['missing file', ['analyze', '--csv', path.join(dir, 'nope.csv'), '--symbols', 'A,B', '--json'], /cannot read .*no such file/],
      ['empty file', ['analyze', '--csv', writeCsv('empty.csv', () => []), '--symbols', 'A,B', '--json'], /empty/],
      ['unknown symbol', ['analyze', '--csv', UNIVERSE, '--symbols', 'SYM01,NOPE', '--json'], /unknown symbol 'NOPE'/],
      ['non-positive price', ['analyze', '--csv', writeCsv('neg.csv', setCell(20, 2, '-1.5')), '--symbols', 'SYM00,SYM01', '--json'], /not positive/],
      ['zero price', ['discover', '--csv', writeCsv('zero.csv', setCell(20, 2, '0')), '--json'], /not positive/],
      ['non-numeric price', ['analyze', '--csv', writeCsv('text.csv', setCell(30, 1, 'n/a')), '--symbols', 'SYM00,SYM01', '--json'], /not a number/],
      [
        'too few bars',
        ['analyze', '--csv', writeCsv('short.csv', (l) => l.slice(0, 21)), '--symbols', 'SYM00,SYM01', '--json'],
        /20 bars; at least 50/,
      ],
      [
        'constant series',
        [
          'analyze',
          '--csv',
          writeCsv('flat.csv', (l) => l.map((row, k) => (k === 0 ? row : setCell(0, 3, '42.0000')([row])[0]))),
          '--symbols',
          'SYM00,SYM01',
          '--json',
        ],
        /constant/,
      ],
      ['bad timestamp', ['discover', '--csv', writeCsv('stamp.csv', setCell(5, 0, 'noon')), '--json'], /bad timestamp/],
      ['duplicate column', ['discover', '--csv', writeCsv('dup.csv', setCell(0, 2, 'SYM00')), '--json'], /more than once/],
      ['missing --csv', ['discover', '--json'], /--csv/],
      ['bad --symbols', ['analyze', '--csv', UNIVERSE, '--symbols', 'SYM01', '--json'], /two names/],
      ['bad --window', ['analyze', '--csv', UNIVERSE, '--symbols', 'SYM00,SYM01', '--window', 'abc'], /--window/],
      ['window too long', ['analyze', '--csv', UNIVERSE, '--symbols', 'SYM00,SYM01', '--window', '5000'], /longer than/],
      ['bad --max-pvalue', ['discover', '--csv', UNIVERSE, '--max-pvalue', '7'], /--max-pvalue/],
      ['bad --top', ['discover', '--csv', UNIVERSE, '--top', '0'], /--top/],
    ];
    const runs: Run[] = [];
    for (let k = 0; k < cases.length; k += 4) runs.push(...(await Promise.all(cases.slice(k, k + 4).map(([, args]) => pairs(args)))));
    runs.forEach((run, k) => {
      const [name, , message] = cases[k];
      expect([name, run.code]).toEqual([name, 2]);
      expect([name, run.stdout]).toEqual([name, '']);
      expect(run.stderr.endsWith('\n')).toBe(true);
      expect([name, run.stderr.trimEnd().split('\n').length]).toEqual([name, 1]);
      expect(run.stderr).not.toMatch(/\bat .*:\d+:\d+|NaN/);
      expect([name, run.stderr]).toEqual([name, expect.stringMatching(message)]);
    });
  });
});
