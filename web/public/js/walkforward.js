// Walk-forward page: stored runs (GET /walkforward/history), one run's gate verdict, out-of-sample metrics, deflated
// Sharpe ratio and PBO, equity and drawdown curves, the per-window table; a form that runs a new walk-forward on
// the stored bars (POST /walkforward, token required).
import { getJson, postJson } from './api.js';
import { drawDrawdownChart, drawEquityChart } from './charts.js';
import { el, clear, setText, fmtNumber, fmtMoney, fmtPercent, fmtProbability, fmtTime, signClass, notify } from './dom.js';

const GATE = { sharpe: 0.5, winRate: 0.45, maxDrawdown: 0.15 };
const charts = [];
const day = (ms) => fmtTime(ms).slice(0, 10);

function renderVerdict(run) {
  const m = run.metrics;
  const box = clear(document.getElementById('wf-verdict'));
  box.append(
    el(
      'p',
      { class: `verdict ${m.passed_gate ? 'pass' : 'fail'}` },
      m.passed_gate ? 'PASSED the gate out of sample' : 'FAILED the gate out of sample',
    ),
  );
  box.append(
    el(
      'ul',
      { class: 'checks' },
      [
        [`Sharpe ${fmtNumber(m.sharpe_ratio, 3)} > ${GATE.sharpe}`, m.sharpe_ratio > GATE.sharpe],
        [`Win rate ${fmtPercent(m.win_rate)} > ${fmtPercent(GATE.winRate, 0)}`, m.win_rate > GATE.winRate],
        [`Max drawdown ${fmtPercent(m.max_drawdown)} < ${fmtPercent(GATE.maxDrawdown, 0)}`, m.max_drawdown < GATE.maxDrawdown],
      ].map(([text, ok]) => el('li', { class: ok ? 'gain' : 'loss' }, `${ok ? '✓' : '✗'} ${text}`)),
    ),
  );
}

function facts(rows) {
  return el(
    'dl',
    { class: 'facts wide' },
    rows.flatMap(([term, value]) => [el('dt', {}, term), el('dd', {}, value)]),
  );
}

function renderMetrics(run) {
  const m = run.metrics;
  const p = run.params;
  clear(document.getElementById('wf-metrics')).append(
    facts([
      ['Total return', fmtPercent(m.total_return, 2)],
      ['Annualized return', fmtPercent(m.annualized_return, 2)],
      ['Sharpe ratio', fmtNumber(m.sharpe_ratio, 3)],
      ['Max drawdown', fmtPercent(m.max_drawdown, 2)],
      ['Win rate', fmtPercent(m.win_rate, 1)],
      ['Profit factor', fmtNumber(m.profit_factor, 2)],
      ['Trades', String(m.total_trades)],
      ['Final equity', fmtMoney(m.final_equity)],
      ['Bars a year', fmtNumber(p.bars_per_year, 0)],
    ]),
  );
  const d = run.deflated_sharpe;
  const o = run.overfitting;
  clear(document.getElementById('wf-statistics')).append(
    facts([
      ['Deflated Sharpe ratio', fmtProbability(d.deflatedSharpe)],
      ['Trials counted', String(d.trials)],
      ['Luck-alone Sharpe (annual)', fmtNumber(d.annualized_expected_max_sharpe, 3)],
      ['PSR(0)', fmtProbability(d.probabilisticSharpe)],
      ['PBO', o ? fmtNumber(o.pbo, 3) : 'n/a (no sweep)'],
      ['CSCV', o ? `${o.blocks} blocks, ${o.combinations} splits` : '—'],
      ['Entries refused by the risk rules', refusals(run.risk_refusals)],
    ]),
  );
}

/** Entry signals the live risk rules refused in the simulation, by rule name ("none" for runs stored before they applied). */
function refusals(byRule) {
  const parts = Object.entries(byRule ?? {})
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([rule, count]) => `${rule} ${count}`);
  return parts.length > 0 ? parts.join(', ') : 'none';
}

function renderCurves(run) {
  while (charts.length) charts.pop().remove();
  for (const [id, draw, curve] of [
    ['wf-equity', drawEquityChart, run.equity_curve],
    ['wf-drawdown', drawDrawdownChart, run.drawdown_curve],
  ]) {
    const box = clear(document.getElementById(id));
    if (Array.isArray(curve) && curve.length > 0) charts.push(draw(box, curve));
    else box.append(el('p', { class: 'muted empty-chart' }, 'No curve for this run.'));
  }
}

