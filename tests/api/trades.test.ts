import request from 'supertest';
import { bundleWorkflowCode, type Worker } from '@temporalio/worker';
import { createPendingTrade } from '../../db/queries/trades';
import type { TradeSide } from '../../db/schema';
import { runCycleNow } from '../../temporal/run-cycle-now';
import { startPairTradeWorkflow } from '../../temporal/pair-trade-client';
import { createPairsWorker } from '../../temporal/worker';
import { pairTradeWorkflowId } from '../../workflows/contracts/pair-trade';
import { positionsOf, seedPair, tradeWithStatus, waitFor } from '../orchestration/helpers';
import { API, AUTH, startApiTestEnv, type ApiTestEnv } from './helpers';

jest.setTimeout(180_000);

/** POST /{id}/close and /emergency-stop against running pair-trade workflows: real worker, Temporal, simulator, database. */
describe('pairs API trade control with a running worker', () => {
  let env: ApiTestEnv;
  let worker: Worker;
  let running: Promise<void>;

  beforeAll(async () => {
    const bundle = bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows') });
    // Wednesday 2026-11-18 10:40 New York: the simulated market is open.
    env = await startApiTestEnv('trades', {}, { seed: 11, startTime: '2026-11-18T15:40:00Z' });
    worker = await createPairsWorker({
      connection: env.temporal.nativeConnection,
      taskQueue: env.taskQueue,
      db: env.db,
      broker: env.broker,
      configPath: env.configPath,
      workflowBundle: await bundle,
    });
    running = worker.run();
  });

  afterAll(async () => {
    worker?.shutdown();
    await running?.catch(() => undefined);
    await env?.teardown();
  });

  /** Registers the pair (no signal from the cycle: entry 1000), loads its bars with one cycle, opens a trade directly. */
  async function openTrade(symbol1: string, symbol2: string, side: TradeSide) {
    const pairId = await seedPair(env.db, env.broker, { symbol1, symbol2, entry: 1000, stopLoss: 2000 });
    await runCycleNow(env.temporal.client, { taskQueue: env.taskQueue });
    const signal = await env.db
      .insertInto('strategy_engine.pair_signal')
      .values({
        pair_id: pairId,
        ts: new Date(),
        type: side,
        z_score: -2.2,
        reason: 'test',
        inputs: '{}',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const { trade } = await createPendingTrade(env.db, { pairId, entrySignalId: signal.id, side, entryZ: -2.2 }, pairTradeWorkflowId);
    await startPairTradeWorkflow(env.temporal.client, { tradeId: trade!.id, pairId, symbol1, symbol2, side, entryZ: -2.2 }, env.taskQueue);
    const open = await waitFor('trade OPEN', () => tradeWithStatus(env.db, trade!.id, ['OPEN']), 60_000);
    return { pairId, tradeId: trade!.id, open };
  }

  it('details carry the live workflow state; close closes the trade through the update; a second close is 409', async () => {
    const { pairId, tradeId, open } = await openTrade('ARQX', 'CRDM', 'LONG_SPREAD');

    const details = await request(env.app).get(`${API}/${pairId}/details`).expect(200);
    expect(details.body.open_trade).toMatchObject({ id: tradeId, side: 'LONG_SPREAD', qty1: open.qty1, qty2: open.qty2 });
    expect(details.body.live).toMatchObject({ status: 'OPEN', exit_reason: null });
    expect(details.body.live.legs.filter((l: { phase: string }) => l.phase === 'entry')).toHaveLength(2);
    const active = await request(env.app).get(`${API}/active`).expect(200);
    expect(active.body.pairs.find((p: { id: number }) => p.id === pairId)).toMatchObject({ name: 'ARQX/CRDM', status: 'OPEN', days_held: 0 });

    // The close answers within 2 s: the spec's 200 when both legs are flat by then, else 202 with the trade's state.
    const res = await request(env.app).post(`${API}/${pairId}/close`).set(AUTH);
    if (res.status === 200) expect(res.body).toEqual({ message: 'Pair ARQX/CRDM closed successfully' });
    else expect(res.status).toBe(202);
    const closed = await waitFor('trade CLOSED', () => tradeWithStatus(env.db, tradeId, ['CLOSED']), 60_000);
    expect(closed?.exit_reason).toBe('MANUAL');
    expect(await positionsOf(env.broker, ['ARQX', 'CRDM'])).toEqual({ ARQX: 0, CRDM: 0 });

    await request(env.app).post(`${API}/${pairId}/close`).set(AUTH).expect(409);
    const status = await request(env.app).get(`${API}/status`).expect(200);
    expect(status.body.active_pairs).toBe(0);
  });

  it('POST /symbols/{symbol}/flatten tells every live trade holding the symbol to close (202 at once), then it is flat', async () => {
    const { pairId, tradeId } = await openTrade('EFRA', 'FLNT', 'LONG_SPREAD');
    await request(env.app).post(`${API}/symbols/flnt/flatten`).set(AUTH).expect(400);
    const res = await request(env.app).post(`${API}/symbols/FLNT/flatten`).set(AUTH).expect(202);
    expect(res.body).toMatchObject({ symbol: 'FLNT', trades: [expect.objectContaining({ trade_id: tradeId, pair_id: pairId })] });
    expect(['closed', 'closing']).toContain(res.body.trades[0].outcome);
    await waitFor('trade CLOSED', () => tradeWithStatus(env.db, tradeId, ['CLOSED']), 60_000);
    expect(await positionsOf(env.broker, ['EFRA', 'FLNT'])).toEqual({ EFRA: 0, FLNT: 0 });
  });

  it('emergency stop closes every open trade and reports how many pairs', async () => {
    const a = await openTrade('HALO', 'JETT', 'SHORT_SPREAD');
    const b = await openTrade('MOSS', 'OPAL', 'LONG_SPREAD');
    const res = await request(env.app).post(`${API}/emergency-stop`).set(AUTH).expect(200);
    expect(res.body).toEqual({ message: 'Emergency stop executed for 2 pairs' });
    for (const t of [a, b]) expect(await tradeWithStatus(env.db, t.tradeId, ['CLOSED'])).toBeDefined();
    expect(await positionsOf(env.broker, ['HALO', 'JETT', 'MOSS', 'OPAL'])).toEqual({ HALO: 0, JETT: 0, MOSS: 0, OPAL: 0 });
    const state = await env.db.selectFrom('strategy_engine.strategy_state').select('is_active').executeTakeFirstOrThrow();
    expect(state.is_active).toBe(false);
  });
});
