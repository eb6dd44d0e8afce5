/**
 * The one launcher of `temporal server start-dev`, used by `pairs up`, the chaos harness, the benchmarks and the
 * tests. The server runs under a watchdog (spawnWatched), so it never outlives the process that started it.
 */
import { closeSync, existsSync, mkdirSync, openSync, readSync, fstatSync } from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { searchAttributeServerArgs } from '../workflows/contracts/search-attributes';
import { spawnWatched, type ExitStatus, type WatchedProcess } from './watched-process';
import { freePort } from './free-port';
import { findPortOwner } from './port-owner';

const REPO_ROOT = path.resolve(__dirname, '..');
const INSTALL_SCRIPT = path.join(REPO_ROOT, 'scripts/install-temporal.sh');

/** The Temporal CLI: $TEMPORAL_CLI, or the one scripts/install-temporal.sh builds into .tools/bin. */
export const TEMPORAL_CLI = process.env.TEMPORAL_CLI ?? path.join(REPO_ROOT, '.tools/bin/temporal');

export interface DevServerOptions {
  /** Frontend (gRPC) port; a free one when omitted. */
  port?: number;
  /** Web UI port; no UI when omitted. */
  uiPort?: number;
  /** SQLite file the server keeps its state in; in memory when omitted. */
  dbFile?: string;
  /** Server output is appended here; when omitted only the tail of stderr is kept, for error messages. */
  logFile?: string;
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  startTimeoutMs?: number;
  /** Further `--dynamic-config-value KEY=VALUE` settings (values as JSON, e.g. `'"1ms"'`). */
  dynamicConfig?: Record<string, string>;
}

export interface DevServer {
  address: string;
  port: number;
  uiUrl: string | null;
  /** The server's pid. */
  pid: number;
  /** Resolves when the server has exited (stopped, crashed or killed). */
  exited: Promise<ExitStatus>;
  /** SIGTERM, SIGKILL after 5 s; resolves once the server is gone. Safe to call twice. */
  stop(): Promise<void>;
}

/** Runs scripts/install-temporal.sh when the Temporal CLI is missing (it builds the CLI from source once). */
export async function ensureTemporalCli(): Promise<string> {
  if (existsSync(TEMPORAL_CLI)) return TEMPORAL_CLI;
  // Watched like the server: a build interrupted by our death must not go on without us.
  const install = await spawnWatched('bash', [INSTALL_SCRIPT], { stdout: 'inherit', stderr: 'inherit', keepAlive: true });
  const status = await install.exited;
  if (status.code !== 0) throw new Error(`scripts/install-temporal.sh failed (${status.signal ?? `exit ${status.code}`})`);
  if (!existsSync(TEMPORAL_CLI)) throw new Error(`scripts/install-temporal.sh finished but ${TEMPORAL_CLI} is still missing`);
  return TEMPORAL_CLI;
}

/** The last non-empty line of a file, read from its last 4 kB. */
function lastLineOf(file: string): string {
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    const length = Math.min(size, 4096);
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, size - length);
    return lastLine(buffer.toString('utf8'));
  } finally {
    closeSync(fd);
  }
}

function lastLine(text: string): string {
  return (
    text
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .pop() ?? '(no output)'
  );
}

async function answers(address: string): Promise<boolean> {
  try {
    const connection = await Connection.connect({ address, connectTimeout: 1000 });
    try {
      await connection.healthService.check({});
      return true;
    } finally {
      await connection.close();
    }
  } catch {
    return false;
  }
}

function serverArgs(options: DevServerOptions, port: number): string[] {
  return [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(port),
    ...(options.uiPort !== undefined ? ['--ui-port', String(options.uiPort)] : ['--headless']),
    ...(options.dbFile !== undefined ? ['--db-filename', options.dbFile] : []),
    '--log-level',
    options.logLevel ?? 'warn',
    // What the SDK's own test server sets: no version check over the network, workflow updates on.
    '--dynamic-config-value',
    'frontend.enableServerVersionCheck=false',
    '--dynamic-config-value',
    'frontend.enableUpdateWorkflowExecution=true',
    '--dynamic-config-value',
    'frontend.enableUpdateWorkflowExecutionAsyncAccepted=true',
    ...Object.entries(options.dynamicConfig ?? {}).flatMap(([key, value]) => ['--dynamic-config-value', `${key}=${value}`]),
    ...searchAttributeServerArgs(),
  ];
}

/** The arguments by which a dev server keeping its state in `dbFile` can be recognised in a process list. */
export function devServerDbArgs(dbFile: string): [string, string] {
  return ['--db-filename', dbFile];
}

/** `temporal server start-dev` on 127.0.0.1 with the engine's search attributes; resolves once the frontend answers. */
export async function startDevServer(options: DevServerOptions = {}): Promise<DevServer> {
  if (!existsSync(TEMPORAL_CLI)) throw new Error(`Temporal CLI not found at ${TEMPORAL_CLI}: run scripts/install-temporal.sh`);
  if (options.dbFile) mkdirSync(path.dirname(options.dbFile), { recursive: true });
  // A free port picked here can be taken by someone else before the server binds it: try another then.
  const attempts = options.port === undefined ? 3 : 1;
  for (let attempt = 1; ; attempt++) {
    const port = options.port ?? (await freePort());
    try {
      return await launch(options, port);
    } catch (err) {
      if (attempt >= attempts || !(err instanceof PortTaken)) throw err;
    }
  }
}

class PortTaken extends Error {}

async function launch(options: DevServerOptions, port: number): Promise<DevServer> {
  const logFd = options.logFile !== undefined ? openSync(options.logFile, 'a') : null;
  let server: WatchedProcess;
  try {
    // The server writes to the file itself: no stream of ours to outlive or to end too early.
    server = await spawnWatched(TEMPORAL_CLI, serverArgs(options, port), { stdout: logFd ?? 'ignore', stderr: logFd ?? 'pipe' });
  } finally {
    if (logFd !== null) closeSync(logFd);
  }
  let stderrTail = '';
  server.stderr?.on('data', (chunk: Buffer) => {
    stderrTail = (stderrTail + chunk.toString()).slice(-4000);
  });
  const lastOutput = (): string => (options.logFile !== undefined ? lastLineOf(options.logFile) : lastLine(stderrTail));
  const address = `127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    await server.stop();
  };

  const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
  for (;;) {
    const status = server.exitStatus;
    if (status) {
      const output = lastOutput();
      const message =
        `temporal dev server exited (${status.signal ?? `exit ${status.code}`}) during start: ${output}` +
        (options.logFile !== undefined ? `; see ${options.logFile}` : '');
      throw output.includes(`can't set frontend port ${port}`) ? new PortTaken(message) : new Error(message);
    }
    if (await answers(address)) {
      // The frontend that answers must be our server's, not one that held the port while ours failed to bind.
      const owner = findPortOwner(port);
      if (owner !== null && owner.pid !== server.pid) {
        await stop();
        throw new PortTaken(
          `port ${port} is held by pid ${owner.pid}${owner.command ? ` (${owner.command})` : ''}, not by the dev server started here`,
        );
      }
      break;
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`temporal dev server did not answer on ${address} within ${options.startTimeoutMs ?? 60_000} ms: ${lastOutput()}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    address,
    port,
    uiUrl: options.uiPort !== undefined ? `http://127.0.0.1:${options.uiPort}` : null,
    pid: server.pid,
    exited: server.exited,
    stop,
  };
}
