/**
 * The pipeline against the raw BullMQ limit: npx tsx scripts/bench-pipeline.ts [--messages 3000] [--rate 100]
 * [--seconds 10] [--concurrency 20] [--db-concurrency 300] [--pglite] [--history N --no-raw] [--complaints 0.3] [--handoff-queue] [--workers 2] [--analysis-threads 0] [--no-telegram] (growth: N stored incidents first). Redis and PostgreSQL: BENCH_REDIS_URL / BENCH_DATABASE_URL,
 * by default the test services that ./scripts/test starts.
 */
import { runPipelineBench } from '../src/bench/pipeline';

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
};

runPipelineBench({
  redisUrl: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6390',
  adminDatabaseUrl: process.argv.includes('--pglite') ? null : (process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5439/postgres'),
  messages: arg('messages', 3000),
  rate: arg('rate', 100),
  seconds: arg('seconds', 10),
  concurrency: arg('concurrency', 20),
  dbConcurrency: arg('db-concurrency', 300),
  history: arg('history', 0),
  skipRaw: process.argv.includes('--no-raw'),
  complaintShare: arg('complaints', 1),
  handoff: process.argv.includes('--handoff-queue') ? 'queue' : undefined,
  workers: arg('workers', 1),
  telegram: !process.argv.includes('--no-telegram'),
  analysisThreads: process.argv.includes('--analysis-threads') ? arg('analysis-threads', 1) : undefined,
  out: (line) => process.stdout.write(`${line}\n`),
}).then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`${err?.stack ?? err}\n`);
    process.exit(1);
  },
);
