/** Dispatches a /__sim/* control request (no auth, never faulted). */
import type { IncomingMessage } from 'node:http';
import { SimHttpError } from './exchange';
import type { FaultConfig } from './faults';
import { errorReply, parseJsonObject, readBody, type Reply } from './http-util';
import type { SimulatorControl } from './simulator-control';
import type { SimulatorState } from './simulator-state';

/** Runs a control action, turning its plain errors into 400s. */
function guard<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof SimHttpError) throw err;
    throw new SimHttpError(400, 40010000, err instanceof Error ? err.message : String(err));
  }
}

export async function controlRoute(
  state: SimulatorState,
  control: SimulatorControl,
  method: string,
  path: string,
  req: IncomingMessage,
): Promise<Reply> {
  const body = method === 'POST' ? await readBody(req).then((t) => (t.trim() ? parseJsonObject(t) : {})) : {};
  if (path === '/__sim/faults') {
    if (method === 'GET') return { status: 200, body: state.faults.config };
    if (method === 'POST') return { status: 200, body: guard(() => control.setFaults(body as Partial<FaultConfig>)) };
  }
  if (path === '/__sim/clock') {
    if (method === 'GET') {
      state.settle();
      return { status: 200, body: state.clockInfo() };
    }
    if (method === 'POST') return { status: 200, body: guard(() => control.updateClock(body)) };
  }
  if (path === '/__sim/orders' && method === 'GET') {
    state.settle();
    return { status: 200, body: control.orders() };
  }
  if (path === '/__sim/reset' && method === 'POST') {
    guard(() => control.reset(body as { cash?: number; startTime?: string }));
    return { status: 200, body: { ok: true, clock: state.clockInfo() } };
  }
  if (path === '/__sim/corporate-actions') {
    if (method === 'GET') return { status: 200, body: control.corporateActions() };
    if (method === 'POST') return { status: 200, body: guard(() => control.scheduleCorporateAction(body as never)) };
  }
  if (path === '/__sim/halts') {
    if (method === 'GET') return { status: 200, body: control.halts() };
    if (method === 'POST') {
      const b = body as { symbol?: string; from?: string | number; to?: string | number | null; resume?: boolean; at?: string | number };
      if (b.resume) {
        guard(() => control.resume(String(b.symbol), b.at));
        return { status: 200, body: control.halts() };
      }
      return { status: 200, body: guard(() => control.halt(String(b.symbol), b.from ?? state.clock.now(), b.to)) };
    }
  }
  const assetPath = /^\/__sim\/assets\/([^/]+)$/.exec(path);
  if (assetPath && method === 'POST') {
    const b = body as { status?: 'active' | 'inactive'; at?: string | number };
    guard(() => control.setAssetStatus(decodeURIComponent(assetPath[1]), b.status as 'active', b.at));
    return { status: 200, body: { symbol: decodeURIComponent(assetPath[1]).toUpperCase(), status: b.status } };
  }
  if (path === '/__sim/universe' && method === 'GET') {
    return {
      status: 200,
      body: state.market.symbols.map((m) => ({
        symbol: m.symbol,
        cluster: m.cluster,
        beta: m.beta,
        halfLifeBars: m.halfLifeBars,
        shortable: m.shortable,
        easyToBorrow: m.easyToBorrow,
      })),
    };
  }
  return errorReply(404, 40410000, 'endpoint not found');
}
