/**
 * Durable simulator state: one JSON file, written atomically (temp + rename), at most once per `debounceMs`,
 * flushed on stop. A change after a quiet spell is written at once, before the reply that reports it leaves,
 * so a SIGKILL cannot lose an order the client was told about; changes inside a burst follow within debounceMs.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { ClockSnapshot } from './clock';
import type { ExchangeSnapshot } from './exchange';
import type { MarketEventsSnapshot } from './market-events';

export interface SimulatorSnapshot {
  version: 1;
  seed: number;
  universeSize: number;
  accountId: string;
  createdAt: number;
  clock: ClockSnapshot;
  exchange: ExchangeSnapshot;
  /** Absent in files written before splits, halts and delistings existed (the seeded calendar is used). */
  events?: MarketEventsSnapshot;
  actionsAppliedThrough?: number;
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
  private lastWriteMs = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly file: string,
    private readonly take: () => SimulatorSnapshot,
    private readonly debounceMs = 20,
  ) {}

  schedule(): void {
    if (this.timer || this.closed) return;
    const wait = this.lastWriteMs + this.debounceMs - Date.now();
    if (wait <= 0) this.flush();
    else this.timer = setTimeout(() => this.flush(), wait);
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.closed) return;
    const temp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(temp, JSON.stringify(this.take()));
    renameSync(temp, this.file);
    this.lastWriteMs = Date.now();
  }

  close(): void {
    this.flush();
    this.closed = true;
  }
}
