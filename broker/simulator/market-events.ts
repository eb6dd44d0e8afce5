/**
 * What happens to symbols besides their price path, per simulator instance (the Market is shared by seed):
 * splits and reverse splits, trading halts, and delistings (asset status inactive). Prices of the Market are in
 * "model" units; a raw price at time t is the model price divided by the product of newRate/oldRate of the symbol's
 * splits with ex-date on or before t's New York date, so scheduling a future split never changes past or present prices.
 */
import { SimHttpError } from './sim-http-error';
import { dayNumberOf, newYorkOffsetMinutes } from './nyse-calendar';
import { DAY_MS, MINUTE_MS } from '../../strategy/time-units';

export interface SimCorporateAction {
  id: string;
  symbol: string;
  kind: 'split' | 'reverse_split';
  /** YYYY-MM-DD, New York. */
  exDate: string;
  oldRate: number;
  newRate: number;
}

export interface SimHalt {
  symbol: string;
  fromMs: number;
  /** null: halted until further notice. */
  toMs: number | null;
}

export interface MarketEventsSnapshot {
  corporateActions: SimCorporateAction[];
  halts: SimHalt[];
  /** symbol → time it became inactive (delisted). */
  inactive: Record<string, number>;
}

/**
 * The seeded calendar: a 2:1 split of UMBR and a 1:10 reverse split of VLTA, both independent (non-cluster) names, so
 * discovery over split-adjusted bars finds the same pairs as before.
 */
export const SEEDED_CORPORATE_ACTIONS: SimCorporateAction[] = [
  { id: 'seed-UMBR-2024-06-10', symbol: 'UMBR', kind: 'split', exDate: '2024-06-10', oldRate: 1, newRate: 2 },
  { id: 'seed-VLTA-2025-01-13', symbol: 'VLTA', kind: 'reverse_split', exDate: '2025-01-13', oldRate: 10, newRate: 1 },
];

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function dayNumberOfIso(date: string): number {
  const m = ISO_DATE.exec(date);
  if (!m) throw new SimHttpError(400, 40010000, `invalid date: ${date} (YYYY-MM-DD)`);
  return dayNumberOf(Number(m[1]), Number(m[2]), Number(m[3]));
}

/** New York calendar day number of an instant. */
export function newYorkDay(ms: number): number {
  return Math.floor((ms + newYorkOffsetMinutes(ms) * MINUTE_MS) / DAY_MS);
}

/** 00:00 New York of a day number: when a split takes effect. */
export function newYorkMidnight(dayNumber: number): number {
  const utcMidnight = dayNumber * DAY_MS;
  return utcMidnight - newYorkOffsetMinutes(utcMidnight + 12 * 60 * MINUTE_MS) * MINUTE_MS;
}

export function ratioOf(action: { oldRate: number; newRate: number }): number {
  return action.newRate / action.oldRate;
}

export class MarketEvents {
  private actions: SimCorporateAction[] = [];
  /** Per symbol, ex-day numbers ascending and the cumulative ratio from each on. */
  private splitSteps = new Map<string, { days: number[]; cumulative: number[] }>();
  readonly halts: SimHalt[] = [];
  readonly inactive = new Map<string, number>();

  constructor(snapshot: MarketEventsSnapshot) {
    this.restore(snapshot);
  }

  /** Replaces everything with the snapshot's content. */
  restore(snapshot: MarketEventsSnapshot): void {
    this.actions = [];
    this.splitSteps.clear();
    this.halts.length = 0;
    this.inactive.clear();
    for (const action of snapshot.corporateActions) this.addAction(action);
    this.halts.push(...snapshot.halts.map((h) => ({ ...h })));
    for (const [symbol, ms] of Object.entries(snapshot.inactive)) this.inactive.set(symbol, ms);
  }

  static seeded(): MarketEvents {
    return new MarketEvents({ corporateActions: SEEDED_CORPORATE_ACTIONS, halts: [], inactive: {} });
  }

  snapshot(): MarketEventsSnapshot {
    return {
      corporateActions: this.actions.map((a) => ({ ...a })),
      halts: this.halts.map((h) => ({ ...h })),
      inactive: Object.fromEntries(this.inactive),
    };
  }

  corporateActions(): SimCorporateAction[] {
    return [...this.actions];
  }

