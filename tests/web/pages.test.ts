/**
 * Drives the monitoring and backtest pages in headless Chromium (Debian's /usr/bin/chromium via
 * playwright-core, no browser download) against the real API (api/app.ts createApp) on a real test database
 * with seeded pairs, spreads, trades, bars and runs, and a real Temporal dev server (no worker: the seeded
 * trade's workflow is not running, so a close is refused by the API). Screenshots land in tests/artifacts/.
 */
import path from 'node:path';
import type { Dialog, Page, Request } from 'playwright-core';
import { ARTIFACTS, chartPixels, openPage, startBrowserEnv, type BrowserEnv } from './browser-env';
import { seedMonitoringData, type SeededData } from './seed';

const TOKEN = 'test-token-0123456789';

jest.setTimeout(120_000);

let env: BrowserEnv;
let seeded: SeededData;
/** Every POST the pages sent, with its headers as the browser sent them. */
const posts: Array<{ path: string; authorization: string | undefined; body: unknown }> = [];

beforeAll(async () => {
  env = await startBrowserEnv({
    label: 'web_pages',
    taskQueue: 'pairs-web-test',
    apiToken: TOKEN,
    prepare: async (db) => {
      seeded = await seedMonitoringData(db);
    },
  });
  env.context.on('request', (req: Request) => {
    if (req.method() !== 'POST') return;
    posts.push({ path: new URL(req.url()).pathname, authorization: req.headers().authorization, body: req.postDataJSON() });
  });
});

afterAll(async () => {
  await env?.teardown();
});

const API = '/api/strategies/pairs';

describe('monitoring page', () => {
  let page: Page;
  let problems: string[];

  beforeAll(async () => {
    ({ page, problems } = await openPage(env, '/'));
    await page.waitForFunction(() => document.querySelectorAll('.card .chart canvas').length > 0);
    await page.waitForTimeout(300); // let the charts paint their first frame
  });
  afterAll(async () => {
    await page?.close();
  });

  test('shows the status header and config thresholds', async () => {
    expect(await page.textContent('#status-active')).toBe('running');
    expect(await page.textContent('#status-pairs')).toBe('1 / 2');
    expect(await page.textContent('#status-pnl')).toBe('$142.50');
    expect(await page.textContent('#cfg-entry')).toBe('2.00');
    expect(await page.textContent('#cfg-exit')).toBe('0.50');
    expect(await page.textContent('#cfg-stop')).toBe('3.00');
    expect(await page.textContent('#cfg-position')).toBe('2.0%');
  });

  test('lists the seeded pairs with numeric z-scores, P&L and days held', async () => {
    const rows = await page.$$eval('#pairs-table tbody tr', (trs) =>
      trs.map((tr) => Array.from(tr.querySelectorAll('td')).map((td) => td.textContent?.trim() ?? '')),
    );
    expect(rows.map((r) => r[0]).sort()).toEqual(['ARQX/BLVN', 'HALO/IONQ']);
    const open = rows.find((r) => r[0] === 'ARQX/BLVN')!;
    const flat = rows.find((r) => r[0] === 'HALO/IONQ')!;
    expect([open[1], flat[1]]).toEqual(['OPEN', 'FLAT']);
    for (const row of rows) expect(row[2]).toMatch(/^-?\d+\.\d{3}$/);
    expect(open[3]).toMatch(/^-?\$[\d,]+\.\d\d$/);
    expect(open[4]).toBe('0.9123');
    expect(open[5]).toBe('1');
    expect(flat[3]).toBe('$0.00');
  });

  test('draws a z-score chart per pair with the line and the bands painted', async () => {
    const charts = await chartPixels(page, '.card .chart', [37, 99, 235]);
    expect(charts).toHaveLength(2);
    for (const chart of charts) {
      expect(chart.width).toBeGreaterThan(100);
      expect(chart.height).toBeGreaterThan(100);
      expect(chart.linePixels).toBeGreaterThan(200);
    }
    // Entry bands (amber) and stop-loss bands (red) are drawn as price lines.
    for (const chart of await chartPixels(page, '.card .chart', [245, 158, 11])) expect(chart.linePixels).toBeGreaterThan(50);
    for (const chart of await chartPixels(page, '.card .chart', [220, 38, 38])) expect(chart.linePixels).toBeGreaterThan(50);
  });

  test('shows the open trade details of the pair holding a trade, and no close button on the flat one', async () => {
    const text = await page.locator(`#pair-${seeded.pairIds[0]} .details`).textContent();
    expect(text).toContain(`#${seeded.openTradeId} LONG_SPREAD`);
    expect(text).toContain('15 / 14');
    expect(text).toContain('$49.71 / $60.29');
    expect(text).toContain('Entry z-2.140');
    expect(text).toContain('Last signal: LONG_SPREAD at z -2.140');
    expect(await page.locator(`#pair-${seeded.pairIds[0]} .close-pair`).count()).toBe(1);
    expect(await page.locator(`#pair-${seeded.pairIds[1]} .close-pair`).count()).toBe(0);
  });

  test("close confirms, asks for the token once, sends it as a Bearer header and shows the API's answer", async () => {
    const dialogs: string[] = [];
    const onDialog = (dialog: Dialog) => {
      dialogs.push(dialog.type());
      void (dialog.type() === 'prompt' ? dialog.accept(TOKEN) : dialog.accept());
    };
    page.on('dialog', onDialog);
    await page.click(`#pair-${seeded.pairIds[0]} .close-pair`);
    await page.waitForSelector('#notice.error, #notice.ok');
    page.off('dialog', onDialog);
    expect(dialogs).toEqual(['confirm', 'prompt']);
    const close = posts.find((p) => p.path === `${API}/${seeded.pairIds[0]}/close`);
    expect(close?.authorization).toBe(`Bearer ${TOKEN}`);
    // No worker runs the seeded trade's workflow, so the API refuses the close (409) and the page says why.
    expect(await page.textContent('#notice')).toBe(
      `Close ARQX/BLVN failed: No open trade: the workflow of trade ${seeded.openTradeId} (pair-trade-seeded-1) is not running`,
    );
    expect(await page.evaluate(() => sessionStorage.getItem('pairs.apiToken'))).toBe(TOKEN);
    expect(await page.locator(`#pair-${seeded.pairIds[0]} .close-pair`).isEnabled()).toBe(true);
  });

  test('a rejected token is forgotten and the error is shown', async () => {
    await page.evaluate(() => sessionStorage.setItem('pairs.apiToken', 'wrong'));
    const onDialog = (dialog: Dialog) => {
      void dialog.accept();
    };
    page.on('dialog', onDialog);
    await page.click('#emergency-stop');
    await page.waitForFunction(() => document.querySelector('#notice')?.textContent?.startsWith('Emergency stop failed'));
    page.off('dialog', onDialog);
    expect(await page.textContent('#notice')).toBe('Emergency stop failed: Unauthorized: invalid bearer token');
    expect(posts.find((p) => p.path === `${API}/emergency-stop`)?.authorization).toBe('Bearer wrong');
    expect(await page.evaluate(() => sessionStorage.getItem('pairs.apiToken'))).toBeNull();
  });

  test('renders without script errors or off-host requests; screenshot saved', async () => {
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: path.join(ARTIFACTS, 'monitor.png'), fullPage: true });
    // The two expected failures: the refused close and the emergency stop with a wrong token.
    expect(problems).toEqual([`HTTP 409 ${API}/${seeded.pairIds[0]}/close`, `HTTP 401 ${API}/emergency-stop`]);
  });
});

