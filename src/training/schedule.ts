/**
 * The nightly training of the region's model at TRAIN_TIME (region's local time; `off` disables it), with
 * node-cron, in the pipeline role: the process whose analysis uses the model reloads it right after. With several
 * pipeline processes each trains on the same corrections into the same folder (written whole, then renamed), and
 * each reloads its own analysis.
 */
import cron, { type ScheduledTask } from 'node-cron';
import { errorFields } from '../errors';
import type { StageDeps } from '../pipeline/stage';
import { modelDirOf } from '../config';
import { trainRegionModel } from './train';

/** The cron expression (minute hour * * *) of a HH:MM time, or null for 'off'. */
export function trainCron(time: string): string | null {
  if (time === 'off') return null;
  const [hh, mm] = time.split(':').map(Number);
  return `${mm} ${hh} * * *`;
}

/** Schedules the nightly training; `stop()` cancels it. Nothing is scheduled without a model folder or with 'off'. */
export function startTrainingSchedule(deps: Pick<StageDeps, 'cfg' | 'db' | 'log' | 'analysis' | 'analyzer'>): { stop(): Promise<void> } {
  const expr = trainCron(deps.cfg.TRAIN_TIME);
  if (!expr || !modelDirOf(deps.cfg)) return { stop: async () => undefined };
  const logger = {
    info: (m: string) => deps.log.debug('training.cron', { note: m }),
    warn: (m: string) => deps.log.warn('training.cron', { note: m }),
    error: (m: string | Error, err?: Error) => deps.log.error('training.cron', errorFields(err ?? m)),
    debug: () => undefined,
  };
  const task: ScheduledTask = cron.schedule(
    expr,
    async () => {
      try {
        await trainRegionModel(deps);
      } catch (err) {
        deps.log.error('training.failed', errorFields(err));
      }
    },
    { timezone: deps.analyzer.region.timezone, name: 'train-region-model', noOverlap: true, logger },
  );
  deps.log.info('training.scheduled', { cron: expr, timezone: deps.analyzer.region.timezone });
  return { stop: async () => void (await task.destroy()) };
}
