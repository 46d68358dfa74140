import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTrain } from '../../../classifiers/cli';
import { parseCsv, toTopicCode } from '../../../classifiers/training';

describe('training helpers', () => {
  it('parses quoted CSV fields with commas, doubled quotes and newlines', () => {
    expect(parseCsv('a,b\n"x, ""y""","line1\nline2"\n')).toEqual([['a', 'b'], ['x, "y"', 'line1\nline2']]);
  });

  it('maps topic codes and Russian topic names, and nothing else', () => {
    expect(toTopicCode('ЖКХ')).toBe('housing');
    expect(toTopicCode(' благоустройство ')).toBe('landscaping');
    expect(toTopicCode('roads')).toBe('roads');
    expect(toTopicCode('Неизвестная рубрика')).toBeNull();
  });
});

describe('runTrain --from', () => {
  const out = mkdtempSync(join(tmpdir(), 'otklik-train-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('learns from a region export, skips rows without a known topic, and is reproducible', async () => {
    const from = join(__dirname, '../../fixtures/texts/region-export.csv');
    const first = await runTrain({ from, textColumn: 'Текст', topicColumn: 'Тема', out, progress: false });
    const model1 = readFileSync(join(out, 'topic.json'), 'utf8');
    const second = await runTrain({ from, textColumn: 'Текст', topicColumn: 'Тема', out, progress: false });
    expect(second.examples).toBe(first.examples);
    expect(readFileSync(join(out, 'topic.json'), 'utf8')).toBe(model1);
    const base = await runTrain({ out, progress: false });
    expect(first.examples - base.examples).toBe(4);
  });

  it('names the missing column', async () => {
    const from = join(__dirname, '../../fixtures/texts/region-export.csv');
    await expect(runTrain({ from, textColumn: 'text', topicColumn: 'Тема', out, progress: false })).rejects.toThrow(/no column "text"/);
  });
});
