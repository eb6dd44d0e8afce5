#!/usr/bin/env node
// Runs the TypeScript CLI through tsx's CommonJS loader, so no build step is needed.
require('tsx/cjs');
require('../cli/index.ts')
  .main(process.argv)
  .catch((err) => {
    process.stderr.write(`pairs: ${err && err.message ? err.message : String(err)}\n`);
    process.exit(1);
  });
