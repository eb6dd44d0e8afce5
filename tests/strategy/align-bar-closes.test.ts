import { alignBarCloses } from '../../strategy/align-bar-closes';

test('alignBarCloses keeps only timestamps every symbol has', () => {
  const mk = (ts: number[]) => ({ ts: Float64Array.from(ts), close: Float64Array.from(ts.map((t) => t * 10)) });
  const aligned = alignBarCloses(
    new Map([
      ['A', mk([1, 2, 3, 5])],
      ['B', mk([2, 3, 4, 5])],
    ]),
    ['A', 'B'],
  );
  expect(Array.from(aligned.ts)).toEqual([2, 3, 5]);
  expect(Array.from(aligned.closes.A)).toEqual([20, 30, 50]);
  expect(Array.from(aligned.closes.B)).toEqual([20, 30, 50]);
  expect(alignBarCloses(new Map([['A', mk([1])]]), ['A', 'Z']).ts.length).toBe(0);
});
