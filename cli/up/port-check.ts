import { createServer } from 'node:net';
import { UsageError } from '../errors';
import { findPortOwner } from '../../temporal/port-owner';

export interface PortUse {
  port: number;
  /** What `pairs up` would serve there and the flag that moves it, e.g. "Temporal frontend, --temporal-port". */
  what: string;
}

const MAX_COMMAND_CHARS = 160;

function bindError(port: number): Promise<NodeJS.ErrnoException | null> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (err: NodeJS.ErrnoException) => resolve(err));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolve(null)));
  });
}

function describeOwner(port: number): string {
  const owner = findPortOwner(port);
  if (!owner) return 'another process (not visible to this user)';
  // One line whatever the command line holds (`python3 -c` scripts have newlines).
  const flat = owner.command?.replace(/\s+/g, ' ').trim() ?? null;
  const command = flat && flat.length > MAX_COMMAND_CHARS ? `${flat.slice(0, MAX_COMMAND_CHARS)}...` : flat;
  return `pid ${owner.pid}${command ? ` (${command})` : ''}`;
}

/**
 * Fails with one line naming the port and the process holding it when a port `pairs up` is about to bind is taken,
 * before anything is started. Ports given twice are reported too.
 */
export async function assertPortsFree(uses: PortUse[]): Promise<void> {
  const seen = new Map<number, PortUse>();
  for (const use of uses) {
    const earlier = seen.get(use.port);
    if (earlier) throw new UsageError(`port ${use.port} is given for both the ${earlier.what} and the ${use.what}`);
    seen.set(use.port, use);
  }
  for (const use of uses) {
    const err = await bindError(use.port);
    if (!err) continue;
    if (err.code === 'EADDRINUSE') {
      throw new UsageError(`port ${use.port} (${use.what}) is in use by ${describeOwner(use.port)}; stop it or choose another port`);
    }
    throw new UsageError(`port ${use.port} (${use.what}) cannot be bound: ${err.code ?? err.message}`);
  }
}
