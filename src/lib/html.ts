/**
 * The one HTML escaper: for element content and quoted attribute values in our pages, the comment form and
 * Telegram HTML messages alike (Telegram accepts &lt; &gt; &amp; &quot; and numeric entities such as &#39;).
 * Everything a citizen wrote goes through it before it is shown.
 */
const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ESCAPES[c]);
}
