/** connectors/telegram/map.ts: table-driven over test/fixtures/telegram/updates.json. Pure. */
import fs from 'node:fs';
import path from 'node:path';
import { mapTelegramUpdate } from '../../../connectors/telegram/map';

interface Case {
  name: string;
  update: unknown;
  expect: Record<string, unknown> | null;
}
const cases: Case[] = JSON.parse(fs.readFileSync(path.join(__dirname, '../../fixtures/telegram/updates.json'), 'utf8'));
const BOT = 123456789;

describe('mapTelegramUpdate', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const m = mapTelegramUpdate(c.update, BOT);
    if (c.expect === null) {
      expect(m).toBeNull();
      return;
    }
    const { publishedAt, ...rest } = c.expect;
    expect(m).toMatchObject({ platform: 'telegram', sourceId: null, hints: {}, ...rest });
    if (publishedAt) expect(m!.publishedAt.toISOString()).toBe(publishedAt);
    if (!c.expect.edited) expect(m!.edited).toBeUndefined();
  });
});
