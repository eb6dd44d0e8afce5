/**
 * The harness's verdict, computed only from the simulator's own records (its order log and positions) and the
 * database's own rows — never from what the harness believes it did.
 */
import type { ReconTrade } from '../strategy/reconciliation';

/** One order as the simulator records it (Alpaca JSON shape, numbers as strings). */
export interface SimOrderRecord {
  client_order_id: string;
  symbol: string;
  side: 'buy' | 'sell';
  qty: string;
  filled_qty: string;
  filled_avg_price: string | null;
  status: string;
}

export interface SimPositionRecord {
  symbol: string;
  qty: string;
}

export interface AuditTrade extends Omit<ReconTrade, 'pairId'> {
  workflowId: string | null;
  entryPrice1: number | null;
  entryPrice2: number | null;
  exitPrice1: number | null;
  exitPrice2: number | null;
}

export interface WorkflowRecord {
  workflowId: string;
  /** Temporal's execution status name: RUNNING, COMPLETED, FAILED, TERMINATED, ... */
  status: string;
}

export interface AuditFinding {
  kind: 'duplicate_order' | 'naked_leg' | 'db_broker_mismatch' | 'stuck_workflow' | 'unattributed_order';
  detail: string;
}

export interface AuditResult {
  lifecycles: number;
  duplicate_orders: number;
  naked_legs: number;
  db_broker_mismatches: number;
  stuck_workflows: number;
  /** Orders whose client id is not one of the engine's leg ids (reported, not one of the four counts). */
  unattributed_orders: number;
  /** Trades left in a live status (PENDING, OPEN, CLOSING, NEEDS_ATTENTION) when all were driven to exit. */
  non_final_trades: number;
  /** Trades left NEEDS_ATTENTION (an exit or compensation that had not completed). */
  attention_trades: number;
  findings: AuditFinding[];
}

type Phase = 'entry' | 'comp' | 'exit';
/** A leg order's client id; `-x` is the opening rest of an order that had to cross flat (broker/composite-order.ts). */
const LEG_ID = /^(pair-trade-\d+-\d+)-(entry|comp|exit)-leg([12])(?:-r(\d+))?(-x)?$/;

export function parseLegClientId(clientOrderId: string): { workflowId: string; phase: Phase; leg: 1 | 2; round: number; cross: boolean } | null {
  const m = LEG_ID.exec(clientOrderId);
  return m ? { workflowId: m[1], phase: m[2] as Phase, leg: Number(m[3]) as 1 | 2, round: m[4] ? Number(m[4]) : 0, cross: m[5] !== undefined } : null;
}

interface LegFills {
  /** Signed filled quantity (buy +, sell -). */
  net: number;
  filled: number;
  notional: number;
  /** Quantity of the first-round order: what the workflow meant to trade in this phase. */
  firstQty: number | null;
  orders: number;
}

const emptyLeg = (): LegFills => ({ net: 0, filled: 0, notional: 0, firstQty: null, orders: 0 });

function pricesDiffer(recorded: number | null, fills: LegFills): boolean {
  if (fills.filled === 0) return false;
  if (recorded === null) return true;
  const actual = fills.notional / fills.filled;
  return Math.abs(recorded - actual) > 1e-4 * Math.max(1, Math.abs(actual)) + 1e-4;
}

