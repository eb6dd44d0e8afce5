import { assessAccount } from '../../strategy/risk/account-limits';
import { cooldowns } from '../../strategy/risk/cooldown';
import { equityStats } from '../../strategy/risk/equity-series';
import { kellyEdge } from '../../strategy/risk/kelly-edge';
import { DEFAULT_RISK_LIMITS, type RiskLimits } from '../../strategy/risk/limits';
import { checkEntry, type EntryProposal, type RiskSnapshot } from '../../strategy/risk/pre-trade';

const HOUR = 3_600_000;
const NOW = Date.UTC(2026, 10, 18, 16);

function snapshot(over: Partial<RiskSnapshot> = {}): RiskSnapshot {
  return {
    tradingState: 'ACTIVE',
    equity: 100_000,
    buyingPower: 200_000,
    positions: {},
    liveTrades: [],
    pendingExposure: {},
    cooldowns: {},
    noEdge: null,
    nowMs: NOW,
    ...over,
  };
}
const entry: EntryProposal = { pairId: 7, symbol1: 'AAA', symbol2: 'BBB', side: 'LONG_SPREAD', notional1: 2000, notional2: 2000 };
const live = (pairId: number, symbol1: string, symbol2: string) => ({ pairId, symbol1, symbol2 });
const limits = (over: Partial<RiskLimits> = {}): RiskLimits => ({ ...DEFAULT_RISK_LIMITS, ...over });

describe('pre-trade checks', () => {
  it('accepts an entry inside every limit', () => {
    expect(checkEntry(limits(), snapshot(), entry)).toEqual({ ok: true });
  });

  it('refuses outside ACTIVE', () => {
    expect(checkEntry(limits(), snapshot({ tradingState: 'REDUCING' }), entry)).toMatchObject({ ok: false, rule: 'TRADING_STATE' });
  });

  it('refuses when Kelly says no edge', () => {
    expect(checkEntry(limits(), snapshot({ noEdge: { reason: 'no edge: x' } }), entry)).toMatchObject({
      ok: false,
      rule: 'NO_EDGE',
      reason: 'no edge: x',
    });
  });

  it('refuses during a cooldown and not after it', () => {
    const cd = { 7: { untilMs: NOW + 2 * HOUR, reason: 'stopped out' } };
    const refused = checkEntry(limits(), snapshot({ cooldowns: cd }), entry);
    expect(refused).toMatchObject({ ok: false, rule: 'COOLDOWN', numbers: { hours_left: 2 } });
    expect(checkEntry(limits(), snapshot({ cooldowns: cd, nowMs: NOW + 3 * HOUR }), entry)).toEqual({ ok: true });
  });

  it('counts open pairs other than the entering one', () => {
    expect(checkEntry(limits({ max_open_pairs: 2 }), snapshot({ liveTrades: [live(1, 'C', 'D'), live(2, 'E', 'F')] }), entry)).toMatchObject({
      rule: 'MAX_OPEN_PAIRS',
      numbers: { open_pairs: 2, max_open_pairs: 2 },
    });
    expect(checkEntry(limits({ max_open_pairs: 2 }), snapshot({ liveTrades: [live(1, 'C', 'D'), live(7, 'AAA', 'BBB')] }), entry)).toEqual({
      ok: true,
    });
  });

  it('limits live trades per symbol', () => {
    expect(checkEntry(limits(), snapshot({ liveTrades: [live(1, 'BBB', 'C')] }), entry)).toMatchObject({
      rule: 'MAX_PAIRS_PER_SYMBOL',
      numbers: { symbol: 'BBB', live_trades: 1 },
    });
  });

  it('adds the entry leg to the symbol position with its sign (a short offsets a long)', () => {
    // LONG_SPREAD sells BBB: a 14k long BBB goes to 12k, but AAA at 14k + 2k breaks 15%.
    const s = snapshot({ positions: { AAA: 14_000, BBB: 14_000 } });
    expect(checkEntry(limits(), s, entry)).toMatchObject({ rule: 'SYMBOL_EXPOSURE', numbers: { symbol: 'AAA', exposure: 16_000, exposure_pct: 16 } });
    expect(checkEntry(limits(), snapshot({ positions: { AAA: -14_000 } }), entry)).toMatchObject({ ok: true });
  });

  it('limits gross exposure including pending entries', () => {
    const s = snapshot({ positions: { X: 50_000, Y: -40_000 }, pendingExposure: { Z: 7_000 } });
    expect(checkEntry(limits(), s, entry)).toMatchObject({ rule: 'GROSS_EXPOSURE', numbers: { gross_exposure: 101_000, gross_exposure_pct: 101 } });
  });

  it('keeps a buying-power reserve, and can be switched off', () => {
    const s = snapshot({ buyingPower: 28_000 });
    expect(checkEntry(limits(), s, entry)).toMatchObject({
      rule: 'BUYING_POWER',
      numbers: { buying_power: 28_000, required: 4120, reserve: 25_000 },
    });
    expect(checkEntry(limits({ buying_power_check: false }), s, entry)).toEqual({ ok: true });
  });
});

