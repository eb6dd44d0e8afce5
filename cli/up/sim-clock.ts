import type { SimulatorControl } from '../../broker/simulator';
import { HOUR_MS } from '../../strategy/time-units';

/**
 * Keeps the simulated market in session: whenever it is closed (nights, weekends, holidays) the clock jumps to
 * one hour after the next open, so the first bar of the session is complete and a fast-clock demo never sits
 * through 17 simulated hours of nothing. Returns a function that stops the watcher.
 */
export function keepSimulatedMarketOpen(control: SimulatorControl, checkEveryMs = 2000): () => void {
  const check = (): void => {
    const clock = control.clock();
    if (clock.isOpen || clock.paused) return;
    control.updateClock({ set: Date.parse(clock.nextOpen) + HOUR_MS + 60_000 });
  };
  check();
  const timer = setInterval(check, checkEveryMs);
  timer.unref();
  return () => clearInterval(timer);
}
