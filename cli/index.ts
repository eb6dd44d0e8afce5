import { Command, CommanderError } from 'commander';

type Register = (program: Command) => void;

/**
 * Each command's module is loaded only when that command runs: `pairs analyze` must not pay for loading
 * Express, Temporal and the database driver. `--help` and unknown commands load them all.
 */
const COMMANDS: Record<string, () => Register> = {
  migrate: () => (require('./commands/migrate') as typeof import('./commands/migrate')).registerMigrate,
  worker: () => (require('./commands/worker') as typeof import('./commands/worker')).registerWorker,
  api: () => (require('./commands/api') as typeof import('./commands/api')).registerApi,
  sim: () => (require('./commands/sim') as typeof import('./commands/sim')).registerSim,
  up: () => (require('./commands/up') as typeof import('./commands/up')).registerUp,
  deploy: () => (require('./commands/deploy') as typeof import('./commands/deploy')).registerDeploy,
  cycle: () => (require('./commands/cycle') as typeof import('./commands/cycle')).registerCycle,
  discover: () => (require('./commands/discover') as typeof import('./commands/discover')).registerDiscover,
  analyze: () => (require('./commands/analyze') as typeof import('./commands/analyze')).registerAnalyze,
  backtest: () => (require('./commands/backtest') as typeof import('./commands/backtest')).registerBacktest,
  walkforward: () => (require('./commands/walkforward') as typeof import('./commands/walkforward')).registerWalkForward,
};

export function buildProgram(argv: string[] = []): Command {
  const program = new Command('pairs')
    .description('Statistical-arbitrage pairs engine on Temporal, PostgreSQL and Alpaca')
    .exitOverride()
    .configureOutput({ outputError: () => undefined })
    .showSuggestionAfterError(true);
  const requested = argv[2];
  const names = requested && requested in COMMANDS ? [requested] : Object.keys(COMMANDS);
  for (const name of names) COMMANDS[name]()(program);
  for (const sub of program.commands) sub.exitOverride().configureOutput({ outputError: () => undefined });
  return program;
}

export async function main(argv: string[]): Promise<void> {
  const program = buildProgram(argv);
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.exitCode === 0 || err.code === 'commander.helpDisplayed' || err.code === 'commander.help') process.exit(0);
      // One clear line, exit 2: unknown command, unknown option, missing argument.
      process.stderr.write(`pairs: ${err.message.replace(/^error: /, '').split('\n')[0]}\n`);
      process.exit(2);
    }
    throw err;
  }
}
