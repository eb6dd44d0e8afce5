import { ApplicationFailure, heartbeat, sleep } from '@temporalio/activity';
import { closingPartQty, compositeView, crossClientOrderId, type CompositeView } from '../broker/composite-order';
import { isFinalOrderStatus } from '../broker/order-status';
import { missingOrder, snapshotOf, type OrderSnapshot } from '../broker/order-snapshot';
import { BrokerError, type Broker, type OrderSide } from '../broker/types';
import type { Db } from '../db/connection';
import { claimLane, getLane, releaseLane, type SymbolLane } from '../db/queries/symbol-lanes';
import type { LegOrderRequest, OrderLookup, PairTradeActivities } from '../workflows/contracts/pair-trade';
import { brokerCall, toActivityFailure } from './broker-errors';

export interface OrderActivitiesDeps {
  broker: Broker;
  /** Holds the per-symbol order lanes (README "One account, one lane per symbol"). */
  db: Db;
  /** First poll interval of a fill wait; doubles up to 2 s. */
  pollMs?: number;
  /**
   * A lane whose holder has no order at the broker this long after claiming it (the holder died between claim and
   * submission), or whose holder left its crossing rest unsent this long, may be taken over.
   */
  laneStaleMs?: number;
}

export type OrderActivities = Pick<PairTradeActivities, 'submitLegOrder' | 'awaitOrderFinal' | 'cancelLegOrder'>;

/** Retryable: Temporal's retry policy is the wait for a busy symbol lane. */
function symbolBusy(symbol: string, holder: string): ApplicationFailure {
  return ApplicationFailure.create({
    message: `symbol ${symbol} has an engine order in flight (${holder}); waiting for it to finish`,
    type: 'SymbolBusy',
    nextRetryDelay: '2s',
  });
}

