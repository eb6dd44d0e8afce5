import express from 'express';
import helmet from 'helmet';
import pino, { type Logger } from 'pino';
import type { Client } from '@temporalio/client';
import type { Db } from '../db/connection';
import type { Broker } from '../broker/types';
import { createWebRouter } from '../web/router';
import { requireBearerToken } from './auth';
import { ConfigSource } from './config-source';
import type { ApiContext } from './context';
import { errorHandler, notFoundHandler } from './errors';
import { createMarketClock } from './market-clock';
import { createApiMetrics } from './metrics';
import { buildOpenApiDocument } from './openapi';
import { DEFAULT_STARTING_EQUITY } from './performance';
import { backtestRouter } from './routes/backtest';
import { walkforwardRouter } from './routes/walkforward';
import { configRouter } from './routes/config';
import { controlRouter } from './routes/control';
import { discoveryRouter } from './routes/discovery';
import { jsonBody, mountRoutes } from './routes/define';
import { opsRouter } from './routes/ops';
import { overviewRouter } from './routes/overview';
import { pairsRouter } from './routes/pairs';
import { riskRouter } from './routes/risk';
import { ReadCache } from './read-cache';
import { createStrategyControl, type StrategyControl } from './strategy-control';

/** GET bodies are reused this long: the data changes once a cycle, and a busy dashboard costs one query a second. */
export const DEFAULT_READ_CACHE_MS = 1000;

export const API_BASE_PATH = '/api/strategies/pairs';
export const BODY_LIMIT = '16kb';

/** Logger options for the API: the Authorization header (the API token) is never written. */
export const LOGGER_REDACT_PATHS = [
  'req.headers.authorization',
  'headers.authorization',
  'authorization',
  '*.authorization',
  'apiToken',
  '*.apiToken',
];

export function createApiLogger(level: string = process.env.LOG_LEVEL ?? 'info', destination?: pino.DestinationStream): Logger {
  const options = { name: 'pairs-api', level, redact: { paths: LOGGER_REDACT_PATHS, censor: '[redacted]' } };
  return destination ? pino(options, destination) : pino(options);
}

export interface AppDeps {
  db: Db;
  temporal: { client: Client; taskQueue: string };
  broker: Broker;
  configPath: string;
  /** PAIRS_API_TOKEN; without one every POST answers 401. */
  apiToken: string | undefined;
  logger?: Logger;
  /** Base of /performance max_drawdown (percent); default 100000 (PAIRS_STARTING_EQUITY in the CLI). */
  startingEquity?: number;
  /** Replaces the Temporal adapter (tests of failure paths). */
  control?: StrategyControl;
  liveQueryTimeoutMs?: number;
  /** How long a GET body is reused (ms); 0 only coalesces concurrent requests. Default 1000. */
  readCacheMs?: number;
}

/** The pairs API (the spec's endpoints under /api/strategies/pairs), ops endpoints and the web pages. */
export function createApp(deps: AppDeps): express.Express {
  const logger = deps.logger ?? createApiLogger();
  const ctx: ApiContext = {
    db: deps.db,
    config: new ConfigSource(deps.db, deps.configPath),
    control: deps.control ?? createStrategyControl(deps.temporal.client, deps.temporal.taskQueue),
    logger,
    startingEquity: deps.startingEquity ?? DEFAULT_STARTING_EQUITY,
    liveQueryTimeoutMs: deps.liveQueryTimeoutMs ?? 1500,
    marketNow: createMarketClock(deps.broker),
    reads: new ReadCache<string>(deps.readCacheMs ?? DEFAULT_READ_CACHE_MS),
  };
  const metrics = createApiMetrics(deps.db, logger);
  // Every write clears the read cache twice: as it starts (no read begun after it shares an older result)
  // and as its response goes out (nothing cached while it ran survives it).
  const invalidateReads: express.RequestHandler = (_req, res, next) => {
    ctx.reads.invalidate();
    res.once('finish', () => ctx.reads.invalidate());
    next();
  };
  const writeGuard = [requireBearerToken(deps.apiToken), invalidateReads, ...jsonBody(BODY_LIMIT)];

  const app = express();
  app.disable('x-powered-by');
  // Polled JSON: hashing every body for an ETag costs more than the rare 304 saves.
  app.set('etag', false);
  app.set('query parser', 'simple');
  app.use(helmet());
  app.use((req, res, next) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const route = typeof res.locals.route === 'string' ? res.locals.route : 'unmatched';
      metrics.observeRequest(req.method, route, res.statusCode, seconds);
      logger.debug({ method: req.method, route, status: res.statusCode, ms: Math.round(seconds * 1e4) / 10 }, 'request');
    });
    next();
  });

  app.use(opsRouter(ctx, { client: deps.temporal.client, broker: deps.broker }, metrics));

  const api = express.Router();
  let openApiDocument: unknown;
  mountRoutes(api, API_BASE_PATH, [
    {
      method: 'get',
      path: '/openapi.json',
      handlers: [
        (_req, res) => {
          openApiDocument ??= buildOpenApiDocument(API_BASE_PATH);
          res.json(openApiDocument);
        },
      ],
    },
  ]);
  // Fixed paths before /{pair_id}/...: '/backtest/history' must not be read as pair 'backtest'.
  api.use(overviewRouter(ctx, API_BASE_PATH));
  api.use(configRouter(ctx, API_BASE_PATH, writeGuard));
  api.use(controlRouter(ctx, API_BASE_PATH, writeGuard));
  api.use(backtestRouter(ctx, API_BASE_PATH, writeGuard));
  api.use(walkforwardRouter(ctx, API_BASE_PATH, writeGuard));
  api.use(discoveryRouter(ctx, API_BASE_PATH, writeGuard));
  api.use(riskRouter(ctx, API_BASE_PATH, writeGuard));
  api.use(pairsRouter(ctx, API_BASE_PATH, writeGuard));
  api.use(notFoundHandler);
  app.use(API_BASE_PATH, api);

  app.use(createWebRouter());
  app.use(notFoundHandler);
  app.use(errorHandler(logger));
  return app;
}
