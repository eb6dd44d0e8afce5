/** The symbols discovery scans, from the environment: PAIRS_UNIVERSE, or on the simulator its whole asset list. */
import { simulatorUrlFromEnv } from './broker-from-env';

export function configuredUniverse(env: NodeJS.ProcessEnv = process.env): string[] {
  return (env.PAIRS_UNIVERSE ?? '')
    .split(',')
    .map((s) => s.trim().toUpperCase())
    .filter(Boolean);
}

/**
 * PAIRS_UNIVERSE="AAPL,MSFT,..." when set; otherwise, when the engine trades on the simulator (ALPACA_SIM_URL, or
 * no Alpaca keys), the simulator's tradable symbols (GET /v2/assets); otherwise none (Alpaca lists thousands).
 */
export function universeFromEnv(env: NodeJS.ProcessEnv = process.env): () => Promise<string[]> {
  return async () => {
    const configured = configuredUniverse(env);
    if (configured.length > 0) return configured;
    const simulatorUrl = simulatorUrlFromEnv(env);
    if (simulatorUrl === null) return [];
    const base = simulatorUrl.replace(/\/+$/, '');
    const res = await fetch(`${base}/v2/assets`, {
      headers: { 'APCA-API-KEY-ID': env.ALPACA_KEY_ID || 'SIMKEY', 'APCA-API-SECRET-KEY': env.ALPACA_SECRET_KEY || 'SIMSECRET' },
      signal: AbortSignal.timeout(30_000),
    });
    if (!res.ok) throw new Error(`simulator asset list: HTTP ${res.status}`);
    const assets = (await res.json()) as Array<{ symbol: string; tradable?: boolean }>;
    return assets.filter((a) => a.tradable !== false).map((a) => a.symbol);
  };
}
