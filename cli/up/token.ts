import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface ApiTokenSource {
  token: string;
  /** Where the token came from: the env variable, or the file it is kept in. */
  origin: { kind: 'env' } | { kind: 'file'; path: string; created: boolean };
}

/**
 * PAIRS_API_TOKEN when set; otherwise the token kept in `<dataDir>/api-token`, generated (32 random bytes, hex)
 * on first use and written with mode 0600. Callers print the origin, never the token.
 */
export function resolveApiToken(dataDir: string, env: NodeJS.ProcessEnv = process.env): ApiTokenSource {
  const fromEnv = env.PAIRS_API_TOKEN?.trim();
  if (fromEnv) return { token: fromEnv, origin: { kind: 'env' } };
  const file = path.join(dataDir, 'api-token');
  try {
    const existing = readFileSync(file, 'utf8').trim();
    if (existing) return { token: existing, origin: { kind: 'file', path: file, created: false } };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  mkdirSync(dataDir, { recursive: true });
  const token = randomBytes(32).toString('hex');
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return { token, origin: { kind: 'file', path: file, created: true } };
}
