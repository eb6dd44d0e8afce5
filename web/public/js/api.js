// Talks to the Strategy Engine API on the same origin. Writes carry the API token as a Bearer header; the
// token is asked for once per browser tab and kept in sessionStorage (never in localStorage or the page).

export const API_BASE = '/api/strategies/pairs';
const TOKEN_KEY = 'pairs.apiToken';

export class ApiError extends Error {
  constructor(status, body) {
    const detail = body && Array.isArray(body.details) && body.details.length ? `: ${body.details.join('; ')}` : '';
    super(`${(body && body.error) || `HTTP ${status}`}${detail}`);
    this.status = status;
    this.body = body;
  }
}

async function parseResponse(response) {
  const text = await response.text();
  let body = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = { error: text };
  }
  if (!response.ok) throw new ApiError(response.status, body);
  return body;
}

export async function getJson(path) {
  const response = await fetch(`${API_BASE}${path}`, { headers: { Accept: 'application/json' } });
  return parseResponse(response);
}

export function storedToken() {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function forgetToken() {
  sessionStorage.removeItem(TOKEN_KEY);
}

function askForToken() {
  const existing = storedToken();
  if (existing) return existing;
  const entered = window.prompt('API token (printed location: data/api-token, or $PAIRS_API_TOKEN)');
  if (!entered || !entered.trim()) return null;
  sessionStorage.setItem(TOKEN_KEY, entered.trim());
  return entered.trim();
}

/** POSTs JSON with the token; a 401/403 forgets the token so the next attempt asks again. */
export async function postJson(path, body) {
  const token = askForToken();
  if (!token) throw new Error('No API token entered');
  const response = await fetch(`${API_BASE}${path}`, {
    method: 'POST',
    headers: { Accept: 'application/json', 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
    body: JSON.stringify(body ?? {}),
  });
  if (response.status === 401 || response.status === 403) forgetToken();
  return parseResponse(response);
}
