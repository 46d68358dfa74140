import { CALLBACK_ACTIONS, callbackSecret, signCallback, verifyCallback } from '../../../src/bot/callback';
import { addClockMinutes, decideLongTimer, parseSlaCalendar } from '../../../src/domain/sla';
import { parsePromise, replyStageFor } from '../../../src/domain/incident-actions';
import { escapeHtml } from '../../../src/lib/html';
import { trimText } from '../../../src/bot/texts';

const TZ = 'Asia/Krasnoyarsk';

describe('callback data', () => {
  const secret = callbackSecret(undefined, '123:abc');
  it('fits 64 bytes, round-trips, and rejects forged, truncated and foreign-key data', () => {
    const data = signCallback(secret, { action: 'pickColleague', incidentId: '123456789012', epoch: '987654321098', arg: '7' });
    expect(Buffer.byteLength(data)).toBeLessThanOrEqual(64);
    expect(verifyCallback(secret, data)).toEqual({ action: 'pickColleague', incidentId: '123456789012', epoch: '987654321098', arg: '7' });
    expect(verifyCallback(secret, data.replace('.123456789012.', '.123456789013.'))).toBeNull();
    expect(verifyCallback(secret, data.slice(0, -1))).toBeNull();
    expect(verifyCallback(callbackSecret(undefined, '123:other'), data)).toBeNull();
    expect(verifyCallback(callbackSecret('explicit-secret-of-16+', '123:abc'), data)).toBeNull();
    expect(verifyCallback(secret, 'take:1')).toBeNull();
  });
});

describe('reply actions of issue 15', () => {
  const secret = callbackSecret(undefined, '123:abc');
  it('signs and verifies the new buttons (upper-case codes) within 64 bytes, with the longest args', () => {
    for (const [action, arg] of [['replyStage', 'resolved'], ['resolveConfirm', ''], ['reopen', '1796161953000'], ['pressReturn', '123456789012'], ['pressPublish', '123456789012']] as const) {
      const data = signCallback(secret, { action, incidentId: '123456789012', epoch: action.startsWith('press') ? '0' : '987654321098', arg });
      expect(Buffer.byteLength(data)).toBeLessThanOrEqual(64);
      expect(verifyCallback(secret, data)).toMatchObject({ action, arg });
    }
    // every action has its own code
    expect(new Set(Object.values(CALLBACK_ACTIONS)).size).toBe(Object.keys(CALLBACK_ACTIONS).length);
  });

  it('recommends the next reply stage once the acknowledgement is out', () => {
    expect(replyStageFor('assigned', false)).toBe('ack');
    expect(replyStageFor('answered', false, true)).toBe('promise');
    expect(replyStageFor('in_progress', true)).toBe('promise');
    expect(replyStageFor('resolved', false, true)).toBe('resolved');
  });
});

describe('SLA calendar', () => {
  it('24/7 adds wall time; workdays-9-18 counts only working hours in the region', () => {
    const fri1700 = new Date('2026-11-27T10:00:00Z'); // Friday 17:00 in Abakan
    expect(addClockMinutes(fri1700, 240).toISOString()).toBe('2026-11-27T14:00:00.000Z');
    const cal = parseSlaCalendar('workdays-9-18', TZ);
    // 1 h on Friday, 3 h on Monday from 09:00 → Monday 12:00 local = 05:00Z
    expect(addClockMinutes(fri1700, 240, cal).toISOString()).toBe('2026-11-30T05:00:00.000Z');
    // a post on Sunday night starts counting on Monday 09:00
    expect(addClockMinutes(new Date('2026-11-29T16:00:00Z'), 60, cal).toISOString()).toBe('2026-11-30T03:00:00.000Z');
    // inside one working day
    expect(addClockMinutes(new Date('2026-11-24T03:00:00Z'), 120, cal).toISOString()).toBe('2026-11-24T05:00:00.000Z');
    expect(() => parseSlaCalendar('workdays-18-9', TZ)).toThrow();
  });
  it('promise and resolution timers: closed skips, due escalates, a kept promise skips', () => {
    const i = { status: 'in_progress', officialId: 'x', resolutionDueAt: new Date('2026-11-26T03:00:00Z') };
    const due = new Date('2026-11-25T11:00:00Z');
    expect(decideLongTimer(i, 'promise-due', due, new Date('2026-11-25T10:00:00Z'), { keptAt: null, brokenAt: null })).toEqual({ kind: 'skip', reason: 'not-yet' });
    expect(decideLongTimer(i, 'promise-due', due, new Date('2026-11-25T11:00:00Z'), { keptAt: null, brokenAt: null })).toEqual({ kind: 'escalate' });
    expect(decideLongTimer(i, 'promise-due', due, new Date('2026-11-25T12:00:00Z'), { keptAt: due, brokenAt: null }).kind).toBe('skip');
    expect(decideLongTimer({ ...i, status: 'resolved' }, 'resolution-breach', due, new Date('2026-12-01T00:00:00Z')).kind).toBe('skip');
    expect(decideLongTimer(i, 'resolution-warn', new Date('2026-11-25T03:00:00Z'), new Date('2026-11-25T03:00:00Z'))).toEqual({ kind: 'remind' });
  });
});

describe('promise parsing and texts', () => {
  const now = new Date('2026-11-23T03:00:00Z');
  it('reads ДД.ММ[.ГГГГ] [ЧЧ:ММ] text in the region time zone', () => {
    expect(parsePromise('25.11 заменим трубу', now, TZ)).toEqual({ kind: 'ok', dueAt: new Date('2026-11-25T11:00:00Z'), text: 'заменим трубу' });
    expect(parsePromise('01.02.2027 09:30 отсыплем дорогу', now, TZ)).toMatchObject({ kind: 'ok', dueAt: new Date('2027-02-01T02:30:00Z') });
    expect(parsePromise('20.11 уже было', now, TZ)).toMatchObject({ kind: 'ok', dueAt: new Date('2027-11-20T11:00:00Z') });
    expect(parsePromise('20.11.2026 прошлое', now, TZ)).toEqual({ kind: 'error', reason: 'past' });
    expect(parsePromise('завтра', now, TZ)).toEqual({ kind: 'error', reason: 'format' });
    expect(parsePromise('31.02 нет такой даты', now, TZ)).toEqual({ kind: 'error', reason: 'format' });
  });
  it('escapes HTML and trims on a word', () => {
    expect(escapeHtml('<b>&"')).toBe('&lt;b&gt;&amp;&quot;');
    expect(trimText('один два три четыре', 12)).toBe('один два…');
  });
});