export function audit(input: {
  orders: SimOrderRecord[];
  positions: SimPositionRecord[];
  trades: AuditTrade[];
  workflows: WorkflowRecord[];
  /** Trades expected to end in a terminal state (CLOSED or FAILED): the harness drove them to exit. */
  expectTerminal: boolean;
}): AuditResult {
  const findings: AuditFinding[] = [];
  const add = (kind: AuditFinding['kind'], detail: string): void => {
    findings.push({ kind, detail });
  };

  // Any client id submitted twice.
  const seenIds = new Map<string, number>();
  for (const o of input.orders) seenIds.set(o.client_order_id, (seenIds.get(o.client_order_id) ?? 0) + 1);
  for (const [id, n] of seenIds) if (n > 1) add('duplicate_order', `client id ${id} recorded ${n} times`);

  // Fills per workflow, phase and leg, from the simulator's log.
  const legs = new Map<string, LegFills>();
  const legOf = (workflowId: string, phase: Phase, leg: number): LegFills => {
    const key = `${workflowId}|${phase}|${leg}`;
    let fills = legs.get(key);
    if (!fills) legs.set(key, (fills = emptyLeg()));
    return fills;
  };
  for (const o of input.orders) {
    const id = parseLegClientId(o.client_order_id);
    if (!id) {
      add('unattributed_order', `order ${o.client_order_id} ${o.side} ${o.qty} ${o.symbol} (${o.status})`);
      continue;
    }
    const fills = legOf(id.workflowId, id.phase, id.leg);
    const filled = Number(o.filled_qty);
    fills.orders += 1;
    fills.filled += filled;
    fills.net += o.side === 'buy' ? filled : -filled;
    fills.notional += filled * Number(o.filled_avg_price ?? 0);
    // Round 0 is what the workflow meant to trade in this phase; a crossing order is its two parts together.
    if (id.round === 0) fills.firstQty = (fills.firstQty ?? 0) + Number(o.qty);
  }

  // More filled for one logical leg than the workflow meant: a second order for the same leg got through.
  const workflowIds = new Set([...legs.keys()].map((k) => k.split('|')[0]));
  for (const workflowId of workflowIds) {
    for (const leg of [1, 2]) {
      const entry = legOf(workflowId, 'entry', leg);
      if (entry.firstQty !== null && entry.filled > entry.firstQty) {
        add('duplicate_order', `${workflowId} entry leg${leg}: filled ${entry.filled} > ordered ${entry.firstQty}`);
      }
      const unwound = legOf(workflowId, 'exit', leg).filled + legOf(workflowId, 'comp', leg).filled;
      if (unwound > entry.filled) {
        add('duplicate_order', `${workflowId} leg${leg}: exit+comp filled ${unwound} > entry filled ${entry.filled}`);
      }
    }
  }

  const byWorkflow = new Map(input.trades.filter((t) => t.workflowId).map((t) => [t.workflowId!, t]));
  for (const workflowId of workflowIds) {
    if (!byWorkflow.has(workflowId)) add('db_broker_mismatch', `broker has orders of ${workflowId}, the database has no such trade`);
  }

  // Per trade: legs left behind, and recorded fills against the broker's.
  for (const t of input.trades) {
    if (!t.workflowId) continue;
    const netLeg = (leg: 1 | 2): number =>
      legOf(t.workflowId!, 'entry', leg).net + legOf(t.workflowId!, 'comp', leg).net + legOf(t.workflowId!, 'exit', leg).net;
    const net1 = netLeg(1);
    const net2 = netLeg(2);
    if (t.status === 'OPEN') {
      if (net1 === 0 || net2 === 0) add('naked_leg', `trade ${t.id} OPEN with broker legs ${net1}/${net2}`);
    } else {
      if (net1 !== 0) add('naked_leg', `trade ${t.id} ${t.status}: leg1 ${t.symbol1} still ${net1}`);
      if (net2 !== 0) add('naked_leg', `trade ${t.id} ${t.status}: leg2 ${t.symbol2} still ${net2}`);
    }
    if (t.status === 'OPEN' || t.status === 'CLOSING' || t.status === 'CLOSED') {
      const e1 = legOf(t.workflowId, 'entry', 1);
      const e2 = legOf(t.workflowId, 'entry', 2);
      const held1 = Math.abs(e1.net + legOf(t.workflowId, 'comp', 1).net);
      const held2 = Math.abs(e2.net + legOf(t.workflowId, 'comp', 2).net);
      if (t.qty1 !== held1 || t.qty2 !== held2) {
        add('db_broker_mismatch', `trade ${t.id}: recorded qty ${t.qty1}/${t.qty2}, broker entry fills leave ${held1}/${held2}`);
      }
      if (pricesDiffer(t.entryPrice1, e1) || pricesDiffer(t.entryPrice2, e2)) {
        add(
          'db_broker_mismatch',
          `trade ${t.id}: recorded entry prices ${t.entryPrice1}/${t.entryPrice2}, broker ${e1.notional / e1.filled}/${e2.notional / e2.filled}`,
        );
      }
    }
    if (t.status === 'CLOSED') {
      const x1 = legOf(t.workflowId, 'exit', 1);
      const x2 = legOf(t.workflowId, 'exit', 2);
      if (pricesDiffer(t.exitPrice1, x1) || pricesDiffer(t.exitPrice2, x2)) {
        add(
          'db_broker_mismatch',
          `trade ${t.id}: recorded exit prices ${t.exitPrice1}/${t.exitPrice2}, broker ${x1.notional / x1.filled}/${x2.notional / x2.filled}`,
        );
      }
    }
  }

  // Broker net position per symbol against what OPEN trades in the database imply.
  const implied = new Map<string, number>();
  const bump = (symbol: string, qty: number): void => {
    implied.set(symbol, (implied.get(symbol) ?? 0) + qty);
  };
  for (const t of input.trades) {
    bump(t.symbol1, 0);
    bump(t.symbol2, 0);
    if (t.status !== 'OPEN' || t.qty1 === null || t.qty2 === null) continue;
    const sign1 = t.side === 'LONG_SPREAD' ? 1 : -1;
    bump(t.symbol1, sign1 * t.qty1);
    bump(t.symbol2, -sign1 * t.qty2);
  }
  const actual = new Map(input.positions.map((p) => [p.symbol, Number(p.qty)]));
  for (const symbol of new Set([...implied.keys(), ...actual.keys()])) {
    const a = actual.get(symbol) ?? 0;
    const e = implied.get(symbol) ?? 0;
    if (a !== e) add('db_broker_mismatch', `${symbol}: broker position ${a}, OPEN trades imply ${e}`);
  }

  // Workflows: every pair-trade execution must have completed (a trade left OPEN on purpose waits RUNNING).
  const openTradeWorkflows = new Set(input.trades.filter((t) => t.status === 'OPEN').map((t) => t.workflowId));
  for (const w of input.workflows) {
    if (w.status === 'COMPLETED') continue;
    if (w.status === 'RUNNING' && !input.expectTerminal && openTradeWorkflows.has(w.workflowId)) continue;
    add('stuck_workflow', `${w.workflowId} is ${w.status}`);
  }

  const terminal = input.trades.filter((t) => {
    const w = input.workflows.find((x) => x.workflowId === t.workflowId);
    return (t.status === 'CLOSED' || t.status === 'FAILED') && w?.status === 'COMPLETED';
  });
  const count = (kind: AuditFinding['kind']): number => findings.filter((f) => f.kind === kind).length;
  return {
    lifecycles: terminal.length,
    duplicate_orders: count('duplicate_order'),
    naked_legs: count('naked_leg'),
    db_broker_mismatches: count('db_broker_mismatch'),
    stuck_workflows: count('stuck_workflow'),
    unattributed_orders: count('unattributed_order'),
    non_final_trades: input.expectTerminal ? input.trades.filter((t) => t.status !== 'CLOSED' && t.status !== 'FAILED').length : 0,
    attention_trades: input.trades.filter((t) => t.status === 'NEEDS_ATTENTION').length,
    findings,
  };
}
