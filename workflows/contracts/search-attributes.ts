import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** Search attributes on pair-trade workflows, so the Temporal Web UI can find trades without the database. */
export const PAIR_ID = defineSearchAttributeKey('PairId', SearchAttributeType.KEYWORD);
export const PAIR_NAME = defineSearchAttributeKey('PairName', SearchAttributeType.KEYWORD);
export const TRADE_SIDE = defineSearchAttributeKey('TradeSide', SearchAttributeType.KEYWORD);
export const TRADE_STATUS = defineSearchAttributeKey('TradeStatus', SearchAttributeType.KEYWORD);

export const SEARCH_ATTRIBUTES = [PAIR_ID, PAIR_NAME, TRADE_SIDE, TRADE_STATUS];

/** `--search-attribute Name=Type` arguments for `temporal server start-dev`. */
export function searchAttributeServerArgs(): string[] {
  return SEARCH_ATTRIBUTES.flatMap((key) => ['--search-attribute', `${key.name}=Keyword`]);
}
