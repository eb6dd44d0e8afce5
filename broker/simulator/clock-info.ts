/** The simulated clock as the control endpoints report it. */
import type { SimClock } from './clock';
import type { Market } from './market';
import { formatNewYork } from './nyse-calendar';

export interface ClockInfo {
  now: string;
  nowMs: number;
  newYork: string;
  isOpen: boolean;
  nextOpen: string;
  nextClose: string;
  speed: number;
  paused: boolean;
}

export function clockInfo(clock: SimClock, market: Market): ClockInfo {
  const now = clock.now();
  const c = market.calendar.clock(now);
  return {
    now: new Date(now).toISOString(),
    nowMs: now,
    newYork: formatNewYork(now),
    isOpen: c.isOpen,
    nextOpen: new Date(c.nextOpen).toISOString(),
    nextClose: new Date(c.nextClose).toISOString(),
    speed: clock.speed,
    paused: clock.paused,
  };
}
