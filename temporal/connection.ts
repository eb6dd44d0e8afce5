import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';

export interface TemporalSettings {
  address: string;
  namespace: string;
}

export function temporalSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): TemporalSettings {
  return { address: env.TEMPORAL_ADDRESS || '127.0.0.1:7233', namespace: env.TEMPORAL_NAMESPACE || 'default' };
}

/** One client per process (API, CLI). */
export async function connectClient(settings: TemporalSettings = temporalSettingsFromEnv()): Promise<Client> {
  const connection = await Connection.connect({ address: settings.address });
  return new Client({ connection, namespace: settings.namespace });
}

/** The worker's connection (Rust core). */
export async function connectWorker(settings: TemporalSettings = temporalSettingsFromEnv()): Promise<NativeConnection> {
  return NativeConnection.connect({ address: settings.address });
}
