/**
 * `npm run bench`: runs every `bench/*.bench.ts` module (or those named on the command line) in turn.
 * Each module exports `run(): Promise<void>` and prints its own figures beside their baselines.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';

async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  const files = readdirSync(__dirname)
    .filter((f) => f.endsWith('.bench.ts'))
    .filter((f) => wanted.length === 0 || wanted.some((w) => f.startsWith(w)))
    .sort();
  for (const file of files) {
    process.stdout.write(`\n=== ${file}\n`);
    const mod = (await import(path.join(__dirname, file))) as { run: () => Promise<void> };
    await mod.run();
  }
}

main().catch((err) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
