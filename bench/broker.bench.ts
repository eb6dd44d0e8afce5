/**
 * Simulator throughput through the real SDK and our adapter, in-process over HTTP on 127.0.0.1:
 * order round trips (submit, then fill confirmed by client-id lookups) and paged hourly-bar requests.
 * A 50-pair cycle needs about 1 bars request (100 symbols) and up to 100 orders, so both must be far from the limit.
 */
import { cpus, loadavg } from 'node:os';
import { startSimulator } from '../broker/simulator';
import { createAlpacaBroker } from '../broker/alpaca-broker';

const ORDERS = 400;
const CONCURRENCY = 8;
const BAR_SYMBOLS = 100;
const BARS_PER_SYMBOL = 200;
const BAR_REQUESTS = 8;

async function pool<T>(items: T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await work(items[next++]);
    }),
  );
}

export async function run(): Promise<void> {
  const sim = await startSimulator({ seed: 1, universeSize: BAR_SYMBOLS, startTime: '2025-03-04T15:00:00Z', paused: true, initialCash: 1e12 });
  try {
    const broker = createAlpacaBroker({ keyId: 'BENCH', secret: 'BENCH', simulatorUrl: sim.url });
    const symbols = sim.control.market.symbols.map((s) => s.symbol);
    await broker.getAccount();

    // Orders: submit with bounded concurrency, then confirm every fill by client order id.
    const ids = Array.from({ length: ORDERS }, (_, i) => `bench-${i}`);
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await pool(ids, CONCURRENCY, async (id) => {
      await broker.submitMarketOrder({ symbol: symbols[Number(id.slice(6)) % 40], side: 'buy', qty: 1, clientOrderId: id });
    });
    const submitted = performance.now();
    await pool(ids, CONCURRENCY, async (id) => {
      for (;;) {
        const order = await broker.getOrderByClientId(id);
        if (order?.status === 'filled') return;
        await new Promise((r) => setTimeout(r, 2));
      }
    });
    const filled = performance.now();
    const orderCpu = process.cpuUsage(cpu0);
    const submitMs = submitted - t0;
    const roundTripMs = filled - t0;
    process.stdout.write(`orders: ${ORDERS} market orders, concurrency ${CONCURRENCY}\n`);
    process.stdout.write(`  submit only:        ${(ORDERS / (submitMs / 1000)).toFixed(0)} orders/s (${(submitMs / ORDERS).toFixed(2)} ms/order)\n`);
    process.stdout.write(`  submit + fill seen: ${(ORDERS / (roundTripMs / 1000)).toFixed(0)} orders/s\n`);
    process.stdout.write(
      `  CPU (SDK client + simulator, one process): ${((orderCpu.user + orderCpu.system) / 1000 / ORDERS).toFixed(2)} ms per order incl. fill polling\n`,
    );

    // Bars: 100 symbols x ~200 hourly bars ending at the simulated now, pages of 10000 bars (2 pages).
    const end = new Date(sim.control.clock().nowMs);
    const start = new Date(end.getTime() - (Math.ceil(BARS_PER_SYMBOL / 7 + 4) * 7 * 86_400_000) / 5);
    let bars = 0;
    const barsCpu0 = process.cpuUsage();
    const b0 = performance.now();
    for (let i = 0; i < BAR_REQUESTS; i++) {
      const series = await broker.getHourlyBars(symbols, start, end);
      bars = [...series.values()].reduce((sum, s) => sum + s.ts.length, 0);
    }
    const barsMs = (performance.now() - b0) / BAR_REQUESTS;
    const barsCpu = process.cpuUsage(barsCpu0);
    const pages = Math.ceil(bars / 10_000);
    process.stdout.write(`bars: ${BAR_SYMBOLS} symbols, ${bars} bars per call (~${Math.round(bars / BAR_SYMBOLS)}/symbol, ${pages} pages)\n`);
    process.stdout.write(
      `  ${barsMs.toFixed(1)} ms per getHourlyBars call = ${(1000 / barsMs).toFixed(1)} calls/s, ${((bars / barsMs) * 1000).toFixed(0)} bars/s\n`,
    );
    process.stdout.write(`  CPU: ${((barsCpu.user + barsCpu.system) / 1000 / BAR_REQUESTS).toFixed(1)} ms per call (client + simulator)\n`);
    const ordersMs = 100 * (roundTripMs / ORDERS);
    process.stdout.write(
      `50-pair cycle (1 bars call + 100 orders at the measured rate): ~${(barsMs + ordersMs).toFixed(0)} ms (${barsMs.toFixed(0)} bars + ${ordersMs.toFixed(0)} orders)\n`,
    );
    process.stdout.write(
      `  load average now: ${loadavg()
        .map((x) => x.toFixed(1))
        .join(' ')} on ${cpus().length} cores (wall figures shrink on an idle machine)\n`,
    );
  } finally {
    await sim.stop();
  }
}

if (require.main === module) {
  run().catch((err) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  });
}
