import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createAnalyzer } from '../../classifiers';
import { seedRegion } from '../../src/app';
import { openDb, type Db } from '../../src/db';
import { DEMO_OFFICIALS_FILE } from '../../src/demo/feed';
import type { RawMessage } from '../../src/domain/types';
import { importFile } from '../../src/import';
import { ingestMessage } from '../../src/ingest/ingest';
import { createRedis, Queues } from '../../src/pipeline/queues';
import { freshPgDatabase, testRedisUrl, uniquePrefix, waitFor } from '../helpers/env';

import { PLACES, PROBLEMS, rawMessage } from '../helpers/complaints';
import { accountFor, progressOf, violations } from '../helpers/accounting';
const ROOT = path.resolve(__dirname, '../..');

function message(i: number): RawMessage {
  return rawMessage({
    externalId: `wall-1_${i}`,
    author: { platformId: String(1000 + i), displayName: null, profileUrl: null },
    text: i % 5 !== 0 ? `${PROBLEMS[i % PROBLEMS.length]} ${i} в ${PLACES[i % PLACES.length]}, сколько можно!` : `Спасибо за праздник ${i}, всё было отлично!`,
  });
}

describe('a worker process killed in the middle of the pipeline', () => {
  const N = 300;
  let db: Db;
  let queues: Queues;
  let drop: () => Promise<void>;
  let env: NodeJS.ProcessEnv;
  const children: ChildProcess[] = [];
  const startWorker = () => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin/otklik.js'), 'worker'], { cwd: ROOT, env, stdio: ['ignore', 'inherit', 'inherit'] });
    children.push(child);
    return child;
  };

  beforeAll(async () => {
    const fresh = await freshPgDatabase();
    drop = fresh.drop;
    db = await openDb({ url: fresh.url, dataDir: 'unused' });
    await seedRegion(db, createAnalyzer('khakassia').region);
    await importFile(db, DEMO_OFFICIALS_FILE);
    const prefix = uniquePrefix();
    queues = new Queues(createRedis(testRedisUrl()), prefix);
    env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: 'production',
      LOG_LEVEL: 'error',
      DATABASE_URL: fresh.url,
      REDIS_URL: testRedisUrl(),
      QUEUE_PREFIX: prefix,
      JOB_LOCK_SECONDS: '2',
      // A kill between "persist" and "enqueue the next stage" is repaired only by reconcile: run it often.
      RECONCILE_AFTER_MINUTES: '0.05',
      RECONCILE_EVERY_SECONDS: '1',
      STAGE_CONCURRENCY: '10',
    };
  });
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    await queues.close();
    await queues.connection.quit();
    await db.close();
    await drop();
  });

  it('loses nothing and duplicates nothing after a restart', async () => {
    for (let i = 0; i < N; i++) await ingestMessage({ db, queues, now: () => new Date() }, message(i));
    const progress = () => progressOf(db);
    const first = startWorker();
    await waitFor(progress, (p) => p.done >= N * 0.2, { timeoutMs: 60_000, what: 'first worker to make progress' });
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    const midway = await progress();
    expect(midway.done).toBeLessThan(N); // killed mid-run, not after the end

    const second = startWorker();

    const end = await waitFor(progress, (p) => p.done === N && p.assigned === p.incidents, { timeoutMs: 90_000, what: 'all messages processed' });

    const complaints = Array.from({ length: N }, (_, i) => i).filter((i) => i % 5 !== 0).length;
    // Every card recorded, then every invariant (test/helpers/accounting.ts): nothing lost, nothing twice.
    await waitFor(() => accountFor(db), (a) => a.cardRows === end.incidents, { what: 'every card recorded' });
    expect(violations(await accountFor(db), N, complaints)).toEqual([]);

    second.kill('SIGTERM');
    const code = await new Promise((r) => second.once('exit', r));
    expect(code).toBe(0);
  }, 180_000);
});
