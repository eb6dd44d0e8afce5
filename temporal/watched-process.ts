import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import type { WatchdogMessage } from './watchdog';

// Run from source through tsx, or from the compiled build as plain JavaScript.
const COMPILED = __filename.endsWith('.js');
const WATCHDOG = path.join(__dirname, COMPILED ? 'watchdog.js' : 'watchdog.ts');
const WATCHDOG_NODE_ARGS = COMPILED ? [] : ['--require', require.resolve('tsx/cjs')];

/** Where the command's stdout or stderr goes: nowhere, our own, a pipe to us, or an open file descriptor. */
export type OutputTarget = 'ignore' | 'inherit' | 'pipe' | number;

export interface WatchedOptions {
  stdout?: OutputTarget;
  stderr?: OutputTarget;
  /** Between SIGTERM and SIGKILL when the command is stopped. */
  graceMs?: number;
  /**
   * Keep our event loop alive until the command exits (a build we wait for). By default a watched command,
   * like a server, does not keep us alive.
   */
  keepAlive?: boolean;
  /** The command's environment (default: ours). */
  env?: NodeJS.ProcessEnv;
}

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface WatchedProcess {
  /** The command's pid, which is also its process group id. */
  pid: number;
  watchdogPid: number;
  stdout: Readable | null;
  stderr: Readable | null;
  /** Set once the watchdog has exited; the command's process group is gone by then. */
  readonly exitStatus: ExitStatus | null;
  exited: Promise<ExitStatus>;
  /** SIGTERM to the command's group, SIGKILL after the grace period; resolves when it is gone. */
  stop(): Promise<ExitStatus>;
}

function killQuietly(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}

/**
 * Runs `command` so that it never outlives this process: a watchdog process (temporal/watchdog.ts), started in
 * a session of its own so that a signal to our process group cannot take it down first, runs the command and
 * stops the command's whole process group as soon as our IPC channel to it closes, which the kernel does
 * when we die, SIGKILL included. Ctrl-C in our terminal does not reach the command either: it is stopped
 * only through stop() or our death.
 */
export async function spawnWatched(command: string, args: string[], options: WatchedOptions = {}): Promise<WatchedProcess> {
  const graceMs = options.graceMs ?? 5000;
  const watchdog: ChildProcess = spawn(process.execPath, [...WATCHDOG_NODE_ARGS, WATCHDOG, String(graceMs), command, ...args], {
    detached: true,
    env: options.env ?? process.env,
    stdio: ['ignore', options.stdout ?? 'ignore', options.stderr ?? 'ignore', 'ipc'],
  });
  let exitStatus: ExitStatus | null = null;
  const exited = new Promise<ExitStatus>((resolve) => {
    watchdog.once('exit', (code, signal) => {
      exitStatus = { code, signal };
      resolve(exitStatus);
    });
  });

  const pid = await new Promise<number>((resolve, reject) => {
    const onMessage = (message: WatchdogMessage): void => {
      if (message.type === 'spawned') resolve(message.pid);
      else reject(new Error(`cannot run ${command}: ${message.message}`));
    };
    watchdog.on('message', onMessage);
    watchdog.once('error', (err) => reject(new Error(`cannot start the watchdog for ${command}: ${err.message}`)));
    void exited.then((status) => reject(new Error(`the watchdog for ${command} exited (${status.signal ?? status.code}) before starting it`)));
  });
  // From here on the command lives as long as we do, no longer; unless asked, it does not keep our event loop alive.
  if (!options.keepAlive) {
    watchdog.unref();
    watchdog.channel?.unref();
    for (const pipe of [watchdog.stdout, watchdog.stderr]) (pipe as Socket | null)?.unref();
  }

  const stop = async (): Promise<ExitStatus> => {
    if (exitStatus) return exitStatus;
    if (watchdog.connected) watchdog.disconnect();
    const timer = setTimeout(() => {
      // The watchdog did not finish its job: do it here.
      killQuietly(-pid, 'SIGKILL');
      killQuietly(watchdog.pid!, 'SIGKILL');
    }, graceMs + 3000);
    const status = await exited;
    clearTimeout(timer);
    return status;
  };

  return {
    pid,
    watchdogPid: watchdog.pid!,
    stdout: watchdog.stdout,
    stderr: watchdog.stderr,
    get exitStatus() {
      return exitStatus;
    },
    exited,
    stop,
  };
}
