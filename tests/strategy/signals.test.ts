import {
  decideSignal,
  classifySignal,
  holdLimitHours,
  thresholdsProblem,
  type SignalInput,
  type Thresholds,
  type TradeSide,
} from '../../strategy/signals';

const T: Thresholds = { entry: 2, exit: 0.5, stopLoss: 3, maxHoldHours: 72 };

function input(z: number, position: TradeSide | null = null, holdHours = 0, halfLifeHours: number | null = 10, thresholds = T): SignalInput {
  return { position, holdHours, halfLifeHours, thresholds, audit: { z, mean: 0.01, std: 0.002, beta: 0.9, window: 40 } };
}

describe('decideSignal when flat', () => {
  it.each([
    [-2.01, 'LONG_SPREAD', /below -2\.00/],
    [2.01, 'SHORT_SPREAD', /above \+2\.00/],
    [-1.2, null, /z -1\.20 within entry band ±2\.00/],
    [2.0, null, /within entry band/], // strict: exactly at the threshold does not enter
    [-2.0, null, /within entry band/],
    [-3.5, null, /already beyond stop-loss ±3\.00: no entry/],
    [3.01, null, /already beyond stop-loss/],
    [-3.0, 'LONG_SPREAD', /below/], // |z| == stop is not beyond it
    [NaN, null, /z undefined/],
    [Infinity, null, /z undefined/],
    [-Infinity, null, /z undefined/],
  ])('z %p -> %p', (z, type, reason) => {
    const d = decideSignal(input(z));
    expect(d.type).toBe(type);
    expect(d.reason).toMatch(reason);
  });

  it('never exits or expires a position it does not hold', () => {
    expect(decideSignal(input(0.1, null, 1000, 1)).type).toBeNull();
  });
});

describe('decideSignal in a position', () => {
  it.each<[TradeSide, number, number, number | null, string | null, RegExp]>([
    ['LONG_SPREAD', 0.3, 5, 10, 'EXIT', /\|z\| 0\.30 inside exit band 0\.50/],
    ['SHORT_SPREAD', -0.49, 5, 10, 'EXIT', /inside exit band/],
    ['LONG_SPREAD', -1.5, 5, 10, null, /holding LONG_SPREAD: z -1\.50 between exit/],
    ['LONG_SPREAD', 0.5, 5, 10, null, /holding/], // exactly at exit: strict
    ['LONG_SPREAD', -3.2, 5, 10, 'STOP_LOSS', /\|z\| 3\.20 beyond stop-loss 3\.00/],
    ['SHORT_SPREAD', 3.2, 5, 10, 'STOP_LOSS', /beyond stop-loss/],
    ['LONG_SPREAD', -1.5, 31, 10, 'EXPIRE', /held 31\.00 h, beyond 3 x half-life 10\.00 h = 30\.00 h/],
    ['LONG_SPREAD', -1.5, 30, 10, null, /holding/], // exactly 3 x half-life: strict
    ['SHORT_SPREAD', 1.5, 73, null, 'EXPIRE', /beyond max hold 72\.00 h/],
    ['SHORT_SPREAD', 1.5, 73, 100, 'EXPIRE', /max hold 72\.00 h/], // 3 x 100 h is looser than 72 h
    ['SHORT_SPREAD', 1.5, 73, -4, 'EXPIRE', /max hold/], // non-positive half-life ignored
    ['SHORT_SPREAD', 1.5, 71, null, null, /holding/],
  ])('%s z %p held %p h (half-life %p) -> %p', (position, z, hold, hl, type, reason) => {
    const d = decideSignal(input(z, position, hold, hl));
    expect(d.type).toBe(type);
    expect(d.reason).toMatch(reason);
  });

  it('stop-loss wins over expire, expire wins over exit', () => {
    expect(decideSignal(input(-3.5, 'LONG_SPREAD', 500, 10)).type).toBe('STOP_LOSS');
    expect(decideSignal(input(0.1, 'LONG_SPREAD', 500, 10)).type).toBe('EXPIRE');
  });

  it('holds on an undefined z but still expires on time', () => {
    const hold = decideSignal(input(NaN, 'LONG_SPREAD', 5, 10));
    expect(hold.type).toBeNull();
    expect(hold.reason).toMatch(/z undefined/);
    expect(decideSignal(input(Infinity, 'SHORT_SPREAD', 5, 10)).type).toBeNull();
    expect(decideSignal(input(NaN, 'LONG_SPREAD', 31, 10)).type).toBe('EXPIRE');
  });
});

describe('decision audit', () => {
  it('carries the inputs that produced it, copied', () => {
    const i = input(-2.5, null, 0, 12.5);
    const d = decideSignal(i);
    expect(d.inputs).toEqual({ z: -2.5, mean: 0.01, std: 0.002, beta: 0.9, window: 40, holdHours: 0, halfLifeHours: 12.5, thresholds: T });
    expect(d.inputs.thresholds).not.toBe(T);
  });
});

describe('classifySignal matches decideSignal', () => {
  it('agrees on a grid of states', () => {
    const code = { null: 0, LONG_SPREAD: 1, SHORT_SPREAD: 2, EXIT: 3, STOP_LOSS: 4, EXPIRE: 5 } as const;
    for (const position of [null, 'LONG_SPREAD', 'SHORT_SPREAD'] as const) {
      for (const z of [NaN, -4, -3, -2.5, -2, -1, -0.5, 0, 0.4, 1, 2, 2.5, 3, 4]) {
        for (const hold of [0, 20, 40, 100]) {
          const d = decideSignal(input(z, position, hold, 10));
          const pos = position === null ? 0 : position === 'LONG_SPREAD' ? 1 : -1;
          expect(classifySignal(pos, z, hold, holdLimitHours(10, 72), 2, 0.5, 3)).toBe(code[String(d.type) as keyof typeof code]);
        }
      }
    }
  });
});

describe('holdLimitHours', () => {
  it('is the tighter of 3 x half-life and max hold', () => {
    expect(holdLimitHours(10, 72)).toBe(30);
    expect(holdLimitHours(30, 72)).toBe(72);
    expect(holdLimitHours(null, 72)).toBe(72);
    expect(holdLimitHours(null, 0)).toBe(Infinity);
  });
});

describe('thresholdsProblem', () => {
  it('accepts the spec defaults', () => expect(thresholdsProblem(T)).toBeNull());
  it.each([
    [{ ...T, exit: 2 }, /exit threshold \(2\) must be below entry/],
    [{ ...T, exit: -0.1 }, /exit threshold must be >= 0/],
    [{ ...T, stopLoss: 1.5 }, /stop-loss threshold \(1\.5\) must be above entry/],
    [{ ...T, entry: NaN }, /entry threshold must be a finite number/],
    [{ ...T, maxHoldHours: 0 }, /maxHoldHours must be > 0/],
  ])('rejects %p', (t, message) => expect(thresholdsProblem(t)).toMatch(message));
});
