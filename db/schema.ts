import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';
import type { BacktestMetrics, PerformanceMetrics } from '../strategy/backtest-result';
import type { ExitSignalType, TradeSide } from '../strategy/signals';
import type { TradeStatus } from '../strategy/trade-status';
import type { TradingState } from '../strategy/risk/limits';

export type { TradeSide, TradeStatus };

/** Types of the `strategy_engine` schema (see db/migrations). */

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type Json<T> = ColumnType<T, string, string>;
/** PostgreSQL `date` comes back as a YYYY-MM-DD string (see db/connection.ts type parsers). */
type DateOnly = ColumnType<string, string, string>;

/** The strategy's signals, and SKIPPED for a pair the cycle could not evaluate or enter. */
export type SignalType = TradeSide | ExitSignalType | 'SKIPPED';
export type StrategyMode = 'simulator' | 'paper';
export type PairStatus = 'ACTIVE' | 'RETIRED';

export interface PairRegistryTable {
  id: Generated<number>;
  symbol1: string;
  symbol2: string;
  hedge_ratio: number;
  hedge_alpha: number;
  half_life: number | null;
  cointegration_pvalue: number;
  cointegration_stat: number;
  correlation: number;
  score: number;
  rank: number | null;
  is_active: Generated<boolean>;
  /** Per-pair threshold overrides; null means the config file's value. */
  entry_threshold: number | null;
  exit_threshold: number | null;
  stop_loss_threshold: number | null;
  discovered_at: Generated<Timestamp>;
  updated_at: Generated<Timestamp>;
  /** ACTIVE, or RETIRED by a discovery run (with the reason and time); a retired pair is never traded again. */
  status: Generated<PairStatus>;
  retired_at: Generated<Timestamp | null>;
  retire_reason: Generated<string | null>;
  /** Set while a failed re-test waits for the pair's live trade to close before retiring it; no new entries. */
  retire_pending_reason: Generated<string | null>;
  last_tested_at: Generated<Timestamp | null>;
}

export interface PairSpreadTable {
  pair_id: number;
  ts: Timestamp;
  price1: number;
  price2: number;
  hedge_ratio: number;
  spread: number;
  rolling_mean: number | null;
  rolling_std: number | null;
  z_score: number | null;
  created_at: Generated<Timestamp>;
}

export interface PairSignalTable {
  id: Generated<number>;
  pair_id: number;
  ts: Timestamp;
  type: SignalType;
  z_score: number | null;
  reason: string;
  inputs: Json<Record<string, unknown>>;
  /** The trade this signal opened or closed, once routed. */
  trade_id: number | null;
  created_at: Generated<Timestamp>;
  /** The risk rule that refused this entry and its numbers (migration 006_risk). */
  risk_rule: Generated<string | null>;
  risk_detail: Generated<Record<string, unknown> | null>;
}

export interface PairTradeTable {
  id: Generated<number>;
  pair_id: number;
  entry_signal_id: number | null;
  workflow_id: string | null;
  side: TradeSide;
  status: TradeStatus;
  entry_time: Timestamp | null;
  entry_z_score: number | null;
  qty1: number | null;
  qty2: number | null;
  entry_price1: number | null;
  entry_price2: number | null;
  exit_time: Timestamp | null;
  exit_z_score: number | null;
  exit_price1: number | null;
  exit_price2: number | null;
  exit_reason: string | null;
  pnl: number | null;
  hold_hours: number | null;
  failure_reason: string | null;
  /** Why a NEEDS_ATTENTION trade could not finish its exit or compensation yet (migration 004_trade_attention). */
  attention_reason: string | null;
  attention_since: Timestamp | null;
  /** Statistics the trade entered with (migration 005_market_data_entry_stats); null on older trades. */
  entry_hedge_ratio: number | null;
  entry_half_life: number | null;
  entry_spread_mean: number | null;
  entry_spread_std: number | null;
  /** Why the trade's market data cannot be trusted now (stale bars, halted / inactive symbol); null when fine. */
  market_data_issue: string | null;
  market_data_issue_since: Timestamp | null;
  /** P&L of fractional shares a split paid out in cash (migration 005); added to the trade's P&L at close. */
  split_cash_pnl: Generated<number>;
  /** Realised cost of a FAILED entry: its fills and their compensation (migration 006_risk). */
  entry_cost: Generated<number | null>;
  created_at: Generated<Timestamp>;
  updated_at: Generated<Timestamp>;
}

