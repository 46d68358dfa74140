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
    expect(Object.keys(out[0]).sort()).toEqual(['complaint', 'complaintScore', 'id', 'municipality', 'priority', 'topic', 'topicScore']);
    expect(out[1]).toMatchObject({ id: null });
    expect(typeof out[1].error).toBe('string');
    expect(out[2]).toMatchObject({ id: 'c' });
    expect(out[2].error).toMatch(/text/);
    expect(out[3]).toMatchObject({ id: 'd', complaint: false });
  });
});
