import { proxyActivities, sleep, workflowInfo } from '@temporalio/workflow';
import {
  DEFAULT_RETIRE_POLL_SECONDS,
  DISCOVERY_ACTIVITY_OPTIONS,
  DISCOVERY_CHUNK_PAIRS,
  type DiscoveryActivities,
  type DiscoverySummary,
  type DiscoveryWorkflowInput,
  type RetiredPair,
} from './contracts/discovery';

const prepare = proxyActivities<Pick<DiscoveryActivities, 'prepareDiscovery'>>(DISCOVERY_ACTIVITY_OPTIONS.prepare);
const scan = proxyActivities<Pick<DiscoveryActivities, 'scanDiscoveryChunk' | 'retestRegisteredPairs'>>(DISCOVERY_ACTIVITY_OPTIONS.scan);
const store = proxyActivities<Pick<DiscoveryActivities, 'storeDiscovery' | 'retirePendingPairs'>>(DISCOVERY_ACTIVITY_OPTIONS.store);

/**
 * Re-discovery (the weekly schedule "pairs-discovery", `pairs discover --deploy`, POST /discovery/run): the
 * universe's bars once into market_data, the pair scan in chunks run in parallel on any worker, a re-test of every
 * registered pair, then one store step. A pair that left the bounds while holding a live trade stays tradable for
 * its exits only; this run waits (a durable timer between checks) and retires it once the trade has closed.
 */
export async function discoveryWorkflow(input: DiscoveryWorkflowInput = {}): Promise<DiscoverySummary> {
  const plan = await prepare.prepareDiscovery(input.symbols ? { symbols: input.symbols } : {});
  const chunkPairs = Math.max(1, input.chunkPairs ?? DISCOVERY_CHUNK_PAIRS);
  const starts: number[] = [];
  for (let start = 0; start < plan.nPairs; start += chunkPairs) starts.push(start);
  const [chunks, retests] = await Promise.all([
    Promise.all(starts.map((start) => scan.scanDiscoveryChunk({ window: plan.window, start, count: Math.min(chunkPairs, plan.nPairs - start) }))),
    scan.retestRegisteredPairs({ window: plan.window }),
  ]);
  const candidates = chunks.flat();
  const stored = await store.storeDiscovery({ candidates, retests, topN: plan.window.settings.top_n });

  const retiredAfterTradeClosed: RetiredPair[] = [];
  let pending = stored.retiring.length;
  while (pending > 0) {
    await sleep(`${input.retirePollSeconds ?? DEFAULT_RETIRE_POLL_SECONDS} seconds`);
    const check = await store.retirePendingPairs();
    retiredAfterTradeClosed.push(...check.retired);
    pending = check.stillPending.length;
  }
  return {
    workflowId: workflowInfo().workflowId,
    symbols: plan.window.symbols.length,
    bars: plan.bars,
    pairsTested: plan.nPairs,
    chunks: starts.length,
    candidates: candidates.length,
    configVersion: plan.configVersion,
    added: stored.added,
    kept: stored.kept,
    retired: stored.retired,
    retiredAfterTradeClosed,
  };
}
