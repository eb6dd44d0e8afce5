import { OpenApiGeneratorV3, OpenAPIRegistry, type RouteConfig } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import {
  activeSchema,
  backtestHistoryQuerySchema,
  backtestHistorySchema,
  backtestRequestSchema,
  backtestResponseSchema,
  configHistoryQuerySchema,
  configHistorySchema,
  configSchema,
  configUpdateSchema,
  detailsSchema,
  discoveryStartedSchema,
  registrySchema,
  errorSchema,
  historyQuerySchema,
  historySchema,
  messageSchema,
  flattenSymbolSchema,
  pairIdParamsSchema,
  performanceSchema,
  readinessSchema,
  statusSchema,
  symbolParamsSchema,
} from './schemas';
import { equityCurveSchema, kellyResetSchema, riskLimitsSchema, riskLimitsUpdateSchema, riskResponseSchema } from './risk-schemas';
import { walkforwardHistorySchema, walkforwardRequestSchema, walkforwardResponseSchema, walkforwardRunParamsSchema } from './walkforward-schemas';

type Responses = RouteConfig['responses'];

const json = (schema: z.ZodType, description: string) => ({ description, content: { 'application/json': { schema } } });
const errors = (...codes: number[]): Responses => Object.fromEntries(codes.map((c) => [String(c), json(errorSchema, ERROR_TEXT[c])]));
const ERROR_TEXT: Record<number, string> = {
  400: 'Bad input',
  401: 'Missing or wrong bearer token',
  404: 'Unknown pair',
  409: 'Pair has no open trade',
  413: 'Body too large',
  415: 'Body is not JSON',
  502: 'Trade close failed at the broker',
  503: 'Temporal or the config unavailable',
};

