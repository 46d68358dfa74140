import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTrain, exportExamples } from '../../../classifiers/cli';
import { createAnalyzer, reloadModels, DATA_DIR } from '../../../classifiers';
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

describe('a region model (train --from, corrections)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'otklik-train-'));
  const modelDir = join(dir, 'models');
  const shipped = join(DATA_DIR, 'models');
  const from = join(__dirname, '../../fixtures/texts/region-export.csv');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('learns from a region export into DATA_DIR, never over the shipped model, reproducibly', async () => {
    const before = readFileSync(join(shipped, 'topic.json'), 'utf8');
    const first = await runTrain({ from, textColumn: 'Текст', topicColumn: 'Тема', modelDir, progress: false });
    const model1 = readFileSync(join(modelDir, 'topic.json'), 'utf8');
    const second = await runTrain({ from, textColumn: 'Текст', topicColumn: 'Тема', modelDir, progress: false });
    expect(second.examples).toBe(first.examples);
    expect(readFileSync(join(modelDir, 'topic.json'), 'utf8')).toBe(model1);
    expect(readFileSync(join(shipped, 'topic.json'), 'utf8')).toBe(before);
    expect(first.out).toBe(modelDir);
    expect(createAnalyzer('khakassia', { modelDir }).models).toBe(modelDir);
    expect(createAnalyzer('khakassia').models).toBe('shipped');
  });

  it('maps an export\'s own categories through a YAML file, and names a mapping that is not a topic code', async () => {
    const map = join(dir, 'map.yaml');
    writeFileSync(map, 'Мусор и ТКО: waste\nЖКХ: housing\nДороги: roads\nблагоустройство: landscaping\nНеизвестная рубрика: other\n');
    const mapped = exportExamples({ from, textColumn: 'Текст', topicColumn: 'Тема', map });
    expect(mapped.map((e) => e.topic)).toEqual(['waste', 'housing', 'roads', 'landscaping', 'other']);
    writeFileSync(map, 'Дороги: дорожки\n');
    expect(() => exportExamples({ from, textColumn: 'Текст', topicColumn: 'Тема', map })).toThrow(/"Дороги" maps to "дорожки"/);
  });

  it('names the missing column, and refuses region data for the shipped model', async () => {
    await expect(runTrain({ from, textColumn: 'text', topicColumn: 'Тема', modelDir, progress: false })).rejects.toThrow(/no column "text"/);
    await expect(runTrain({ from, textColumn: 'Текст', topicColumn: 'Тема', shipped: true, progress: false })).rejects.toThrow(/team corpus only/);
  });

  it("an official's correction changes the next similar message's decision", async () => {
    const next = 'На улице Вокзальной 12 из люка третий день что-то хлещет, всё заливает';
    const corrected = 'На улице Вокзальной 3 из люка хлещет, всё заливает';
    const before = createAnalyzer('khakassia').analyze(next);
    const topic = before.topic === 'ecology' ? 'safety' : 'ecology';
    const dir2 = join(dir, 'corrected');
    await runTrain({ modelDir: dir2, examples: [{ text: corrected, topic, kind: 'complaint' }], progress: false });
    reloadModels();
    const after = createAnalyzer('khakassia', { modelDir: dir2 }).analyze(next);
    expect(after.topic).toBe(topic);
    // "Not an appeal" is a correction too.
    const chatter = 'Вчера на Вокзальной видел как из люка пар идёт, красиво как в кино';
    const dir3 = join(dir, 'not-appeal');
    await runTrain({ modelDir: dir3, examples: [{ text: 'Сегодня на Вокзальной из люка пар идёт, красиво как в кино', kind: 'none' }], progress: false });
    expect(createAnalyzer('khakassia', { modelDir: dir3 }).analyze(chatter).kind).toBe('none');
  });
});
