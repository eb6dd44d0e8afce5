import { Command, CommanderError } from 'commander';
import { registerAnalyze } from './commands/analyze';
import { registerApi } from './commands/api';
import { registerBacktest } from './commands/backtest';
import { registerCycle } from './commands/cycle';
import { registerDeploy } from './commands/deploy';
import { registerDiscover } from './commands/discover';
import { registerMigrate } from './commands/migrate';
import { registerSim } from './commands/sim';
import { registerUp } from './commands/up';
import { registerWorker } from './commands/worker';

export function buildProgram(): Command {
  const program = new Command('pairs')
    .description('Statistical-arbitrage pairs engine on Temporal, PostgreSQL and Alpaca')
    .exitOverride()
    .configureOutput({ outputError: () => undefined })
    .showSuggestionAfterError(true);
  for (const register of [
    registerMigrate, registerWorker, registerApi, registerSim, registerUp, registerDeploy,
    registerCycle, registerDiscover, registerAnalyze, registerBacktest,
  ]) {
    register(program);
  }
  for (const sub of program.commands) sub.exitOverride().configureOutput({ outputError: () => undefined });
  return program;
}

export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.exitCode === 0 || err.code === 'commander.helpDisplayed' || err.code === 'commander.version') process.exit(0);
      if (err.code === 'commander.help') process.exit(0);
      // One clear line, exit 2: unknown command, unknown option, missing argument.
      process.stderr.write(`pairs: ${err.message.replace(/^error: /, '').split('\n')[0]}\n`);
      process.exit(2);
    }
    throw err;
  }
}
