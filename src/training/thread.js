// Entry of a training worker thread (src/training/train.ts): the TypeScript sources run through tsx, as in bin/otklik.js.
require('tsx/cjs/api').register();
require('./thread-main.ts');
