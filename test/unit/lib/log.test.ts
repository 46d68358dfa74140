import { PassThrough } from 'node:stream';
import winston from 'winston';
import { createRootLogger } from '../../../src/log';

describe('the root logger', () => {
  it('writes entries at or above LOG_LEVEL, with the child context, and nothing below it', async () => {
    const log = createRootLogger({ LOG_LEVEL: 'warn', NODE_ENV: 'test' }, 'pipeline');
    const out = new PassThrough();
    const lines: string[] = [];
    out.on('data', (b: Buffer) => lines.push(...b.toString().trim().split('\n')));
    log.add(new winston.transports.Stream({ stream: out }));
    const child = log.child({ stage: 'detect', jobId: 'detect-7' });
    child.info('message.detected', { complaint: true });
    child.debug('stage.done');
    log.info('worker.started');
    child.warn('stage.handoff-failed', { errName: 'TransientError' });
    log.error('redis.error');
    await new Promise((r) => setImmediate(r));
    const entries = lines.map((l) => JSON.parse(l));
    expect(entries.map((e) => [e.level, e.message])).toEqual([['warn', 'stage.handoff-failed'], ['error', 'redis.error']]);
    expect(entries[0]).toMatchObject({ stage: 'detect', jobId: 'detect-7', errName: 'TransientError', service: 'otklik', role: 'pipeline' });
    expect(typeof entries[1].timestamp).toBe('string');
  });
});
