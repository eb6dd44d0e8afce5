/**
 * Crash harness: `npm run chaos -- --lifecycles N [--json] [--seed S] [--concurrency C]`.
 *
 * Runs N pair-trade lifecycles through a real Temporal dev server and a `pairs worker` child process that is
 * SIGKILLed at random points and restarted, against the simulator with faults on. The verdict comes from the
 * simulator's order log and positions and from the database's rows (see chaos/audit.ts). Exit code 0 only
 * when every lifecycle ended and the four problem counts are 0. With --json the last line is the JSON summary.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runChaos, type ChaosOptions } from '../chaos/run';

function parseArgs(argv: string[]): ChaosOptions & { json: boolean; keepLogs: boolean } {
  const options = {
    lifecycles: 10,
    seed: 1,
    concurrency: 4,
    json: false,
    keepLogs: false,
    settleDeadlineMs: 180_000,
    lifecycleDeadlineMs: 600_000,
    fixedClock: false,
    minUptimeMs: 2000,
    maxUptimeMs: 12_000,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = (): number => {
      const n = Number(argv[++i]);
      if (!Number.isInteger(n) || n < 0) throw new Error(`${arg} needs a non-negative integer`);
      return n;
    };
    if (arg === '--lifecycles') options.lifecycles = value();
    else if (arg === '--seed') options.seed = value();
    else if (arg === '--concurrency') options.concurrency = Math.max(1, value());
    else if (arg === '--settle-deadline-ms') options.settleDeadlineMs = value();
    else if (arg === '--lifecycle-deadline-ms') options.lifecycleDeadlineMs = value();
    else if (arg === '--uptime-ms') {
      const [lo, hi] = (argv[++i] ?? '').split('-').map(Number);
      if (!(lo >= 0 && hi >= lo)) throw new Error('--uptime-ms needs MIN-MAX milliseconds');
      options.minUptimeMs = lo;
      options.maxUptimeMs = hi;
    } else if (arg === '--json') options.json = true;
    else if (arg === '--fixed-clock') options.fixedClock = true;
    else if (arg === '--keep-logs') options.keepLogs = true;
    else if (arg === '--help' || arg === '-h') {
      process.stdout.write(
        'usage: npm run chaos -- --lifecycles N [--json] [--seed S] [--concurrency C] [--settle-deadline-ms MS] [--lifecycle-deadline-ms MS] [--uptime-ms MIN-MAX] [--fixed-clock] [--keep-logs]\n',
      );
      process.exit(0);
    } else throw new Error(`unknown argument ${arg}`);
  }
  return options;
}

async function main(): Promise<void> {
  let options;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`chaos: ${(err as Error).message}\n`);
    process.exit(2);
  }
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'pairs-chaos-'));
  const say = (line: string): void => {
    process.stderr.write(`chaos: ${line}\n`);
  };
  const summary = await runChaos({ ...options, workDir, log: say });
  for (const finding of summary.findings.slice(0, 50)) say(`finding ${finding.kind}: ${finding.detail}`);
  for (const note of summary.driverNotes.slice(0, 20)) say(`driver: ${note}`);
  const problems = summary.duplicate_orders + summary.naked_legs + summary.db_broker_mismatches + summary.stuck_workflows;
  const ok = problems === 0 && summary.non_final_trades === 0 && summary.attention_trades === 0 && summary.lifecycles === options.lifecycles;
  say(
    `${ok ? 'PASS' : 'FAIL'}: ${summary.lifecycles}/${options.lifecycles} lifecycles (${summary.closed} closed, ${summary.failed} failed of which ${summary.failedWithoutOrders} placed no order), ` +
      `${summary.kills} kills, ${summary.faults} faults, ${(summary.elapsedMs / 1000).toFixed(1)} s; worker log ${options.keepLogs ? workDir : '(deleted)'}`,
  );
  if (!options.keepLogs) rmSync(workDir, { recursive: true, force: true });
  const line = {
    lifecycles: summary.lifecycles,
    kills: summary.kills,
    faults: summary.faults,
    duplicate_orders: summary.duplicate_orders,
    naked_legs: summary.naked_legs,
    db_broker_mismatches: summary.db_broker_mismatches,
    stuck_workflows: summary.stuck_workflows,
    non_final_trades: summary.non_final_trades,
    attention_trades: summary.attention_trades,
  };
  if (options.json) process.stdout.write(`${JSON.stringify(line)}\n`);
  else
    process.stdout.write(
      `${JSON.stringify({ ...line, fault_kinds: summary.faultKinds, closed: summary.closed, failed: summary.failed, failed_without_orders: summary.failedWithoutOrders, elapsed_s: summary.elapsedMs / 1000 }, null, 2)}\n`,
    );
  process.exit(ok ? 0 : 1);
}

main().catch((err: unknown) => {
  process.stderr.write(`chaos: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
