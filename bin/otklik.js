#!/usr/bin/env node
// Runs the TypeScript sources directly (tsx), so `npx otklik …` works in a checkout after `npm ci`.
require('tsx/cjs/api').register();
// `classify` loads only the text analysis (src/cli-analysis.ts), not the application: its first answer comes sooner.
const run =
  process.argv[2] === 'classify'
    ? () => {
        const c = require('../src/cli-analysis.ts');
        return c.runCli(c.buildClassifyCli(), process.argv);
      }
    : () => require('../src/cli.ts').main(process.argv);
run().catch((err) => {
  process.stderr.write(`otklik: ${err && err.message ? err.message : String(err)}\n`);
  process.exit(1);
});
