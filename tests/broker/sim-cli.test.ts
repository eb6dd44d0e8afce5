/** `pairs sim` runs the simulator until SIGINT, then flushes its state file. */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

test('pairs sim serves Alpaca paths and flushes state on SIGINT', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'pairs-sim-cli-'));
  const stateFile = path.join(dir, 'state.json');
  const child = spawn(
    process.execPath,
    [path.join(__dirname, '../../bin/pairs.js'), 'sim', '--port', '0', '--state', stateFile, '--start', '2025-03-04T15:00:00Z', '--speed', '0'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const match = /listening on (http:\/\/\S+)/.exec(out);
        if (match) resolve(match[1]);
      });
      child.once('exit', (code) => reject(new Error(`exited ${code}`)));
    });
    const res = await fetch(`${url}/v2/orders`, {
      method: 'POST',
      headers: { 'APCA-API-KEY-ID': 'k', 'APCA-API-SECRET-KEY': 's', 'Content-Type': 'application/json' },
      body: JSON.stringify({ symbol: 'ARQX', qty: '2', side: 'buy', type: 'market', time_in_force: 'day', client_order_id: 'cli-1' }),
    });
    expect(res.status).toBe(200);
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(existsSync(stateFile)).toBe(true);
    const state = JSON.parse(readFileSync(stateFile, 'utf8'));
    expect(state.exchange.orders.map((o: { clientOrderId: string }) => o.clientOrderId)).toEqual(['cli-1']);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});

test('pairs sim rejects bad options with exit 2 and one line', async () => {
  const child = spawn(process.execPath, [path.join(__dirname, '../../bin/pairs.js'), 'sim', '--speed', 'fast'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr.on('data', (chunk: Buffer) => {
    err += chunk.toString();
  });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  expect(code).toBe(2);
  expect(err.trim()).toBe('pairs: invalid --speed: fast');
});
