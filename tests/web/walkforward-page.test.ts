/**
 * The walk-forward page in headless Chromium (Debian's /usr/bin/chromium via playwright-core) against the real API
 * on a real test database holding the real-data fixture (SPISECTOR, daily) in market_data: a run started from the
 * page's form is listed, selected and drawn (equity and drawdown curves, per-window table, gate, DSR, PBO).
 * Screenshots land in tests/artifacts/.
 */
import path from 'node:path';
import type { Page } from 'playwright-core';
import { readSpisector, storeCloses } from '../helpers/walkforward-fixture';
import { ARTIFACTS, openPage, startBrowserEnv, type BrowserEnv } from './browser-env';

const TOKEN = 'test-token-walkforward-0123';
const API = '/api/strategies/pairs';

jest.setTimeout(180_000);

let env: BrowserEnv;

beforeAll(async () => {
  env = await startBrowserEnv({
    label: 'web_walkforward',
    taskQueue: 'pairs-web-walkforward-test',
    apiToken: TOKEN,
    prepare: (db) => storeCloses(db, readSpisector()),
  });
});

afterAll(async () => {
  await env?.teardown();
});

/** Pixels of each chart's canvases carrying the given line colour (±12 per channel). */
async function linePixels(page: Page, selector: string, rgb: [number, number, number]): Promise<number> {
  return page.$eval(
    selector,
    (chart, color) => {
      let count = 0;
      for (const canvas of Array.from(chart.querySelectorAll('canvas'))) {
        const ctx = canvas.getContext('2d');
        if (!ctx || canvas.width === 0 || canvas.height === 0) continue;
        const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
        for (let i = 0; i < data.length; i += 4) {
          if (
            data[i + 3] !== 0 &&
            Math.abs(data[i] - color[0]) <= 12 &&
            Math.abs(data[i + 1] - color[1]) <= 12 &&
            Math.abs(data[i + 2] - color[2]) <= 12
          )
            count++;
        }
      }
      return count;
    },
    rgb,
  );
}

describe('walk-forward page', () => {
  let page: Page;
  let problems: string[];

  beforeAll(async () => {
    ({ page, problems } = await openPage(env, '/walkforward.html', 30_000));
  });
  afterAll(async () => {
    await page?.close();
  });

  it('starts empty, then runs a walk-forward with the sweep from the form and draws it', async () => {
    expect(await page.isVisible('#wf-runs-empty')).toBe(true);
    await page.evaluate((token) => sessionStorage.setItem('pairs.apiToken', token), TOKEN);
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith(`${API}/walkforward`) && r.request().method() === 'POST', { timeout: 120_000 }),
      page.click('#wf-form button[type=submit]'),
    ]);
    expect(response.status()).toBe(200);
    const result = (await response.json()) as {
      run_id: number;
      windows: unknown[];
      metrics: { passed_gate: boolean };
      overfitting: { pbo: number };
      risk_refusals: Record<string, number>;
    };
    expect(response.request().postDataJSON()).toEqual({ initial_capital: 100000, sweep: true });
    await page
      .waitForFunction((id) => document.getElementById('wf-view')?.dataset.runId === String(id), result.run_id, { timeout: 30_000 })
      .catch((err: Error) => {
        throw new Error(`${err.message}; page problems: ${problems.join(' | ')}`);
      });
    await page.waitForFunction(
      () => document.querySelectorAll('#wf-equity canvas').length > 0 && document.querySelectorAll('#wf-drawdown canvas').length > 0,
    );
    await page.waitForTimeout(300); // let the charts paint their first frame

    expect(await page.textContent('#notice')).toBe(
      `Walk-forward run #${result.run_id} finished: ${result.metrics.passed_gate ? 'passed' : 'failed'} the gate out of sample.`,
    );
    expect(await page.locator('#wf-runs tbody tr').count()).toBe(1);
    expect(await page.getAttribute('#wf-runs tr.selected', 'data-run-id')).toBe(String(result.run_id));
    expect(await page.textContent('#wf-title')).toBe(`Run #${result.run_id} — 10 symbols, ${result.windows.length} windows`);
    expect(await page.textContent('#wf-verdict .verdict')).toBe(
      result.metrics.passed_gate ? 'PASSED the gate out of sample' : 'FAILED the gate out of sample',
    );
    expect(await page.locator('#wf-windows tbody tr').count()).toBe(result.windows.length);
    const stats = await page.textContent('#wf-statistics');
    expect(stats).toContain('Deflated Sharpe ratio');
    expect(stats).toContain(`PBO${result.overfitting.pbo.toFixed(3)}`);
    const refused = Object.entries(result.risk_refusals)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([rule, count]) => `${rule} ${count}`);
    expect(stats).toContain(`Entries refused by the risk rules${refused.length > 0 ? refused.join(', ') : 'none'}`);
    expect(await linePixels(page, '#wf-equity', [15, 118, 110])).toBeGreaterThan(200);
    expect(await linePixels(page, '#wf-drawdown', [220, 38, 38])).toBeGreaterThan(100);
    await page.screenshot({ path: path.join(ARTIFACTS, 'walkforward.png'), fullPage: true });
    await page.locator('#wf-view').screenshot({ path: path.join(ARTIFACTS, 'walkforward-run.png') });
    expect(problems).toEqual([]);
  });

  it("shows the API's answer when a run cannot start", async () => {
    await page.fill('#wf-form input[name=symbols]', 'NOPE1,NOPE2');
    await page.click('#wf-form button[type=submit]');
    await page.waitForFunction(() => document.querySelector('#notice')?.textContent?.startsWith('Walk-forward failed'));
    expect(await page.textContent('#notice')).toMatch(/^Walk-forward failed: Not enough market data: NOPE1, NOPE2 share 0 bars/);
  });
});
