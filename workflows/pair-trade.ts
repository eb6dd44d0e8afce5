import {
  ApplicationFailure,
  CancellationScope,
  allHandlersFinished,
  condition,
  continueAsNew,
  log,
  patched,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import {
  DEFAULT_TRADE_TIMING,
  MAX_FLATTEN_ROUNDS,
  MAX_HISTORY_EVENTS,
  PAIR_TRADE_ACTIVITY_OPTIONS,
  TRADE_STATUS,
  closeUpdate,
  emergencyStopSignal,
  entrySides,
  exitSignal,
  legClientOrderId,
  oppositeSide,
  stateQuery,
  type CloseRequest,
  type CloseResult,
  type ExitReason,
  type LegState,
  type OrderPhase,
  type OrderSnapshot,
  type PairTradeActivities,
  type PairTradeInput,
  type PendingExit,
  type RecordedLegs,
  type TradeState,
  type TradeTiming,
} from './contracts/pair-trade';
import { isFinalOrderStatus } from '../broker/order-status';

const orders = proxyActivities<Pick<PairTradeActivities, 'submitLegOrder'>>(PAIR_TRADE_ACTIVITY_OPTIONS.orders);
const fills = proxyActivities<Pick<PairTradeActivities, 'awaitOrderFinal' | 'cancelLegOrder'>>(PAIR_TRADE_ACTIVITY_OPTIONS.fills);
const entryChecks = proxyActivities<Pick<PairTradeActivities, 'planEntry'>>(PAIR_TRADE_ACTIVITY_OPTIONS.entryChecks);
const records = proxyActivities<
  Pick<PairTradeActivities, 'recordTradeOpen' | 'recordTradeClosing' | 'recordTradeClosed' | 'recordTradeFailed' | 'recordTradeAttention'>
>(PAIR_TRADE_ACTIVITY_OPTIONS.records);

/**
 * Patch (issue 10): an exit or compensation that cannot complete is never silent. After MAX_FLATTEN_ROUNDS the
 * trade is recorded NEEDS_ATTENTION (row, search attribute, state) and keeps re-ordering what is left, with
 * backoff, until flat; then CLOSED (exit) or FAILED (compensation). Executions recorded before it throw
 * ExitIncomplete / record "COMPENSATION INCOMPLETE" as they did.
 */
const NEEDS_ATTENTION_PATCH = 'needs-attention-until-flat';
/** The exit closes the legs as recorded (rebased by a split), not the workflow's entry fills. */
const REBASED_LEGS_PATCH = 'mktdata-exit-recorded-legs';
/** Before it, done_for_day, stopped and suspended also ended an order wait, though such an order can still fill. */
const ALPACA_TERMINAL_STATUSES_PATCH = 'alpaca-terminal-order-statuses';
const LEGACY_FINAL_STATUSES: readonly string[] = ['done_for_day', 'stopped', 'suspended'];
/** Before it, an entry leg's cancel still pending was taken as final, and fills after it went uncompensated. */
const CANCEL_SETTLES_PATCH = 'entry-cancel-settles';

/** Final as Alpaca documents it (broker/order-status.ts); executions from before the patch keep the old set. */
function orderIsFinal(status: OrderSnapshot['status']): boolean {
  if (isFinalOrderStatus(status)) return true;
  return LEGACY_FINAL_STATUSES.includes(status) && !patched(ALPACA_TERMINAL_STATUSES_PATCH);
}

/** Set by a close update on a trade that is already closing: the next attention retry starts now. */
interface Nudge {
  retryNow: boolean;
}

type Leg = 1 | 2;

function legState(leg: Leg, symbol: string, side: LegState['side'], qty: number, clientOrderId: string): LegState {
  return { leg, symbol, side, qty, filledQty: 0, avgPrice: null, clientOrderId, status: 'planned' };
}

function applySnapshot(state: LegState, snap: OrderSnapshot): void {
  state.filledQty = snap.filledQty;
  state.avgPrice = snap.avgPrice;
  state.status = snap.status;
}

function tradeTiming(input: PairTradeInput): TradeTiming {
  return {
    ...DEFAULT_TRADE_TIMING,
    ...(input.fillWaitMs !== undefined ? { fillWaitMs: input.fillWaitMs } : {}),
    ...(input.maxFillWaits !== undefined ? { maxFillWaits: input.maxFillWaits } : {}),
    ...input.timing,
  };
}

/** Quantity-weighted average price over several fills of the same leg. */
function weightedPrice(parts: Array<{ qty: number; price: number | null }>): number | null {
  let qty = 0;
  let notional = 0;
  for (const p of parts) {
    if (p.qty > 0 && p.price !== null) {
      qty += p.qty;
      notional += p.qty * p.price;
    }
  }
  return qty > 0 ? notional / qty : null;
}

function errorMessage(err: unknown): string {
  if (err instanceof Error) {
    const cause = (err as { cause?: unknown }).cause;
    return cause instanceof Error ? cause.message : err.message;
  }
  return String(err);
}

/**
 * One two-legged trade, from PENDING to CLOSED or FAILED. Entry: size, check the short leg, submit both legs
 * with client order ids derived from this workflow's id, wait for fills; a leg that is rejected or stays
 * unfilled makes the workflow flatten whatever did fill and record FAILED — never a naked leg. Open: wait
 * for an exit signal (cycle), a close update (manual) or an emergency stop, then close both legs the same
 * way and record prices, P&L and performance.
 */
export async function pairTradeWorkflow(input: PairTradeInput): Promise<TradeState> {
  const workflowId = workflowInfo().workflowId;
  const timing = tradeTiming(input);
  const sides = entrySides(input.side);
  const state: TradeState = input.resume?.state ?? {
    tradeId: input.tradeId,
    pairId: input.pairId,
    pairName: `${input.symbol1}/${input.symbol2}`,
    side: input.side,
    status: 'PENDING',
    entryZ: input.entryZ,
    entryLegs: [
      legState(1, input.symbol1, sides.leg1, 0, legClientOrderId(workflowId, 'entry', 1)),
      legState(2, input.symbol2, sides.leg2, 0, legClientOrderId(workflowId, 'entry', 2)),
    ],
    exitLegs: [],
    openedAt: null,
    closedAt: null,
    exitReason: null,
    pnl: null,
    failureReason: null,
  };
  let pendingExit: PendingExit | null = input.resume?.pendingExit ?? null;
  const nudge: Nudge = { retryNow: false };

  const requestExit = (reason: ExitReason, z: number | null, signalId: number | null = null): void => {
    // The first request decides the reason; an emergency stop overrides a slower signal-driven one.
    if (pendingExit === null || (reason === 'EMERGENCY_STOP' && pendingExit.reason !== 'EMERGENCY_STOP')) pendingExit = { reason, z, signalId };
  };

  setHandler(stateQuery, () => state);
  setHandler(exitSignal, (request) => requestExit(request.reason, request.z, request.signalId));
  setHandler(emergencyStopSignal, () => requestExit('EMERGENCY_STOP', null));
  setHandler(
    closeUpdate,
    async (request: CloseRequest): Promise<CloseResult> => {
      log.info('manual close requested', { tradeId: state.tradeId, requestedBy: request.requestedBy });
      requestExit('MANUAL', null);
      nudge.retryNow = true;
      await condition(() => state.status === 'CLOSED' || state.status === 'FAILED');
      return { tradeId: state.tradeId, pairName: state.pairName, status: state.status, pnl: state.pnl };
    },
    {
      validator: (_request: CloseRequest) => {
        if (state.status !== 'OPEN' && state.status !== 'CLOSING' && state.status !== 'NEEDS_ATTENTION') {
          throw ApplicationFailure.create({
            message: `trade ${state.tradeId} (${state.pairName}) is ${state.status}, not OPEN, CLOSING or NEEDS_ATTENTION`,
            type: 'TradeNotOpen',
            nonRetryable: true,
          });
        }
      },
    },
  );

  const setStatus = (status: TradeState['status']): void => {
    state.status = status;
    upsertSearchAttributes([{ key: TRADE_STATUS, value: status }]);
    describe(state);
  };

  if (state.status === 'PENDING') {
    describe(state);
    const opened = await enter(input, state, workflowId, timing, nudge);
    if (!opened) {
      setStatus('FAILED');
      return state;
    }
    setStatus('OPEN');
  }

  // OPEN: wait for a reason to close, or for history to grow enough to continue as new.
  const historyCap = input.historyCap ?? MAX_HISTORY_EVENTS;
  const needsNewRun = (): boolean => workflowInfo().continueAsNewSuggested || workflowInfo().historyLength > historyCap;
  await condition(() => pendingExit !== null || needsNewRun());
  if (pendingExit === null) {
    await condition(allHandlersFinished);
    if (pendingExit === null) {
      await continueAsNew<typeof pairTradeWorkflow>({ ...input, resume: { state, pendingExit: null } });
    }
  }

  const exit = pendingExit as unknown as PendingExit;
  state.exitReason = exit.reason;
  setStatus('CLOSING');
  // From here on the positions must come off and be recorded, even if this execution is cancelled.
  await CancellationScope.nonCancellable(async () => {
    const recorded = await records.recordTradeClosing({ tradeId: state.tradeId, reason: exit.reason, signalId: exit.signalId ?? null });
    if (recorded && patched(REBASED_LEGS_PATCH)) applyRecordedLegs(state, recorded);
    let exitFill = await flattenLegs(state.entryLegs, 'exit', workflowId, state.exitLegs, timing);
    if (exitFill.remaining.length > 0 && patched(NEEDS_ATTENTION_PATCH)) {
      exitFill = await untilFlat(state, 'exit', workflowId, state.exitLegs, timing, exitFill, setStatus, nudge);
    }
    if (exitFill.remaining.length > 0) {
      // Only when the broker refuses every exit order: the trade stays CLOSING (reconciliation reports it).
      state.failureReason = `exit incomplete: ${exitFill.remaining.join('; ')}`;
      describe(state);
      throw ApplicationFailure.create({ message: state.failureReason, type: 'ExitIncomplete', nonRetryable: true });
    }
    const closedAt = exitFill.lastFillAt ?? new Date().toISOString();
    const closed = await records.recordTradeClosed({
      tradeId: state.tradeId,
      price1: exitFill.prices[0]!,
      price2: exitFill.prices[1]!,
      exitTime: closedAt,
      exitZ: exit.z,
      reason: exit.reason,
    });
    state.pnl = closed.pnl;
    state.closedAt = closedAt;
  });
  setStatus('CLOSED');
  await condition(allHandlersFinished);
  return state;
}

/** A split rebased the trade's legs since entry: the exit closes the rebased quantities. */
function applyRecordedLegs(state: TradeState, recorded: RecordedLegs): void {
  const legs: Array<[LegState, number, number]> = [
    [state.entryLegs[0], recorded.qty1, recorded.price1],
    [state.entryLegs[1], recorded.qty2, recorded.price2],
  ];
  for (const [leg, qty, price] of legs) {
    if (leg.filledQty === qty || !(qty > 0)) continue;
    log.info('exit closes the recorded (rebased) quantity', { symbol: leg.symbol, filled: leg.filledQty, recorded: qty });
    leg.qty = qty;
    leg.filledQty = qty;
    leg.avgPrice = price;
  }
}

/** Entry phase; true when both legs are fully filled and the trade is recorded OPEN. */
async function enter(input: PairTradeInput, state: TradeState, workflowId: string, timing: TradeTiming, nudge: Nudge): Promise<boolean> {
  const fail = async (reason: string): Promise<false> => {
    state.failureReason = reason;
    await records.recordTradeFailed({ tradeId: state.tradeId, reason });
    log.warn('pair trade failed', { tradeId: state.tradeId, reason });
    return false;
  };

  const plan = await entryChecks.planEntry({
    tradeId: input.tradeId,
    pairId: input.pairId,
    side: input.side,
    symbol1: input.symbol1,
    symbol2: input.symbol2,
  });
  if (!plan.ok) return fail(`no entry: ${plan.reason}`);
  state.entryLegs[0].qty = plan.qty1;
  state.entryLegs[1].qty = plan.qty2;
  describe(state);

  const legResults = await Promise.all(state.entryLegs.map((leg) => placeAndWait(leg, timing)));
  const problems = legResults.map((r) => r.problem).filter((p): p is string => p !== null);
  const fullyFilled = state.entryLegs.every((l) => l.filledQty === l.qty && l.avgPrice !== null);
  if (problems.length === 0 && fullyFilled) {
    const openedAt = latest(legResults.map((r) => r.filledAt)) ?? new Date().toISOString();
    state.openedAt = openedAt;
    // Both legs are held from here: a close request must be accepted even before the row says OPEN (the API
    // reads the row, then sends the update). The search attribute follows once the row is written.
    state.status = 'OPEN';
    await records.recordTradeOpen({
      tradeId: state.tradeId,
      qty1: plan.qty1,
      qty2: plan.qty2,
      price1: state.entryLegs[0].avgPrice!,
      price2: state.entryLegs[1].avgPrice!,
      entryTime: openedAt,
    });
    return true;
  }

  // Compensation: flatten whatever filled on either leg and record why, even if this workflow is being cancelled.
  const reason = problems.length > 0 ? problems.join('; ') : 'entry legs not fully filled';
  return CancellationScope.nonCancellable(async () => {
    const compLegs: LegState[] = [];
    state.exitLegs = compLegs;
    let comp = await flattenLegs(state.entryLegs, 'comp', workflowId, compLegs, timing);
    if (comp.remaining.length > 0 && patched(NEEDS_ATTENTION_PATCH)) {
      comp = await untilFlat(
        state,
        'comp',
        workflowId,
        compLegs,
        timing,
        comp,
        (status) => {
          state.status = status;
          upsertSearchAttributes([{ key: TRADE_STATUS, value: status }]);
          describe(state);
        },
        nudge,
      );
    }
    if (comp.remaining.length > 0) {
      return fail(`${reason}; COMPENSATION INCOMPLETE, manual action needed: ${comp.remaining.join('; ')}`);
    }
    const flattened = compLegs.filter((l) => l.filledQty > 0).map((l) => `${l.symbol} ${l.filledQty}`);
    return fail(`${reason}${flattened.length ? `; flattened ${flattened.join(', ')}` : ''}`);
  });
}

/** Latest of some ISO timestamps (they sort as strings). */
function latest(times: Array<string | null>): string | null {
  const known = times.filter((t): t is string => t !== null).sort();
  return known.length ? known[known.length - 1] : null;
}

/** The order as the workflow asked for it (an order crossing flat is two broker orders; see OrderLookup). */
function lookupOf(leg: LegState): { clientOrderId: string; symbol: string; side: LegState['side']; qty: number } {
  return { clientOrderId: leg.clientOrderId, symbol: leg.symbol, side: leg.side, qty: leg.qty };
}

interface LegOutcome {
  /** Why the leg did not fill completely; null when it did. */
  problem: string | null;
  filledAt: string | null;
}

/**
 * Submits one leg order (idempotent by client id) and waits until it is final. Entry legs are impatient:
 * an order still working when the fill waits run out is cancelled, so its filled quantity is final and the
 * trade can be compensated. Flatten orders (exit, compensation) are patient: a market order queued while the
 * market is closed fills at the next open, so they are polled with growing durable pauses until final.
 * The leg state is updated in place.
 */
async function placeAndWait(leg: LegState, timing: TradeTiming, patientFromStart = false): Promise<LegOutcome> {
  let patient = patientFromStart;
  let snap: OrderSnapshot;
  try {
    snap = await orders.submitLegOrder({ clientOrderId: leg.clientOrderId, symbol: leg.symbol, side: leg.side, qty: leg.qty });
  } catch (err) {
    // Retries exhausted on an ambiguous failure may still have placed the order: look before giving up on it,
    // so a later round never doubles an order that is in fact working.
    const found = await fills.awaitOrderFinal({ ...lookupOf(leg), waitMs: 0 });
    if (found.status === 'missing' || found.status === 'rejected') {
      leg.status = 'rejected';
      return { problem: `leg ${leg.leg} ${leg.side} ${leg.qty} ${leg.symbol} rejected: ${errorMessage(err)}`, filledAt: null };
    }
    snap = found;
  }
  applySnapshot(leg, snap);
  let pauseMs = timing.patientPauseMinMs;
  for (let wait = 0; !orderIsFinal(snap.status); wait++) {
    if (!patient && wait >= timing.maxFillWaits) {
      snap = await fills.cancelLegOrder(lookupOf(leg));
      applySnapshot(leg, snap);
      // A cancel still pending can be overtaken by fills: compensating now would leave them unhedged.
      if (orderIsFinal(snap.status) || !patched(CANCEL_SETTLES_PATCH)) break;
      patient = true;
      continue;
    }
    if (patient && wait >= timing.maxFillWaits) {
      await sleep(pauseMs);
      pauseMs = Math.min(pauseMs * 2, timing.patientPauseMaxMs);
    }
    snap = await fills.awaitOrderFinal({ ...lookupOf(leg), waitMs: timing.fillWaitMs });
    applySnapshot(leg, snap);
  }
  if (snap.status === 'filled' && snap.filledQty === leg.qty) return { problem: null, filledAt: snap.filledAt };
  return { problem: `leg ${leg.leg} ${leg.side} ${leg.qty} ${leg.symbol} ${snap.status} with ${snap.filledQty} filled`, filledAt: snap.filledAt };
}

interface FlattenResult {
  /** Average price of the flattening fills per leg (index 0 = leg 1), null when nothing needed flattening. */
  prices: Array<number | null>;
  lastFillAt: string | null;
  /** Legs still not flat after every round. */
  remaining: string[];
}

/**
 * Takes each leg's filled quantity off the book with opposite market orders (`-exit-leg1`, `-comp-leg2`, …),
 * re-ordering any unfilled remainder in further rounds (`-r1`, `-r2`) after a durable pause. Orders placed
 * are appended to `out` so queries see them.
 */
async function flattenLegs(legs: LegState[], phase: OrderPhase, workflowId: string, out: LegState[], timing: TradeTiming): Promise<FlattenResult> {
  const result: FlattenResult = { prices: [null, null], lastFillAt: null, remaining: [] };
  await Promise.all(
    legs.map(async (leg, index) => {
      const parts: Array<{ qty: number; price: number | null }> = [];
      let remaining = leg.filledQty;
      for (let round = 0; remaining > 0 && round < MAX_FLATTEN_ROUNDS; round++) {
        if (round > 0) await sleep(timing.flattenRetryPauseMs);
        const order = legState(leg.leg, leg.symbol, oppositeSide(leg.side), remaining, legClientOrderId(workflowId, phase, leg.leg, round));
        out.push(order);
        const { problem, filledAt } = await placeAndWait(order, timing, true);
        if (order.filledQty > 0) parts.push({ qty: order.filledQty, price: order.avgPrice });
        result.lastFillAt = latest([result.lastFillAt, filledAt]);
        remaining -= order.filledQty;
        if (problem) log.warn('flatten order incomplete', { phase, problem, remaining });
      }
      result.prices[index] = weightedPrice(parts);
      if (remaining > 0) result.remaining.push(`${leg.symbol} ${remaining} still ${leg.side === 'buy' ? 'long' : 'short'}`);
    }),
  );
  return result;
}

/**
 * NEEDS_ATTENTION loop (patch NEEDS_ATTENTION_PATCH): records the trade as needing attention with what is left,
 * then re-orders the remainder of each leg in further rounds (client ids continue the leg's round numbers),
 * pausing with doubling backoff (patientPauseMinMs..patientPauseMaxMs) between attempts — cut short by a close
 * update — until every leg is flat. Returns the prices over all flattening orders.
 */
async function untilFlat(
  state: TradeState,
  phase: OrderPhase,
  workflowId: string,
  out: LegState[],
  timing: TradeTiming,
  first: FlattenResult,
  setStatus: (status: TradeState['status']) => void,
  nudge: Nudge,
): Promise<FlattenResult> {
  let result = first;
  let pauseMs = timing.patientPauseMinMs;
  while (result.remaining.length > 0) {
    const reason = `${phase === 'exit' ? 'exit' : 'compensation'} incomplete, retrying until flat: ${result.remaining.join('; ')}`;
    if (state.failureReason !== reason) {
      state.failureReason = reason;
      await records.recordTradeAttention({ tradeId: state.tradeId, reason });
    }
    if (state.status !== 'NEEDS_ATTENTION') setStatus('NEEDS_ATTENTION');
    else describe(state);
    nudge.retryNow = false;
    await condition(() => nudge.retryNow, pauseMs);
    pauseMs = Math.min(pauseMs * 2, timing.patientPauseMaxMs);
    result = await flattenRest(state.entryLegs, phase, workflowId, out, timing, result.lastFillAt);
  }
  return result;
}

/** One more set of flatten rounds for what the orders in `out` have not yet taken off each leg. */
async function flattenRest(
  legs: LegState[],
  phase: OrderPhase,
  workflowId: string,
  out: LegState[],
  timing: TradeTiming,
  lastFillAt: string | null,
): Promise<FlattenResult> {
  const result: FlattenResult = { prices: [null, null], lastFillAt, remaining: [] };
  await Promise.all(
    legs.map(async (leg, index) => {
      const placed = () => out.filter((o) => o.leg === leg.leg);
      let remaining = leg.filledQty - placed().reduce((sum, o) => sum + o.filledQty, 0);
      for (let round = 0; remaining > 0 && round < MAX_FLATTEN_ROUNDS; round++) {
        if (round > 0) await sleep(timing.flattenRetryPauseMs);
        const order = legState(leg.leg, leg.symbol, oppositeSide(leg.side), remaining, legClientOrderId(workflowId, phase, leg.leg, placed().length));
        out.push(order);
        const { problem, filledAt } = await placeAndWait(order, timing, true);
        result.lastFillAt = latest([result.lastFillAt, filledAt]);
        remaining -= order.filledQty;
        if (problem) log.warn('flatten order incomplete', { phase, problem, remaining });
      }
      result.prices[index] = weightedPrice(placed().map((o) => ({ qty: o.filledQty, price: o.avgPrice })));
      if (remaining > 0) result.remaining.push(`${leg.symbol} ${remaining} still ${leg.side === 'buy' ? 'long' : 'short'}`);
    }),
  );
  return result;
}

/** Markdown shown in the Temporal Web UI for this execution. */
function describe(state: TradeState): void {
  const legs = (title: string, ls: LegState[]) =>
    ls.length === 0
      ? ''
      : [
          `\n**${title}**\n`,
          '| leg | side | symbol | qty | filled | avg | status |',
          '|---|---|---|---|---|---|---|',
          ...ls.map((l) => `| ${l.leg} | ${l.side} | ${l.symbol} | ${l.qty} | ${l.filledQty} | ${l.avgPrice ?? ''} | ${l.status} |`),
        ].join('\n');
  setCurrentDetails(
    [
      `## ${state.pairName} ${state.side} — ${state.status}`,
      `trade ${state.tradeId}, pair ${state.pairId}, entry z ${state.entryZ ?? 'n/a'}`,
      state.exitReason ? `exit reason: ${state.exitReason}` : '',
      state.pnl !== null ? `P&L: ${state.pnl.toFixed(2)}` : '',
      state.failureReason ? `failure: ${state.failureReason}` : '',
      legs('entry orders', state.entryLegs),
      legs(state.status === 'FAILED' ? 'compensation orders' : 'exit orders', state.exitLegs),
    ]
      .filter(Boolean)
      .join('\n'),
  );
}