describe('account limits', () => {
  it('trips the daily loss limit before the drawdown limit', () => {
    expect(assessAccount(limits(), { equity: 97_000, dayStartEquity: 100_000, peakEquity: 100_000 }).trip?.rule).toBe('DAILY_LOSS');
    const dd = assessAccount(limits(), { equity: 89_000, dayStartEquity: 89_500, peakEquity: 100_000 });
    expect(dd.trip).toMatchObject({ rule: 'DRAWDOWN', numbers: { drawdown_pct: 11 } });
    expect(assessAccount(limits(), { equity: 99_000, dayStartEquity: 100_000, peakEquity: 105_000 }).trip).toBeNull();
  });
});

describe('Kelly without lock-out', () => {
  const losers = Array.from({ length: 30 }, (_, i) => (i % 4 === 0 ? 10 : -20));
  it('is bootstrap below 20 trades, no edge beyond, and counts only the window', () => {
    expect(kellyEdge(limits(), losers.slice(0, 10)).phase).toBe('bootstrap');
    const noEdge = kellyEdge(limits(), losers);
    expect(noEdge.noEdge).toBe(true);
    expect(noEdge.refusal).toMatch(/no edge: Kelly fraction -1\.2000 over the latest 30 closed trades/);
    const recovered = kellyEdge(limits({ kelly_window_trades: 20 }), [...losers, ...Array.from({ length: 20 }, (_, i) => (i % 4 === 0 ? -10 : 20))]);
    expect(recovered.noEdge).toBe(false);
    expect(recovered.kellyFraction).toBeGreaterThan(0);
  });
  it("'bootstrap' policy sizes as bootstrap instead of refusing", () => {
    const e = kellyEdge(limits({ kelly_no_edge: 'bootstrap' }), losers);
    expect(e.refusal).toBeNull();
    expect(e.sizingStats.count).toBe(0);
  });
});

describe('cooldowns', () => {
  it('after a stop-out and after a failed entry; the latest end wins', () => {
    const cd = cooldowns(limits(), [
      { pair_id: 1, status: 'CLOSED', exit_reason: 'STOP_LOSS', endedAtMs: NOW },
      { pair_id: 2, status: 'FAILED', exit_reason: null, endedAtMs: NOW },
      { pair_id: 3, status: 'CLOSED', exit_reason: 'EXIT', endedAtMs: NOW },
    ]);
    expect(cd[1].untilMs).toBe(NOW + 24 * HOUR);
    expect(cd[2].untilMs).toBe(NOW + 4 * HOUR);
    expect(cd[3]).toBeUndefined();
  });
});

describe('equity series', () => {
  it('max drawdown from the running peak and a daily Sharpe', () => {
    const day = 24 * HOUR;
    const s = equityStats([
      { tsMs: 0, equity: 100 },
      { tsMs: day, equity: 110 },
      { tsMs: 2 * day, equity: 99 },
      { tsMs: 3 * day, equity: 104 },
    ]);
    expect(s.maxDrawdownPct).toBeCloseTo(10, 9);
    expect(s.drawdown.map((d) => Math.round(d.drawdownPct))).toEqual([0, 0, 10, 5]);
    expect(Number.isFinite(s.sharpe)).toBe(true);
    expect(equityStats([{ tsMs: 0, equity: 1 }]).sharpe).toBe(0);
  });
});
