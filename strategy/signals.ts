/**
 * The spec's signal table as one pure rule, shared by the live cycle, the backtester and the sweep.
 *
 * `classifySignal` is the rule itself: allocation-free, numeric, cheap enough for the sweep's inner
 * loop. `decideSignal` wraps it for callers that need an auditable decision (live cycle, API):
 * same verdict, plus a human-readable reason and the inputs that produced it.
 *
 * Precedence (first match wins):
 *   flat:
 *     1. z not finite                      -> no signal ("z undefined")
 *     2. |z| > stopLoss                    -> no signal (entering beyond the stop would stop out at once)
 *     3. z < -entry                        -> LONG_SPREAD  (long symbol1, short symbol2)
 *     4. z > +entry                        -> SHORT_SPREAD (short symbol1, long symbol2)
 *     5. otherwise                         -> no signal (within entry band)
 *   in a position:
 *     1. z finite and |z| > stopLoss       -> STOP_LOSS
 *     2. holdHours > 3 x halfLifeHours, or holdHours > maxHoldHours -> EXPIRE
 *        (evaluated even when z is not finite: it depends on time only, and a position must not
 *        outlive its holding limit because the spread became undefined)
 *     3. z not finite                      -> no signal (hold; "z undefined")
 *     4. |z| < exit                        -> EXIT
 *     5. otherwise                         -> no signal (hold)
 * All comparisons are strict: z exactly at a threshold does not trigger it.
 * A missing or non-positive half-life disables the half-life limit; maxHoldHours still applies.
 */

export type TradeSide = 'LONG_SPREAD' | 'SHORT_SPREAD';
/** Signals that close an open trade. */
export type ExitSignalType = 'EXIT' | 'STOP_LOSS' | 'EXPIRE';
export type SignalType = TradeSide | ExitSignalType;
export interface Thresholds {
  entry: number;
  exit: number;
  stopLoss: number;
  maxHoldHours: number;
}
export interface SignalAudit {
  z: number;
  mean: number;
  std: number;
  beta: number;
  window: number;
}
/** audit.z is the z-score the decision uses. */
export interface SignalInput {
  position: TradeSide | null;
  /** Wall-clock hours since the entry bar (bar time - entry time), as the backtester computes it. */
  holdHours: number;
  /** Spread half-life in bars x bar spacing in hours (1 for hourly bars); null when not mean-reverting. */
  halfLifeHours: number | null;
  thresholds: Thresholds;
  audit: SignalAudit;
}
export interface SignalDecision {
  type: SignalType | null;
  reason: string;
  inputs: SignalAudit & { holdHours: number; halfLifeHours: number | null; thresholds: Thresholds };
}

/** Holding limit in multiples of the spread's half-life (spec: EXPIRE when hold > 3 x half-life). */
export const EXPIRE_HALF_LIVES = 3;

/** Numeric signal codes used by the allocation-free rule. */
export const SIG_NONE = 0;
export const SIG_LONG_SPREAD = 1;
export const SIG_SHORT_SPREAD = 2;
export const SIG_EXIT = 3;
export const SIG_STOP_LOSS = 4;
export const SIG_EXPIRE = 5;
/** Position codes for classifySignal. */
export const POS_FLAT = 0;
export const POS_LONG = 1;
export const POS_SHORT = -1;

const CODE_TO_TYPE: readonly (SignalType | null)[] = [null, 'LONG_SPREAD', 'SHORT_SPREAD', 'EXIT', 'STOP_LOSS', 'EXPIRE'];

export function signalTypeOf(code: number): SignalType | null {
  return CODE_TO_TYPE[code] ?? null;
}

/**
 * Hold limit in hours: the tighter of 3 x half-life (when a positive half-life is known) and
 * maxHoldHours. Infinity when neither applies.
 */
export function holdLimitHours(halfLifeHours: number | null, maxHoldHours: number): number {
  const byHalfLife = halfLifeHours !== null && halfLifeHours > 0 && Number.isFinite(halfLifeHours) ? EXPIRE_HALF_LIVES * halfLifeHours : Infinity;
  const byMax = maxHoldHours > 0 ? maxHoldHours : Infinity;
  return byHalfLife < byMax ? byHalfLife : byMax;
}

/**
 * The signal rule (see the precedence table above). `position` is POS_FLAT / POS_LONG / POS_SHORT,
 * `holdLimit` comes from holdLimitHours. Returns one of the SIG_* codes.
 */
