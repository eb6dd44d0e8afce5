import { HOUR_MS } from '../time-units';
import type { RiskLimits } from './limits';

/** A pair's recent ended trade, as cooldowns read it. */
export interface EndedTrade {
  pair_id: number;
  status: string;
  exit_reason: string | null;
  /** When it ended: exit time of a closed trade, last update of a failed one. */
  endedAtMs: number;
}

/**
 * freqtrade's CooldownPeriod and StoplossGuard for one pair: no new entry within `cooldown_after_stop_loss_hours`
 * of a STOP_LOSS exit, nor within `cooldown_after_failed_entry_hours` of a failed entry. The latest end wins.
 */
export function cooldowns(limits: RiskLimits, trades: EndedTrade[]): Record<number, { untilMs: number; reason: string }> {
  const out: Record<number, { untilMs: number; reason: string }> = {};
  for (const t of trades) {
    let hours = 0;
    let reason = '';
    if (t.status === 'CLOSED' && t.exit_reason === 'STOP_LOSS') {
      hours = limits.cooldown_after_stop_loss_hours;
      reason = `stopped out at ${new Date(t.endedAtMs).toISOString()}, cooldown_after_stop_loss_hours ${hours}`;
    } else if (t.status === 'FAILED') {
      hours = limits.cooldown_after_failed_entry_hours;
      reason = `entry failed at ${new Date(t.endedAtMs).toISOString()}, cooldown_after_failed_entry_hours ${hours}`;
    }
    if (hours <= 0) continue;
    const untilMs = t.endedAtMs + hours * HOUR_MS;
    if (!out[t.pair_id] || out[t.pair_id].untilMs < untilMs) out[t.pair_id] = { untilMs, reason };
  }
  return out;
}
