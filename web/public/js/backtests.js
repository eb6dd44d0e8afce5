// Backtest review page: past runs, a run's gate verdict, metrics, equity curve and trade log, and a form
// that runs a new backtest (POST /backtest, token required).
import { getJson, postJson, ApiError } from './api.js';
import { drawEquityChart } from './charts.js';
import { el, clear, setText, fmtNumber, fmtMoney, fmtPercent, fmtTime, signClass, notify } from './dom.js';

const GATE = { sharpe: 0.5, winRate: 0.45, maxDrawdown: 0.15 };
let equityChart = null;
let pairNames = new Map();
/** Full results of runs made from this page, by run id (the history list carries no curves). */
const fullRuns = new Map();

function gateChecks(run) {
  return [
    [`Sharpe ${fmtNumber(run.sharpe_ratio, 3)} > ${GATE.sharpe}`, run.sharpe_ratio > GATE.sharpe],
    [`Win rate ${fmtPercent(run.win_rate)} > ${fmtPercent(GATE.winRate, 0)}`, run.win_rate > GATE.winRate],
    [`Max drawdown ${fmtPercent(run.max_drawdown)} < ${fmtPercent(GATE.maxDrawdown, 0)}`, run.max_drawdown < GATE.maxDrawdown],
  ];
}

function pairLabel(pairId) {
  return pairNames.get(pairId) ?? `pair ${pairId}`;
}

function renderVerdict(run) {
  const box = clear(document.getElementById('run-verdict'));
  box.append(el('p', { class: `verdict ${run.passed_gate ? 'pass' : 'fail'}` }, run.passed_gate ? 'PASSED the gate' : 'FAILED the gate'));
  box.append(
    el(
      'ul',
      { class: 'checks' },
      gateChecks(run).map(([text, ok]) => el('li', { class: ok ? 'gain' : 'loss' }, `${ok ? '✓' : '✗'} ${text}`)),
    ),
  );
}

function renderMetrics(run) {
  const rows = [
    ['Total return', run.total_return, (v) => fmtPercent(v, 2)],
    ['Annualized return', run.annualized_return, (v) => fmtPercent(v, 2)],
    ['Sharpe ratio', run.sharpe_ratio, (v) => fmtNumber(v, 3)],
    ['Max drawdown', run.max_drawdown, (v) => fmtPercent(v, 2)],
    ['Win rate', run.win_rate, (v) => fmtPercent(v, 1)],
    ['Profit factor', run.profit_factor, (v) => fmtNumber(v, 2)],
    ['Trades', run.total_trades, (v) => String(v)],
    ['Avg hold (h)', run.avg_hold_time_hours, (v) => fmtNumber(v, 1)],
    ['Kelly fraction', run.kelly_fraction, (v) => fmtNumber(v, 3)],
  ].filter(([, value]) => value !== undefined); // a listed run carries only some of them; null still shows as —
  clear(document.getElementById('run-metrics')).append(
    el(
      'dl',
      { class: 'facts wide' },
      rows.flatMap(([term, value, format]) => [el('dt', {}, term), el('dd', {}, format(value))]),
    ),
  );
}

function renderCurve(curve, emptyMessage = 'No equity curve for this run.') {
  const box = document.getElementById('equity-chart');
  if (equityChart) {
    equityChart.remove();
    equityChart = null;
  }
  clear(box);
  if (Array.isArray(curve) && curve.length > 0) {
    equityChart = drawEquityChart(box, curve);
  } else {
    box.append(el('p', { class: 'muted empty-chart' }, emptyMessage));
  }
}

function renderTradeLog(trades, note) {
  const body = clear(document.querySelector('#trade-log tbody'));
  for (const t of trades ?? []) {
    body.append(
      el(
        'tr',
        {},
        el('td', {}, t.side),
        el('td', {}, fmtTime(t.entry_time)),
        el('td', {}, fmtTime(t.exit_time)),
        el('td', { class: 'num' }, fmtNumber(t.entry_z, 2)),
        el('td', { class: 'num' }, fmtNumber(t.exit_z, 2)),
        el('td', { class: 'num' }, `${t.qty1 ?? '—'} / ${t.qty2 ?? '—'}`),
        el('td', { class: 'num' }, fmtNumber(t.hold_hours, 1)),
        el('td', {}, t.exit_reason ?? ''),
        el('td', { class: `num ${signClass(t.pnl)}` }, fmtMoney(t.pnl)),
      ),
    );
  }
  setText('#trade-log-note', note ?? (trades && trades.length === 0 ? 'No trades in this run.' : ''));
}

