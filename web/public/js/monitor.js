// Monitoring page: status header, thresholds, active pairs with a z-score chart per pair, open trade
// details, and the close / emergency-stop actions.
import { getJson, postJson } from './api.js';
import { drawZScoreChart } from './charts.js';
import { loadRisk } from './risk-panel.js';
import { el, clear, setText, fmtNumber, fmtProbability, fmtMoney, fmtPercent, fmtTime, signClass, notify } from './dom.js';

const REFRESH_MS = 30_000;
const HISTORY_DAYS = 30;
let charts = [];
let thresholds = { entry: 2, exit: 0.5, stopLoss: 3 };

async function loadStatus() {
  const status = await getJson('/status');
  setText('#status-active', status.is_active ? 'running' : 'stopped');
  document.getElementById('status-active').className = `value ${status.is_active ? 'gain' : 'loss'}`;
  setText('#status-pairs', `${status.active_pairs} / ${status.total_pairs}`);
  const pnl = document.getElementById('status-pnl');
  pnl.textContent = fmtMoney(status.total_pnl);
  pnl.className = `value ${signClass(status.total_pnl)}`;
  setText('#status-updated', fmtTime(status.last_update));
  // Trades whose exit or compensation could not complete yet (still retrying until flat): never silent.
  const attention = status.needs_attention ?? [];
  const target = document.getElementById('status-attention');
  if (target) {
    target.textContent = attention.length === 0 ? 'none' : attention.map((a) => `trade ${a.trade_id}: ${a.reason ?? 'exit incomplete'}`).join('; ');
    target.className = `value ${attention.length === 0 ? '' : 'loss'}`;
  }
}

async function loadConfig() {
  const config = await getJson('/config');
  thresholds = { entry: config.entry_threshold, exit: config.exit_threshold, stopLoss: config.stop_loss_threshold };
  setText('#cfg-entry', fmtNumber(config.entry_threshold, 2));
  setText('#cfg-exit', fmtNumber(config.exit_threshold, 2));
  setText('#cfg-stop', fmtNumber(config.stop_loss_threshold, 2));
  setText('#cfg-hold', fmtNumber(config.max_hold_hours, 0));
  setText('#cfg-position', fmtPercent(config.position_pct, 1));
}

function statusBadge(status) {
  return el('span', { class: `badge ${String(status).toLowerCase()}` }, status ?? '—');
}

function renderTable(pairs) {
  const body = clear(document.querySelector('#pairs-table tbody'));
  for (const pair of pairs) {
    body.append(
      el(
        'tr',
        { dataset: { pairId: pair.id } },
        el('td', {}, el('a', { href: `#pair-${pair.id}` }, pair.name)),
        el('td', { title: pair.attention_reason ?? '' }, statusBadge(pair.status)),
        el('td', { class: `num ${Math.abs(pair.z_score) >= thresholds.entry ? 'hot' : ''}` }, fmtNumber(pair.z_score, 3)),
        el('td', { class: `num ${signClass(pair.pnl)}` }, fmtMoney(pair.pnl)),
        el('td', { class: 'num' }, fmtNumber(pair.correlation, 4)),
        el('td', { class: 'num' }, pair.days_held ?? '—'),
      ),
    );
  }
  document.getElementById('pairs-empty').hidden = pairs.length > 0;
}

function definitionList(entries) {
  return el(
    'dl',
    { class: 'facts' },
    entries.flatMap(([term, value]) => [el('dt', {}, term), el('dd', {}, value)]),
  );
}

