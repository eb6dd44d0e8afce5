import { closedTradeStats, kellyFraction, sizeLegs, type ClosedTradeStats, type SizingInput } from '../../strategy/sizing';

const NONE: ClosedTradeStats = { count: 0, wins: 0, meanWin: 0, meanLoss: 0 };

function base(over: Partial<SizingInput> = {}): SizingInput {
  return { equity: 100_000, price1: 50, price2: 80, closed: NONE, bootstrapPct: 0.02, ...over };
}

/** n trades: `wins` winners of +win each, the rest losers of -loss each. */
function history(n: number, wins: number, win: number, loss: number): number[] {
  return Array.from({ length: n }, (_, i) => (i < wins ? win : -loss));
}

describe('closedTradeStats', () => {
  it('summarises wins and losses (loss as a positive magnitude)', () => {
    expect(closedTradeStats([100, -50, 300, -150, 0])).toEqual({ count: 5, wins: 2, meanWin: 200, meanLoss: (50 + 150 + 0) / 3 });
    expect(closedTradeStats([])).toEqual(NONE);
  });
  it('rejects non-finite P&L', () => expect(() => closedTradeStats([1, NaN])).toThrow(/#1 is not a finite number/));
});

describe('bootstrap phase', () => {
  it('puts bootstrapPct of equity on each leg and floors shares', () => {
    const r = sizeLegs(base({ price1: 33, price2: 70 }));
    expect(r).toMatchObject({ ok: true, phase: 'bootstrap', kellyFraction: null, perLegCapital: 2000, qty1: 60, qty2: 28, capped: false });
  });

  it('stays in bootstrap up to 19 closed trades, even with a strong record', () => {
    const r = sizeLegs(base({ closed: closedTradeStats(history(19, 19, 100, 0)) }));
    expect(r.phase).toBe('bootstrap');
    expect(r.ok && r.perLegCapital).toBe(2000);
  });

  it('caps bootstrapPct above the 10% leg cap', () => {
    const r = sizeLegs(base({ bootstrapPct: 0.25 }));
    expect(r).toMatchObject({ ok: true, perLegCapital: 10_000, qty1: 200, qty2: 125, capped: true });
  });
});

describe('Kelly phase', () => {
  it('switches to half-Kelly at 20 closed trades', () => {
    // win rate 0.6, avg win ratio 200/100 = 2 -> kelly_f = 0.6 - 0.4/2 = 0.4; per leg = 0.4/2 * 100k / 2 = 10k = the cap
    const closed = closedTradeStats(history(20, 12, 200, 100));
    const r = sizeLegs(base({ closed, equity: 50_000 }));
    expect(r.phase).toBe('kelly');
    expect(r.kellyFraction).toBeCloseTo(0.4, 12);
    expect(r).toMatchObject({ ok: true, capped: false });
    if (!r.ok) throw new Error('expected ok');
    expect(r.perLegCapital).toBeCloseTo(((0.4 / 2) * 50_000) / 2, 9);
    expect(r.qty1).toBe(Math.floor(5000 / 50));
    expect(r.qty2).toBe(Math.floor(5000 / 80));
  });

  it('uses the spec formula for a small edge', () => {
    // win rate 0.5, ratio 1.5 -> kelly_f = 0.5 - 0.5/1.5 = 1/6 -> per leg = equity/24
    const r = sizeLegs(base({ closed: closedTradeStats(history(20, 10, 150, 100)) }));
    expect(r.kellyFraction).toBeCloseTo(1 / 6, 12);
    if (!r.ok) throw new Error(r.reason);
    expect(r.perLegCapital).toBeCloseTo(100_000 / 24, 9);
    expect(r.qty1).toBe(83); // 4166.67 / 50
    expect(r.qty2).toBe(52); // 4166.67 / 80
    expect(r.reason).toMatch(/half-Kelly \(kelly_f 0\.1667 from 20 closed trades\)/);
  });

  it('applies the 10% hard cap per leg', () => {
    // kelly_f = 0.9 - 0.1/3 = 0.8667 -> 21.7% per leg wanted, capped at 10%
    const r = sizeLegs(base({ closed: closedTradeStats(history(20, 18, 300, 100)) }));
    expect(r).toMatchObject({ ok: true, phase: 'kelly', perLegCapital: 10_000, capped: true, qty1: 200, qty2: 125 });
    expect(r.reason).toMatch(/capped at 10\.00%/);
    const looser = sizeLegs(base({ closed: closedTradeStats(history(20, 18, 300, 100)), maxLegPct: 0.5 }));
    expect(looser.ok && looser.perLegCapital).toBeCloseTo((0.8666666666666667 / 4) * 100_000, 6);
  });

  it('refuses to trade on a negative Kelly fraction', () => {
    // win rate 0.4, ratio 1 -> kelly_f = 0.4 - 0.6 = -0.2
    const r = sizeLegs(base({ closed: closedTradeStats(history(25, 10, 100, 100)) }));
    expect(r.ok).toBe(false);
    expect(r.phase).toBe('kelly');
    expect(r.kellyFraction).toBeCloseTo(-0.2, 12);
    expect(r.reason).toMatch(/Kelly fraction -0\.2000 <= 0: no edge/);
  });

  it('refuses at exactly zero Kelly', () => {
    const r = sizeLegs(base({ closed: closedTradeStats(history(20, 10, 100, 100)) }));
    expect(r).toMatchObject({ ok: false, kellyFraction: 0 });
  });

  it('treats a record without losses as kelly_f = win rate (1), then caps', () => {
    const closed = closedTradeStats(history(20, 20, 50, 0));
    expect(kellyFraction(closed)).toBe(1);
    expect(sizeLegs(base({ closed }))).toMatchObject({ ok: true, kellyFraction: 1, perLegCapital: 10_000, capped: true });
  });

  it('refuses when there are no winning trades', () => {
    const r = sizeLegs(base({ closed: closedTradeStats(history(20, 0, 0, 80)) }));
    expect(r).toMatchObject({ ok: false, phase: 'kelly', kellyFraction: null });
    expect(!r.ok && r.reason).toMatch(/no winning trades/);
  });

  it('honours a custom bootstrapTrades', () => {
    const closed = closedTradeStats(history(5, 3, 200, 100));
    expect(sizeLegs(base({ closed, bootstrapTrades: 5 })).phase).toBe('kelly');
    expect(sizeLegs(base({ closed })).phase).toBe('bootstrap');
  });
});

describe('zero shares and bad input', () => {
  it('refuses when a leg rounds to 0 shares', () => {
    const r = sizeLegs(base({ equity: 1000, price1: 10, price2: 25 })); // $20 per leg: 2 shares of leg 1, none of leg 2
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toMatch(/\$20\.00 per leg buys 0 shares at price2 25/);
  });

  it('buys exactly one share when capital equals the price', () => {
    const r = sizeLegs(base({ equity: 1000, price1: 20, price2: 20 }));
    expect(r).toMatchObject({ ok: true, qty1: 1, qty2: 1 });
  });

  it.each([
    [{ equity: 0 }, /equity must be a positive finite number, got 0/],
    [{ equity: -5 }, /equity must be a positive/],
    [{ equity: NaN }, /equity must be a positive/],
    [{ price1: 0 }, /price1 must be a positive finite number, got 0/],
    [{ price2: -1 }, /price2 must be a positive/],
    [{ price2: Infinity }, /price2 must be a positive/],
    [{ bootstrapPct: 0 }, /bootstrapPct must be in \(0, 1\]/],
    [{ bootstrapPct: 1.5 }, /bootstrapPct must be in/],
    [{ maxLegPct: 0 }, /maxLegPct must be in/],
    [{ closed: { count: 3, wins: 4, meanWin: 1, meanLoss: 1 } }, /wins must be an integer in \[0, 3\]/],
    [{ closed: { count: 3, wins: 1, meanWin: 1, meanLoss: -1 } }, /meanLoss must be a finite magnitude >= 0/],
    [{ closed: { count: 2.5, wins: 1, meanWin: 1, meanLoss: 1 } }, /count must be a non-negative integer/],
  ])('returns ok:false (no throw) for %p', (over, reason) => {
    const r = sizeLegs(base(over));
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toMatch(reason);
  });
});
