/** The process table as Linux's /proc shows it; every reader returns null or nothing where /proc does not exist. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';

export interface ProcessInfo {
  pid: number;
  ppid: number;
  state: string;
  /** Clock ticks after boot: with the pid, it tells a process from a later one that reuses its pid. */
  startTime: string;
  argv: string[];
}

export const HAS_PROC = existsSync('/proc/self/stat');

function readOrNull(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null; // the process exited meanwhile, or is not ours to read
  }
}

export function readProcess(pid: number): ProcessInfo | null {
  const stat = readOrNull(`/proc/${pid}/stat`);
  if (stat === null) return null;
  // The command name (field 2) is in parentheses and may hold spaces; the fields after it are plain.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const cmdline = readOrNull(`/proc/${pid}/cmdline`) ?? '';
  return { pid, state: fields[0], ppid: Number(fields[1]), startTime: fields[19], argv: cmdline.split('\0').filter(Boolean) };
}

export function listProcesses(): ProcessInfo[] {
  if (!HAS_PROC) return [];
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map((name) => readProcess(Number(name)))
    .filter((p): p is ProcessInfo => p !== null);
}

/** Running, that is: present and not a zombie waiting to be reaped. */
export function isRunning(pid: number): boolean {
  if (HAS_PROC) {
    const info = readProcess(pid);
    return info !== null && info.state !== 'Z';
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function startTimeOf(pid: number): string | null {
  return HAS_PROC ? (readProcess(pid)?.startTime ?? null) : null;
}

export function commandLineOf(pid: number): string | null {
  const argv = HAS_PROC ? readProcess(pid)?.argv : undefined;
  return argv && argv.length > 0 ? argv.join(' ') : null;
}

/** Signals `pids`, waits until they are gone, SIGKILLs the rest after `graceMs`; returns the pids still running. */
export async function stopProcesses(pids: number[], graceMs: number): Promise<number[]> {
  const send = (pid: number, signal: NodeJS.Signals): void => {
    try {
      process.kill(pid, signal);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
    }
  };
  const waitGone = async (ms: number): Promise<number[]> => {
    const deadline = Date.now() + ms;
    let alive = pids.filter(isRunning);
    while (alive.length > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      alive = alive.filter(isRunning);
    }
    return alive;
  };
  for (const pid of pids) send(pid, 'SIGTERM');
  const stubborn = await waitGone(graceMs);
  for (const pid of stubborn) send(pid, 'SIGKILL');
  return stubborn.length > 0 ? waitGone(2000) : [];
}
