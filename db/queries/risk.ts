import { sql } from 'kysely';
import type { Db } from '../connection';
import type { RiskStateRow } from '../schema';
import type { TradingState } from '../../strategy/risk/limits';
import { NOW } from './now';

export async function getRiskState(db: Db): Promise<RiskStateRow> {
  const row = await db.selectFrom('strategy_engine.risk_state').selectAll().where('id', '=', 1).executeTakeFirst();
  if (!row) throw new Error('risk_state row is missing (migrations not applied?)');
  return row;
}

export interface TradingStateChange {
  state: TradingState;
  reason: string;
  /** The rule that tripped it (DAILY_LOSS, DRAWDOWN) or null for an operator's change. */
  rule: string | null;
  changedBy: string;
  /** POST /start: daily-loss and drawdown references start again from the latest equity snapshot. */
  rebase?: boolean;
}

/**
 * Sets the trading state and strategy_state.is_active (true exactly when ACTIVE) in one transaction. With
 * `onlyFrom`, changes nothing unless the current state is one of those (an automatic trip never overrides a
 * HALTED already set); true when the row changed.
 */
export async function setTradingState(db: Db, change: TradingStateChange, onlyFrom?: TradingState[]): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    let q = trx
      .updateTable('strategy_engine.risk_state')
      .set({
        trading_state: change.state,
        reason: change.reason,
        rule: change.rule,
        changed_by: change.changedBy,
        changed_at: NOW,
        // Snapshot times are the broker's clock (simulated time under the simulator): re-base on the latest one.
        ...(change.rebase ? { baseline_reset_at: sql<Date>`COALESCE((SELECT max(ts) FROM strategy_engine.equity_snapshot), now())` } : {}),
      })
      .where('id', '=', 1);
    if (onlyFrom) q = q.where('trading_state', 'in', onlyFrom);
    const result = await q.executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) return false;
    await trx
      .updateTable('strategy_engine.strategy_state')
      .set({ is_active: change.state === 'ACTIVE', updated_at: NOW })
      .where('id', '=', 1)
      .execute();
    return true;
  });
}

/** The operator's way back from "no edge": Kelly counts only trades closed from now on (bootstrap until 20 have). */
export async function resetKelly(db: Db): Promise<Date> {
  const row = await db
    .updateTable('strategy_engine.risk_state')
    .set({ kelly_reset_at: NOW })
    .where('id', '=', 1)
    .returning('kelly_reset_at')
    .executeTakeFirstOrThrow();
  return row.kelly_reset_at!;
}

/** P&Ls of closed trades (oldest first) whose exit was recorded after `since` (all when null). */
export async function closedPnlsSince(db: Db, since: Date | null): Promise<number[]> {
  let q = db.selectFrom('strategy_engine.pair_trade').select('pnl').where('status', '=', 'CLOSED').where('pnl', 'is not', null);
  if (since) q = q.where(sql<boolean>`updated_at > ${since}`);
  const rows = await q.orderBy('exit_time').orderBy('id').execute();
  return rows.map((r) => r.pnl as number);
}

export interface EndedTradeRow {
  pair_id: number;
  status: string;
  exit_reason: string | null;
  ended_at: Date;
}

/**
 * Stop-outs and failed entries that may still hold a pair in cooldown: a STOP_LOSS exit (at its exit time, broker
 * clock) or a FAILED entry that sent orders (at its entry signal's bar time, broker clock; "no entry: ..." failures
 * never reached the broker and start no cooldown).
 */
export async function recentStopsAndFailures(db: Db, sinceMs: number): Promise<EndedTradeRow[]> {
  const since = new Date(sinceMs);
  const { rows } = await sql<EndedTradeRow>`
    SELECT t.pair_id, t.status, t.exit_reason, t.exit_time AS ended_at
    FROM strategy_engine.pair_trade t
    WHERE t.status = 'CLOSED' AND t.exit_reason = 'STOP_LOSS' AND t.exit_time >= ${since}
    UNION ALL
    SELECT t.pair_id, t.status, t.exit_reason, COALESCE(s.ts, t.updated_at) AS ended_at
    FROM strategy_engine.pair_trade t LEFT JOIN strategy_engine.pair_signal s ON s.id = t.entry_signal_id
    WHERE t.status = 'FAILED' AND COALESCE(t.failure_reason, '') NOT LIKE 'no entry:%' AND COALESCE(s.ts, t.updated_at) >= ${since}`.execute(db);
  return rows;
}

/** Records why an entry signal was refused, with the rule's numbers (idempotent: a retry writes the same). */
export async function recordSignalRefusal(db: Db, signalId: number, rule: string, detail: Record<string, unknown>): Promise<void> {
  await db
    .updateTable('strategy_engine.pair_signal')
    .set({ risk_rule: rule, risk_detail: sql`${JSON.stringify(detail)}::jsonb` })
    .where('id', '=', signalId)
    .execute();
}

export interface RefusalRow {
  signal_id: number;
  pair_id: number;
  ts: Date;
  type: string;
  risk_rule: string;
  risk_detail: Record<string, unknown>;
}

/** The latest refused entries, newest first. */
export async function listRefusals(db: Db, limit: number): Promise<RefusalRow[]> {
  return db
    .selectFrom('strategy_engine.pair_signal')
    .select(['id as signal_id', 'pair_id', 'ts', 'type', 'risk_rule', 'risk_detail'])
    .where('risk_rule', 'is not', null)
    .orderBy('id', 'desc')
    .limit(limit)
    .execute() as Promise<RefusalRow[]>;
}

/** What a FAILED entry cost (its fills and their compensation), positive for a loss. */
export async function setEntryCost(db: Db, tradeId: number, cost: number): Promise<void> {
  await db.updateTable('strategy_engine.pair_trade').set({ entry_cost: cost }).where('id', '=', tradeId).where('status', '=', 'FAILED').execute();
}
