import { reconcilePositions, type ReconTrade } from '../../strategy/reconciliation';
import { alignPairCloses, evaluatePair } from '../../strategy/pair-evaluation';
import { barsRequestStart, lookbackSpanMs } from '../../strategy/bar-window';
import { tradePnl, tradeExposure } from '../../strategy/trade-math';
import { toActivityFailure } from '../../activities/broker-errors';
import { BrokerError } from '../../broker/types';
import { ApplicationFailure } from '@temporalio/common';
import { entrySides, legClientOrderId, oppositeSide, pairTradeWorkflowId, parsePairTradeWorkflowId } from '../../workflows/contracts/pair-trade';
import { scheduleSpec } from '../../temporal/schedule';
import { EVALUATION_CONFIG, EVALUATION_PAIR } from '../helpers/evaluation-fixture';

const trade = (over: Partial<ReconTrade>): ReconTrade => ({
  id: 1,
  pairId: 1,
  status: 'OPEN',
  side: 'LONG_SPREAD',
  symbol1: 'AAA',
  symbol2: 'BBB',
  qty1: 10,
  qty2: 20,
  ...over,
});

describe('reconcilePositions', () => {
  it('accepts positions that open trades explain, summing trades that share a symbol', () => {
    const report = reconcilePositions(
      [
        { symbol: 'AAA', qty: 10 },
        { symbol: 'BBB', qty: -20 + 5 },
        { symbol: 'CCC', qty: -5 },
      ],
      [trade({}), trade({ id: 2, pairId: 2, side: 'SHORT_SPREAD', symbol1: 'CCC', symbol2: 'BBB', qty1: 5, qty2: 5 })],
    );
    expect(report.unexplained).toEqual([]);
    expect(report.missing).toEqual([]);
    expect(report.checkedSymbols).toBe(3);
  });

  it('flags a position no trade explains, and extra exposure on a traded symbol', () => {
    const report = reconcilePositions(
      [
        { symbol: 'AAA', qty: 15 },
        { symbol: 'BBB', qty: -20 },
        { symbol: 'ZZZ', qty: 3 },
      ],
      [trade({})],
    );
    expect(report.unexplained.map((d) => d.symbol)).toEqual(['AAA', 'ZZZ']);
    expect(report.unexplained[0]).toMatchObject({ actual: 15, expectedMin: 10, expectedMax: 10 });
  });

  it('flags an OPEN trade whose leg is gone as missing, not unexplained', () => {
    const report = reconcilePositions([{ symbol: 'AAA', qty: 10 }], [trade({})]);
    expect(report.unexplained).toEqual([]);
    expect(report.missing).toEqual([expect.objectContaining({ symbol: 'BBB', tradeId: 1, actual: 0, expectedMin: -20 })]);
  });

  it('accepts a CLOSING trade anywhere between held and flat, and leaves PENDING symbols unjudged', () => {
    const closing = reconcilePositions([{ symbol: 'AAA', qty: 4 }], [trade({ status: 'CLOSING' })]);
    expect(closing.unexplained).toEqual([]);
    expect(closing.missing).toEqual([]);
    const pending = reconcilePositions([{ symbol: 'AAA', qty: 7 }], [trade({ status: 'PENDING', qty1: null, qty2: null })]);
    expect(pending.unexplained).toEqual([]);
    expect(pending.inFlux).toEqual(['AAA', 'BBB']);
  });
});

describe('trade math', () => {
  it('computes P&L of both legs, the short leg gaining when its price falls', () => {
    // Long 10 AAA 100 -> 110 (+100), short 20 BBB 50 -> 45 (+100).
    expect(tradePnl({ side: 'LONG_SPREAD', qty1: 10, qty2: 20, entry1: 100, entry2: 50, exit1: 110, exit2: 45 })).toBeCloseTo(200);
    // Short 10 AAA 100 -> 110 (-100), long 20 BBB 50 -> 45 (-100).
    expect(tradePnl({ side: 'SHORT_SPREAD', qty1: 10, qty2: 20, entry1: 100, entry2: 50, exit1: 110, exit2: 45 })).toBeCloseTo(-200);
  });

  it('buys symbol1 and shorts symbol2 for LONG_SPREAD, the reverse for SHORT_SPREAD', () => {
    expect(entrySides('LONG_SPREAD')).toEqual({ leg1: 'buy', leg2: 'sell' });
    expect(entrySides('SHORT_SPREAD')).toEqual({ leg1: 'sell', leg2: 'buy' });
    expect(oppositeSide('buy')).toBe('sell');
  });

  it('signs exposure by side', () => {
    expect(tradeExposure('LONG_SPREAD', 'A', 'B', 3, 4)).toEqual([
      ['A', 3],
      ['B', -4],
    ]);
    expect(tradeExposure('SHORT_SPREAD', 'A', 'B', 3, 4)).toEqual([
      ['A', -3],
      ['B', 4],
    ]);
  });
});

