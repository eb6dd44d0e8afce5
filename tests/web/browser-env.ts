/**
 * What the browser tests share: the real API (api/app.ts createApp) on a fresh test database and a real Temporal
 * dev server, listening on a free local port, and a headless Chromium (Debian's /usr/bin/chromium via
 * playwright-core, no browser download) with its own throwaway profile.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { createApiLogger, createApp } from '../../api/app';
import { createAlpacaBroker } from '../../broker/alpaca-broker';
import { DEFAULT_CONFIG_PATH } from '../../config/loader';
import type { Db } from '../../db/connection';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { startTemporal } from '../helpers/temporal';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const ARTIFACTS = path.resolve(__dirname, '../artifacts');

export interface BrowserEnv {
  db: Db;
  baseUrl: string;
  context: BrowserContext;
  teardown(): Promise<void>;
}

export interface BrowserEnvOptions {
  /** Test database label (createTestDatabase). */
  label: string;
  taskQueue: string;
  apiToken: string;
  /** Fills the database before the app starts. */
  prepare?: (db: Db) => Promise<void>;
}

/** Starts everything; whatever started is stopped again if a later step fails. Screenshots go to ARTIFACTS. */
export async function startBrowserEnv(options: BrowserEnvOptions): Promise<BrowserEnv> {
  let database: TestDatabase | undefined;
  let temporal: TestWorkflowEnvironment | undefined;
  let server: Server | undefined;
  let context: BrowserContext | undefined;
  let userDataDir: string | undefined;
  const teardown = async (): Promise<void> => {
    await context?.close();
    if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    await temporal?.teardown();
    await database?.drop();
  };
  try {
    const [db, env] = await Promise.allSettled([createTestDatabase(options.label), startTemporal()]);
    if (db.status === 'fulfilled') database = db.value;
    if (env.status === 'fulfilled') temporal = env.value;
    if (db.status === 'rejected') throw db.reason;
    if (env.status === 'rejected') throw env.reason;
    await options.prepare?.(database!.db);
    const app = createApp({
      db: database!.db,
      temporal: { client: temporal!.client, taskQueue: options.taskQueue },
      // Only the readiness probe talks to the broker; nothing listens here.
      broker: createAlpacaBroker({ keyId: 'k', secret: 's', simulatorUrl: 'http://127.0.0.1:9' }),
      configPath: DEFAULT_CONFIG_PATH,
      apiToken: options.apiToken,
      logger: createApiLogger('silent'),
    });
    const listening = app.listen(0, '127.0.0.1');
    server = listening;
    await new Promise((resolve) => listening.once('listening', resolve));
    const baseUrl = `http://127.0.0.1:${(listening.address() as AddressInfo).port}`;
    mkdirSync(ARTIFACTS, { recursive: true });
    userDataDir = mkdtempSync(path.join(os.tmpdir(), 'pairs-chromium-'));
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
      viewport: { width: 1400, height: 1000 },
    });
    return { db: database!.db, baseUrl, context, teardown };
  } catch (err) {
    await teardown();
    throw err;
  }
}

/**
 * Opens `urlPath` in a new page and waits until the page says it loaded; `problems` collects script errors,
 * console errors, failed responses and any request leaving the local server.
 */
export async function openPage(env: BrowserEnv, urlPath: string, timeout = 20_000): Promise<{ page: Page; problems: string[] }> {
  const page = await env.context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  // Failed HTTP responses are recorded with their URL below; the console only repeats them without it.
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource')) problems.push(`console: ${msg.text()}`);
  });
  page.on('response', (res) => {
    if (res.status() >= 400) problems.push(`HTTP ${res.status()} ${new URL(res.url()).pathname}`);
  });
  page.on('request', (req) => {
    if (!req.url().startsWith(env.baseUrl)) problems.push(`request off the local server: ${req.url()}`);
  });
  await page.goto(`${env.baseUrl}${urlPath}`);
  await page.waitForSelector('body[data-loaded=true]', { timeout });
  return { page, problems };
}

/** Size of each chart's canvases and how many pixels carry the given line colour (±12 per channel). */
export async function chartPixels(page: Page, selector: string, rgb: [number, number, number]) {
  return page.$$eval(
    selector,
    (charts, color) =>
      charts.map((chart) => {
        let linePixels = 0;
        let painted = 0;
        let width = 0;
        let height = 0;
        for (const canvas of Array.from(chart.querySelectorAll('canvas'))) {
          width = Math.max(width, canvas.width);
          height = Math.max(height, canvas.height);
          const ctx = canvas.getContext('2d');
          if (!ctx || canvas.width === 0 || canvas.height === 0) continue;
          const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
          for (let i = 0; i < data.length; i += 4) {
            if (data[i + 3] === 0) continue;
            if (data[i] < 250 || data[i + 1] < 250 || data[i + 2] < 250) painted++;
            if (Math.abs(data[i] - color[0]) <= 12 && Math.abs(data[i + 1] - color[1]) <= 12 && Math.abs(data[i + 2] - color[2]) <= 12) linePixels++;
          }
        }
        return { width, height, painted, linePixels };
      }),
    rgb,
  );
}
