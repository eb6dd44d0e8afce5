/**
 * `pairs up` after a hard crash (issue 15), against the real pieces: `node bin/pairs.js up` child processes, the
 * Temporal dev server, the simulator and PGlite on a scratch data directory. A run with open trades is killed
 * with SIGKILL (its whole process group, then only its Node process); no process of it may survive, and the
 * next start must come up by itself with the trades still open, the broker's positions matching them, cycles
 * running and an emergency stop ending flat. A port held by something else fails the start with one line.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { PAIRS_CYCLE_WORKFLOW, type CycleSummary } from '../../workflows/contracts/pairs-cycle';
import { TEMPORAL_CLI } from '../helpers/temporal';
import { getJson, portIsFree, REPO, stablePort, unconfiguredEnv, UpProcess, waitFor } from './up-process';
import { HOUR_MS } from '../../strategy/time-units';

jest.setTimeout(10 * 60_000);

const FIRST_START_WITHIN_MS = 240_000;
const API_WITHIN_MS = 60_000;
const RECOVERED_WITHIN_MS = 150_000;
const GONE_WITHIN_MS = 30_000;
const STOP_WITHIN_MS = 20_000;
const ARTIFACT = path.join(REPO, 'tests/artifacts/crash-restart.json');
const STACK_OR_STREAM_ERROR = /\n\s+at |ERR_STREAM|Error \[|Unhandled/;

// Thresholds for the test: nearly every pair enters at once, and nothing closes a trade on its own (the slow
// simulated clock moves z by one hourly bar every 6 real minutes) until the emergency stop.
const TEST_THRESHOLDS = { entry_threshold: 0.2, exit_threshold: 0.01, stop_loss_threshold: 50, max_hold_hours: 10_000 };
const SIM_SPEED = '10';

interface ActivePair {
  id: number;
  name: string;
  status: string;
}
interface Details {
  open_trade: { id: number; side: 'LONG_SPREAD' | 'SHORT_SPREAD'; qty1: number; qty2: number } | null;
  live: { status: string } | null;
}
interface OpenTrade {
  pairId: number;
  name: string;
  tradeId: number;
  side: string;
  qty1: number;
  qty2: number;
  liveStatus: string | null;
}
interface TradeState {
  open: OpenTrade[];
  inTransition: string[];
}

// ---- the process table, read straight from /proc ----

interface Proc {
  pid: number;
  ppid: number;
  state: string;
  cmd: string;
}

function readProc(pid: number): Proc | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
    return { pid, ppid: Number(fields[1]), state: fields[0], cmd };
  } catch {
    return null;
  }
}

function allProcs(): Proc[] {
  return readdirSync('/proc')
    .filter((n) => /^\d+$/.test(n))
    .map((n) => readProc(Number(n)))
    .filter((p): p is Proc => p !== null);
}

const isAlive = (pid: number): boolean => {
  const p = readProc(pid);
  return p !== null && p.state !== 'Z';
};

/** `root` and every process below it. */
function processTree(root: number): Proc[] {
  const procs = allProcs();
  const tree = procs.filter((p) => p.pid === root);
  for (let k = 0; k < tree.length; k++) tree.push(...procs.filter((p) => p.ppid === tree[k].pid));
  return tree;
}

async function expectNothingLeft(tree: Proc[], dataDir: string): Promise<void> {
  await waitFor(
    'every process of the killed run to be gone',
    GONE_WITHIN_MS,
    null,
    () => {
      const left = [...tree.filter((p) => isAlive(p.pid)), ...allProcs().filter((p) => p.state !== 'Z' && p.cmd.includes(dataDir))];
      if (left.length > 0) throw new Error(`still running: ${left.map((p) => `${p.pid} ${p.cmd.slice(0, 100)}`).join('; ')}`);
      return true;
    },
    250,
  );
}

// ---- the suite's run ----

let dataDir: string;
let env: NodeJS.ProcessEnv;
let args: string[];
let ports: { api: number; temporal: number; ui: number; sim: number };
let apiBase: string;
let simBase: string;
let token: string;
let current: UpProcess | null = null;
const processes: UpProcess[] = [];
const servers: Server[] = [];
const timings: Record<string, Record<string, number>> = {};

function startUp(): UpProcess {
  const proc = new UpProcess(args, env, { ownGroup: true });
  processes.push(proc);
  return proc;
}

