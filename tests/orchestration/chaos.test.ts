/**
 * The crash harness end to end: 10 trade lifecycles while the `pairs worker` process is SIGKILLed and
 * restarted, with simulator faults on. The verdict comes from the simulator's and the database's own records
 * (cli/chaos.ts, chaos/audit.ts); this test only reads the JSON line the harness prints last.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { audit, type AuditTrade, type SimOrderRecord } from '../../chaos/audit';

const ROOT = path.resolve(__dirname, '../..');
const LIFECYCLES = 10;
/** Under a loaded 2-core machine a worker start alone can take 20 s; the run usually takes 2-4 minutes. */
jest.setTimeout(20 * 60_000);

interface ChaosLine {
  lifecycles: number;
  kills: number;
  faults: number;
  duplicate_orders: number;
  naked_legs: number;
  db_broker_mismatches: number;
  stuck_workflows: number;
  non_final_trades: number;
  attention_trades: number;
}

function runChaos(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-r', 'tsx/cjs', path.join(ROOT, 'cli/chaos.ts'), ...args], { cwd: ROOT, env: process.env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
    // Jest timing out still stops the harness, which then stops its servers and drops its database.
    const timer = setTimeout(() => child.kill('SIGTERM'), 19 * 60_000);
    child.on('exit', () => clearTimeout(timer));
  });
}

describe('crash harness (npm run chaos)', () => {
  it(`survives worker SIGKILLs and broker faults over ${LIFECYCLES} lifecycles with no duplicate, naked or mismatched position`, async () => {
    const result = await runChaos(['--lifecycles', String(LIFECYCLES), '--concurrency', '5', '--json', '--seed', '5']);
    const lines = result.stdout.trim().split('\n');
    let summary: ChaosLine;
    try {
      summary = JSON.parse(lines[lines.length - 1]) as ChaosLine;
    } catch {
      throw new Error(`no JSON line from the harness (exit ${result.code}):\n${result.stdout}\n${result.stderr.slice(-4000)}`);
    }
    const problems = {
      duplicate_orders: summary.duplicate_orders,
      naked_legs: summary.naked_legs,
      db_broker_mismatches: summary.db_broker_mismatches,
      stuck_workflows: summary.stuck_workflows,
    };
    if (result.code !== 0) process.stderr.write(result.stderr.slice(-4000));
    expect(problems).toEqual({ duplicate_orders: 0, naked_legs: 0, db_broker_mismatches: 0, stuck_workflows: 0 });
    expect({ non_final_trades: summary.non_final_trades, attention_trades: summary.attention_trades }).toEqual({
      non_final_trades: 0,
      attention_trades: 0,
    });
    expect(summary.lifecycles).toBe(LIFECYCLES);
    expect(summary.kills).toBeGreaterThan(0);
    expect(summary.faults).toBeGreaterThan(0);
    expect(result.code).toBe(0);
  });
});

describe('chaos audit (the verdict the harness prints)', () => {
  const wf = 'pair-trade-1-7';
  const order = (id: string, symbol: string, side: 'buy' | 'sell', qty: number, filled = qty, price = 10): SimOrderRecord => ({
    client_order_id: id,
    symbol,
    side,
    qty: String(qty),
    filled_qty: String(filled),
    filled_avg_price: filled > 0 ? String(price) : null,
    status: filled === qty ? 'filled' : 'canceled',
  });
  const trade = (over: Partial<AuditTrade> = {}): AuditTrade => ({
    id: 7,
    workflowId: wf,
    status: 'CLOSED',
    side: 'LONG_SPREAD',
    symbol1: 'AAA',
    symbol2: 'BBB',
    qty1: 100,
    qty2: 50,
    entryPrice1: 10,
    entryPrice2: 20,
    exitPrice1: 11,
    exitPrice2: 19,
    ...over,
  });
  const closedOrders = (): SimOrderRecord[] => [
    order(`${wf}-entry-leg1`, 'AAA', 'buy', 100, 100, 10),
    order(`${wf}-entry-leg2`, 'BBB', 'sell', 50, 50, 20),
    order(`${wf}-exit-leg1`, 'AAA', 'sell', 100, 100, 11),
    order(`${wf}-exit-leg2`, 'BBB', 'buy', 50, 50, 19),
  ];
  const completed = [{ workflowId: wf, status: 'COMPLETED' }];

  it('passes a clean closed lifecycle', () => {
    const v = audit({ orders: closedOrders(), positions: [], trades: [trade()], workflows: completed, expectTerminal: true });
    expect(v.findings).toEqual([]);
    expect(v.lifecycles).toBe(1);
  });

  it('reads an order that crossed flat (closing part plus its -x opening rest) as one order of the leg', () => {
    const orders = closedOrders().filter((o) => o.client_order_id !== `${wf}-exit-leg1`);
    orders.push(order(`${wf}-exit-leg1`, 'AAA', 'sell', 40, 40, 11), order(`${wf}-exit-leg1-x`, 'AAA', 'sell', 60, 60, 11));
    const v = audit({ orders, positions: [], trades: [trade()], workflows: completed, expectTerminal: true });
    expect(v.findings).toEqual([]);
    expect(v.non_final_trades).toBe(0);
  });

  it('counts a second filled order for the same leg as a duplicate (and the leftover as naked and mismatched)', () => {
    const orders = [...closedOrders(), order(`${wf}-entry-leg1-r1`, 'AAA', 'buy', 100, 100, 10)];
    const v = audit({ orders, positions: [{ symbol: 'AAA', qty: '100' }], trades: [trade()], workflows: completed, expectTerminal: true });
    expect(v.duplicate_orders).toBeGreaterThan(0);
    expect(v.naked_legs).toBe(1);
    expect(v.db_broker_mismatches).toBeGreaterThan(0);
  });

  it('counts a FAILED trade whose filled leg was never flattened as a naked leg', () => {
    const orders = [order(`${wf}-entry-leg1`, 'AAA', 'buy', 100, 100), order(`${wf}-entry-leg2`, 'BBB', 'sell', 50, 0)];
    const v = audit({
      orders,
      positions: [{ symbol: 'AAA', qty: '100' }],
      trades: [trade({ status: 'FAILED', qty1: null, qty2: null })],
      workflows: completed,
      expectTerminal: true,
    });
    expect(v.naked_legs).toBe(1);
    expect(v.db_broker_mismatches).toBe(1);
  });

  it('counts recorded fills that differ from the broker, and workflows that did not complete', () => {
    const v = audit({
      orders: closedOrders(),
      positions: [],
      trades: [trade({ exitPrice1: 12, qty2: 49 })],
      workflows: [{ workflowId: wf, status: 'RUNNING' }],
      expectTerminal: true,
    });
    expect(v.db_broker_mismatches).toBe(2);
    expect(v.stuck_workflows).toBe(1);
    expect(v.lifecycles).toBe(0);
  });
});
