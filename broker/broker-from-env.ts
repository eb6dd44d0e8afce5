/** The engine's broker chosen from the environment: our simulator or real Alpaca paper trading. */
import { createAlpacaBroker, type AlpacaBroker } from './alpaca-broker';

export const DEFAULT_SIMULATOR_URL = 'http://127.0.0.1:8787';

/**
 * The simulator's URL when the engine trades on the simulator, else null (Alpaca paper): `ALPACA_SIM_URL` set → the
 * simulator there (a test setup never reaches Alpaca); else `ALPACA_KEY_ID` and `ALPACA_SECRET_KEY` set → null;
 * else `PAIRS_SIM_FALLBACK_URL` (compose: the `sim` profile's simulator) or DEFAULT_SIMULATOR_URL.
 */
export function simulatorUrlFromEnv(env: NodeJS.ProcessEnv = process.env): string | null {
  if (env.ALPACA_SIM_URL) return env.ALPACA_SIM_URL;
  if (env.ALPACA_KEY_ID && env.ALPACA_SECRET_KEY) return null;
  return env.PAIRS_SIM_FALLBACK_URL || DEFAULT_SIMULATOR_URL;
}

/**
 * Picks the broker from the environment (see simulatorUrlFromEnv): the simulator, or real Alpaca paper.
 * Optional: `ALPACA_TIMEOUT_MS`, `ALPACA_DATA_FEED` (iex|sip).
 */
export function createBrokerFromEnv(env: NodeJS.ProcessEnv = process.env): AlpacaBroker {
  const timeoutMs = env.ALPACA_TIMEOUT_MS ? Number(env.ALPACA_TIMEOUT_MS) : undefined;
  const keyId = env.ALPACA_KEY_ID;
  const secret = env.ALPACA_SECRET_KEY;
  const simulatorUrl = simulatorUrlFromEnv(env);
  if (simulatorUrl === null && keyId && secret) {
    const feed = env.ALPACA_DATA_FEED === 'sip' ? 'sip' : 'iex';
    return createAlpacaBroker({ keyId, secret, timeoutMs, feed });
  }
  return createAlpacaBroker({
    keyId: keyId || 'SIMKEY',
    secret: secret || 'SIMSECRET',
    simulatorUrl: simulatorUrl ?? DEFAULT_SIMULATOR_URL,
    timeoutMs,
  });
}

/** Which broker createBrokerFromEnv would pick, for logs (never includes secrets). */
export function describeBrokerEnv(env: NodeJS.ProcessEnv = process.env): string {
  const simulatorUrl = simulatorUrlFromEnv(env);
  return simulatorUrl === null ? 'alpaca-paper' : `simulator ${simulatorUrl}`;
}