async function post<T>(route: string, body?: unknown): Promise<T> {
  return getJson<T>(`${apiBase}${route}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

async function tradeState(): Promise<TradeState> {
  const { pairs } = await getJson<{ pairs: ActivePair[] }>(`${apiBase}/active`);
  const open: OpenTrade[] = [];
  const inTransition: string[] = [];
  for (const pair of pairs) {
    if (pair.status === 'FLAT') continue;
    if (pair.status !== 'OPEN') {
      inTransition.push(`${pair.name} ${pair.status}`);
      continue;
    }
    const details = await getJson<Details>(`${apiBase}/${pair.id}/details`);
    const trade = details.open_trade;
    if (!trade) throw new Error(`${pair.name} is OPEN without an open trade`);
    open.push({
      pairId: pair.id,
      name: pair.name,
      tradeId: trade.id,
      side: trade.side,
      qty1: trade.qty1,
      qty2: trade.qty2,
      liveStatus: details.live?.status ?? null,
    });
  }
  return { open, inTransition };
}

/** Signed quantity per symbol that the open trades account for. */
function positionsOf(trades: OpenTrade[]): Record<string, number> {
  const expected: Record<string, number> = {};
  for (const t of trades) {
    const [symbol1, symbol2] = t.name.split('/');
    const sign = t.side === 'LONG_SPREAD' ? 1 : -1;
    expected[symbol1] = (expected[symbol1] ?? 0) + sign * t.qty1;
    expected[symbol2] = (expected[symbol2] ?? 0) - sign * t.qty2;
  }
  return Object.fromEntries(
    Object.entries(expected)
      .filter(([, qty]) => qty !== 0)
      .sort(),
  );
}

async function brokerPositions(): Promise<Record<string, number>> {
  const positions = await getJson<Array<{ symbol: string; qty: string }>>(`${simBase}/v2/positions`, {
    headers: { 'APCA-API-KEY-ID': 'SIMKEY', 'APCA-API-SECRET-KEY': 'SIMSECRET' },
  });
  return Object.fromEntries(
    positions
      .map((p) => [p.symbol, Number(p.qty)])
      .filter(([, qty]) => qty !== 0)
      .sort(),
  );
}

/** The summary of a cycle that started after `sinceMs` and completed, if there is one yet. */
async function cycleCompletedSince(sinceMs: number): Promise<CycleSummary | undefined> {
  const connection = await Connection.connect({ address: `127.0.0.1:${ports.temporal}`, connectTimeout: 5000 });
  try {
    const client = new Client({ connection });
    const query = `WorkflowType = '${PAIRS_CYCLE_WORKFLOW}' AND ExecutionStatus = 'Completed' AND StartTime > '${new Date(sinceMs).toISOString()}'`;
    for await (const execution of client.workflow.list({ query })) {
      return (await client.workflow.getHandle(execution.workflowId, execution.runId).result()) as CycleSummary;
    }
    return undefined;
  } finally {
    await connection.close();
  }
}

/**
 * Waits for `min` open trades. `newBars`: move the simulated clock an hour on every 15 s without them, because a
 * pair enters at most once per bar and the slow clock brings a new bar only every 6 minutes.
 */
async function waitForOpenTrades(proc: UpProcess, min: number, { newBars = false } = {}): Promise<OpenTrade[]> {
  let lastNudge = Date.now();
  const { value } = await waitFor(`${min} open trades`, 120_000, proc, async () => {
    const state = await tradeState();
    if (state.open.length >= min) return state.open;
    if (newBars && Date.now() - lastNudge > 15_000) {
      lastNudge = Date.now();
      await getJson(`${simBase}/__sim/clock`, { method: 'POST', body: JSON.stringify({ advanceHours: 1 }) });
    }
    return undefined;
  });
  return value;
}

/**
 * Starts `pairs up` again on the same data and checks the recovery; returns the running process and how long
 * each stage took after the start.
 */
async function restartAndCheck(openBefore: OpenTrade[], label: string): Promise<UpProcess> {
  const proc = startUp();
  current = proc;
  const api = await waitFor('the API after the restart', API_WITHIN_MS, proc, () => getJson(`${apiBase}/status`), 250);

  // The trades open at the kill are open still, their workflows answer, and the broker holds exactly their legs.
  const consistent = await waitFor(
    'the open trades and the broker positions to agree',
    RECOVERED_WITHIN_MS,
    proc,
    async () => {
      const state = await tradeState();
      const byPair = new Map(state.open.map((t) => [t.pairId, t]));
      for (const before of openBefore) {
        const now = byPair.get(before.pairId);
        if (!now || now.tradeId !== before.tradeId) throw new Error(`trade ${before.tradeId} of ${before.name} is no longer open`);
        if (now.liveStatus !== 'OPEN') throw new Error(`trade ${before.tradeId}'s workflow answers ${now.liveStatus}`);
      }
      if (state.inTransition.length > 0) throw new Error(`in transition: ${state.inTransition.join(', ')}`);
      const expected = positionsOf(state.open);
      const actual = await brokerPositions();
      if (JSON.stringify(actual) !== JSON.stringify(expected)) {
        throw new Error(`broker ${JSON.stringify(actual)} vs trades ${JSON.stringify(expected)}`);
      }
      return state.open;
    },
    500,
  );
  const unchanged = consistent.value.filter((t) => openBefore.some((b) => b.tradeId === t.tradeId));
  expect(unchanged).toEqual(openBefore.map((t) => ({ ...t, liveStatus: 'OPEN' })));

  // A cycle started after the restart runs to completion with nothing to reconcile and entries allowed.
  const cycle = await waitFor('a cycle after the restart', RECOVERED_WITHIN_MS, proc, () => cycleCompletedSince(proc.startedAt));
  expect(cycle.value.marketOpen).toBe(true);
  expect(cycle.value.reconciliation).toEqual({ unexplained: [], missing: [] });
  expect(cycle.value.entriesBlockedReason).toBeNull();

  timings[label] = {
    api_answered_ms: api.ms,
    trades_and_positions_agree_ms: consistent.ms + api.ms,
    first_cycle_completed_ms: Date.now() - proc.startedAt,
  };
  console.log(
    `${label}: API answered ${(api.ms / 1000).toFixed(1)} s after the restart; trades and positions agreed at ` +
      `${((consistent.ms + api.ms) / 1000).toFixed(1)} s; a new cycle completed at ${((Date.now() - proc.startedAt) / 1000).toFixed(1)} s`,
  );

  // The crash does not show in the output: no stack trace, no stream error.
  expect(proc.output).not.toMatch(STACK_OR_STREAM_ERROR);
  expect(proc.stdout).toMatch(/did not stop cleanly: recovering/);
  return proc;
}

