import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UsageError } from '../../cli/errors';
import { RUN_LOCK_FILE, acquireRunLock } from '../../cli/up/run-lock';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'run-lock-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** The pid of a process that has exited. */
function deadPid(): number {
  const child = spawnSync('sh', ['-c', 'echo $$'], { encoding: 'utf8' });
  return Number(child.stdout.trim());
}

test('takes a free lock with its record in place, refuses a second holder while it is held, and releases', () => {
  const lock = acquireRunLock(dir);
  expect(lock.crashedRun).toBeNull();
  expect(JSON.parse(readFileSync(path.join(dir, RUN_LOCK_FILE), 'utf8'))).toMatchObject({ pid: process.pid });
  expect(() => acquireRunLock(dir)).toThrow(UsageError);
  expect(() => acquireRunLock(dir)).toThrow(new RegExp(`in use by another \`pairs up\` \\(pid ${process.pid}`));
  lock.release();
  expect(existsSync(path.join(dir, RUN_LOCK_FILE))).toBe(false);
  expect(readdirSync(dir)).toEqual([]);
});

test('takes over the lock of a run that died and reports it', () => {
  const dead = { pid: deadPid(), startTime: null, startedAt: '2026-01-01T00:00:00.000Z' };
  writeFileSync(path.join(dir, RUN_LOCK_FILE), JSON.stringify(dead));
  const lock = acquireRunLock(dir);
  expect(lock.crashedRun).toEqual(dead);
  expect(JSON.parse(readFileSync(path.join(dir, RUN_LOCK_FILE), 'utf8'))).toMatchObject({ pid: process.pid });
  expect(readdirSync(dir)).toEqual([RUN_LOCK_FILE]);
  lock.release();
});

test('an empty lock file (an older version crashed while writing it) is taken over', () => {
  writeFileSync(path.join(dir, RUN_LOCK_FILE), '');
  const lock = acquireRunLock(dir);
  expect(lock.crashedRun).toEqual({ pid: 0, startTime: null, startedAt: 'unknown' });
  lock.release();
});
