import fc from 'fast-check';
import { CommentBody, commentToMessage, MAX_COMMENT_CHARS } from '../../src/api/comments';
import { InputError } from '../../src/errors';
import { parseImportFile } from '../../src/import';
import { addressKeys } from '../../src/domain/address';
import { contactHash } from '../../src/domain/author-key';

const anyText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 400 }),
  fc.string({ unit: 'grapheme', maxLength: 400 }),
  fc.constantFrom('', ' ', '\u0000', '\uD800', '<script>alert(1)</script>', "'; DROP TABLE messages; --", '\u202Eevil', '🙂'.repeat(50)),
);

describe('public comment bodies under hostile input', () => {
  it('never throws: any JSON value is either a valid comment or a list of field errors', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), (body) => {
        const r = CommentBody.safeParse(body);
        if (r.success) expect(r.data.text.length).toBeGreaterThanOrEqual(3);
        else expect(r.error.issues.length).toBeGreaterThan(0);
      }),
      { numRuns: 500 },
    );
  });

  it('accepted text is well-formed Unicode without control characters, within the limit, and maps to a stable message', () => {
    fc.assert(
      fc.property(anyText, fc.option(anyText, { nil: undefined }), (text, name) => {
        const r = CommentBody.safeParse({ text, name });
        if (!r.success) return;
        expect(r.data.text.isWellFormed()).toBe(true);
        expect(r.data.text).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/);
        expect(r.data.text.length).toBeLessThanOrEqual(MAX_COMMENT_CHARS);
        const at = new Date('2026-11-23T00:00:00Z');
        const a = commentToMessage(r.data, null, at);
        const b = commentToMessage(r.data, null, new Date());
        expect(a.externalId).toBe(b.externalId); // the same comment twice is one message
        expect(a.externalId).not.toContain(':');
      }),
      { numRuns: 500 },
    );
  });
});

describe('import YAML under hostile input', () => {
  it('either parses or throws an InputError naming a line — never anything else', () => {
    fc.assert(
      fc.property(fc.oneof(anyText, fc.constantFrom('officials: [', 'officials:\n  - id: x\n    name: y\n    role: official\n', '{}', '- a\n- b', 'officials: !!js/function "x"', 'a: &a [*a]', '*!', 'officials: *nowhere')), (text) => {
        try {
          parseImportFile(text, 'f.yaml');
        } catch (err) {
          expect(err).toBeInstanceOf(InputError);
          expect((err as Error).message).toMatch(/f\.yaml:\d+:/);
        }
      }),
      { numRuns: 400 },
    );
  });
});

describe('pure text helpers under hostile input', () => {
  it('address keys and contact hashes never throw and stay bounded', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        expect(addressKeys(text).size).toBeLessThanOrEqual(text.length);
        const h = contactHash(text);
        if (h !== null) expect(h).toMatch(/^[0-9a-f]{64}$/);
      }),
      { numRuns: 500 },
    );
  });
});
