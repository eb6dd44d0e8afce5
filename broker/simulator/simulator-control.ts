/** The in-process control surface of a running simulator (also served over HTTP under /__sim/*). */
import { toMs } from './clock';
import type { ClockInfo } from './clock-info';
import { Exchange, SimHttpError } from './exchange';
import { mergeFaults, type FaultConfig } from './faults';
import type { Market } from './market';
import type { SimulatorState } from './simulator-state';
import { HOUR_MS } from '../../strategy/time-units';

export interface SimulatorControl {
  market: Market;
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
}

export function createSimulatorControl(state: SimulatorState): SimulatorControl {
  const { clock, faults } = state;
  return {
    market: state.market,
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
      state.exchange = new Exchange(state.market, faults, state.exchangeOptions, {
        cash: resetOptions.cash ?? state.initialCash,
        orders: [],
        positions: [],
      });
      faults.config = { ...state.initialFaults };
      if (resetOptions.startTime !== undefined) clock.set(toMs(resetOptions.startTime));
      state.changed();
    },
    flush: () => state.flush(),
  };
}
