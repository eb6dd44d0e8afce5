import { heartbeat, sleep } from '@temporalio/activity';
import { isFinalOrderStatus } from '../broker/order-status';
import { missingOrder, snapshotOf, type OrderSnapshot } from '../broker/order-snapshot';
import { BrokerError, type Broker } from '../broker/types';
import type { LegOrderRequest, PairTradeActivities } from '../workflows/contracts/pair-trade';
import { brokerCall, toActivityFailure } from './broker-errors';

export interface OrderActivitiesDeps {
  broker: Broker;
  /** First poll interval of a fill wait; doubles up to 2 s. */
  pollMs?: number;
}

export type OrderActivities = Pick<PairTradeActivities, 'submitLegOrder' | 'awaitOrderFinal' | 'cancelLegOrder'>;

export function createOrderActivities({ broker, pollMs = 200 }: OrderActivitiesDeps): OrderActivities {
  return {
    /**
     * Places a market order unless the broker already has one with this client id (a retry after a lost
     * reply, or a replayed workflow): the client id, derived from the workflow, is the idempotency key.
     */
    async submitLegOrder(request: LegOrderRequest): Promise<OrderSnapshot> {
      const existing = await brokerCall(() => broker.getOrderByClientId(request.clientOrderId));
      if (existing) return snapshotOf(existing);
      return snapshotOf(await brokerCall(() => broker.submitMarketOrder(request)));
    },

    /**
     * Polls an order until it is final or `waitMs` has passed, heartbeating so a lost worker is detected;
     * returns the last state seen (possibly still working — the workflow decides what to do then).
     */
    async awaitOrderFinal(input: { clientOrderId: string; waitMs: number }): Promise<OrderSnapshot> {
      const deadline = Date.now() + input.waitMs;
      let interval = pollMs;
      for (;;) {
        const order = await brokerCall(() => broker.getOrderByClientId(input.clientOrderId));
        const snap: OrderSnapshot = order ? snapshotOf(order) : missingOrder(input.clientOrderId);
        heartbeat(snap.status);
        if (isFinalOrderStatus(snap.status) || Date.now() + interval > deadline) return snap;
        await sleep(interval); // rejects when the activity is cancelled
        interval = Math.min(interval * 2, 2000);
      }
    },

    /**
     * Cancels what is left of an order that stopped filling, so a flatten order sized from its filled
     * quantity cannot be overtaken by a late fill; returns the order once final (or as it is when the broker
     * cannot cancel). Cancelling an order that has just become final is not an error.
     */
    async cancelLegOrder(input: { clientOrderId: string }): Promise<OrderSnapshot> {
      let order = await brokerCall(() => broker.getOrderByClientId(input.clientOrderId));
      if (!order) return missingOrder(input.clientOrderId);
      if (isFinalOrderStatus(order.status) || !broker.cancelOrder) return snapshotOf(order);
      const orderId = order.id;
      try {
        await broker.cancelOrder(orderId);
      } catch (err) {
        if (!(err instanceof BrokerError) || err.retryable) throw toActivityFailure(err);
      }
      for (let i = 0; i < 25; i++) {
        order = await brokerCall(() => broker.getOrderByClientId(input.clientOrderId));
        if (!order || isFinalOrderStatus(order.status)) break;
        heartbeat('cancelling');
        await sleep(200);
      }
      return order ? snapshotOf(order) : missingOrder(input.clientOrderId);
    },
  };
}

