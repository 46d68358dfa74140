import { comparable, suggestTemplates } from '../../../src/replies/suggest';
import {
  loadTemplates,
  parseTemplateFile,
  render,
  type ReplyStage,
  type Template,
  type TemplateSet,
  type TemplateVars,
} from '../../../src/replies/templates';

/** A small in-memory set: four roads acks, three generic acks, one housing ack, one roads promise. */
function fixtureSet(): TemplateSet {
  const make = (id: string, topics: string, stage: ReplyStage, body: string): Template =>
    parseTemplateFile(
      `/fixture/${id}.md`,
      `---\nid: ${id}\ntopics: [${topics}]\nstage: ${stage}\nvariables: [address]\n---\n${body}\n`,
    );
  const templates = [
    make('roads-ack-a', 'roads', 'ack', 'Дорога {{address}}: принято.'),
    make('roads-ack-b', 'roads, landscaping', 'ack', 'Участок {{address}} в работе.'),
    make('roads-ack-c', 'roads', 'ack', 'Яму {{address}} осмотрят.'),
    make('roads-ack-d', 'roads', 'ack', 'По адресу {{address}} начата проверка.'),
    make('any-ack-a', 'any', 'ack', 'Обращение {{address}} принято.'),
    make('any-ack-b', 'any', 'ack', 'Спасибо, адрес {{address}} передан.'),
    make('any-ack-c', 'any', 'ack', 'Зарегистрировано: {{address}}.'),
    make('housing-ack-a', 'housing', 'ack', 'Дом {{address}}: принято.'),
    make('roads-promise-a', 'roads', 'promise', 'Ремонт {{address}} будет.'),
  ];
  return { dir: '/fixture', templates, byId: new Map(templates.map((t) => [t.id, t])) };
}
const ids = (ts: Template[]) => ts.map((t) => t.id);
const SPECIFIC = ['roads-ack-a', 'roads-ack-b', 'roads-ack-c', 'roads-ack-d'];
const GENERIC = ['any-ack-a', 'any-ack-b', 'any-ack-c'];
const VARS: TemplateVars = { address: 'ул. Мира, 3' };

