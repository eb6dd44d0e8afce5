import request from 'supertest';
import { API, DAY, HOUR, insertPair, insertSpreads, insertTrade, startApiTestEnv, type ApiTestEnv } from './helpers';

/** GET endpoints against a seeded database: exact spec shapes and values. */
describe('pairs API read endpoints', () => {
  let env: ApiTestEnv;
  const latest = new Date(Date.UTC(2026, 2, 28, 14));
  // The simulator's clock is paused at this time: days_held counts on the broker's clock.
  const simNow = Date.parse('2025-03-04T15:00:00Z');
  const entryTime = new Date(simNow - 1.5 * DAY);
  const ids: Record<string, number> = {};
  const closed = [
    { pnl: 100, exit: '2026-03-02T15:00:00Z', hold: 10 }, // Monday
    { pnl: -50, exit: '2026-03-03T15:00:00Z', hold: 20 }, // Tuesday; Wednesday has no close
    { pnl: 200, exit: '2026-03-05T15:00:00Z', hold: 5 }, // Thursday
    { pnl: -30, exit: '2026-03-06T16:00:00Z', hold: 3 }, // Friday
  ];

  beforeAll(async () => {
    env = await startApiTestEnv('read');
    const db = env.db;
    ids.qrvo = await insertPair(db, { symbol1: 'QRVO', symbol2: 'SWKS', rank: 1 });
    ids.override = await insertPair(db, { symbol1: 'AAA', symbol2: 'BBB', rank: 2, correlation: 0.7, entry_threshold: 2.5, exit_threshold: 0.25 });
    ids.inactive = await insertPair(db, { symbol1: 'CCC', symbol2: 'DDD', rank: null, is_active: false });
    ids.inactiveOpen = await insertPair(db, { symbol1: 'EEE', symbol2: 'FFF', rank: null, is_active: false, correlation: 0.6 });

    await insertSpreads(db, ids.qrvo, latest, 24 * 40, {
      warmup: 5,
      zOf: (i) => (i === 24 * 40 - 1 ? -1.842 : Math.sin(i / 7)),
      price1: 70,
      price2: 72,
    });
    await insertSpreads(db, ids.inactiveOpen, latest, 10, { zOf: () => 0.5, price1: 20, price2: 30 });

    ids.openTrade = await insertTrade(db, {
      pair_id: ids.qrvo,
      side: 'LONG_SPREAD',
      status: 'OPEN',
      workflow_id: `pair-trade-${ids.qrvo}-missing`,
      entry_time: entryTime,
      entry_z_score: -2.14,
      qty1: 15,
      qty2: 14,
      entry_price1: 68.42,
      entry_price2: 74.11,
    });
    ids.shortTrade = await insertTrade(db, {
      pair_id: ids.inactiveOpen,
      side: 'SHORT_SPREAD',
      status: 'OPEN',
      entry_time: new Date(simNow - 3.2 * DAY),
      entry_z_score: 2.3,
      qty1: 10,
      qty2: 5,
      entry_price1: 21,
      entry_price2: 29,
    });
    for (const c of closed) {
      await insertTrade(db, {
        pair_id: ids.override,
        status: 'CLOSED',
        entry_time: new Date(Date.parse(c.exit) - c.hold * HOUR),
        exit_time: new Date(c.exit),
        pnl: c.pnl,
        hold_hours: c.hold,
        qty1: 1,
        qty2: 1,
        entry_price1: 1,
        entry_price2: 1,
      });
    }
    await insertTrade(db, { pair_id: ids.override, status: 'FAILED', pnl: -999 }); // not closed: excluded from P&L

    await db
      .insertInto('strategy_engine.pair_signal')
      .values([
        { pair_id: ids.qrvo, ts: new Date('2026-03-27T14:00:00Z'), type: 'LONG_SPREAD', z_score: -2.14, reason: 'entry', inputs: '{}' },
        { pair_id: ids.qrvo, ts: new Date('2026-03-28T14:00:00Z'), type: 'SKIPPED', z_score: null, reason: 'stale bar', inputs: '{}' },
        { pair_id: ids.qrvo, ts: new Date('2026-03-20T14:00:00Z'), type: 'EXIT', z_score: 0.1, reason: 'old', inputs: '{}' },
      ])
      .execute();
    await db
      .updateTable('strategy_engine.strategy_state')
      .set({ last_update: new Date('2026-03-28T14:00:00Z') })
      .execute();

    await db
      .insertInto('strategy_engine.backtest_run')
      .values(
        [ids.qrvo, ids.override, ids.qrvo].map((pairId, i) => ({
          pair_id: pairId,
          run_date: new Date(Date.UTC(2026, 2, 25 + i, 12)) as never,
          start_date: '2025-09-01',
          end_date: '2026-03-01',
          params: '{}',
          total_return: 0.042,
          annualized_return: 0.091,
          sharpe_ratio: 0.516 + i,
          max_drawdown: 0.082,
          win_rate: 0.615,
          profit_factor: 1.31,
          total_trades: 26 + i,
          avg_hold_time_hours: 11.4,
          kelly_fraction: 0.18,
          passed_gate: i !== 1,
          equity_curve: '[]',
          trade_log: '[]',
        })),
      )
      .execute();
  }, 120_000);

  afterAll(async () => {
    await env?.teardown();
  });

  it('GET /status', async () => {
    const res = await request(env.app).get(`${API}/status`).expect(200).expect('Content-Type', /json/);
    expect(res.body).toEqual({
      is_active: true,
      total_pairs: 2, // registry-active pairs
      active_pairs: 2, // pairs holding an OPEN trade (one of them no longer registry-active)
      total_pnl: 220,
      last_update: '2026-03-28T14:00:00+00:00',
      needs_attention: [],
      // Issue 12, beside the spec's fields: the trading state, and P&L split (the open trades marked as in GET /active).
      trading_state: 'ACTIVE',
      trading_state_reason: 'from strategy_state.is_active',
      trading_state_since: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      realized_pnl: 220,
      unrealized_pnl: 68.24,
      no_edge: null,
    });
  });

  it('GET /active: every active pair plus any pair a live trade holds, one row each, in rank order', async () => {
    const res = await request(env.app).get(`${API}/active`).expect(200);
    expect(res.body).toEqual({
      pairs: [
        // 15 x (70 - 68.42) - 14 x (72 - 74.11) = 23.70 + 29.54
        { id: ids.qrvo, name: 'QRVO/SWKS', status: 'OPEN', attention_reason: null, z_score: -1.842, pnl: 53.24, correlation: 0.8697, days_held: 1 },
        { id: ids.override, name: 'AAA/BBB', status: 'FLAT', attention_reason: null, z_score: null, pnl: 0, correlation: 0.7, days_held: 0 },
        // SHORT_SPREAD: -(10 x (20 - 21) - 5 x (30 - 29)) = 15
        { id: ids.inactiveOpen, name: 'EEE/FFF', status: 'OPEN', attention_reason: null, z_score: 0.5, pnl: 15, correlation: 0.6, days_held: 3 },
      ],
    });
  });

  it('GET /performance: closed trades only, daily Sharpe, drawdown in percent', async () => {
    const res = await request(env.app).get(`${API}/performance`).expect(200);
    const daily = [100, -50, 0, 200, -30];
    const mean = daily.reduce((a, b) => a + b) / daily.length;
    const std = Math.sqrt(daily.reduce((a, b) => a + (b - mean) ** 2, 0) / (daily.length - 1));
    expect(Object.keys(res.body).sort()).toEqual(['avg_hold_time', 'max_drawdown', 'sharpe_ratio', 'total_pnl', 'win_rate']);
    expect(res.body.total_pnl).toBe(220);
    expect(res.body.win_rate).toBe(0.5);
    expect(res.body.avg_hold_time).toBeCloseTo((10 + 20 + 5 + 3) / 4, 10);
    expect(res.body.sharpe_ratio).toBeCloseTo((mean / std) * Math.sqrt(252), 10);
    // Peak 100,100 after the first trade, then 100,050: 50 / 100,100 of the peak, in percent.
    expect(res.body.max_drawdown).toBeCloseTo((50 / 100_100) * 100, 10);
  });

  it('GET /{id}/history: z-score points of the last N days (data-anchored), thresholds from config or pair override', async () => {
    const res = await request(env.app).get(`${API}/${ids.qrvo}/history`).expect(200);
    expect(Object.keys(res.body).sort()).toEqual(['entry_threshold', 'exit_threshold', 'history']);
    expect(res.body.entry_threshold).toBe(2);
    expect(res.body.exit_threshold).toBe(0.5);
    // 30 days back from the latest row, inclusive: 30 x 24 + 1 hourly rows.
    expect(res.body.history).toHaveLength(30 * 24 + 1);
    const last = res.body.history.at(-1);
    expect(last).toEqual({ timestamp: latest.getTime(), z_score: -1.842, spread: expect.any(Number) });
    expect(res.body.history[0].timestamp).toBe(latest.getTime() - 30 * DAY);
    for (let i = 1; i < res.body.history.length; i++) expect(res.body.history[i].timestamp).toBeGreaterThan(res.body.history[i - 1].timestamp);

    const oneDay = await request(env.app).get(`${API}/${ids.qrvo}/history?days=1`).expect(200);
    expect(oneDay.body.history).toHaveLength(25);
    // The whole series (40 days) minus the 5 warm-up rows without a z-score.
    const all = await request(env.app).get(`${API}/${ids.qrvo}/history?days=365`).expect(200);
    expect(all.body.history).toHaveLength(24 * 40 - 5);

    const override = await request(env.app).get(`${API}/${ids.override}/history`).expect(200);
    expect(override.body).toEqual({ history: [], entry_threshold: 2.5, exit_threshold: 0.25 });
  });

  it('GET /{id}/details: registry stats, open trade, last non-SKIPPED signal; live null when the workflow does not answer', async () => {
    const res = await request(env.app).get(`${API}/${ids.qrvo}/details`).expect(200);
    expect(res.body).toEqual({
      hedge_ratio: 0.9231,
      half_life: 18.4,
      cointegration_pvalue: 0.0024,
      correlation: 0.8697,
      open_trade: {
        id: ids.openTrade,
        side: 'LONG_SPREAD',
        entry_time: '2025-03-03T03:00:00+00:00',
        entry_z_score: -2.14,
        qty1: 15,
        qty2: 14,
        entry_price1: 68.42,
        entry_price2: 74.11,
        entry_stats: null,
      },
      last_signal: { type: 'LONG_SPREAD', z_score: -2.14, timestamp: '2026-03-27T14:00:00+00:00' },
      live: null,
      // No bars stored for the pair: stale (no entries), and no market-data issue recorded on the trade yet.
      market_data: { latest_bar: null, bar_age_hours: null, max_bar_age_hours: 4, stale: true, trade_issue: null, trade_issue_since: null },
    });
    const flat = await request(env.app).get(`${API}/${ids.inactive}/details`).expect(200);
    expect(flat.body.open_trade).toBeNull();
    expect(flat.body.last_signal).toBeNull();
  });

  it('GET /config: the five thresholds of the config file', async () => {
    const res = await request(env.app).get(`${API}/config`).expect(200);
    expect(res.body).toEqual({ entry_threshold: 2, exit_threshold: 0.5, stop_loss_threshold: 3, max_hold_hours: 72, position_pct: 0.02 });
  });

  it('GET /backtest/history: newest first, optionally by pair', async () => {
    const res = await request(env.app).get(`${API}/backtest/history`).expect(200);
    expect(res.body).toHaveLength(3);
    expect(res.body[0]).toEqual({
      id: expect.any(Number),
      pair_id: ids.qrvo,
      run_date: '2026-03-27',
      start_date: '2025-09-01',
      end_date: '2026-03-01',
      sharpe_ratio: 2.516,
      max_drawdown: 0.082,
      win_rate: 0.615,
      total_trades: 28,
      passed_gate: true,
    });
    expect(res.body.map((r: { run_date: string }) => r.run_date)).toEqual(['2026-03-27', '2026-03-26', '2026-03-25']);
    const filtered = await request(env.app).get(`${API}/backtest/history?pair_id=${ids.override}`).expect(200);
    expect(filtered.body).toHaveLength(1);
    expect(filtered.body[0]).toMatchObject({ pair_id: ids.override, passed_gate: false, run_date: '2026-03-26' });
    const none = await request(env.app).get(`${API}/backtest/history?pair_id=999999`).expect(200);
    expect(none.body).toEqual([]);
  });

  it('unknown pairs are 404, malformed ids 400, with {error, details}', async () => {
    for (const path of ['/999999/details', '/999999/history']) {
      const res = await request(env.app).get(`${API}${path}`).expect(404);
      expect(res.body).toEqual({ error: 'Pair not found', details: ['no pair with id 999999'] });
    }
    for (const id of ['abc', '-1', '0', '1.5', '99999999999', '2147483648', '1e3', '%20']) {
      const res = await request(env.app).get(`${API}/${id}/details`).expect(400);
      expect(res.body).toEqual({ error: expect.any(String), details: expect.any(Array) });
    }
    for (const q of ['days=0', 'days=-1', 'days=abc', 'days=3651', 'days=1.5', 'days=1&days=2', 'days=']) {
      const res = await request(env.app).get(`${API}/${ids.qrvo}/history?${q}`).expect(400);
      expect(res.body.error).toBe('Invalid query');
    }
  });

  it('serves openapi.json generated from the schemas, healthz, readyz and metrics', async () => {
    const doc = await request(env.app).get(`${API}/openapi.json`).expect(200);
    expect(doc.body.openapi).toBe('3.0.3');
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining([
        `${API}/status`,
        `${API}/active`,
        `${API}/performance`,
        `${API}/{pair_id}/history`,
        `${API}/{pair_id}/details`,
        `${API}/config`,
        `${API}/start`,
        `${API}/stop`,
        `${API}/emergency-stop`,
        `${API}/{pair_id}/close`,
        `${API}/backtest`,
        `${API}/backtest/history`,
      ]),
    );
    expect(doc.body.components.schemas.Status.required).toEqual([
      'is_active',
      'total_pairs',
      'active_pairs',
      'needs_attention',
      'total_pnl',
      'last_update',
      'trading_state',
      'trading_state_reason',
      'trading_state_since',
      'realized_pnl',
      'unrealized_pnl',
      'no_edge',
    ]);
    expect(doc.body.paths[`${API}/config`].post.security).toEqual([{ bearerAuth: [] }]);

    await request(env.app).get('/healthz').expect(200, { status: 'ok' });
    const ready = await request(env.app).get('/readyz').expect(200);
    expect(ready.body.status).toBe('ok');
    expect(Object.keys(ready.body.checks).sort()).toEqual(['broker', 'database', 'temporal']);

    const metrics = await request(env.app)
      .get('/metrics')
      .expect(200)
      .expect('Content-Type', /text\/plain/);
    expect(metrics.text).toMatch(/^pairs_open_trades 2$/m);
    expect(metrics.text).toMatch(/^pairs_signals_total\{type="LONG_SPREAD"\} 1$/m);
    expect(metrics.text).toMatch(/^pairs_trades_total\{status="CLOSED"\} 4$/m);
    expect(metrics.text).toMatch(/^pairs_orders_total\{phase="exit"\} 8$/m);
    expect(metrics.text).toMatch(
      /pairs_api_request_duration_seconds_count\{method="GET",route="\/api\/strategies\/pairs\/status",status="200"\} [1-9]/,
    );
    expect(metrics.text).toContain('pairs_cycle_duration_seconds');
    expect(metrics.text).toMatch(/^pairs_metrics_database_up 1$/m);
  });

  it('sets helmet security headers', async () => {
    const res = await request(env.app).get(`${API}/status`).expect(200);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toBeDefined();
    expect(res.headers['x-powered-by']).toBeUndefined();
  });
});
