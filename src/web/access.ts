/** Who sees what: the scope of a signed-in official, applied to every filter. Pure. */
import type { Account } from '../db/users';

/**
 * all — governor's office, administrators, the duty officer (and the press service, read-only);
 * municipality — a municipality's officials and supervisors; own — an official of no municipality sees
 * the incidents assigned to them.
 */
export type Scope = { kind: 'all' } | { kind: 'municipality'; municipalityId: string } | { kind: 'own'; officialId: string };

export interface Viewer extends Account {
  scope: Scope;
  /** The press service sees everything but changes nothing. */
  readOnly: boolean;
}

export { ROLE_NAMES_RU } from '../domain/wording';

/** The scope of an account. */
export function scopeOf(a: Account): Scope {
  if (a.role === 'governor_office' || a.role === 'admin' || a.role === 'press' || a.duty) return { kind: 'all' };
  if (a.municipalityId) return { kind: 'municipality', municipalityId: a.municipalityId };
  return { kind: 'own', officialId: a.officialId };
}

export function toViewer(a: Account): Viewer {
  return { ...a, scope: scopeOf(a), readOnly: a.role === 'press' };
}

/**
 * Narrows requested filters to the scope: a filter outside it is 'forbidden'; a missing one is filled
 * in with the scope's own (a municipality's official asking for everything gets their municipality).
 */
export function scopeFilter(
  scope: Scope,
  req: { municipalityId?: string | null; officialId?: string | null },
): { municipalityId: string | null; officialId: string | null } | 'forbidden' {
  const municipalityId = req.municipalityId || null;
  const officialId = req.officialId || null;
  switch (scope.kind) {
    case 'all':
      return { municipalityId, officialId };
    case 'municipality':
      if (municipalityId && municipalityId !== scope.municipalityId) return 'forbidden';
      return { municipalityId: scope.municipalityId, officialId };
    case 'own':
      if (officialId && officialId !== scope.officialId) return 'forbidden';
      return { municipalityId, officialId: scope.officialId };
  }
}

/** Whether an incident lies in the scope. */
export function canSee(scope: Scope, i: { municipalityId: string | null; officialId: string | null }): boolean {
  switch (scope.kind) {
    case 'all':
      return true;
    case 'municipality':
      return i.municipalityId === scope.municipalityId;
    case 'own':
      return i.officialId === scope.officialId;
  }
}

/**
 * Who may tell the system that two authors are one person, or different people (issue 4): the control
 * centre — the governor's office and administrators. A merge changes every incident of both authors and
 * names are personal data, so municipalities' officials and the (read-only) press service may not.
 */
export function mayManageAuthors(a: Pick<Account, 'role'>): boolean {
  return a.role === 'governor_office' || a.role === 'admin';
}
