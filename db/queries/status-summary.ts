import { sql } from 'kysely';
import type { Db } from '../connection';

/** Read queries behind GET /status and GET /performance: a fixed number of statements, whatever the pair count. */

export interface StatusRow {
  is_active: boolean;
  total_pairs: number;
  active_pairs: number;
  total_pnl: number;
  last_update: Date | null;
  needs_attention: Array<{ trade_id: number; pair_id: number; reason: string | null; since: string | null }>;
  /** What failed entries cost (their fills and compensation), as a positive number. */
  failed_entry_cost: number;
  trading_state: string;
  trading_state_reason: string;
  trading_state_since: Date;
}

export async function getStatusRow(db: Db): Promise<StatusRow> {
  const { rows } = await sql<StatusRow>`
    SELECT
      COALESCE((SELECT is_active FROM strategy_engine.strategy_state WHERE id = 1), false) AS is_active,
      (SELECT count(*)::int FROM strategy_engine.pair_registry WHERE is_active) AS total_pairs,
      (SELECT count(DISTINCT pair_id)::int FROM strategy_engine.pair_trade WHERE status IN ('OPEN', 'CLOSING', 'NEEDS_ATTENTION')) AS active_pairs,
      (SELECT COALESCE(sum(pnl), 0) FROM strategy_engine.pair_trade WHERE status = 'CLOSED' AND pnl IS NOT NULL) AS total_pnl,
      (SELECT last_update FROM strategy_engine.strategy_state WHERE id = 1) AS last_update,
      COALESCE((SELECT json_agg(json_build_object('trade_id', id, 'pair_id', pair_id, 'reason', attention_reason,
          'since', to_char(attention_since AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')) ORDER BY id)
        FROM strategy_engine.pair_trade WHERE status = 'NEEDS_ATTENTION'), '[]'::json) AS needs_attention,
      (SELECT COALESCE(sum(entry_cost), 0) FROM strategy_engine.pair_trade WHERE status = 'FAILED' AND entry_cost IS NOT NULL) AS failed_entry_cost,
      COALESCE((SELECT trading_state FROM strategy_engine.risk_state WHERE id = 1), 'HALTED') AS trading_state,
      COALESCE((SELECT reason FROM strategy_engine.risk_state WHERE id = 1), 'risk_state row missing') AS trading_state_reason,
      (SELECT changed_at FROM strategy_engine.risk_state WHERE id = 1) AS trading_state_since`.execute(db);
  return rows[0];
}

export interface ClosedTradeRow {
  pnl: number;
  hold_hours: number | null;
  exit_time: Date;
}

/** Every closed trade with a P&L, in exit order (ties by id). */
export async function listClosedTrades(db: Db): Promise<ClosedTradeRow[]> {
  return db
    .selectFrom('strategy_engine.pair_trade')
    .select(['pnl', 'hold_hours', 'exit_time'])
    .where('status', '=', 'CLOSED')
    .where('pnl', 'is not', null)
    .where('exit_time', 'is not', null)
    .orderBy('exit_time')
    .orderBy('id')
    .execute() as Promise<ClosedTradeRow[]>;
}

export interface StrategyMetricsRow {
  signals: { type: string; count: number }[];
  trades: { status: string; count: number }[];
  entry_orders: number;
  exit_orders: number;
  open_trades: number;
  attention_trades: number;
  last_update: Date | null;
  trading_state: string | null;
  refusals: { rule: string; count: number }[];
  equity: number | null;
}

/** Everything /metrics reads from the database at scrape time, in one statement. */
export async function getStrategyMetricsRow(db: Db): Promise<StrategyMetricsRow> {
  const { rows } = await sql<StrategyMetricsRow>`
    SELECT
      COALESCE((SELECT json_agg(json_build_object('type', type, 'count', n)) FROM
        (SELECT type, count(*)::int AS n FROM strategy_engine.pair_signal GROUP BY type) s), '[]'::json) AS signals,
      COALESCE((SELECT json_agg(json_build_object('status', status, 'count', n)) FROM
        (SELECT status, count(*)::int AS n FROM strategy_engine.pair_trade GROUP BY status) t), '[]'::json) AS trades,
      (SELECT 2 * count(*)::int FROM strategy_engine.pair_trade WHERE entry_time IS NOT NULL) AS entry_orders,
      (SELECT 2 * count(*)::int FROM strategy_engine.pair_trade WHERE exit_time IS NOT NULL) AS exit_orders,
      (SELECT count(*)::int FROM strategy_engine.pair_trade WHERE status IN ('OPEN', 'CLOSING', 'NEEDS_ATTENTION')) AS open_trades,
      (SELECT count(*)::int FROM strategy_engine.pair_trade WHERE status = 'NEEDS_ATTENTION') AS attention_trades,
      (SELECT last_update FROM strategy_engine.strategy_state WHERE id = 1) AS last_update,
      (SELECT trading_state FROM strategy_engine.risk_state WHERE id = 1) AS trading_state,
      COALESCE((SELECT json_agg(json_build_object('rule', risk_rule, 'count', n)) FROM
        (SELECT risk_rule, count(*)::int AS n FROM strategy_engine.pair_signal WHERE risk_rule IS NOT NULL GROUP BY risk_rule) r), '[]'::json) AS refusals,
      (SELECT equity FROM strategy_engine.equity_snapshot ORDER BY ts DESC LIMIT 1) AS equity`.execute(db);
  return rows[0];
}
