/**
 * Escaping of every piece of text placed in the report. Feature names, subgroup keys and model
 * names come from data files and configuration, so any of them may hold markup; escaping the
 * five significant characters makes them inert both in element text and in quoted attributes
 * (HTML Living Standard, "Serializing HTML fragments"; the same set is safe inside inline SVG).
 */
const ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text with `& < > " '` replaced by entities, safe in element content and quoted attributes. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}
