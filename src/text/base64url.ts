// The one base64url codec (RFC 4648 section 5, no padding) for text the server hands out and takes back:
// list cursors and the signed consent state. Text goes through UTF-8 first, so any Unicode name
// survives; `btoa`/`atob` work on Latin-1 only and threw on a name like 说明.md.

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** UTF-8 bytes of `text`, base64url-encoded without padding. */
export function encodeBase64Url(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = ((bytes[i] as number) << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    out += ALPHABET[(n >> 18) & 63]! + ALPHABET[(n >> 12) & 63]!;
    if (i + 1 < bytes.length) out += ALPHABET[(n >> 6) & 63]!;
    if (i + 2 < bytes.length) out += ALPHABET[n & 63]!;
  }
  return out;
}

/** The text `encodeBase64Url()` made; throws on a foreign character, a cut length or bytes that are not UTF-8. */
export function decodeBase64Url(encoded: string): string {
  if (!/^[A-Za-z0-9_-]*$/.test(encoded) || encoded.length % 4 === 1) throw new Error('not base64url');
  const bytes = new Uint8Array(Math.floor((encoded.length * 6) / 8));
  let acc = 0;
  let bits = 0;
  let at = 0;
  for (const ch of encoded) {
    acc = ((acc << 6) | ALPHABET.indexOf(ch)) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes[at++] = (acc >> bits) & 0xff;
    }
  }
  return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
}
