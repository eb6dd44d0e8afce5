// The launcher lives in temporal/dev-server.ts; kept so chaos/run.ts and bench/orchestration.bench.ts import it as before.
export { startDevServer, type DevServer } from '../temporal/dev-server';
