import type { Command } from 'commander';
import { createDb } from '../../db/connection';
import { migrateToLatest } from '../../db/migrate';
import { seedConfigFromFile } from '../../config/config-store';
import { configPathFromEnv } from '../../config/loader';
import { runCommand, UsageError } from '../errors';

export function registerMigrate(program: Command): void {
  program
    .command('migrate')
    .description(
      'apply pending database migrations to $DATABASE_URL (forward-only; a no-op when up to date), then store ' +
        'the strategy config from PAIRS_CONFIG (config/pairs.yaml) unless the database holds one',
    )
    .action(() =>
      runCommand(async () => {
        const connectionString = process.env.DATABASE_URL;
        if (!connectionString) throw new UsageError('DATABASE_URL is not set (e.g. postgres://postgres@127.0.0.1:5432/pairs)');
        const db = createDb({ connectionString, maxConnections: 1 });
        try {
          const applied = await migrateToLatest(db);
          process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'schema is up to date\n');
          const configPath = configPathFromEnv();
          if (await seedConfigFromFile(db, configPath)) process.stdout.write(`config: stored from ${configPath}\n`);
        } finally {
          await db.destroy();
        }
      }),
    );
}
