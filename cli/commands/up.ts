import type { Command } from 'commander';
import { runCommand } from '../errors';
import { resolveUpOptions, type UpFlags } from '../up/options';
import { StartInterrupted, startStack, type RunningStack } from '../up/stack';

const FORCE_EXIT_AFTER_MS = 15_000;

function log(line: string): void {
  process.stdout.write(`[pairs up] ${line}\n`);
}

export function registerUp(program: Command): void {
  program
    .command('up')
    .description(
      'run the whole system in one process: database (embedded PGlite unless DATABASE_URL), Temporal dev server ' +
        '(unless TEMPORAL_ADDRESS), broker simulator (unless ALPACA_KEY_ID/ALPACA_SECRET_KEY), discovery, schedule, worker, API and web pages',
    )
    .option(
      '--data-dir <dir>',
      'where the embedded database, Temporal state, simulator state and API token live (env PAIRS_DATA_DIR, default ./data)',
    )
    .option('--api-port <port>', 'API and web pages port (env PAIRS_API_PORT, default 8001)')
    .option('--temporal-port <port>', 'Temporal dev server frontend port (env PAIRS_TEMPORAL_PORT, default 7233)')
    .option('--ui-port <port>', 'Temporal Web UI port (env PAIRS_TEMPORAL_UI_PORT, default 8233)')
    .option('--sim-port <port>', 'simulator port, 0 for any free one (env PAIRS_SIM_PORT, default 8787)')
    .option('--sim-speed <x>', 'simulated seconds per real second (env PAIRS_SIM_SPEED, default 60: an hourly bar a minute)')
    .option('--cycle-seconds <s>', 'seconds between cycles in simulator mode (env PAIRS_CYCLE_SECONDS, default 30)')
    .action((flags: UpFlags) =>
      runCommand(async () => {
        const options = resolveUpOptions(flags);
        // Ctrl-C while starting: finish the step in progress, stop what was started, exit.
        const interrupt = new AbortController();
        const onEarlySignal = (signal: NodeJS.Signals) => {
          log(`${signal} during start: stopping what was started...`);
          interrupt.abort();
        };
        process.once('SIGINT', onEarlySignal);
        process.once('SIGTERM', onEarlySignal);
        let stack: RunningStack;
        try {
          stack = await startStack(options, log, process.env, interrupt.signal);
        } catch (err) {
          if (err instanceof StartInterrupted) {
            log('stopped');
            process.exit(130);
          }
          throw err;
        }
        process.off('SIGINT', onEarlySignal);
        process.off('SIGTERM', onEarlySignal);
        printSummary(stack);
        await waitForStop(stack);
        // The Temporal native runtime keeps handles open after a clean stop.
        process.exit(0);
      }),
    );
}

function printSummary(stack: RunningStack): void {
  const origin = stack.tokenOrigin;
  const tokenWhere = origin.kind === 'env' ? '$PAIRS_API_TOKEN' : `${origin.path}${origin.created ? ' (new)' : ''}`;
  log('ready:');
  log(`  web page      ${stack.webUrl}`);
  log(`  backtests     ${stack.webUrl}backtests.html`);
  log(`  API           ${stack.apiUrl}`);
  log(`  Temporal UI   ${stack.temporalUiUrl ?? '(external Temporal)'}   (frontend ${stack.temporalAddress})`);
  log(`  API token     in ${tokenWhere} — send it as Authorization: Bearer <token>`);
  log('Ctrl-C stops everything; the next `npm start` resumes from the same data.');
}

/** Runs until SIGINT/SIGTERM (or the worker dies), then stops every piece; a second signal exits at once. */
async function waitForStop(stack: RunningStack): Promise<void> {
  const reason = await new Promise<string>((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      resolve(signal);
      process.once(signal, () => {
        log('second signal: exiting without a clean stop');
        process.exit(130);
      });
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    stack.workerDone.then(
      () => resolve('worker stopped'),
      (err: unknown) => resolve(`worker failed: ${err instanceof Error ? err.message : String(err)}`),
    );
  });
  log(`stopping (${reason})...`);
  const force = setTimeout(() => {
    log(`still stopping after ${FORCE_EXIT_AFTER_MS / 1000} s: exiting`);
    process.exit(1);
  }, FORCE_EXIT_AFTER_MS);
  force.unref();
  const started = Date.now();
  await stack.stop();
  log(`stopped in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  if (reason.startsWith('worker failed')) throw new Error(reason);
}
