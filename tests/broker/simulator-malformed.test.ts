/** Raw HTTP: malformed requests get Alpaca-style 4xx JSON bodies {code, message}, never a 5xx or a crash. */
import type { SimulatorHandle } from '../../broker/simulator';
import { startTestSimulator } from './sim-helpers';

let sim: SimulatorHandle;
beforeAll(async () => {
  sim = await startTestSimulator();
});
afterAll(() => sim.stop());

const AUTH = { 'APCA-API-KEY-ID': 'k', 'APCA-API-SECRET-KEY': 's' };

async function call(
  method: string,
  pathAndQuery: string,
  body?: string,
  headers: Record<string, string> = AUTH,
): Promise<{ status: number; json: { code: number; message: string }; type: string | null }> {
  const res = await fetch(`${sim.url}${pathAndQuery}`, {
    method,
    headers: { ...headers, 'Content-Type': 'application/json' },
    body,
    redirect: 'manual',
  });
  const text = await res.text();
  return { status: res.status, json: JSON.parse(text), type: res.headers.get('content-type') };
}

const order = (fields: Record<string, unknown>): string =>
  JSON.stringify({ symbol: 'ARQX', qty: '1', side: 'buy', type: 'market', time_in_force: 'day', ...fields });

test.each([
  ['bad JSON', 'POST', '/v2/orders', '{"symbol":', 400, 40010000],
  ['JSON array body', 'POST', '/v2/orders', '[1,2]', 400, 40010000],
  ['missing symbol', 'POST', '/v2/orders', order({ symbol: undefined }), 422, 40010001],
  ['negative qty', 'POST', '/v2/orders', order({ qty: '-5' }), 422, 40010001],
  ['zero qty', 'POST', '/v2/orders', order({ qty: 0 }), 422, 40010001],
  ['fractional qty', 'POST', '/v2/orders', order({ qty: '2.5' }), 422, 40010001],
  ['non-numeric qty', 'POST', '/v2/orders', order({ qty: 'ten' }), 422, 40010001],
  ['missing qty', 'POST', '/v2/orders', order({ qty: undefined }), 422, 40010001],
  ['qty and notional', 'POST', '/v2/orders', order({ notional: '100' }), 422, 40010001],
  ['bad side', 'POST', '/v2/orders', order({ side: 'hold' }), 422, 40010001],
  ['limit order', 'POST', '/v2/orders', order({ type: 'limit' }), 422, 40010001],
  ['unknown symbol', 'POST', '/v2/orders', order({ symbol: 'ZZZZ' }), 422, 42210000],
  ['over-long client id', 'POST', '/v2/orders', order({ client_order_id: 'x'.repeat(129) }), 422, 40010001],
  ['unknown asset', 'GET', '/v2/assets/ZZZZ', undefined, 404, 40410000],
  ['unknown position', 'GET', '/v2/positions/ARQX', undefined, 404, 40410000],
  ['order id not a uuid', 'GET', '/v2/orders/not-a-uuid', undefined, 422, 40010001],
  ['unknown order', 'GET', '/v2/orders/3f2504e0-4f89-41d3-9a0c-0305e82c3301', undefined, 404, 40410000],
  ['cancel unknown order', 'DELETE', '/v2/orders/3f2504e0-4f89-41d3-9a0c-0305e82c3301', undefined, 404, 40410000],
  ['by client id without id', 'GET', '/v2/orders:by_client_order_id', undefined, 422, 40010001],
  ['bad order status filter', 'GET', '/v2/orders?status=weird', undefined, 422, 40010001],
  ['bad orders limit', 'GET', '/v2/orders?limit=-1', undefined, 422, 40010001],
  ['bars without timeframe', 'GET', '/v2/stocks/bars?symbols=ARQX', undefined, 400, 40010001],
  ['bars without symbols', 'GET', '/v2/stocks/bars?timeframe=1Hour', undefined, 400, 40010001],
  ['bars with bad start', 'GET', '/v2/stocks/bars?symbols=ARQX&timeframe=1Hour&start=yesterday', undefined, 400, 40010001],
  ['bars with end before start', 'GET', '/v2/stocks/bars?symbols=ARQX&timeframe=1Hour&start=2025-02-01&end=2025-01-01', undefined, 400, 40010001],
  ['bars with bad timeframe', 'GET', '/v2/stocks/bars?symbols=ARQX&timeframe=banana', undefined, 400, 40010001],
  ['bars with unsupported timeframe', 'GET', '/v2/stocks/bars?symbols=ARQX&timeframe=1Week', undefined, 422, 40010001],
  ['bars with unknown adjustment', 'GET', '/v2/stocks/bars?symbols=ARQX&timeframe=1Hour&adjustment=none', undefined, 400, 40010001],
  ['bars with bad limit', 'GET', '/v2/stocks/ARQX/bars?timeframe=1Hour&limit=0', undefined, 422, 40010001],
  ['bars with forged page token', 'GET', '/v2/stocks/bars?symbols=ARQX&timeframe=1Hour&page_token=Zm9vYmFy', undefined, 400, 40010001],
  ['calendar with bad date', 'GET', '/v2/calendar?start=2025-13-45', undefined, 400, 40010001],
  ['bad percent-encoding', 'GET', '/v2/assets/%E0%A4%A', undefined, 400, 40010000],
  ['unknown endpoint', 'GET', '/v2/nothing-here', undefined, 404, 40410000],
])('%s → %i', async (_label, method, url, body, status, code) => {
  const res = await call(method, url, body);
  expect(res.status).toBe(status);
  expect(res.type).toMatch(/application\/json/);
  expect(res.json).toEqual(expect.objectContaining({ code, message: expect.any(String) }));
});

test('missing credentials → 401 40110000', async () => {
  const res = await call('GET', '/v2/account', undefined, {});
  expect(res).toMatchObject({ status: 401, json: { code: 40110000, message: 'request is not authorized' } });
});

test('trailing slashes are served, never redirected', async () => {
  const res = await call('GET', '/v2/clock/');
  expect(res.status).toBe(200);
});

test('bad control requests are 400s and the server keeps serving', async () => {
  const badFaults = await fetch(`${sim.url}/__sim/faults`, { method: 'POST', body: '{"errorRate":"lots"}' });
  expect(badFaults.status).toBe(400);
  const badClock = await fetch(`${sim.url}/__sim/clock`, { method: 'POST', body: 'nope' });
  expect(badClock.status).toBe(400);
  const back = await fetch(`${sim.url}/__sim/clock`, { method: 'POST', body: '{"advanceHours":-1}' });
  expect(back.status).toBe(400);
  expect((await call('GET', '/v2/clock')).status).toBe(200);
});
