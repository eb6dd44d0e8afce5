// Risk panel of the monitoring page: trading state and why, realised / unrealised P&L, the account against its
// limits, Kelly's verdict, the latest refused entries, and the equity curve with its drawdown (GET /risk, /risk/equity).
import { getJson } from './api.js';
import { drawDrawdownChart, drawEquityChart } from './charts.js';
import { el, clear, setText, fmtMoney, fmtNumber, fmtTime, signClass } from './dom.js';

const REFUSALS_SHOWN = 10;
let charts = [];

function pct(value, digits = 2) {
  return typeof value === 'number' && Number.isFinite(value) ? `${value.toFixed(digits)}%` : '—';
}

function renderState(risk, status) {
  const state = document.getElementById('risk-state');
  state.textContent = risk.state.trading_state;
  state.className = `badge state-${risk.state.trading_state.toLowerCase()}`;
  setText('#risk-reason', `${risk.state.reason} (${risk.state.changed_by}, since ${fmtTime(risk.state.since)})`);
  const realized = document.getElementById('risk-realized');
  realized.textContent = fmtMoney(status.realized_pnl);
  realized.className = `value ${signClass(status.realized_pnl)}`;
  const unrealized = document.getElementById('risk-unrealized');
  unrealized.textContent = fmtMoney(status.unrealized_pnl);
  unrealized.className = `value ${signClass(status.unrealized_pnl)}`;
  const a = risk.account;
  const l = risk.limits;
  setText('#risk-equity', a ? fmtMoney(a.equity) : '—');
  setText('#risk-daily', a ? `${pct(a.daily_loss_pct)} of ${pct(l.daily_loss_limit_pct, 1)}` : '—');
  setText('#risk-drawdown', a ? `${pct(a.drawdown_pct)} of ${pct(l.max_drawdown_pct, 1)}` : '—');
  setText('#risk-gross', a ? `${pct(a.gross_exposure_pct)} of ${pct(l.max_gross_exposure_pct, 0)}` : '—');
  const kelly = document.getElementById('risk-kelly');
  kelly.textContent =
    risk.kelly.no_edge ??
    (risk.kelly.phase === 'bootstrap'
      ? `bootstrap (${risk.kelly.window_trades} closed trades)`
      : `half-Kelly, f = ${fmtNumber(risk.kelly.kelly_fraction, 4)}`);
  kelly.className = `value ${risk.kelly.no_edge ? 'loss' : ''}`;
  setText(
    '#risk-limits',
    `max ${l.max_open_pairs} open pairs, ${l.max_pairs_per_symbol} per symbol, ${l.max_symbol_exposure_pct}% per symbol, ` +
      `buying-power reserve ${l.buying_power_check ? `${l.buying_power_reserve_pct}%` : 'off'}, cooldown ${l.cooldown_after_stop_loss_hours} h after a stop-out ` +
      `and ${l.cooldown_after_failed_entry_hours} h after a failed entry, ${l.flatten_on_halt ? 'HALTED flattens' : 'HALTED keeps open trades'}`,
  );
}

function renderRefusals(refusals) {
  const body = clear(document.querySelector('#refusals-table tbody'));
  for (const r of refusals.slice(0, REFUSALS_SHOWN)) {
    body.append(
      el(
        'tr',
        {},
        el('td', {}, fmtTime(r.timestamp)),
        el('td', {}, `#${r.pair_id}`),
        el('td', {}, el('b', {}, r.rule)),
        el('td', {}, String(r.detail.reason ?? '')),
      ),
    );
  }
  document.getElementById('refusals-empty').hidden = refusals.length > 0;
}

function renderEquity(curve) {
  for (const chart of charts) chart.remove();
  charts = [];
  const equityBox = clear(document.getElementById('equity-chart'));
  const drawdownBox = clear(document.getElementById('drawdown-chart'));
  setText('#equity-stats', curve.points.length ? `max drawdown ${pct(curve.max_drawdown)}, Sharpe ${fmtNumber(curve.sharpe_ratio, 2)}` : '');
  if (curve.points.length === 0) {
    equityBox.append(el('p', { class: 'muted empty-chart' }, 'No equity snapshots yet: the cycle takes one each hour.'));
    return;
  }
  charts.push(drawEquityChart(equityBox, curve.points));
  charts.push(
    drawDrawdownChart(
      drawdownBox,
      curve.points.map((p) => ({ timestamp: p.timestamp, drawdown: p.drawdown_pct / 100 })),
    ),
  );
}

export async function loadRisk() {
  const [risk, status, curve] = await Promise.all([getJson('/risk'), getJson('/status'), getJson('/risk/equity')]);
  renderState(risk, status);
  renderRefusals(risk.refusals);
  renderEquity(curve);
}