describe('backtest review page', () => {
  let page: Page;
  let problems: string[];

  beforeAll(async () => {
    ({ page, problems } = await openPage(env, '/backtests.html'));
  });
  afterAll(async () => {
    await page?.close();
  });

  test('lists the runs and shows the gate verdict of the selected one', async () => {
    const rows = await page.$$eval('#runs-table tbody tr', (trs) => trs.map((tr) => tr.textContent ?? ''));
    expect(rows).toHaveLength(2);
    expect(rows[0]).toContain(`#${seeded.runIds[1]}`);
    expect(rows[0]).toContain('HALO/IONQ');
    expect(rows[1]).toContain('ARQX/BLVN');
    expect(await page.textContent('#run-verdict .verdict')).toBe('FAILED the gate');
    await page.click(`#runs-table tr[data-run-id="${seeded.runIds[0]}"]`);
    await page.waitForFunction(() => document.querySelector('#run-verdict .verdict')?.textContent === 'PASSED the gate');
    expect(await page.textContent('#run-metrics')).toContain('Sharpe ratio0.816');
  });

  test('running a backtest from the form draws its equity curve and trade log', async () => {
    await page.evaluate((token) => sessionStorage.setItem('pairs.apiToken', token), TOKEN);
    const start = new Date(seeded.barsStart.getTime() + 30 * 86_400_000).toISOString().slice(0, 10);
    const end = seeded.barsEnd.toISOString().slice(0, 10);
    await page.selectOption('#backtest-form select[name=pair_id]', String(seeded.pairIds[0]));
    await page.fill('#backtest-form input[name=start_date]', start);
    await page.fill('#backtest-form input[name=end_date]', end);
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith(`${API}/backtest`) && r.request().method() === 'POST'),
      page.click('#backtest-form button[type=submit]'),
    ]);
    const result = (await response.json()) as { run_id: number; passed_gate: boolean; total_trades: number; trade_log: unknown[] };
    expect(response.status()).toBe(200);
    await page.waitForSelector('#notice.ok, #notice.error');
    expect(await page.textContent('#notice')).toBe(`Backtest run #${result.run_id} finished: ${result.passed_gate ? 'passed' : 'failed'} the gate.`);
    const request = posts.find((p) => p.path === `${API}/backtest`);
    expect(request?.authorization).toBe(`Bearer ${TOKEN}`);
    expect(request?.body).toEqual({
      pair_id: seeded.pairIds[0],
      start_date: start,
      end_date: end,
      entry_threshold: 2,
      exit_threshold: 0.5,
      stop_loss_threshold: 3,
      initial_capital: 100000,
    });

    await page.waitForFunction(() => document.querySelectorAll('#equity-chart canvas').length > 0);
    await page.waitForTimeout(300);
    const [curve] = await chartPixels(page, '#equity-chart', [15, 118, 110]);
    expect(curve.width).toBeGreaterThan(100);
    expect(curve.linePixels).toBeGreaterThan(200);
    expect(await page.textContent('#run-title')).toBe(`Run #${result.run_id} — ARQX/BLVN`);
    expect(await page.textContent('#run-verdict .verdict')).toBe(result.passed_gate ? 'PASSED the gate' : 'FAILED the gate');
    expect(result.total_trades).toBeGreaterThan(0);
    expect(await page.locator('#trade-log tbody tr').count()).toBe(result.trade_log.length);
    // The new run is listed and selected.
    expect(await page.locator('#runs-table tbody tr').count()).toBe(3);
    expect(await page.getAttribute('#runs-table tr.selected', 'data-run-id')).toBe(String(result.run_id));
    await page.screenshot({ path: path.join(ARTIFACTS, 'backtests.png'), fullPage: true });
    // Listed runs are probed at GET /backtest/{id}, which the spec does not have (yet): 404s are expected.
    expect(problems.filter((p) => !new RegExp(`^HTTP 404 ${API}/backtest/\\d+$`).test(p))).toEqual([]);
  });
});
