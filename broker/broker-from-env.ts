/** The engine's broker chosen from the environment: our simulator or real Alpaca paper trading. */
import { createAlpacaBroker, type AlpacaBroker } from './alpaca-broker';

export const DEFAULT_SIMULATOR_URL = 'http://127.0.0.1:8787';

/**
 * Picks the broker from the environment: `ALPACA_SIM_URL` set → the simulator there; else `ALPACA_KEY_ID` and
 * `ALPACA_SECRET_KEY` set → real Alpaca paper; else the simulator at DEFAULT_SIMULATOR_URL.
 * Optional: `ALPACA_TIMEOUT_MS`, `ALPACA_DATA_FEED` (iex|sip).
 */
export function createBrokerFromEnv(env: NodeJS.ProcessEnv = process.env): AlpacaBroker {
  const timeoutMs = env.ALPACA_TIMEOUT_MS ? Number(env.ALPACA_TIMEOUT_MS) : undefined;
  const keyId = env.ALPACA_KEY_ID;
  const secret = env.ALPACA_SECRET_KEY;
  if (!env.ALPACA_SIM_URL && keyId && secret) {
    const feed = env.ALPACA_DATA_FEED === 'sip' ? 'sip' : 'iex';
    return createAlpacaBroker({ keyId, secret, timeoutMs, feed });
  }
  return createAlpacaBroker({
    keyId: keyId || 'SIMKEY', secret: secret || 'SIMSECRET', simulatorUrl: env.ALPACA_SIM_URL || DEFAULT_SIMULATOR_URL, timeoutMs,
  });
}

/** Which broker createBrokerFromEnv would pick, for logs (never includes secrets). */
export function describeBrokerEnv(env: NodeJS.ProcessEnv = process.env): string {
  if (!env.ALPACA_SIM_URL && env.ALPACA_KEY_ID && env.ALPACA_SECRET_KEY) return 'alpaca-paper';
  return `simulator ${env.ALPACA_SIM_URL || DEFAULT_SIMULATOR_URL}`;
}
