/** Pure parts of issue 15's web actions: whom an incident may be handed to, the claim rule, the drawn section and queue. */
import type { Official } from '../../../src/db/officials';
import { mayClaim, reassignCandidates } from '../../../src/domain/incident-actions';
import { pressQueueMain, queueHref, type QueueOptions } from '../../../src/web/press-views';
import { staffActionsSection } from '../../../src/web/staff-actions';

const official = (id: string, over: Partial<Official> = {}): Official => ({
  id, name: id, position: null, telegramId: null, role: 'official', municipalityId: 'abakan', topics: null, supervisorId: null, duty: false, away: false, ...over,
});

describe('reassign candidates and claims', () => {
  it('offers everyone who can own incidents but the owner, the absent and the press service; municipalities first', () => {
    const all = [
      official('duty', { role: 'governor_office', municipalityId: null, name: 'Иванов' }),
      official('press', { role: 'press', municipalityId: null }),
      official('b-roads', { municipalityId: 'chernogorsk', name: 'Борисов' }),
      official('a-housing', { name: 'Кузнецова' }),
      official('a-roads', { name: 'Морозов' }),
      official('a-away', { away: true }),
    ];
    expect(reassignCandidates(all, 'a-housing').map((o) => o.id)).toEqual(['a-roads', 'b-roads', 'duty']);
  });

  it('lets an officer take a free incident or renew their own claim, not another\'s', () => {
    expect(mayClaim(null, 'press')).toBe(true);
    expect(mayClaim({ officialId: 'press' }, 'press')).toBe(true);
    expect(mayClaim({ officialId: 'duty' }, 'press')).toBe(false);
  });
});

describe('drawing', () => {
  it('groups the officials of the reassign select by municipality and escapes notes', () => {
    const out = staffActionsSection({
      incident: { id: '7', status: 'assigned' },
      csrf: 'tok',
      mayReassign: true,
      mayReopen: false,
      candidates: [official('a-roads', { name: 'Морозов М. А.', position: 'дороги' }), official('duty', { role: 'governor_office', municipalityId: null, name: 'Иванов А. В.' })],
      municipalities: new Map([['abakan', 'город Абакан']]),
      notes: [{ id: '1', incidentId: '7', officialId: 'a-roads', officialName: 'Морозов М. А.', text: '<script>x</script>', createdAt: new Date('2026-12-01T10:00:00Z') }],
      tz: 'Asia/Krasnoyarsk',
      notice: null,
      error: null,
    }).__html;
    expect(out).toContain('<optgroup label="город Абакан"><option value="a-roads">Морозов М. А. — дороги</option></optgroup>');
    expect(out).toContain('<optgroup label="Региональный уровень"><option value="duty">Иванов А. В.</option></optgroup>');
    expect(out).toContain('&lt;script&gt;x&lt;/script&gt;');
    expect(out).toContain('href="/press/incidents/7">Ответить</a>');
    expect(out).not.toContain('/reopen"');
  });

  it('keeps the queue\'s filters in its address and shows who took an incident', () => {
    const filters = { municipality: 'abakan', topic: 'roads', stage: 'awaiting' as const };
    expect(queueHref(filters, { part: 'main' })).toBe('/press?municipality=abakan&topic=roads&stage=awaiting&part=main');
    expect(queueHref({ municipality: '', topic: '', stage: '' })).toBe('/press');
    const item = { incidentId: '9', status: 'assigned', priority: 'normal', topic: 'roads', municipalityId: 'abakan', municipalityName: 'город Абакан', officialName: 'Морозов М. А.', openedAt: new Date(), responseDueAt: null, escalated: false, platform: 'vk', excerpt: 'Яма' };
    const o: QueueOptions = { csrf: 't', mayApprove: true, tz: 'Asia/Krasnoyarsk', now: new Date(), notice: null, error: null, viewerId: 'press', filters,
      claims: new Map([['9', { incidentId: '9', officialId: 'duty', officialName: 'Иванов А. В.', claimedAt: new Date(), expiresAt: new Date() }]]) };
    const out = pressQueueMain({ replies: [], awaiting: [item] }, o).__html;
    expect(out).toContain('взял(а) Иванов А. В.');
    expect(out).not.toContain('/press/incidents/9/claim"');
    expect(pressQueueMain({ replies: [], awaiting: [item] }, { ...o, claims: new Map() }).__html).toContain('action="/press/incidents/9/claim"');
  });
});
