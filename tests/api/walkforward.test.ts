/**
 * POST /walkforward, GET /walkforward/history and GET /walkforward/{run_id} on a real database: the real-data
 * fixture (SPISECTOR, daily) stored in market_data, and the simulator's hourly history as discovery stores it
 * (discoverPairs through the real broker adapter against the simulator).
 */
import request from 'supertest';
import { createDiscoveryActivities } from '../../activities/discovery';
import { loadConfig } from '../../config/loader';
import { runPairs } from '../helpers/cli';
import { readSpisector, SPISECTOR_CSV, storeCloses } from '../helpers/walkforward-fixture';
import { API, AUTH, startApiTestEnv, type ApiTestEnv } from './helpers';

const isError = (body: unknown) => expect(body).toEqual({ error: expect.any(String), details: expect.any(Array) });
const SPISECTOR = readSpisector();

describe('walk-forward API', () => {
  let env: ApiTestEnv;
  let simSymbols: string[];

  beforeAll(async () => {
    env = await startApiTestEnv('walkforward');
    await storeCloses(env.db, SPISECTOR);
    // The simulator's history, stored the way the engine stores it: discovery keeps the best pairs and upserts their bars.
    const { discovery } = await loadConfig(env.configPath);
    const found = await createDiscoveryActivities({ db: env.db, broker: env.broker }).discoverPairs({
      symbols: env.sim.control.market.symbols.map((s) => s.symbol),
      settings: discovery,
    });
    simSymbols = [...new Set(found.pairs.flatMap((p) => [p.symbol1, p.symbol2]))].sort();
  }, 180_000);

  afterAll(async () => {
    await env?.teardown();
  });

  it('runs on the real-data fixture with the sweep, stores the run and serves it back', async () => {
    const res = await request(env.app).post(`${API}/walkforward`).set(AUTH).send({ symbols: SPISECTOR.symbols, sweep: true }).expect(200);
    expect(res.body.source).toBe('market_data');
    // Columns in the requested order, as in the CSV: the same answer as `pairs walkforward --csv` on the fixture.
    expect(res.body.symbols).toEqual(SPISECTOR.symbols);
    const cli = runPairs(['walkforward', '--csv', SPISECTOR_CSV, '--sweep', '--json', '--workers', '0']);
    expect(cli.status).toBe(0);
    const fromCli = JSON.parse(cli.stdout) as { metrics: unknown; windows: unknown; trade_log: unknown; risk_refusals: unknown };
    expect(res.body.metrics).toEqual(fromCli.metrics);
    // The live risk rules from the config, the same in both, and what they refused.
    expect(res.body.params.risk).toEqual((await loadConfig(env.configPath)).risk);
    expect(res.body.risk_refusals).toEqual(fromCli.risk_refusals);
    expect(res.body.windows).toEqual(fromCli.windows);
    expect(res.body.windows).toHaveLength(14);
    expect(res.body.configurations).toBe(27);
    expect(res.body.params.bars_per_year).toBeGreaterThan(240);
    expect(res.body.equity_curve).toHaveLength(res.body.metrics.bars);
    expect(res.body.overfitting.pbo).toBeGreaterThanOrEqual(0);
    expect(res.body.deflated_sharpe.trials).toBe(14 * 45 * 27);

    const history = await request(env.app).get(`${API}/walkforward/history`).expect(200);
    expect(history.body[0]).toMatchObject({
      id: res.body.run_id,
      source: 'market_data',
      symbols: 10,
      window_count: 14,
      total_trades: res.body.metrics.total_trades,
      passed_gate: res.body.metrics.passed_gate,
      pbo: res.body.overfitting.pbo,
    });
    // The stored run comes back in the shape POST answered, plus its run date.
    const stored = await request(env.app).get(`${API}/walkforward/${res.body.run_id}`).expect(200);
    const { run_date, ...rest } = stored.body as Record<string, unknown>;
    expect(typeof run_date).toBe('string');
    expect(rest).toEqual(res.body);
  });

  it("runs on the simulator's hourly history as discovery stored it", async () => {
    expect(simSymbols.length).toBeGreaterThanOrEqual(2);
    const res = await request(env.app)
      .post(`${API}/walkforward`)
      .set(AUTH)
      .send({ symbols: simSymbols, formation_bars: 400, trading_bars: 100, sweep_grid: { entry: [1.5, 2], exit: [0.5], stop_loss: [3] } })
      .expect(200);
    expect(res.body.params.bar_spacing_hours).toBe(1);
    expect(res.body.params.bars_per_year).toBeGreaterThan(1000);
    expect(res.body.windows.length).toBeGreaterThanOrEqual(2);
    expect(res.body.configurations).toBe(2);
    expect(res.body.windows.some((w: { pairs: unknown[] }) => w.pairs.length > 0)).toBe(true);
  });

  it.each([
    [{ trading_bars: 100, step_bars: 50 }, 400, /step_bars must be >= trading_bars/],
    [{ bogus: 1 }, 400, /bogus|Unrecognized/i],
    [{ start_date: '2008-01-01', end_date: '2007-01-01' }, 400, /end_date must not be before start_date/],
    [{ symbols: ['NOPE1', 'NOPE2'] }, 400, /NOPE1, NOPE2 share 0 bars/],
    [{ symbols: ['SPI', 'BASI'], formation_bars: 5000 }, 400, /need at least formation bars \(5000\)/],
    [{ symbols: ['SPI', 'BASI'], sweep_grid: { entry: [1], exit: [2], stop_loss: [0.5] } }, 400, /no consistent combination/],
    [{}, 400, /share 0 bars in market_data/],
  ])('rejects %j (%d) with {error, details} and stores nothing', async (body, status, detail) => {
    const before = (await request(env.app).get(`${API}/walkforward/history`).expect(200)).body.length;
    const res = await request(env.app).post(`${API}/walkforward`).set(AUTH).send(body).expect(status);
    isError(res.body);
    expect(res.body.details.join('\n')).toMatch(detail);
    expect((await request(env.app).get(`${API}/walkforward/history`).expect(200)).body.length).toBe(before);
  });

  it('needs the token to run, and answers unknown runs with 404', async () => {
    isError((await request(env.app).post(`${API}/walkforward`).send({}).expect(401)).body);
    isError((await request(env.app).get(`${API}/walkforward/999999`).expect(404)).body);
    isError((await request(env.app).get(`${API}/walkforward/abc`).expect(400)).body);
    const doc = await request(env.app).get(`${API}/openapi.json`).expect(200);
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining([`${API}/walkforward`, `${API}/walkforward/history`, `${API}/walkforward/{run_id}`]),
    );
  });
});
