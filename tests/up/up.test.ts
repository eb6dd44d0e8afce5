/**
 * The one-command start, end to end: `node bin/pairs.js up` with nothing configured (no DATABASE_URL,
 * TEMPORAL_ADDRESS, Alpaca keys or API token) in a fresh data dir must bring up embedded PGlite, the Temporal
 * dev server, the simulator, discovery, the schedule, the worker and the API; reach pairs with numeric
 * z-scores within 3 minutes; stop cleanly on SIGINT; and resume from the same data on a second start.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TEMPORAL_CLI } from '../helpers/temporal';
import { getJson, stablePort, unconfiguredEnv, UpProcess, waitFor } from './up-process';

const READY_WITHIN_MS = 180_000;
const STOP_WITHIN_MS = 15_000;

jest.setTimeout(8 * 60_000);

interface ActivePair {
  id: number;
  name: string;
  z_score: number | null;
}

function temporalCli(address: string, ...args: string[]): string {
  const result = spawnSync(TEMPORAL_CLI, [...args, '--address', address], { encoding: 'utf8', timeout: 30_000 });
  if (result.status !== 0) throw new Error(`temporal ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

async function stopWithSigint(proc: UpProcess): Promise<number> {
  const started = Date.now();
  proc.signal('SIGINT');
  const exit = await Promise.race([proc.exited, new Promise<null>((r) => setTimeout(() => r(null), STOP_WITHIN_MS))]);
  if (exit === null) throw new Error(`pairs up did not stop within ${STOP_WITHIN_MS} ms of SIGINT:\n${proc.output}`);
  expect(exit).toEqual({ code: 0, signal: null });
  return Date.now() - started;
}

let dataDir: string;
let env: NodeJS.ProcessEnv;
let args: string[];
let apiBase: string;
let temporalAddress: string;
const processes: UpProcess[] = [];

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'pairs-up-'));
  const ports: number[] = [];
  for (let k = 0; k < 3; k++) ports.push(await stablePort(ports));
  const [apiPort, temporalPort, uiPort] = ports;
  args = [
    '--data-dir',
    dataDir,
    '--api-port',
    String(apiPort),
    '--temporal-port',
    String(temporalPort),
    '--ui-port',
    String(uiPort),
    '--sim-port',
    '0',
  ];
  apiBase = `http://127.0.0.1:${apiPort}`;
  temporalAddress = `127.0.0.1:${temporalPort}`;
  env = unconfiguredEnv();
});

afterAll(async () => {
  for (const proc of processes) {
    if (proc.running) {
      proc.signal('SIGINT');
      await Promise.race([proc.exited, new Promise((r) => setTimeout(r, STOP_WITHIN_MS))]);
      proc.kill();
    }
  }
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

let firstPairs: ActivePair[];
let firstCycleIds: string[];
let token: string;

test('a fresh start reaches pairs with numeric z-scores, a deployed schedule and cycle workflows within 3 minutes', async () => {
  const proc = new UpProcess(args, env);
  processes.push(proc);
  const ready = await waitFor('pairs with numeric z-scores', READY_WITHIN_MS, proc, async () => {
    const { pairs } = await getJson<{ pairs: ActivePair[] }>(`${apiBase}/api/strategies/pairs/active`);
    return pairs.length > 0 && pairs.every((p) => typeof p.z_score === 'number' && Number.isFinite(p.z_score)) ? pairs : undefined;
  });
  firstPairs = ready.value;
  process.stdout.write(`pairs up: ${firstPairs.length} pairs with z-scores ${(ready.ms / 1000).toFixed(0)} s after start\n`);

  expect(proc.output).toContain('migrations applied: 001_initial_schema');
  expect(proc.output).toMatch(/discovery: \d+ pairs kept of 780 tested over 40 symbols x 1000 bars/);
  expect(proc.output).toContain(`Temporal UI   http://127.0.0.1:${args[args.indexOf('--ui-port') + 1]}`);

  // The token was generated into the data dir (0600) and never printed.
  const tokenFile = path.join(dataDir, 'api-token');
  token = readFileSync(tokenFile, 'utf8').trim();
  expect(token).toMatch(/^[0-9a-f]{64}$/);
  expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
  expect(proc.output).toContain(tokenFile);
  expect(proc.output).not.toContain(token);

  const schedules = temporalCli(temporalAddress, 'schedule', 'list');
  expect(schedules).toContain('pairs-cycle');
  const workflows = temporalCli(temporalAddress, 'workflow', 'list');
  expect(workflows).toMatch(/pairs-cycle-\S+\s+pairsCycleWorkflow/);
  firstCycleIds = workflows.match(/pairs-cycle-\S+/g) ?? [];

  // The same server serves the pages and the chart library.
  const page = await fetch(`${apiBase}/`);
  expect(page.status).toBe(200);
  expect(await page.text()).toContain('Pairs monitor');
  const lib = await fetch(`${apiBase}/vendor/lightweight-charts.mjs`);
  expect(lib.status).toBe(200);
  expect(lib.headers.get('content-type')).toMatch(/javascript/);

  // Writes need the token.
  const denied = await fetch(`${apiBase}/api/strategies/pairs/stop`, { method: 'POST' });
  expect(denied.status).toBe(401);

  const stopMs = await stopWithSigint(proc);
  process.stdout.write(`pairs up: stopped ${(stopMs / 1000).toFixed(1)} s after SIGINT\n`);
  expect(proc.output).toMatch(/stopped in \d+\.\d s/);
});

test('a second start resumes from the same data: same pairs and token, no discovery, no migration', async () => {
  expect(firstPairs).toBeDefined();
  const proc = new UpProcess(args, env);
  processes.push(proc);
  const ready = await waitFor('the API', 120_000, proc, async () => {
    const { pairs } = await getJson<{ pairs: ActivePair[] }>(`${apiBase}/api/strategies/pairs/active`);
    return pairs;
  });
  process.stdout.write(`pairs up: second start answered ${(ready.ms / 1000).toFixed(0)} s after start\n`);
  expect(ready.value.map((p) => [p.id, p.name])).toEqual(firstPairs.map((p) => [p.id, p.name]));
  // Spreads computed before the stop are still there.
  for (const pair of ready.value) expect(typeof pair.z_score).toBe('number');
  expect(proc.output).toContain('database schema is up to date');
  expect(proc.output).toContain('discovery: pair_registry is fresh, skipped');
  expect(proc.output).toContain('schedule pairs-cycle: updated');
  expect(readFileSync(path.join(dataDir, 'api-token'), 'utf8').trim()).toBe(token);
  // Cycle workflows of the first run are still in Temporal's history.
  const workflows = temporalCli(temporalAddress, 'workflow', 'list');
  expect(firstCycleIds.some((id) => workflows.includes(id))).toBe(true);

  await stopWithSigint(proc);
});
