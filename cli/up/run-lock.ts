import { linkSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../errors';
import { isRunning, startTimeOf } from '../../temporal/processes';

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
    return null; // not a lock record (e.g. an empty file an older version left when it crashed): nobody holds it
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

function sameRecord(a: LockRecord | null, b: LockRecord | null): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Moves a dead owner's lock aside. Two starts may both find it dead: the first moves it and takes the lock;
 * the second then finds that what it moved is not the record it judged, and puts the live lock back.
 */
function takeOverStale(file: string, judged: LockRecord | null): void {
  const aside = `${file}.${process.pid}.stale`;
  try {
    renameSync(file, aside);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  if (!sameRecord(readLock(aside), judged)) {
    try {
      linkSync(aside, file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  unlinkIfPresent(aside);
}

/**
 * `<dataDir>/pairs-up.lock`, holding our pid: one `pairs up` per data directory. A lock whose owner is gone
 * is taken over and reported as `crashedRun`; a live owner is a usage error.
 */
export function acquireRunLock(dataDir: string): RunLock {
  const file = path.join(dataDir, RUN_LOCK_FILE);
  const ours: LockRecord = { pid: process.pid, startTime: startTimeOf(process.pid), startedAt: new Date().toISOString() };
  let crashedRun: LockRecord | null = null;
  // The record is written to a file of our own and linked into place: the lock never exists without its content.
  const draft = `${file}.${process.pid}.new`;
  writeFileSync(draft, `${JSON.stringify(ours)}\n`, { mode: 0o600 });
  try {
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        linkSync(draft, file);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        const holder = readLock(file);
        if (holder && ownerIsAlive(holder)) {
          throw new UsageError(
            `${dataDir} is in use by another \`pairs up\` (pid ${holder.pid}, started ${holder.startedAt}); stop it or use another --data-dir`,
          );
        }
        crashedRun = holder ?? crashedRun ?? { pid: 0, startTime: null, startedAt: 'unknown' };
        takeOverStale(file, holder);
        continue;
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
  } finally {
    unlinkIfPresent(draft);
  }
  throw new Error(`could not take the lock ${file}: another start keeps recreating it`);
}
