import type { StrategyConfig } from '../../config/schema';
import type { ReconciliationReport } from '../../strategy/reconciliation';
import type { ExitSignalType, TradeSide } from '../../strategy/signals';
import type { TradeEntryStats } from '../../strategy/trade-entry-stats';
import { BROKER_ACTIVITY, CYCLE_STEP_ACTIVITY, DB_ACTIVITY } from './activity-options';

/**
 * The pairs-cycle workflow's contract: type name and ids, input and summary, the activities it calls with
 * their plain-JSON shapes, and their options.
 */
export { TASK_QUEUE } from './task-queue';
export type { ReconciliationReport, StrategyConfig };

/** Patch id of the cycle that reads the config once, as its first activity, and evaluates pairs in chunks. */
export const CYCLE_CONFIG_ONCE_PATCH = 'cycle-config-once';

/** Patch id of the cycle that snapshots equity and applies the account-wide risk limits (issue 12). */
export const RISK_CYCLE_PATCH = 'risk-cycle-assessment';

/** What the cycle's risk step found: the trading state after it, the account, and whether a limit tripped. */
export interface RiskReport {
  tradingState: 'ACTIVE' | 'REDUCING' | 'HALTED';
  reason: string;
  equity: number;
  dailyLossPct: number;
  drawdownPct: number;
  /** The rule that tripped HALTED in this cycle (DAILY_LOSS, DRAWDOWN), else null. */
  tripped: string | null;
  /** Live trades told to close because a tripped limit flattens (risk.flatten_on_halt). */
  flattened: number;
  /** "no edge: ..." when Kelly over its window refuses entries, else null. */
  noEdge: string | null;
}

/** Pairs per evaluatePairs activity: a 2,000-pair cycle is 8 activities run in parallel, on any worker. */
export const EVALUATION_CHUNK_PAIRS = 250;

/** How many evaluatePairs chunks a cycle over `activePairs` pairs runs. */
export function evaluationParts(activePairs: number): number {
  return Math.max(1, Math.ceil(activePairs / EVALUATION_CHUNK_PAIRS));
}

/** The config a cycle runs with, read once at its start; it shows in the cycle's Temporal history. */
export interface CycleConfig {
  config: StrategyConfig;
  /** Version of the stored config (strategy_engine.strategy_config). */
  version: number;
  /** Active pairs at the time, to size the evaluation chunks. */
  activePairs: number;
}

export const PAIRS_CYCLE_WORKFLOW = 'pairsCycleWorkflow';

/** Schedule-started cycles get the firing time appended by Temporal: `pairs-cycle-2026-03-28T14:00:00Z`. */
export const CYCLE_WORKFLOW_ID_PREFIX = 'pairs-cycle';

export function manualCycleWorkflowId(nowMs: number): string {
  return `${CYCLE_WORKFLOW_ID_PREFIX}-manual-${new Date(nowMs).toISOString()}`;
}

export interface PairsCycleInput {
  /** Skip the market-hours check (the spec's dry run; `pairs cycle`). Trades are still placed. */
  dryRun?: boolean;
}

export interface CycleSummary {
  workflowId: string;
  dryRun: boolean;
  /** Broker clock at the start of the cycle (ISO). */
  at: string;
  marketOpen: boolean;
  /** Why the cycle did nothing (market closed), else null. */
  skippedReason: string | null;
  pairsProcessed: number;
  barsUpserted: number;
  spreadsWritten: number;
  /** Signals stored by type, SKIPPED included. */
  signals: Record<string, number>;
  /** Pair-trade workflows started for entry signals. */
  tradesOpened: Array<{ pairId: number; tradeId: number; workflowId: string }>;
  /** Open trades told to close (exit, stop-loss, expiry); they close asynchronously. */
  tradesClosing: Array<{ pairId: number; tradeId: number; reason: string }>;
  /** Why entries were suppressed this cycle (reconciliation), else null. */
  entriesBlockedReason: string | null;
  /** `attention`: trades whose exit or compensation could not complete yet (absent when none). */
  reconciliation: { unexplained: string[]; missing: string[]; attention?: string[] };
  /** Version of the stored config the cycle ran with (absent in cycles started before it was read once). */
  configVersion?: number;
  /** evaluatePairs activities the evaluation was spread over. */
  evaluationParts?: number;
  /** Trading state, account and limits after the cycle's risk step (absent in cycles from before it). */
  risk?: RiskReport;
  /** Entry signals the pre-trade checks (or a live trade) kept from becoming trades, with the rule and why. */
  entriesRefused?: Array<{ pairId: number; reason: string }>;
}

