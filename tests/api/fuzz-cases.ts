import http from 'node:http';
import { rng } from './helpers';

/**
 * Seeded-random malformed requests for the API (tests/api/fuzz.test.ts sends 600, `npm run fuzz` 2,000).
 * A request carrying the valid token to a write endpoint always has a defect that must make it fail
 * validation (unknown field, wrong type, malformed or non-object JSON, too deep, too large, not JSON), so a
 * correct API writes nothing and the config file stays byte-identical.
 */
export interface FuzzRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
}

export interface FuzzResponse {
  status: number;
  contentType: string;
  text: string;
}

const BASE = '/api/strategies/pairs';
const METHODS = ['GET', 'GET', 'GET', 'POST', 'POST', 'POST', 'POST', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'];
const READ_PATHS = ['/status', '/active', '/performance', '/config', '/backtest/history', '/openapi.json', '/{id}/history', '/{id}/details'];
const WRITE_PATHS = ['/config', '/start', '/stop', '/emergency-stop', '/backtest', '/{id}/close'];
const ROOT_PATHS = [
  '/healthz',
  '/readyz',
  '/metrics',
  '/',
  '/index.html',
  '/backtests.html',
  '/vendor/lightweight-charts.mjs',
  '/nope',
  '/api',
  '/api/strategies',
];
const CONFIG_KEYS = ['entry_threshold', 'exit_threshold', 'stop_loss_threshold', 'max_hold_hours', 'position_pct'];
const BACKTEST_KEYS = ['pair_id', 'start_date', 'end_date', 'entry_threshold', 'exit_threshold', 'stop_loss_threshold', 'initial_capital'];
const WEIRD_NUMBERS = [0, -0, -1, 1e308, -1e308, 5e-324, 2 ** 53 + 1, 2147483648, 0.1, 3.5, 1e21, 99999999999];
const WEIRD_STRINGS = [
  '',
  ' ',
  '2.5',
  'NaN',
  'Infinity',
  '💥',
  'ü',
  '\u0000',
  '\u202e',
  '<script>alert(1)</script>',
  "' OR 1=1 --",
  '../../etc/passwd',
  '2025-02-30',
  '2025-13-01',
  '99999-01-01',
  'x'.repeat(3000),
  '%00',
  '\ud800',
];

function encode(value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    return '%ED%A0%80'; // a lone surrogate: the raw bytes, which no decoder accepts
  }
}

