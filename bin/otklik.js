#!/usr/bin/env node
// Runs the TypeScript sources directly (tsx), so `npx otklik …` works in a checkout after `npm ci`.
require('tsx/cjs/api').register();
require('../src/cli.ts')
  .main(process.argv)
  .catch((err) => {
    process.stderr.write(`otklik: ${err && err.message ? err.message : String(err)}\n`);
    process.exit(1);
  });
