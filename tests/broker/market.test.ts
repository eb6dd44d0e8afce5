import { HISTORY_START, Market } from '../../broker/simulator/market';

function halfLife(series: number[]): number {
  // OLS of Δs on s(t-1): Δs = a + b s(t-1); half-life = -ln 2 / ln(1 + b).
  const x = series.slice(0, -1),
    y = series.slice(1).map((v, i) => v - series[i]);
  const mx = x.reduce((a, b) => a + b, 0) / x.length,
    my = y.reduce((a, b) => a + b, 0) / y.length;
  let sxy = 0,
    sxx = 0;
  for (let i = 0; i < x.length; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
  }
  const b = sxy / sxx;
  return b >= 0 ? Infinity : -Math.log(2) / Math.log(1 + b);
}

test('bars are deterministic per (seed, symbol, bar) and independent of how the path was extended', () => {
  const a = new Market(11);
  const b = new Market(11);
  const arqx = a.get('ARQX')!;
  const late = a.firstBar + 5000;
  const direct = b.bar(b.get('ARQX')!, late);
  for (let g = a.firstBar; g <= late; g += 997) a.bar(arqx, g);
  expect(a.bar(arqx, late)).toEqual(direct);
  expect(new Market(12).bar(new Market(12).get('ARQX')!, late)).not.toEqual(direct);
  expect(a.bar(arqx, a.firstBar).t).toBeGreaterThanOrEqual(HISTORY_START);
});

test('a 40-name universe with cointegrated clusters and a few names not shortable', () => {
  const m = new Market(7);
  expect(m.symbols).toHaveLength(40);
  const clusters = new Set(m.symbols.map((s) => s.cluster).filter((c) => c !== null));
  expect(clusters.size).toBe(4);
  expect(m.symbols.filter((s) => !s.shortable).length).toBeGreaterThanOrEqual(2);
  for (const s of m.symbols.filter((x) => x.cluster !== null)) {
    expect(s.halfLifeBars).toBeGreaterThanOrEqual(10);
    expect(s.halfLifeBars).toBeLessThanOrEqual(40);
  }

  // Spread of a clustered pair with the true hedge ratio mean-reverts quickly; an independent pair does not.
  const n = 3000;
  const logs = (sym: string): number[] => Array.from({ length: n }, (_, i) => Math.log(m.close(m.get(sym)!, i)));
  const [a, b] = [m.get('ARQX')!, m.get('BLVN')!];
  const la = logs('ARQX'),
    lb = logs('BLVN');
  const spread = la.map((v, i) => v - (a.beta / b.beta) * lb[i]);
  expect(halfLife(spread)).toBeLessThan(60);
  const lq = logs('QUIL'),
    lr = logs('RAVN');
  expect(halfLife(lq.map((v, i) => v - lr[i]))).toBeGreaterThan(150);
  expect(new Market(7, 120).symbols).toHaveLength(120);
});
