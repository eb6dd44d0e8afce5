/**
 * `npm run fuzz`: 2,000 seeded-random malformed requests against the API on a real database, Temporal dev
 * server and simulator (FUZZ_SEED, FUZZ_COUNT override). Fails (exit 1) on any 5xx, any error body without
 * {error, details}, or any write: the config file (a temp copy) must stay byte-identical and valid, the
 * strategy flag unchanged, and no backtest run or trade created.
 */
import { promises as fs } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { closeServer, listen } from '../api/server';
import { loadConfig } from '../config/loader';
import { fuzzProblems, generateFuzzRequests, sendRaw } from '../tests/api/fuzz-cases';
import { insertPair, insertSpreads, insertTrade, startApiTestEnv, TOKEN } from '../tests/api/helpers';

async function main(): Promise<void> {
  const seed = Number(process.env.FUZZ_SEED ?? 424242);
  const count = Number(process.env.FUZZ_COUNT ?? 2000);
  const env = await startApiTestEnv('fuzz_bench');
  const server = await listen(env.app, 0);
  let failed = false;
  try {
    const pairIds = [
      await insertPair(env.db, { symbol1: 'QRVO', symbol2: 'SWKS' }),
      await insertPair(env.db, { symbol1: 'AAA', symbol2: 'BBB', rank: 2 }),
    ];
    await insertSpreads(env.db, pairIds[0], new Date(), 200);
    await insertTrade(env.db, { pair_id: pairIds[1], status: 'CLOSED', pnl: 5, exit_time: new Date(), hold_hours: 2 });
    const configBefore = await fs.readFile(env.configPath);
    const port = (server.address() as AddressInfo).port;
    const requests = generateFuzzRequests(seed, count, { token: TOKEN, pairIds });
    const statuses = new Map<number, number>();
    const problems: string[] = [];
    const started = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < requests.length) {
          const req = requests[next++];
          const res = await sendRaw(port, req);
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          problems.push(...fuzzProblems(req, res));
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const configAfter = await fs.readFile(env.configPath);
    if (!configAfter.equals(configBefore)) problems.push('config file changed');
    await loadConfig(env.configPath).catch((err: Error) => problems.push(`config no longer valid: ${err.message}`));
    const state = await env.db.selectFrom('strategy_engine.strategy_state').select('is_active').executeTakeFirstOrThrow();
    if (!state.is_active) problems.push('strategy_state.is_active changed');
    const runs = await env.db
      .selectFrom('strategy_engine.backtest_run')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    if (runs.n !== 0) problems.push(`${runs.n} backtest runs written`);
    const trades = await env.db
      .selectFrom('strategy_engine.pair_trade')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    if (trades.n !== 1) problems.push(`trades changed: ${trades.n}`);

    const mix = [...statuses.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([s, n]) => `${s}:${n}`)
      .join(' ');
    process.stdout.write(`fuzz: ${count} requests (seed ${seed}) in ${seconds.toFixed(1)} s; statuses ${mix}\n`);
    if (problems.length > 0) {
      failed = true;
      process.stdout.write(`fuzz: ${problems.length} problems\n  ${problems.slice(0, 50).join('\n  ')}\n`);
    } else {
      process.stdout.write('fuzz: no 5xx, every error {error, details}, config file unchanged and valid, nothing written\n');
    }
  } finally {
    await closeServer(server);
    await env.teardown();
  }
  process.exit(failed ? 1 : 0);
}

main().catch((err) => {
  process.stderr.write(`fuzz failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
