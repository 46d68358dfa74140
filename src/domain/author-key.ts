/** Hashing of contacts citizens leave in public comments (152-ФЗ: only the hash is stored). Pure. */
import { createHash } from 'node:crypto';

/** A phone in any notation (8…, +7…, spaces, dashes) or an e-mail, reduced to one canonical form; null if neither. */
export function normalizeContact(contact: string | null | undefined): string | null {
  if (!contact) return null;
  const c = contact.trim().toLowerCase();
  if (/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(c)) return c;
  const digits = c.replace(/\D/g, '');
  if (digits.length === 11 && (digits.startsWith('8') || digits.startsWith('7'))) return `+7${digits.slice(1)}`;
  if (digits.length === 10) return `+7${digits}`;
  return digits.length >= 7 ? `+${digits}` : null;
}

/** SHA-256 of the canonical contact, so the same person is found again without storing the contact. */
export function contactHash(contact: string | null | undefined): string | null {
  const n = normalizeContact(contact);
  return n ? createHash('sha256').update(`otklik-contact:${n}`).digest('hex') : null;
}
