#!/usr/bin/env node
// The Docker image's build step after `npm run build`: the workflow bundle built once into the compiled cache, so a
// worker starting from the image loads it instead of running webpack.
const { cachedWorkflowBundle } = require('../dist/temporal/workflow-bundle.js');

cachedWorkflowBundle().then(
  ({ codePath }) => {
    process.stdout.write(`workflow bundle: ${codePath}\n`);
  },
  (err) => {
    process.stderr.write(`${err && err.stack ? err.stack : err}\n`);
    process.exit(1);
  },
);
