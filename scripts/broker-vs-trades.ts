/**
 * Issue 10's check against a running `pairs up` (simulator mode): the broker's net position per symbol against the
 * sum of the live trades' filled legs (each trade's own workflow state, from GET /{id}/details), sampled every few
 * seconds. A sample counts only when it is settled: no open order at the broker, no order sent while it was taken,
 * and every live trade answered.
 *
 *   tsx scripts/broker-vs-trades.ts [--api http://127.0.0.1:8001] [--sim http://127.0.0.1:8787] [--minutes 10] [--every 5]
 *
 * Prints one line per sample and a JSON summary (settled samples, mismatching samples, the mismatches seen).
 */
interface Leg {
  phase: 'entry' | 'exit';
  symbol: string;
  side: 'buy' | 'sell';
  filled_qty: number;
}
interface Details {
  live: { status: string; legs: Leg[] } | null;
}
interface ActivePair {
  id: number;
  name: string;
  status: string;
}

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

const API = `${arg('api', 'http://127.0.0.1:8001')}/api/strategies/pairs`;
const SIM = arg('sim', 'http://127.0.0.1:8787');
const MINUTES = Number(arg('minutes', '10'));
const EVERY_MS = Number(arg('every', '5')) * 1000;
const SIM_AUTH = { 'APCA-API-KEY-ID': 'CHECK', 'APCA-API-SECRET-KEY': 'CHECK' };

async function json<T>(url: string, headers: Record<string, string> = {}): Promise<T> {
  const res = await fetch(url, { headers });
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return (await res.json()) as T;
}

/** Every order the simulator ever recorded (its control endpoint): unchanged across a sample means nothing traded meanwhile. */
async function orderLogSize(): Promise<number> {
  return (await json<unknown[]>(`${SIM}/__sim/orders`)).length;
}

async function sample(): Promise<{ settled: boolean; mismatches: string[]; live: number; symbols: number }> {
  const logBefore = await orderLogSize();
  const open = await json<unknown[]>(`${SIM}/v2/orders?status=open&limit=500`, SIM_AUTH);
  const active = (await json<{ pairs: ActivePair[] }>(`${API}/active`)).pairs.filter((p) => p.status !== 'FLAT');
  const expected = new Map<string, number>();
  let answered = true;
  for (const pair of active) {
    const details = await json<Details>(`${API}/${pair.id}/details`);
    if (!details.live) {
      answered = false;
      continue;
    }
    for (const leg of details.live.legs)
      expected.set(leg.symbol, (expected.get(leg.symbol) ?? 0) + (leg.side === 'buy' ? leg.filled_qty : -leg.filled_qty));
  }
  const positions = await json<Array<{ symbol: string; qty: string }>>(`${SIM}/v2/positions`, SIM_AUTH);
  const open2 = await json<unknown[]>(`${SIM}/v2/orders?status=open&limit=500`, SIM_AUTH);
  const logAfter = await orderLogSize();
  const actual = new Map(positions.map((p) => [p.symbol, Number(p.qty)]));
  const mismatches: string[] = [];
  for (const symbol of new Set([...expected.keys(), ...actual.keys()])) {
    const a = actual.get(symbol) ?? 0;
    const e = expected.get(symbol) ?? 0;
    if (a !== e) mismatches.push(`${symbol}: broker ${a}, trades ${e}`);
  }
  return {
    settled: answered && open.length === 0 && open2.length === 0 && logBefore === logAfter,
    mismatches,
    live: active.length,
    symbols: actual.size,
  };
}

async function main(): Promise<void> {
  const until = Date.now() + MINUTES * 60_000;
  const summary = { samples: 0, settled: 0, settledMismatching: 0, maxLiveTrades: 0, mismatches: [] as string[] };
  while (Date.now() < until) {
    try {
      const s = await sample();
      summary.samples++;
      summary.maxLiveTrades = Math.max(summary.maxLiveTrades, s.live);
      if (s.settled) {
        summary.settled++;
        if (s.mismatches.length > 0) {
          summary.settledMismatching++;
          summary.mismatches.push(...s.mismatches.map((m) => `${new Date().toISOString()} ${m}`));
        }
      }
      process.stderr.write(
        `${new Date().toISOString()} live trades ${s.live}, positions ${s.symbols}, ${s.settled ? 'settled' : 'in flight'}, mismatches ${s.mismatches.join('; ') || 'none'}\n`,
      );
    } catch (err) {
      process.stderr.write(`${new Date().toISOString()} sample failed: ${(err as Error).message}\n`);
    }
    await new Promise((r) => setTimeout(r, EVERY_MS));
  }
  process.stdout.write(`${JSON.stringify(summary)}\n`);
}

void main();
