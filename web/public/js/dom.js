// DOM helpers. Data only ever reaches the page through textContent, never innerHTML.

/** el('td', { class: 'num' }, 'text', childNode, ...) */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') node.className = value;
    else if (key === 'dataset') Object.assign(node.dataset, value);
    else if (key.startsWith('on') && typeof value === 'function') node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function clear(node) {
  node.replaceChildren();
  return node;
}

export function setText(selectorOrNode, text) {
  const node = typeof selectorOrNode === 'string' ? document.querySelector(selectorOrNode) : selectorOrNode;
  if (node) node.textContent = text;
}

const isNumber = (v) => typeof v === 'number' && Number.isFinite(v);

export function fmtNumber(value, digits = 2) {
  return isNumber(value) ? value.toFixed(digits) : '—';
}

/** Small probabilities in scientific notation so they do not all read 0.0000. */
export function fmtProbability(value) {
  if (!isNumber(value)) return '—';
  return value !== 0 && Math.abs(value) < 1e-4 ? value.toExponential(1) : value.toFixed(4);
}

export function fmtMoney(value) {
  if (!isNumber(value)) return '—';
  const sign = value < 0 ? '-' : '';
  return `${sign}$${Math.abs(value).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

export function fmtPercent(fraction, digits = 1) {
  return isNumber(fraction) ? `${(fraction * 100).toFixed(digits)}%` : '—';
}

export function fmtTime(value) {
  if (value === null || value === undefined || value === '') return '—';
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return String(value);
  return date
    .toISOString()
    .replace('T', ' ')
    .replace(/:\d\d\.\d{3}Z$/, ' UTC');
}

/** CSS class for a signed figure: gains green, losses red. */
export function signClass(value) {
  if (!isNumber(value) || value === 0) return '';
  return value > 0 ? 'gain' : 'loss';
}

/** Shows a message in the page's status bar; kind is 'info' | 'error' | 'ok'. */
export function notify(message, kind = 'info') {
  const bar = document.getElementById('notice');
  if (!bar) return;
  bar.textContent = message;
  bar.className = `notice ${kind}`;
  bar.hidden = !message;
}