/** One engine order in flight per symbol (migration 004_trade_attention; README "One account, one lane per symbol"). */
export interface SymbolOrderLaneTable {
  symbol: string;
  client_order_id: string;
  side: 'buy' | 'sell';
  qty: number;
  /** Defaults to now() on insert. */
  acquired_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface PairPerformanceTable {
  pair_id: number;
  date: DateOnly;
  realized_pnl: number;
  cumulative_pnl: number;
  trades_closed: number;
  wins: number;
  losses: number;
  updated_at: Generated<Timestamp>;
}

/** A backtest's metrics as columns; annualized_return is stored as Infinity where the result has null (overflow). */
type BacktestMetricColumns = Omit<BacktestMetrics, 'annualized_return'> & { annualized_return: number };

export interface BacktestRunTable extends BacktestMetricColumns {
  id: Generated<number>;
  pair_id: number;
  run_date: Generated<Timestamp>;
  start_date: DateOnly;
  end_date: DateOnly;
  params: Json<Record<string, unknown>>;
  equity_curve: Json<unknown[]>;
  trade_log: Json<unknown[]>;
}

/** A walk-forward run: the out-of-sample metrics as columns (annualized_return null where it overflowed). */
export interface WalkforwardRunTable extends PerformanceMetrics {
  id: Generated<number>;
  run_date: Generated<Timestamp>;
  /** Where the prices came from: 'market_data' (POST /walkforward). */
  source: string;
  /** The out-of-sample period: first and last trading bar. */
  start_time: Timestamp;
  end_time: Timestamp;
  symbols: Json<string[]>;
  params: Json<Record<string, unknown>>;
  window_count: number;
  deflated_sharpe: number | null;
  /** Probability of backtest overfitting; null when no sweep ran. */
  pbo: number | null;
  windows: Json<unknown[]>;
  statistics: Json<Record<string, unknown>>;
  equity_curve: Json<unknown[]>;
  drawdown_curve: Json<unknown[]>;
  trade_log: Json<unknown[]>;
}

export interface MarketDataTable {
  symbol: string;
  ts: Timestamp;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

export interface StrategyStateTable {
  id: Generated<number>;
  is_active: boolean;
  mode: StrategyMode;
  last_update: Timestamp | null;
  updated_at: Generated<Timestamp>;
}

/** The one stored strategy config (id 1), seeded from config/pairs.yaml; `version` counts its changes. */
export interface StrategyConfigTable {
  id: Generated<number>;
  config: Json<Record<string, unknown>>;
  version: number;
  source: string;
  updated_at: Generated<Timestamp>;
}

/** One change of the stored config: the fields that changed, before and after. */
export interface ConfigChangeTable {
  version: number;
  changed_at: Generated<Timestamp>;
  source: string;
  old_values: Json<Record<string, unknown>>;
  new_values: Json<Record<string, unknown>>;
}

/** A split seen by the engine (migration 005): its symbol's stored bars were re-read adjusted. */
export interface CorporateActionTable {
  symbol: string;
  ex_date: DateOnly;
  kind: 'split' | 'reverse_split';
  old_rate: number;
  new_rate: number;
  recorded_at: Generated<Timestamp>;
}

/** A split applied to a live trade's recorded quantities and prices (migration 005). */
export interface TradeCorporateActionTable {
  trade_id: number;
  symbol: string;
  ex_date: DateOnly;
  ratio: number;
  applied_at: Generated<Timestamp>;
}

/** The trading state (one row; migration 006_risk). */
export interface RiskStateTable {
  id: Generated<number>;
  trading_state: TradingState;
  reason: string;
  rule: string | null;
  changed_by: string;
  changed_at: Generated<Timestamp>;
  /** POST /start: daily-loss and drawdown references count equity snapshots from here on. */
  baseline_reset_at: Timestamp | null;
  /** POST /risk/kelly-reset: Kelly counts trades closed from here on (bootstrap sizing until 20 have). */
  kelly_reset_at: Timestamp | null;
}

/** The broker account at one cycle hour (natural key `ts`). */
export interface EquitySnapshotTable {
  ts: Timestamp;
  equity: number;
  cash: number;
  buying_power: number;
  gross_exposure: number;
  realized_pnl: number;
  unrealized_pnl: number;
  taken_at: Generated<Timestamp>;
}

export interface Database {
  'strategy_engine.corporate_action': CorporateActionTable;
  'strategy_engine.trade_corporate_action': TradeCorporateActionTable;
  'strategy_engine.risk_state': RiskStateTable;
  'strategy_engine.equity_snapshot': EquitySnapshotTable;
  'strategy_engine.pair_registry': PairRegistryTable;
  'strategy_engine.pair_spread': PairSpreadTable;
  'strategy_engine.pair_signal': PairSignalTable;
  'strategy_engine.pair_trade': PairTradeTable;
  'strategy_engine.symbol_order_lane': SymbolOrderLaneTable;
  'strategy_engine.pair_performance': PairPerformanceTable;
  'strategy_engine.backtest_run': BacktestRunTable;
  'strategy_engine.walkforward_run': WalkforwardRunTable;
  'strategy_engine.market_data': MarketDataTable;
  'strategy_engine.strategy_state': StrategyStateTable;
  'strategy_engine.strategy_config': StrategyConfigTable;
  'strategy_engine.config_change': ConfigChangeTable;
}

export type PairRow = Selectable<PairRegistryTable>;
export type NewPair = Insertable<PairRegistryTable>;
export type PairUpdate = Updateable<PairRegistryTable>;
export type SpreadRow = Selectable<PairSpreadTable>;
export type SignalRow = Selectable<PairSignalTable>;
export type TradeRow = Selectable<PairTradeTable>;
export type PerformanceRow = Selectable<PairPerformanceTable>;
export type BacktestRunRow = Selectable<BacktestRunTable>;
export type WalkforwardRunRow = Selectable<WalkforwardRunTable>;
export type MarketBarRow = Selectable<MarketDataTable>;
export type StrategyStateRow = Selectable<StrategyStateTable>;
export type ConfigChangeRow = Selectable<ConfigChangeTable>;
export type RiskStateRow = Selectable<RiskStateTable>;
export type EquitySnapshotRow = Selectable<EquitySnapshotTable>;
