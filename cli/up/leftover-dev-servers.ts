import { devServerDbArgs } from '../../temporal/dev-server';
import { listProcesses, stopProcesses } from '../../temporal/processes';

/**
 * Stops every process still serving Temporal from `dbFile`: a dev server (or its watchdog) from an earlier run on
 * the same data that did not go away with it, such as the orphan an old `pairs up` left after kill -9. Returns
 * their pids. Recognised by the `--db-filename <dbFile>` arguments, so nothing else is touched.
 */
export async function stopLeftoverDevServers(dbFile: string): Promise<number[]> {
  const [flag, value] = devServerDbArgs(dbFile);
  const leftovers = listProcesses()
    .filter((p) => p.pid !== process.pid && p.state !== 'Z')
    .filter((p) => p.argv.some((arg, k) => arg === flag && p.argv[k + 1] === value))
    .map((p) => p.pid);
  if (leftovers.length === 0) return [];
  const survivors = await stopProcesses(leftovers, 10_000);
  if (survivors.length > 0) throw new Error(`could not stop the Temporal dev server left running on ${dbFile} (pid ${survivors.join(', ')})`);
  return leftovers;
}