describe('suggestTemplates', () => {
  const set = fixtureSet();

  it('offers only the stage, topic-specific templates before generic ones', () => {
    for (let seed = 0; seed < 12; seed++) {
      const got = ids(suggestTemplates(set, { topic: 'roads', stage: 'ack', seed }));
      expect(got.slice(0, 4).sort()).toEqual(SPECIFIC);
      expect(got.slice(4).sort()).toEqual(GENERIC);
    }
    expect(ids(suggestTemplates(set, { topic: 'landscaping', stage: 'ack' }))).toEqual(['roads-ack-b', ...GENERIC]);
    expect(ids(suggestTemplates(set, { topic: 'roads', stage: 'promise' }))).toEqual(['roads-promise-a']);
    expect(ids(suggestTemplates(set, { topic: 'roads', stage: 'refusal' }))).toEqual([]);
  });

  it('offers only generic templates for an unclassified incident or a topic without its own', () => {
    expect(ids(suggestTemplates(set, { topic: null, stage: 'ack' })).sort()).toEqual(GENERIC);
    expect(ids(suggestTemplates(set, { topic: 'healthcare', stage: 'ack' })).sort()).toEqual(GENERIC);
  });

  it('is deterministic for a seed and rotates across seeds', () => {
    const q = { topic: 'roads' as const, stage: 'ack' as const };
    expect(ids(suggestTemplates(set, { ...q, seed: 41 }))).toEqual(ids(suggestTemplates(set, { ...q, seed: 41 })));
    expect(ids(suggestTemplates(set, { ...q, seed: 'inc-2024-0007' }))).toEqual(
      ids(suggestTemplates(set, { ...q, seed: 'inc-2024-0007' })),
    );
    const firsts = new Set([0, 1, 2, 3].map((seed) => suggestTemplates(set, { ...q, seed })[0].id));
    expect([...firsts].sort()).toEqual(SPECIFIC); // consecutive incidents get different wordings
    const stringFirsts = new Set(
      Array.from({ length: 40 }, (_, i) => suggestTemplates(set, { ...q, seed: `inc-${i}` })[0].id),
    );
    expect(stringFirsts.size).toBeGreaterThan(1);
    for (const seed of [-3, 2.7, Number.NaN, Number.MAX_SAFE_INTEGER]) {
      expect(suggestTemplates(set, { ...q, seed })).toHaveLength(7);
    }
  });

  it('never offers the citizen’s last template first, whatever the seed', () => {
    for (const last of [...SPECIFIC, ...GENERIC]) {
      for (let seed = 0; seed < 8; seed++) {
        const got = ids(suggestTemplates(set, { topic: 'roads', stage: 'ack', seed, lastTemplateIdForCitizen: last }));
        expect(got[0]).not.toBe(last);
        expect(got).toHaveLength(7);
        expect(got[got.length - 1]).toBe(last);
      }
    }
    // the only candidate is left out rather than offered first
    expect(suggestTemplates(set, { topic: 'roads', stage: 'promise', lastTemplateIdForCitizen: 'roads-promise-a' })).toEqual([]);
    // a last template of another stage changes nothing
    expect(ids(suggestTemplates(set, { topic: 'roads', stage: 'ack', seed: 5, lastTemplateIdForCitizen: 'x' }))).toEqual(
      ids(suggestTemplates(set, { topic: 'roads', stage: 'ack', seed: 5, lastTemplateIdForCitizen: null })),
    );
  });

  it('leaves out templates whose rendering is already in the thread', () => {
    const published = [render(set.byId.get('roads-ack-c')!, VARS), `  ${render(set.byId.get('any-ack-a')!, VARS).toUpperCase()} `];
    for (let seed = 0; seed < 8; seed++) {
      const got = ids(suggestTemplates(set, { topic: 'roads', stage: 'ack', seed, vars: VARS, threadReplyTexts: published }));
      expect(got).toHaveLength(5);
      expect(got).not.toContain('roads-ack-c');
      expect(got).not.toContain('any-ack-a');
    }
    // same template, other address: a different text, so it may be offered again
    const other = ids(suggestTemplates(set, { topic: 'roads', stage: 'ack', vars: { address: 'ул. Пушкина, 1' }, threadReplyTexts: published }));
    expect(other).toHaveLength(7);
    // templates that cannot be rendered yet stay on offer
    expect(suggestTemplates(set, { topic: 'roads', stage: 'ack', vars: {}, threadReplyTexts: published })).toHaveLength(7);
  });

  it('compares reply texts ignoring case, ё, spacing and a final full stop', () => {
    expect(comparable('  Ваше обращение  ПРИНЯТО.\n')).toBe(comparable('ваше обращение принято'));
    expect(comparable('Всё решено')).toBe(comparable('все решено'));
    expect(comparable('Принято')).not.toBe(comparable('Принято в работу'));
  });
});

describe('suggestTemplates on the repository templates', () => {
  const set = loadTemplates();
  const FULL: TemplateVars = {
    citizenName: 'Олег', municipality: 'Черногорск', address: 'ул. Советская, 78', body: 'ООО «УК Уют»',
    position: 'заместитель главы города', deadline: '3 декабря', incidentNumber: '1187',
  };

  it('offers at least three wordings for every topic and stage, and a thread never gets the same text twice', () => {
    for (const topic of ['housing', 'roads', 'waste', 'transport', 'landscaping', 'healthcare', null] as const) {
      for (const stage of ['ack', 'clarify', 'promise', 'resolved', 'redirect', 'refusal'] as const) {
        const thread: string[] = [];
        let last: string | null = null;
        for (let reply = 0; reply < 3; reply++) {
          const got = suggestTemplates(set, { topic, stage, seed: 1187 + reply, lastTemplateIdForCitizen: last, threadReplyTexts: thread, vars: FULL });
          expect(got.length).toBeGreaterThanOrEqual(reply === 0 ? 3 : 1);
          expect(got[0].id).not.toBe(last);
          const text = render(got[0], FULL);
          expect(thread.map(comparable)).not.toContain(comparable(text));
          thread.push(text);
          last = got[0].id;
        }
      }
    }
  });
});
