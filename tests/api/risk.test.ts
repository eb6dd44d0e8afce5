import request from 'supertest';
import { DEFAULT_RISK_LIMITS } from '../../strategy/risk/limits';
import { equityStats } from '../../strategy/risk/equity-series';
import { API, AUTH, HOUR, insertPair, insertTrade, startApiTestEnv, type ApiTestEnv } from './helpers';

jest.setTimeout(120_000);

const isError = (body: unknown) => expect(body).toEqual({ error: expect.any(String), details: expect.any(Array) });

/** Issue 12: the risk endpoints, the trading state through /stop and /start, /status and /performance additions. */
describe('risk API', () => {
  let env: ApiTestEnv;
  let pairId: number;

  beforeAll(async () => {
    env = await startApiTestEnv('risk_api', { readCacheMs: 0 }); // the test writes rows behind the API's back
    pairId = await insertPair(env.db, { symbol1: 'QRVO', symbol2: 'SWKS' });
  });
  afterAll(async () => {
    await env?.teardown();
  });

  it('GET /risk: the defaults, ACTIVE, no snapshot and no refusal yet; GET /config keeps the spec shape', async () => {
    const { body } = await request(env.app).get(`${API}/risk`).expect(200);
    expect(body.limits).toEqual(DEFAULT_RISK_LIMITS);
    expect(body.state).toMatchObject({ trading_state: 'ACTIVE', rule: null, kelly_reset_at: null });
    expect(body.kelly).toEqual({ phase: 'bootstrap', kelly_fraction: null, window_trades: 0, no_edge: null });
    expect(body.account).toBeNull();
    expect(body.refusals).toEqual([]);
    const config = await request(env.app).get(`${API}/config`).expect(200);
    expect(Object.keys(config.body).sort()).toEqual(['entry_threshold', 'exit_threshold', 'max_hold_hours', 'position_pct', 'stop_loss_threshold']);
  });

  it('POST /risk: token required, bad values and unknown fields are 400 and change nothing, a valid subset is stored and logged', async () => {
    await request(env.app).post(`${API}/risk`).send({ max_open_pairs: 3 }).expect(401);
    for (const bad of [
      { max_open_pairs: 0 },
      { max_drawdown_pct: 150 },
      { kelly_no_edge: 'ignore' },
      { leverage: 2 },
      {},
      { kelly_window_trades: 5 },
    ]) {
      const res = await request(env.app).post(`${API}/risk`).set(AUTH).send(bad).expect(400);
      isError(res.body);
    }
    const rejected = await request(env.app).post(`${API}/risk`).set(AUTH).send({ max_open_pairs: 0 });
    expect(rejected.body.details.join(' ')).toContain('max_open_pairs must be >= 1');
    expect((await request(env.app).get(`${API}/risk`)).body.limits).toEqual(DEFAULT_RISK_LIMITS);

    const ok = await request(env.app).post(`${API}/risk`).set(AUTH).send({ max_open_pairs: 3, flatten_on_halt: true }).expect(200);
    expect(ok.body).toEqual({ ...DEFAULT_RISK_LIMITS, max_open_pairs: 3, flatten_on_halt: true });
    expect((await request(env.app).get(`${API}/risk`)).body.limits.max_open_pairs).toBe(3);
    const history = await request(env.app).get(`${API}/config/history`).expect(200);
    expect(history.body.changes[0]).toMatchObject({ source: 'api:risk', old: { risk: DEFAULT_RISK_LIMITS }, new: { risk: ok.body } });
  });

  it('POST /stop is REDUCING, POST /start is ACTIVE again; /status and the metric follow', async () => {
    await request(env.app).post(`${API}/stop`).set(AUTH).expect(200);
    let status = (await request(env.app).get(`${API}/status`).expect(200)).body;
    expect(status).toMatchObject({ is_active: false, trading_state: 'REDUCING', trading_state_reason: expect.stringMatching(/^stopped via API/) });
    let metrics = (await request(env.app).get('/metrics').expect(200)).text;
    expect(metrics).toMatch(/^pairs_trading_state\{state="REDUCING"\} 1$/m);
    expect(metrics).toMatch(/^pairs_trading_state\{state="ACTIVE"\} 0$/m);

    await request(env.app).post(`${API}/start`).set(AUTH).expect(200);
    status = (await request(env.app).get(`${API}/status`).expect(200)).body;
    expect(status).toMatchObject({ is_active: true, trading_state: 'ACTIVE', trading_state_reason: 'started via API' });
    expect(status.trading_state_since).toEqual(expect.any(String));
    metrics = (await request(env.app).get('/metrics').expect(200)).text;
    expect(metrics).toMatch(/^pairs_trading_state\{state="ACTIVE"\} 1$/m);
  });

  it('refused entries, failed-entry costs, realised and unrealised P&L, and the equity series in /performance', async () => {
    const { db } = env;
    const t0 = Date.UTC(2025, 2, 3, 15);
    const signal = await db
      .insertInto('strategy_engine.pair_signal')
      .values({ pair_id: pairId, ts: new Date(t0), type: 'LONG_SPREAD', z_score: -2.2, reason: 'test', inputs: '{}' })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db
      .updateTable('strategy_engine.pair_signal')
      .set({ risk_rule: 'GROSS_EXPOSURE', risk_detail: { reason: 'gross exposure would be 101.00%', gross_exposure_pct: 101 } })
      .where('id', '=', signal.id)
      .execute();
    await insertTrade(db, { pair_id: pairId, status: 'CLOSED', entry_time: new Date(t0), exit_time: new Date(t0 + HOUR), pnl: 100, hold_hours: 1 });
    const failed = await insertTrade(db, { pair_id: pairId, status: 'FAILED' });
    await db.updateTable('strategy_engine.pair_trade').set({ entry_cost: 12.5 }).where('id', '=', failed).execute();
    const equity = [100_000, 101_000, 99_000, 99_500, 100_500];
    await db
      .insertInto('strategy_engine.equity_snapshot')
      .values(
        equity.map((e, i) => ({
          ts: new Date(t0 + i * 24 * HOUR),
          equity: e,
          cash: e,
          buying_power: 2 * e,
          gross_exposure: 0,
          realized_pnl: 0,
          unrealized_pnl: 0,
        })),
      )
      .execute();

    const risk = (await request(env.app).get(`${API}/risk`).expect(200)).body;
    expect(risk.refusals).toEqual([
      {
        signal_id: signal.id,
        pair_id: pairId,
        timestamp: expect.any(String),
        type: 'LONG_SPREAD',
        rule: 'GROSS_EXPOSURE',
        detail: { reason: 'gross exposure would be 101.00%', gross_exposure_pct: 101 },
      },
    ]);
    expect(risk.account).toMatchObject({ equity: 100_500, buying_power: 201_000 });

    const status = (await request(env.app).get(`${API}/status`).expect(200)).body;
    expect(status).toMatchObject({ total_pnl: 87.5, realized_pnl: 87.5, unrealized_pnl: 0, no_edge: null });

    const stats = equityStats(equity.map((e, i) => ({ tsMs: t0 + i * 24 * HOUR, equity: e })));
    const perf = (await request(env.app).get(`${API}/performance`).expect(200)).body;
    expect(perf.total_pnl).toBe(87.5);
    expect(perf.max_drawdown).toBeCloseTo(stats.maxDrawdownPct, 9);
    expect(perf.max_drawdown).toBeCloseTo((2000 / 101_000) * 100, 9);
    expect(perf.sharpe_ratio).toBeCloseTo(stats.sharpe, 9);

    const curve = (await request(env.app).get(`${API}/risk/equity`).expect(200)).body;
    expect(curve.points.map((p: { equity: number }) => p.equity)).toEqual(equity);
    expect(curve.points[2].drawdown_pct).toBeCloseTo((2000 / 101_000) * 100, 9);
    expect(curve.max_drawdown).toBeCloseTo(stats.maxDrawdownPct, 9);
  });

  it('POST /risk/kelly-reset: token required, then Kelly counts trades from the reset on', async () => {
    await request(env.app).post(`${API}/risk/kelly-reset`).expect(401);
    await request(env.app).post(`${API}/risk/kelly-reset`).set(AUTH).send({ x: 1 }).expect(400);
    const { body } = await request(env.app).post(`${API}/risk/kelly-reset`).set(AUTH).expect(200);
    expect(body.kelly_reset_at).toEqual(expect.any(String));
    const risk = (await request(env.app).get(`${API}/risk`).expect(200)).body;
    expect(risk.state.kelly_reset_at).toBe(body.kelly_reset_at);
    expect(risk.kelly.window_trades).toBe(0);
  });
});
