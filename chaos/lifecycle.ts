import type { Client } from '@temporalio/client';
import { tradePnl } from '../strategy/trade-math';
import type { SimulatorHandle } from '../broker/simulator';
import type { Db } from '../db/connection';
import type { TradeSide } from '../db/schema';
import { createPendingTrade } from '../db/queries/trades';
import { emergencyStopSignal, exitSignal } from '../workflows/contracts/pair-trade';
import type { PairTradeInput } from '../workflows/contracts/pair-trade';
import { pairTradeWorkflowId } from '../workflows/contracts/pair-trade';
import { startPairTradeWorkflow } from '../temporal/pair-trade-client';
import type { SeededPair } from './seed';

export interface LifecycleOutcome {
  workflowId: string;
  /** What the driver saw go wrong (timeouts, workflow failures); the audit decides what counts. */
  note: string | null;
  /** The workflow ended (completed or failed) within the deadline, so its pair is free again. */
  finished: boolean;
}

/** Longest the driver holds an open trade waiting for it to be in profit before exiting anyway. */
const MAX_HOLD_MS = 20_000;

/** Waits (briefly) until the open trade is in profit at the simulator's current prices, like a spread that has reverted. */
async function untilInProfit(input: { db: Db; sim: SimulatorHandle }, tradeId: number, deadline: number): Promise<void> {
  const row = await input.db
    .selectFrom('strategy_engine.pair_trade as t')
    .innerJoin('strategy_engine.pair_registry as p', 'p.id', 't.pair_id')
    .select(['t.side', 't.qty1', 't.qty2', 't.entry_price1', 't.entry_price2', 'p.symbol1', 'p.symbol2'])
    .where('t.id', '=', tradeId)
    .executeTakeFirstOrThrow();
  if (row.qty1 === null || row.qty2 === null || row.entry_price1 === null || row.entry_price2 === null) return;
  const market = input.sim.control.market;
  const until = Math.min(deadline, Date.now() + MAX_HOLD_MS);
  while (Date.now() < until) {
    const now = input.sim.control.clock().nowMs;
    const pnl = tradePnl({
      side: row.side,
      qty1: row.qty1,
      qty2: row.qty2,
      entry1: row.entry_price1,
      entry2: row.entry_price2,
      exit1: input.sim.control.book.priceAt(market.get(row.symbol1)!, now),
      exit2: input.sim.control.book.priceAt(market.get(row.symbol2)!, now),
    });
    if (pnl > 0) return;
    await sleep(250);
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * One trade the way the cycle routes it: an entry signal row, a PENDING trade keyed by it, a pair-trade
 * workflow started by id; once the database says OPEN the trade is told to exit (a cycle's EXIT signal, or now
 * and then an emergency stop), and the driver waits for the workflow to finish.
 */
export async function runLifecycle(input: {
  client: Client;
  db: Db;
  sim: SimulatorHandle;
  pair: SeededPair;
  side: TradeSide;
  index: number;
  deadlineMs: number;
  emergency: boolean;
}): Promise<LifecycleOutcome> {
  const { client, db, pair, side } = input;
  const signal = await db
    .insertInto('strategy_engine.pair_signal')
    .values({
      pair_id: pair.id,
      ts: new Date(Date.UTC(2030, 0, 1) + input.index * 60_000),
      type: side,
      z_score: side === 'LONG_SPREAD' ? -2.5 : 2.5,
      reason: `chaos lifecycle ${input.index}`,
      inputs: JSON.stringify({ chaos: true }),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const pending = await createPendingTrade(
    db,
    { pairId: pair.id, entrySignalId: signal.id, side, entryZ: side === 'LONG_SPREAD' ? -2.5 : 2.5 },
    pairTradeWorkflowId,
  );
  if (!pending.trade) throw new Error(`pair ${pair.id} still has a live trade: the driver reused a busy pair`);
  const trade = pending.trade;
  const workflowId = trade.workflow_id!;
  const args: PairTradeInput = {
    tradeId: trade.id,
    pairId: pair.id,
    symbol1: pair.symbol1,
    symbol2: pair.symbol2,
    side,
    entryZ: trade.entry_z_score,
  };
  await startPairTradeWorkflow(client, args);
  const handle = client.workflow.getHandle(workflowId);

  const deadline = Date.now() + input.deadlineMs;
  let status = trade.status;
  while (status === 'PENDING' && Date.now() < deadline) {
    await sleep(200);
    status = (await db.selectFrom('strategy_engine.pair_trade').select('status').where('id', '=', trade.id).executeTakeFirstOrThrow()).status;
  }
  if (status === 'PENDING') return { workflowId, note: `${workflowId} still PENDING after ${input.deadlineMs} ms`, finished: false };
  if (status === 'OPEN') {
    if (!input.emergency) await untilInProfit(input, trade.id, deadline);
    if (input.emergency) await handle.signal(emergencyStopSignal, { reason: 'chaos emergency stop' });
    else await handle.signal(exitSignal, { reason: 'EXIT', z: 0, signalId: null });
  }
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), Math.max(0, deadline - Date.now()));
  });
  try {
    const result = await Promise.race([handle.result().then(() => 'done' as const), timeout]);
    return result === 'timeout'
      ? { workflowId, note: `${workflowId} did not finish within ${input.deadlineMs} ms`, finished: false }
      : { workflowId, note: null, finished: true };
  } catch (err) {
    return { workflowId, note: `${workflowId} failed: ${(err as Error).message}`, finished: true };
  } finally {
    clearTimeout(timer);
  }
}