  addAction(input: Omit<SimCorporateAction, 'id'> & { id?: string }): SimCorporateAction {
    if (input.kind !== 'split' && input.kind !== 'reverse_split') throw new SimHttpError(400, 40010000, "kind must be 'split' or 'reverse_split'");
    if (!(input.oldRate > 0) || !(input.newRate > 0)) throw new SimHttpError(400, 40010000, 'oldRate and newRate must be > 0');
    if ((input.kind === 'split') !== input.newRate > input.oldRate) {
      throw new SimHttpError(400, 40010000, 'a split has newRate > oldRate, a reverse split newRate < oldRate');
    }
    dayNumberOfIso(input.exDate);
    if (this.actions.some((a) => a.symbol === input.symbol && a.exDate === input.exDate)) {
      throw new SimHttpError(409, 40910000, `${input.symbol} already has a corporate action on ${input.exDate}`);
    }
    const action: SimCorporateAction = {
      id: input.id ?? `${input.symbol}-${input.exDate}`,
      symbol: input.symbol,
      kind: input.kind,
      exDate: input.exDate,
      oldRate: input.oldRate,
      newRate: input.newRate,
    };
    this.actions.push(action);
    this.actions.sort((a, b) => a.exDate.localeCompare(b.exDate) || a.symbol.localeCompare(b.symbol));
    const mine = this.actions.filter((a) => a.symbol === action.symbol);
    let product = 1;
    this.splitSteps.set(action.symbol, {
      days: mine.map((a) => dayNumberOfIso(a.exDate)),
      cumulative: mine.map((a) => (product *= ratioOf(a))),
    });
    return action;
  }

  /** Product of the split ratios of the symbol with ex-date on or before this New York day. */
  splitFactor(symbol: string, dayNumber: number): number {
    const steps = this.splitSteps.get(symbol);
    if (!steps) return 1;
    let factor = 1;
    for (let i = 0; i < steps.days.length && steps.days[i] <= dayNumber; i++) factor = steps.cumulative[i];
    return factor;
  }

  /** Actions that take effect (00:00 New York of the ex-date) in (afterMs, uptoMs]. */
  effectiveBetween(afterMs: number, uptoMs: number): SimCorporateAction[] {
    return this.actions.filter((a) => {
      const at = newYorkMidnight(dayNumberOfIso(a.exDate));
      return at > afterMs && at <= uptoMs;
    });
  }

  addHalt(symbol: string, fromMs: number, toMs: number | null): SimHalt {
    if (!Number.isFinite(fromMs) || (toMs !== null && !(toMs > fromMs))) throw new SimHttpError(400, 40010000, 'a halt needs from < to');
    const halt = { symbol, fromMs, toMs };
    this.halts.push(halt);
    return halt;
  }

  /** Ends the symbol's open-ended or still running halts at `ms`. */
  resume(symbol: string, ms: number): void {
    for (const h of this.halts) if (h.symbol === symbol && h.fromMs <= ms && (h.toMs === null || h.toMs > ms)) h.toMs = ms;
  }

  setStatus(symbol: string, status: 'active' | 'inactive', atMs: number): void {
    if (status === 'inactive') this.inactive.set(symbol, atMs);
    else this.inactive.delete(symbol);
  }

  isInactive(symbol: string, ms: number): boolean {
    const from = this.inactive.get(symbol);
    return from !== undefined && ms >= from;
  }

  /** The halt (or delisting, as a halt without end) the symbol is in at ms, if any. */
  stoppedAt(symbol: string, ms: number): { fromMs: number; toMs: number | null } | null {
    const delisted = this.inactive.get(symbol);
    if (delisted !== undefined && ms >= delisted) return { fromMs: delisted, toMs: null };
    for (const h of this.halts) if (h.symbol === symbol && ms >= h.fromMs && (h.toMs === null || ms < h.toMs)) return h;
    return null;
  }

  /** Whether the symbol does not trade at some moment of [startMs, endMs): halted or delisted. */
  overlapsStop(symbol: string, startMs: number, endMs: number): boolean {
    const delisted = this.inactive.get(symbol);
    if (delisted !== undefined && endMs > delisted) return true;
    for (const h of this.halts) if (h.symbol === symbol && h.fromMs < endMs && (h.toMs === null || h.toMs > startMs)) return true;
    return false;
  }

  hasStops(symbol: string): boolean {
    return this.inactive.has(symbol) || this.halts.some((h) => h.symbol === symbol);
  }
}
