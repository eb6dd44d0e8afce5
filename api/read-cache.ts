/**
 * Read cache for the GET endpoints. Concurrent requests for the same key share one in-flight computation (one
 * database round trip, one JSON serialisation), and a settled result is served for `freshMs` more (a dashboard
 * polled by many clients then costs one query per key per window). Every write through this API calls
 * `invalidate()`, so this process's own changes show at once; changes made by the worker show within `freshMs`.
 */
export class ReadCache<T> {
  private readonly inflight = new Map<string, Promise<T>>();
  private readonly settled = new Map<string, { value: T; at: number }>();
  private generation = 0;

  constructor(
    private readonly freshMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  run(key: string, compute: () => Promise<T>): Promise<T> {
    const hit = this.settled.get(key);
    if (hit && this.now() - hit.at < this.freshMs) return Promise.resolve(hit.value);
    const existing = this.inflight.get(key);
    if (existing) return existing;
    const startedIn = this.generation;
    const promise = compute()
      .then((value) => {
        // A result computed across a write may predate it: share it with its waiters, never keep it.
        if (startedIn === this.generation && this.freshMs > 0) this.settled.set(key, { value, at: this.now() });
        return value;
      })
      .finally(() => {
        if (this.inflight.get(key) === promise) this.inflight.delete(key);
      });
    this.inflight.set(key, promise);
    return promise;
  }

  invalidate(): void {
    this.generation++;
    this.inflight.clear();
    this.settled.clear();
  }
}
