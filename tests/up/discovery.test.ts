import { createAlpacaBroker } from '../../broker/alpaca-broker';
import { startSimulator, type SimulatorHandle } from '../../broker/simulator';
import { loadConfig } from '../../config/loader';
import { createDiscoveryActivities } from '../../activities/discovery';
import { registryIsFresh } from '../../db/queries/pairs';
import { pearson } from '../../strategy/spread';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { NOT_CLOSED, registryPair } from '../helpers/rows';

const CLUSTERS = [
  ['ARQX', 'BLVN', 'CRDM', 'DUNE'],
  ['EFRA', 'FLNT', 'GRVY'],
  ['HALO', 'IONQ', 'JETT', 'KRNL', 'LMNR'],
  ['MOSS', 'NOVA', 'OPAL', 'PRSM'],
];
const clusterOf = (symbol: string) => CLUSTERS.findIndex((c) => c.includes(symbol));

jest.setTimeout(120_000);

let database: TestDatabase;
let sim: SimulatorHandle;

beforeAll(async () => {
  database = await createTestDatabase('up_discovery');
  sim = await startSimulator({ seed: 7, startTime: '2026-06-03T17:30:00Z', paused: true });
});
afterAll(async () => {
  await sim?.stop();
  await database?.drop();
});

test('pearson correlation of prices', () => {
  expect(pearson([1, 2, 3, 4], [2, 4, 6, 8])).toBeCloseTo(1, 12);
  expect(pearson([1, 2, 3, 4], [8, 6, 4, 2])).toBeCloseTo(-1, 12);
  expect(pearson([1, 2, 3, 4, 5], [2, 1, 4, 3, 5])).toBeCloseTo(0.8, 12);
  expect(pearson([1, 1, 1], [1, 2, 3])).toBeNaN();
});

test('discovers cointegrated pairs from the simulator history and upserts them idempotently', async () => {
  const broker = createAlpacaBroker({ keyId: 'k', secret: 's', simulatorUrl: sim.url, timeoutMs: 60_000 });
  const { discovery } = await loadConfig();
  const symbols = sim.control.market.symbols.map((s) => s.symbol);
  expect(await registryIsFresh(database.db, 3_600_000)).toBe(false);

  const first = await createDiscoveryActivities({ db: database.db, broker }).discoverPairs({ symbols, settings: discovery });
  expect(first.symbolsScanned).toBe(symbols.length);
  expect(first.bars).toBe(discovery.lookback_bars);
  expect(first.pairsTested).toBe((symbols.length * (symbols.length - 1)) / 2);
  expect(first.pairs.length).toBeGreaterThan(3);
  expect(first.pairs.length).toBeLessThanOrEqual(discovery.top_n);
  // The simulator's cointegrated names live in clusters: most kept pairs pair two names of one cluster.
  const sameCluster = first.pairs.filter((p) => clusterOf(p.symbol1) >= 0 && clusterOf(p.symbol1) === clusterOf(p.symbol2));
  expect(sameCluster.length / first.pairs.length).toBeGreaterThanOrEqual(0.7);

  const rows = await database.db.selectFrom('strategy_engine.pair_registry').selectAll().orderBy('rank').execute();
  expect(rows.map((r) => r.id)).toEqual(first.pairs.map((p) => p.id));
  expect(rows.map((r) => r.rank)).toEqual(rows.map((_, k) => k + 1));
  for (const row of rows) {
    expect(row.is_active).toBe(true);
    expect(row.cointegration_pvalue).toBeLessThanOrEqual(discovery.max_pvalue);
    expect(row.half_life).toBeGreaterThanOrEqual(discovery.min_half_life);
    expect(row.half_life).toBeLessThanOrEqual(discovery.max_half_life);
    expect(Number.isFinite(row.hedge_ratio)).toBe(true);
    // config/pairs.yaml: min_correlation is the Pearson correlation of prices.
    expect(row.correlation).toBeGreaterThanOrEqual(discovery.min_correlation);
  }
  expect(await registryIsFresh(database.db, 3_600_000)).toBe(true);

  // The kept pairs' bars are in market_data (and only theirs).
  const keptSymbols = new Set(first.pairs.flatMap((p) => [p.symbol1, p.symbol2]));
  const stored = await database.db
    .selectFrom('strategy_engine.market_data')
    .select((eb) => ['symbol', eb.fn.countAll<number>().as('bars')])
    .groupBy('symbol')
    .execute();
  expect(new Set(stored.map((r) => r.symbol))).toEqual(keptSymbols);
  for (const row of stored) expect(Number(row.bars)).toBeGreaterThanOrEqual(discovery.lookback_bars);
  expect(first.barsStored).toBe(stored.reduce((sum, r) => sum + Number(r.bars), 0));

  // A stale extra pair without a live trade is deactivated; one with an open trade is kept active.
  const extra = await database.db
    .insertInto('strategy_engine.pair_registry')
    .values([
      registryPair({ symbol1: 'QUIL', symbol2: 'RAVN', correlation: 0.6, score: 0.1, rank: 99 }),
      registryPair({ symbol1: 'SLTE', symbol2: 'TKRA', correlation: 0.6, score: 0.1, rank: 98 }),
    ])
    .returning('id')
    .execute();
  await database.db
    .insertInto('strategy_engine.pair_trade')
    .values({
      pair_id: extra[1].id,
      entry_signal_id: null,
      workflow_id: 'wf-live',
      side: 'LONG_SPREAD',
      status: 'OPEN',
      entry_time: new Date(),
      entry_z_score: -2.1,
      qty1: 1,
      qty2: 1,
      entry_price1: 10,
      entry_price2: 10,
      ...NOT_CLOSED,
    })
    .execute();

  const second = await createDiscoveryActivities({ db: database.db, broker }).discoverPairs({ symbols, settings: discovery });
  expect(second.pairs.map((p) => p.id)).toEqual(first.pairs.map((p) => p.id));
  expect(second.deactivated).toBe(1);
  const after = await database.db.selectFrom('strategy_engine.pair_registry').select(['id', 'is_active']).execute();
  expect(after).toHaveLength(first.pairs.length + 2);
  expect(after.find((r) => r.id === extra[0].id)?.is_active).toBe(false);
  expect(after.find((r) => r.id === extra[1].id)?.is_active).toBe(true);
});
