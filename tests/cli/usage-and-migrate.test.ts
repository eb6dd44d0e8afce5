import { sql } from 'kysely';
import { runPairs } from '../helpers/cli';
import { createTestDatabase, type TestDatabase } from '../helpers/database';

const SUBCOMMANDS = ['migrate', 'worker', 'api', 'sim', 'up', 'deploy', 'cycle', 'discover', 'analyze', 'backtest', 'walkforward'];

describe('pairs CLI', () => {
  it('lists every subcommand in --help', () => {
    const result = runPairs(['--help']);
    expect(result.status).toBe(0);
    for (const name of SUBCOMMANDS) expect(result.stdout).toMatch(new RegExp(`^\\s+${name}\\b`, 'm'));
  });

  it.each([
    [['frobnicate'], /unknown command 'frobnicate'/],
    [['migrate', '--colour'], /unknown option '--colour'/],
  ])('exits 2 with one line for %j', (args, message) => {
    const result = runPairs(args);
    expect(result.status).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(message);
  });

  it('refuses to migrate without DATABASE_URL', () => {
    const result = runPairs(['migrate'], { DATABASE_URL: '' });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/DATABASE_URL is not set/);
  });

  describe('migrate', () => {
    let t: TestDatabase;
    beforeAll(async () => {
      t = await createTestDatabase('cli_migrate', { migrate: false });
    });
    afterAll(async () => {
      await t?.drop();
    });

    it('creates the schema, and a second run is a no-op', async () => {
      const first = runPairs(['migrate'], { DATABASE_URL: t.url });
      expect(first.stderr).toBe('');
      expect(first.stdout).toMatch(/applied: 001_initial_schema, 002_walkforward_runs, 003_config_and_registry_status/);
      expect(first.stdout).toMatch(/config: stored from .*pairs\.yaml/);
      const second = runPairs(['migrate'], { DATABASE_URL: t.url });
      expect(second.stdout).toMatch(/schema is up to date/);
      expect(second.stdout).not.toMatch(/config: stored/);
      const count = await sql<{ n: number }>`SELECT count(*)::int AS n FROM information_schema.tables
        WHERE table_schema = 'strategy_engine' AND table_name NOT LIKE 'kysely_%'`.execute(t.db);
      expect(count.rows[0].n).toBe(16);
    });
  });
});
