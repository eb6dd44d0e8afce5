import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../errors';
import { isRunning, startTimeOf } from './processes';

export const RUN_LOCK_FILE = 'pairs-up.lock';

interface LockRecord {
  pid: number;
  /** With the pid, tells the owner from a later process that reuses its pid (null where /proc is missing). */
  startTime: string | null;
  startedAt: string;
}

export interface RunLock {
  file: string;
  /** The lock an earlier run left behind: it ended without a clean stop (crash, kill -9, power cut). */
  crashedRun: LockRecord | null;
  /** Removes the lock file if it is still ours; safe to call twice. */
  release(): void;
}

function readLock(file: string): LockRecord | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  try {
    const parsed = JSON.parse(text) as Partial<LockRecord>;
    return typeof parsed.pid === 'number' ? { pid: parsed.pid, startTime: parsed.startTime ?? null, startedAt: String(parsed.startedAt) } : null;
  } catch {
    return null; // cut short by a crash while it was being written: nobody holds it
  }
}

function ownerIsAlive(record: LockRecord): boolean {
  return isRunning(record.pid) && (record.startTime === null || startTimeOf(record.pid) === record.startTime);
}

function unlinkIfPresent(file: string): void {
  try {
    unlinkSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

/**
 * `<dataDir>/pairs-up.lock`, holding our pid: one `pairs up` per data directory. A lock whose owner is gone
 * is taken over and reported as `crashedRun`; a live owner is a usage error.
 */
export function acquireRunLock(dataDir: string): RunLock {
  const file = path.join(dataDir, RUN_LOCK_FILE);
  const ours: LockRecord = { pid: process.pid, startTime: startTimeOf(process.pid), startedAt: new Date().toISOString() };
  let crashedRun: LockRecord | null = null;
  for (let attempt = 0; attempt < 3; attempt++) {
    let fd: number;
    try {
      fd = openSync(file, 'wx', 0o600);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = readLock(file);
      if (holder && ownerIsAlive(holder)) {
        throw new UsageError(
          `${dataDir} is in use by another \`pairs up\` (pid ${holder.pid}, started ${holder.startedAt}); stop it or use another --data-dir`,
        );
      }
      crashedRun = holder ?? crashedRun ?? { pid: 0, startTime: null, startedAt: 'unknown' };
      unlinkIfPresent(file);
      continue;
    }
    try {
      writeSync(fd, `${JSON.stringify(ours)}\n`);
    } finally {
      closeSync(fd);
    }
    let released = false;
    return {
      file,
      crashedRun,
      release() {
        if (released) return;
        released = true;
        if (readLock(file)?.pid === ours.pid) unlinkIfPresent(file);
      },
    };
  }
  throw new Error(`could not take the lock ${file}: another start keeps recreating it`);
}
