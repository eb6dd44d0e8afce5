/** Simulated wall clock: runs `speed` times faster than real time from an anchor, can be paused and moved. */
export interface ClockSnapshot {
  simMs: number;
  speed: number;
  paused: boolean;
}

export class SimClock {
  private anchorSim: number;
  private anchorReal = Date.now();
  speed: number;
  paused: boolean;

  constructor(snapshot: ClockSnapshot) {
    this.anchorSim = snapshot.simMs;
    this.speed = snapshot.speed;
    this.paused = snapshot.paused;
  }

  now(): number {
    return this.paused ? this.anchorSim : this.anchorSim + (Date.now() - this.anchorReal) * this.speed;
  }

  private reanchor(simMs = this.now()): void {
    this.anchorSim = simMs;
    this.anchorReal = Date.now();
  }

  setSpeed(speed: number): void {
    this.reanchor();
    this.speed = speed;
  }
  setPaused(paused: boolean): void {
    this.reanchor();
    this.paused = paused;
  }
  set(simMs: number): void {
    this.reanchor(simMs);
  }
  advance(ms: number): void {
    this.reanchor(this.now() + ms);
  }

  /** Real milliseconds until simulated time reaches simMs (Infinity when paused). */
  realMsUntil(simMs: number): number {
    if (this.paused || this.speed <= 0) return Infinity;
    return Math.max(0, (simMs - this.now()) / this.speed);
  }

  snapshot(): ClockSnapshot {
    return { simMs: this.now(), speed: this.speed, paused: this.paused };
  }
}

/** Epoch milliseconds of a Date, an ISO string or a number; throws on anything unparseable. */
export function toMs(value: Date | string | number): number {
  const ms = value instanceof Date ? value.getTime() : typeof value === 'number' ? value : Date.parse(value);
  if (!Number.isFinite(ms)) throw new Error(`invalid time: ${String(value)}`);
  return ms;
}
