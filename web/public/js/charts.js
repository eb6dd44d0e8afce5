// Chart construction on TradingView Lightweight Charts (served from node_modules under /vendor/).
import { createChart, LineSeries, LineStyle } from '/vendor/lightweight-charts.mjs';

const BASE_OPTIONS = {
  autoSize: true,
  layout: { background: { color: '#ffffff' }, textColor: '#334155', fontSize: 11 },
  grid: { vertLines: { color: '#f1f5f9' }, horzLines: { color: '#f1f5f9' } },
  rightPriceScale: { borderColor: '#cbd5e1' },
  timeScale: { borderColor: '#cbd5e1', timeVisible: true, secondsVisible: false },
  crosshair: { mode: 0 },
};

/** Points sorted by time with one value per second (the library needs strictly ascending times). */
function toSeriesData(points, timeOf, valueOf) {
  const bySecond = new Map();
  for (const point of points) {
    const value = valueOf(point);
    const ms = timeOf(point);
    if (typeof value !== 'number' || !Number.isFinite(value) || !Number.isFinite(ms)) continue;
    bySecond.set(Math.floor(ms / 1000), value);
  }
  return [...bySecond.entries()].sort((a, b) => a[0] - b[0]).map(([time, value]) => ({ time, value }));
}

/**
 * Z-score line with horizontal bands at ±entry (orange), ±exit (green), ±stop-loss (red) and 0.
 * `history` is the /{id}/history list: [{ timestamp (ms), z_score, spread }].
 */
export function drawZScoreChart(container, history, thresholds) {
  const chart = createChart(container, BASE_OPTIONS);
  const { entry, exit, stopLoss } = thresholds;
  const bandLimit = Math.max(entry || 0, stopLoss || 0) * 1.15 || 3;
  const series = chart.addSeries(LineSeries, {
    color: '#2563eb',
    lineWidth: 2,
    priceFormat: { type: 'price', precision: 2, minMove: 0.01 },
    // Keep every band in view even when the z-score stays near zero.
    autoscaleInfoProvider: (original) => {
      const range = original()?.priceRange ?? { minValue: 0, maxValue: 0 };
      return { priceRange: { minValue: Math.min(range.minValue, -bandLimit), maxValue: Math.max(range.maxValue, bandLimit) } };
    },
  });
  series.setData(
    toSeriesData(
      history,
      (p) => Number(p.timestamp),
      (p) => p.z_score,
    ),
  );
  const band = (price, color, title, lineStyle = LineStyle.Dashed) => {
    if (typeof price === 'number' && Number.isFinite(price)) {
      series.createPriceLine({ price, color, lineWidth: 1, lineStyle, axisLabelVisible: true, title });
    }
  };
  band(0, '#94a3b8', '', LineStyle.Dotted);
  band(entry, '#f59e0b', 'entry');
  band(-entry, '#f59e0b', 'entry');
  band(exit, '#16a34a', 'exit');
  band(-exit, '#16a34a', 'exit');
  band(stopLoss, '#dc2626', 'stop');
  band(-stopLoss, '#dc2626', 'stop');
  chart.timeScale().fitContent();
  return chart;
}

/** Equity curve of a backtest: [{ timestamp (ms), equity }]. */
export function drawEquityChart(container, curve) {
  const chart = createChart(container, BASE_OPTIONS);
  const series = chart.addSeries(LineSeries, { color: '#0f766e', lineWidth: 2 });
  series.setData(
    toSeriesData(
      curve,
      (p) => Number(p.timestamp ?? p.time ?? Date.parse(p.date)),
      (p) => p.equity,
    ),
  );
  chart.timeScale().fitContent();
  return chart;
}

/** Drawdown below the running peak, in percent (drawn as negative values): [{ timestamp (ms), drawdown (fraction) }]. */
export function drawDrawdownChart(container, curve) {
  const chart = createChart(container, BASE_OPTIONS);
  const series = chart.addSeries(LineSeries, { color: '#dc2626', lineWidth: 2, priceFormat: { type: 'percent', precision: 2, minMove: 0.01 } });
  series.setData(
    toSeriesData(
      curve,
      (p) => Number(p.timestamp),
      (p) => -100 * p.drawdown,
    ),
  );
  chart.timeScale().fitContent();
  return chart;
}
