/** Alpaca's JSON bars turned into typed-array BarSeries. */
import type { BarSeries } from './types';

/** One bar as Alpaca's market-data API sends it. */
export interface RawBar {
  t: string;
  o: number;
  h: number;
  l: number;
  c: number;
  v: number;
}

export function emptyBarSeries(symbol: string, n: number): BarSeries {
  return {
    symbol,
    ts: new Float64Array(n),
    open: new Float64Array(n),
    high: new Float64Array(n),
    low: new Float64Array(n),
    close: new Float64Array(n),
    volume: new Float64Array(n),
  };
}

/** Sorts the bars by time and drops repeated timestamps (keeping the first) when they are not already in order. */
export function toBarSeries(symbol: string, raw: RawBar[]): BarSeries {
  const times = raw.map((b) => Date.parse(b.t));
  let order = raw.map((_, i) => i);
  if (times.some((t, i) => i > 0 && t <= times[i - 1])) {
    order = order.sort((a, b) => times[a] - times[b]).filter((k, i, all) => i === 0 || times[k] !== times[all[i - 1]]);
  }
  const series = emptyBarSeries(symbol, order.length);
  for (let i = 0; i < order.length; i++) {
    const b = raw[order[i]];
    series.ts[i] = times[order[i]];
    series.open[i] = b.o;
    series.high[i] = b.h;
    series.low[i] = b.l;
    series.close[i] = b.c;
    series.volume[i] = b.v;
  }
  return series;
}
