/**
 * The workflow bundle, built once and cached on disk. Bundling with webpack inside the worker process (what
 * `workflowsPath` does at `Worker.create`) leaves ~100 MB of webpack/swc memory in the long-lived worker, so the
 * bundle is built by a short-lived child process and cached, keyed by a hash of every project module the bundle
 * can include (workflows/ and what it imports, e.g. strategy/ and broker/order-status.ts) and the
 * @temporalio/worker and @temporalio/workflow versions (a bundle must match the worker's SDK version exactly).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleSourceFiles } from './bundle-sources';
import { spawnWatched } from './watched-process';

const REPO_ROOT = path.resolve(__dirname, '..');
const WORKFLOWS_ENTRY = require.resolve('../workflows');
const BUNDLE_PREFIX = 'workflow-bundle-';
/** Default cache folder; os.tmpdir() is used when it cannot be written. */
export const DEFAULT_BUNDLE_CACHE_DIR = path.resolve(__dirname, '../node_modules/.cache/pairs');

function packageVersion(name: string): string {
  return (JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')) as { version: string }).version;
}

/** Hash of everything the bundle depends on: every project module it can include, and the SDK versions. */
export function workflowBundleKey(): string {
  const hash = createHash('sha256');
  hash.update(`@temporalio/worker@${packageVersion('@temporalio/worker')}\n@temporalio/workflow@${packageVersion('@temporalio/workflow')}\n`);
  for (const file of bundleSourceFiles(WORKFLOWS_ENTRY)) {
    hash.update(`${path.relative(REPO_ROOT, file)}\n`);
    hash.update(readFileSync(file));
    hash.update('\n');
  }
  return hash.digest('hex').slice(0, 20);
}

// Runs in the child: plain node (the bundler compiles .ts itself with swc), paths passed as arguments.
const BUNDLE_SCRIPT = `
const [workerModule, workflowsPath, outFile] = process.argv.slice(1);
const { bundleWorkflowCode } = require(workerModule);
const fs = require('node:fs');
bundleWorkflowCode({ workflowsPath }).then(({ code }) => {
  const tmp = outFile + '.' + process.pid + '.tmp';
  fs.writeFileSync(tmp, code);
  fs.renameSync(tmp, outFile);
}).catch((err) => {
  process.stderr.write(String(err && err.stack ? err.stack : err) + '\\n');
  process.exit(1);
});
`;

/** Bundles in a watched child process, so a bundle build never outlives the process that wanted it. */
async function bundleInChild(outFile: string): Promise<void> {
  const child = await spawnWatched(process.execPath, ['-e', BUNDLE_SCRIPT, require.resolve('@temporalio/worker'), WORKFLOWS_ENTRY, outFile], {
    stdout: 'pipe',
    stderr: 'pipe',
    keepAlive: true,
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  let output = '';
  for (const pipe of [child.stdout, child.stderr]) pipe?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const status = await child.exited;
  if (status.code !== 0 || !existsSync(outFile)) {
    throw new Error(`workflow bundling failed (code ${status.code}, signal ${status.signal}):\n${output.trim()}`);
  }
}

function writableDir(dir: string): boolean {
  try {
    mkdirSync(dir, { recursive: true });
    const probe = path.join(dir, `.probe-${process.pid}`);
    writeFileSync(probe, '');
    rmSync(probe);
    return true;
  } catch {
    return false;
  }
}

/** Older bundles in the cache folder (a running worker has already read its bundle into memory). */
function removeStaleBundles(dir: string, keep: string): void {
  for (const name of readdirSync(dir)) {
    if (name.startsWith(BUNDLE_PREFIX) && name !== keep && !name.endsWith('.tmp')) rmSync(path.join(dir, name), { force: true });
  }
}

/**
 * Path of the cached workflow bundle for the current sources, building it in a child process when missing.
 * Concurrent callers may both build; each writes a temp file and renames it, so readers never see a partial file.
 */
export async function cachedWorkflowBundle(options: { cacheDir?: string } = {}): Promise<{ codePath: string }> {
  const preferred = options.cacheDir ?? DEFAULT_BUNDLE_CACHE_DIR;
  const dir = writableDir(preferred) ? preferred : path.join(os.tmpdir(), 'pairs-workflow-bundle');
  mkdirSync(dir, { recursive: true });
  const name = `${BUNDLE_PREFIX}${workflowBundleKey()}.js`;
  const codePath = path.join(dir, name);
  if (!existsSync(codePath)) {
    await bundleInChild(codePath);
    try {
      removeStaleBundles(dir, name);
    } catch {
      // best effort: a stale bundle only costs disk space
    }
  }
  return { codePath };
}
