/** `classify`: topic, municipality and priority of a new incident, from its analysis. */
import type { Analysis } from '../../../classifiers';
import { RESONANT_AUTHORS, type Priority, type TopicCode } from '../../domain/types';
import { PermanentError } from '../../errors';
import { defineStage } from '../stage';

export interface Classification {
  topic: TopicCode | null;
  subtopic: string | null;
  municipalityId: string | null;
  priority: Priority;
}

/** Pure: a mass complaint (several authors) is high priority whatever its words. */
export function decideClassification(analysis: Analysis, authorsCount: number, known: Set<string>): Classification {
  return {
    topic: analysis.topic ?? 'other',
    subtopic: analysis.subtopic,
    // A municipality the database does not know (another region's pack) is no municipality.
    municipalityId: analysis.municipality && known.has(analysis.municipality) ? analysis.municipality : null,
    priority: analysis.priority === 'high' || authorsCount >= RESONANT_AUTHORS ? 'high' : 'normal',
  };
}

export const classify = defineStage('classify', async ({ incidentId }, { db, queues, analyzer, log, now }) => {
  const incident = await db.incidents.get(incidentId);
  if (!incident) throw new PermanentError(`incident ${incidentId} not found`);
  if (incident.status !== 'new') {
    // Run again after it moved on: see detect.
    if (incident.status === 'classified' || incident.status === 'assigned') await queues.handOff('assign', { incidentId });
    return 'skipped';
  }
  if (!incident.analysis) throw new PermanentError(`incident ${incidentId} has no analysis`);
  // The region pack's municipalities are the ones stored at start (seedRegion).
  const known = new Set(analyzer.region.municipalities.map((m) => m.id));
  const c = decideClassification(incident.analysis, incident.authorsCount, known);
  const at = now();
  const saved = await db.incidents.saveClassification(incidentId, c, at, {
    topic: c.topic,
    subtopic: c.subtopic,
    municipality: c.municipalityId,
    priority: c.priority,
    version: incident.analysis.version,
  });
  if (!saved) return 'skipped';
  log.info('incident.classified', { topic: c.topic, municipality: c.municipalityId, priority: c.priority });
  await queues.handOff('assign', { incidentId });
  return 'done';
});
