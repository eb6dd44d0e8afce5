/**
 * The simulated market: a fixed universe of ticker-like symbols and their hourly bars.
 *
 * Log prices: clustered names are `level + beta * factor + spread`, where the cluster factor is a random walk
 * and each spread is a mean-reverting AR(1)/OU process with a half-life of 10-40 bars, so names inside a cluster
 * are cointegrated; the remaining names are independent random walks. History starts 2020-01-02, so simulated
 * start times from 2022 on see at least two years of bars. Every draw is a pure function of
 * (seed, symbol, bar number), so bars survive restarts without being stored. History starts at HISTORY_START.
 */
import { hashString, normalAt, uniformAt } from './rng';
import { tradingCalendar, type TradingCalendar } from './nyse-calendar';
/** Module-level aliases: global lookups are slow inside Jest's vm sandbox, and these run per bar. */
const { abs, ceil, exp, floor, log, max, min, pow, round, sqrt } = Math;

export const HISTORY_START = Date.UTC(2020, 0, 2);

const CLUSTERS: string[][] = [
  ['ARQX', 'BLVN', 'CRDM', 'DUNE'],
  ['EFRA', 'FLNT', 'GRVY'],
  ['HALO', 'IONQ', 'JETT', 'KRNL', 'LMNR'],
  ['MOSS', 'NOVA', 'OPAL', 'PRSM'],
];
const INDEPENDENT = [
  'QUIL',
  'RAVN',
  'SLTE',
  'TKRA',
  'UMBR',
  'VLTA',
  'WREN',
  'XYLO',
  'YARD',
  'ZEPH',
  'ACRN',
  'BRZE',
  'CMET',
  'DRFT',
  'ELMR',
  'FJRD',
  'GLYF',
  'HRBR',
  'INKW',
  'JADE',
  'KILN',
  'LOOM',
  'MRSH',
  'NEXA',
];
/** Hard to borrow or not shortable at all: shorts of these are rejected. */
const NOT_SHORTABLE = new Set(['GRVY', 'XYLO', 'KILN']);
const HARD_TO_BORROW = new Set(['LMNR', 'WREN']);

export interface SymbolModel {
  symbol: string;
  index: number;
  cluster: number | null;
  level: number;
  beta: number;
  halfLifeBars: number;
  phi: number;
  spreadSigma: number;
  walkSigma: number;
  shortable: boolean;
  easyToBorrow: boolean;
  assetId: string;
}

export interface Bar {
  t: number;
  o: number;
  h: number;
  l: number;
  c: number;
  v: number;
  n: number;
  vw: number;
}

function extraSymbolName(i: number): string {
  let name = '';
  let n = i;
  for (let k = 0; k < 3; k++) {
    name = String.fromCharCode(65 + (n % 26)) + name;
    n = floor(n / 26);
  }
  return `X${name}`;
}

