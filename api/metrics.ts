import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { tradesWithMarketDataIssues } from '../db/queries/trade-market-data';
import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import type { Db } from '../db/connection';
import { getStrategyMetricsRow } from '../db/queries/status-summary';
import { TRADING_STATES } from '../strategy/risk/limits';

/**
 * Metrics of the engine process itself. The cycle workflow's duration is observed by whoever runs the cycle
 * in this process (`cycleDurationSeconds.observe(...)`, e.g. the worker when `pairs up` runs worker and API
 * together); in a separate API process it stays empty and `pairs_last_cycle_age_seconds` (from the database)
 * is the signal to alert on.
 */
export const engineRegistry = new Registry();
export const cycleDurationSeconds = new Histogram({
  name: 'pairs_cycle_duration_seconds',
  help: 'Duration of one strategy cycle (spreads, signals, routing), seconds',
  labelNames: ['outcome'] as const,
  buckets: [0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300],
  registers: [engineRegistry],
});

export interface ApiMetrics {
  observeRequest(method: string, route: string, status: number, seconds: number): void;
  handler: RequestHandler;
}

/** A registry per app (tests build many apps): API latency, plus strategy figures read from the database at scrape time. */
export function createApiMetrics(db: Db, logger: Logger): ApiMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'pairs_api_' });
  const requestSeconds = new Histogram({
    name: 'pairs_api_request_duration_seconds',
    help: 'API request latency by route pattern, seconds',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
    registers: [registry],
  });
  const signals = new Counter({
    name: 'pairs_signals_total',
    help: 'Signals recorded in pair_signal, by type',
    labelNames: ['type'] as const,
    registers: [registry],
  });
  const orders = new Counter({
    name: 'pairs_orders_total',
    help: 'Orders submitted, derived from pair_trade: two per trade entry, two per trade exit',
    labelNames: ['phase'] as const,
    registers: [registry],
  });
  const trades = new Counter({
    name: 'pairs_trades_total',
    help: 'Trades in pair_trade, by current status',
    labelNames: ['status'] as const,
    registers: [registry],
  });
  const openTrades = new Gauge({
    name: 'pairs_open_trades',
    help: 'Trades holding positions (OPEN, CLOSING or NEEDS_ATTENTION)',
    registers: [registry],
  });
  const attentionTrades = new Gauge({
    name: 'pairs_trades_needing_attention',
    help: 'Trades whose exit or compensation could not complete yet (NEEDS_ATTENTION, still retrying until flat); alert when > 0',
    registers: [registry],
  });
  const marketDataIssues = new Gauge({
    name: 'pairs_trades_market_data_issue',
    help: 'Live trades whose market data cannot be trusted (stale bars, halted, delisted or inactive symbol); alert when > 0',
    registers: [registry],
  });
  const lastCycleAge = new Gauge({
    name: 'pairs_last_cycle_age_seconds',
    help: 'Seconds since strategy_state.last_update (the last completed cycle); -1 when none',
    registers: [registry],
  });
  const tradingState = new Gauge({
    name: 'pairs_trading_state',
    help: 'Trading state: 1 for the current one of ACTIVE, REDUCING, HALTED (REDUCING and HALTED take no entries); alert on HALTED',
    labelNames: ['state'] as const,
    registers: [registry],
  });
  const refusals = new Counter({
    name: 'pairs_entries_refused_total',
    help: 'Entry signals refused by a pre-trade risk rule, by rule',
    labelNames: ['rule'] as const,
    registers: [registry],
  });
  const equity = new Gauge({
    name: 'pairs_equity_dollars',
    help: 'Account equity at the latest cycle snapshot; -1 when none',
    registers: [registry],
  });
  const dbUp = new Gauge({ name: 'pairs_metrics_database_up', help: '1 when the database answered this scrape', registers: [registry] });

  async function refreshFromDatabase(): Promise<void> {
    try {
      const row = await getStrategyMetricsRow(db);
      signals.reset();
      for (const s of row.signals) signals.inc({ type: s.type }, s.count);
      trades.reset();
      for (const t of row.trades) trades.inc({ status: t.status }, t.count);
      orders.reset();
      orders.inc({ phase: 'entry' }, row.entry_orders);
      orders.inc({ phase: 'exit' }, row.exit_orders);
      openTrades.set(row.open_trades);
      attentionTrades.set(row.attention_trades);
      marketDataIssues.set((await tradesWithMarketDataIssues(db)).length);
      for (const state of TRADING_STATES) tradingState.set({ state }, row.trading_state === state ? 1 : 0);
      refusals.reset();
      for (const r of row.refusals) refusals.inc({ rule: r.rule }, r.count);
      equity.set(row.equity ?? -1);
      lastCycleAge.set(row.last_update ? (Date.now() - new Date(row.last_update).getTime()) / 1000 : -1);
      dbUp.set(1);
    } catch (err) {
      logger.warn({ err }, 'metrics: database read failed');
      dbUp.set(0);
    }
  }

  return {
    observeRequest(method, route, status, seconds) {
      requestSeconds.observe({ method, route, status: String(status) }, seconds);
    },
    handler: async (_req, res) => {
      await refreshFromDatabase();
      const merged = Registry.merge([registry, engineRegistry]);
      res.set('Content-Type', merged.contentType).send(await merged.metrics());
    },
  };
}
