import { promises as fs } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../../config/loader';
import { closeServer, listen } from '../../api/server';
import { fuzzProblems, generateFuzzRequests, sendRaw } from './fuzz-cases';
import { insertPair, insertSpreads, insertTrade, startApiTestEnv, TOKEN, type ApiTestEnv } from './helpers';

const SEED = Number(process.env.FUZZ_SEED ?? 20261125);
const COUNT = 600;

describe('API fuzz: seeded-random malformed requests', () => {
  let env: ApiTestEnv;
  let server: Server;
  const pairIds: number[] = [];

  beforeAll(async () => {
    env = await startApiTestEnv('fuzz');
    pairIds.push(await insertPair(env.db, { symbol1: 'QRVO', symbol2: 'SWKS' }));
    pairIds.push(await insertPair(env.db, { symbol1: 'AAA', symbol2: 'BBB', rank: 2 }));
    await insertSpreads(env.db, pairIds[0], new Date(), 100);
    await insertTrade(env.db, { pair_id: pairIds[1], status: 'CLOSED', pnl: 5, exit_time: new Date(), hold_hours: 2 });
    server = await listen(env.app, 0);
  }, 120_000);

  afterAll(async () => {
    if (server) await closeServer(server);
    await env?.teardown();
  });

  it(`${COUNT} requests: no 5xx, every error is {error, details}, nothing written`, async () => {
    const configBefore = await fs.readFile(env.configPath);
    const port = (server.address() as AddressInfo).port;
    const requests = generateFuzzRequests(SEED, COUNT, { token: TOKEN, pairIds });
    const problems: string[] = [];
    const statuses = new Map<number, number>();
    let next = 0;
    // Four in flight at a time: concurrent malformed requests must not disturb each other either.
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (next < requests.length) {
          const req = requests[next++];
          const res = await sendRaw(port, req);
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          problems.push(...fuzzProblems(req, res));
        }
      }),
    );
    expect(problems).toEqual([]);
    // The mix reached the validators, not just the router.
    for (const status of [200, 400, 401, 404, 405, 413, 415]) expect(statuses.get(status) ?? 0).toBeGreaterThan(0);

    expect((await fs.readFile(env.configPath)).equals(configBefore)).toBe(true);
    await expect(loadConfig(env.configPath)).resolves.toMatchObject({ entry_threshold: 2 });
    const state = await env.db.selectFrom('strategy_engine.strategy_state').select('is_active').executeTakeFirstOrThrow();
    expect(state.is_active).toBe(true);
    const runs = await env.db
      .selectFrom('strategy_engine.backtest_run')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(runs.n).toBe(0);
    const trades = await env.db.selectFrom('strategy_engine.pair_trade').select(['status']).execute();
    expect(trades).toEqual([{ status: 'CLOSED' }]);
  }, 120_000);
});