export function createOrderActivities({ broker, db, pollMs = 200, laneStaleMs = 15 * 60_000 }: OrderActivitiesDeps): OrderActivities {
  const lookup = async (clientOrderId: string): Promise<OrderSnapshot> => {
    const order = await brokerCall(() => broker.getOrderByClientId(clientOrderId));
    return order ? snapshotOf(order) : missingOrder(clientOrderId);
  };

  /** The engine order named `clientOrderId` with its crossing rest, if it has one. */
  const composite = async (clientOrderId: string, wantQty: number | null): Promise<CompositeView> => {
    const first = await lookup(clientOrderId);
    const needsSecond = first.status !== 'missing' && wantQty !== null && first.qty < wantQty;
    return compositeView(first, needsSecond ? await lookup(crossClientOrderId(clientOrderId)) : null, wantQty);
  };

  const wantedQty = async (input: OrderLookup): Promise<number | null> => {
    if (input.qty !== undefined) return input.qty;
    // Executions started before the lookup carried the request: the lane row still knows what was asked.
    const first = await lookup(input.clientOrderId);
    if (first.status === 'missing') return null;
    const lane = await getLane(db, first.symbol);
    return lane?.client_order_id === input.clientOrderId ? lane.qty : null;
  };

  /** True when the lane's holder can no longer trade: its composite order is final, or it is stale. */
  const holderDone = async (lane: SymbolLane): Promise<boolean> => {
    const view = await composite(lane.client_order_id, lane.qty);
    const age = Date.now() - new Date(lane.acquired_at).getTime();
    if (view.snapshot.status === 'missing') return age > laneStaleMs / 5;
    if (view.final) return true;
    return view.crossDue && age > laneStaleMs;
  };

  /** Takes the symbol's lane for this order, or throws the retryable SymbolBusy. */
  const acquireLane = async (request: { clientOrderId: string; symbol: string; side: OrderSide; qty: number }): Promise<void> => {
    const claim = { symbol: request.symbol, clientOrderId: request.clientOrderId, side: request.side, qty: request.qty };
    for (let attempt = 0; attempt < 3; attempt++) {
      const lane = await getLane(db, request.symbol);
      if (!lane) {
        if (await claimLane(db, claim, null)) return;
        continue;
      }
      if (lane.client_order_id === request.clientOrderId) return;
      if (!(await holderDone(lane))) throw symbolBusy(request.symbol, lane.client_order_id);
      if (await claimLane(db, claim, lane.client_order_id)) return;
    }
    throw symbolBusy(request.symbol, 'contended');
  };

  const netPosition = async (symbol: string): Promise<number> => {
    const positions = await brokerCall(() => broker.getPositions());
    return positions.filter((p) => p.symbol === symbol).reduce((sum, p) => sum + p.qty, 0);
  };

  /** Sends the opening rest of a crossing order once its closing part has filled (idempotent by client id). */
  const sendCrossRest = async (
    view: CompositeView,
    request: { clientOrderId: string; symbol: string; side: OrderSide; qty: number },
  ): Promise<void> => {
    await acquireLane(request);
    await brokerCall(() =>
      broker.submitMarketOrder({
        clientOrderId: crossClientOrderId(request.clientOrderId),
        symbol: request.symbol,
        side: request.side,
        qty: view.crossQty,
      }),
    );
  };

  /** Moves a composite order on (sends a due rest) and frees its lane once it is final. */
  const progress = async (clientOrderId: string, wantQty: number | null): Promise<CompositeView> => {
    let view = await composite(clientOrderId, wantQty);
    if (view.crossDue && wantQty !== null) {
      try {
        await sendCrossRest(view, { clientOrderId, symbol: view.snapshot.symbol, side: view.snapshot.side, qty: wantQty });
      } catch (err) {
        if (!(err instanceof ApplicationFailure && err.type === 'SymbolBusy')) throw err;
      }
      view = await composite(clientOrderId, wantQty);
    }
    if (view.final && view.snapshot.status !== 'missing') await releaseLane(db, view.snapshot.symbol, clientOrderId);
    return view;
  };

  return {
    /**
     * Places a leg order unless the broker already has one with this client id (a retry after a lost reply, or
     * a replayed workflow): the client id, derived from the workflow, is the idempotency key, and this lookup is
     * the only thing that precedes a resubmission (the adapter submits once; Temporal's policy retries). The
     * symbol's lane is taken first, so no other engine order is open in the symbol (no wash trade, no shares
     * held by another order); an order that would cross flat is split at the net position.
     */
    async submitLegOrder(request: LegOrderRequest): Promise<OrderSnapshot> {
      const existing = await composite(request.clientOrderId, request.qty);
      if (existing.snapshot.status !== 'missing') return (await progress(request.clientOrderId, request.qty)).snapshot;
      await acquireLane(request);
      const position = await netPosition(request.symbol);
      const qty = closingPartQty(position, request.side, request.qty);
      try {
        await broker.submitMarketOrder({ clientOrderId: request.clientOrderId, symbol: request.symbol, side: request.side, qty });
      } catch (err) {
        // A refused order leaves the lane free for others; an ambiguous failure keeps it (the order may exist).
        if (err instanceof BrokerError && !err.retryable) await releaseLane(db, request.symbol, request.clientOrderId);
        throw toActivityFailure(err);
      }
      return (await progress(request.clientOrderId, request.qty)).snapshot;
    },

    /**
     * Polls an order until it is final or `waitMs` has passed, heartbeating so a lost worker is detected;
     * returns the last state seen (possibly still working — the workflow decides what to do then).
     */
    async awaitOrderFinal(input: OrderLookup & { waitMs: number }): Promise<OrderSnapshot> {
      const deadline = Date.now() + input.waitMs;
      const wantQty = await wantedQty(input);
      let interval = pollMs;
      for (;;) {
        const view = await progress(input.clientOrderId, wantQty);
        heartbeat(view.snapshot.status);
        if (view.final || Date.now() + interval > deadline) return view.snapshot;
        await sleep(interval); // rejects when the activity is cancelled
        interval = Math.min(interval * 2, 2000);
      }
    },

    /**
     * Cancels what is left of an order that stopped filling, so a flatten order sized from its filled
     * quantity cannot be overtaken by a late fill; returns the order once final (or as it is when the broker
     * cannot cancel). Cancelling an order that has just become final is not an error. A crossing rest not yet
     * sent is simply not sent.
     */
    async cancelLegOrder(input: OrderLookup): Promise<OrderSnapshot> {
      const wantQty = await wantedQty(input);
      let view = await composite(input.clientOrderId, wantQty);
      if (view.snapshot.status === 'missing') return view.snapshot;
      const symbol = view.snapshot.symbol;
      if (view.crossDue) {
        await releaseLane(db, symbol, input.clientOrderId);
        return { ...view.snapshot, qty: view.snapshot.filledQty, status: 'filled' };
      }
      const open = [crossClientOrderId(input.clientOrderId), input.clientOrderId];
      for (const clientOrderId of open) {
        const order = await brokerCall(() => broker.getOrderByClientId(clientOrderId));
        if (!order || isFinalOrderStatus(order.status) || !broker.cancelOrder) continue;
        try {
          await broker.cancelOrder(order.id);
        } catch (err) {
          if (!(err instanceof BrokerError) || err.retryable) throw toActivityFailure(err);
        }
      }
      for (let i = 0; i < 25; i++) {
        view = await composite(input.clientOrderId, wantQty);
        if (view.final || view.crossDue) break;
        heartbeat('cancelling');
        await sleep(200);
      }
      if (view.final || view.crossDue) await releaseLane(db, symbol, input.clientOrderId);
      return view.crossDue ? { ...view.snapshot, qty: view.snapshot.filledQty, status: 'filled' } : view.snapshot;
    },
  };
}
