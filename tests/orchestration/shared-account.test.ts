import { sql } from 'kysely';
import type { Client } from '@temporalio/client';
import { getStatusRow } from '../../db/queries/status-summary';
import { listLanes } from '../../db/queries/symbol-lanes';
import type { TradeSide } from '../../db/schema';
import { queryTradeState, requestClose } from '../../temporal/pair-trade-client';
import { runCycleNow } from '../../temporal/run-cycle-now';
import { runEmergencyStop } from '../../temporal/run-emergency-stop';
import { TRADE_STATUS, type TradeTiming } from '../../workflows/contracts/pair-trade';
import { resumeTrading, seedPair, setRiskLimits, startHarness, startTestTrade, tradeWithStatus, waitFor, type Harness } from './helpers';

jest.setTimeout(240_000);

/** Short waits so flatten rounds, attention retries and patient polls take seconds, not minutes. */
const FAST: Partial<TradeTiming> = {
  fillWaitMs: 1_000,
  maxFillWaits: 2,
  flattenRetryPauseMs: 200,
  patientPauseMinMs: 200,
  patientPauseMaxMs: 1_000,
};

/**
 * Issue 10: every pair trades in one account that nets each symbol, with Alpaca's rules on in the simulator (wash
 * trades refused, no crossing flat in one order, no selling more than is held). After every settled step the
 * broker's net position in each symbol must equal the sum of the trades' filled legs in it.
 */
