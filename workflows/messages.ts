import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';

/**
 * Messages of the pair-trade workflow, shared by the workflow, the cycle's routing activity, the API
 * and the CLI. Safe for the workflow bundle: only @temporalio/workflow and types.
 */
export type TradeSide = 'LONG_SPREAD' | 'SHORT_SPREAD';
export type TradeStatus = 'PENDING' | 'OPEN' | 'CLOSING' | 'CLOSED' | 'FAILED';
export type ExitReason = 'EXIT' | 'STOP_LOSS' | 'EXPIRE' | 'MANUAL' | 'EMERGENCY_STOP';

export interface LegState {
  leg: 1 | 2;
  symbol: string;
  side: 'buy' | 'sell';
  qty: number;
  filledQty: number;
  avgPrice: number | null;
  clientOrderId: string;
  status: string;
}

export interface TradeState {
  tradeId: number;
  pairId: number;
  pairName: string;
  side: TradeSide;
  status: TradeStatus;
  entryZ: number | null;
  entryLegs: LegState[];
  exitLegs: LegState[];
  openedAt: string | null;
  closedAt: string | null;
  exitReason: ExitReason | null;
  pnl: number | null;
  failureReason: string | null;
}

/** From the cycle: the pair's signal says close (EXIT, STOP_LOSS or EXPIRE). */
export interface ExitRequest {
  reason: 'EXIT' | 'STOP_LOSS' | 'EXPIRE';
  z: number | null;
  signalId: number | null;
}
export const exitSignal = defineSignal<[ExitRequest]>('exit');

/** Manual close through the API; answers once both legs are flat. */
export interface CloseRequest {
  requestedBy: string;
}
export interface CloseResult {
  tradeId: number;
  pairName: string;
  status: TradeStatus;
  pnl: number | null;
}
export const closeUpdate = defineUpdate<CloseResult, [CloseRequest]>('close');

/** Close now at market, whatever the z-score; recorded even while no worker runs. */
export const emergencyStopSignal = defineSignal<[{ reason: string }]>('emergencyStop');

export const stateQuery = defineQuery<TradeState>('state');
