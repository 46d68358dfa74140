/**
 * `classify`: kind, topic, municipality and priority of a new incident, from its analysis. One the analysis is
 * unsure of (or that names no known place) is not routed blindly: it waits on the duty officer's triage list
 * ('needs_review') until a person confirms or corrects it (src/triage/actions.ts); its clock runs meanwhile.
 */
import type { Analysis } from '../../../classifiers';
import { isIncidentKind, kindOf, type IncidentKind } from '../../domain/kinds';
import { RESONANT_AUTHORS, type Priority, type TopicCode } from '../../domain/types';
import { PermanentError } from '../../errors';
import { reference } from '../reference';
import { defineStage, type StageDeps } from '../stage';

export interface Classification {
  kind: IncidentKind;
  topic: TopicCode | null;
  subtopic: string | null;
  municipalityId: string | null;
  priority: Priority;
  /** Why a person must look first, or null when it is routed at once. */
  review: 'low-confidence' | 'no-municipality' | null;
}

/**
 * Pure: a mass complaint (several authors) is high priority whatever its words. Unsure means the analysis says so
 * (`confident` false: its confidence is below the threshold, TRIAGE_MIN_CONFIDENCE when the region sets one); an
 * analysis stored before confidence existed counts as sure, as it was then.
 */
export function decideClassification(analysis: Analysis, authorsCount: number, known: Set<string>): Classification {
  const kind = kindOf(analysis);
  // A municipality the database does not know (another region's pack) is no municipality.
  const municipalityId = analysis.municipality && known.has(analysis.municipality) ? analysis.municipality : null;
  const unsure = analysis.confident === false;
  return {
    kind: isIncidentKind(kind) ? kind : 'complaint',
    topic: analysis.topic ?? 'other',
    subtopic: analysis.subtopic,
    municipalityId,
    priority: analysis.priority === 'high' || authorsCount >= RESONANT_AUTHORS ? 'high' : 'normal',
    review: !municipalityId ? 'no-municipality' : unsure ? 'low-confidence' : null,
  };
}

export const classify = defineStage('classify', async ({ incidentId }, { db, queues, analyzer, log, now }) => {
  const incident = await db.incidents.get(incidentId);
  if (!incident) throw new PermanentError(`incident ${incidentId} not found`);
  if (incident.status !== 'new') {
    // Run again after it moved on: see detect.
    if (incident.status === 'classified' || incident.status === 'assigned') await queues.handOff('assign', { incidentId });
    if (incident.status === 'needs_review') await notifyDutyOfficers(db, queues, incidentId);
    return 'skipped';
  }
  if (!incident.analysis) throw new PermanentError(`incident ${incidentId} has no analysis`);
  // The region pack's municipalities are the ones stored at start (seedRegion).
  const known = new Set(analyzer.region.municipalities.map((m) => m.id));
  const c = decideClassification(incident.analysis, incident.authorsCount, known);
  const at = now();
  const status = c.review ? 'needs_review' : 'classified';
  const saved = await db.incidents.saveClassification(incidentId, { ...c, status }, at, {
    kind: c.kind,
    topic: c.topic,
    subtopic: c.subtopic,
    municipality: c.municipalityId,
    priority: c.priority,
    version: incident.analysis.version,
    ...(typeof incident.analysis.confidence === 'number' ? { confidence: incident.analysis.confidence } : {}),
    ...(c.review ? { review: c.review } : {}),
  });
  if (!saved) return 'skipped';
  log.info(c.review ? 'incident.needs-review' : 'incident.classified', { kind: c.kind, topic: c.topic, municipality: c.municipalityId, priority: c.priority, review: c.review });
  if (!c.review) {
    await queues.handOff('assign', { incidentId });
    return 'done';
  }
  await notifyDutyOfficers(db, queues, incidentId);
  return 'done';
});

/** On the duty officers' list: each present one gets the triage message with its buttons in the bot (once each). */
export async function notifyDutyOfficers(db: StageDeps['db'], queues: StageDeps['queues'], incidentId: string): Promise<void> {
  const { officials } = await reference(db);
  for (const o of officials) if (o.duty && !o.away) await queues.enqueue('notify', { incidentId, officialId: o.id, kind: 'triage' });
}
