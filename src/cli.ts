/** `npx otklik <command>`: the CLI and the Docker entrypoint. */
import path from 'node:path';
import { Presets, SingleBar } from 'cli-progress';
import { Command, InvalidArgumentError } from 'commander';
import { runPipelineBench } from './bench/pipeline';
import { createAnalyzer } from '../classifiers';
import { seedRegion, startApp } from './app';
import { loadConfig, modelDirOf, ROLES, type Role } from './config';
import { openDb } from './db';
import { migrate } from './db/migrate';
import { InputError } from './errors';
import { importFile } from './import';
import { setPassword } from './web/auth';
import { createRootLogger } from './log';
import { addClassifyCommand, runCli } from './cli-analysis';
import { runEval, runTrain } from '../classifiers/cli';
import { loadTrainingCorrections } from './training/train';
import { QUEUE_NAMES, type QueueName } from './pipeline/queues';

const out = (s: string) => process.stdout.write(`${s}\n`);

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write('Пароль (строка, затем Enter): ');
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) {
    chunks.push(c as Buffer);
    if (process.stdin.isTTY && String(c).includes('\n')) break;
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Runs until SIGTERM/SIGINT, then stops gracefully (intake first, then workers, queues, database). */
async function runUntilSignal(roles: Role[], stages?: QueueName[]): Promise<void> {
  const cfg = loadConfig(process.env, { roles });
  const log = createRootLogger(cfg, roles.join('+'));
  const app = await startApp(cfg, { stages, logger: log });
  if (app.url) out(`otklik: ${roles.join(', ')} — ${app.url}  (инциденты: ${app.url}/api/incidents)`);
  if (app.url && app.demoLogin) out(`otklik: демо-вход в панель ${app.url}/ — логин ${app.demoLogin.login}, пароль ${app.demoLogin.password}`);
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      log.info('app.signal', { signal });
      void app.stop().then(resolve);
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
}

const parseStages = (v: string): QueueName[] => {
  const names = v.split(',').map((s) => s.trim()).filter(Boolean);
  const bad = names.filter((n) => !(QUEUE_NAMES as readonly string[]).includes(n));
  if (bad.length > 0 || names.length === 0) throw new InvalidArgumentError(`unknown stage(s): ${bad.join(', ')}; known: ${QUEUE_NAMES.join(', ')}`);
  return names as QueueName[];
};

/** Builds the command tree (exported for tests of --help). */
export function buildCli(): Command {
  const program = new Command('otklik')
    .description('otklik — incident management for citizens\' posts in VK, Telegram and public comments')
    .showHelpAfterError();

  program
    .command('start')
    .description('run everything in one process: API, pipeline, polling, bot, demo feed when no tokens are set')
    .action(() => runUntilSignal([...ROLES]));
  program
    .command('worker')
    .description('run pipeline stages only (scale out: more workers against one PostgreSQL and one Redis)')
    .option('--stages <list>', `comma-separated: ${QUEUE_NAMES.join(',')}`, parseStages)
    .action((o: { stages?: QueueName[] }) => runUntilSignal(['pipeline'], o.stages));
  program.command('api').description('run the HTTP server only').action(() => runUntilSignal(['api']));
  program.command('connectors').description('run source polling and streams only').action(() => runUntilSignal(['ingest', 'connectors']));
  program.command('bot').description('run the officials\' Telegram bot only').action(() => runUntilSignal(['bot']));

  program
    .command('migrate')
    .description('apply database migrations and exit')
    .action(async () => {
      const cfg = loadConfig(process.env, { roles: [] });
      const db = await openDb({ url: cfg.DATABASE_URL, dataDir: cfg.DATA_DIR, migrate: false });
      try {
        const applied = await migrate(db.sql);
        out(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
      } finally {
        await db.close();
      }
    });

  program
    .command('import')
    .description('load officials, routing rules and sources from a YAML file (idempotent, all-or-nothing)')
    .argument('<file>', 'YAML file')
    .action(async (file: string) => {
      const cfg = loadConfig(process.env, { roles: [] });
      const region = createAnalyzer(cfg.REGION).region;
      const db = await openDb({ url: cfg.DATABASE_URL, dataDir: cfg.DATA_DIR });
      try {
        await seedRegion(db, region);
        const r = await importFile(db, file);
        out(`officials: ${r.officials.total} (changed ${r.officials.changed}); routing rules: ${r.rules.total} (+${r.rules.added} −${r.rules.removed}); sources: ${r.sources.total} (changed ${r.sources.changed})`);
      } finally {
        await db.close();
      }
    });

  program
    .command('sources')
    .description('list watched sources')
    .action(async () => {
      const cfg = loadConfig(process.env, { roles: [] });
      const db = await openDb({ url: cfg.DATABASE_URL, dataDir: cfg.DATA_DIR });
      try {
        for (const s of await db.sources.all()) {
          out([s.id, s.platform, s.kind, s.externalId, s.municipalityId ?? '-', s.enabled ? 'on' : 'off', s.name ?? ''].join('\t'));
        }
      } finally {
        await db.close();
      }
    });

  program
    .command('users')
    .description('dashboard accounts')
    .command('set-password')
    .description('set an official\'s dashboard password, read from stdin (first line); ends their sessions')
    .argument('<officialId>', 'id of the official (also the login unless --login is given)')
    .option('--login <login>', 'sign-in name')
    .action(async (officialId: string, o: { login?: string }) => {
      const cfg = loadConfig(process.env, { roles: [] });
      const password = (await readStdin()).split(/\r?\n/)[0];
      if (password.length < 8) throw new InputError('пароль должен быть не короче 8 символов (передайте его на stdin)');
      const db = await openDb({ url: cfg.DATABASE_URL, dataDir: cfg.DATA_DIR });
      try {
        if (!(await setPassword(db, officialId, password, new Date(), { login: o.login }))) throw new InputError(`нет должностного лица ${officialId} (загрузите его через import)`);
        out(`пароль установлен: ${officialId} (логин ${o.login ?? officialId})`);
      } finally {
        await db.close();
      }
    });

  addClassifyCommand(program);
  program
    .command('train')
    .description("learn the region's model (DATA_DIR/models) from its officials' corrections and, optionally, a CSV export of its history")
    .option('--from <file>', 'CSV export to learn topics from')
    .option('--text-column <name>', 'CSV column with the text')
    .option('--topic-column <name>', 'CSV column with the topic code')
    .option('--map <file>', "YAML mapping the export's own categories to topic codes")
    .option('--out <dir>', 'where to write the region model (default: DATA_DIR/models)')
    .option('--no-corrections', 'leave out the corrections stored in the database')
    .option('--shipped', 'rebuild the shipped models (classifiers/data/models) from the team corpus alone')
    .action(async (o: { from?: string; textColumn?: string; topicColumn?: string; map?: string; out?: string; corrections: boolean; shipped?: boolean }) => {
      const cfg = loadConfig(process.env, { roles: [] });
      const progress = process.stderr.isTTY;
      if (o.shipped) {
        const r = await runTrain({ shipped: true, progress });
        out(`trained on ${r.examples} examples → ${r.out}`);
        return;
      }
      const modelDir = o.out ? path.resolve(o.out) : modelDirOf(cfg);
      if (!modelDir) throw new InputError('DATA_DIR is in memory: give the model folder with --out');
      // The officials' corrections (triage, the incident page) are labelled examples of the region's own texts.
      const examples = o.corrections ? await loadTrainingCorrections(cfg) : [];
      const r = await runTrain({ from: o.from, textColumn: o.textColumn, topicColumn: o.topicColumn, map: o.map, examples, modelDir, progress });
      out(`trained on ${r.examples} examples and ${r.corrections} corrections → ${r.out}`);
    });

  program
    .command('eval')
    .description('precision, recall, F1 and confusion matrices: the held-out split and the check sets, or --data FILE')
    .option('--region <code>', 'region pack')
    .option('--data <file>', 'another labelled file to evaluate on (JSONL with kind, platform, source; or a portal CSV)')
    .action(async (o: { region?: string; data?: string }) => {
      out(await runEval(o));
    });

  addBenchCommand(program);
  return program;
}

/** `otklik bench`: a short end-to-end benchmark against the raw queue, with a progress bar. */
function addBenchCommand(program: Command): void {
  program
    .command('bench')
    .description('short benchmark: raw BullMQ chain vs the pipeline (throughput, latency to the card, memory)')
    .option('--messages <n>', 'messages at saturation', '1000')
    .option('--rate <n>', 'messages per second in the latency phase', '100')
    .option('--seconds <n>', 'length of the latency phase', '5')
    .action(async (o: { messages: string; rate: string; seconds: string }) => {
      const cfg = loadConfig(process.env, { roles: [] });
      const bar = new SingleBar({ format: '{phase} [{bar}] {value}/{total}', hideCursor: true }, Presets.shades_classic);
      let phase = '';
      await runPipelineBench({
        redisUrl: cfg.REDIS_URL,
        // A scratch database is created on the server of DATABASE_URL (needs CREATEDB); without it, PGlite.
        adminDatabaseUrl: cfg.DATABASE_URL ?? null,
        messages: Number(o.messages),
        rate: Number(o.rate),
        seconds: Number(o.seconds),
        concurrency: cfg.STAGE_CONCURRENCY,
        dbConcurrency: cfg.DB_STAGE_CONCURRENCY,
        out: (line) => {
          if (phase) bar.stop();
          phase = '';
          out(line);
        },
        progress: (p, done, total) => {
          if (!process.stderr.isTTY) return;
          if (p !== phase) {
            if (phase) bar.stop();
            phase = p;
            bar.start(total, done, { phase: p });
          } else bar.update(done);
        },
      });
      if (phase) bar.stop();
    });
}

/** Entry point of bin/otklik.js. */
export async function main(argv: string[]): Promise<void> {
  await runCli(buildCli(), argv);
}
