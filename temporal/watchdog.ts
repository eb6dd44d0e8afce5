/**
 * The watchdog process behind spawnWatched(): runs one command in a process group of its own and stops that
 * group when the process that started the watchdog goes away for any reason, SIGKILL included. The parent
 * holds the other end of our IPC channel; the kernel closes it when the parent dies, and 'disconnect' fires.
 * Stopping is SIGTERM to the command's group, then SIGKILL after the grace period. The watchdog exits when
 * the command does, with its exit status.
 *
 * Usage (only through spawnWatched): node -r tsx/cjs temporal/watchdog.ts <graceMs> <command> [args...]
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:os';

export type WatchdogMessage = { type: 'spawned'; pid: number } | { type: 'spawn-failed'; message: string };

function send(message: WatchdogMessage): void {
  if (process.connected) process.send?.(message);
}

function main(): void {
  const [graceArg, command, ...args] = process.argv.slice(2);
  const graceMs = Number(graceArg);
  if (!process.send || !command || !Number.isInteger(graceMs) || graceMs < 0) {
    process.stderr.write('watchdog: started without an IPC channel or with bad arguments; use spawnWatched()\n');
    process.exit(2);
  }

  const child = spawn(command, args, { detached: true, stdio: ['ignore', 'inherit', 'inherit'] });
  const signalGroup = (signal: NodeJS.Signals): void => {
    if (child.pid === undefined) return;
    try {
      process.kill(-child.pid, signal);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
    }
  };

  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    signalGroup('SIGTERM');
    setTimeout(() => signalGroup('SIGKILL'), graceMs);
  };

  child.once('spawn', () => send({ type: 'spawned', pid: child.pid! }));
  child.once('error', (err) => {
    send({ type: 'spawn-failed', message: err.message });
    process.exit(127);
  });
  child.once('exit', (code, signal) => {
    // Whatever the command started in its group goes with it.
    signalGroup('SIGKILL');
    process.exit(code ?? 128 + (signal ? constants.signals[signal] : 0));
  });
  process.on('disconnect', stop);
  // The parent runs in another session; these come from someone stopping the watchdog on purpose.
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(signal, stop);
}

if (require.main === module) main();
