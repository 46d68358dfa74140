import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  DEFAULT_TEMPLATES_DIR,
  OPTIONAL_VARIABLES,
  REPLY_STAGES,
  loadTemplates,
  render,
  tidyText,
  type TemplateVars,
} from '../../../src/replies/templates';

const FULL: Required<TemplateVars> = {
  citizenName: 'Анна Петровна',
  municipality: 'Абакан',
  address: 'ул. Ленина, 12',
  body: 'МУП «Водоканал»',
  position: 'заместитель главы города по ЖКХ',
  deadline: '25 ноября',
  incidentNumber: 'ХК-0412',
};
const COMMON_TOPICS = ['housing', 'roads', 'waste', 'transport', 'landscaping'] as const;
const COMMON_STAGES = ['ack', 'promise', 'resolved'] as const;

describe('the repository templates', () => {
  const set = loadTemplates();

  it('load from <repo>/templates', () => {
    expect(path.basename(DEFAULT_TEMPLATES_DIR)).toBe('templates');
    expect(set.templates.length).toBeGreaterThanOrEqual(COMMON_TOPICS.length * 3 * 3 + REPLY_STAGES.length * 3);
    expect(set.byId.size).toBe(set.templates.length);
  });

  it.each(COMMON_TOPICS.flatMap((t) => COMMON_STAGES.map((s) => [t, s] as const)))(
    'have at least three wordings for %s × %s',
    (topic, stage) => {
      const found = set.templates.filter((t) => !t.generic && t.topics.includes(topic) && t.stage === stage);
      expect(found.length).toBeGreaterThanOrEqual(3);
      expect(new Set(found.map((t) => t.source)).size).toBe(found.length);
    },
  );

  it.each(REPLY_STAGES)('have at least three generic wordings for %s', (stage) => {
    expect(set.templates.filter((t) => t.generic && t.stage === stage).length).toBeGreaterThanOrEqual(3);
  });

  const check = (text: string) => {
    expect(text).not.toMatch(/\{\{|\}\}/);
    expect(text).not.toMatch(/undefined|null|NaN|\[object/);
    expect(text).not.toMatch(/ {2}|\t| [,.!?;:]/);
    expect(text).toBe(text.trim());
    expect(text.length).toBeLessThanOrEqual(600);
    expect(text).toMatch(/^[А-ЯЁ]/);
    expect(text).toMatch(/[.!?]$/);
    expect(text).not.toMatch(/\p{Extended_Pictographic}/u);
    expect(text.split(/(?<=[.!?])\s+(?=[А-ЯЁ«])/).length).toBeLessThanOrEqual(5);
  };

  it.each(loadTemplates().templates.map((t) => [t.id, t] as const))('%s renders with every variable and without a name', (_id, t) => {
    const full = render(t, FULL);
    check(full);
    for (const v of t.variables) expect(full).toContain(FULL[v]);
    const anonymous = render(t, { ...FULL, citizenName: '' });
    check(anonymous);
    expect(anonymous).not.toContain(FULL.citizenName);
    expect(render(t, { ...FULL, citizenName: null })).toBe(anonymous);
    expect(render(t, { ...FULL, citizenName: undefined })).toBe(anonymous);
    if (t.variables.includes('citizenName')) expect(full.startsWith(`${FULL.citizenName},`)).toBe(true);
  });

  it('throw on every missing or blank required variable, naming it', () => {
    let checked = 0;
    for (const t of set.templates) {
      for (const v of t.variables.filter((x) => !OPTIONAL_VARIABLES.has(x))) {
        const without: TemplateVars = { ...FULL };
        delete without[v];
        expect(() => render(t, without)).toThrow(new RegExp(`${t.id}.*"${v}"`));
        expect(() => render(t, { ...FULL, [v]: '   ' })).toThrow(`"${v}"`);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(100);
  });
});

describe('loadTemplates on bad files', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'otklik-templates-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const write = (name: string, text: string) => writeFileSync(path.join(dir, name), text);
  const file = (id: string, fm: string, body: string) => write(`${id}.md`, `---\nid: ${id}\n${fm}\n---\n${body}\n`);
  const GOOD_FM = 'topics: [roads]\nstage: ack\nvariables: [citizenName, address]';
  const GOOD_BODY = '{{#if citizenName}}{{citizenName}}, здравствуйте!{{else}}Здравствуйте!{{/if}} Яма по адресу {{address}} — в работе.';

  it('accepts a good file, and collapses whitespace across lines', () => {
    file('good', GOOD_FM, `{{#if citizenName}}{{citizenName}},\n  здравствуйте!{{/if}}\n\n  Яма   по адресу\n{{address}} , в работе .`);
    const set = loadTemplates(dir);
    expect(set.templates.map((t) => t.id)).toEqual(['good']);
    expect(render(set.byId.get('good')!, { citizenName: 'Олег', address: 'ул. Мира, 3' })).toBe(
      'Олег, здравствуйте!\n\nЯма по адресу ул. Мира, 3, в работе.',
    );
    expect(render(set.byId.get('good')!, { address: 'ул. Мира, 3' })).toBe('Яма по адресу ул. Мира, 3, в работе.');
  });

  it('does not HTML-escape values', () => {
    file('good', GOOD_FM, GOOD_BODY);
    const t = loadTemplates(dir).byId.get('good')!;
    expect(render(t, { address: 'ул. Мира & «Победы» <3>' })).toContain('ул. Мира & «Победы» <3>');
  });

  const bad: [string, string, string, RegExp][] = [
    ['unknown stage', 'topics: [roads]\nstage: thanks\nvariables: [citizenName, address]', GOOD_BODY, /stage/],
    ['missing stage', 'topics: [roads]\nvariables: [citizenName, address]', GOOD_BODY, /stage/],
    ['unknown topic', 'topics: [potholes]\nstage: ack\nvariables: [citizenName, address]', GOOD_BODY, /topics/],
    ['any mixed with topics', 'topics: [any, roads]\nstage: ack\nvariables: [citizenName, address]', GOOD_BODY, /topics/],
    ['unknown front-matter key', `${GOOD_FM}\nlang: ru`, GOOD_BODY, /lang/],
    ['unknown declared variable', 'topics: [roads]\nstage: ack\nvariables: [citizenName, address, street]', GOOD_BODY, /street/],
    ['undeclared variable', 'topics: [roads]\nstage: ack\nvariables: [citizenName]', GOOD_BODY, /"address" is used but not declared/],
    ['declared but unused', 'topics: [roads]\nstage: ack\nvariables: [citizenName, address, deadline]', GOOD_BODY, /"deadline" is declared but not used/],
    ['variable outside the fixed set', GOOD_FM, `${GOOD_BODY} {{phone}}`, /unknown variable "phone"/],
    ['syntax error', GOOD_FM, '{{#if citizenName}}{{citizenName}}, добрый день! Яма по адресу {{address}}.', /syntax error/],
    ['unclosed mustache', GOOD_FM, `${GOOD_BODY} {{address`, /syntax error/],
    ['citizenName outside #if', GOOD_FM, '{{citizenName}}, здравствуйте! Яма по адресу {{address}}.', /citizenName.*#if/],
    ['other helpers', GOOD_FM, `${GOOD_BODY} {{#each address}}x{{/each}}`, /only \{\{#if/],
    ['#if on a required variable', GOOD_FM, `${GOOD_BODY} {{#if address}}!{{/if}}`, /only optional variables/],
    ['partials', GOOD_FM, `${GOOD_BODY} {{> footer}}`, /PartialStatement/],
    ['empty body', GOOD_FM, '   ', /empty body/],
    ['bad YAML', 'topics: [roads\nstage: ack', GOOD_BODY, /YAML/],
  ];
  it.each(bad)('rejects a file with %s, naming the file', (_what, fm, body, why) => {
    file('good', GOOD_FM, GOOD_BODY);
    file('zz-bad', fm, body);
    const err = (() => {
      try {
        loadTemplates(dir);
      } catch (e) {
        return e as Error;
      }
      throw new Error('loadTemplates accepted a bad file');
    })();
    expect(err.message).toContain(path.join(dir, 'zz-bad.md'));
    expect(err.message).toMatch(why);
  });

  it('rejects a file without front matter, and an id that is not the file name', () => {
    write('plain.md', 'Здравствуйте!');
    expect(() => loadTemplates(dir)).toThrow(/plain\.md.*front matter/);
    rmSync(path.join(dir, 'plain.md'));
    write('renamed.md', `---\nid: other\n${GOOD_FM}\n---\n${GOOD_BODY}\n`);
    expect(() => loadTemplates(dir)).toThrow(/renamed\.md.*"other"/);
  });

  it('rejects an empty directory', () => {
    expect(() => loadTemplates(dir)).toThrow(/no reply templates/);
  });
});

describe('tidyText', () => {
  it('collapses spaces, drops spaces before punctuation, keeps paragraphs, capitalises', () => {
    expect(tidyText('  ваше обращение  принято ,\n номер —  7 .\n\n\n\n Спасибо!  ')).toBe(
      'Ваше обращение принято, номер — 7.\n\nСпасибо!',
    );
    expect(tidyText('адрес ( ул. Мира ) , « МУП »')).toBe('Адрес (ул. Мира), «МУП»');
  });
});
