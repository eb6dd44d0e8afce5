import { crossClientOrderId } from '../broker/composite-order';
import type { Broker, BrokerOrder } from '../broker/types';
import { legClientOrderId } from '../workflows/contracts/pair-trade';
import { brokerCall } from './broker-errors';

/** Rounds of compensation orders looked up past the first (untilFlat re-orders with backoff after MAX_FLATTEN_ROUNDS). */
const MAX_ROUNDS_LOOKED_UP = 50;

/**
 * What a failed entry cost, from the broker's own fills of its orders (entry legs and their compensation, crossing
 * rests included, all named from the workflow id): buys paid minus sells received. Positive is a loss; 0 when
 * nothing filled. Only meaningful once the compensation left the trade flat (the caller records FAILED then).
 */
export async function failedEntryCost(broker: Broker, workflowId: string): Promise<number> {
  const lookup = (id: string): Promise<BrokerOrder | null> => brokerCall(() => broker.getOrderByClientId(id));
  let cost = 0;
  const add = (o: BrokerOrder | null): void => {
    if (!o || o.filledQty <= 0 || o.filledAvgPrice === null) return;
    cost += (o.side === 'buy' ? 1 : -1) * o.filledQty * o.filledAvgPrice;
  };
  for (const leg of [1, 2] as const) {
    for (const phase of ['entry', 'comp'] as const) {
      for (let round = 0; round <= (phase === 'entry' ? 0 : MAX_ROUNDS_LOOKED_UP); round++) {
        const id = legClientOrderId(workflowId, phase, leg, round);
        const order = await lookup(id);
        if (!order && round > 0) break;
        add(order);
        if (order) add(await lookup(crossClientOrderId(id)));
      }
    }
  }
  return Math.round(cost * 100) / 100;
}
