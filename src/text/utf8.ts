// UTF-8 byte length of a string without encoding it: reply budgets are bytes on the wire, not chars.

/** Walks `s` a character at a time (a surrogate pair is one 4-byte character) while `maxBytes` is not passed:
 * how many UTF-16 units fit, and their bytes. */
function fitUtf8(s: string, maxBytes: number): { readonly units: number; readonly bytes: number } {
  let bytes = 0;
  let i = 0;
  while (i < s.length) {
    const c = s.charCodeAt(i);
    const pair = c >= 0xd800 && c <= 0xdbff && i + 1 < s.length;
    const size = c < 0x80 ? 1 : c < 0x800 ? 2 : pair ? 4 : 3;
    if (bytes + size > maxBytes) break;
    bytes += size;
    i += pair ? 2 : 1;
  }
  return { units: i, bytes };
}

export const utf8Length = (s: string): number => fitUtf8(s, Infinity).bytes;

/** Bytes `s` takes on the wire as a JSON string (quotes and escapes included). */
export const jsonBytes = (s: string): number => utf8Length(JSON.stringify(s));

/** How many UTF-16 units of `s` fit in `maxBytes` of UTF-8, never splitting a surrogate pair. */
export const utf8Prefix = (s: string, maxBytes: number): number => fitUtf8(s, maxBytes).units;
