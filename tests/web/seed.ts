import type { Db } from '../../db/connection';
import { HOUR_MS } from '../../strategy/time-units';
import { NOT_CLOSED } from '../helpers/rows';

const BAR_COUNT = 1400;
export const SEEDED_PAIRS = [
  { symbol1: 'ARQX', symbol2: 'BLVN', correlation: 0.9123, hedge_ratio: 0.8731, half_life: 14.2, pvalue: 0.0031 },
  { symbol1: 'HALO', symbol2: 'IONQ', correlation: 0.8455, hedge_ratio: 1.1042, half_life: 22.8, pvalue: 0.0147 },
] as const;

export interface SeededData {
  pairIds: number[];
  openTradeId: number;
  runIds: number[];
  /** market_data of the first pair: hourly bars from BARS_START, enough for a backtest. */
  barsStart: Date;
  barsEnd: Date;
  lastBarMs: number;
}

/** Two registry pairs with 200 hourly spreads each, an open trade on the first, signals and two backtest runs. */
export async function seedMonitoringData(db: Db, now = Date.now()): Promise<SeededData> {
  const lastBarMs = Math.floor(now / HOUR_MS) * HOUR_MS;
  const pairIds: number[] = [];
  for (const [rank, p] of SEEDED_PAIRS.entries()) {
    const { id } = await db
      .insertInto('strategy_engine.pair_registry')
      .values({
        symbol1: p.symbol1,
        symbol2: p.symbol2,
        hedge_ratio: p.hedge_ratio,
        hedge_alpha: 0.01,
        half_life: p.half_life,
        cointegration_pvalue: p.pvalue,
        cointegration_stat: -4.2,
        correlation: p.correlation,
        score: 1 - rank / 10,
        rank: rank + 1,
        entry_threshold: null,
        exit_threshold: null,
        stop_loss_threshold: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    pairIds.push(id);
    const spreads = Array.from({ length: 200 }, (_, i) => {
      const z = 2.6 * Math.sin(i / (9 + rank * 4)) + 0.3 * Math.cos(i / 2.3);
      return {
        pair_id: id,
        ts: new Date(lastBarMs - (199 - i) * HOUR_MS),
        price1: 50 + i * 0.01,
        price2: 60 - i * 0.01,
        hedge_ratio: p.hedge_ratio,
        spread: 0.02 + z * 0.01,
        rolling_mean: 0.02,
        rolling_std: 0.01,
        z_score: z,
      };
    });
    await db.insertInto('strategy_engine.pair_spread').values(spreads).execute();
  }
  const entryTime = new Date(lastBarMs - 30 * HOUR_MS);
  const signal = await db
    .insertInto('strategy_engine.pair_signal')
    .values({
      pair_id: pairIds[0],
      ts: entryTime,
      type: 'LONG_SPREAD',
      z_score: -2.14,
      reason: 'z below -entry',
      inputs: '{}',
      trade_id: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const trade = await db
    .insertInto('strategy_engine.pair_trade')
    .values({
      pair_id: pairIds[0],
      entry_signal_id: signal.id,
      workflow_id: 'pair-trade-seeded-1',
      side: 'LONG_SPREAD',
      status: 'OPEN',
      entry_time: entryTime,
      entry_z_score: -2.14,
      qty1: 15,
      qty2: 14,
      entry_price1: 49.71,
      entry_price2: 60.29,
      ...NOT_CLOSED,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db.updateTable('strategy_engine.pair_signal').set({ trade_id: trade.id }).where('id', '=', signal.id).execute();

  const curve = Array.from({ length: 300 }, (_, i) => ({
    timestamp: lastBarMs - (299 - i) * HOUR_MS,
    equity: 100_000 + i * 15 + 400 * Math.sin(i / 17),
  }));
  const tradeLog = [
    {
      side: 'LONG_SPREAD',
      entry_time: curve[20].timestamp,
      exit_time: curve[41].timestamp,
      entry_z: -2.2,
      exit_z: -0.4,
      qty1: 20,
      qty2: 18,
      entry_price1: 50,
      entry_price2: 60,
      exit_price1: 51,
      exit_price2: 60.2,
      pnl: 180.5,
      hold_hours: 21,
      exit_reason: 'EXIT',
    },
    {
      side: 'SHORT_SPREAD',
      entry_time: curve[90].timestamp,
      exit_time: curve[97].timestamp,
      entry_z: 2.3,
      exit_z: 3.1,
      qty1: 20,
      qty2: 18,
      entry_price1: 52,
      entry_price2: 59,
      exit_price1: 53,
      exit_price2: 58.5,
      pnl: -42.25,
      hold_hours: 7,
      exit_reason: 'STOP_LOSS',
    },
  ];
  const runIds: number[] = [];
  for (const [i, passed] of [true, false].entries()) {
    const { id } = await db
      .insertInto('strategy_engine.backtest_run')
      .values({
        pair_id: pairIds[i],
        start_date: '2026-01-05',
        end_date: '2026-06-30',
        params: '{}',
        total_return: passed ? 0.042 : -0.013,
        annualized_return: passed ? 0.091 : -0.027,
        sharpe_ratio: passed ? 0.816 : 0.21,
        max_drawdown: passed ? 0.062 : 0.18,
        win_rate: passed ? 0.615 : 0.4,
        profit_factor: passed ? 1.31 : 0.8,
        total_trades: passed ? 26 : 10,
        avg_hold_time_hours: 11.4,
        kelly_fraction: passed ? 0.18 : null,
        passed_gate: passed,
        equity_curve: JSON.stringify(curve),
        trade_log: JSON.stringify(tradeLog),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    runIds.push(id);
  }
  // A closed trade on the second pair: the realized P&L behind /status total_pnl.
  await db
    .insertInto('strategy_engine.pair_trade')
    .values({
      pair_id: pairIds[1],
      entry_signal_id: null,
      workflow_id: 'pair-trade-seeded-closed',
      side: 'SHORT_SPREAD',
      status: 'CLOSED',
      entry_time: new Date(lastBarMs - 80 * HOUR_MS),
      entry_z_score: 2.3,
      qty1: 10,
      qty2: 12,
      entry_price1: 50,
      entry_price2: 60,
      exit_time: new Date(lastBarMs - 60 * HOUR_MS),
      exit_z_score: 0.3,
      exit_price1: 48,
      exit_price2: 60.2,
      exit_reason: 'EXIT',
      pnl: 142.5,
      hold_hours: 20,
      failure_reason: null,
    })
    .execute();

  // Hourly bars of the first pair: a random walk and a cointegrated partner (mean-reverting spread).
  const barsStart = new Date(Date.UTC(2026, 0, 1));
  const bars = [];
  let walk = Math.log(50);
  let spread = 0;
  let seed = 12345;
  const noise = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648 - 0.5;
  };
  for (let i = 0; i < BAR_COUNT; i++) {
    walk += 0.004 * noise();
    spread = 0.93 * spread + 0.01 * noise();
    const ts = new Date(barsStart.getTime() + i * HOUR_MS);
    const p1 = Math.exp(walk + spread);
    const p2 = Math.exp(0.2 + walk);
    for (const [symbol, close] of [
      [SEEDED_PAIRS[0].symbol1, p1],
      [SEEDED_PAIRS[0].symbol2, p2],
    ] as const) {
      bars.push({ symbol, ts, open: close, high: close, low: close, close, volume: 1000 });
    }
  }
  for (let k = 0; k < bars.length; k += 1000)
    await db
      .insertInto('strategy_engine.market_data')
      .values(bars.slice(k, k + 1000))
      .execute();

  await db
    .updateTable('strategy_engine.strategy_state')
    .set({ last_update: new Date(lastBarMs) })
    .where('id', '=', 1)
    .execute();
  return {
    pairIds,
    openTradeId: trade.id,
    runIds,
    lastBarMs,
    barsStart,
    barsEnd: new Date(barsStart.getTime() + (BAR_COUNT - 1) * HOUR_MS),
  };
}
