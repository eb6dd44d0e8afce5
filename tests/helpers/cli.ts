import { spawnSync } from 'node:child_process';
import path from 'node:path';

export const PAIRS_BIN = path.resolve(__dirname, '../../bin/pairs.js');

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `pairs ...args` as a separate process, the way a user does. */
export function runPairs(args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 120_000): CliResult {
  const result = spawnSync(process.execPath, [PAIRS_BIN, ...args], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: timeoutMs,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
