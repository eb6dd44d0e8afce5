/** `node bin/pairs.js up` as a child process of a test, and the small waits the `pairs up` suites share. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';

export const REPO = path.resolve(__dirname, '../..');

export function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * A free port below the kernel's ephemeral range (32768+ on Linux), so no outgoing connection takes it
 * between two starts that must reuse it.
 */
export async function stablePort(taken: number[]): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (!taken.includes(port) && (await portIsFree(port))) return port;
  }
}

/** The environment of a fresh clone with nothing configured. */
export function unconfiguredEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of [
    'DATABASE_URL',
    'TEMPORAL_ADDRESS',
    'ALPACA_KEY_ID',
    'ALPACA_SECRET_KEY',
    'ALPACA_SIM_URL',
    'PAIRS_API_TOKEN',
    'PAIRS_DATA_DIR',
    'PAIRS_API_PORT',
    'LOG_LEVEL',
    'PAIRS_CONFIG',
  ])
    delete env[key];
  return { ...env, ...extra };
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export class UpProcess {
  stdout = '';
  stderr = '';
  readonly exited: Promise<Exit>;
  readonly startedAt = Date.now();
  private readonly child: ChildProcess;

  /** `ownGroup`: lead a process group of its own, so a test can kill the whole group as a terminal would. */
  constructor(args: string[], env: NodeJS.ProcessEnv, { ownGroup = false }: { ownGroup?: boolean } = {}) {
    this.child = spawn(process.execPath, [path.join(REPO, 'bin/pairs.js'), 'up', ...args], {
      cwd: REPO,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: ownGroup,
    });
    this.child.stdout!.on('data', (d: Buffer) => {
      this.stdout += d.toString();
    });
    this.child.stderr!.on('data', (d: Buffer) => {
      this.stderr += d.toString();
    });
    this.exited = new Promise((resolve) => this.child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  get pid(): number {
    return this.child.pid!;
  }

  get output(): string {
    return this.stdout + this.stderr;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  signal(sig: NodeJS.Signals): void {
    this.child.kill(sig);
  }

  /** SIGKILL to the whole process group (only for a process started with `ownGroup`). */
  killGroup(): void {
    process.kill(-this.pid, 'SIGKILL');
  }

  /** Last resort in afterAll: the process group is not ours to kill, only this child. */
  kill(): void {
    if (this.running) this.child.kill('SIGKILL');
  }
}

export async function getJson<T>(url: string, init?: RequestInit): Promise<T> {
  const res = await fetch(url, init);
  if (!res.ok) throw new Error(`${init?.method ?? 'GET'} ${url}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** Polls until `check` returns a value (not undefined) or the deadline passes; fails early if `proc` exits. */
export async function waitFor<T>(
  what: string,
  deadlineMs: number,
  proc: UpProcess | null,
  check: () => Promise<T | undefined> | T | undefined,
  everyMs = 1000,
): Promise<{ value: T; ms: number }> {
  const started = Date.now();
  let lastError = '';
  while (Date.now() - started < deadlineMs) {
    if (proc && !proc.running) throw new Error(`pairs up exited while waiting for ${what}:\n${proc.output}`);
    try {
      const value = await check();
      if (value !== undefined) return { value, ms: Date.now() - started };
    } catch (err) {
      lastError = err instanceof Error ? err.message : String(err);
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out after ${deadlineMs} ms waiting for ${what} (${lastError})${proc ? `\n${proc.output}` : ''}`);
}
