/** Shared wiring for broker tests: an in-process simulator, the raw SDK pointed at it, and our adapter. */
import { Alpaca } from '@alpacahq/alpaca-trade-api';
import { startSimulator, type SimulatorHandle, type SimulatorOptions } from '../../broker/simulator';
import { createAlpacaBroker, type AlpacaBroker, type AlpacaBrokerOptions } from '../../broker/alpaca-broker';
import { BrokerError, type BrokerOrder, type MarketOrderRequest } from '../../broker/types';

/** Tuesday 2025-03-04 10:00 New York: the market is open. */
export const OPEN_TIME = '2025-03-04T15:00:00Z';
/** Saturday 2025-03-08 12:00 New York. */
export const WEEKEND_TIME = '2025-03-08T17:00:00Z';

export function startTestSimulator(options: SimulatorOptions = {}): Promise<SimulatorHandle> {
  return startSimulator({ seed: 7, startTime: OPEN_TIME, paused: true, fillLatencyMs: 2, ...options });
}

const HOSTS = /^https:\/\/(paper-api|api|data|data\.sandbox)\.alpaca\.markets/;

export function rawSdk(sim: SimulatorHandle, extra: { retry?: false; timeoutMs?: number } = {}): Alpaca {
  return new Alpaca({
    keyId: 'TESTKEY',
    secret: 'TESTSECRET',
    rateLimit: false,
    retry: extra.retry ?? { maxRetries: 2, maxDelayMs: 1500 },
    timeoutMs: extra.timeoutMs,
    fetchApi: (url, init) => fetch(url.replace(HOSTS, sim.url), init),
  });
}

export function adapter(sim: SimulatorHandle, options: Partial<AlpacaBrokerOptions> = {}): AlpacaBroker {
  return createAlpacaBroker({ keyId: 'TESTKEY', secret: 'TESTSECRET', simulatorUrl: sim.url, ...options });
}

export async function waitForOrder(
  broker: AlpacaBroker,
  clientOrderId: string,
  done: (o: BrokerOrder) => boolean,
  timeoutMs = 3000,
): Promise<BrokerOrder> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const order = await broker.getOrderByClientId(clientOrderId);
    if (order && done(order)) return order;
    if (Date.now() > deadline) throw new Error(`order ${clientOrderId} never reached the expected state: ${JSON.stringify(order)}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export const isFilled = (o: BrokerOrder): boolean => o.status === 'filled';

export async function simPost(sim: SimulatorHandle, path: string, body: unknown): Promise<unknown> {
  const res = await fetch(`${sim.url}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status} ${await res.text()}`);
  return res.json();
}

/** The error a promise rejects with; fails the test when it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

/**
 * The engine's one retry layer in miniature (Temporal retrying the submit activity): the adapter submits once; on a
 * retryable failure the order is looked up by client order id and resubmitted only when the broker has none.
 */
export async function submitAsTheEngineRetries(broker: AlpacaBroker, request: MarketOrderRequest, attempts = 3): Promise<BrokerOrder> {
  for (let attempt = 1; ; attempt++) {
    const existing = await broker.getOrderByClientId(request.clientOrderId);
    if (existing) return existing;
    try {
      return await broker.submitMarketOrder(request);
    } catch (err) {
      if (!(err instanceof BrokerError) || !err.retryable || attempt >= attempts) throw err;
    }
  }
}
