import type { Analysis } from '../../../classifiers';
import { decideClassification } from '../../../src/pipeline/stages/classify';
import { kindOf } from '../../../src/domain/kinds';
import { detectedStatus } from '../../../src/db/messages';

const known = new Set(['abakan', 'chernogorsk']);
const base = {
  version: 'v',
  complaint: true,
  complaintScore: 0.9,
  complaintReasons: [],
  topic: 'housing',
  topicScore: 0.9,
  topicReasons: [],
  subtopic: null,
  municipality: 'abakan',
  municipalityReason: null,
  settlement: null,
  priority: 'normal',
  priorityReasons: [],
} as unknown as Analysis;

describe('decideClassification: routed, or to the duty officer\'s triage', () => {
  it('routes a sure appeal at once, with its kind', () => {
    expect(decideClassification({ ...base, kind: 'question', confident: true, confidence: 0.9 } as Analysis, 1, known)).toMatchObject({ kind: 'question', review: null, municipalityId: 'abakan' });
  });
  it('sends an unsure one, or one with no known place, to triage', () => {
    expect(decideClassification({ ...base, kind: 'complaint', confident: false, confidence: 0.4 } as Analysis, 1, known).review).toBe('low-confidence');
    expect(decideClassification({ ...base, kind: 'complaint', confident: true, municipality: null } as unknown as Analysis, 1, known).review).toBe('no-municipality');
    expect(decideClassification({ ...base, kind: 'complaint', confident: true, municipality: 'kursk' } as Analysis, 1, known)).toMatchObject({ review: 'no-municipality', municipalityId: null });
  });
  it('reads an analysis stored before kinds and confidence as a sure complaint', () => {
    const old = { ...base } as Partial<Analysis>;
    delete old.kind;
    delete old.confident;
    expect(decideClassification(old as Analysis, 1, known)).toMatchObject({ kind: 'complaint', review: null });
    expect(kindOf({ complaint: true })).toBe('complaint');
    expect(kindOf({ complaint: false })).toBe('none');
    expect(detectedStatus({ ...base, complaint: false } as Analysis)).toBe('not_complaint');
  });
  it('gives each kind its message status: appeals go on, thanks are thanks', () => {
    for (const k of ['complaint', 'question', 'proposal'] as const) expect(detectedStatus({ ...base, kind: k } as Analysis)).toBe('complaint');
    expect(detectedStatus({ ...base, kind: 'gratitude', complaint: false } as Analysis)).toBe('gratitude');
    expect(detectedStatus({ ...base, kind: 'none', complaint: false } as Analysis)).toBe('not_complaint');
  });
  it('makes a mass complaint high priority whatever its words', () => {
    expect(decideClassification({ ...base, kind: 'complaint', confident: true } as Analysis, 3, known).priority).toBe('high');
  });
});
