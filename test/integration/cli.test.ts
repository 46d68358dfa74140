import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freshPgDatabase } from '../helpers/env';

const ROOT = path.resolve(__dirname, '../..');
const otklik = (args: string[], opts: { env?: Record<string, string>; input?: string } = {}) =>
  spawnSync(process.execPath, [path.join(ROOT, 'bin/otklik.js'), ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'error', ...opts.env },
    input: opts.input,
    encoding: 'utf8',
    timeout: 60_000,
  });

describe('the otklik CLI', () => {
  it('lists its commands and explains each with --help', () => {
    const help = otklik(['--help']);
    expect(help.status).toBe(0);
    for (const c of ['start', 'worker', 'migrate', 'import', 'classify', 'train', 'eval']) expect(help.stdout).toMatch(new RegExp(`\\n  ${c}\\b`));
    expect(otklik(['worker', '--help']).stdout).toContain('--stages');
    const bad = otklik(['worker', '--stages', 'detect,nonsense']);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toContain('nonsense');
  });

  it('stops with a message naming a bad variable', () => {
    const r = otklik(['migrate'], { env: { SLA_TARGET_MINUTES: 'four hours', DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'otk-')) } });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/SLA_TARGET_MINUTES/);
  });

  it('classifies JSON lines, one answer per line, an error line for bad input', () => {
    const r = otklik(['classify'], {
      input: '{"id":"a","text":"Третий день нет горячей воды в Черногорске"}\n{"id":"b","text":"Спасибо, всё починили!"}\nnot json\n',
    });
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatchObject({ id: 'a', complaint: true, topic: 'housing', municipality: 'chernogorsk' });
    expect(lines[1]).toMatchObject({ id: 'b', complaint: false });
    expect(lines[2].error).toBeTruthy();
    expect(lines[0].kind).toBe('complaint');
  });

  it('classify (which runs without the rest of the application) stops on a bad variable and explains itself', () => {
    const bad = otklik(['classify'], { env: { TRIAGE_MIN_CONFIDENCE: 'high' }, input: '{"id":"a","text":"яма"}\n' });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/TRIAGE_MIN_CONFIDENCE/);
    expect(otklik(['classify', '--help']).stdout).toContain('--region');
  });

  it('imports a YAML file idempotently into PostgreSQL, and names the line of a malformed one', async () => {
    const fresh = await freshPgDatabase();
    try {
      const env = { DATABASE_URL: fresh.url };
      const first = otklik(['import', path.join(ROOT, 'src/demo/officials.yaml')], { env });
      expect(first.status).toBe(0);
      expect(first.stdout).toMatch(/officials: \d+ \(changed [1-9]\d*\)/);
      const second = otklik(['import', path.join(ROOT, 'src/demo/officials.yaml')], { env });
      expect(second.stdout).toMatch(/officials: \d+ \(changed 0\); routing rules: \d+ \(\+0 −0\)/);
      const bad = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'otk-')), 'bad.yaml');
      fs.writeFileSync(bad, 'officials:\n  - id: a\n    name: [unclosed\n');
      const r = otklik(['import', bad], { env });
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/bad\.yaml:\d+:/);
    } finally {
      await fresh.drop();
    }
  });
});
