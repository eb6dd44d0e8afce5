import type { TradeSide } from '../db/schema';

/** Plain-JSON shapes exchanged between the cycle workflow and its activities. */

export interface EntryRoute {
  pairId: number;
  symbol1: string;
  symbol2: string;
  side: TradeSide;
  signalId: number;
  z: number | null;
}

export interface ExitRoute {
  pairId: number;
  tradeId: number;
  workflowId: string;
  signalId: number;
  reason: 'EXIT' | 'STOP_LOSS' | 'EXPIRE';
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