async function emergencyStopEndsFlat(proc: UpProcess): Promise<void> {
  const { message } = await post<{ message: string }>('/emergency-stop');
  expect(message).toMatch(/^Emergency stop executed for \d+ pairs$/);
  await waitFor('flat after the emergency stop', 60_000, proc, async () => {
    const state = await tradeState();
    const positions = await brokerPositions();
    if (state.open.length > 0 || state.inTransition.length > 0 || Object.keys(positions).length > 0) {
      throw new Error(`trades ${state.open.length} open, ${state.inTransition.join(', ')}; positions ${JSON.stringify(positions)}`);
    }
    return true;
  });
}

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'pairs-crash-'));
  const taken: number[] = [];
  for (let k = 0; k < 4; k++) taken.push(await stablePort(taken));
  ports = { api: taken[0], temporal: taken[1], ui: taken[2], sim: taken[3] };
  args = [
    '--data-dir',
    dataDir,
    '--api-port',
    String(ports.api),
    '--temporal-port',
    String(ports.temporal),
    '--ui-port',
    String(ports.ui),
    '--sim-port',
    String(ports.sim),
    '--sim-speed',
    SIM_SPEED,
    '--cycle-seconds',
    '5',
  ];
  apiBase = `http://127.0.0.1:${ports.api}/api/strategies/pairs`;
  simBase = `http://127.0.0.1:${ports.sim}`;
  // POST /config rewrites the config file: a copy in the scratch dir, never the repository's.
  const configFile = path.join(dataDir, 'pairs.yaml');
  copyFileSync(path.join(REPO, 'config/pairs.yaml'), configFile);
  env = unconfiguredEnv({ PAIRS_CONFIG: configFile });
});

