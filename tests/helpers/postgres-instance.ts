import { execFileSync } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../temporal/free-port';

/**
 * A private PostgreSQL 15 cluster for tests that must stop or restart the server: the machine's shared
 * server on 5432 serves other test files concurrently and must never be restarted.
 */
export const PG_BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';

export interface PostgresInstance {
  port: number;
  dataDir: string;
  /** Superuser URL of database `name` (default `postgres`). */
  url(name?: string): string;
  start(): void;
  stop(mode?: 'fast' | 'immediate'): void;
  /** Stops (fast: every session is disconnected) and starts again on the same port and data. */
  restart(): void;
  /** Stops the server and deletes the cluster. */
  destroy(): void;
}

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

/** initdb refuses to run as root: run the server binaries as the `postgres` system user then. */
function pgExec(binary: string, args: string[]): string {
  const file = path.join(PG_BIN, binary);
  const [command, argv] = isRoot ? ['runuser', ['-u', 'postgres', '--', file, ...args]] : [file, args];
  return execFileSync(command, argv, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
}

function postgresUid(): { uid: number; gid: number } {
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  return { uid, gid };
}

/** Creates a trust-auth cluster on a free port of 127.0.0.1 and starts it. */
export async function startPostgresInstance(): Promise<PostgresInstance> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'pairs-pg-'));
  if (isRoot) {
    const { uid, gid } = postgresUid();
    chownSync(root, uid, gid);
  }
  const dataDir = path.join(root, 'data');
  const logFile = path.join(root, 'server.log');
  const port = await freePort();
  pgExec('initdb', ['-D', dataDir, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C']);
  // Sockets in the cluster's own directory; fsync off because the data is thrown away after the test.
  const serverOptions = `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${root} -c fsync=off -c max_connections=100`;
  let running = false;

  const instance: PostgresInstance = {
    port,
    dataDir,
    url: (name = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${name}`,
    start() {
      pgExec('pg_ctl', ['-D', dataDir, '-l', logFile, '-o', serverOptions, '-w', '-t', '60', 'start']);
      running = true;
    },
    stop(mode = 'fast') {
      if (!running) return;
      pgExec('pg_ctl', ['-D', dataDir, '-m', mode, '-w', '-t', '60', 'stop']);
      running = false;
    },
    restart() {
      instance.stop('fast');
      instance.start();
    },
    destroy() {
      try {
        instance.stop('immediate');
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    },
  };
  instance.start();
  return instance;
}
