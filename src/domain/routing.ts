/** Routing: which official gets an incident. Pure; the assign stage loads the inputs. */
import type { Official, RoutingRule } from '../db/officials';

export type RoutingDecision =
  | { kind: 'assigned'; officialId: string; reason: 'rule' | 'municipality-head' | 'duty-officer' }
  | { kind: 'unroutable' };

/**
 * Rules first (exact municipality × topic, then municipality × any topic, then any municipality × topic),
 * then the municipality's head (its supervisor), then the region's duty officer. Officials marked away are
 * skipped; among several, the one with the fewest open incidents wins, ties broken by rotating on the
 * incident number so that equal officials take turns.
 */
export function decideRouting(
  incident: { id: string; topic: string | null; municipalityId: string | null },
  rules: RoutingRule[],
  officials: Official[],
  openLoad: Record<string, number>,
): RoutingDecision {
  const byId = new Map(officials.map((o) => [o.id, o]));
  const available = (ids: string[]) =>
    ids.map((id) => byId.get(id)).filter((o): o is Official => !!o && !o.away);
  const pick = (pool: Official[]): Official | null => {
    if (pool.length === 0) return null;
    const min = Math.min(...pool.map((o) => openLoad[o.id] ?? 0));
    const least = pool.filter((o) => (openLoad[o.id] ?? 0) === min).sort((a, b) => a.id.localeCompare(b.id));
    const n = Number.parseInt(incident.id, 10);
    return least[(Number.isFinite(n) ? n : 0) % least.length];
  };
  const mun = incident.municipalityId;
  const topic = incident.topic;
  const tiers: [string, string][] = [];
  if (mun && topic) tiers.push([mun, topic]);
  if (mun) tiers.push([mun, '*']);
  if (topic) tiers.push(['*', topic]);
  for (const [m, t] of tiers) {
    const chosen = pick(available(rules.filter((r) => r.municipalityId === m && r.topic === t).map((r) => r.officialId)));
    if (chosen) return { kind: 'assigned', officialId: chosen.id, reason: 'rule' };
  }
  if (mun) {
    const head = pick(officials.filter((o) => !o.away && o.role === 'supervisor' && o.municipalityId === mun));
    if (head) return { kind: 'assigned', officialId: head.id, reason: 'municipality-head' };
  }
  const duty = pick(officials.filter((o) => !o.away && (o.duty || (o.role === 'governor_office' && !o.municipalityId))));
  if (duty) return { kind: 'assigned', officialId: duty.id, reason: 'duty-officer' };
  return { kind: 'unroutable' };
}
