/** Closes of several symbols put on one time grid: the bars every symbol has. */

/** What alignment reads of a bar series: bar times (strictly increasing) and closes, oldest first. */
export interface CloseBars {
  ts: Float64Array;
  close: Float64Array;
}

export interface AlignedCloses {
  ts: Float64Array;
  closes: Record<string, Float64Array>;
}

/**
 * Closes of `symbols` on the timestamps every one of them has (a missing bar in one leg drops that hour for
 * all), oldest first. A symbol absent from `seriesMap` empties the grid.
 */
export function alignBarCloses(seriesMap: ReadonlyMap<string, CloseBars>, symbols: string[]): AlignedCloses {
  const closes: Record<string, Float64Array> = {};
  const all = symbols.map((s) => seriesMap.get(s));
  if (symbols.length === 0 || all.some((s) => s === undefined)) {
    for (const s of symbols) closes[s] = new Float64Array(0);
    return { ts: new Float64Array(0), closes };
  }
  const series = all as CloseBars[];
  const indexes = series.map((s) => {
    const index = new Map<number, number>();
    s.ts.forEach((t, i) => index.set(t, i));
    return index;
  });
  const common = Array.from(series[0].ts).filter((t) => indexes.every((index) => index.has(t)));
  const ts = Float64Array.from(common);
  symbols.forEach((symbol, k) => {
    const out = new Float64Array(common.length);
    for (let i = 0; i < common.length; i++) out[i] = series[k].close[indexes[k].get(common[i])!];
    closes[symbol] = out;
  });
  return { ts, closes };
}
