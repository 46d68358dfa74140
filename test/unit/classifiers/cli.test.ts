import { PassThrough, Readable } from 'node:stream';
import { runClassify } from '../../../classifiers/cli';

async function classify(lines: string[]): Promise<{ result: { lines: number; errors: number }; out: Record<string, unknown>[] }> {
  const input = Readable.from([lines.join('\n') + '\n']);
  const output = new PassThrough();
  const chunks: string[] = [];
  output.on('data', (c: Buffer) => chunks.push(c.toString()));
  const result = await runClassify(input, output);
  output.end();
  const out = chunks.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
  return { result, out };
}

describe('runClassify', () => {
  it('answers every line in order and continues after a bad one', async () => {
    const { result, out } = await classify([
      JSON.stringify({ id: 'a', text: 'в Черногорске нет отопления, батареи ледяные' }),
      '{not json',
      JSON.stringify({ id: 'c', text: 42 }),
      '',
      JSON.stringify({ id: 'd', text: 'спасибо, починили!' }),
    ]);
    expect(result).toEqual({ lines: 4, errors: 2 });
    expect(out).toHaveLength(4);
    expect(out[0]).toMatchObject({ id: 'a', complaint: true, topic: 'housing', municipality: 'chernogorsk', priority: 'high' });
    expect(Object.keys(out[0]).sort()).toEqual(['complaint', 'complaintScore', 'confident', 'id', 'kind', 'municipality', 'priority', 'topic', 'topicScore']);
    expect(out[0]).toMatchObject({ kind: 'complaint', confident: true });
    expect(out[1]).toMatchObject({ id: null });
    expect(typeof out[1].error).toBe('string');
    expect(out[2]).toMatchObject({ id: 'c' });
    expect(out[2].error).toMatch(/text/);
    expect(out[3]).toMatchObject({ id: 'd', complaint: false, kind: 'gratitude', topic: null });
  });

  it("uses the watched source's home when the text names no place, and the text's own place over it", async () => {
    const { out } = await classify([
      JSON.stringify({ id: 'a', text: 'во дворе третью неделю не вывозят мусор, баки переполнены', platform: 'vk', source: { municipality: 'sorsk' } }),
      JSON.stringify({ id: 'b', text: 'в Абазе во дворе третью неделю не вывозят мусор', platform: 'vk', source: { municipality: 'sorsk' } }),
      JSON.stringify({ id: 'c', text: 'во дворе третью неделю не вывозят мусор, баки переполнены' }),
    ]);
    expect(out.map((o) => o.municipality)).toEqual(['sorsk', 'abaza', null]);
    expect(out[2].confident).toBe(false);
  });

  it('tells a question and a proposal to the authorities from a complaint', async () => {
    const { out } = await classify([
      JSON.stringify({ id: 'q', text: 'Подскажите, когда в Черногорске начнут выдавать путёвки в летние лагеря и куда подавать заявление?' }),
      JSON.stringify({ id: 'p', text: 'Предлагаю поставить в сквере у ДК в Абакане скамейки и урны, было бы удобно для пожилых' }),
    ]);
    expect(out.map((o) => o.kind)).toEqual(['question', 'proposal']);
    expect(out.every((o) => o.complaint === false && o.topic !== null)).toBe(true);
  });
});
