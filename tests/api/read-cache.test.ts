import { ReadCache } from '../../api/read-cache';

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

describe('ReadCache', () => {
  let now = 0;
  const clock = () => now;
  beforeEach(() => {
    now = 1_000;
  });

  it('shares one computation among concurrent requests', async () => {
    const cache = new ReadCache<string>(1000, clock);
    const gate = deferred<string>();
    let calls = 0;
    const compute = () => {
      calls++;
      return gate.promise;
    };
    const a = cache.run('k', compute);
    const b = cache.run('k', compute);
    gate.resolve('v');
    expect(await Promise.all([a, b])).toEqual(['v', 'v']);
    expect(calls).toBe(1);
  });

  it('reuses a settled result while fresh, then recomputes', async () => {
    const cache = new ReadCache<number>(1000, clock);
    let calls = 0;
    const compute = async () => ++calls;
    expect(await cache.run('k', compute)).toBe(1);
    now += 999;
    expect(await cache.run('k', compute)).toBe(1);
    now += 1;
    expect(await cache.run('k', compute)).toBe(2);
    expect(await cache.run('other', compute)).toBe(3);
  });

  it('drops everything on invalidate, and never keeps a result computed across a write', async () => {
    const cache = new ReadCache<number>(1000, clock);
    let calls = 0;
    await cache.run('k', async () => ++calls);
    cache.invalidate();
    expect(await cache.run('k', async () => ++calls)).toBe(2);

    const gate = deferred<number>();
    const before = cache.run('k2', () => gate.promise);
    cache.invalidate();
    const after = cache.run('k2', async () => 42);
    gate.resolve(7);
    expect(await before).toBe(7);
    expect(await after).toBe(42);
    expect(await cache.run('k2', async () => 99)).toBe(42);
  });

  it('with freshMs 0 only coalesces', async () => {
    const cache = new ReadCache<number>(0, clock);
    let calls = 0;
    await cache.run('k', async () => ++calls);
    expect(await cache.run('k', async () => ++calls)).toBe(2);
  });

  it('does not cache failures', async () => {
    const cache = new ReadCache<number>(1000, clock);
    await expect(
      cache.run('k', async () => {
        throw new Error('db down');
      }),
    ).rejects.toThrow('db down');
    expect(await cache.run('k', async () => 5)).toBe(5);
  });
});
