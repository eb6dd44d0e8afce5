import type { FaultConfig } from './faults';

export interface SimulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  seed?: number;
  /** Simulated seconds per real second (default 1). */
  speed?: number;
  /** Snapshot file: loaded at start when it exists, rewritten after each change. */
  stateFile?: string;
  faults?: Partial<FaultConfig>;
  slippageBps?: number;
  /** Simulated start time (default: real now). Ignored when a state file restores the clock. */
  startTime?: Date | string | number;
  initialCash?: number;
  /** Symbols in the universe (default 40; extra ones are independent random walks named X???). */
  universeSize?: number;
  /** Real milliseconds between acceptance and fill (default 5). */
  fillLatencyMs?: number;
  /**
   * Alpaca's wash-trade protection: refuse an order while an opposite-side order is open on the symbol (default
   * true, as Alpaca does; a test may turn it off explicitly).
   */
  rejectWashTrades?: boolean;
  /** Start with the clock paused. */
  paused?: boolean;
  /** When set, only these credentials are accepted; otherwise any non-empty key pair is. */
  keyId?: string;
  secret?: string;
}
