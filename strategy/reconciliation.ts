import type { TradeSide } from './signals';
import type { TradeStatus } from './trade-status';
import { tradeExposure } from './trade-math';

export interface ReconTrade {
  id: number;
  pairId: number;
  status: TradeStatus;
  side: TradeSide;
  symbol1: string;
  symbol2: string;
  qty1: number | null;
  qty2: number | null;
}

export interface SymbolDiscrepancy {
  symbol: string;
  /** Broker's signed net quantity. */
  actual: number;
  /** Range the live trades explain: exact for OPEN trades, 0..full for CLOSING ones. */
  expectedMin: number;
  expectedMax: number;
  tradeIds: number[];
}

export interface ReconciliationReport {
  /** Positions (or parts) no trade explains: they block new entries (fail closed). */
  unexplained: SymbolDiscrepancy[];
  /** OPEN trades with a leg the broker no longer (fully) holds. */
  missing: Array<SymbolDiscrepancy & { tradeId: number }>;
  /** Symbols of PENDING trades: their entry orders may be mid-flight, so they are not judged. */
  inFlux: string[];
  /** Trades whose exit or compensation could not complete yet (NEEDS_ATTENTION): still retrying, reported every cycle. */
  attention?: Array<{ tradeId: number; pairId: number; symbols: string[] }>;
  checkedSymbols: number;
}

/**
 * Compares broker positions with what the live pair trades should hold, per symbol (several pairs may
 * share a symbol, so exposure is summed). PENDING trades make a symbol "in flux" and unjudged.
 */
export function reconcilePositions(positions: Array<{ symbol: string; qty: number }>, trades: ReconTrade[]): ReconciliationReport {
  const ranges = new Map<string, { min: number; max: number; tradeIds: number[]; openIds: number[] }>();
  const inFlux = new Set<string>();
  const rangeOf = (symbol: string) => {
    let r = ranges.get(symbol);
    if (!r) ranges.set(symbol, (r = { min: 0, max: 0, tradeIds: [], openIds: [] }));
    return r;
  };
  const attention: NonNullable<ReconciliationReport['attention']> = [];
  for (const t of trades) {
    if (t.status === 'NEEDS_ATTENTION') attention.push({ tradeId: t.id, pairId: t.pairId, symbols: [t.symbol1, t.symbol2] });
    if (t.status === 'PENDING' || t.qty1 === null || t.qty2 === null) {
      inFlux.add(t.symbol1);
      inFlux.add(t.symbol2);
      continue;
    }
    for (const [symbol, qty] of tradeExposure(t.side, t.symbol1, t.symbol2, t.qty1, t.qty2)) {
      const r = rangeOf(symbol);
      r.tradeIds.push(t.id);
      if (t.status === 'OPEN') {
        r.min += qty;
        r.max += qty;
        r.openIds.push(t.id);
      } else {
        // CLOSING or NEEDS_ATTENTION: anywhere between fully held and flat.
        r.min += Math.min(0, qty);
        r.max += Math.max(0, qty);
      }
    }
  }
  const actualBySymbol = new Map<string, number>();
  for (const p of positions) actualBySymbol.set(p.symbol, (actualBySymbol.get(p.symbol) ?? 0) + p.qty);

  const report: ReconciliationReport = { unexplained: [], missing: [], inFlux: [...inFlux].sort(), attention, checkedSymbols: 0 };
  const symbols = new Set([...ranges.keys(), ...actualBySymbol.keys()]);
  for (const symbol of [...symbols].sort()) {
    if (inFlux.has(symbol)) continue;
    report.checkedSymbols++;
    const actual = actualBySymbol.get(symbol) ?? 0;
    const r = ranges.get(symbol) ?? { min: 0, max: 0, tradeIds: [], openIds: [] };
    if (actual >= r.min && actual <= r.max) continue;
    const d: SymbolDiscrepancy = { symbol, actual, expectedMin: r.min, expectedMax: r.max, tradeIds: r.tradeIds };
    // Less exposure than expected, on the expected side of flat: an OPEN trade lost (part of) its leg.
    const short = r.max < 0 && actual > r.max && actual <= 0;
    const long = r.min > 0 && actual < r.min && actual >= 0;
    if ((short || long) && r.openIds.length > 0) {
      for (const tradeId of r.openIds) report.missing.push({ ...d, tradeId });
    } else {
      report.unexplained.push(d);
    }
  }
  return report;
}

export function describeReconciliation(report: ReconciliationReport): string[] {
  return [
    ...report.unexplained.map((d) => `unexplained position ${d.symbol}: broker ${d.actual}, trades explain ${d.expectedMin}..${d.expectedMax}`),
    ...report.missing.map(
      (d) => `trade ${d.tradeId}: position ${d.symbol} missing (broker ${d.actual}, expected ${d.expectedMin}..${d.expectedMax})`,
    ),
    ...(report.attention ?? []).map(
      (a) => `trade ${a.tradeId} (pair ${a.pairId}) NEEDS ATTENTION: exit or compensation not complete in ${a.symbols.join(', ')}`,
    ),
  ];
}
