// Output sanitising for tool results (docs/security.md, "Output"): control, bidi and invisible
// characters in file names and content become visible `\uXXXX` text, so they cannot drive a terminal
// (ESC/CSI sequences), reorder what a reader sees (Trojan Source, CVE-2021-42574) or split a JSONL line.

// C0 controls except \t (09) and \n (0A); DEL and C1 controls (7F-9F, which includes the 8-bit CSI 9B);
// ALM U+061C; zero-width space/non-joiner/joiner and LRM/RLM U+200B-U+200F; line and paragraph
// separators and the bidi embeddings/overrides U+2028-U+202E; bidi isolates U+2066-U+2069; BOM/ZWNBSP
// U+FEFF; and what a model reads but a person does not see: soft hyphen U+00AD, invisible operators
// U+2060-U+2064, TAG characters U+E0000-U+E007F (text hidden in plain sight, "ASCII smuggling").
// Escaping the ESC itself is enough to defuse an escape sequence: the rest is plain text.
// (TAGs as their UTF-16 pairs: a "u" regex would scan plain text about eight times slower.)
const UNSAFE = '\\x7F-\\x9F\\xAD\\u061C\\u200B-\\u200F\\u2028-\\u202E\\u2060-\\u2064\\u2066-\\u2069\\uFEFF]' +
  '|\\uDB40[\\uDC00-\\uDC7F';
const CONTENT_UNSAFE = new RegExp(`[\\x00-\\x08\\x0B-\\x1F${UNSAFE}]`, 'g');
// The same for names shown one per line in listings, where \n and \t would forge extra entries or columns.
export const NAME_UNSAFE = new RegExp(`[\\x00-\\x1F${UNSAFE}]`, 'g');

const UNSAFE_UNIT = new RegExp(NAME_UNSAFE.source); // tested on one UTF-16 unit: its bracket part

/** The longest prefix of `s` of at most `max` UTF-8 bytes in a log line (`\uXXXX` six, so is any surrogate, `"` and
 * `\` two, CJK three): 2,000 bidi controls were 12 KB, 2,000 CJK 6 KB (outside attacks on the audit log). */
export function escapedFit(s: string, max: number): number {
  let bytes = 0;
  for (let k = 0; k < s.length; k++) {
    const c = s.charCodeAt(k);
    bytes += (c >= 0xd800 && c < 0xe000) || UNSAFE_UNIT.test(s[k] as string) ? 6
      : c === 34 || c === 92 ? 2 : c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
    if (bytes > max) return k;
  }
  return s.length;
}

function visible(c: string): string {
  const cp = c.codePointAt(0) ?? 0;
  return cp > 0xffff ? `\\u{${cp.toString(16)}}` : `\\u${cp.toString(16).padStart(4, '0')}`;
}

/** Replaces unsafe characters with visible `\uXXXX` escapes, keeping \n, \t and ordinary Unicode. */
export function escapeControls(s: string): string {
  return s.replace(CONTENT_UNSAFE, visible);
}

/** Like `escapeControls()`, but also escapes \n and \t (for file names and other one-line values). */
export function escapeName(s: string): string {
  return s.replace(NAME_UNSAFE, visible);
}
