import { evaluatePair } from '../../strategy/pair-evaluation';
import { nyTimeToMs, sessionHoursBetween, weekdaySessions } from '../../strategy/session-calendar';
import { rollingZScore } from '../../strategy/spread';
import { rebaseEntryStats, type TradeEntryStats } from '../../strategy/trade-entry-stats';
import { EVALUATION_CONFIG, EVALUATION_PAIR } from '../helpers/evaluation-fixture';

const HOUR = 3_600_000;
const config = EVALUATION_CONFIG;
const pair = EVALUATION_PAIR;
const t0 = Date.UTC(2026, 0, 5, 14);
const n = 30;
const wobble = (i: number): number => 100 * Math.exp(0.01 * Math.sin(i * 1.7));
const s1 = { ts: Array.from({ length: n }, (_, i) => t0 + i * HOUR), close: Array.from({ length: n }, (_, i) => wobble(i)) };
const s2 = { ts: s1.ts, close: s1.ts.map(() => 100) };
const entryStats: TradeEntryStats = { hedgeRatio: 1, halfLife: 10, spreadMean: 0, spreadStd: 0.007 };

function evaluate(over: Partial<Parameters<typeof evaluatePair>[0]>) {
  return evaluatePair({
    pair,
    series1: s1,
    series2: s2,
    config,
    position: 'SHORT_SPREAD',
    entryTimeMs: t0,
    nowMs: t0 + (n - 1) * HOUR,
    lastStoredSpreadMs: null,
    ...over,
  });
}

describe('an open trade on stale bars', () => {
  const staleNow = t0 + (n - 1) * HOUR + 5 * HOUR;

  it('fires STOP_LOSS on the latest trade prices', () => {
    const r = evaluate({ nowMs: staleNow, trade: { entryStats, holdSessionHours: 5, latestPrices: { price1: 110, price2: 100 } } });
    expect(r.staleReason).toMatch(/stale data: latest bar 5\.0 h old/);
    expect(r.decision?.type).toBe('STOP_LOSS');
    expect(r.decision?.reason).toMatch(/on latest trade prices/);
    expect(r.z).toBeGreaterThan(3);
  });

  it('does not stop while the latest prices stay inside the stop, and without a trade context stays skipped (old behaviour)', () => {
    expect(
      evaluate({ nowMs: staleNow, trade: { entryStats, holdSessionHours: 5, latestPrices: { price1: 100.5, price2: 100 } } }).decision?.type,
    ).toBeNull();
    const legacy = evaluate({ nowMs: staleNow, position: null, entryTimeMs: null });
    expect(legacy.decision).toBeNull();
    expect(legacy.skipReason).toMatch(/stale data/);
  });

  it('fires EXPIRE on hold time without bars or prices, and holds an EXIT until bars are fresh', () => {
    const noBars = { ts: [], close: [] };
    const r = evaluate({ series1: noBars, nowMs: staleNow, trade: { entryStats, holdSessionHours: 31, latestPrices: null } });
    expect(r.decision?.type).toBe('EXPIRE');
    const inside = Math.exp(Math.log(100) + 0.1 * 0.007);
    const held = evaluate({
      series1: noBars,
      nowMs: staleNow,
      trade: { entryStats, holdSessionHours: 1, latestPrices: { price1: inside, price2: 100 } },
    });
    expect(held.decision?.type).toBeNull();
    expect(held.decision?.reason).toMatch(/EXIT waits for fresh bars/);
  });
});

describe('an open trade keeps its entry statistics', () => {
  it('is scored on its entry hedge ratio and half-life after re-discovery changed the registry', () => {
    const rediscovered = { ...pair, hedge_ratio: 1.8, half_life: 0.5 };
    const r = evaluate({ pair: rediscovered, trade: { entryStats, holdSessionHours: 2, latestPrices: null } });
    expect(r.decision?.inputs.beta).toBe(1);
    expect(r.decision?.inputs.halfLifeHours).toBe(10);
    expect(r.decision?.type).not.toBe('EXPIRE'); // 2 h < 3 x 10; the registry's 0.5 would have expired it
    const spread = s1.close.map((p, i) => Math.log(p) - Math.log(s2.close[i]));
    expect(r.z).toBeCloseTo(rollingZScore(spread, 10).z[n - 1], 12);
    const flat = evaluate({ pair: rediscovered, position: null, entryTimeMs: null });
    expect(flat.decision?.inputs.beta).toBe(1.8);
  });

  it('moves the entry mean across a split so the spread on adjusted prices scores the same', () => {
    const stats = { hedgeRatio: 0.8, halfLife: 5, spreadMean: 0.3, spreadStd: 0.02 };
    const [p1, p2] = [120, 60];
    const z = (s: TradeEntryStats, a: number, b: number) => (Math.log(a) - s.hedgeRatio * Math.log(b) - s.spreadMean) / s.spreadStd;
    expect(z(rebaseEntryStats(stats, 1, 2), p1 / 2, p2)).toBeCloseTo(z(stats, p1, p2), 9);
    expect(z(rebaseEntryStats(stats, 2, 0.1), p1, p2 / 0.1)).toBeCloseTo(z(stats, p1, p2), 9);
  });
});

describe('EXPIRE counts regular-session hours', () => {
  it('does not expire a Friday-afternoon entry on Monday after one bar', () => {
    const entry = nyTimeToMs('2026-03-27', '14:30');
    const monday = nyTimeToMs('2026-03-30', '10:35');
    const hold = sessionHoursBetween(entry, monday, weekdaySessions(entry, monday));
    const shortHalfLife = { ...entryStats, halfLife: 1 };
    const wallClock = evaluate({
      pair: { ...pair, half_life: 1 },
      entryTimeMs: entry,
      nowMs: monday,
      series1: shift(s1, monday),
      series2: shift(s2, monday),
    });
    expect(wallClock.decision?.type).toBe('EXPIRE'); // the old unit: 68 h > 3 x 1
    const session = evaluate({
      entryTimeMs: entry,
      nowMs: monday,
      series1: shift(s1, monday),
      series2: shift(s2, monday),
      trade: { entryStats: shortHalfLife, holdSessionHours: hold, latestPrices: null },
    });
    expect(hold).toBeCloseTo(2.5 + 1 / 12, 9);
    expect(session.decision?.type).not.toBe('EXPIRE');
  });
});

/** The same bars ending at `endMs`. */
function shift(s: { ts: number[]; close: number[] }, endMs: number) {
  const d = endMs - 10 * 60_000 - s.ts[s.ts.length - 1];
  return { ts: s.ts.map((t) => t + d), close: s.close };
}

describe('thresholds apply to open trades', () => {
  it('a stop-loss lowered through the config closes an open trade evaluated with its entry statistics', () => {
    const trade = { entryStats, holdSessionHours: 1, latestPrices: null };
    const r = evaluate({ trade });
    const z = Math.abs(r.z!);
    expect(r.decision?.type).not.toBe('STOP_LOSS');
    const lowered = evaluate({ trade, config: { ...config, entry_threshold: z / 4, exit_threshold: z / 8, stop_loss_threshold: z / 2 } });
    expect(lowered.decision?.type).toBe('STOP_LOSS');
    expect(lowered.decision?.inputs.thresholds.stopLoss).toBe(z / 2);
  });
});
