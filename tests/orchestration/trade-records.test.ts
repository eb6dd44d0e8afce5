import { insertSignals } from '../../db/queries/signals';
import { createPendingTrade, markTradeClosed, markTradeOpen } from '../../db/queries/trades';
import { pairTradeWorkflowId } from '../../workflows/contracts/pair-trade';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { registryPair } from '../helpers/rows';

describe('trade records (natural keys and idempotent transitions)', () => {
  let t: TestDatabase | undefined;
  let pairId: number;

  beforeAll(async () => {
    t = await createTestDatabase('trade_records');
    const row = await t.db
      .insertInto('strategy_engine.pair_registry')
      .values(registryPair({ symbol1: 'AAA', symbol2: 'BBB', entry_threshold: null, exit_threshold: null, stop_loss_threshold: null }))
      .returning('id')
      .executeTakeFirstOrThrow();
    pairId = row.id;
  });

  afterAll(async () => {
    await t?.drop();
  });

  const signalAt = async (iso: string, type: 'LONG_SPREAD' | 'SHORT_SPREAD' = 'LONG_SPREAD') =>
    (await insertSignals(t!.db, [{ pair_id: pairId, ts: new Date(iso), type, z_score: -2.5, reason: 'test', inputs: {} }]))[0];

  it('stores a signal once per (pair, ts, type) and returns the same id on a retry', async () => {
    const first = await signalAt('2026-03-02T15:00:00Z');
    const again = await signalAt('2026-03-02T15:00:00Z');
    expect(again.id).toBe(first.id);
    const count = await t!.db
      .selectFrom('strategy_engine.pair_signal')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(1);
  });

  it('creates one PENDING trade per entry signal, and none while the pair has a live trade', async () => {
    const signal = await signalAt('2026-03-02T15:00:00Z');
    const created = await createPendingTrade(t!.db, { pairId, entrySignalId: signal.id, side: 'LONG_SPREAD', entryZ: -2.5 }, pairTradeWorkflowId);
    expect(created.created).toBe(true);
    const trade = created.trade!;
    expect(trade.workflow_id).toBe(pairTradeWorkflowId(pairId, trade.id));
    const linked = await t!.db.selectFrom('strategy_engine.pair_signal').select('trade_id').where('id', '=', signal.id).executeTakeFirstOrThrow();
    expect(linked.trade_id).toBe(trade.id);

    const retry = await createPendingTrade(t!.db, { pairId, entrySignalId: signal.id, side: 'LONG_SPREAD', entryZ: -2.5 }, pairTradeWorkflowId);
    expect(retry).toEqual({ created: false, trade });

    const other = await signalAt('2026-03-02T16:00:00Z', 'SHORT_SPREAD');
    const blocked = await createPendingTrade(t!.db, { pairId, entrySignalId: other.id, side: 'SHORT_SPREAD', entryZ: 2.5 }, pairTradeWorkflowId);
    expect(blocked).toEqual({ created: false, trade: null, blockedBy: trade.id });
  });

  it('closes a trade once: a repeated close changes nothing and performance counts it once', async () => {
    const [trade] = await t!.db.selectFrom('strategy_engine.pair_trade').selectAll().execute();
    await markTradeOpen(t!.db, trade.id, { qty1: 10, qty2: 20, price1: 100, price2: 50, entryTime: new Date('2026-03-02T15:05:00Z') });
    const fill = { price1: 110, price2: 45, exitTime: new Date('2026-03-03T15:05:00Z'), exitZ: 0.1, exitReason: 'EXIT', pnl: 200, holdHours: 24 };
    const closed = await markTradeClosed(t!.db, trade.id, fill);
    expect(closed).toMatchObject({ status: 'CLOSED', pnl: 200, exit_price1: 110, hold_hours: 24 });
    const again = await markTradeClosed(t!.db, trade.id, { ...fill, pnl: 999 });
    expect(again.pnl).toBe(200);
    const perf = await t!.db.selectFrom('strategy_engine.pair_performance').selectAll().execute();
    expect(perf).toEqual([
      expect.objectContaining({ pair_id: pairId, date: '2026-03-03', realized_pnl: 200, cumulative_pnl: 200, trades_closed: 1, wins: 1, losses: 0 }),
    ]);
  });

  it("accumulates a pair's performance within a day and carries the cumulative P&L to later days", async () => {
    const closeTrade = async (signalIso: string, exitIso: string, pnl: number) => {
      const signal = await signalAt(signalIso);
      const { trade } = await createPendingTrade(t!.db, { pairId, entrySignalId: signal.id, side: 'LONG_SPREAD', entryZ: -2.5 }, pairTradeWorkflowId);
      await markTradeOpen(t!.db, trade!.id, { qty1: 1, qty2: 1, price1: 1, price2: 1, entryTime: new Date(signalIso) });
      await markTradeClosed(t!.db, trade!.id, {
        price1: 1,
        price2: 1,
        exitTime: new Date(exitIso),
        exitZ: null,
        exitReason: 'EXIT',
        pnl,
        holdHours: 1,
      });
    };
    await closeTrade('2026-03-03T16:00:00Z', '2026-03-03T17:00:00Z', -50);
    await closeTrade('2026-03-04T15:00:00Z', '2026-03-04T16:00:00Z', 30);
    const perf = await t!.db.selectFrom('strategy_engine.pair_performance').selectAll().orderBy('date').execute();
    expect(perf.map((p) => [p.date, p.realized_pnl, p.cumulative_pnl, p.trades_closed, p.wins, p.losses])).toEqual([
      ['2026-03-03', 150, 150, 2, 1, 1],
      ['2026-03-04', 30, 180, 1, 1, 0],
    ]);
  });
});