export function generateFuzzRequests(seed: number, count: number, opts: { token: string; pairIds: number[] }): FuzzRequest[] {
  const rand = rng(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)];
  const chance = (p: number) => rand() < p;
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));

  const weirdValue = (depth = 0): unknown => {
    switch (int(0, 7)) {
      case 0:
        return pick(WEIRD_NUMBERS);
      case 1:
        return pick(WEIRD_STRINGS);
      case 2:
        return null;
      case 3:
        return chance(0.5);
      case 4:
        return depth < 3 ? Array.from({ length: int(0, 4) }, () => weirdValue(depth + 1)) : [];
      case 5:
        return depth < 3
          ? Object.fromEntries(
              Array.from({ length: int(0, 3) }, () => [pick([...CONFIG_KEYS, 'x', '__proto__', 'constructor', '💥']), weirdValue(depth + 1)]),
            )
          : {};
      case 6:
        return int(-5, 5);
      default:
        return rand() * 10;
    }
  };
  const id = (): string =>
    chance(0.4)
      ? String(pick(opts.pairIds.length ? opts.pairIds : [1]))
      : pick([
          'abc',
          '-1',
          '0',
          '1.5',
          '1e3',
          '99999999999',
          '2147483648',
          '2147483647',
          '%00',
          '%zz',
          '%F0%9F%92%A5',
          '..%2F..',
          '%201',
          '0x10',
          'null',
          encode('💥'),
          '9'.repeat(400),
          '1;DROP%20TABLE',
          '%2e%2e',
        ]);
  const query = (): string => {
    if (chance(0.5)) return '';
    const parts = Array.from(
      { length: int(1, 3) },
      () =>
        `${pick(['days', 'pair_id', 'x', 'days[]', 'days[a]', '__proto__'])}=${encode(String(pick([...WEIRD_NUMBERS, ...WEIRD_STRINGS.slice(0, 12)])))}`,
    );
    return `?${parts.join('&')}`;
  };
  const pathFor = (template: string): string => {
    let path = template.replace('{id}', id());
    if (chance(0.1)) path += '/';
    if (chance(0.05)) path = path.replace('/', '//');
    if (chance(0.05)) path += `/${encode(pick(WEIRD_STRINGS))}`;
    return path;
  };

  /** JSON text with at least one defect that fails validation for every write endpoint. */
  const defectiveBody = (keys: string[]): { text: string; type: string } => {
    const obj: Record<string, unknown> = {};
    for (const k of keys) if (chance(0.4)) obj[k] = chance(0.5) ? weirdValue() : int(0, 5);
    switch (int(0, 8)) {
      case 0:
        return { text: JSON.stringify(obj).slice(0, -1) + (chance(0.5) ? ',' : ''), type: 'application/json' }; // malformed
      case 1:
        return { text: JSON.stringify(pick([[obj], 'str', 42, true, null])), type: 'application/json' }; // not an object
      case 2: {
        const d = int(17, 3000);
        return { text: `${'{"a":'.repeat(d)}1${'}'.repeat(d)}`, type: 'application/json' };
      }
      case 3:
        return { text: JSON.stringify({ ...obj, pad: 'y'.repeat(int(17_000, 40_000)) }), type: 'application/json' }; // > 16 kB
      case 4:
        return {
          text: JSON.stringify(obj) + 'x',
          type: pick(['text/plain', 'application/x-www-form-urlencoded', 'application/xml', 'multipart/form-data']),
        };
      case 5:
        return { text: JSON.stringify({ ...obj, [pick(['bogus', '💥', 'constructor', 'z_score_window'])]: weirdValue() }), type: 'application/json' };
      case 6:
        return { text: JSON.stringify({ ...obj, [pick(keys)]: pick(['2', null, true, [], {}, '💥']) }), type: 'application/json' }; // wrong type
      case 7:
        return { text: JSON.stringify(obj).replace('{', '{"entry_threshold": 1e400, "x": NaN, '), type: 'application/json' };
      default:
        return { text: '\u0000\u00ff{"'.repeat(int(1, 50)), type: 'application/json; charset=latin1' };
    }
  };

  const requests: FuzzRequest[] = [];
  for (let i = 0; i < count; i++) {
    let method = pick(METHODS);
    const headers: Record<string, string> = {};
    const auth = int(0, 4);
    if (auth === 1 || auth === 2) headers.authorization = `Bearer ${opts.token}`;
    else if (auth === 3)
      headers.authorization = pick(['Bearer ', 'Bearer x', `Bearer ${opts.token}x`, opts.token, 'Basic abc', `bearer  ${opts.token.slice(1)}`]);
    if (chance(0.1)) headers['x-forwarded-for'] = pick(['1.2.3.4', '::1', 'garbage']);
    if (chance(0.05)) headers.accept = pick(['text/html', '*/*', 'application/xml']);

    let path: string;
    const area = int(0, 9);
    if (area <= 3) {
      path = BASE + pathFor(pick(READ_PATHS)) + query();
      if (chance(0.6)) method = 'GET';
    } else if (area <= 7) {
      path = BASE + pathFor(pick(WRITE_PATHS)) + query();
      if (chance(0.7)) method = 'POST';
    } else if (area === 8) path = pick(ROOT_PATHS) + query();
    else path = `/${Array.from({ length: int(1, 6) }, () => encode(pick(WEIRD_STRINGS)) || 'x').join('/')}`;

    let body: Buffer | undefined;
    const writesWithToken = headers.authorization === `Bearer ${opts.token}` && method === 'POST';
    const bodyKeys = path.includes('/backtest') ? BACKTEST_KEYS : CONFIG_KEYS;
    if (writesWithToken || method !== 'GET' || chance(0.1)) {
      if (writesWithToken || chance(0.8)) {
        const { text, type } = defectiveBody(bodyKeys);
        body = Buffer.from(text, type.includes('latin1') ? 'latin1' : 'utf8');
        headers['content-type'] = type;
      }
    }
    requests.push({ method, path, headers, body });
  }
  return requests;
}

/** Sends one request over a raw socket so odd paths and bodies reach the server unchanged. */
export function sendRaw(port: number, req: FuzzRequest): Promise<FuzzResponse> {
  return new Promise((resolve, reject) => {
    const outgoing = http.request(
      {
        host: '127.0.0.1',
        port,
        method: req.method,
        path: req.path,
        headers: { ...req.headers, ...(req.body ? { 'content-length': String(req.body.length) } : {}) },
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            contentType: String(res.headers['content-type'] ?? ''),
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    outgoing.on('error', reject);
    outgoing.end(req.body);
  });
}

/** Problems with one response: any 5xx, or a JSON error response without the {error, details} shape. */
export function fuzzProblems(req: FuzzRequest, res: FuzzResponse): string[] {
  const problems: string[] = [];
  const where = `${req.method} ${req.path.slice(0, 120)} -> ${res.status}`;
  if (res.status >= 500 && !(req.path === '/readyz' && res.status === 503)) problems.push(`${where}: server error ${res.text.slice(0, 200)}`);
  if (res.status >= 400 && res.contentType.includes('application/json') && req.method !== 'HEAD') {
    try {
      const body = JSON.parse(res.text) as { error?: unknown; details?: unknown };
      if (typeof body.error !== 'string' || !Array.isArray(body.details))
        problems.push(`${where}: error body without {error, details}: ${res.text.slice(0, 200)}`);
    } catch {
      problems.push(`${where}: unparseable JSON error body`);
    }
  }
  return problems;
}
