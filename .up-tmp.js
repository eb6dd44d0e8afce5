require('tsx/cjs');
const { startStack } = require('./cli/up/stack.ts');
const { resolveUpOptions } = require('./cli/up/options.ts');
startStack(resolveUpOptions({ dataDir: '/tmp/up1', apiPort: '18001', temporalPort: '17300', uiPort: '18300', simPort: '0' }), console.log)
  .then(async (s) => { console.log('started'); await s.stop(); process.exit(0); })
  .catch((e) => { console.log(e.stack); process.exit(1); });