function renderWindows(run) {
  const body = clear(document.querySelector('#wf-windows tbody'));
  for (const w of run.windows) {
    body.append(
      el(
        'tr',
        {},
        el('td', {}, String(w.index)),
        el('td', {}, `${day(w.trading_start)} → ${day(w.trading_end)}`),
        el(
          'td',
          { title: w.pairs.map((p) => p.name).join(', ') },
          w.pairs.length
            ? `${w.pairs.length}: ${w.pairs
                .slice(0, 3)
                .map((p) => p.name)
                .join(', ')}${w.pairs.length > 3 ? ', …' : ''}`
            : 'none',
        ),
        el('td', {}, `${w.entry_threshold} / ${w.exit_threshold} / ${w.stop_loss_threshold}`),
        el('td', { class: 'num' }, fmtNumber(w.in_sample_sharpe, 2)),
        el('td', { class: 'num' }, String(w.trades)),
        el('td', { class: `num ${signClass(w.pnl)}` }, fmtMoney(w.pnl)),
        el('td', { class: `num ${signClass(w.return)}` }, fmtPercent(w.return, 2)),
        el('td', { class: 'num' }, fmtNumber(w.sharpe_ratio, 2)),
      ),
    );
  }
}

async function showRun(id) {
  document.querySelectorAll('#wf-runs tbody tr').forEach((row) => row.classList.toggle('selected', row.dataset.runId === String(id)));
  const run = await getJson(`/walkforward/${id}`);
  setText('#wf-title', `Run #${run.run_id} — ${run.symbols.length} symbols, ${run.windows.length} windows`);
  renderVerdict(run);
  renderMetrics(run);
  renderCurves(run);
  renderWindows(run);
  document.getElementById('wf-view').dataset.runId = String(run.run_id);
}

async function loadRuns(selectId) {
  const runs = await getJson('/walkforward/history');
  const body = clear(document.querySelector('#wf-runs tbody'));
  for (const run of runs) {
    const row = el(
      'tr',
      { dataset: { runId: run.id }, tabindex: 0 },
      el('td', {}, `#${run.id}`),
      el('td', {}, String(run.run_date).slice(0, 10)),
      el('td', {}, `${String(run.start_time).slice(0, 10)} → ${String(run.end_time).slice(0, 10)}`),
      el('td', { class: 'num' }, String(run.symbols)),
      el('td', { class: 'num' }, String(run.window_count)),
      el('td', { class: 'num' }, fmtNumber(run.sharpe_ratio, 3)),
      el('td', { class: 'num' }, fmtPercent(run.max_drawdown, 1)),
      el('td', { class: 'num' }, String(run.total_trades)),
      el('td', { class: 'num' }, fmtProbability(run.deflated_sharpe)),
      el('td', { class: 'num' }, run.pbo === null ? '—' : fmtNumber(run.pbo, 3)),
      el('td', {}, el('span', { class: `badge ${run.passed_gate ? 'pass' : 'fail'}` }, run.passed_gate ? 'pass' : 'fail')),
    );
    const open = () => showRun(run.id).catch((e) => notify(e.message, 'error'));
    row.addEventListener('click', open);
    row.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') open();
    });
    body.append(row);
  }
  document.getElementById('wf-runs-empty').hidden = runs.length > 0;
  const selected = runs.find((r) => r.id === selectId) ?? runs[0];
  if (selected) await showRun(selected.id);
}

async function submitRun(event) {
  event.preventDefault();
  const form = event.currentTarget;
  const button = form.querySelector('button[type=submit]');
  const f = form.elements;
  const request = { initial_capital: Number(f.initial_capital.value), sweep: f.sweep.checked };
  const symbols = f.symbols.value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (symbols.length) request.symbols = symbols;
  if (f.formation_bars.value) request.formation_bars = Number(f.formation_bars.value);
  if (f.trading_bars.value) request.trading_bars = Number(f.trading_bars.value);
  button.disabled = true;
  notify('Running walk-forward…', 'info');
  try {
    const result = await postJson('/walkforward', request);
    notify(`Walk-forward run #${result.run_id} finished: ${result.metrics.passed_gate ? 'passed' : 'failed'} the gate out of sample.`, 'ok');
    await loadRuns(result.run_id);
  } catch (err) {
    notify(`Walk-forward failed: ${err.message}`, 'error');
  } finally {
    button.disabled = false;
  }
}

async function init() {
  document.getElementById('wf-form').addEventListener('submit', submitRun);
  try {
    await loadRuns();
  } catch (err) {
    notify(`Could not load: ${err.message}`, 'error');
  }
  document.body.dataset.loaded = 'true';
}

init();
