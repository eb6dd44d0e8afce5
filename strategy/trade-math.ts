import type { TradeSide } from './signals';

/** The symbol whose leg is sold short on entry. */
export function shortLegSymbol(side: TradeSide, symbol1: string, symbol2: string): string {
  return side === 'LONG_SPREAD' ? symbol2 : symbol1;
}

export interface TradeFills {
  side: TradeSide;
  qty1: number;
  qty2: number;
  entry1: number;
  entry2: number;
  exit1: number;
  exit2: number;
}

/** Realised P&L of both legs, the short one included: long gains exit - entry, short gains entry - exit. */
export function tradePnl(t: TradeFills): number {
  const sign1 = t.side === 'LONG_SPREAD' ? 1 : -1;
  return sign1 * (t.exit1 - t.entry1) * t.qty1 - sign1 * (t.exit2 - t.entry2) * t.qty2;
}

export function holdHours(entryTime: Date, exitTime: Date): number {
  return Math.max(0, (exitTime.getTime() - entryTime.getTime()) / 3_600_000);
}

/** Signed net position per symbol a trade holds while open (long +, short -). */
export function tradeExposure(side: TradeSide, symbol1: string, symbol2: string, qty1: number, qty2: number): Array<[string, number]> {
  const sign1 = side === 'LONG_SPREAD' ? 1 : -1;
  return [
    [symbol1, sign1 * qty1],
    [symbol2, -sign1 * qty2],
  ];
}
