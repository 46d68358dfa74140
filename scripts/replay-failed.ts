/**
 * Re-adds the jobs in a queue's failed set after the cause is fixed (STYLE §4):
 *   npx tsx scripts/replay-failed.ts <queue|all> [--limit 1000] [--remove] [--dry-run]
 * BullMQ ignores an add while a job with the same id is stored, so each replay gets a suffix: `-rp1`, or
 * `-rpN+1` for a job that was itself replay N. Deterministic, so running the script twice adds nothing the
 * second time. Every stage is guarded by status, so replaying a job whose work was since done is a no-op.
 * The failed originals stay (the record of what failed) unless --remove. Redis and prefix: REDIS_URL,
 * QUEUE_PREFIX (src/config.ts). Prints ids only.
 */
import { loadConfig } from '../src/config';
import { createRedis, isBundle, jobId, Queues, QUEUE_NAMES, type Bundle, type JobData, type QueueName } from '../src/pipeline/queues';

/** The suffix of the next replay of a job: rp1 for an original, rpN+1 for replay N. */
export function nextReplaySuffix(failedJobId: string): string {
  const m = /-rp(\d+)$/.exec(failedJobId);
  return `rp${m ? Number(m[1]) + 1 : 1}`;
}

async function main(argv: string[]): Promise<number> {
  const target = argv[0];
  const flag = (name: string) => argv.includes(`--${name}`);
  const limitAt = argv.indexOf('--limit');
  const limit = limitAt >= 0 ? Number(argv[limitAt + 1]) : 1000;
  const names: QueueName[] = target === 'all' ? [...QUEUE_NAMES] : QUEUE_NAMES.includes(target as QueueName) ? [target as QueueName] : [];
  if (names.length === 0 || !(limit > 0)) {
    process.stderr.write(`usage: replay-failed.ts <${QUEUE_NAMES.join('|')}|all> [--limit N] [--remove] [--dry-run]\n`);
    return 2;
  }
  const cfg = loadConfig();
  const queues = new Queues(createRedis(cfg.REDIS_URL), cfg.QUEUE_PREFIX);
  let added = 0;
  let present = 0;
  try {
    for (const name of names) {
      const queue = queues.queue(name);
      const failed = (await queue.getFailed(0, limit - 1)).filter((j) => j && j.id);
      process.stdout.write(`${name}: ${failed.length} failed job(s)\n`);
      for (const job of failed) {
        const suffix = nextReplaySuffix(job.id as string);
        const reason = (job.failedReason ?? '').slice(0, 200);
        // A failed bundle (its items could not be requeued) is replayed item by item.
        const data = job.data as JobData[typeof name] | Bundle<typeof name>;
        for (const item of isBundle(data) ? data.bundle : [data]) {
          const id = jobId(name, item, suffix);
          if (await queue.getJob(id)) {
            present++;
            process.stdout.write(`  ${job.id} → ${id}: already queued or done, not added (failed: ${reason})\n`);
            continue;
          }
          if (!flag('dry-run')) await queues.enqueue(name, item, { suffix });
          added++;
          process.stdout.write(`  ${job.id} → ${id}: ${flag('dry-run') ? 'would re-add' : 're-added'}${flag('remove') && !flag('dry-run') ? ', original removed' : ''} (failed: ${reason})\n`);
        }
        if (flag('remove') && !flag('dry-run')) await job.remove();
      }
    }
    process.stdout.write(`${flag('dry-run') ? 'would re-add' : 're-added'} ${added}, already present ${present}\n`);
    return 0;
  } finally {
    await queues.close();
    await queues.connection.quit();
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`replay-failed: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
