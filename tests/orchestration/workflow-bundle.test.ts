/**
 * The bundle cache key (temporal/workflow-bundle.ts) must change whenever any project module inside the
 * bundle changes: every project source webpack puts into the bundle is among the files the key hashes.
 */
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { bundleSourceFiles } from '../../temporal/bundle-sources';
import { WORKFLOWS_PATH } from '../../temporal/worker';
import { quietLogger } from '../helpers/quiet-logger';

const ROOT = path.resolve(__dirname, '../..');
jest.setTimeout(120_000);

test('the cache key hashes every project module the bundle includes', async () => {
  const { code } = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quietLogger });
  const inlineMap = /sourceMappingURL=data:application\/json;(?:charset=utf-8;)?base64,([A-Za-z0-9+/=]+)/.exec(code);
  expect(inlineMap).not.toBeNull();
  const sources = (JSON.parse(Buffer.from(inlineMap![1], 'base64').toString('utf8')) as { sources: string[] }).sources;
  const bundled = [
    ...new Set(
      sources
        .map((s) => s.replace(/^webpack:\/\/[^/]*\//, ''))
        .map((s) => path.resolve(ROOT, s))
        .filter((s) => s.startsWith(ROOT) && !s.includes(`${path.sep}node_modules${path.sep}`) && /\.ts$/.test(s)),
    ),
  ].sort();
  const hashed = bundleSourceFiles(require.resolve('../../workflows'));

  expect(bundled.length).toBeGreaterThan(3);
  expect(bundled.map((f) => path.relative(ROOT, f))).toEqual(expect.arrayContaining(['workflows/pair-trade.ts', 'broker/order-status.ts']));
  expect(bundled.filter((f) => !hashed.includes(f)).map((f) => path.relative(ROOT, f))).toEqual([]);
});
