import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { commandLineOf, HAS_PROC } from './processes';

export interface PortOwner {
  pid: number;
  command: string | null;
}

const LISTEN = '0A';

/** Inodes of the sockets listening on `port` (IPv4 and IPv6), from /proc/net/tcp{,6}. */
function listeningInodes(port: number): Set<string> {
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue; // no IPv6 in this kernel
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields.length < 10 || fields[3] !== LISTEN) continue;
      const localPort = parseInt(fields[1].slice(fields[1].lastIndexOf(':') + 1), 16);
      if (localPort === port) inodes.add(fields[9]);
    }
  }
  return inodes;
}

/**
 * The process listening on 127.0.0.1's `port`, found through /proc: the socket's inode in /proc/net/tcp, then the
 * process holding a descriptor to it. Null when it cannot be told (no /proc, or a process of another user).
 */
export function findPortOwner(port: number): PortOwner | null {
  if (!HAS_PROC) return null;
  const inodes = listeningInodes(port);
  if (inodes.size === 0) return null;
  const wanted = new Set([...inodes].map((inode) => `socket:[${inode}]`));
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${entry}/fd`);
    } catch {
      continue; // gone, or not ours to look into
    }
    for (const fd of fds) {
      let target: string;
      try {
        target = readlinkSync(`/proc/${entry}/fd/${fd}`);
      } catch {
        continue;
      }
      if (wanted.has(target)) {
        const pid = Number(entry);
        return { pid, command: commandLineOf(pid) };
      }
    }
  }
  return null;
}