describe('one shared account: pairs that share symbols', () => {
  let h: Harness;
  let client: Client;
  /** Every trade workflow this file started: together they must explain every share the broker holds. */
  const workflows: string[] = [];

  beforeAll(async () => {
    h = await startHarness('shared-account');
    client = h.env.client;
    // Register every pair of the file and load their bars once (thresholds that can never signal).
    const pairs: Array<[string, string]> = [
      ['ARQX', 'BLVN'],
      ['CRDM', 'ARQX'],
      ['IONQ', 'JETT'],
      ['HALO', 'IONQ'],
      ['EFRA', 'FLNT'],
    ];
    for (const [symbol1, symbol2] of pairs) await seedPair(h.testDb.db, h.broker, { symbol1, symbol2, entry: 1000, stopLoss: 2000 });
    await runCycleNow(client, { taskQueue: h.taskQueue });
    // These scenarios open pairs that share a symbol on purpose: the risk limits that would refuse them are opened up.
    await setRiskLimits(h.testDb.db, {
      max_open_pairs: 50,
      max_pairs_per_symbol: 10,
      max_symbol_exposure_pct: 400,
      max_gross_exposure_pct: 400,
      buying_power_check: false,
      cooldown_after_failed_entry_hours: 0,
    });
  });

  afterAll(async () => {
    await h?.stop();
  });

  async function pairIdOf(symbol1: string, symbol2: string): Promise<number> {
    const row = await h.testDb.db
      .selectFrom('strategy_engine.pair_registry')
      .select('id')
      .where('symbol1', '=', symbol1)
      .where('symbol2', '=', symbol2)
      .executeTakeFirstOrThrow();
    return row.id;
  }

  /** The stored config (seeded by the first cycle) is what planEntry sizes with. */
  async function setPositionPct(pct: number): Promise<void> {
    await sql`UPDATE strategy_engine.strategy_config SET config = jsonb_set(config, '{position_pct}', to_jsonb(${pct}::float8))`.execute(h.testDb.db);
  }

  /** Opens a trade directly (as routing would) and waits for it to be OPEN. */
  async function open(symbol1: string, symbol2: string, side: TradeSide, pct: number) {
    const { db } = h.testDb;
    await setPositionPct(pct);
    const pairId = await pairIdOf(symbol1, symbol2);
    const trade = await startTestTrade(db, client, h.taskQueue, { pairId, symbol1, symbol2, side, timing: FAST });
    workflows.push(trade.workflow_id!);
    const row = await waitFor(`trade ${trade.id} OPEN`, () => tradeWithStatus(db, trade.id, ['OPEN']), 60_000);
    return { tradeId: row.id, workflowId: row.workflow_id!, qty1: row.qty1!, qty2: row.qty2! };
  }

  /** The broker's net per symbol equals the sum of every trade's filled legs (entry minus exit orders). */
  async function expectBrokerMatchesTrades(): Promise<Record<string, number>> {
    const expected: Record<string, number> = {};
    for (const workflowId of workflows) {
      const state = await queryTradeState(client, workflowId);
      for (const leg of [...state.entryLegs, ...state.exitLegs]) {
        expected[leg.symbol] = (expected[leg.symbol] ?? 0) + (leg.side === 'buy' ? leg.filledQty : -leg.filledQty);
      }
    }
    const actual: Record<string, number> = {};
    for (const p of await h.broker.getPositions()) actual[p.symbol] = p.qty;
    for (const symbol of new Set([...Object.keys(expected), ...Object.keys(actual)])) {
      expect({ symbol, qty: actual[symbol] ?? 0 }).toEqual({ symbol, qty: expected[symbol] ?? 0 });
    }
    return actual;
  }

  /** No order the engine sent was refused by the broker (netting, wash trade, insufficient quantity). */
  function expectNoRefusals(): void {
    const refused = h.sim.control.orders().filter((o) => o.status === 'rejected');
    expect(refused.map((o) => [o.client_order_id, o.side, o.qty, o.symbol].map(String).join(' '))).toEqual([]);
  }

  async function closeAndWait(trade: { tradeId: number; workflowId: string }) {
    const outcome = await requestClose(client, trade.workflowId, { requestedBy: 'test' });
    if (!outcome.done) await waitFor(`trade ${trade.tradeId} CLOSED`, () => tradeWithStatus(h.testDb.db, trade.tradeId, ['CLOSED']), 60_000);
    else expect(outcome.result.status).toBe('CLOSED');
  }

  it('opposite sides in one symbol: open both, close the larger (crossing flat), close the smaller', async () => {
    // A is long ARQX (3% of equity), B short ARQX (2%): the account nets them.
    const a = await open('ARQX', 'BLVN', 'LONG_SPREAD', 0.03);
    await expectBrokerMatchesTrades();
    const b = await open('CRDM', 'ARQX', 'LONG_SPREAD', 0.02);
    expect(a.qty1).toBeGreaterThan(b.qty2);
    expect((await expectBrokerMatchesTrades()).ARQX).toBe(a.qty1 - b.qty2);

    // Closing A sells more ARQX than the account holds: the exit goes out as "sell to flat", then "sell short".
    await closeAndWait(a);
    expect((await expectBrokerMatchesTrades()).ARQX).toBe(-b.qty2);
    const crossRest = await h.broker.getOrderByClientId(`${a.workflowId}-exit-leg1-x`);
    expect(crossRest).toMatchObject({ side: 'sell', qty: b.qty2, status: 'filled' });

    await closeAndWait(b);
    expect((await expectBrokerMatchesTrades()).ARQX ?? 0).toBe(0);
    expectNoRefusals();
    expect(await listLanes(h.testDb.db)).toEqual([]);
  });

  it('same side in one symbol: both long IONQ, closed one after the other', async () => {
    const c = await open('IONQ', 'JETT', 'LONG_SPREAD', 0.02);
    const d = await open('HALO', 'IONQ', 'SHORT_SPREAD', 0.02);
    expect((await expectBrokerMatchesTrades()).IONQ).toBe(c.qty1 + d.qty2);
    await closeAndWait(c);
    expect((await expectBrokerMatchesTrades()).IONQ).toBe(d.qty2);
    await closeAndWait(d);
    await expectBrokerMatchesTrades();
    expectNoRefusals();
  });

  it('an exit leg refused permanently: NEEDS_ATTENTION, visible, then flat and CLOSED once the fault is lifted', async () => {
    const e = await open('EFRA', 'FLNT', 'LONG_SPREAD', 0.02);
    h.sim.control.setFaults({ rejectSymbols: ['FLNT'] });
    try {
      const outcome = await requestClose(client, e.workflowId, { requestedBy: 'test' });
      expect(outcome.done).toBe(false);
      const row = await waitFor('trade NEEDS_ATTENTION', () => tradeWithStatus(h.testDb.db, e.tradeId, ['NEEDS_ATTENTION']), 60_000);
      expect(row.attention_reason).toMatch(/FLNT \d+ still short/);
      const status = await getStatusRow(h.testDb.db);
      expect(status.needs_attention).toEqual([expect.objectContaining({ trade_id: e.tradeId, reason: row.attention_reason })]);
      expect((await queryTradeState(client, e.workflowId)).status).toBe('NEEDS_ATTENTION');
      await waitFor('search attribute TradeStatus=NEEDS_ATTENTION', async () => {
        const described = await client.workflow.getHandle(e.workflowId).describe();
        return described.typedSearchAttributes.get(TRADE_STATUS) === 'NEEDS_ATTENTION';
      });
      // Settled while refused: EFRA is flat (its exit filled), FLNT still short, all of it explained by the trade.
      expect((await expectBrokerMatchesTrades()).FLNT).toBe(-e.qty2);
      // The close is accepted again on a trade needing attention (and answers at once with its state).
      expect((await requestClose(client, e.workflowId, { requestedBy: 'test' }, 500)).done).toBe(false);
    } finally {
      h.sim.control.setFaults({ rejectSymbols: [] });
    }
    const closed = await waitFor('trade CLOSED', () => tradeWithStatus(h.testDb.db, e.tradeId, ['CLOSED']), 60_000);
    expect(closed.pnl).not.toBeNull();
    expect((await expectBrokerMatchesTrades()).FLNT ?? 0).toBe(0);
  });

  it('emergency stop of two opposite pairs in one symbol, inside market hours, ends flat', async () => {
    const a = await open('ARQX', 'BLVN', 'LONG_SPREAD', 0.03);
    const b = await open('CRDM', 'ARQX', 'LONG_SPREAD', 0.02);
    expect((await expectBrokerMatchesTrades()).ARQX).toBe(a.qty1 - b.qty2);
    const result = await runEmergencyStop(client, { taskQueue: h.taskQueue, timeoutMs: 60_000 });
    expect(result.stillOpen).toEqual([]);
    for (const t of [a, b]) expect(await tradeWithStatus(h.testDb.db, t.tradeId, ['CLOSED'])).toBeDefined();
    const positions = await expectBrokerMatchesTrades();
    for (const symbol of ['ARQX', 'BLVN', 'CRDM']) expect(positions[symbol] ?? 0).toBe(0);
    await resumeTrading(h.testDb.db);
  });

  it('emergency stop outside market hours: orders wait for the open (in flight, not done), then the account is flat', async () => {
    const a = await open('ARQX', 'BLVN', 'LONG_SPREAD', 0.03);
    const b = await open('CRDM', 'ARQX', 'LONG_SPREAD', 0.02);
    await expectBrokerMatchesTrades();
    h.sim.control.updateClock({ set: '2026-11-18T22:00:00Z' }); // after the close
    const result = await runEmergencyStop(client, { taskQueue: h.taskQueue, timeoutMs: 3_000 });
    expect(result.stillOpen.sort()).toEqual([a.tradeId, b.tradeId].sort());
    // Nothing filled while closed: the broker still holds exactly what the trades' filled legs say.
    await expectBrokerMatchesTrades();
    h.sim.control.updateClock({ set: '2026-11-19T14:31:00Z' }); // the next open
    for (const t of [a, b]) await waitFor(`trade ${t.tradeId} CLOSED`, () => tradeWithStatus(h.testDb.db, t.tradeId, ['CLOSED']), 120_000);
    const positions = await expectBrokerMatchesTrades();
    for (const symbol of ['ARQX', 'BLVN', 'CRDM']) expect(positions[symbol] ?? 0).toBe(0);
    await resumeTrading(h.testDb.db);
  });

  it('an emergency stop sent while a cycle routes entries: no trade opens after it, the account ends flat', async () => {
    const { db } = h.testDb;
    h.sim.control.updateClock({ set: '2026-11-19T16:05:00Z' }); // 11:05 New York: open, bars fresh
    // Two pairs that signal an entry on any finite z.
    await db.updateTable('strategy_engine.pair_registry').set({ is_active: false }).execute();
    const ids = [await pairIdOf('IONQ', 'JETT'), await pairIdOf('HALO', 'IONQ')];
    await db.updateTable('strategy_engine.pair_registry').set({ is_active: true, entry_threshold: 0.000001 }).where('id', 'in', ids).execute();
    const cycle = runCycleNow(client, { taskQueue: h.taskQueue });
    await waitFor(
      'cycle routing',
      async () =>
        (await db
          .selectFrom('strategy_engine.pair_signal')
          .select('id')
          .where('pair_id', 'in', ids)
          .where('type', '<>', 'SKIPPED')
          .executeTakeFirst()) !== undefined,
      60_000,
    );
    const stop = await runEmergencyStop(client, { taskQueue: h.taskQueue, timeoutMs: 60_000 });
    const summary = await cycle;
    const trades = await db.selectFrom('strategy_engine.pair_trade').selectAll().where('pair_id', 'in', ids).execute();
    for (const t of trades) {
      if (t.workflow_id && !workflows.includes(t.workflow_id)) workflows.push(t.workflow_id);
    }
    await waitFor(
      'every trade of the race final',
      async () => {
        const rows = await db.selectFrom('strategy_engine.pair_trade').select('status').where('pair_id', 'in', ids).execute();
        return rows.every((r) => r.status === 'CLOSED' || r.status === 'FAILED');
      },
      120_000,
    );
    expect(stop.stillOpen).toEqual([]);
    expect((await db.selectFrom('strategy_engine.strategy_state').select('is_active').executeTakeFirstOrThrow()).is_active).toBe(false);
    // A trade the stop did not list never sent an order.
    const afterStop = await db
      .selectFrom('strategy_engine.pair_trade')
      .selectAll()
      .where('pair_id', 'in', ids)
      .where('status', '=', 'FAILED')
      .execute();
    for (const t of afterStop) {
      if (t.failure_reason?.includes('strategy is not active')) {
        expect(await h.broker.getOrderByClientId(`${t.workflow_id}-entry-leg1`)).toBeNull();
      }
    }
    expect(summary.pairsProcessed).toBe(2);
    const positions = await expectBrokerMatchesTrades();
    for (const symbol of ['IONQ', 'JETT', 'HALO']) expect(positions[symbol] ?? 0).toBe(0);
  });
});
