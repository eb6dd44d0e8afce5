import type { Broker } from '../broker/types';
import type { StrategyConfig } from '../config/schema';
import type { Db } from '../db/connection';
import { closedPnlsSince, getRiskState, recentStopsAndFailures } from '../db/queries/risk';
import { listLiveTrades } from '../db/queries/trades';
import { cooldowns } from '../strategy/risk/cooldown';
import { kellyEdge, type KellyEdge } from '../strategy/risk/kelly-edge';
import { checkEntry, legExposure, type EntryProposal, type RiskSnapshot, type RiskVerdict } from '../strategy/risk/pre-trade';
import { HOUR_MS } from '../strategy/time-units';
import { sizeLegs, type SizingResult } from '../strategy/sizing';
import type { TradeSide } from '../strategy/signals';
import { brokerCall } from './broker-errors';

export interface LiveRiskView {
  snapshot: RiskSnapshot;
  kelly: KellyEdge;
}

/**
 * The live numbers every pre-trade check runs on: the broker's equity, buying power and positions (now), the
 * live trades, cooldowns and trading state from the database, and Kelly over its window since the last reset.
 */
export async function loadRiskView(db: Db, broker: Broker, config: StrategyConfig, nowMs: number): Promise<LiveRiskView> {
  const limits = config.risk;
  const longestCooldownMs = Math.max(limits.cooldown_after_stop_loss_hours, limits.cooldown_after_failed_entry_hours) * HOUR_MS;
  const [account, positions, live, state, ended] = await Promise.all([
    brokerCall(() => broker.getAccount()),
    brokerCall(() => broker.getPositions()),
    listLiveTrades(db),
    getRiskState(db),
    recentStopsAndFailures(db, nowMs - longestCooldownMs),
  ]);
  const kelly = kellyEdge(limits, await closedPnlsSince(db, state.kelly_reset_at));
  const byValue: Record<string, number> = {};
  for (const p of positions) byValue[p.symbol] = (byValue[p.symbol] ?? 0) + p.marketValue;
  return {
    kelly,
    snapshot: {
      tradingState: state.trading_state,
      equity: account.equity,
      buyingPower: account.buyingPower,
      positions: byValue,
      liveTrades: live.map((t) => ({ pairId: t.pair_id, symbol1: t.symbol1, symbol2: t.symbol2 })),
      pendingExposure: {},
      cooldowns: cooldowns(
        limits,
        ended.map((e) => ({ pair_id: e.pair_id, status: e.status, exit_reason: e.exit_reason, endedAtMs: new Date(e.ended_at).getTime() })),
      ),
      noEdge: kelly.refusal ? { reason: kelly.refusal } : null,
      nowMs,
    },
  };
}

export interface EntryAssessment {
  verdict: RiskVerdict;
  sizing: SizingResult;
  proposal: EntryProposal | null;
}

/** Sizes an entry as planEntry would (half-Kelly over the window, or bootstrap) and runs the pre-trade checks on it. */
export function assessEntry(
  view: LiveRiskView,
  config: StrategyConfig,
  entry: { pairId: number; symbol1: string; symbol2: string; side: TradeSide; price1: number; price2: number },
): EntryAssessment {
  const sizing = sizeLegs({
    equity: view.snapshot.equity,
    price1: entry.price1,
    price2: entry.price2,
    closed: view.kelly.sizingStats,
    bootstrapPct: config.position_pct,
  });
  // No edge refuses before sizing can say the same thing less clearly.
  const notional = sizing.ok ? { notional1: sizing.qty1 * entry.price1, notional2: sizing.qty2 * entry.price2 } : { notional1: 0, notional2: 0 };
  const proposal: EntryProposal = { pairId: entry.pairId, symbol1: entry.symbol1, symbol2: entry.symbol2, side: entry.side, ...notional };
  const verdict = checkEntry(config.risk, view.snapshot, proposal);
  return { verdict, sizing, proposal: sizing.ok ? proposal : null };
}

/** Counts an approved entry in the view, so the next entry of the same batch sees it. */
export function addPendingEntry(view: LiveRiskView, proposal: EntryProposal): void {
  view.snapshot.liveTrades.push({ pairId: proposal.pairId, symbol1: proposal.symbol1, symbol2: proposal.symbol2 });
  for (const [symbol, v] of Object.entries(legExposure(proposal))) {
    view.snapshot.pendingExposure[symbol] = (view.snapshot.pendingExposure[symbol] ?? 0) + v;
  }
}
