/**
 * The Alpaca-compatible simulator: one node:http server answering both the trading and the market-data paths
 * (they never overlap), plus control endpoints under /__sim/* that faults never touch.
 */
import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createRequestHandler } from './request-handler';
import { createSimulatorControl, type SimulatorControl } from './simulator-control';
import type { SimulatorOptions } from './simulator-options';
import { SimulatorState } from './simulator-state';

export interface SimulatorHandle {
  url: string;
  port: number;
  stop(): Promise<void>;
  control: SimulatorControl;
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<SimulatorHandle> {
  const state = new SimulatorState(options);
  const control = createSimulatorControl(state);

  const sockets = new Set<Socket>();
  const server = createServer(createRequestHandler(state, control, options));
  server.keepAliveTimeout = 5_000;
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  state.flush();

  let stopped = false;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    port,
    control,
    async stop() {
      if (stopped) return;
      stopped = true;
      state.stop();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}
