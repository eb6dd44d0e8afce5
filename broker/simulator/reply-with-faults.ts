/**
 * The fault middleware of Alpaca paths: `5xx` and `429` answer without running the route; `commit-then-5xx`,
 * `drop` and `slow` run it, then fail to deliver its reply properly.
 */
import type { ServerResponse } from 'node:http';
import { errorReply, sendReply, type Reply } from './http-util';
import type { SimulatorState } from './simulator-state';

export async function replyWithFaults(
  state: SimulatorState,
  method: string,
  path: string,
  res: ServerResponse,
  route: () => Promise<Reply>,
): Promise<void> {
  const { faults } = state;
  const fault = faults.pick(method, path);
  if (fault === '429') {
    const seconds = faults.config.retryAfterSeconds;
    sendReply(res, errorReply(429, 42910000, 'rate limit exceeded', {}, { 'Retry-After': String(seconds) }));
    return;
  }
  if (fault === '5xx') {
    sendReply(res, errorReply(500, 50010000, 'internal server error (simulated)'));
    return;
  }
  const reply = await route();
  if (fault === 'commit-then-5xx') {
    sendReply(res, errorReply(500, 50010000, 'internal server error (simulated)'));
    return;
  }
  if (fault === 'drop') {
    res.socket?.destroy();
    return;
  }
  if (fault === 'slow') {
    state.later(faults.config.slowMs, () => sendReply(res, reply));
    return;
  }
  sendReply(res, reply);
}