function renderDetails(target, details) {
  clear(target);
  target.append(
    definitionList([
      ['Hedge ratio', fmtNumber(details.hedge_ratio, 4)],
      ['Half-life (h)', fmtNumber(details.half_life, 1)],
      ['Coint. p-value', fmtProbability(details.cointegration_pvalue)],
      ['Correlation', fmtNumber(details.correlation, 4)],
    ]),
  );
  const trade = details.open_trade;
  if (trade) {
    target.append(
      el('h4', {}, 'Open trade'),
      definitionList([
        ['Trade', `#${trade.id} ${trade.side}`],
        ['Entered', fmtTime(trade.entry_time)],
        ['Entry z', fmtNumber(trade.entry_z_score, 3)],
        ['Quantities', `${trade.qty1 ?? '—'} / ${trade.qty2 ?? '—'}`],
        ['Entry prices', `${fmtMoney(trade.entry_price1)} / ${fmtMoney(trade.entry_price2)}`],
        ...(trade.entry_stats
          ? [['Entry hedge / half-life', `${fmtNumber(trade.entry_stats.hedge_ratio, 4)} / ${fmtNumber(trade.entry_stats.half_life, 1)} session h`]]
          : []),
      ]),
    );
  } else {
    target.append(el('p', { class: 'muted' }, 'No open trade.'));
  }
  const md = details.market_data;
  if (md && (md.stale || md.trade_issue)) {
    const age = md.bar_age_hours === null ? 'no bars' : `latest bar ${fmtNumber(md.bar_age_hours, 1)} h old (max ${md.max_bar_age_hours} h)`;
    target.append(
      el(
        'p',
        { class: 'notice error' },
        `Stale market data: ${age}.${md.trade_issue ? ` ${md.trade_issue} (since ${fmtTime(md.trade_issue_since)}).` : ''} Entries wait; an open trade still stops on latest trade prices and expires on hold time.`,
      ),
    );
  }
  const live = details.live;
  if (live && Array.isArray(live.legs) && live.legs.length) {
    target.append(
      el('h4', {}, `Workflow state: ${live.status}`),
      el(
        'table',
        { class: 'data compact' },
        el(
          'thead',
          {},
          el(
            'tr',
            {},
            ['Leg', 'Symbol', 'Side', 'Qty', 'Filled', 'Avg price', 'Order'].map((h) => el('th', {}, h)),
          ),
        ),
        el(
          'tbody',
          {},
          live.legs.map((leg) =>
            el(
              'tr',
              {},
              el('td', {}, leg.leg),
              el('td', {}, leg.symbol),
              el('td', {}, leg.side),
              el('td', { class: 'num' }, leg.qty),
              el('td', { class: 'num' }, leg.filled_qty),
              el('td', { class: 'num' }, fmtMoney(leg.avg_price)),
              el('td', {}, leg.status),
            ),
          ),
        ),
      ),
    );
  }
  const signal = details.last_signal;
  target.append(
    el(
      'p',
      { class: 'muted small' },
      signal ? `Last signal: ${signal.type} at z ${fmtNumber(signal.z_score, 3)} (${fmtTime(signal.timestamp)})` : 'No signal yet.',
    ),
  );
}

async function closePair(pair, button) {
  if (!window.confirm(`Close both legs of ${pair.name} now at market?`)) return;
  button.disabled = true;
  try {
    const result = await postJson(`/${pair.id}/close`, {});
    notify(result?.message ?? `Close requested for ${pair.name}`, 'ok');
    await refresh();
  } catch (err) {
    notify(`Close ${pair.name} failed: ${err.message}`, 'error');
    button.disabled = false;
  }
}

function pairCard(pair) {
  const chartBox = el('div', { class: 'chart', 'aria-label': `z-score chart of ${pair.name}` });
  const detailsBox = el('div', { class: 'details' }, el('p', { class: 'muted' }, 'Loading details…'));
  const actions = el('div', { class: 'actions' });
  const card = el(
    'article',
    { class: 'card', id: `pair-${pair.id}`, dataset: { pairId: pair.id } },
    el(
      'header',
      {},
      el('h3', {}, pair.name),
      statusBadge(pair.status),
      el('span', { class: 'metric' }, 'z ', el('b', {}, fmtNumber(pair.z_score, 3))),
      el('span', { class: `metric ${signClass(pair.pnl)}` }, 'P&L ', el('b', {}, fmtMoney(pair.pnl))),
      el('span', { class: 'metric' }, 'held ', el('b', {}, `${pair.days_held ?? 0} d`)),
      actions,
    ),
    chartBox,
    detailsBox,
  );
  return { card, chartBox, detailsBox, actions };
}

