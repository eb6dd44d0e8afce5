/** The in-process control surface of a running simulator (also served over HTTP under /__sim/*). */
import { toMs } from './clock';
import type { ClockInfo } from './clock-info';
import { Exchange, SimHttpError } from './exchange';
import { mergeFaults, type FaultConfig } from './faults';
import type { Market } from './market';
import { SEEDED_CORPORATE_ACTIONS, type SimCorporateAction, type SimHalt } from './market-events';
import type { PriceBook } from './price-book';
import type { SimulatorState } from './simulator-state';
import { HOUR_MS } from '../../strategy/time-units';

export interface SimulatorControl {
  market: Market;
  /** Raw trade prices (halts, delistings and splits applied); `market` alone gives the unsplit model path. */
  book: PriceBook;
  clock(): ClockInfo;
  /** Moves the clock: set speed, pause/resume, advance by hours or milliseconds, or jump to a time. */
  updateClock(change: { speed?: number; paused?: boolean; advanceHours?: number; advanceMs?: number; set?: string | number }): ClockInfo;
  faults(): FaultConfig;
  setFaults(update: Partial<FaultConfig>): FaultConfig;
  /** Every order ever recorded (rejected included), oldest first, in Alpaca's JSON shape. */
  orders(): Array<Record<string, unknown>>;
  /** Applies due fills and cancellations now. */
  settle(): void;
  reset(options?: { cash?: number; startTime?: string | number }): void;
  /** Writes the snapshot file now. */
  flush(): void;
  /** Every split and reverse split (seeded and scheduled), by ex-date. */
  corporateActions(): SimCorporateAction[];
  /**
   * Schedules a split (newRate > oldRate) or reverse split on `exDate` (YYYY-MM-DD New York): from 00:00 New York
   * of that day raw prices are divided by newRate/oldRate and any position's qty multiplied by it (avg entry price
   * divided; a fractional share paid as cash). Takes effect on positions only when the clock crosses it later.
   */
  scheduleCorporateAction(action: Omit<SimCorporateAction, 'id'>): SimCorporateAction;
  halts(): SimHalt[];
  /** Halts the symbol over [from, to) (to null/omitted: until `resume`): no trades, no bars; orders wait for the reopen. */
  halt(symbol: string, from: string | number, to?: string | number | null): SimHalt;
  /** Ends the symbol's running halts now (or at `at`). */
  resume(symbol: string, at?: string | number): void;
  /** Delists (inactive: not tradable, no more trades or bars, orders refused) or re-lists a symbol, from `at` (default now). */
  setAssetStatus(symbol: string, status: 'active' | 'inactive', at?: string | number): void;
}

export function createSimulatorControl(state: SimulatorState): SimulatorControl {
  const { clock, faults } = state;
  return {
    market: state.market,
    book: state.book,
    clock: () => state.clockInfo(),
    updateClock(change) {
      if (change.speed !== undefined) {
        if (typeof change.speed !== 'number' || !(change.speed >= 0)) throw new SimHttpError(400, 40010000, 'speed must be a number >= 0');
        clock.setSpeed(change.speed);
      }
      if (change.set !== undefined) clock.set(toMs(change.set));
      const advance = (change.advanceHours ?? 0) * HOUR_MS + (change.advanceMs ?? 0);
      if (!Number.isFinite(advance) || advance < 0) throw new SimHttpError(400, 40010000, 'advance must be >= 0 (time never goes back)');
      if (advance > 0) clock.advance(advance);
      if (change.paused !== undefined) clock.setPaused(Boolean(change.paused));
      state.settle();
      state.exchange.settle(clock.now());
      state.changed();
      return state.clockInfo();
    },
    faults: () => faults.config,
    setFaults(update) {
      faults.config = mergeFaults(faults.config, update);
      return faults.config;
    },
    orders: () => state.exchange.log.map((o) => state.exchange.orderJson(o)),
    settle: state.settle,
    reset(resetOptions = {}) {
      state.exchange = new Exchange(state.book, faults, state.exchangeOptions, {
        cash: resetOptions.cash ?? state.initialCash,
        orders: [],
        positions: [],
      });
      faults.config = { ...state.initialFaults };
      if (resetOptions.startTime !== undefined) clock.set(toMs(resetOptions.startTime));
      state.events.restore({ corporateActions: SEEDED_CORPORATE_ACTIONS, halts: [], inactive: {} });
      state.markActionsAppliedThrough(clock.now());
      state.changed();
    },
    flush: () => state.flush(),
    corporateActions: () => state.events.corporateActions(),
    scheduleCorporateAction(action) {
      const created = state.events.addAction({ ...action, symbol: knownSymbol(state, action.symbol) });
      state.changed();
      return created;
    },
    halts: () => state.events.halts.map((h) => ({ ...h })),
    halt(symbol, from, to) {
      const halt = state.events.addHalt(knownSymbol(state, symbol), toMs(from), to === undefined || to === null ? null : toMs(to));
      state.changed();
      return { ...halt };
    },
    resume(symbol, at) {
      state.events.resume(knownSymbol(state, symbol), at === undefined ? clock.now() : toMs(at));
      state.settle();
      state.changed();
    },
    setAssetStatus(symbol, status, at) {
      if (status !== 'active' && status !== 'inactive') throw new SimHttpError(400, 40010000, "status must be 'active' or 'inactive'");
      state.events.setStatus(knownSymbol(state, symbol), status, at === undefined ? clock.now() : toMs(at));
      state.changed();
    },
  };
}

function knownSymbol(state: SimulatorState, symbol: unknown): string {
  const upper = typeof symbol === 'string' ? symbol.toUpperCase() : '';
  if (!state.market.get(upper)) throw new SimHttpError(404, 40410000, `unknown symbol: ${String(symbol)}`);
  return upper;
}
