/** What a backtest reports: metrics, trade log, equity curve. */
import type { ExitSignalType, TradeSide } from './signals';

/** Why a backtest trade closed: a signal, or END (positions still open at the end of the data are closed). */
export type BacktestExitReason = ExitSignalType | 'END';

export interface TradeLogEntry {
  side: TradeSide;
  /** Epoch ms of the entry / exit bar. */
  entry_time: number;
  exit_time: number;
  entry_z: number;
  /** null only if z was undefined on the bar an END close happened. */
  exit_z: number | null;
  qty1: number;
  qty2: number;
  /** Fill prices (close +/- slippage). */
  entry_price1: number;
  entry_price2: number;
  exit_price1: number;
  exit_price2: number;
  /** Both legs' P&L net of all four commissions. */
  pnl: number;
  hold_hours: number;
  exit_reason: BacktestExitReason;
}

/** The performance figures every backtest reports: a single pair's and the walk-forward portfolio's. */
export interface PerformanceMetrics {
  total_return: number;
  annualized_return: number | null;
  sharpe_ratio: number;
  /** Largest peak-to-trough fall of marked-to-market equity, as a fraction of the peak. */
  max_drawdown: number;
  win_rate: number;
  /** Gross profit / gross loss; null when there is no losing trade (ratio undefined). */
  profit_factor: number | null;
  total_trades: number;
  passed_gate: boolean;
}

export interface BacktestMetrics extends PerformanceMetrics {
  avg_hold_time_hours: number;
  /** Full Kelly fraction from this run's closed trades; null with no trades or no wins. */
  kelly_fraction: number | null;
}

/** POST /backtest response without run_id / pair_id (the API adds those). */
export interface BacktestResult extends BacktestMetrics {
  equity_curve: { timestamp: number; equity: number }[];
  trade_log: TradeLogEntry[];
}
