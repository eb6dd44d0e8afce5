import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { searchAttributeServerArgs } from '../../workflows/search-attributes';

export const REPO_ROOT = path.resolve(__dirname, '../..');
export const TEMPORAL_BINARY = process.env.TEMPORAL_CLI ?? path.join(REPO_ROOT, '.tools/bin/temporal');

export interface TemporalServerOptions {
  /** SQLite file the dev server keeps its state in, so schedules and workflows survive restarts. */
  dbFile: string;
  port: number;
  uiPort: number;
  /** Server output goes here rather than to our terminal. */
  logFile: string;
  binary?: string;
  startTimeoutMs?: number;
}

export interface TemporalServer {
  address: string;
  uiUrl: string;
  stop(): Promise<void>;
}

/** Runs scripts/install-temporal.sh when the Temporal CLI is missing (it builds the CLI from source once). */
export async function ensureTemporalBinary(binary = TEMPORAL_BINARY): Promise<string> {
  if (existsSync(binary)) return binary;
  await new Promise<void>((resolve, reject) => {
    const child = spawn('bash', [path.join(REPO_ROOT, 'scripts/install-temporal.sh')], { stdio: 'inherit' });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`scripts/install-temporal.sh exited with ${code}`))));
  });
  if (!existsSync(binary)) throw new Error(`Temporal CLI still missing at ${binary}`);
  return binary;
}

function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => { clearTimeout(timer); resolve(true); });
  });
}

/** `temporal server start-dev` on 127.0.0.1 with our search attributes; resolves once the frontend answers. */
export async function startTemporalServer(options: TemporalServerOptions): Promise<TemporalServer> {
  const binary = await ensureTemporalBinary(options.binary);
  mkdirSync(path.dirname(options.dbFile), { recursive: true });
  const log = createWriteStream(options.logFile, { flags: 'a' });
  const args = [
    'server', 'start-dev',
    '--db-filename', options.dbFile,
    '--ip', '127.0.0.1',
    '--port', String(options.port),
    '--ui-port', String(options.uiPort),
    '--log-level', 'warn',
    ...searchAttributeServerArgs(),
  ];
  // Its own process group: Ctrl-C in a terminal signals the whole foreground group, and the server must outlive
  // the worker's shutdown; we stop it last. Killed on our exit too, so it never outlives us.
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const killOnExit = (): void => { child.kill('SIGKILL'); };
  process.once('exit', killOnExit);
  child.once('exit', () => process.off('exit', killOnExit));
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  let exitCode: number | null = null;
  child.on('exit', (code) => { exitCode = code ?? -1; });
  const address = `127.0.0.1:${options.port}`;

  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      if (!(await waitForExit(child, 5000))) {
        child.kill('SIGKILL');
        await waitForExit(child, 2000);
      }
    }
    log.end();
  };

  const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
  for (;;) {
    if (exitCode !== null) {
      await stop();
      throw new Error(`temporal dev server exited with ${exitCode} during start; see ${options.logFile}`);
    }
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1000 });
      try {
        await connection.healthService.check({});
      } finally {
        await connection.close();
      }
      break;
    } catch (err) {
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`temporal dev server did not answer on ${address}: ${(err as Error).message}; see ${options.logFile}`);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  return { address, uiUrl: `http://127.0.0.1:${options.uiPort}`, stop };
}
