/**
 * Ctrl-C while `pairs up` is starting: the step in progress finishes, every piece already started is stopped, and
 * the process exits 130. Both tests hold the start at a known step, so the interrupt never races the start.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { RUN_LOCK_FILE } from '../../cli/up/run-lock';
import { resolveUpOptions } from '../../cli/up/options';
import { StartInterrupted, startStack } from '../../cli/up/stack';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { startTemporal } from '../helpers/temporal';
import { portIsFree, stablePort, unconfiguredEnv, UpProcess, waitFor } from './up-process';

const STOP_WITHIN_MS = 15_000;

jest.setTimeout(3 * 60_000);

/**
 * A TCP relay to `target` that holds every connection until release(): the process connecting through it waits at
 * that step for as long as the test needs.
 */
class HeldRelay {
  readonly connected: Promise<void>;
  private readonly held: Socket[] = [];
  private readonly sockets = new Set<Socket>();
  private released = false;
  private onConnect!: () => void;
  private constructor(
    readonly server: Server,
    private readonly target: { host: string; port: number },
  ) {
    this.connected = new Promise((resolve) => (this.onConnect = resolve));
    server.on('connection', (socket) => {
      socket.on('error', () => undefined);
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
      if (this.released) this.pipe(socket);
      else {
        socket.pause();
        this.held.push(socket);
        this.onConnect();
      }
    });
  }

  static async open(target: string): Promise<HeldRelay> {
    const [host, port] = target.split(':');
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return new HeldRelay(server, { host, port: Number(port) });
  }

  get address(): string {
    const address = this.server.address();
    if (address === null || typeof address === 'string') throw new Error('relay is not listening');
    return `127.0.0.1:${address.port}`;
  }

  release(): void {
    this.released = true;
    for (const socket of this.held.splice(0)) this.pipe(socket);
  }

  close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private pipe(socket: Socket): void {
    const upstream = createConnection(this.target);
    upstream.on('error', () => socket.destroy());
    socket.once('close', () => upstream.destroy());
    socket.pipe(upstream).pipe(socket);
    socket.resume();
  }
}

let temporal: TestWorkflowEnvironment | undefined;
const dataDirs: string[] = [];
const processes: UpProcess[] = [];
const databases: TestDatabase[] = [];

function freshDataDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pairs-up-interrupt-'));
  dataDirs.push(dir);
  return dir;
}

afterAll(async () => {
  for (const proc of processes) proc.kill();
  await temporal?.teardown();
  for (const database of databases) await database.drop();
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
});

test('SIGINT while the start waits on Temporal: exit 130, the embedded database and the run lock are released', async () => {
  temporal = await startTemporal();
  const relay = await HeldRelay.open(temporal.connection.options.address);
  try {
    const dataDir = freshDataDir();
    const apiPort = await stablePort([]);
    const proc = new UpProcess(
      ['--data-dir', dataDir, '--api-port', String(apiPort), '--sim-port', '0'],
      unconfiguredEnv({ TEMPORAL_ADDRESS: relay.address }),
    );
    processes.push(proc);
    // The start is now connecting to Temporal through the relay, and stays there until released.
    await relay.connected;
    proc.signal('SIGINT');
    await waitFor('the SIGINT to be seen', 30_000, proc, () => (proc.output.includes('SIGINT during start') ? true : undefined), 100);
    relay.release();

    const exit = await Promise.race([proc.exited, new Promise<null>((r) => setTimeout(() => r(null), STOP_WITHIN_MS))]);
    expect(exit).toEqual({ code: 130, signal: null });
    // The start went no further than the step it was in.
    expect(proc.output).not.toContain('broker: simulator');
    const dbPort = Number(/served on postgres:\/\/\S+:(\d+)\//.exec(proc.output)?.[1]);
    expect(dbPort).toBeGreaterThan(0);
    expect(await portIsFree(dbPort)).toBe(true);
    expect(existsSync(path.join(dataDir, RUN_LOCK_FILE))).toBe(false);
  } finally {
    await relay.close();
  }
});

test('an interrupt right after the dev server started stops the dev server again', async () => {
  const dataDir = freshDataDir();
  const ports: number[] = [];
  for (let k = 0; k < 3; k++) ports.push(await stablePort(ports));
  // PostgreSQL stands in for embedded PGlite, which cannot load inside Jest's module sandbox.
  const database = await createTestDatabase('up_interrupt', { migrate: false });
  databases.push(database);
  const env = unconfiguredEnv({ DATABASE_URL: database.url });
  const options = resolveUpOptions(
    { dataDir, apiPort: String(ports[0]), temporalPort: String(ports[1]), uiPort: String(ports[2]), simPort: '0' },
    env,
  );
  const interrupt = new AbortController();
  const lines: string[] = [];
  const log = (line: string) => {
    lines.push(line);
    if (line.startsWith('temporal: dev server on')) interrupt.abort();
  };

  await expect(startStack(options, log, env, interrupt.signal)).rejects.toBeInstanceOf(StartInterrupted);
  expect(lines.some((l) => l.startsWith('temporal: dev server on'))).toBe(true);
  expect(lines.some((l) => l.startsWith('broker:'))).toBe(false);
  expect(await portIsFree(options.temporalPort)).toBe(true);
  expect(await portIsFree(options.uiPort)).toBe(true);
  expect(existsSync(path.join(dataDir, RUN_LOCK_FILE))).toBe(false);
});
