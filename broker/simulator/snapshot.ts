/** Durable simulator state: one JSON file, written atomically (temp + rename), debounced, flushed on stop. */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { ClockSnapshot } from './clock';
import type { ExchangeSnapshot } from './exchange';

export interface SimulatorSnapshot {
  version: 1;
  seed: number;
  universeSize: number;
  accountId: string;
  createdAt: number;
  clock: ClockSnapshot;
  exchange: ExchangeSnapshot;
}

export function loadSnapshot(file: string): SimulatorSnapshot | null {
  if (!existsSync(file)) return null;
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as SimulatorSnapshot;
  if (parsed.version !== 1) throw new Error(`${file}: unsupported simulator state version ${String(parsed.version)}`);
  return parsed;
}

export class SnapshotWriter {
  private timer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(private readonly file: string, private readonly take: () => SimulatorSnapshot, private readonly debounceMs = 20) {}

  schedule(): void {
    if (this.timer || this.closed) return;
    this.timer = setTimeout(() => this.flush(), this.debounceMs);
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.closed) return;
    const temp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(temp, JSON.stringify(this.take()));
    renameSync(temp, this.file);
  }

  close(): void {
    this.flush();
    this.closed = true;
  }
}
