import type { Command } from 'commander';
import { runCommand, UsageError } from '../errors';
import { startSimulator } from '../../broker/simulator';
import { mergeFaults, NO_FAULTS, type FaultConfig } from '../../broker/simulator/faults';

function parseNumber(value: string | undefined, name: string, check: (n: number) => boolean): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || !check(n)) throw new UsageError(`invalid --${name}: ${value}`);
  return n;
}

export function registerSim(program: Command): void {
  program
    .command('sim')
    .description('Run the Alpaca-compatible broker simulator (trading + market data) until interrupted')
    .option('--port <port>', 'port to listen on', '8787')
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .option('--speed <n>', 'simulated seconds per real second', '1')
    .option('--state <file>', 'snapshot file: restored at start, rewritten after each change')
    .option('--seed <n>', 'market and fault seed', '42')
    .option('--start <time>', 'simulated start time (ISO 8601; default now)')
    .option('--slippage-bps <n>', 'fill slippage against the taker, basis points', '0')
    .option('--faults <json>', 'fault settings as JSON, over env SIM_FAULTS (see broker/simulator/README.md)')
    .action(
      (opts: { port: string; host: string; speed: string; state?: string; seed: string; start?: string; slippageBps: string; faults?: string }) =>
        runCommand(async () => {
          const port = parseNumber(opts.port, 'port', (n) => Number.isInteger(n) && n >= 0 && n < 65536);
          const speed = parseNumber(opts.speed, 'speed', (n) => n >= 0);
          const seed = parseNumber(opts.seed, 'seed', Number.isInteger);
          const slippageBps = parseNumber(opts.slippageBps, 'slippage-bps', (n) => n >= 0);
          if (opts.start !== undefined && !Number.isFinite(Date.parse(opts.start))) throw new UsageError(`invalid --start: ${opts.start}`);
          let faults: FaultConfig;
          try {
            const fromEnv = process.env.SIM_FAULTS ? (JSON.parse(process.env.SIM_FAULTS) as object) : {};
            faults = mergeFaults(NO_FAULTS, { ...fromEnv, ...(opts.faults ? (JSON.parse(opts.faults) as object) : {}) });
          } catch (err) {
            throw new UsageError(`invalid faults: ${err instanceof Error ? err.message : String(err)}`);
          }
          const sim = await startSimulator({
            port,
            host: opts.host,
            speed,
            seed,
            stateFile: opts.state,
            startTime: opts.start,
            slippageBps,
            faults,
          }).catch((err: unknown) => {
            throw err instanceof Error && err.message.startsWith('invalid time') ? new UsageError(err.message) : err;
          });
          const clock = sim.control.clock();
          process.stdout.write(
            `simulator listening on ${sim.url} (simulated ${clock.newYork}, ${clock.isOpen ? 'open' : 'closed'}, speed ${clock.speed}x)\n`,
          );
          process.stdout.write(`point the engine at it with ALPACA_SIM_URL=${sim.url}\n`);
          await new Promise<void>((resolve) => {
            const shutdown = (): void => {
              resolve();
            };
            process.once('SIGINT', shutdown);
            process.once('SIGTERM', shutdown);
          });
          await sim.stop();
          process.stdout.write('simulator stopped; state flushed\n');
        }),
    );
}