/** OpenAPI 3.0 document of the API, generated from the same zod schemas the routes validate with. */
export function buildOpenApiDocument(basePath: string): ReturnType<OpenApiGeneratorV3['generateDocument']> {
  const registry = new OpenAPIRegistry();
  const bearer = registry.registerComponent('securitySchemes', 'bearerAuth', { type: 'http', scheme: 'bearer', description: 'PAIRS_API_TOKEN' });
  const secured = [{ [bearer.name]: [] }];
  const get = (path: string, summary: string, ok: Responses[string], extra: Partial<RouteConfig> = {}, errs: number[] = []) =>
    registry.registerPath({ method: 'get', path: `${basePath}${path}`, summary, responses: { 200: ok, ...errors(...errs) }, ...extra });
  const post = (path: string, summary: string, ok: Responses[string], extra: Partial<RouteConfig> = {}, errs: number[] = []) =>
    registry.registerPath({
      method: 'post',
      path: `${basePath}${path}`,
      summary,
      security: secured,
      responses: { 200: ok, ...errors(400, 401, 413, 415, ...errs) },
      ...extra,
    });
  const pathParams = { request: { params: pairIdParamsSchema } };

  get('/status', 'Strategy summary', json(statusSchema, 'Status'));
  get('/active', 'Active pairs with z-score and live trade', json(activeSchema, 'Active pairs'));
  get('/performance', 'Metrics over closed trades', json(performanceSchema, 'Performance'));
  get(
    '/{pair_id}/history',
    'Z-score history of a pair',
    json(historySchema, 'History'),
    { request: { params: pairIdParamsSchema, query: historyQuerySchema } },
    [400, 404],
  );
  get('/{pair_id}/details', 'Pair stats, open trade, last signal', json(detailsSchema, 'Details'), pathParams, [400, 404]);
  get('/config', 'Strategy thresholds', json(configSchema, 'Thresholds'), {}, [503]);
  post(
    '/config',
    'Update thresholds (stored in PostgreSQL for every process; config/pairs.yaml rewritten where writable)',
    json(configSchema, 'The new thresholds'),
    { request: { body: { content: { 'application/json': { schema: configUpdateSchema } }, required: true } } },
  );
  get(
    '/config/history',
    'Changes of the stored config with old and new values, newest first',
    json(configHistorySchema, 'Changes'),
    { request: { query: configHistoryQuerySchema } },
    [400],
  );
  get('/registry', 'Registered pairs, ACTIVE or RETIRED (with reason and time)', json(registrySchema, 'Registry'));
  registry.registerPath({
    method: 'post',
    path: `${basePath}/discovery/run`,
    summary: 'Start a discovery run now (re-test, retire, add pairs)',
    security: secured,
    responses: { 202: json(discoveryStartedSchema, 'Started'), ...errors(400, 401, 413, 415, 503) },
  });
  post(
    '/start',
    'Trading state ACTIVE (daily-loss and drawdown references re-based) and the cycle schedule unpaused',
    json(messageSchema, 'Strategy started'),
    {},
    [503],
  );
  post(
    '/stop',
    'Trading state REDUCING: no new entries, exits and stops continue; the schedule is paused only when no trade is open',
    json(messageSchema, 'Strategy stopped'),
    {},
    [503],
  );
  get('/risk', 'Risk limits, trading state, sizing verdict, latest account snapshot, refused entries', json(riskResponseSchema, 'Risk'), {}, [503]);
  post('/risk', 'Update risk limits (stored in PostgreSQL, logged in /config/history)', json(riskLimitsSchema, 'The new limits'), {
    request: { body: { content: { 'application/json': { schema: riskLimitsUpdateSchema } }, required: true } },
  });
  post('/risk/kelly-reset', 'Reset sizing to bootstrap: Kelly counts only trades closed from now on', json(kellyResetSchema, 'Reset'));
  get('/risk/equity', 'Equity snapshots (one per cycle hour) with drawdown, max drawdown and Sharpe', json(equityCurveSchema, 'Equity curve'));
  post(
    '/emergency-stop',
    'Trading state HALTED and every open trade closed at market',
    json(messageSchema, 'Emergency stop executed for N pairs'),
    {},
    [503],
  );
  post(
    '/{pair_id}/close',
    'Close the open trade of a pair (answers within 2 s: 202 with the trade state while the close goes on)',
    json(messageSchema, 'Pair closed'),
    {
      ...pathParams,
      responses: {
        200: json(messageSchema, 'Pair closed'),
        202: { description: 'Close requested, not complete yet (e.g. market closed, or the trade needs attention): the trade state' },
        ...errors(400, 401, 404, 409, 413, 415, 502, 503),
      },
    },
  );
  registry.registerPath({
    method: 'post',
    path: `${basePath}/symbols/{symbol}/flatten`,
    summary: 'Close every live trade holding a symbol (the operator takes one symbol flat)',
    security: secured,
    request: { params: symbolParamsSchema },
    responses: { 202: json(flattenSymbolSchema, 'Trades told to close'), ...errors(400, 401, 413, 415, 503) },
  });
  post(
    '/backtest',
    'Run and store a backtest',
    json(backtestResponseSchema, 'Backtest result'),
    { request: { body: { content: { 'application/json': { schema: backtestRequestSchema } }, required: true } } },
    [404, 503],
  );
  get(
    '/backtest/history',
    'Past backtest runs, newest first',
    json(backtestHistorySchema, 'Runs'),
    { request: { query: backtestHistoryQuerySchema } },
    [400],
  );
  post(
    '/walkforward',
    'Run and store a walk-forward portfolio backtest on the stored bars',
    json(walkforwardResponseSchema, 'Walk-forward result'),
    { request: { body: { content: { 'application/json': { schema: walkforwardRequestSchema } }, required: false } } },
    [503],
  );
  get('/walkforward/history', 'Past walk-forward runs, newest first', json(walkforwardHistorySchema, 'Runs'));
  get(
    '/walkforward/{run_id}',
    'One stored walk-forward run, curves included',
    json(walkforwardResponseSchema, 'Run'),
    { request: { params: walkforwardRunParamsSchema } },
    [400, 404],
  );
  registry.registerPath({
    method: 'get',
    path: '/healthz',
    summary: 'Process is up',
    responses: { 200: json(z.object({ status: z.literal('ok') }), 'Up') },
  });
  registry.registerPath({
    method: 'get',
    path: '/readyz',
    summary: 'Database, Temporal and broker reachable',
    responses: { 200: json(readinessSchema, 'Ready'), 503: json(readinessSchema, 'A dependency failed') },
  });
  registry.registerPath({
    method: 'get',
    path: '/metrics',
    summary: 'Prometheus metrics',
    responses: { 200: { description: 'Prometheus text format', content: { 'text/plain': { schema: z.string() } } } },
  });

  return new OpenApiGeneratorV3(registry.definitions).generateDocument({
    openapi: '3.0.3',
    info: { title: 'pairs strategy engine API', version: '0.1.0', description: 'Statistical-arbitrage pairs trading engine' },
    servers: [{ url: 'http://localhost:8001' }],
  });
}
