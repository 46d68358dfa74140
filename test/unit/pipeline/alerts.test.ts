import { AlertBudget, alertText } from '../../../src/pipeline/alerts';
import { nextReplaySuffix } from '../../../scripts/replay-failed';

describe('AlertBudget', () => {
  it('lets `max` through per window, counts the rest and reports them with the next one', () => {
    const b = new AlertBudget(2, 1000);
    expect(b.take(0)).toEqual({ send: true, suppressed: 0, last: false });
    expect(b.take(10)).toEqual({ send: true, suppressed: 0, last: true });
    expect(b.take(20)).toEqual({ send: false, suppressed: 1, last: false });
    expect(b.take(999)).toEqual({ send: false, suppressed: 2, last: false });
    expect(b.take(1000)).toEqual({ send: true, suppressed: 2, last: false });
  });
});

describe('alertText', () => {
  it('escapes, names the job and the replay command, and unwraps UnrecoverableError', () => {
    const t = alertText({ queue: 'notify', jobId: 'notify-1-<x>-card', incidentId: '1', attempts: 1, errName: 'UnrecoverableError', errMessage: 'PermanentError: a & b' }, 3, true, 10);
    expect(t).toContain('<code>notify-1-&lt;x&gt;-card</code>');
    expect(t).toContain('<code>PermanentError: a &amp; b</code>');
    expect(t).toContain('Инцидент №1.');
    expect(t).toContain('scripts/replay-failed.ts notify');
    expect(t).toContain('3 сбоев не показаны');
    expect(t).toContain('10 мин.');
  });
});

describe('nextReplaySuffix', () => {
  it('numbers replays of replays', () => {
    expect(nextReplaySuffix('assign-5')).toBe('rp1');
    expect(nextReplaySuffix('assign-5-rp1')).toBe('rp2');
  });
});