describe('workflow identities', () => {
  it('derives order ids from the workflow id, phase, leg and round only', () => {
    const wf = pairTradeWorkflowId(3, 17);
    expect(wf).toBe('pair-trade-3-17');
    expect(parsePairTradeWorkflowId(wf)).toEqual({ pairId: 3, tradeId: 17 });
    expect(legClientOrderId(wf, 'entry', 1)).toBe('pair-trade-3-17-entry-leg1');
    expect(legClientOrderId(wf, 'comp', 2)).toBe('pair-trade-3-17-comp-leg2');
    expect(legClientOrderId(wf, 'exit', 2, 1)).toBe('pair-trade-3-17-exit-leg2-r1');
    expect(parsePairTradeWorkflowId('pairs-cycle-x')).toBeNull();
  });
});

describe('broker error mapping', () => {
  it('makes permanent broker errors non-retryable and keeps Retry-After on transient ones', () => {
    const rejected = toActivityFailure(new BrokerError('forbidden', false, 403)) as ApplicationFailure;
    expect(rejected).toBeInstanceOf(ApplicationFailure);
    expect(rejected.nonRetryable).toBe(true);
    expect(rejected.type).toBe('BrokerRejected');
    const limited = toActivityFailure(new BrokerError('slow down', true, 429, undefined, 3)) as ApplicationFailure;
    expect(limited.nonRetryable).toBe(false);
    expect(limited.nextRetryDelay).toBe('3s');
    const other = new Error('db down');
    expect(toActivityFailure(other)).toBe(other);
  });
});

describe('schedule spec', () => {
  it('uses the market-hours cron by default and an interval in fast mode', () => {
    expect(scheduleSpec()).toEqual({ cronExpressions: ['0 14-21 * * 1-5'], timezone: 'UTC' });
    expect(scheduleSpec({ fast: true, everySeconds: 15 })).toEqual({ intervals: [{ every: '15s' }] });
  });
});

const HOUR = 3_600_000;
const config = EVALUATION_CONFIG;
const pair = EVALUATION_PAIR;

function series(n: number, t0: number, f: (i: number) => number) {
  return { ts: Array.from({ length: n }, (_, i) => t0 + i * HOUR), close: Array.from({ length: n }, (_, i) => f(i)) };
}

describe('bars and pair evaluation', () => {
  it('aligns two symbols on shared bar times and keeps the latest ones', () => {
    const a = { ts: [1, 2, 3, 4], close: [10, 11, 12, 13] };
    const b = { ts: [2, 3, 5], close: [20, 21, 22] };
    expect(alignPairCloses(a, b, 10)).toEqual({ ts: [2, 3], p1: [11, 12], p2: [20, 21] });
    expect(alignPairCloses(a, b, 1)).toEqual({ ts: [3], p1: [12], p2: [21] });
  });

  it('requests bars from the oldest latest bar, or a full lookback when a symbol is new', () => {
    const now = Date.UTC(2026, 0, 10);
    const latest = new Map([
      ['A', new Date(now - 5 * HOUR)],
      ['B', new Date(now - 2 * HOUR)],
    ]);
    expect(barsRequestStart(['A', 'B'], latest, now, 200)).toBe(now - 6 * HOUR);
    expect(barsRequestStart(['A', 'C'], latest, now, 200)).toBe(now - lookbackSpanMs(200));
  });

  it('signals LONG_SPREAD when the spread drops far below its rolling mean, and writes only new spread rows', () => {
    const t0 = Date.UTC(2026, 0, 5, 14);
    const n = 30;
    const s1 = series(n, t0, (i) => (i === n - 1 ? 90 : 100 + (i % 2)));
    const s2 = series(n, t0, () => 100);
    const nowMs = t0 + (n - 1) * HOUR + 10 * 60_000;
    const result = evaluatePair({
      pair,
      series1: s1,
      series2: s2,
      config,
      position: null,
      entryTimeMs: null,
      nowMs,
      lastStoredSpreadMs: t0 + (n - 3) * HOUR,
    });
    expect(result.skipReason).toBeNull();
    expect(result.decision?.type).toBe('LONG_SPREAD');
    expect(result.z).toBeLessThan(-2);
    expect(result.spreads.map((r) => r.tsMs)).toEqual([t0 + (n - 2) * HOUR, t0 + (n - 1) * HOUR]);
    expect(result.spreads[1].z).toBeCloseTo(result.z!);
  });

  it('skips a pair whose latest bar is older than max_bar_age_hours', () => {
    const t0 = Date.UTC(2026, 0, 5, 14);
    const s = series(30, t0, (i) => 100 + (i % 3));
    const nowMs = t0 + 29 * HOUR + 5 * HOUR;
    const result = evaluatePair({
      pair,
      series1: s,
      series2: series(30, t0, () => 50),
      config,
      position: null,
      entryTimeMs: null,
      nowMs,
      lastStoredSpreadMs: null,
    });
    expect(result.decision).toBeNull();
    expect(result.skipReason).toMatch(/stale data: latest bar 5\.0 h old/);
    expect(result.spreads).toHaveLength(30);
  });

  it('expires a position held beyond 3 x half-life', () => {
    const t0 = Date.UTC(2026, 0, 5, 14);
    const s1 = series(30, t0, (i) => 100 + (i % 2));
    const nowMs = t0 + 29 * HOUR;
    const result = evaluatePair({
      pair,
      series1: s1,
      series2: series(30, t0, () => 100),
      config,
      position: 'SHORT_SPREAD',
      entryTimeMs: nowMs - 31 * HOUR,
      nowMs,
      lastStoredSpreadMs: null,
    });
    expect(result.decision?.type).toBe('EXPIRE');
  });
});
