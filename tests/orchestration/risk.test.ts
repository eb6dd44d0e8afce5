import type { Client } from '@temporalio/client';
import { resetKelly } from '../../db/queries/risk';
import type { SignalRow } from '../../db/schema';
import { runCycleNow } from '../../temporal/run-cycle-now';
import { DEFAULT_RISK_LIMITS } from '../../strategy/risk/limits';
import { HOUR_MS, DAY_MS } from '../../strategy/time-units';
import type { CycleSummary } from '../../workflows/contracts/pairs-cycle';
import { positionsOf, resumeTrading, seedPair, setRiskLimits, startHarness, tradeWithStatus, tradesOf, waitFor, type Harness } from './helpers';

jest.setTimeout(240_000);

/**
 * Issue 12: every risk rule tripped by a real cycle (PostgreSQL, Temporal, the real SDK against the simulator),
 * asserting the refusal and the reason recorded on the signal row. The pairs are seeded with thresholds that make
 * every cycle signal an entry on a flat pair, so only the risk rules decide. Scenarios run in order and share the
 * account: trade A opened by the first stays live until the drawdown limit flattens it.
 */
describe('portfolio risk controls', () => {
  let h: Harness;
  let client: Client;
  const pairs: Record<string, number> = {};
  const symbolsOf: Record<string, [string, string]> = {
    A: ['ARQX', 'BLVN'],
    B: ['CRDM', 'DUNE'],
    C: ['CRDM', 'ARQX'],
    D: ['EFRA', 'FLNT'],
    E: ['HALO', 'IONQ'],
    F: ['MOSS', 'NOVA'],
    G: ['OPAL', 'PRSM'],
  };

  beforeAll(async () => {
    h = await startHarness('risk');
    client = h.env.client;
    for (const [name, [symbol1, symbol2]] of Object.entries(symbolsOf)) pairs[name] = await seedPair(h.testDb.db, h.broker, { symbol1, symbol2 });
    await activate([]);
    await cycle(); // seeds the stored config (with the file's risk section) and the first equity snapshot
  });

  afterAll(async () => {
    await h?.stop();
  });

  async function activate(names: string[]): Promise<void> {
    const ids = names.map((n) => pairs[n]);
    await h.testDb.db.updateTable('strategy_engine.pair_registry').set({ is_active: false }).execute();
    if (ids.length) await h.testDb.db.updateTable('strategy_engine.pair_registry').set({ is_active: true }).where('id', 'in', ids).execute();
  }

  function cycle(): Promise<CycleSummary> {
    return runCycleNow(client, { taskQueue: h.taskQueue });
  }

  async function lastSignal(name: string): Promise<SignalRow> {
    return h.testDb.db
      .selectFrom('strategy_engine.pair_signal')
      .selectAll()
      .where('pair_id', '=', pairs[name])
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirstOrThrow();
  }

  /** The cycle refused exactly `name`'s entry by `rule`; its signal row names the rule and the numbers. */
  async function expectRefused(summary: CycleSummary, name: string, rule: string): Promise<Record<string, unknown>> {
    expect(summary.tradesOpened).toEqual([]);
    expect(summary.entriesRefused).toEqual([{ pairId: pairs[name], reason: expect.stringMatching(new RegExp(`^risk ${rule}: `)) }]);
    const signal = await lastSignal(name);
    expect(['LONG_SPREAD', 'SHORT_SPREAD']).toContain(signal.type);
    expect(signal.trade_id).toBeNull();
    expect(signal.risk_rule).toBe(rule);
    expect(signal.risk_detail).toMatchObject({ reason: summary.entriesRefused![0].reason.replace(`risk ${rule}: `, '') });
    return signal.risk_detail!;
  }

  async function insertSnapshot(tsMs: number, equity: number): Promise<void> {
    await h.testDb.db
      .insertInto('strategy_engine.equity_snapshot')
      .values({ ts: new Date(tsMs), equity, cash: equity, buying_power: 2 * equity, gross_exposure: 0, realized_pnl: 0, unrealized_pnl: 0 })
      .execute();
  }

  async function riskState() {
    return h.testDb.db.selectFrom('strategy_engine.risk_state').selectAll().executeTakeFirstOrThrow();
  }

  it('open-pairs limit: with max_open_pairs 1 the second entry of a cycle is refused', async () => {
    await setRiskLimits(h.testDb.db, { max_open_pairs: 1 });
    await activate(['A', 'B']);
    const summary = await cycle();
    expect(summary.risk).toMatchObject({ tradingState: 'ACTIVE', tripped: null });
    expect(summary.tradesOpened).toHaveLength(1);
    const opened = summary.tradesOpened[0];
    const refusedName = opened.pairId === pairs.A ? 'B' : 'A';
    expect(summary.entriesRefused).toEqual([
      { pairId: pairs[refusedName], reason: expect.stringMatching(/^risk MAX_OPEN_PAIRS: 1 pairs already live/) },
    ]);
    const signal = await lastSignal(refusedName);
    expect(signal.risk_rule).toBe('MAX_OPEN_PAIRS');
    expect(signal.risk_detail).toMatchObject({ open_pairs: 1, max_open_pairs: 1 });
    expect(await tradesOf(h.testDb.db, pairs[refusedName])).toEqual([]);
    await waitFor('trade OPEN', () => tradeWithStatus(h.testDb.db, opened.tradeId, ['OPEN']), 60_000);
    // The rest of the file expects A to be the live trade.
    if (refusedName === 'A') {
      pairs.A = pairs.B;
      symbolsOf.A = symbolsOf.B;
    }
  });

  it('per-symbol limit: a pair sharing a symbol with the live trade is refused', async () => {
    await setRiskLimits(h.testDb.db, { max_open_pairs: 5 });
    const live = (await h.testDb.db.selectFrom('strategy_engine.pair_trade').select('pair_id').where('status', '=', 'OPEN').execute()).map(
      (r) => r.pair_id,
    );
    expect(live).toEqual([pairs.A]);
    await activate(['C']); // CRDM/ARQX: shares a symbol with whichever of A (ARQX/BLVN) or B (CRDM/DUNE) is live
    const detail = await expectRefused(await cycle(), 'C', 'MAX_PAIRS_PER_SYMBOL');
    expect(detail).toMatchObject({ live_trades: 1, max_pairs_per_symbol: 1 });
    expect(['ARQX', 'CRDM']).toContain(detail.symbol);
  });

  it('gross-exposure limit: the live trade plus a new one would exceed 5% of equity', async () => {
    await setRiskLimits(h.testDb.db, { max_gross_exposure_pct: 5 });
    await activate(['D']);
    const summary = await cycle();
    const detail = await expectRefused(summary, 'D', 'GROSS_EXPOSURE');
    const account = await h.broker.getAccount();
    const positions = await h.broker.getPositions();
    const held = positions.reduce((sum, p) => sum + Math.abs(p.marketValue), 0);
    expect(held).toBeGreaterThan(0);
    expect(detail.gross_exposure as number).toBeGreaterThan(held * 0.99);
    expect(detail.gross_exposure_pct as number).toBeGreaterThan(5);
    expect(Math.abs((detail.equity as number) - account.equity) / account.equity).toBeLessThan(0.01);
  });

  it('symbol-exposure limit: one leg alone is 2% of equity, above a 1% limit', async () => {
    await setRiskLimits(h.testDb.db, { max_gross_exposure_pct: 100, max_symbol_exposure_pct: 1 });
    const detail = await expectRefused(await cycle(), 'D', 'SYMBOL_EXPOSURE');
    expect(detail.exposure_pct as number).toBeGreaterThan(1);
    expect(detail.exposure_pct as number).toBeLessThanOrEqual(2.01);
  });

  it('buying-power check: the entry would leave less than the reserve of the broker buying power', async () => {
    await setRiskLimits(h.testDb.db, { max_symbol_exposure_pct: 15, buying_power_reserve_pct: 199 });
    const detail = await expectRefused(await cycle(), 'D', 'BUYING_POWER');
    const account = await h.broker.getAccount();
    expect(Math.abs((detail.buying_power as number) - account.buyingPower) / account.buyingPower).toBeLessThan(0.01);
    expect(detail.reserve as number).toBeCloseTo(1.99 * (detail.equity as number), 0);
    expect(detail.required as number).toBeGreaterThan(0);
    await setRiskLimits(h.testDb.db, { buying_power_reserve_pct: DEFAULT_RISK_LIMITS.buying_power_reserve_pct });
  });

  it('cooldown after a stop-out: the pair stopped out is not re-entered for 24 hours', async () => {
    const { db } = h.testDb;
    await activate(['E']);
    const first = await cycle();
    expect(first.tradesOpened.map((t) => t.pairId)).toEqual([pairs.E]);
    const { tradeId } = first.tradesOpened[0];
    await waitFor('trade OPEN', () => tradeWithStatus(db, tradeId, ['OPEN']), 60_000);

    // A stop threshold just above the entry one: the next cycle stops the trade out.
    await db.updateTable('strategy_engine.pair_registry').set({ stop_loss_threshold: 0.002 }).where('id', '=', pairs.E).execute();
    const stop = await cycle();
    expect(stop.tradesClosing).toEqual([{ pairId: pairs.E, tradeId, reason: 'STOP_LOSS' }]);
    const closed = await waitFor('trade CLOSED', () => tradeWithStatus(db, tradeId, ['CLOSED']), 60_000);
    expect(closed.exit_reason).toBe('STOP_LOSS');

    // An hour later (a new bar, so a new signal row) the entry signal is back, the stop far away again, and the
    // cooldown refuses it.
    await db.updateTable('strategy_engine.pair_registry').set({ stop_loss_threshold: 1000 }).where('id', '=', pairs.E).execute();
    h.sim.control.updateClock({ advanceHours: 1 });
    const detail = await expectRefused(await cycle(), 'E', 'COOLDOWN');
    expect(detail.hours_left as number).toBeGreaterThan(22);
    expect(detail.hours_left as number).toBeLessThanOrEqual(24);
    expect(detail.reason).toMatch(/stopped out at .*cooldown_after_stop_loss_hours 24/);
    expect(await tradesOf(db, pairs.E)).toHaveLength(1);
  });

  it('cooldown after a failed entry: a rejected leg is compensated, and the pair is not re-entered the next hour', async () => {
    const { db } = h.testDb;
    await activate(['G']);
    h.sim.control.setFaults({ rejectSymbols: ['PRSM'] });
    let tradeId: number;
    try {
      const first = await cycle();
      expect(first.tradesOpened.map((t) => t.pairId)).toEqual([pairs.G]);
      tradeId = first.tradesOpened[0].tradeId;
      const failed = await waitFor('trade FAILED', () => tradeWithStatus(db, tradeId, ['FAILED']), 60_000);
      expect(failed.failure_reason).toMatch(/PRSM/);
    } finally {
      h.sim.control.setFaults({ rejectSymbols: [] });
    }
    await waitFor('entry cost recorded', async () => ((await tradeWithStatus(db, tradeId, ['FAILED']))?.entry_cost ?? null) !== null);
    expect(await positionsOf(h.broker, symbolsOf.G)).toEqual({ OPAL: 0, PRSM: 0 });

    h.sim.control.updateClock({ advanceHours: 1 });
    const detail = await expectRefused(await cycle(), 'G', 'COOLDOWN');
    expect(detail.reason).toMatch(/entry failed at .*cooldown_after_failed_entry_hours 4/);
    expect(detail.hours_left as number).toBeGreaterThan(1.5);
    expect(detail.hours_left as number).toBeLessThan(4);
    expect(await tradesOf(db, pairs.G)).toHaveLength(1);
  });

  it('daily-loss limit: equity 3% below the day start trips HALTED; entries stop, the live trade stays', async () => {
    const { db } = h.testDb;
    const account = await h.broker.getAccount();
    const clock = await h.broker.getClock();
    const dayStart = Math.floor(clock.timestamp.getTime() / DAY_MS) * DAY_MS;
    await insertSnapshot(dayStart + HOUR_MS, account.equity * 1.03);
    await activate(['D']);
    const summary = await cycle();
    expect(summary.risk).toMatchObject({ tradingState: 'HALTED', tripped: 'DAILY_LOSS', flattened: 0 });
    expect(summary.risk!.dailyLossPct).toBeGreaterThan(2);
    expect(summary.entriesBlockedReason).toMatch(/^trading state HALTED: DAILY_LOSS: daily loss \d+\.\d+% >= daily_loss_limit_pct 2/);
    expect(summary.tradesOpened).toEqual([]);
    const signal = await lastSignal('D');
    expect(signal.type).toBe('SKIPPED');
    expect(signal.reason).toMatch(/entry suppressed \(trading state HALTED: DAILY_LOSS/);
    expect(await riskState()).toMatchObject({ trading_state: 'HALTED', rule: 'DAILY_LOSS', changed_by: 'risk' });
    expect((await db.selectFrom('strategy_engine.strategy_state').select('is_active').executeTakeFirstOrThrow()).is_active).toBe(false);
    expect(await tradesOf(db, pairs.A)).toEqual([expect.objectContaining({ status: 'OPEN' })]);

    await db
      .deleteFrom('strategy_engine.equity_snapshot')
      .where('ts', '=', new Date(dayStart + HOUR_MS))
      .execute();
    await resumeTrading(db);
  });

  it('drawdown limit: equity 20% below its peak trips HALTED and, with flatten_on_halt, closes the live trade', async () => {
    const { db } = h.testDb;
    await setRiskLimits(db, { flatten_on_halt: true });
    const account = await h.broker.getAccount();
    const { baseline_reset_at } = await riskState();
    const peakAt = new Date(baseline_reset_at!).getTime() + 60_000;
    await insertSnapshot(peakAt, account.equity * 1.25);
    const [liveA] = await tradesOf(db, pairs.A);
    await activate(['D']);
    const summary = await cycle();
    expect(summary.risk).toMatchObject({ tradingState: 'HALTED', tripped: 'DRAWDOWN', flattened: 1 });
    expect(summary.risk!.drawdownPct).toBeGreaterThan(10);
    expect(summary.risk!.dailyLossPct).toBeLessThan(2);
    expect(summary.tradesOpened).toEqual([]);
    expect(await riskState()).toMatchObject({
      trading_state: 'HALTED',
      rule: 'DRAWDOWN',
      reason: expect.stringMatching(/^DRAWDOWN: drawdown \d+\.\d+% >= max_drawdown_pct 10/),
    });
    const closed = await waitFor('live trade flattened', () => tradeWithStatus(db, liveA.id, ['CLOSED']), 90_000);
    expect(closed.exit_reason).toBe('EMERGENCY_STOP');
    const [s1, s2] = symbolsOf.A;
    expect(await positionsOf(h.broker, [s1, s2])).toEqual({ [s1]: 0, [s2]: 0 });

    await db.deleteFrom('strategy_engine.equity_snapshot').where('ts', '=', new Date(peakAt)).execute();
    await setRiskLimits(db, { flatten_on_halt: false });
    await resumeTrading(db);
  });

  it('Kelly with no edge: entries stop (no FAILED rows) and say so, until the operator resets sizing', async () => {
    const { db } = h.testDb;
    // 25 closed trades, 5 small wins and 20 larger losses: Kelly fraction < 0 over the window.
    const now = Date.now();
    for (let i = 0; i < 25; i++) {
      await db
        .insertInto('strategy_engine.pair_trade')
        .values({
          pair_id: pairs.F,
          side: 'LONG_SPREAD',
          status: 'CLOSED',
          entry_time: new Date(now - (30 - i) * HOUR_MS),
          exit_time: new Date(now - (29 - i) * HOUR_MS),
          qty1: 1,
          qty2: 1,
          entry_price1: 100,
          entry_price2: 100,
          exit_price1: 100,
          exit_price2: 100,
          exit_reason: 'EXIT',
          pnl: i % 5 === 0 ? 10 : -20,
          hold_hours: 1,
          entry_signal_id: null,
          workflow_id: null,
          entry_z_score: null,
          exit_z_score: null,
          failure_reason: null,
          attention_reason: null,
          attention_since: null,
        })
        .execute();
    }
    await activate(['F']);
    const summary = await cycle();
    // The 25 plus the trades this file closed before.
    expect(summary.risk!.noEdge).toMatch(/^no edge: Kelly fraction -\d+\.\d+ over the latest 2\d closed trades/);
    const detail = await expectRefused(summary, 'F', 'NO_EDGE');
    expect(detail.reason).toMatch(/until an operator resets sizing/);
    const again = await cycle();
    expect(again.tradesOpened).toEqual([]);
    const live = await db
      .selectFrom('strategy_engine.pair_trade')
      .select('status')
      .where('pair_id', '=', pairs.F)
      .where('status', '<>', 'CLOSED')
      .execute();
    expect(live).toEqual([]);

    // The way back: the operator resets sizing to bootstrap; the next entry goes through at bootstrap size.
    await resetKelly(db);
    const reset = await cycle();
    expect(reset.risk!.noEdge).toBeNull();
    expect(reset.tradesOpened.map((t) => t.pairId)).toEqual([pairs.F]);
    const opened = await waitFor('trade OPEN', () => tradeWithStatus(db, reset.tradesOpened[0].tradeId, ['OPEN']), 60_000);
    const equity = (await h.broker.getAccount()).equity;
    expect(opened.qty1! * opened.entry_price1!).toBeLessThanOrEqual(0.02 * equity * 1.01);
    expect(await positionsOf(h.broker, ['MOSS'])).not.toEqual({ MOSS: 0 });
  });
});
