/**
 * The compiled entry point: `node dist/cli/run.js <command>` (the Docker image, `npm run build`). Development runs
 * the same CLI from the TypeScript sources through bin/pairs.js (tsx).
 */
import { main } from './index';

main(process.argv).catch((err: unknown) => {
  process.stderr.write(`pairs: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