/** The workflow function's type, for typed client calls without importing the workflow. */
export type PairsCycleWorkflow = (input?: PairsCycleInput) => Promise<CycleSummary>;

export interface EntryRoute {
  pairId: number;
  symbol1: string;
  symbol2: string;
  side: TradeSide;
  signalId: number;
  z: number | null;
  /** Statistics the trade enters with (stored on it); absent in histories from before they were kept. */
  entryStats?: TradeEntryStats | null;
}

export interface ExitRoute {
  pairId: number;
  tradeId: number;
  workflowId: string;
  signalId: number;
  reason: ExitSignalType;
  z: number | null;
}

export interface PairsEvaluation {
  pairsProcessed: number;
  /** Stored signals of this cycle by type (SKIPPED included). */
  signals: Record<string, number>;
  spreadsWritten: number;
  entries: EntryRoute[];
  exits: ExitRoute[];
}

export interface RoutingResult {
  opened: Array<{ pairId: number; tradeId: number; workflowId: string }>;
  /** Entries that did not become trades (the pair already had a live trade). */
  notOpened: Array<{ pairId: number; reason: string }>;
  exitsSignalled: Array<{ pairId: number; tradeId: number; reason: string }>;
  exitsFailed: Array<{ pairId: number; tradeId: number; error: string }>;
  /** PENDING trades of earlier cycles whose workflow was ensured running (idempotent start). */
  pendingEnsured: number[];
}

/** One evaluation chunk: the active pairs with `id % parts === part`. */
export interface EvaluationChunk {
  part: number;
  parts: number;
}

export interface PairsCycleActivities {
  /** The stored config (seeded from config/pairs.yaml on an empty database) and the active pair count. */
  loadCycleConfig(): Promise<CycleConfig>;
  readMarketClock(): Promise<{ isOpen: boolean; nowMs: number }>;
  /** Broker positions against live trades; unexplained positions block entries (fail closed). */
  reconcile(): Promise<ReconciliationReport>;
  /** One batched bars request for every symbol of the active pairs. */
  /** `config`: the cycle's (older histories read the stored one). */
  refreshMarketData(input: { nowMs: number; config?: StrategyConfig }): Promise<{ symbols: number; barsUpserted: number }>;
  /**
   * Spreads, z-scores and signals of every active pair (or of one chunk of them), persisted in multi-row
   * statements. `config`: the cycle's (older histories read the stored one).
   */
  evaluatePairs(input: {
    nowMs: number;
    entriesBlockedReason: string | null;
    config?: StrategyConfig;
    chunk?: EvaluationChunk;
  }): Promise<PairsEvaluation>;
  /**
   * Entries pass the pre-trade checks and start pair-trade workflows, exits signal them. `config`: the cycle's
   * (read once); histories from before it read the stored config here.
   */
  routeSignals(input: { entries: EntryRoute[]; exits: ExitRoute[]; config?: StrategyConfig }): Promise<RoutingResult>;
  /**
   * Snapshots the broker account (equity series, one row per cycle hour), applies the daily-loss and drawdown
   * limits (tripping HALTED, flattening if configured) and reports the trading state. `config`: the cycle's.
   */
  assessRisk(input: { nowMs: number; config?: StrategyConfig }): Promise<RiskReport>;
  /** `startedAtMs` is the workflow's own start time; older histories replay without it. */
  finishCycle(input: { nowMs: number; startedAtMs?: number }): Promise<void>;
}

export const PAIRS_CYCLE_ACTIVITY_OPTIONS = {
  config: DB_ACTIVITY,
  market: BROKER_ACTIVITY,
  reconciliation: BROKER_ACTIVITY,
  steps: CYCLE_STEP_ACTIVITY,
  state: DB_ACTIVITY,
  risk: BROKER_ACTIVITY,
} as const;