function assetIdFor(symbol: string): string {
  const hex = Array.from({ length: 4 }, (_, k) => hashString(`${symbol}#${k}`).toString(16).padStart(8, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

const round2 = (x: number): number => round(x * 100) / 100;

const shared = new Map<string, Market>();

/** Markets are immutable apart from their lazily filled caches, so simulators with the same seed share one. */
export function marketFor(seed: number, universeSize: number): Market {
  const key = `${seed}:${universeSize}`;
  let market = shared.get(key);
  if (!market) {
    market = new Market(seed, universeSize);
    shared.set(key, market);
  }
  return market;
}

export class Market {
  readonly calendar: TradingCalendar = tradingCalendar();
  readonly symbols: SymbolModel[] = [];
  private readonly bySymbol = new Map<string, SymbolModel>();
  /** Global bar number of the first bar of history. */
  readonly firstBar: number;
  /** Per cluster factor path and per symbol close path, computed lazily up to what has been asked for. */
  private factors: Float64Array[] = [];
  private factorCount: number[] = [];
  /** Per symbol: log price (independent names) or spread (clustered names). */
  private closes: Float64Array[] = [];
  private closeCount: number[] = [];

  constructor(
    readonly seed: number,
    universeSize = 40,
  ) {
    this.firstBar = this.calendar.firstBarAtOrAfter(HISTORY_START);
    const names: Array<{ symbol: string; cluster: number | null }> = [];
    CLUSTERS.forEach((members, c) => members.forEach((symbol) => names.push({ symbol, cluster: c })));
    INDEPENDENT.forEach((symbol) => names.push({ symbol, cluster: null }));
    for (let i = 0; names.length < universeSize; i++) names.push({ symbol: extraSymbolName(i), cluster: null });
    names.slice(0, max(universeSize, 1)).forEach(({ symbol, cluster }, index) => {
      const stream = hashString(symbol);
      const halfLifeBars = 10 + 30 * uniformAt(seed, stream, 1);
      const phi = pow(0.5, 1 / halfLifeBars);
      const spreadSd = 0.015 + 0.02 * uniformAt(seed, stream, 2);
      const model: SymbolModel = {
        symbol,
        index,
        cluster,
        level: log(20 + 180 * uniformAt(seed, stream, 0)),
        beta: 0.7 + 0.6 * uniformAt(seed, stream, 3),
        halfLifeBars,
        phi,
        spreadSigma: spreadSd * sqrt(1 - phi * phi),
        walkSigma: 0.003 + 0.003 * uniformAt(seed, stream, 4),
        shortable: !NOT_SHORTABLE.has(symbol),
        easyToBorrow: !NOT_SHORTABLE.has(symbol) && !HARD_TO_BORROW.has(symbol),
        assetId: assetIdFor(symbol),
      };
      this.symbols.push(model);
      this.bySymbol.set(symbol, model);
    });
    this.factors = CLUSTERS.map(() => new Float64Array(0));
    this.factorCount = CLUSTERS.map(() => 0);
    this.closes = this.symbols.map(() => new Float64Array(0));
    this.closeCount = this.symbols.map(() => 0);
  }

  get(symbol: string): SymbolModel | undefined {
    return this.bySymbol.get(symbol);
  }

  /** Close of history bar i (0 = first bar of HISTORY_START), extending the cached path as needed. */
  close(model: SymbolModel, i: number): number {
    if (i >= this.closeCount[model.index]) this.extendSymbol(model, i + 1);
    const state = this.closes[model.index][i];
    return model.cluster === null ? exp(state) : exp(model.level + model.beta * this.factors[model.cluster][i] + state);
  }

  private static grown(old: Float64Array, count: number): Float64Array {
    if (old.length >= count) return old;
    const next = new Float64Array(max(count, ceil(old.length * 1.5), 2048));
    next.set(old);
    return next;
  }

  private extendFactor(cluster: number, count: number): Float64Array {
    const from = this.factorCount[cluster];
    if (count <= from) return this.factors[cluster];
    const path = Market.grown(this.factors[cluster], count);
    const stream = hashString(`factor${cluster}`);
    const seed = this.seed;
    for (let i = from; i < count; i++) path[i] = (i === 0 ? 0 : path[i - 1]) + 0.004 * normalAt(seed, stream, i);
    this.factors[cluster] = path;
    this.factorCount[cluster] = count;
    return path;
  }

  /**
   * Extends the symbol's state path: its log price (independent) or its OU spread (clustered). The state is
   * carried exactly, so bars are identical however the path was extended.
   */
  private extendSymbol(model: SymbolModel, count: number): void {
    const k = model.index;
    const from = this.closeCount[k];
    const path = Market.grown(this.closes[k], count);
    const stream = hashString(model.symbol);
    const seed = this.seed;
    if (model.cluster === null) {
      for (let i = from; i < count; i++) path[i] = (i === 0 ? model.level : path[i - 1]) + model.walkSigma * normalAt(seed, stream, i);
    } else {
      this.extendFactor(model.cluster, count);
      for (let i = from; i < count; i++) path[i] = model.phi * (i === 0 ? 0 : path[i - 1]) + model.spreadSigma * normalAt(seed, stream, i);
    }
    this.closes[k] = path;
    this.closeCount[k] = count;
  }

  /** History bar index (relative to firstBar) of a global bar number. */
  historyIndex(globalBar: number): number {
    return globalBar - this.firstBar;
  }

  bar(model: SymbolModel, globalBar: number): Bar {
    return this.barWithTime(model, globalBar, this.calendar.barStart(globalBar));
  }

  /** The bar with a caller-supplied time label (e.g. an already formatted RFC3339 string). */
  barWithTime<T>(model: SymbolModel, globalBar: number, t: T): Omit<Bar, 't'> & { t: T } {
    const i = globalBar - this.firstBar;
    const stream = hashString(model.symbol) ^ 0x5bd1e995;
    const c = this.close(model, i);
    const o = i === 0 ? c : this.close(model, i - 1);
    const h = max(o, c) * (1 + 0.0015 * abs(normalAt(this.seed, stream, i)));
    const l = min(o, c) * (1 - 0.0015 * abs(normalAt(this.seed, stream + 1, i)));
    const v = round(50_000 * exp(0.5 * normalAt(this.seed, stream + 2, i)));
    return {
      t,
      o: round2(o),
      h: round2(h),
      l: round2(l),
      c: round2(c),
      v,
      n: max(1, round(v / 120)),
      vw: round(((o + h + l + c) / 4) * 10_000) / 10_000,
    };
  }

  /**
   * Trade price at simulated time ms: inside a session, linear between the previous close and the close of the
   * bar in progress; outside, the last close.
   */
  priceAt(model: SymbolModel, ms: number): number {
    const g = max(this.firstBar, this.calendar.lastBarStartingAtOrBefore(ms));
    const start = this.calendar.barStart(g);
    const end = this.calendar.barEnd(g);
    const i = g - this.firstBar;
    const c = this.close(model, i);
    if (ms >= end) return c;
    const o = i === 0 ? c : this.close(model, i - 1);
    return o + (c - o) * ((ms - start) / (end - start));
  }
}