/** Shows a run: the full result when this page ran it or GET /backtest/{id} exists, else the summary row. */
async function showRun(summary) {
  document.querySelectorAll('#runs-table tbody tr').forEach((row) => {
    row.classList.toggle('selected', row.dataset.runId === String(summary.id ?? summary.run_id));
  });
  const id = summary.id ?? summary.run_id;
  setText('#run-title', `Run #${id} — ${pairLabel(summary.pair_id)}`);
  let full = fullRuns.get(id);
  if (!full) {
    try {
      full = await getJson(`/backtest/${id}`);
      fullRuns.set(id, full);
    } catch (err) {
      if (!(err instanceof ApiError && (err.status === 404 || err.status === 405))) notify(err.message, 'error');
    }
  }
  const run = { ...summary, ...(full ?? {}) };
  renderVerdict(run);
  renderMetrics(run);
  if (full) {
    renderCurve(full.equity_curve);
    renderTradeLog(full.trade_log);
  } else {
    renderCurve([], 'The API does not serve the stored curve of a listed run; run it again from the form to see it.');
    renderTradeLog([], 'The trade log of a listed run is not served by the API; run it again from the form to see it.');
  }
}

async function loadRuns(selectId) {
  const pairId = document.getElementById('filter-pair').value;
  const runs = await getJson(`/backtest/history${pairId ? `?pair_id=${encodeURIComponent(pairId)}` : ''}`);
  const body = clear(document.querySelector('#runs-table tbody'));
  for (const run of runs) {
    const row = el(
      'tr',
      { dataset: { runId: run.id }, tabindex: 0 },
      el('td', {}, `#${run.id}`),
      el('td', {}, pairLabel(run.pair_id)),
      el('td', {}, String(run.run_date ?? '').slice(0, 10)),
      el('td', {}, `${run.start_date} → ${run.end_date}`),
      el('td', { class: 'num' }, fmtNumber(run.sharpe_ratio, 3)),
      el('td', { class: 'num' }, fmtPercent(run.max_drawdown, 1)),
      el('td', { class: 'num' }, fmtPercent(run.win_rate, 1)),
      el('td', { class: 'num' }, run.total_trades),
      el('td', {}, el('span', { class: `badge ${run.passed_gate ? 'pass' : 'fail'}` }, run.passed_gate ? 'pass' : 'fail')),
    );
    row.addEventListener('click', () => showRun(run));
    row.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') showRun(run);
    });
    body.append(row);
  }
  document.getElementById('runs-empty').hidden = runs.length > 0;
  const selected = runs.find((r) => r.id === selectId) ?? (selectId === undefined ? runs[0] : undefined);
  if (selected) await showRun(selected);
}

async function loadPairsAndConfig() {
  const [{ pairs }, config] = await Promise.all([getJson('/active'), getJson('/config')]);
  pairNames = new Map(pairs.map((p) => [p.id, p.name]));
  const form = document.getElementById('backtest-form');
  const pairSelect = form.elements.pair_id;
  const filter = document.getElementById('filter-pair');
  for (const pair of pairs) {
    pairSelect.append(el('option', { value: pair.id }, pair.name));
    filter.append(el('option', { value: pair.id }, pair.name));
  }
  form.elements.entry_threshold.value = config.entry_threshold;
  form.elements.exit_threshold.value = config.exit_threshold;
  form.elements.stop_loss_threshold.value = config.stop_loss_threshold;
  const end = new Date();
  const start = new Date(end.getTime() - 90 * 86_400_000);
  form.elements.end_date.value = end.toISOString().slice(0, 10);
  form.elements.start_date.value = start.toISOString().slice(0, 10);
}

async function submitBacktest(event) {
  event.preventDefault();
  const form = event.currentTarget;
  const button = form.querySelector('button[type=submit]');
  const f = form.elements;
  const request = {
    pair_id: Number(f.pair_id.value),
    start_date: f.start_date.value,
    end_date: f.end_date.value,
    entry_threshold: Number(f.entry_threshold.value),
    exit_threshold: Number(f.exit_threshold.value),
    stop_loss_threshold: Number(f.stop_loss_threshold.value),
    initial_capital: Number(f.initial_capital.value),
  };
  button.disabled = true;
  notify('Running backtest…', 'info');
  try {
    const result = await postJson('/backtest', request);
    fullRuns.set(result.run_id, result);
    notify(`Backtest run #${result.run_id} finished: ${result.passed_gate ? 'passed' : 'failed'} the gate.`, 'ok');
    await loadRuns(result.run_id);
    if (!document.querySelector('#runs-table tr.selected')) {
      await showRun({ ...result, id: result.run_id, start_date: request.start_date, end_date: request.end_date });
    }
  } catch (err) {
    notify(`Backtest failed: ${err.message}`, 'error');
  } finally {
    button.disabled = false;
  }
}

async function init() {
  document.getElementById('backtest-form').addEventListener('submit', submitBacktest);
  document.getElementById('filter-pair').addEventListener('change', () => loadRuns().catch((e) => notify(e.message, 'error')));
  try {
    await loadPairsAndConfig();
    await loadRuns();
  } catch (err) {
    notify(`Could not load: ${err.message}`, 'error');
  }
  document.body.dataset.loaded = 'true';
}

init();