async function fillCard(pair, parts) {
  const [history, details] = await Promise.allSettled([getJson(`/${pair.id}/history?days=${HISTORY_DAYS}`), getJson(`/${pair.id}/details`)]);
  if (history.status === 'fulfilled') {
    const h = history.value;
    const bands = {
      entry: h.entry_threshold ?? thresholds.entry,
      exit: h.exit_threshold ?? thresholds.exit,
      stopLoss: thresholds.stopLoss,
    };
    if (h.history.length === 0) parts.chartBox.append(el('p', { class: 'muted empty-chart' }, 'No z-scores yet.'));
    else charts.push(drawZScoreChart(parts.chartBox, h.history, bands));
  } else {
    parts.chartBox.append(el('p', { class: 'muted empty-chart' }, `History unavailable: ${history.reason.message}`));
  }
  if (details.status === 'fulfilled') {
    renderDetails(parts.detailsBox, details.value);
    if (details.value.open_trade) {
      const button = el('button', { type: 'button', class: 'warn close-pair' }, 'Close');
      button.addEventListener('click', () => closePair(pair, button));
      parts.actions.append(button);
    }
  } else {
    clear(parts.detailsBox).append(el('p', { class: 'muted' }, `Details unavailable: ${details.reason.message}`));
  }
}

async function loadPairs() {
  const { pairs } = await getJson('/active');
  renderTable(pairs);
  for (const chart of charts) chart.remove();
  charts = [];
  const container = clear(document.getElementById('pair-cards'));
  const filled = pairs.map((pair) => {
    const parts = pairCard(pair);
    container.append(parts.card);
    return fillCard(pair, parts);
  });
  await Promise.all(filled);
}

// Pairs a discovery run retired (p-value, half-life or correlation out of bounds), apart from the active ones.
async function loadRetired() {
  const { pairs } = await getJson('/registry');
  const retired = pairs.filter((p) => p.status === 'RETIRED');
  const body = clear(document.querySelector('#retired-table tbody'));
  for (const p of retired) {
    body.append(el('tr', {}, el('td', {}, p.name), el('td', {}, p.retired_at ? fmtTime(p.retired_at) : '—'), el('td', {}, p.retire_reason ?? '')));
  }
  document.getElementById('retired-empty').hidden = retired.length > 0;
}

async function refresh() {
  const results = await Promise.allSettled([loadStatus(), loadConfig(), loadRetired(), loadRisk()]);
  try {
    await loadPairs();
  } catch (err) {
    results.push({ status: 'rejected', reason: err });
  }
  const failed = results.filter((r) => r.status === 'rejected');
  if (failed.length) notify(`Could not load: ${failed.map((r) => r.reason.message).join('; ')}`, 'error');
  else if (document.getElementById('notice').classList.contains('error')) notify('');
  document.body.dataset.loaded = 'true';
}

async function emergencyStop(button) {
  if (!window.confirm('Emergency stop: close ALL open pair trades at market now?')) return;
  button.disabled = true;
  try {
    const result = await postJson('/emergency-stop', {});
    notify(result?.message ?? 'Emergency stop executed', 'ok');
    await refresh();
  } catch (err) {
    notify(`Emergency stop failed: ${err.message}`, 'error');
  } finally {
    button.disabled = false;
  }
}

const stopButton = document.getElementById('emergency-stop');
stopButton.addEventListener('click', () => emergencyStop(stopButton));
refresh();
setInterval(() => {
  if (!document.hidden) refresh();
}, REFRESH_MS);