export function classifySignal(
  position: number,
  z: number,
  holdHours: number,
  holdLimit: number,
  entry: number,
  exit: number,
  stopLoss: number,
): number {
  // Written so that NaN fails every comparison (no signal) and +/-Infinity never triggers a stop or
  // an exit; this is the sweep's hot path, so the common case costs two comparisons.
  if (position === POS_FLAT) {
    if (z < -entry) return z >= -stopLoss ? SIG_LONG_SPREAD : SIG_NONE;
    if (z > entry) return z <= stopLoss ? SIG_SHORT_SPREAD : SIG_NONE;
    return SIG_NONE;
  }
  if ((z > stopLoss && z !== Infinity) || (z < -stopLoss && z !== -Infinity)) return SIG_STOP_LOSS;
  if (holdHours > holdLimit) return SIG_EXPIRE;
  if (z < exit && z > -exit) return SIG_EXIT;
  return SIG_NONE;
}

/** Returns a description of what is wrong with the thresholds, or null when they are usable. */
export function thresholdsProblem(t: Thresholds): string | null {
  for (const key of ['entry', 'exit', 'stopLoss', 'maxHoldHours'] as const) {
    if (typeof t[key] !== 'number' || !Number.isFinite(t[key])) return `${key} threshold must be a finite number, got ${String(t[key])}`;
  }
  if (t.exit < 0) return `exit threshold must be >= 0, got ${t.exit}`;
  if (t.entry <= 0) return `entry threshold must be > 0, got ${t.entry}`;
  if (t.exit >= t.entry) return `exit threshold (${t.exit}) must be below entry threshold (${t.entry})`;
  if (t.stopLoss <= t.entry) return `stop-loss threshold (${t.stopLoss}) must be above entry threshold (${t.entry})`;
  if (t.maxHoldHours <= 0) return `maxHoldHours must be > 0, got ${t.maxHoldHours}`;
  return null;
}

const fmt = (x: number): string => (Number.isFinite(x) ? x.toFixed(2) : String(x));

function positionCode(position: TradeSide | null): number {
  if (position === null) return POS_FLAT;
  return position === 'LONG_SPREAD' ? POS_LONG : POS_SHORT;
}

function reasonFor(code: number, input: SignalInput, holdLimit: number): string {
  const { z } = input.audit;
  const { entry, exit, stopLoss, maxHoldHours } = input.thresholds;
  const zFinite = Number.isFinite(z);
  const zs = fmt(z);
  switch (code) {
    case SIG_LONG_SPREAD:
      return `z ${zs} below -${fmt(entry)}: spread cheap, long symbol1 / short symbol2`;
    case SIG_SHORT_SPREAD:
      return `z ${zs} above +${fmt(entry)}: spread rich, short symbol1 / long symbol2`;
    case SIG_STOP_LOSS:
      return `|z| ${fmt(Math.abs(z))} beyond stop-loss ${fmt(stopLoss)}`;
    case SIG_EXPIRE: {
      const hl = input.halfLifeHours;
      const byHalfLife = hl !== null && hl > 0 && EXPIRE_HALF_LIVES * hl === holdLimit;
      const limit = byHalfLife ? `${EXPIRE_HALF_LIVES} x half-life ${fmt(hl)} h = ${fmt(holdLimit)} h` : `max hold ${fmt(maxHoldHours)} h`;
      return `held ${fmt(input.holdHours)} h, beyond ${limit}`;
    }
    case SIG_EXIT:
      return `|z| ${fmt(Math.abs(z))} inside exit band ${fmt(exit)}: spread reverted`;
    default:
      break;
  }
  if (!zFinite) return `z undefined (${zs}): no signal`;
  if (input.position === null) {
    if (Math.abs(z) > stopLoss) return `z ${zs} already beyond stop-loss ±${fmt(stopLoss)}: no entry`;
    return `z ${zs} within entry band ±${fmt(entry)}`;
  }
  return `holding ${input.position}: z ${zs} between exit ${fmt(exit)} and stop-loss ${fmt(stopLoss)}`;
}

/** The auditable form of classifySignal, for per-bar use by the live cycle. */
export function decideSignal(input: SignalInput): SignalDecision {
  const { thresholds, audit } = input;
  const holdLimit = holdLimitHours(input.halfLifeHours, thresholds.maxHoldHours);
  const code = classifySignal(
    positionCode(input.position),
    audit.z,
    input.holdHours,
    holdLimit,
    thresholds.entry,
    thresholds.exit,
    thresholds.stopLoss,
  );
  return {
    type: signalTypeOf(code),
    reason: reasonFor(code, input, holdLimit),
    inputs: {
      z: audit.z,
      mean: audit.mean,
      std: audit.std,
      beta: audit.beta,
      window: audit.window,
      holdHours: input.holdHours,
      halfLifeHours: input.halfLifeHours,
      thresholds: { ...thresholds },
    },
  };
}
