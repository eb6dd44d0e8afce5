import type { DiscoveryActivities, DiscoveryStoreResult } from '../workflows/contracts/discovery';
import { DISCOVERY_CHUNK_PAIRS } from '../workflows/contracts/discovery';

/**
 * One discovery run in this process, without Temporal: the workflow's steps called in order (compose's init step
 * runs it once before the worker starts). A pair that must wait for its trade to close is left retiring; the next
 * scheduled run (or the cycle) finds it.
 */
export async function runDiscoveryOnce(
  activities: DiscoveryActivities,
  symbols?: string[],
): Promise<DiscoveryStoreResult & { pairsTested: number; symbols: number; candidates: number }> {
  const plan = await activities.prepareDiscovery(symbols ? { symbols } : {});
  const candidates = [];
  for (let start = 0; start < plan.nPairs; start += DISCOVERY_CHUNK_PAIRS) {
    candidates.push(
      ...(await activities.scanDiscoveryChunk({ window: plan.window, start, count: Math.min(DISCOVERY_CHUNK_PAIRS, plan.nPairs - start) })),
    );
  }
  const retests = await activities.retestRegisteredPairs({ window: plan.window });
  const stored = await activities.storeDiscovery({ candidates, retests, topN: plan.window.settings.top_n });
  return { ...stored, pairsTested: plan.nPairs, symbols: plan.window.symbols.length, candidates: candidates.length };
}
