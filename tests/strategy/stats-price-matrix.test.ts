import { MIN_BARS, parsePriceCsv, PriceDataError, symbolIndex, type PriceDataErrorCode } from '../../strategy/price-matrix';
import { marketHours, universeToCsv } from '../../strategy/synthetic-universe';

function csv(bars: number, columns: Record<string, (t: number) => string>): string {
  const stamps = marketHours(bars);
  const names = Object.keys(columns);
  const lines = [['timestamp', ...names].join(',')];
  for (let t = 0; t < bars; t++) lines.push([new Date(stamps[t]).toISOString(), ...names.map((n) => columns[n](t))].join(','));
  return `${lines.join('\n')}\n`;
}

const wave =
  (base: number) =>
  (t: number): string =>
    (base + Math.sin(t / 3) + t * 0.01).toFixed(4);

function expectCode(text: string, code: PriceDataErrorCode, message?: RegExp): void {
  let caught: unknown;
  try {
    parsePriceCsv(text);
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(PriceDataError);
  expect((caught as PriceDataError).code).toBe(code);
  expect((caught as Error).message).not.toMatch(/\n/);
  if (message) expect((caught as Error).message).toMatch(message);
}

describe('parsePriceCsv', () => {
  test('parses timestamps, symbols and prices into typed arrays', () => {
    const m = parsePriceCsv(csv(60, { AAA: wave(10), BBB: wave(20) }).replace(/\n/g, '\r\n'));
    expect(m.symbols).toEqual(['AAA', 'BBB']);
    expect(m.timestamps).toBeInstanceOf(Float64Array);
    expect(m.timestamps[0]).toBe(Date.UTC(2025, 0, 6, 14));
    expect(m.prices[1][2]).toBeCloseTo(Number(wave(20)(2)), 12);
    expect(m.prices[0]).toHaveLength(60);
  });

  test('round-trips the synthetic universe writer and the reference universe format', () => {
    const prices = [Float64Array.from({ length: 55 }, (_, t) => 10 + t), Float64Array.from({ length: 55 }, (_, t) => 30 - t / 10)];
    const text = universeToCsv({ timestamps: marketHours(55), symbols: ['X1', 'X2'], prices });
    const m = parsePriceCsv(text);
    expect(Array.from(m.prices[1])).toEqual(Array.from(prices[1]).map((v) => Number(v.toFixed(4))));
    expect(m.timestamps[54]).toBe(marketHours(55)[54]);
  });

  test('error: empty input', () => {
    expectCode('', 'empty');
    expectCode('\n\n', 'empty');
    expectCode('timestamp,A,B\n', 'empty', /no rows/);
  });

  test('error: missing and duplicate columns', () => {
    expectCode('time,A\n2025-01-01T00:00:00Z,1\n', 'missing_column', /timestamp/);
    const ragged = csv(60, { A: wave(1), B: wave(2) }).split('\n');
    ragged[9] = ragged[9].split(',').slice(0, 2).join(',');
    expectCode(ragged.join('\n'), 'ragged_row', /line 10/);
    expectCode('timestamp\n2025-01-01T00:00:00Z\n', 'missing_column');
    expectCode(csv(60, { A: wave(1), B: wave(2) }).replace('timestamp,A,B', 'timestamp,A,A'), 'duplicate_column', /'A'/);
    expectCode(csv(60, { A: wave(1), B: wave(2) }).replace('timestamp,A,B', 'timestamp,A,'), 'missing_column');
  });

  test('error: non-numeric, non-finite and non-positive prices name the line and column', () => {
    const good = csv(60, { A: wave(5), B: wave(6) });
    const lines = good.split('\n');
    const broken = (cell: string): string => {
      const copy = [...lines];
      const cells = copy[7].split(',');
      cells[2] = cell;
      copy[7] = cells.join(',');
      return copy.join('\n');
    };
    expectCode(broken('abc'), 'non_numeric', /line 8, column B/);
    expectCode(broken(''), 'non_numeric');
    expectCode(broken('NaN'), 'non_numeric');
    expectCode(broken('Infinity'), 'non_numeric');
    expectCode(broken('1e999'), 'non_numeric', /not finite/);
    expectCode(broken('0'), 'non_positive', /line 8, column B/);
    expectCode(broken('-3.5'), 'non_positive');
  });

  test('error: bad, duplicate or decreasing timestamps', () => {
    const lines = csv(60, { A: wave(5) }).split('\n');
    const withStamp = (stamp: string): string => {
      const copy = [...lines];
      copy[4] = `${stamp},${copy[4].split(',')[1]}`;
      return copy.join('\n');
    };
    expectCode(withStamp('yesterday'), 'bad_timestamp', /line 5/);
    expectCode(withStamp('2025-13-45T99:00:00Z'), 'bad_timestamp');
    expectCode(withStamp(lines[3].split(',')[0]), 'bad_timestamp', /not after/);
  });

  test('error: too few bars, with the minimum in the message', () => {
    expectCode(csv(MIN_BARS - 1, { A: wave(5), B: wave(7) }), 'too_few_bars', new RegExp(`${MIN_BARS}`));
    expect(parsePriceCsv(csv(MIN_BARS, { A: wave(5), B: wave(7) })).timestamps).toHaveLength(MIN_BARS);
  });

  test('error: constant series', () => {
    expectCode(csv(60, { A: wave(5), FLAT: () => '12.5000' }), 'constant_series', /FLAT/);
  });

  test('symbolIndex finds columns and names an unknown symbol', () => {
    const m = parsePriceCsv(csv(60, { A: wave(5), B: wave(7) }));
    expect(symbolIndex(m, 'B')).toBe(1);
    expect(() => symbolIndex(m, 'ZZZ')).toThrow(/unknown symbol 'ZZZ'/);
  });
});
