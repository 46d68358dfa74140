/** Prometheus metrics of one process (a registry per app, so tests can run several apps). */
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    stageDuration: new Histogram({
      name: 'otklik_stage_duration_seconds',
      help: 'Time a pipeline stage spends on one job',
      labelNames: ['stage', 'result'],
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30],
      registers: [registry],
    }),
    ingested: new Counter({
      name: 'otklik_messages_ingested_total',
      help: 'Messages stored by intake, by platform and whether they were new',
      labelNames: ['platform', 'created'],
      registers: [registry],
    }),
  };
}
export type Metrics = ReturnType<typeof createMetrics>;
