import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDb, type Db } from '../../src/db';
import { loadDemoCorpus } from '../../src/demo/corpus';
import { freshPgDatabase, testRedisUrl, uniquePrefix, waitFor } from '../helpers/env';

const ROOT = path.resolve(__dirname, '../..');

/** `otklik start` as a newcomer runs it: no tokens, so the demo feed flows through the real pipeline. */
describe('npx otklik start (demo, no tokens)', () => {
  let child: ChildProcess;
  let db: Db;
  let drop: () => Promise<void>;
  let stdout = '';

  beforeAll(async () => {
    const fresh = await freshPgDatabase();
    drop = fresh.drop;
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'otklik-start-'));
    child = spawn(process.execPath, [path.join(ROOT, 'bin/otklik.js'), 'start'], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        DATABASE_URL: fresh.url,
        DATA_DIR: dataDir,
        REDIS_URL: testRedisUrl(),
        QUEUE_PREFIX: uniquePrefix(),
        HTTP_PORT: '0',
        HTTP_HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.resume();
    db = await openDb({ url: fresh.url, dataDir: 'unused', migrate: false });
  });
  afterAll(async () => {
    if (child.exitCode === null) child.kill('SIGKILL');
    await db.close();
    await drop();
  });

  it('shows the demo\'s incidents, routed, with repeats attached, within a minute; stops cleanly on SIGTERM', async () => {
    const url = await waitFor(async () => /http:\/\/127\.0\.0\.1:\d+/.exec(stdout)?.[0] ?? null, (u) => u !== null, { timeoutMs: 30_000, what: 'the start banner' });
    const { posts } = loadDemoCorpus();
    // Every demo post read and settled (a non-complaint, thanks, or an appeal in an assigned incident or one waiting
    // on the duty officer's triage list).
    await waitFor(
      () => db.sql.query<{ settled: number }>(
        `SELECT count(*)::int AS settled FROM messages m LEFT JOIN incidents i ON i.id = m.incident_id
         WHERE m.status IN ('not_complaint', 'gratitude') OR (m.status IN ('incident', 'attached') AND i.status IN ('assigned', 'needs_review'))`,
      ),
      (r) => r.rows[0].settled === posts.length,
      { timeoutMs: 60_000, what: 'all demo posts settled' },
    );
    const incidents = await db.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM incidents`);
    expect(incidents.rows[0].n).toBeGreaterThanOrEqual(20);
    // The three neighbours on Советская 78 and the author who wrote twice about Пушкина 45 are one incident each.
    const merged = await db.sql.query<{ n: number }>('SELECT count(*)::int AS n FROM incidents WHERE messages_count > 1');
    expect(merged.rows[0].n).toBeGreaterThanOrEqual(2);
    const resonant = await db.sql.query<{ n: number }>('SELECT count(*)::int AS n FROM incidents WHERE resonant');
    expect(resonant.rows[0].n).toBeGreaterThanOrEqual(1);

    const health = await fetch(`${url}/healthz`);
    expect(health.status).toBe(200);

    child.kill('SIGTERM');
    const code = await new Promise((r) => child.once('exit', r));
    expect(code).toBe(0);
  }, 120_000);
});
