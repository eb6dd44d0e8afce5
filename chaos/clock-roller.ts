import type { SimulatorHandle } from '../broker/simulator';

/**
 * Keeps the simulated market open: whenever the session ends (which cancels unfilled remainders, the
 * simulator's rule for partial fills) the clock jumps to one minute after the next open.
 */
export function keepMarketOpen(sim: SimulatorHandle, everyMs = 200): { stop(): void; rolls(): number } {
  let rolls = 0;
  const timer = setInterval(() => {
    const clock = sim.control.clock();
    if (clock.isOpen) return;
    sim.control.updateClock({ set: Date.parse(clock.nextOpen) + 60_000 });
    rolls += 1;
  }, everyMs);
  timer.unref();
  return { stop: () => clearInterval(timer), rolls: () => rolls };
}
