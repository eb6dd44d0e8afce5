import path from 'node:path';
import express from 'express';

export const WEB_PUBLIC_DIR = path.join(__dirname, 'public');

/** The charting library, served from node_modules so the pages work offline (its standalone ES module build). */
export const CHART_LIBRARY_FILE = path.join(
  path.dirname(require.resolve('lightweight-charts/package.json')),
  'dist/lightweight-charts.standalone.production.mjs',
);

/**
 * The monitoring page (`/`), the backtest review page (`/backtests.html`), their scripts and styles, and the
 * chart library under `/vendor/`. Plain files, no build step; mounted at `/` beside the JSON API. The pages
 * use only same-origin scripts (no inline code), so they work under helmet's default Content-Security-Policy.
 */
export function createWebRouter(): express.Router {
  const router = express.Router();
  router.get('/vendor/lightweight-charts.mjs', (_req, res) => {
    res.type('text/javascript').set('Cache-Control', 'public, max-age=86400').sendFile(CHART_LIBRARY_FILE);
  });
  router.use(express.static(WEB_PUBLIC_DIR, { index: 'index.html', extensions: ['html'], maxAge: 0 }));
  return router;
}
