import { promises as fs } from 'node:fs';
import request from 'supertest';
import { Client, Connection } from '@temporalio/client';
import { createApp } from '../../api/app';
import { createAlpacaBroker } from '../../broker/alpaca-broker';
import { loadConfig } from '../../config/loader';
import { deploySchedule, SCHEDULE_ID } from '../../temporal/schedule';
import { API, AUTH, HOUR, insertCointegratedBars, insertPair, insertTrade, startApiTestEnv, TOKEN, type ApiTestEnv } from './helpers';

const isError = (body: unknown) => expect(body).toEqual({ error: expect.any(String), details: expect.any(Array) });

describe('pairs API write endpoints, auth and bad input', () => {
  let env: ApiTestEnv;
  let pairId: number;
  let flatPairId: number;
  const barsStart = new Date(Date.UTC(2025, 0, 1));

  beforeAll(async () => {
    env = await startApiTestEnv('write');
    pairId = await insertPair(env.db, { symbol1: 'QRVO', symbol2: 'SWKS' });
    flatPairId = await insertPair(env.db, { symbol1: 'AAA', symbol2: 'BBB', rank: 2 });
    // 1,500 hourly bars from 2025-01-01: bar 600 is 2025-01-26 00:00.
    await insertCointegratedBars(env.db, 'QRVO', 'SWKS', barsStart, 1500);
  }, 120_000);

  afterAll(async () => {
    await env?.teardown();
  });

  const strategyActive = async () =>
    (await env.db.selectFrom('strategy_engine.strategy_state').select('is_active').executeTakeFirstOrThrow()).is_active;

  describe('auth', () => {
    const posts = ['/start', '/stop', '/emergency-stop', '/config', `/1/close`, '/backtest'];

    it('refuses every POST without a bearer token, with a wrong one, or with a malformed header: 401, nothing changes', async () => {
      const before = await fs.readFile(env.configPath, 'utf8');
      for (const path of posts) {
        for (const headers of [
          {},
          { Authorization: 'Bearer wrong' },
          { Authorization: `Bearer ${TOKEN}x` },
          { Authorization: TOKEN },
          { Authorization: `Basic ${TOKEN}` },
        ]) {
          const res = await request(env.app).post(`${API}${path}`).set(headers).send({ entry_threshold: 2.2 }).expect(401);
          isError(res.body);
          expect(res.body.error).toBe('Unauthorized');
        }
      }
      expect(await fs.readFile(env.configPath, 'utf8')).toBe(before);
      expect(await strategyActive()).toBe(true);
    });

    it('never logs the token', async () => {
      await request(env.app).post(`${API}/stop`).set(AUTH).expect(200);
      await request(env.app).post(`${API}/start`).set({ Authorization: 'Bearer wrong-token-xyz' }).expect(401);
      const logged = env.logs.join('');
      expect(logged).toContain('strategy stopped via API');
      expect(logged).not.toContain(TOKEN);
      expect(logged).not.toContain('wrong-token-xyz');
      await request(env.app).post(`${API}/start`).set(AUTH).expect(200);
    });

    it('with no token configured, POSTs are refused', async () => {
      const app = createApp({
        db: env.db,
        temporal: { client: env.temporal.client, taskQueue: env.taskQueue },
        broker: env.broker,
        configPath: env.configPath,
        apiToken: undefined,
      });
      const res = await request(app).post(`${API}/stop`).set(AUTH).expect(401);
      expect(res.body.details[0]).toMatch(/no PAIRS_API_TOKEN/);
    });
  });

  describe('POST /config', () => {
    it('updates a subset, persists it (comments kept) and returns the whole new config', async () => {
      const res = await request(env.app).post(`${API}/config`).set(AUTH).send({ entry_threshold: 2.2, position_pct: 0.03 }).expect(200);
      expect(res.body).toEqual({ entry_threshold: 2.2, exit_threshold: 0.5, stop_loss_threshold: 3, max_hold_hours: 72, position_pct: 0.03 });
      const text = await fs.readFile(env.configPath, 'utf8');
      expect(text).toContain('entry_threshold: 2.2');
      expect(text).toContain('# |z| beyond which a flat pair opens a trade');
      expect((await loadConfig(env.configPath)).entry_threshold).toBe(2.2);
      await request(env.app).get(`${API}/config`).expect(200, res.body);
      await request(env.app)
        .post(`${API}/config`)
        .set(AUTH)
        .send({ entry_threshold: 2.0, exit_threshold: 0.5, stop_loss_threshold: 3.0, max_hold_hours: 72, position_pct: 0.02 })
        .expect(200);
    });

    it.each([
      [{ entry_threshold: '2.5' }, /entry_threshold/],
      [{ entry_threshold: -1 }, /entry_threshold/],
      [{ exit_threshold: 2.5 }, /exit_threshold must be < entry_threshold/],
      [{ stop_loss_threshold: 1.5 }, /stop_loss_threshold must be > entry_threshold/],
      [{ position_pct: 0.5 }, /position_pct/],
      [{ entry_threshold: 2.1, z_score_window: 10 }, /z_score_window|Unrecognized/i],
      [{ hacker: true }, /hacker|Unrecognized/i],
      [{}, /at least one field/],
      [[], /expected object|Invalid input/i],
      // Raw JSON: a JS literal 1e400 is Infinity, which JSON.stringify would send as null.
      ['{"entry_threshold": 1e400}', /entry_threshold/],
    ])('rejects %j with 400 and writes nothing', async (body, detail) => {
      const before = await fs.readFile(env.configPath, 'utf8');
      const req = request(env.app).post(`${API}/config`).set(AUTH);
      const res = await (typeof body === 'string' ? req.set('Content-Type', 'application/json').send(body) : req.send(body as object)).expect(400);
      isError(res.body);
      expect(res.body.details.join('\n')).toMatch(detail);
      expect(await fs.readFile(env.configPath, 'utf8')).toBe(before);
    });
  });

  describe('POST /start and /stop', () => {
    it('without a deployed schedule, still flips strategy_state.is_active', async () => {
      await request(env.app).post(`${API}/stop`).set(AUTH).expect(200, { message: 'Strategy stopped' });
      expect(await strategyActive()).toBe(false);
      await request(env.app)
        .get(`${API}/status`)
        .expect(200)
        .then((r) => expect(r.body.is_active).toBe(false));
      await request(env.app).post(`${API}/start`).set(AUTH).expect(200, { message: 'Strategy started' });
      expect(await strategyActive()).toBe(true);
    });

    it('pauses and unpauses the deployed cycle schedule', async () => {
      await deploySchedule(env.temporal.client, { taskQueue: env.taskQueue });
      const handle = env.temporal.client.schedule.getHandle(SCHEDULE_ID);
      await request(env.app).post(`${API}/stop`).set(AUTH).send({}).expect(200, { message: 'Strategy stopped' });
      expect((await handle.describe()).state.paused).toBe(true);
      await request(env.app).post(`${API}/start`).set(AUTH).expect(200, { message: 'Strategy started' });
      expect((await handle.describe()).state.paused).toBe(false);
      expect(await strategyActive()).toBe(true);
    });

    it('stop leaves the schedule running while a trade is open, so its exits are still managed', async () => {
      const handle = env.temporal.client.schedule.getHandle(SCHEDULE_ID);
      const tradeId = await insertTrade(env.db, { pair_id: flatPairId, status: 'OPEN', workflow_id: 'pair-trade-x', qty1: 1, qty2: 1 });
      await request(env.app).post(`${API}/stop`).set(AUTH).expect(200, { message: 'Strategy stopped' });
      expect(await strategyActive()).toBe(false);
      expect((await handle.describe()).state.paused).toBe(false);
      await env.db.deleteFrom('strategy_engine.pair_trade').where('id', '=', tradeId).execute();
      await request(env.app).post(`${API}/start`).set(AUTH).expect(200, { message: 'Strategy started' });
    });

    it('rejects a body (it takes none) and non-JSON content', async () => {
      isError((await request(env.app).post(`${API}/stop`).set(AUTH).send({ force: true }).expect(400)).body);
      isError((await request(env.app).post(`${API}/stop`).set(AUTH).set('Content-Type', 'text/plain').send('stop').expect(415)).body);
      expect(await strategyActive()).toBe(true);
    });
  });

  describe('POST /{id}/close', () => {
    it('404 for an unknown pair, 409 when the pair has no open trade, 400 for a bad id', async () => {
      isError((await request(env.app).post(`${API}/999999/close`).set(AUTH).expect(404)).body);
      const res = await request(env.app).post(`${API}/${flatPairId}/close`).set(AUTH).expect(409);
      expect(res.body).toEqual({ error: 'No open trade', details: ['pair AAA/BBB has no open trade to close'] });
      isError((await request(env.app).post(`${API}/abc/close`).set(AUTH).expect(400)).body);
    });

    it('409 when the trade row names a workflow Temporal does not know', async () => {
      const tradeId = await insertTrade(env.db, { pair_id: flatPairId, status: 'OPEN', workflow_id: 'pair-trade-nowhere', qty1: 1, qty2: 1 });
      const res = await request(env.app).post(`${API}/${flatPairId}/close`).set(AUTH).expect(409);
      expect(res.body.details[0]).toMatch(/is not running/);
      await env.db.deleteFrom('strategy_engine.pair_trade').where('id', '=', tradeId).execute();
    });
  });

  describe('POST /backtest', () => {
    const body = { pair_id: 0, start_date: '2025-01-26', end_date: '2025-02-20' };

    it('runs on stored bars with the hedge ratio from the formation window, stores the run, returns the spec shape', async () => {
      const res = await request(env.app)
        .post(`${API}/backtest`)
        .set(AUTH)
        .send({ ...body, pair_id: pairId, initial_capital: 50_000 })
        .expect(200);
      expect(Object.keys(res.body)).toEqual([
        'run_id',
        'pair_id',
        'total_return',
        'annualized_return',
        'sharpe_ratio',
        'max_drawdown',
        'win_rate',
        'profit_factor',
        'total_trades',
        'avg_hold_time_hours',
        'kelly_fraction',
        'passed_gate',
        'equity_curve',
        'trade_log',
        'effective_start_date',
        'effective_end_date',
      ]);
      expect(res.body).toMatchObject({ effective_start_date: '2025-01-26', effective_end_date: '2025-02-20' });
      expect(res.body.pair_id).toBe(pairId);
      expect(res.body.total_trades).toBeGreaterThan(0);
      expect(res.body.trade_log).toHaveLength(res.body.total_trades);
      // Test bars: 2025-01-26 00:00 through 2025-02-20 23:00 inclusive.
      expect(res.body.equity_curve).toHaveLength(26 * 24);
      expect(res.body.equity_curve[0].timestamp).toBe(Date.UTC(2025, 0, 26));
      expect(res.body.equity_curve[0].equity).toBeCloseTo(50_000, -1);
      const stored = await env.db.selectFrom('strategy_engine.backtest_run').selectAll().where('id', '=', res.body.run_id).executeTakeFirstOrThrow();
      expect(stored).toMatchObject({ pair_id: pairId, start_date: '2025-01-26', end_date: '2025-02-20', total_trades: res.body.total_trades });
      expect(stored.params).toMatchObject({
        entry_threshold: 2,
        exit_threshold: 0.5,
        stop_loss_threshold: 3,
        initial_capital: 50_000,
        formation_bars: 500,
      });
      const history = await request(env.app).get(`${API}/backtest/history?pair_id=${pairId}`).expect(200);
      expect(history.body[0]).toMatchObject({
        id: res.body.run_id,
        start_date: '2025-01-26',
        end_date: '2025-02-20',
        passed_gate: res.body.passed_gate,
      });
    });

    it('runs a period wider than the stored data over the overlap and reports the effective period', async () => {
      const res = await request(env.app)
        .post(`${API}/backtest`)
        .set(AUTH)
        .send({ pair_id: pairId, start_date: '2000-01-01', end_date: '2100-01-01' })
        .expect(200);
      // 1,500 bars from 2025-01-01 00:00: the first 500 fit the hedge ratio, the test runs from bar 500
      // (2025-01-21 20:00) to the last bar (2025-03-04 11:00).
      expect(res.body).toMatchObject({ effective_start_date: '2025-01-21', effective_end_date: '2025-03-04' });
      expect(res.body.equity_curve).toHaveLength(1000);
      expect(res.body.equity_curve[0].timestamp).toBe(barsStart.getTime() + 500 * HOUR);
      const stored = await env.db.selectFrom('strategy_engine.backtest_run').selectAll().where('id', '=', res.body.run_id).executeTakeFirstOrThrow();
      expect(stored).toMatchObject({ start_date: '2025-01-21', end_date: '2025-03-04' });
      expect(stored.params).toMatchObject({ requested_start_date: '2000-01-01', requested_end_date: '2100-01-01' });
    });

    it.each([
      [{ start_date: '2025-02-20', end_date: '2025-01-26' }, 400, /end_date must not be before start_date/],
      [
        { start_date: '2026-01-05', end_date: '2026-02-01' },
        400,
        /no usable overlap with 2026-01-05 \.\. 2026-02-01: the stored hourly bars of QRVO\/SWKS cover 2025-01-01 \.\. 2025-03-04 \(1500 shared bars\)/,
      ],
      [
        { start_date: '2024-01-01', end_date: '2025-01-15' },
        400,
        /no usable overlap with 2024-01-01 \.\. 2025-01-15: .* cover 2025-01-01 \.\. 2025-03-04/,
      ],
      [{ start_date: '2025-02-30' }, 400, /real calendar date/],
      [{ entry_threshold: 1, exit_threshold: 1.5 }, 400, /exit_threshold < entry_threshold/],
      [{ initial_capital: -5 }, 400, /initial_capital/],
      [{ bogus: 1 }, 400, /bogus|Unrecognized/i],
      [{ pair_id: '1' }, 400, /pair_id/],
      [{ pair_id: 999999 }, 404, /no pair with id 999999/],
    ])('rejects %j (%d) and stores nothing', async (patch, status, detail) => {
      const before = await env.db
        .selectFrom('strategy_engine.backtest_run')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      const res = await request(env.app)
        .post(`${API}/backtest`)
        .set(AUTH)
        .send({ ...body, pair_id: pairId, ...patch })
        .expect(status);
      isError(res.body);
      expect(res.body.details.join('\n')).toMatch(detail);
      const after = await env.db
        .selectFrom('strategy_engine.backtest_run')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      expect(after.n).toBe(before.n);
    });
  });

  describe('bad requests', () => {
    it('unknown routes are 404, wrong methods 405 with Allow', async () => {
      isError((await request(env.app).get(`${API}/nope/nope/nope`).expect(404)).body);
      isError((await request(env.app).get(`/api/other`).expect(404)).body);
      const put = await request(env.app).put(`${API}/config`).set(AUTH).send({ entry_threshold: 2 }).expect(405);
      expect(put.headers.allow).toBe('GET, POST, HEAD, OPTIONS');
      isError(put.body);
      expect((await request(env.app).post(`${API}/status`).set(AUTH).expect(405)).headers.allow).toBe('GET, HEAD, OPTIONS');
      expect((await request(env.app).get(`${API}/start`).expect(405)).headers.allow).toBe('POST, OPTIONS');
      expect((await request(env.app).delete(`${API}/1/details`).expect(405)).headers.allow).toBe('GET, HEAD, OPTIONS');
      expect((await request(env.app).get(`${API}/1/close`).expect(405)).headers.allow).toBe('POST, OPTIONS');
      expect((await request(env.app).post(`${API}/backtest/history`).set(AUTH).expect(405)).headers.allow).toBe('GET, HEAD, OPTIONS');
      expect((await request(env.app).options(`${API}/backtest`).expect(204)).headers.allow).toBe('POST, OPTIONS');
    });

    it('malformed, oversized and deeply nested JSON: 400/413 with {error, details}', async () => {
      const post = (body: string, type = 'application/json') => request(env.app).post(`${API}/config`).set(AUTH).set('Content-Type', type).send(body);
      isError((await post('{"entry_threshold": 2.').expect(400)).body);
      isError((await post('"just a string"').expect(400)).body);
      isError((await post('null').expect(400)).body);
      const big = JSON.stringify({ entry_threshold: 2, pad: 'x'.repeat(20_000) });
      const tooLarge = await post(big).expect(413);
      expect(tooLarge.body).toEqual({ error: 'Request body too large', details: ['the body exceeds the size limit'] });
      const deep = `${'['.repeat(5000)}${']'.repeat(5000)}`;
      isError((await post(deep).expect(400)).body);
      const deepObject = `${'{"a":'.repeat(40)}1${'}'.repeat(40)}`;
      expect((await post(deepObject).expect(400)).body.error).toBe('JSON body nested too deeply');
      isError((await post('{"entry_threshold": 2}', 'application/json; charset=latin1').expect(415)).body);
      isError((await post('entry_threshold=2', 'application/x-www-form-urlencoded').expect(415)).body);
      isError((await post('{"__proto__": {"entry_threshold": 9}}').expect(400)).body);
      expect((await loadConfig(env.configPath)).entry_threshold).toBe(2);
    });

    it('GET /readyz is ready through a lazy Temporal connection (what `pairs api` uses)', async () => {
      const client = new Client({ connection: Connection.lazy({ address: env.temporal.address }) });
      const app = createApp({
        db: env.db,
        temporal: { client, taskQueue: env.taskQueue },
        broker: env.broker,
        configPath: env.configPath,
        apiToken: TOKEN,
      });
      const res = await request(app).get('/readyz').expect(200);
      expect(res.body.checks.temporal.ok).toBe(true);
    });

    it('GET /readyz names the dependency that failed (503)', async () => {
      const app = createApp({
        db: env.db,
        temporal: { client: env.temporal.client, taskQueue: env.taskQueue },
        broker: createAlpacaBroker({ keyId: 'K', secret: 'S', simulatorUrl: 'http://127.0.0.1:9', timeoutMs: 500 }),
        configPath: env.configPath,
        apiToken: TOKEN,
      });
      const res = await request(app).get('/readyz').expect(503);
      expect(res.body.status).toBe('unavailable');
      expect(res.body.checks.database.ok).toBe(true);
      expect(res.body.checks.temporal.ok).toBe(true);
      expect(res.body.checks.broker).toMatchObject({ ok: false, error: expect.any(String) });
    });
  });

  it('hour constant sanity for the seeded bars', () => {
    expect(barsStart.getTime() + 600 * HOUR).toBe(Date.UTC(2025, 0, 26));
  });
});
