/**
 * The region's model learns from the officials' corrections: `npx otklik train` reads them from the database of the
 * configuration and writes the model to DATA_DIR/models; the nightly training (same code, in a worker thread) does
 * the same and the running analysis then reads the new model. Real PostgreSQL; the training is the real one.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createAnalyzer } from '../../classifiers';
import { createTextAnalysis } from '../../src/analysis/pool';
import { createRootLogger } from '../../src/log';
import { trainCron } from '../../src/training/schedule';
import { loadTrainingCorrections, trainRegionModel } from '../../src/training/train';
import { openTestDb } from '../helpers/db';
import type { Db } from '../../src/db';

const ROOT = path.resolve(__dirname, '../..');
const TEXT = 'Во дворе нашего дома третью неделю не вывозят мусор, баки переполнены';

/** A message and its incident, corrected by the duty officer (as triage stores it). */
async function correctedIncident(db: Db): Promise<void> {
  await db.officials.upsertMunicipalities([{ id: 'sayanogorsk', region: 'khakassia', name: 'город Саяногорск', kind: 'okrug', center: null, oktmo: null }]);
  await db.sql.exec(`INSERT INTO officials (id, name, role, duty) VALUES ('khakassia-duty', 'Иванов А. В.', 'governor_office', true)`);
  const m = await db.sql.query<{ id: string }>(
    `INSERT INTO messages (platform, external_id, author_platform_id, text, published_at, received_at, status)
     VALUES ('web', 'w-1', 'a-1', $1, now(), now(), 'incident') RETURNING id::text`,
    [TEXT],
  );
  const i = await db.sql.query<{ id: string }>(
    `INSERT INTO incidents (primary_message_id, opened_at, detected_at, updated_at, status) VALUES ($1, now(), now(), now(), 'assigned') RETURNING id::text`,
    [m.rows[0].id],
  );
  const at = new Date();
  await db.corrections.record([
    { incidentId: i.rows[0].id, messageId: m.rows[0].id, field: 'municipality', oldValue: null, newValue: 'sayanogorsk', officialId: 'khakassia-duty', at },
    { incidentId: i.rows[0].id, messageId: m.rows[0].id, field: 'topic', oldValue: 'housing', newValue: 'waste', officialId: 'khakassia-duty', at },
  ]);
}

describe('training the region model from corrections (pg)', () => {
  let t: Awaited<ReturnType<typeof openTestDb>>;
  let dataDir: string;
  beforeAll(async () => {
    t = await openTestDb('pg');
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'otk-train-'));
    await correctedIncident(t.db);
  });
  afterAll(async () => {
    await t.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('loads the corrections of the configured database as labelled examples', async () => {
    expect(await loadTrainingCorrections({ DATABASE_URL: t.url, DATA_DIR: dataDir })).toEqual([{ text: TEXT, topic: 'waste', municipality: 'sayanogorsk' }]);
  });

  it('`npx otklik train` learns from them into DATA_DIR/models', () => {
    const r = spawnSync(process.execPath, [path.join(ROOT, 'bin/otklik.js'), 'train'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'error', DATABASE_URL: t.url!, DATA_DIR: dataDir },
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`and 1 corrections → ${path.join(dataDir, 'models')}`));
    for (const f of ['kind.json', 'topic.json']) expect(fs.existsSync(path.join(dataDir, 'models', f))).toBe(true);
    expect(createAnalyzer('khakassia', { modelDir: path.join(dataDir, 'models') }).models).toBe(path.join(dataDir, 'models'));
  }, 120_000);

  it('the nightly training writes the model in a worker thread, then the running analysis reloads it', async () => {
    const modelDir = path.join(dataDir, 'models');
    fs.rmSync(modelDir, { recursive: true, force: true });
    const analysis = createTextAnalysis(createAnalyzer('khakassia'), 1, 'khakassia', { modelDir });
    try {
      const before = await analysis.analyze(TEXT);
      const log = createRootLogger({ LOG_LEVEL: 'error', NODE_ENV: 'test' }, 'test');
      const r = await trainRegionModel({ cfg: { DATA_DIR: dataDir }, db: t.db, analysis, log });
      expect(before.kind).toBe('complaint'); // analysed with the shipped models: there was no region model yet
      expect(r).toMatchObject({ corrections: 1, out: modelDir, models: [modelDir] }); // the thread now reads the region's
      expect(fs.existsSync(path.join(modelDir, 'kind.json'))).toBe(true);
      expect((await analysis.analyze(TEXT)).version).toBe(before.version);
    } finally {
      await analysis.close();
    }
    expect(trainCron('03:00')).toBe('0 3 * * *');
    expect(trainCron('off')).toBeNull();
  }, 120_000);
});
