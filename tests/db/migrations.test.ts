import { sql } from 'kysely';
import { migrateToLatest } from '../../db/migrate';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { NOT_CLOSED, registryPair } from '../helpers/rows';

const TABLES = [
  'backtest_run',
  'config_change',
  'corporate_action',
  'equity_snapshot',
  'market_data',
  'pair_performance',
  'pair_registry',
  'pair_signal',
  'pair_spread',
  'pair_trade',
  'risk_state',
  'strategy_config',
  'strategy_state',
  'symbol_order_lane',
  'trade_corporate_action',
  'walkforward_run',
];

async function schemaSnapshot(t: TestDatabase): Promise<string> {
  const columns = await sql<{ d: string }>`
    SELECT table_name || '.' || column_name || ':' || data_type || ':' || is_nullable AS d
    FROM information_schema.columns WHERE table_schema = 'strategy_engine' ORDER BY 1`.execute(t.db);
  const constraints = await sql<{ d: string }>`
    SELECT conrelid::regclass::text || ':' || conname || ':' || pg_get_constraintdef(oid) AS d
    FROM pg_constraint WHERE connamespace = 'strategy_engine'::regnamespace ORDER BY 1`.execute(t.db);
  const indexes = await sql<{ d: string }>`
    SELECT indexdef AS d FROM pg_indexes WHERE schemaname = 'strategy_engine' ORDER BY 1`.execute(t.db);
  return JSON.stringify([columns.rows, constraints.rows, indexes.rows]);
}

describe('migrations on a fresh database', () => {
  let t: TestDatabase;

  beforeAll(async () => {
    t = await createTestDatabase('migrations', { migrate: false });
  });
  afterAll(async () => {
    await t?.drop();
  });

  it('creates all the tables, then a second run changes nothing', async () => {
    const applied = await migrateToLatest(t.db);
    expect(applied).toEqual([
      '001_initial_schema',
      '002_walkforward_runs',
      '003_config_and_registry_status',
      '004_trade_attention',
      '005_market_data_entry_stats',
      '006_risk',
    ]);

    const tables = await sql<{ table_name: string }>`
      SELECT table_name FROM information_schema.tables
      WHERE table_schema = 'strategy_engine' AND table_name NOT LIKE 'kysely_%' ORDER BY table_name`.execute(t.db);
    expect(tables.rows.map((r) => r.table_name)).toEqual(TABLES);

    const before = await schemaSnapshot(t);
    expect(await migrateToLatest(t.db)).toEqual([]);
    expect(await schemaSnapshot(t)).toBe(before);
  });

  it('enforces the keys and constraints that make retried writes idempotent', async () => {
    const db = t.db;
    const pair = await db
      .insertInto('strategy_engine.pair_registry')
      .values(
        registryPair({
          symbol1: 'AAA',
          symbol2: 'BBB',
          hedge_ratio: 0.9,
          hedge_alpha: 0.1,
          half_life: 12,
          cointegration_stat: -4.1,
          entry_threshold: null,
          exit_threshold: null,
          stop_loss_threshold: null,
        }),
      )
      .returning('id')
      .executeTakeFirstOrThrow();

    const spread = {
      pair_id: pair.id,
      ts: '2026-03-02T15:00:00Z',
      price1: 10,
      price2: 11,
      hedge_ratio: 0.9,
      spread: 0.1,
      rolling_mean: null,
      rolling_std: null,
      z_score: null,
    };
    await db.insertInto('strategy_engine.pair_spread').values(spread).execute();
    await expect(db.insertInto('strategy_engine.pair_spread').values(spread).execute()).rejects.toThrow(/pair_spread_pkey/);

    const signal = {
      pair_id: pair.id,
      ts: '2026-03-02T15:00:00Z',
      type: 'LONG_SPREAD' as const,
      z_score: -2.2,
      reason: 'z below -entry',
      inputs: JSON.stringify({ z: -2.2 }),
      trade_id: null,
    };
    await db.insertInto('strategy_engine.pair_signal').values(signal).execute();
    await expect(db.insertInto('strategy_engine.pair_signal').values(signal).execute()).rejects.toThrow(/pair_signal_pair_ts_type_key/);
    await expect(
      db
        .insertInto('strategy_engine.pair_signal')
        .values({ ...signal, type: 'BUY' as never })
        .execute(),
    ).rejects.toThrow(/pair_signal_type_check/);

    const trade = {
      pair_id: pair.id,
      entry_signal_id: null,
      workflow_id: null,
      side: 'LONG_SPREAD' as const,
      status: 'OPEN' as const,
      entry_time: null,
      entry_z_score: null,
      qty1: 1,
      qty2: 1,
      entry_price1: null,
      entry_price2: null,
      ...NOT_CLOSED,
    };
    await db.insertInto('strategy_engine.pair_trade').values(trade).execute();
    await expect(
      db
        .insertInto('strategy_engine.pair_trade')
        .values({ ...trade, status: 'PENDING' })
        .execute(),
    ).rejects.toThrow(/pair_trade_one_live_per_pair/);
    await db
      .insertInto('strategy_engine.pair_trade')
      .values({ ...trade, status: 'CLOSED' })
      .execute();
    await expect(
      db
        .insertInto('strategy_engine.pair_trade')
        .values({ ...trade, status: 'DONE' as never })
        .execute(),
    ).rejects.toThrow(/pair_trade_status_check/);
    await expect(
      db
        .insertInto('strategy_engine.pair_trade')
        .values({ ...trade, side: 'FLAT' as never, status: 'CLOSED' })
        .execute(),
    ).rejects.toThrow(/pair_trade_side_check/);

    await expect(
      db
        .insertInto('strategy_engine.pair_spread')
        .values({ ...spread, pair_id: 999_999 })
        .execute(),
    ).rejects.toThrow(/foreign key/);

    const bar = { symbol: 'AAA', ts: '2026-03-02T15:00:00Z', open: 1, high: 1, low: 1, close: 1, volume: 10 };
    await db.insertInto('strategy_engine.market_data').values(bar).execute();
    await expect(db.insertInto('strategy_engine.market_data').values(bar).execute()).rejects.toThrow(/market_data_pkey/);

    const state = await db.selectFrom('strategy_engine.strategy_state').selectAll().execute();
    expect(state).toHaveLength(1);
    expect(state[0]).toMatchObject({ id: 1, is_active: true, mode: 'simulator' });
    await expect(db.insertInto('strategy_engine.strategy_state').values({ id: 2, is_active: true, mode: 'paper' }).execute()).rejects.toThrow(
      /strategy_state_singleton/,
    );
  });
});
