/**
 * Request coalescing for read endpoints: concurrent requests for the same key share one in-flight computation
 * (one database round trip, one JSON serialisation). Nothing is cached after it settles, so every response
 * reflects the database at some moment during that request's lifetime.
 */
export class SingleFlight<T> {
  private readonly inflight = new Map<string, Promise<T>>();

  run(key: string, compute: () => Promise<T>): Promise<T> {
    const existing = this.inflight.get(key);
    if (existing) return existing;
    const promise = compute().finally(() => this.inflight.delete(key));
    this.inflight.set(key, promise);
    return promise;
  }
}
