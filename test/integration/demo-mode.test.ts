import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createAnalyzer } from '../../classifiers';
import { seedRegion, startApp } from '../../src/app';
import { openDb } from '../../src/db';
import { importFile } from '../../src/import';
import { freshPgDatabase, testConfig } from '../helpers/env';

/** DEMO=auto (no tokens) must never pour made-up posts, officials or rules into a region's real data. */
describe('demo mode with DEMO=auto', () => {
  const demoSources = async (url: string) => {
    const app = await startApp(testConfig({ DATABASE_URL: url, DEMO: 'auto' }, ['demo']));
    try {
      return {
        sources: (await app.db.sources.all()).filter((s) => s.kind === 'demo').length,
        rules: await app.db.officials.rules(),
      };
    } finally {
      await app.stop();
    }
  };

  it('loads the demo into an empty database', async () => {
    const fresh = await freshPgDatabase();
    try {
      expect((await demoSources(fresh.url)).sources).toBeGreaterThan(0);
    } finally {
      await fresh.drop();
    }
  });

  it('stays off once a region has imported its own officials, leaving their routing alone', async () => {
    const fresh = await freshPgDatabase();
    try {
      const db = await openDb({ url: fresh.url, dataDir: 'unused' });
      await seedRegion(db, createAnalyzer('khakassia').region);
      const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'otk-')), 'region.yaml');
      fs.writeFileSync(file, 'officials:\n  - id: real-abakan\n    name: Настоящий Чиновник\n    municipality: abakan\n    topics: [roads]\n');
      await importFile(db, file);
      await db.close();
      const after = await demoSources(fresh.url);
      expect(after.sources).toBe(0);
      expect(after.rules).toEqual([{ municipalityId: 'abakan', topic: 'roads', officialId: 'real-abakan' }]);
    } finally {
      await fresh.drop();
    }
  });
});
