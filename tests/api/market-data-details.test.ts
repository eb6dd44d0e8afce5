import request from 'supertest';
import { setMarketDataIssues } from '../../db/queries/trade-market-data';
import { upsertBars } from '../../db/queries/market-data';
import { API, HOUR, insertPair, insertTrade, startApiTestEnv, type ApiTestEnv } from './helpers';

/** Issue 11: the stale state and the open trade's entry statistics in GET /{id}/details and /metrics. */
describe('market data in the API', () => {
  let env: ApiTestEnv;
  // The simulator's clock is paused at 2025-03-04T15:00:00Z.
  const simNow = Date.parse('2025-03-04T15:00:00Z');
  let pairId: number;
  let freshPair: number;
  let tradeId: number;

  beforeAll(async () => {
    env = await startApiTestEnv('market-data');
    const db = env.db;
    pairId = await insertPair(db, { symbol1: 'HLT1', symbol2: 'HLT2', rank: 1 });
    freshPair = await insertPair(db, { symbol1: 'FRS1', symbol2: 'FRS2', rank: 2 });
    const bar = (symbol: string, ts: number) => ({ symbol, ts: new Date(ts), open: 10, high: 10, low: 10, close: 10, volume: 100 });
    // HLT1 stopped 6 h ago (halted); HLT2 and the fresh pair have a bar 1 h old.
    await upsertBars(db, [bar('HLT1', simNow - 6 * HOUR), bar('HLT2', simNow - HOUR), bar('FRS1', simNow - HOUR), bar('FRS2', simNow - HOUR)]);
    tradeId = await insertTrade(db, {
      pair_id: pairId,
      status: 'OPEN',
      entry_time: new Date(simNow - 30 * HOUR),
      qty1: 10,
      qty2: 12,
      entry_price1: 50,
      entry_price2: 40,
    });
    await db
      .updateTable('strategy_engine.pair_trade')
      .set({ entry_hedge_ratio: 0.8, entry_half_life: 12, entry_spread_mean: 0.3, entry_spread_std: 0.02 })
      .where('id', '=', tradeId)
      .execute();
    await setMarketDataIssues(db, new Map([[tradeId, 'HLT1 not trading: last trade 2025-03-04T09:00:00.000Z (halted or delisted?)']]));
  });

  afterAll(async () => {
    await env?.teardown();
  });

  it('GET /{id}/details: stale bars, the trade flag and its entry statistics', async () => {
    const res = await request(env.app).get(`${API}/${pairId}/details`).expect(200);
    expect(res.body.open_trade.entry_stats).toEqual({ hedge_ratio: 0.8, half_life: 12, spread_mean: 0.3, spread_std: 0.02 });
    expect(res.body.market_data).toMatchObject({
      latest_bar: '2025-03-04T09:00:00+00:00',
      max_bar_age_hours: 4,
      stale: true,
      trade_issue: expect.stringMatching(/HLT1 not trading/),
    });
    expect(res.body.market_data.bar_age_hours).toBeCloseTo(6, 6);
    expect(res.body.market_data.trade_issue_since).not.toBeNull();

    const fresh = await request(env.app).get(`${API}/${freshPair}/details`).expect(200);
    expect(fresh.body.market_data).toMatchObject({ stale: false, trade_issue: null });
    expect(fresh.body.open_trade).toBeNull();
  });

  it('/metrics counts live trades with a market-data issue; clearing the issue clears the count', async () => {
    const flagged = await request(env.app).get('/metrics').expect(200);
    expect(flagged.text).toMatch(/^pairs_trades_market_data_issue 1$/m);
    await setMarketDataIssues(env.db, new Map([[tradeId, null]]));
    const cleared = await request(env.app).get('/metrics').expect(200);
    expect(cleared.text).toMatch(/^pairs_trades_market_data_issue 0$/m);
    const row = await env.db
      .selectFrom('strategy_engine.pair_trade')
      .select(['market_data_issue_since'])
      .where('id', '=', tradeId)
      .executeTakeFirstOrThrow();
    expect(row.market_data_issue_since).toBeNull();
  });
});
