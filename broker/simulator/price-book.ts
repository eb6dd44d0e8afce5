/**
 * Raw trade prices of one simulator: the shared Market's model price, frozen while the symbol is halted or after it
 * is delisted, divided by the split factor of the New York day (see MarketEvents).
 */
import type { Market, SymbolModel } from './market';
import { newYorkDay, type MarketEvents } from './market-events';

export class PriceBook {
  constructor(
    readonly market: Market,
    readonly events: MarketEvents,
  ) {}

  /**
   * Raw trade price at simulated time ms (the last trade before a halt or delisting while stopped), in the shares
   * of `asOfMs`'s day (default: of ms itself), e.g. yesterday's close restated after a split.
   */
  priceAt(model: SymbolModel, ms: number, asOfMs = ms): number {
    const stop = this.events.stoppedAt(model.symbol, ms);
    return this.market.priceAt(model, stop ? stop.fromMs : ms) / this.events.splitFactor(model.symbol, newYorkDay(asOfMs));
  }

  /** Product of the symbol's split ratios up to ms's New York day: model prices ÷ it = raw prices of that day. */
  splitFactorAt(symbol: string, ms: number): number {
    return this.events.splitFactor(symbol, newYorkDay(ms));
  }

  /** Time of the latest trade at or before ms: ms in a session, else the last close (or the halt start). */
  lastTradeTime(model: SymbolModel, ms: number): number {
    const stop = this.events.stoppedAt(model.symbol, ms);
    const at = stop ? stop.fromMs : ms;
    const calendar = this.market.calendar;
    const si = calendar.sessionIndexAt(at);
    if (si < 0) return at;
    const session = calendar.sessions[si];
    return at < session.closeMs ? at : session.closeMs - 1;
  }
}
