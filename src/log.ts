/** winston root logger: JSON lines, stable event names in `message`, ids in fields, never texts or names. */
import winston from 'winston';
import type { Config } from './config';

export type Logger = winston.Logger;

/** The one root logger of a process; pass it down and use `.child({...ids})`. */
export function createRootLogger(cfg: Pick<Config, 'LOG_LEVEL' | 'NODE_ENV'>, role: string): Logger {
  const logger = winston.createLogger({
    level: cfg.LOG_LEVEL,
    format: winston.format.combine(winston.format.timestamp(), winston.format.json()),
    defaultMeta: { service: 'otklik', role },
    transports: [new winston.transports.Console({ silent: cfg.NODE_ENV === 'test', stderrLevels: [] })],
  });
  // winston formats every entry before its transports drop those below their level: drop them first (a busy
  // pipeline writes several info and debug entries per message; at LOG_LEVEL=warn that was 3% of its CPU).
  const write = logger.write.bind(logger);
  logger.write = ((info: winston.LogEntry, ...rest: never[]) => (logger.isLevelEnabled(info.level) ? write(info, ...rest) : true)) as typeof logger.write;
  return logger;
}