afterAll(async () => {
  for (const proc of processes) {
    if (!proc.running) continue;
    proc.signal('SIGINT');
    await Promise.race([proc.exited, new Promise((r) => setTimeout(r, STOP_WITHIN_MS))]);
    if (proc.running) proc.killGroup();
  }
  for (const server of servers) server.close();
  // Whatever still runs on the scratch data (only after a failure) goes too.
  for (const p of allProcs()) if (dataDir && p.cmd.includes(dataDir) && p.state !== 'Z') process.kill(p.pid, 'SIGKILL');
  if (Object.keys(timings).length > 0) {
    mkdirSync(path.dirname(ARTIFACT), { recursive: true });
    writeFileSync(ARTIFACT, `${JSON.stringify({ measured_at: new Date().toISOString(), restarts: timings }, null, 2)}\n`);
  }
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

test('SIGKILL of the whole process group leaves nothing behind; the restart carries the open trades on', async () => {
  const first = startUp();
  current = first;
  await waitFor('the first start', FIRST_START_WITHIN_MS, first, () => getJson(`${apiBase}/status`));
  token = readFileSync(path.join(dataDir, 'api-token'), 'utf8').trim();
  // Into a fresh session with hours to go, so no overnight jump of the simulated clock expires the trades.
  const clock = await getJson<{ nextOpen: string }>(`${simBase}/__sim/clock`);
  await getJson(`${simBase}/__sim/clock`, { method: 'POST', body: JSON.stringify({ set: Date.parse(clock.nextOpen) + HOUR_MS }) });
  await post('/config', TEST_THRESHOLDS);

  const openBefore = await waitForOpenTrades(first, 2);
  const tree = processTree(first.pid);
  expect(tree.some((p) => p.cmd.includes('start-dev') && p.cmd.includes(dataDir))).toBe(true);
  first.killGroup();
  expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' });
  await expectNothingLeft(tree, dataDir);

  const second = await restartAndCheck(openBefore, 'after SIGKILL of the process group');
  await emergencyStopEndsFlat(second);
});

test('SIGKILL of the Node process alone leaves nothing behind; the restart carries the open trades on', async () => {
  const running = current;
  if (!running?.running) throw new Error('needs the run the first test left going');
  await post('/start');
  const openBefore = await waitForOpenTrades(running, 2, { newBars: true });
  const tree = processTree(running.pid);
  expect(tree.some((p) => p.cmd.includes('start-dev') && p.cmd.includes(dataDir))).toBe(true);
  running.signal('SIGKILL');
  expect(await running.exited).toEqual({ code: null, signal: 'SIGKILL' });
  await expectNothingLeft(tree, dataDir);

  const restarted = await restartAndCheck(openBefore, 'after SIGKILL of the Node process');
  await emergencyStopEndsFlat(restarted);

  // A second `pairs up` on the same data is refused while this one runs, before it touches anything.
  const concurrent = await failedStart();
  expect(concurrent.exit.code).toBe(2);
  const dir = dataDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  expectOneLine(
    concurrent.proc,
    `${dir} is in use by another \`pairs up\` \\(pid ${restarted.pid}, started .+\\); stop it or use another --data-dir`,
  );
  expect(concurrent.proc.stdout).toBe('');
  expect(restarted.running).toBe(true);

  // A clean stop removes the lock: the next start is not a recovery.
  restarted.signal('SIGINT');
  expect(await restarted.exited).toEqual({ code: 0, signal: null });
  expect(existsSync(path.join(dataDir, 'pairs-up.lock'))).toBe(false);
});

function listen(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

/** stderr is exactly one line, `pairs: <pattern>`, and nothing anywhere looks like a stack trace. */
function expectOneLine(proc: UpProcess, pattern: string): void {
  const lines = proc.stderr.split('\n').filter(Boolean);
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(new RegExp(`^pairs: ${pattern}$`));
  expect(proc.output).not.toMatch(STACK_OR_STREAM_ERROR);
}

async function failedStart(): Promise<{ exit: { code: number | null }; proc: UpProcess }> {
  const proc = startUp();
  const exit = await Promise.race([proc.exited, new Promise<null>((r) => setTimeout(() => r(null), 60_000))]);
  if (exit === null) throw new Error(`pairs up did not exit:\n${proc.output}`);
  return { exit, proc };
}

test('a dev server orphaned on the same data is stopped; a port held by something else fails the start with one line, exit 2', async () => {
  if (current?.running) {
    current.signal('SIGINT');
    await current.exited;
  }
  // What an older `pairs up` left after kill -9: a dev server in its own session on the data's temporal.db.
  const orphan = spawn(
    TEMPORAL_CLI,
    [
      'server',
      'start-dev',
      '--db-filename',
      path.join(dataDir, 'temporal.db'),
      '--ip',
      '127.0.0.1',
      '--port',
      String(ports.temporal),
      '--ui-port',
      String(ports.ui),
      '--log-level',
      'error',
    ],
    { detached: true, stdio: 'ignore' },
  );
  orphan.unref();
  await waitFor('the orphaned dev server', 60_000, null, async () => ((await portIsFree(ports.temporal)) ? undefined : true), 250);
  servers.push(await listen(ports.api));

  const apiTaken = await failedStart();
  expect(apiTaken.exit.code).toBe(2);
  expect(apiTaken.proc.stdout).toContain(
    `stopped the dev server an earlier run left running on ${path.join(dataDir, 'temporal.db')} (pid ${orphan.pid})`,
  );
  expect(isAlive(orphan.pid!)).toBe(false);
  expectOneLine(
    apiTaken.proc,
    `port ${ports.api} \\(API and web pages, --api-port\\) is in use by pid ${process.pid} \\(.+\\); stop it or choose another port`,
  );

  servers.pop()!.close();
  servers.push(await listen(ports.temporal));
  const temporalTaken = await failedStart();
  expect(temporalTaken.exit.code).toBe(2);
  expectOneLine(
    temporalTaken.proc,
    `port ${ports.temporal} \\(Temporal frontend, --temporal-port\\) is in use by pid ${process.pid} \\(.+\\); stop it or choose another port`,
  );
  // Nothing was started, and the lock is not left behind.
  expect(allProcs().filter((p) => p.state !== 'Z' && p.cmd.includes(dataDir))).toEqual([]);
  expect(existsSync(path.join(dataDir, 'pairs-up.lock'))).toBe(false);
});
