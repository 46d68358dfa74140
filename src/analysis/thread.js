// Entry of an analysis worker thread (src/analysis/pool.ts): the TypeScript sources run through tsx, as in bin/otklik.js.
require('tsx/cjs/api').register();
require('./thread-main.ts');
