/**
 * The monitoring page's risk panel (issue 12) in headless Chromium against the real API on a test database: the
 * trading state and why, realised and unrealised P&L, the account against its limits, the refused entries, and the
 * equity curve with its drawdown drawn from the stored equity snapshots. Screenshot in tests/artifacts/.
 */
import path from 'node:path';
import type { Page } from 'playwright-core';
import { setTradingState } from '../../db/queries/risk';
import { HOUR_MS } from '../../strategy/time-units';
import { ARTIFACTS, chartPixels, openPage, startBrowserEnv, type BrowserEnv } from './browser-env';
import { seedMonitoringData, type SeededData } from './seed';

jest.setTimeout(120_000);

let env: BrowserEnv;
let seeded: SeededData;
/** 48 hourly snapshots: up to a peak at hour 20, down 12% by hour 40, partly back. */
const EQUITY = Array.from({ length: 48 }, (_, i) => 100_000 + (i <= 20 ? i * 500 : i <= 40 ? 10_000 - (i - 20) * 650 : -3_000 + (i - 40) * 200));
const PEAK = Math.max(...EQUITY);
const LAST = EQUITY[EQUITY.length - 1];

beforeAll(async () => {
  env = await startBrowserEnv({
    label: 'web_risk',
    taskQueue: 'pairs-web-risk-test',
    apiToken: 'test-token-0123456789',
    prepare: async (db) => {
      seeded = await seedMonitoringData(db);
      const start = seeded.lastBarMs - (EQUITY.length - 1) * HOUR_MS;
      await db
        .insertInto('strategy_engine.equity_snapshot')
        .values(
          EQUITY.map((equity, i) => ({
            ts: new Date(start + i * HOUR_MS),
            equity,
            cash: equity,
            buying_power: 2 * equity,
            gross_exposure: 0.08 * equity,
            realized_pnl: 0,
            unrealized_pnl: 0,
          })),
        )
        .execute();
      await setTradingState(db, {
        state: 'HALTED',
        reason: 'DRAWDOWN: drawdown 12.00% >= max_drawdown_pct 10',
        rule: 'DRAWDOWN',
        changedBy: 'risk',
      });
      const signal = await db
        .insertInto('strategy_engine.pair_signal')
        .values({
          pair_id: seeded.pairIds[1],
          ts: new Date(seeded.lastBarMs),
          type: 'SHORT_SPREAD',
          z_score: 2.3,
          reason: 'z 2.30 > 2',
          inputs: '{}',
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await db
        .updateTable('strategy_engine.pair_signal')
        .set({ risk_rule: 'MAX_OPEN_PAIRS', risk_detail: { reason: '5 pairs already live, max_open_pairs 5', open_pairs: 5, max_open_pairs: 5 } })
        .where('id', '=', signal.id)
        .execute();
    },
  });
});

afterAll(async () => {
  await env?.teardown();
});

describe('risk panel', () => {
  let page: Page;
  let problems: string[];

  beforeAll(async () => {
    ({ page, problems } = await openPage(env, '/'));
    await page.waitForFunction(
      () => document.querySelectorAll('#equity-chart canvas').length > 0 && document.querySelectorAll('#drawdown-chart canvas').length > 0,
    );
    await page.waitForTimeout(300); // let the charts paint their first frame
  });
  afterAll(async () => {
    await page?.close();
  });

  test('shows the trading state, why it changed, and the P&L split', async () => {
    expect(await page.textContent('#risk-state')).toBe('HALTED');
    expect(await page.getAttribute('#risk-state', 'class')).toContain('state-halted');
    expect(await page.textContent('#risk-reason')).toMatch(/^DRAWDOWN: drawdown 12\.00% >= max_drawdown_pct 10 \(risk, since /);
    expect(await page.textContent('#status-active')).toBe('stopped');
    expect(await page.textContent('#risk-realized')).toBe('$142.50');
    expect(await page.textContent('#risk-unrealized')).toMatch(/^-?\$[\d,]+\.\d\d$/);
  });

  test('measures the latest equity against the limits', async () => {
    expect(await page.textContent('#risk-equity')).toBe(`$${LAST.toLocaleString('en-US')}.00`);
    const drawdown = ((PEAK - LAST) / PEAK) * 100;
    expect(await page.textContent('#risk-drawdown')).toBe(`${drawdown.toFixed(2)}% of 10.0%`);
    expect(await page.textContent('#risk-gross')).toBe('8.00% of 100%');
    expect(await page.textContent('#risk-limits')).toContain('max 5 open pairs, 1 per symbol');
  });

  test('lists the refused entry with its rule and reason', async () => {
    const rows = await page.$$eval('#refusals-table tbody tr', (trs) =>
      trs.map((tr) => Array.from(tr.querySelectorAll('td')).map((td) => td.textContent ?? '')),
    );
    expect(rows).toHaveLength(1);
    expect(rows[0].slice(1)).toEqual([`#${seeded.pairIds[1]}`, 'MAX_OPEN_PAIRS', '5 pairs already live, max_open_pairs 5']);
    expect(await page.isHidden('#refusals-empty')).toBe(true);
  });

  test('draws the equity curve and its drawdown; screenshot saved', async () => {
    const [equity] = await chartPixels(page, '#equity-chart', [15, 118, 110]);
    expect(equity.width).toBeGreaterThan(100);
    expect(equity.linePixels).toBeGreaterThan(200);
    const [drawdown] = await chartPixels(page, '#drawdown-chart', [220, 38, 38]);
    expect(drawdown.linePixels).toBeGreaterThan(100);
    const maxDrawdown = (((PEAK - Math.min(...EQUITY.slice(20))) / PEAK) * 100).toFixed(2);
    expect(await page.textContent('#equity-stats')).toMatch(new RegExp(`^max drawdown ${maxDrawdown.replace('.', '\\.')}%, Sharpe -?\\d+\\.\\d\\d$`));
    await page.locator('#risk-panel').screenshot({ path: path.join(ARTIFACTS, 'risk-panel.png') });
    await page.screenshot({ path: path.join(ARTIFACTS, 'monitor-risk.png'), fullPage: true });
    expect(problems).toEqual([]);
  });
});
